"""The timeline as readers meet it: accessible (axe-core, WCAG 2.2 AA) in light and dark, on
a phone and a desktop; valid HTML (the Nu HTML Checker); keyboard usable; light; stable."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks.generate import generate
from tests.conftest import (
    AXE,
    VNU,
    build_ok,
    event_text,
    require,
    serve_folder,
    soup,
    write_event,
)
from timeline import search

PAGE_TYPES = {
    "index": "",
    "event": "events/2024-10-18-dprk-troops-to-russia/",
    "tag index": "tags/",
    "tag": "tags/russia/",
    "404": "404.html",
    "embed": "embed/",
    "sources": "sources/",
    "periods": "periods/",
    "period": "periods/summit-diplomacy/",
}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page) -> list[str]:
    require(AXE, "axe-core")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_no_accessibility_violations(example, chromium, page_type, width, scheme) -> None:
    url, _ = example
    context = chromium.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(url + PAGE_TYPES[page_type])
    assert axe_violations(page) == []
    context.close()


def test_no_violations_while_searching(example, web_page) -> None:
    url, _ = example
    page = web_page.page
    page.goto(url + "?q=summit")
    page.wait_for_selector(".search-excerpt mark")
    assert axe_violations(page) == []


def test_every_page_is_valid_html(example) -> None:
    require(VNU, "the Nu HTML Checker (vnu-jar)")
    require(shutil.which("java"), "Java")
    _, out = example
    done = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", str(out)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_keyboard_order_and_skip_link(example, web_page) -> None:
    url, _ = example
    page = web_page.page
    page.goto(url)
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent")
    assert skip == "Skip to the timeline"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus ring
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#timeline"
    order = []
    page.wait_for_load_state("networkidle")
    page.goto(url)
    for _ in range(18):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")
        )
    assert order[:3] == [
        "Skip to the timeline",
        "North Korea: from summits to the Russia alignment",
        "Timeline",
    ]
    assert order.index("search-q") < order.index("search-tag") < order.index("search-clear"), order


def test_states_are_said_in_words_not_only_colour(site: Path) -> None:
    """Not the example site: its content changes as it is edited, these states must not."""
    write_event(site, "a.md", event_text("About then", "2019-02~", tags="[diplomacy]"))
    write_event(site, "b.md", event_text("Perhaps", "2019-03-01?", importance="major"))
    write_event(site, "c.md", event_text("Talks", "2019-03-05/2019-03-08"))
    write_event(site, "d.md", event_text("Much later", "2019-11-10"))
    build_ok("--site", site)
    index = soup(site / "_site" / "index.html")
    approximate = index.select_one("li.event-item--fuzzy[data-slug=a]")
    assert approximate.select_one(".badge--fuzzy").get_text() == "approximate date"
    uncertain = index.select_one("li.event-item--fuzzy[data-slug=b]")
    assert uncertain.select_one(".badge--fuzzy").get_text() == "uncertain date"
    major = index.select_one("li.event-item--major")
    assert major.select_one(".badge--major").get_text() == "Key event"
    interval = index.select_one("li.event-item--span")
    assert interval.select_one(".badge--span").get_text() == "4 days"
    assert [t.get_text() for t in index.select("a.tag")] == ["diplomacy"]
    gap_labels = [p.get_text() for p in index.select(".gap-label")]
    assert gap_labels == ["8 months later"]


def test_tag_colours_are_stable(example) -> None:
    _, out = example
    colours = {}
    for path in out.rglob("*.html"):
        for tag in soup(path).select("a.tag"):
            hue = next(c for c in tag["class"] if c.startswith("hue-"))
            assert colours.setdefault(tag.get_text(), hue) == hue


def test_narrow_screens_do_not_scroll_sideways(example, chromium) -> None:
    url, _ = example
    context = chromium.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    for path in PAGE_TYPES.values():
        page.goto(url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    context.close()


def test_dark_mode_follows_the_system(example, chromium) -> None:
    url, _ = example
    backgrounds = {}
    for scheme in ("light", "dark"):
        context = chromium.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(url)
        backgrounds[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        context.close()
    assert backgrounds["light"] != backgrounds["dark"]


def test_nothing_moves_on_its_own(example, chromium) -> None:
    """No smooth scrolling, whatever the motion preference: besides respecting "reduce",
    a smooth scroll lands short on this theme (the years it passes are drawn as it goes,
    with content-visibility); tests/test_reading_order.py checks where a link lands."""
    url, _ = example
    behaviours = {}
    for motion in ("no-preference", "reduce"):
        context = chromium.new_context(reduced_motion=motion)
        page = context.new_page()
        page.goto(url)
        behaviours[motion] = page.evaluate(
            "getComputedStyle(document.documentElement).scrollBehavior"
        )
        context.close()
    assert behaviours == {"no-preference": "auto", "reduce": "auto"}


def test_print_shows_the_timeline_and_source_urls(example, web_page) -> None:
    url, _ = example
    page = web_page.page
    page.emulate_media(media="print")
    page.goto(url + PAGE_TYPES["event"])
    after = page.evaluate(
        "getComputedStyle(document.querySelector('.sources a'), '::after').content"
    )
    assert "<http" in after
    page.goto(url)
    assert not page.locator(".search-panel").is_visible()
    assert page.locator("li.event-item").first.is_visible()


def test_index_page_weight(example, chromium) -> None:
    """What the first view downloads, as a static host sends it (gzip, as GitHub Pages
    does): at most 30 KB, and 150 KB uncompressed. The example's cards carry statuses,
    entities and connected events, so the raw bytes are mostly repeated markup, which
    compresses six to one."""
    url, _ = example
    context = chromium.new_context()
    page = context.new_page()
    sizes: dict[str, bytes] = {}

    def record(response) -> None:
        if response.request.resource_type in ("document", "stylesheet", "script"):
            sizes[response.url] = response.body()

    page.on("response", record)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert not any("pagefind" in u for u in sizes)  # search loads only when used
    raw = {u: len(body) for u, body in sizes.items()}
    assert sum(raw.values()) <= 150_000, raw
    sent = {u: len(gzip.compress(body, 6)) for u, body in sizes.items()}
    assert sum(sent.values()) <= 30_000, sent
    context.close()


@pytest.mark.parametrize("width", [375, 800, 1280])
def test_no_layout_shift_while_the_page_loads(example, chromium, width: int) -> None:
    """On a slow device the browser paints a page before it has read all of it, and the
    search script runs later still: what is already shown must not move when the rest
    arrives. The CPU is slowed down eightfold, which made a select whose options were still
    being read push its neighbours aside (a shift of 0.007) on about half of the loads.

    A link that arrives at the very end of a wrapping row may still jump to the next row
    (shifts near 0.00005, a thousandth of what the Web Vitals call good), so the bound is
    0.001 per load rather than zero."""
    url, _ = example
    context = chromium.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 8})
    page.add_init_script(
        "window.__shifts = []; new PerformanceObserver(list => { for (const e of"
        " list.getEntries()) { if (!e.hadRecentInput) window.__shifts.push([e.value,"
        " e.sources.map(s => s.node && s.node.outerHTML.slice(0, 80))]); } })"
        ".observe({type: 'layout-shift', buffered: true});"
    )
    for _ in range(3):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        shifts = page.evaluate("window.__shifts")
        assert sum(value for value, _ in shifts) < 0.001, shifts
    context.close()


def test_embed_view_has_no_chrome_and_honours_filters(example, web_page) -> None:
    url, out = example
    embed = soup(out / "embed" / "index.html")
    assert embed.select_one(".site-header") is None and embed.select_one(".site-footer") is None
    assert embed.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    items = embed.select("li.event-item")
    russia = [li for li in items if "russia" in li["data-tags"].split()]
    assert 0 < len(russia) < len(items)  # counted, not assumed: the example's content changes
    page = web_page.page
    page.goto(url + "embed/?tag=russia")
    page.wait_for_function(
        "text => document.querySelector('#search-status').textContent === text",
        arg=f"{len(russia)} of {len(items)} events",
    )
    tags = page.eval_on_selector_all(
        "li.event-item:not([hidden])", "els => els.map(e => e.dataset.tags)"
    )
    assert len(tags) == len(russia) and all("russia" in t.split() for t in tags)


@pytest.fixture(scope="module")
def long_timeline(tmp_path_factory: pytest.TempPathFactory):
    """A synthetic 600-event site split into pages of at most 150 events, its search index
    built in three bundles of at most 250 pages (as a very large site's would be)."""
    root = tmp_path_factory.mktemp("long")
    site = generate(600, root / "site")
    with (site / "site.toml").open("a") as handle:
        handle.write("timeline_page_size = 150\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "BATCH_PAGES", 250)
        build_ok(
            "--site",
            str(site),
            "--out",
            str(root / "srv" / "repo"),
            "--base-url",
            "https://e.org/repo/",
        )
    with serve_folder(root / "srv") as url:
        yield url + "repo/", root / "srv" / "repo"


def test_a_long_timeline_is_split_into_pages_of_whole_years(long_timeline) -> None:
    _, out = long_timeline
    pages = [out / "index.html", *sorted((out / "years").glob("*/index.html"))]
    assert len(pages) >= 4
    counts = [len(soup(p).select("li.event-item")) for p in pages]
    assert sum(counts) == 600 and max(counts) <= 150
    assert all(p.stat().st_size < 1_000_000 for p in out.rglob("*.html"))
    nav = soup(out / "index.html").select(".year-nav a")
    assert len(nav) == len({a.get_text() for a in nav}) >= 70


def test_search_spans_every_page_of_a_long_timeline(long_timeline, web_page) -> None:
    url, out = long_timeline
    mapping = json.loads((out / "pagefind" / "timeline-pages.json").read_text())
    assert mapping["parts"] == ["parts/1/", "parts/2/"]
    assert len(mapping["pages"]) == 600
    page = web_page.page
    page.goto(url + "?q=hypersonic")
    other = page.locator(".search-elsewhere a").first
    other.wait_for(timeout=10_000)
    assert "more matching event" in page.locator(".search-elsewhere p").inner_text()
    target = other.get_attribute("href")
    assert "?q=hypersonic" in target
    other.click()
    page.wait_for_function(
        "(() => { const n = document.querySelectorAll('li.event-item:not([hidden])').length;"
        " return n > 0 && n < document.querySelectorAll('li.event-item').length; })()"
    )
    assert page.input_value("#search-q") == "hypersonic"
