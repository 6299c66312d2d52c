"""Publishing: the Pages workflow, `deploy`, and the files every build gives the web
(feed, sitemap, robots.txt, .nojekyll, social previews), checked with real parsers, and a
crawl over real HTTP under /repo/ that must find no broken link."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup

from tests.conftest import ROOT, ExampleBuild, event_text, soup, write_event

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


@pytest.fixture
def published(example, example_build: ExampleBuild) -> tuple[str, str, Path]:
    """The shared example build (for https://example.org/repo/), served over HTTP under
    /repo/: (the address it was built for, the address it is served at, the output)."""
    served, out = example
    return example_build.base_url, served, out


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, "", b""


def references(page: BeautifulSoup, page_url: str, aliases: dict[str, str]) -> set[str]:
    """Every link, stylesheet, script, image and icon a page points at, as absolute URLs;
    an address starting with a key of `aliases` is read at its value instead (the site's
    published address, at the local server that stands in for it)."""
    found = set()
    for tag, attribute in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")):
        for node in page.find_all(tag):
            value = node.get(attribute)
            if value:
                target = urljoin(page_url, value)
                for published, served in aliases.items():
                    if target.startswith(published):
                        target = served + target.removeprefix(published)
                found.add(target)
    return found


def crawl(start: str, aliases: dict[str, str]) -> tuple[set[str], list[str]]:
    """Every internal URL reachable from `start`, and every broken reference found."""
    origin = urlsplit(start).netloc
    seen, broken, pages = {start}, [], {}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        status, kind, body = fetch(url)
        if status != 200:
            broken.append(f"{url}: HTTP {status}")
            continue
        if "html" in kind:
            pages[url] = BeautifulSoup(body, "html.parser")
            for target in references(pages[url], url, aliases):
                plain, _ = urldefrag(target)
                if urlsplit(plain).netloc == origin and plain not in seen:
                    seen.add(plain)
                    queue.append(plain)
    for url, page in pages.items():
        for target in references(page, url, aliases):
            plain, fragment = urldefrag(target)
            if fragment and plain in pages and not pages[plain].find(id=fragment):
                broken.append(f"{url}: no #{fragment} in {plain}")
    return seen, broken


def test_no_broken_internal_links_under_the_subpath(published) -> None:
    base, served, out = published
    seen, broken = crawl(served, {base: served})
    assert broken == []
    event_pages = {f"{served}events/{p.name}/" for p in (out / "events").iterdir()}
    assert event_pages <= seen
    assert f"{served}css/style.css" in seen and f"{served}js/search.js" in seen
    assert f"{served}favicon.svg" in seen


def test_404_page_works_from_any_depth(published) -> None:
    base, served, out = published
    page = soup(out / "404.html")
    deep = f"{served}some/deep/missing/page/"
    targets = [
        t
        for t in references(page, deep, {base: served})
        if t.startswith(served) and not t.startswith(deep)
    ]
    assert targets
    for target in targets:
        assert fetch(urldefrag(target)[0])[0] == 200, target


def test_feed_parses_with_one_entry_per_event(published) -> None:
    base, _, out = published
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    events = list((out / "events").iterdir())
    assert len(feed.entries) == len(events)
    ids = [entry.id for entry in feed.entries]
    assert len(set(ids)) == len(ids)
    assert all(entry.link.startswith(base) for entry in feed.entries)
    updated = [entry.updated for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)  # newest first
    assert feed.feed.link == base


def test_sitemap_lists_every_page(published) -> None:
    base, _, out = published
    tree = ET.parse(out / "sitemap.xml")
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = {loc.text for loc in tree.getroot().findall("s:url/s:loc", namespace)}
    assert {f"{base}events/{p.name}/" for p in (out / "events").iterdir()} <= urls
    assert {base, f"{base}tags/", f"{base}tags/russia/"} <= urls
    assert all(url.startswith(base) for url in urls)
    assert f"Sitemap: {base}sitemap.xml" in (out / "robots.txt").read_text()


def test_every_page_has_social_preview_metadata(published) -> None:
    base, _, out = published
    for path in out.rglob("*.html"):
        page = soup(path)

        def meta(key: str, page: BeautifulSoup = page) -> str | None:
            node = page.find("meta", attrs={"property": key}) or page.find(
                "meta", attrs={"name": key}
            )
            return node["content"] if node else None

        assert meta("og:title") and meta("twitter:title") and meta("twitter:card"), path
        assert meta("og:site_name") == "North Korea: from summits to the Russia alignment"
        if path.name != "404.html" and path.parent.name != "embed":
            assert meta("og:url", page).startswith(base), path
            assert page.find("link", rel="canonical")["href"] == meta("og:url")
    event = soup(next((out / "events").glob("*/index.html")))
    assert event.find("meta", attrs={"property": "og:type"})["content"] == "article"
    assert (out / ".nojekyll").exists()


def test_event_images_become_preview_images(site: Path, cli) -> None:
    (site / "static" / "images").mkdir(parents=True)
    (site / "static" / "images" / "map.png").write_bytes(b"\x89PNG")
    write_event(site, "a.md", event_text("A", "2019", image="{src: images/map.png, alt: A map}"))
    assert cli("build", "--site", site, "--base-url", "https://x.example/t/").code == 0
    page = soup(site / "_site" / "events" / "a" / "index.html")
    assert page.find("meta", attrs={"property": "og:image"})["content"] == (
        "https://x.example/t/images/map.png"
    )
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"


def test_without_a_base_url_the_build_says_what_it_left_out(site: Path, cli) -> None:
    write_event(site, "a.md", event_text("A", "2019"))
    result = cli("build", "--site", site)
    assert result.code == 0
    warnings = [line for line in result.err.splitlines() if "base_url" in line]
    assert len(warnings) == 1
    assert "feed.xml and sitemap.xml were left out" in warnings[0]
    out = site / "_site"
    assert not (out / "feed.xml").exists() and not (out / "sitemap.xml").exists()
    assert "Sitemap" not in (out / "robots.txt").read_text()
    assert soup(out / "index.html").find("link", rel="canonical") is None


def test_workflow_is_valid_and_least_privileged() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         str(WORKFLOW)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["group"]
    triggers = workflow[True]  # YAML 1.1 reads the `on:` key as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    steps = workflow["jobs"]["build"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert {"actions/checkout", "actions/setup-python", "actions/configure-pages",
            "actions/upload-pages-artifact"} <= set(uses)  # fmt: skip
    runs = " ".join(step.get("run", "") for step in steps)
    assert "python3 -m venv .venv && .venv/bin/pip install -e ." in runs
    assert "--base-url" in runs and "steps.pages.outputs.base_url" in runs
    deploy_steps = workflow["jobs"]["deploy"]["steps"]
    assert deploy_steps[0]["uses"].startswith("actions/deploy-pages@")
    readme = (ROOT / "README.md").read_text()
    assert "python3 -m venv .venv && .venv/bin/pip install -e ." in readme


GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
}  # fmt: skip


def run_deploy(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "deploy", "--site", str(site), *args],
        capture_output=True, text=True, env={**os.environ, **GIT_IDENTITY},
    )  # fmt: skip


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, **GIT_IDENTITY})  # fmt: skip
    return done.stdout


def make_repo(site: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=site, check=True)
    git(site, "add", "-A")
    git(site, "commit", "-qm", "content")


def test_deploy_commits_the_site_to_a_branch(site: Path) -> None:
    write_event(site, "a.md", event_text("A", "2019"))
    (site / "site.toml").write_text(
        'title = "T"\nbase_url = "https://timeline.example.org/"\ncname = "timeline.example.org"\n'
    )
    make_repo(site)
    done = run_deploy(site, "--no-push", "--message", "Publish now")
    assert done.returncode == 0, done.stderr
    files = git(site, "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert {"index.html", ".nojekyll", "CNAME", "feed.xml", "events/a/index.html"} <= set(files)
    assert git(site, "show", "gh-pages:CNAME").strip() == "timeline.example.org"
    assert git(site, "log", "-1", "--format=%s", "gh-pages").strip() == "Publish now"
    assert git(site, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_deploy_refuses_outside_a_repository(site: Path) -> None:
    write_event(site, "a.md", event_text("A", "2019"))
    done = run_deploy(site, "--no-push")
    assert done.returncode == 2
    assert "is not inside a git repository" in done.stderr


def test_deploy_refuses_when_the_build_fails(site: Path) -> None:
    write_event(site, "a.md", event_text("A", "2019-13-99"))
    make_repo(site)
    done = run_deploy(site, "--no-push")
    assert done.returncode == 1
    assert "content/events/a.md:3: date:" in done.stderr
    assert "gh-pages" not in git(site, "branch", "--list")
