"""Safety rules that work today and must keep working: each test here fails when its rule is
broken (each was checked by planting the bug by hand and watching the test fail).

- the cache rebuilds everything when `allow_raw_html` changes, and when a template is edited;
- URLs without a host, `data:` and `javascript:` stay refused in sources and images;
- output folders above the site, equal to it, or inside its sources stay refused;
- events on one date are ordered by title; the CSV `uncertain` column; interval durations;
- drafts are never published by `deploy`; dotfiles and editor leftovers are ignored;
- tag colours and tag order do not depend on the process (string hashing).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, commit_all, event_text, soup, touch_later, tree_digest, write_event
from tests.test_publish import git, make_repo, run_deploy
from timeline.output import STAMP

SCRIPT = "<script>alert(1)</script>"


def set_config(site: Path, text: str) -> None:
    (site / "site.toml").write_text(f'title = "Test timeline"\n{text}', encoding="utf-8")
    touch_later(site / "site.toml")


def event_page(site: Path, slug: str) -> str:
    return (site / "_site" / "events" / slug / "index.html").read_text(encoding="utf-8")


# The cache -----------------------------------------------------------------------------------


def test_changing_allow_raw_html_rebuilds_the_bodies(site: Path, cli) -> None:
    write_event(site, "raw.md", event_text("Raw", "2019", body=f"Before.\n\n{SCRIPT}\n\nAfter."))
    write_event(site, "other.md", event_text("Other", "2020"))
    set_config(site, "allow_raw_html = true\n")
    assert cli("build", "--site", site).code == 0
    assert SCRIPT in event_page(site, "raw")
    set_config(site, "allow_raw_html = false\n")
    assert cli("build", "--site", site).code == 0
    assert "<script>alert" not in event_page(site, "raw")
    assert "After." in event_page(site, "raw")
    set_config(site, "allow_raw_html = true\n")
    assert cli("build", "--site", site).code == 0
    assert SCRIPT in event_page(site, "raw")  # and back: the author's HTML is kept again


def test_editing_an_existing_template_rebuilds_its_pages(site: Path, cli) -> None:
    write_event(site, "a.md", event_text("A", "2019"))
    write_event(site, "b.md", event_text("B", "2020"))
    template = site / "templates" / "event.html"
    template.parent.mkdir()
    default = (ROOT / "templates" / "event.html").read_text(encoding="utf-8")
    probe = '{% block main %}\n<p id="probe">Version A</p>'
    assert default.count("{% block main %}") == 1
    template.write_text(default.replace("{% block main %}", probe), encoding="utf-8")
    assert cli("build", "--site", site).code == 0
    assert soup(site / "_site" / "events" / "a" / "index.html").select_one("#probe").get_text() == (
        "Version A"
    )
    # Same size, new content and a newer modification time: a real edit, not an addition.
    template.write_text(default.replace("{% block main %}", probe.replace("A", "B")))
    touch_later(template)
    assert cli("build", "--site", site).code == 0
    for slug in ("a", "b"):
        page = soup(site / "_site" / "events" / slug / "index.html")
        assert page.select_one("#probe").get_text() == "Version B", slug


# Refused URLs --------------------------------------------------------------------------------

BAD_URLS = [
    "https:///x", "http:///", "data:text/html,<script>alert(1)</script>",
    "javascript:alert(1)", "JavaScript:alert(1)",
    "javascript://example.org/%0Aalert(1)", "data://example.org/x",  # a host, a bad scheme
]  # fmt: skip


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("field", ["sources.0.url", "image.src"])
def test_urls_without_a_host_and_script_or_data_urls_are_refused(
    site: Path, tmp_path: Path, cli, field: str, url: str
) -> None:
    quoted = "'" + url.replace("'", "''") + "'"
    if field == "image.src":
        lines = ["image:", f"  src: {quoted}", "  alt: A picture"]
    else:
        lines = ["sources:", "  - title: A report", f"    url: {quoted}"]
    path = site / "content" / "events" / "a.md"
    path.write_text(
        "---\ntitle: A\ndate: 2019\n" + "\n".join(lines) + "\n---\nBody.\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = cli("build", "--site", site, "--out", out)
    assert result.code == 1, result.err
    line = 5 if field == "image.src" else 6
    assert f"content/events/a.md:{line}: {field}:" in result.err  # the field, at the URL's line
    assert not out.exists()


# Refused output folders ----------------------------------------------------------------------


@pytest.fixture
def guarded_site(tmp_path: Path) -> Path:
    """A site with every kind of source file, two levels below `tmp_path`; the folders
    around it carry the output stamp, so that only the rule under test can refuse them."""
    site = tmp_path / "home" / "site"
    write_event(site, "a.md", event_text("A", "2019"))
    (site / "site.toml").write_text('title = "T"\n')
    (site / "static" / "css").mkdir(parents=True)
    (site / "static" / "css" / "mine.css").write_text("a {}\n")
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text("Lost\n")
    for folder in (tmp_path, tmp_path / "home", site):
        (folder / STAMP).write_text("planted: looks like an old output\n")
    return site


OUTSIDE_THE_SOURCES = {
    "the site's parent": "..",
    "two levels above the site": "../..",
    "the site itself": ".",
    "inside content/": "content/out",
    "content/events": "content/events",
    "inside static/": "static/out",
    "static/ itself": "static",
    "inside templates/": "templates/out",
}


@pytest.mark.parametrize("where", OUTSIDE_THE_SOURCES)
def test_output_folders_that_would_replace_sources_are_refused(
    guarded_site: Path, tmp_path: Path, cli, where: str
) -> None:
    before = tree_digest(tmp_path)
    out = Path(os.path.normpath(guarded_site / OUTSIDE_THE_SOURCES[where]))
    result = cli("build", "--site", guarded_site, "--out", out)
    assert result.code == 2, result.err
    assert "choose another --out" in result.err
    assert tree_digest(tmp_path) == before  # nothing deleted, nothing written
    assert sorted(p.name for p in tmp_path.iterdir()) == [STAMP, "home"]


# Order, exports and what readers see ---------------------------------------------------------


def test_events_on_the_same_date_are_ordered_by_title(site: Path, cli) -> None:
    # File names (and so slugs) in the opposite order to the titles.
    for name, title in (("a", "Zebra crossing"), ("b", "Mango harvest"), ("c", "apple picking")):
        write_event(site, f"{name}.md", event_text(title, "2019-05-01", tags="[fruit]"))
    write_event(site, "d.md", event_text("Aardvark, a day later", "2019-05-02", tags="[fruit]"))
    assert cli("build", "--site", site).code == 0
    expected = ["apple picking", "Mango harvest", "Zebra crossing", "Aardvark, a day later"]
    for page in ("index.html", "tags/fruit/index.html"):
        titles = [
            a.get_text() for a in soup(site / "_site" / page).select("article .event-title a")
        ]
        assert titles == expected, page
    mango = soup(site / "_site" / "events" / "b" / "index.html")
    assert mango.select_one("a[rel=prev] .prev-next__title").get_text() == "apple picking"
    assert mango.select_one("a[rel=next] .prev-next__title").get_text() == "Zebra crossing"


def test_csv_uncertain_column(site: Path, cli) -> None:
    dates = {"unsure": "2019?", "both": "2019%", "plain": "2019", "about": "2019~",
             "unsure-end": "2018/2019-03?", "day": "2019-02-28"}  # fmt: skip
    for slug, date in dates.items():
        write_event(site, f"{slug}.md", event_text(slug.title(), date))
    assert cli("build", "--site", site).code == 0
    text = (site / "_site" / "events.csv").read_bytes().decode("utf-8")
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}
    assert {slug: rows[slug]["uncertain"] for slug in dates} == {
        "unsure": "true", "both": "true", "plain": "false", "about": "false",
        "unsure-end": "true", "day": "false",
    }  # fmt: skip
    assert {slug: rows[slug]["approximate"] for slug in dates} == {
        "unsure": "false", "both": "true", "plain": "false", "about": "true",
        "unsure-end": "false", "day": "false",
    }  # fmt: skip


DURATIONS = {
    "2019-02-27/2019-02-28": "2 days",
    "2019-03-05/2019-03-05": "1 day",
    "2020-02-28/2020-03-01": "3 days",  # 2020 is a leap year
    "2019-12-30/2020-01-02": "4 days",
    "2020-12-30/2021-01-02": "4 days",  # across the end of a leap year
    "2024-02-01/2024-02-29": "29 days",
    "2019-01-01/2019-02-28": "59 days",
    "2019-01-01/2019-03-01": "about 3 months",  # 60 days and more are counted in months
    "2019-01/2019-03": "about 3 months",
    "2019-02-27~/2019-03-02": "about 2 months",  # an approximate end: no day count
    "2018-01/2019-06": "about 18 months",
    "2018/2019": "about 2 years",
    "2017-01/2019-09": "about 3 years",  # 33 months, rounded
    "1950/2019": "about 70 years",
}


def test_interval_durations_as_readers_see_them(site: Path, cli) -> None:
    for number, date in enumerate(DURATIONS):
        write_event(site, f"e{number}.md", event_text(f"Interval {number}", date))
    write_event(site, "point.md", event_text("A single day", "2019-06-01"))
    assert cli("build", "--site", site).code == 0
    index = soup(site / "_site" / "index.html")
    for number, duration in enumerate(DURATIONS.values()):
        page = soup(site / "_site" / "events" / f"e{number}" / "index.html")
        assert page.select_one(".event-dateline .badge--span").get_text() == duration, number
        card = index.select_one(f"article#e{number}")
        assert card.select_one(".badge--span").get_text() == duration, number
    assert index.select_one("article#point .badge--span") is None  # a point has no duration


def test_the_gap_after_an_interval_counts_from_its_end(site: Path, cli) -> None:
    write_event(site, "span.md", event_text("Long span", "2018-01-01/2019-06-30"))
    write_event(site, "next.md", event_text("Next", "2019-09-01"))
    write_event(site, "later.md", event_text("Much later", "2023-09-01"))
    assert cli("build", "--site", site).code == 0
    index = soup(site / "_site" / "index.html")
    labels = {
        item["data-slug"]: item.select_one(".gap-label").get_text()
        for item in index.select("li.event-item")
        if item.select_one(".gap-label")
    }
    assert labels == {"next": "2 months later", "later": "4 years later"}


# Publishing and reading the sources -----------------------------------------------------------


def test_deploy_never_publishes_drafts(site: Path, cli) -> None:
    write_event(site, "pub.md", event_text("Published event", "2019", tags="[open]"))
    write_event(site, "wip.md", event_text("Secret draft", "2019", tags="[hidden-tag]",
                                           draft="true"))  # fmt: skip
    (site / "site.toml").write_text('title = "T"\nbase_url = "https://t.example.org/"\n')
    make_repo(site)
    # The author previewed the drafts into the default output first: deploy must not reuse it.
    assert cli("build", "--site", site, "--drafts").code == 0
    assert (site / "_site" / "events" / "wip" / "index.html").is_file()
    done = run_deploy(site, "--no-push")
    assert done.returncode == 0, done.stderr
    files = set(git(site, "ls-tree", "-r", "--name-only", "gh-pages").split())
    assert "events/pub/index.html" in files and "index.html" in files
    assert not any("wip" in f or "hidden-tag" in f for f in files), sorted(files)
    leaks = git(site, "grep", "-l", "-i", "-e", "Secret draft", "-e", "hidden-tag", "gh-pages")
    assert leaks == ""


LEFTOVERS = (".hidden.md", "x.md~", ".#x.md", "#x.md#", "x.swp", "x.md.swp", "x.md.tmp")


def test_dotfiles_and_editor_leftovers_are_ignored(site: Path, cli) -> None:
    events = site / "content" / "events"
    sourced = "\n  - {title: A source, url: 'https://e.org/s', date: 2019}"
    write_event(site, "real.md", event_text("Real", "2019", sources=sourced))
    for number, name in enumerate(LEFTOVERS):
        (events / name).write_text(event_text(f"Leftover {number}", "2019"), encoding="utf-8")
    (events / ".#lock.md").symlink_to("user@host.1234:1700000000")  # Emacs lock: dangling link
    (events / ".git").mkdir()
    (events / ".git" / "y.md").write_text(event_text("In a dot folder", "2019"))
    static = site / "static"
    static.mkdir()
    (static / "real.css").write_text("a {}\n")
    for name in (".hidden.css", "x.css~", ".#x.css", "x.swp", ".DS_Store", "x.css.bak"):
        (static / name).write_text("leftover\n")
    (static / ".well-hidden").mkdir()
    (static / ".well-hidden" / "secret.txt").write_text("secret\n")
    commit_all(site)  # in git, as sites are (else a notice says there are no dates)
    result = cli("build", "--site", site, "--base-url", "https://e.org/")
    assert result.code == 0, result.err
    assert result.err == ""  # not even a warning about them
    out = site / "_site"
    assert sorted(p.name for p in (out / "events").iterdir()) == ["real"]
    assert (out / "real.css").is_file()
    copied = {p.name for p in out.rglob("*")}
    assert not copied & {*LEFTOVERS, ".hidden.css", "x.css~", ".#x.css", ".DS_Store",
                         "x.css.bak", ".well-hidden", "secret.txt"}  # fmt: skip
    assert "Leftover" not in (out / "events.json").read_text()
    check = cli("check", "--site", site)
    assert check.code == 0 and "OK: 1 event, no errors" in check.out and check.err == ""


def build_with_seed(site: Path, out: Path, seed: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--out", str(out),
         "--no-cache"],
        capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def tag_view(out: Path) -> dict[str, list[tuple[str, str]]]:
    """Every page's tags as readers meet them: in order, each with its colour class."""
    view = {}
    for path in sorted(out.rglob("*.html")):
        tags = [
            (a.get_text(), " ".join(c for c in a["class"] if c.startswith("hue-")))
            for a in soup(path).select("a.tag, .tag--heading")
        ]
        if tags:
            view[path.relative_to(out).as_posix()] = tags
    return view


def test_tag_colours_and_order_do_not_depend_on_the_process(site: Path, tmp_path: Path) -> None:
    names = ["Zeta", "alpha", "mu", "Beta", "東京", "omega", "kappa", "delta", "Zürich", "eta",
             "gamma", "Sigma", "nu", "rho"]  # fmt: skip
    for number in range(10):
        chosen = [names[(number * 5 + k) % len(names)] for k in range(2 + number % 4)]
        tags = f"[{', '.join(chosen)}]"
        write_event(site, f"e{number}.md", event_text(f"E{number}", f"20{10 + number}", tags=tags))
    views = []
    for seed in ("1", "2", "3"):
        build_with_seed(site, tmp_path / f"out{seed}", seed)
        views.append(tag_view(tmp_path / f"out{seed}"))
    assert views[0] == views[1] == views[2]
    listing = [name for name, _ in views[0]["tags/index.html"]]
    assert len(listing) == len(names)
    hues = {hue for page in views[0].values() for _, hue in page}
    assert len(hues) > 3  # colours are spread over the palette
    event = [name for name, _ in views[0]["events/e1/index.html"]]
    assert event == [names[(5 + k) % len(names)] for k in range(3)]  # as the author wrote them
