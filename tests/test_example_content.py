"""The example timeline in content/events/ is the first thing people see: every event cites at
least one source, every source has a date and a plain link to a real publisher page (no
staging or CDN host, no tracking parameters), and the example builds with all its events.

The repository's files are only read; the build runs on a copy in a temporary folder.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from timeline.errors import BuildFailed
from timeline.pipeline import check_site
from timeline.project import open_site
from timeline.reader import read_event

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "content" / "events"
EXPECTED_EVENTS = 26

# Query keys that only track the reader: `utm_*` and the usual click and referral markers.
TRACKING_PREFIXES = ("utm_",)
TRACKING_KEYS = {
    "maca", "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "_gl", "ref", "ref_src", "referrer", "cmpid", "ocid", "smid",
    "spm", "s_cid", "xtor", "guccounter",
}  # fmt: skip
# A host label (or a hyphen-separated part of one) that marks a staging copy or a CDN mirror.
NON_PUBLISHER_HOST_PART = re.compile(r"(stg|staging|cdn)\d*")


def event_files() -> list[Path]:
    return sorted(EVENTS.glob("*.md"))


def read_meta(path: Path) -> dict[str, Any]:
    raw = read_event(str(path.relative_to(ROOT)), path.read_bytes())
    assert not raw.problems, f"{path.name}: cannot be read: {raw.problems}"
    assert isinstance(raw.meta, dict), f"{path.name}: frontmatter is not a mapping"
    return raw.meta


def sources_of(path: Path) -> list[Any]:
    sources = read_meta(path).get("sources")
    return sources if isinstance(sources, list) else []


def url_problems(url: object) -> list[str]:
    """What is wrong with one source URL; an empty list when nothing is."""
    if not isinstance(url, str) or not url.strip():
        return ["has no url"]
    if not url.startswith(("https://", "http://")):
        return [f"url {url!r} does not start with https:// or http://"]
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    problems = []
    if not host:
        problems.append(f"url {url!r} has no host")
    if host.endswith("."):
        problems.append(f"url {url!r}: host {host!r} ends with a dot")
    for label in host.split("."):
        if any(NON_PUBLISHER_HOST_PART.fullmatch(part) for part in label.split("-")):
            problems.append(f"url {url!r}: host {host!r} is a staging or CDN host")
            break
    for key, _ in parse_qsl(parts.query, keep_blank_values=True):
        name = key.lower()
        if name.startswith(TRACKING_PREFIXES) or name in TRACKING_KEYS:
            problems.append(f"url {url!r} has the tracking parameter {key!r}")
    return problems


@pytest.mark.parametrize("path", event_files(), ids=lambda p: p.name)
def test_every_event_cites_a_source(path: Path) -> None:
    sources = sources_of(path)
    assert sources, f"{path.name}: the event has no sources"
    for index, source in enumerate(sources):
        assert isinstance(source, dict), f"{path.name}: sources[{index}] is not a mapping"


@pytest.mark.parametrize("path", event_files(), ids=lambda p: p.name)
def test_every_source_has_a_date(path: Path) -> None:
    undated = [
        f"sources[{index}] ({source.get('title')!r})"
        for index, source in enumerate(sources_of(path))
        if isinstance(source, dict) and not str(source.get("date") or "").strip()
    ]
    assert not undated, f"{path.name}: no date on {', '.join(undated)}"


@pytest.mark.parametrize("path", event_files(), ids=lambda p: p.name)
def test_every_source_links_to_a_publisher_page(path: Path) -> None:
    problems = [
        f"sources[{index}] {problem}"
        for index, source in enumerate(sources_of(path))
        if isinstance(source, dict)
        for problem in url_problems(source.get("url"))
    ]
    assert not problems, f"{path.name}: " + "; ".join(problems)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.npr.org/2019/06/30/737365074/trump-to-meet-kim-jong-un-at-dmz", None),
        ("http://world.kbs.co.kr/service/news_view.htm?lang=e&Seq_Code=183339", None),
        ("https://www.npr.org/story?utm_medium=RSS&utm_campaign=world", "tracking"),
        ("https://www.dw.com/en/live-70537905?maca=en-rss-en-all-1573-xml-atom", "tracking"),
        ("https://example.org/a?fbclid=x", "tracking"),
        ("https://img1-cdn.newser.com/story/345250/x.html", "staging or CDN"),
        ("https://janescom-stg.sitefinity.cloud/osint-insights/x", "staging or CDN"),
        ("https://staging.example.org/x", "staging or CDN"),
        ("https://thediplomat.com./2019/02/no-deal", "ends with a dot"),
        ("ftp://example.org/x", "does not start with"),
        ("www.example.org/x", "does not start with"),
        (None, "has no url"),
    ],
)
def test_url_check_catches_what_it_should(url: object, expected: str | None) -> None:
    problems = url_problems(url)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in problem for problem in problems), problems


def test_example_builds_with_all_its_events(tmp_path: Path) -> None:
    files = event_files()
    assert len(files) == EXPECTED_EVENTS, (
        f"content/events/ holds {len(files)} event files, expected {EXPECTED_EVENTS}: "
        + ", ".join(p.name for p in files)
    )
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copy2(ROOT / "site.toml", site / "site.toml")
    try:
        timeline, warnings = check_site(open_site(site), drafts=False)
    except BuildFailed as failed:
        pytest.fail(f"the example does not build:\n{failed}")
    assert not warnings, "the example builds with warnings:\n" + "\n".join(map(str, warnings))
    built = sorted(Path(event.path).name for event in timeline.events)
    assert len(timeline.events) == EXPECTED_EVENTS, f"built {len(built)} events: {built}"
