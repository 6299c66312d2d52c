"""Periods (eras): files in content/periods/, checked like events, their events computed
(overlaps and open ends included), their pages, their place in the list, the exports, the
search facet, and the overview strip above each list."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from tests.conftest import ROOT, event_text, soup, write_event
from tests.test_builder import InMemory
from timeline.builder import Builder
from timeline.output import MemorySink
from timeline.pipeline import Pipeline
from timeline.project import open_site

SCHEMA = ROOT / "static" / "schema" / "events.schema.json"


def write_period(site: Path, slug: str, title: str, date: str, **fields: str) -> Path:
    lines = [f"title: {title}", f"date: {date}", *(f"{k}: {v}" for k, v in fields.items())]
    path = site / "content" / "periods" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + "\n".join(lines) + "\n---\nAbout this period.\n", encoding="utf-8")
    return path


def story(site: Path) -> None:
    """Six events (`f` starts in one period and ends in the next); an early period, a
    later one overlapping it, and an open one."""
    for slug, date in (("a", "2018-05-01"), ("b", "2019-03"), ("c", "2020-02-10"),
                       ("d", "2021~"), ("e", "2023-06-01/2023-06-03"),
                       ("f", "2019-12-20/2020-01-05")):  # fmt: skip
        write_event(site, f"{slug}.md", event_text(slug.upper(), date, tags="[x]"))
    write_period(site, "early", "Early", "2018-01/2019-12", color='"#2f6f9f"')
    write_period(site, "middle", "Middle", "2019-01/2020-12", summary="Overlaps early.")
    write_period(site, "late", "Late", "2021/..")


def build(site: Path, tmp_path: Path, cli) -> Path:
    out = tmp_path / "out"
    done = cli("build", "--site", site, "--out", out, "--base-url", "https://e.org/t/")
    assert done.code == 0, done.err
    return out


def test_membership_is_computed_with_overlaps_and_open_ends(site: Path, tmp_path: Path, cli):
    story(site)
    out = build(site, tmp_path, cli)
    periods = {
        p["slug"]: p["events"] for p in json.loads((out / "events.json").read_text())["periods"]
    }
    # An event belongs where its first day falls: `f` ends after "early" but belongs to it.
    assert periods == {"early": ["a", "b", "f"], "middle": ["b", "f", "c"], "late": ["d", "e"]}
    page = soup(out / "events" / "b" / "index.html")
    assert [a.get_text() for a in page.select(".event-periods a")] == ["Early", "Middle"]
    assert page.select_one('[data-pagefind-filter="period:middle"]') is not None
    assert soup(out / "events" / "c" / "index.html").select_one(".event-periods a")["href"] == (
        "/t/periods/middle/"
    )


def test_each_period_has_a_page_and_an_index(site: Path, tmp_path: Path, cli):
    story(site)
    out = build(site, tmp_path, cli)
    middle = soup(out / "periods" / "middle" / "index.html")
    assert middle.h1.get_text(strip=True) == "Middle"
    assert "Overlaps early." in middle.get_text()
    assert "About this period." in middle.get_text()
    assert [a.get_text() for a in middle.select("article.event h3 a")] == ["B", "F", "C"]
    listing = soup(out / "periods" / "index.html")
    assert [a.get_text() for a in listing.select(".period-index a")] == ["Early", "Middle", "Late"]
    sitemap = (out / "sitemap.xml").read_text()
    assert "https://e.org/t/periods/middle/" in sitemap


def test_the_timeline_shows_where_periods_start_and_end(site: Path, tmp_path: Path, cli):
    story(site)
    out = build(site, tmp_path, cli)
    items = soup(out / "index.html").select("ol.events > li")
    sequence = [
        item.select_one(".period-mark__label").get_text() + " " + item.a.get_text()
        if "period-mark" in item["class"]
        else item["data-slug"]
        for item in items
    ]
    assert sequence == [
        "Period begins: Early", "a",
        "Period begins: Middle", "b", "f", "Period ends: Early",
        "c", "Period ends: Middle",
        "Period begins: Late", "d", "e",  # open-ended: no end mark
    ]  # fmt: skip


def test_periods_are_in_the_exports(site: Path, tmp_path: Path, cli):
    story(site)
    out = build(site, tmp_path, cli)
    data = json.loads((out / "events.json").read_text())
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    assert data["periods"][0]["color"] == "#2f6f9f"
    eras = json.loads((out / "timelinejs.json").read_text())["eras"]
    assert [e["text"]["headline"] for e in eras] == ["Early", "Middle", "Late"]
    # Whole days: TimelineJS reads a missing month or day as the first, which would end
    # "2018-01/2019-12" on 1 December.
    assert eras[0]["start_date"] == {"year": 2018, "month": 1, "day": 1}
    assert eras[0]["end_date"] == {"year": 2019, "month": 12, "day": 31}
    assert eras[2]["end_date"] == {"year": 2023, "month": 6, "day": 3}  # open: the last event


def test_invalid_period_files_are_reported_at_their_line(site: Path, tmp_path: Path, cli):
    write_event(site, "a.md", event_text("A", "2019"))
    write_period(site, "one", "One", "2019")
    write_period(site, "two", "Two", "2019/2020", color="blue")
    (site / "content" / "periods" / "three.md").write_text("---\ndate: 2019/2020\n---\n")
    write_period(site, "four", "Four", "2019/2020", colour='"#fff"')
    out = tmp_path / "out"
    done = cli("build", "--site", site, "--out", out)
    assert done.code == 1
    assert 'content/periods/one.md:3: date: "2019" must be an interval' in done.err
    assert 'content/periods/two.md:4: color: "blue" must be a hex colour' in done.err
    assert "content/periods/three.md:1: title: is required" in done.err
    assert (
        'content/periods/four.md:4: colour: warning: unknown key, ignored; did you mean "color"?'
        in (done.err)
    )
    assert not out.exists()


def test_the_search_panel_has_a_period_facet(site: Path, tmp_path: Path, cli):
    story(site)
    out = build(site, tmp_path, cli)
    options = soup(out / "index.html").select("#search-period option")
    assert [(o["value"], o.get("data-from"), o.get("data-to")) for o in options[1:]] == [
        ("early", "10020180101", "10020191231"),
        ("middle", "10020190101", "10020201231"),
        ("late", "10020210101", "19999991231"),  # open: the far future,
    ]
    starts = {
        li["data-slug"]: li["data-start"] for li in soup(out / "index.html").select("li[data-slug]")
    }
    assert starts["b"] == "10020190301"


def test_an_overview_strip_sits_above_each_list(site: Path, tmp_path: Path, cli):
    story(site)
    out = build(site, tmp_path, cli)
    for page in ("index.html", "tags/x/index.html", "periods/middle/index.html"):
        figure = soup(out / page).select_one("figure.overview-figure")
        assert figure.select_one("svg.overview") is not None, page
        assert "events from" in figure.figcaption.get_text(), page
    marks = soup(out / "periods" / "middle" / "index.html").select(
        "svg.overview a[href*=events] [data-slug]"
    )
    assert {m["data-slug"] for m in marks} == {"b", "c", "f"}


def test_editing_a_period_updates_every_page_it_touches(tmp_path: Path):
    site_root = tmp_path / "site"
    story(site_root)
    site = open_site(site_root)
    served = MemorySink()
    builder = Builder(site, drafts=False)
    Pipeline(builder, InMemory(served)).run()
    write_period(site_root, "middle", "Middle, renamed", "2019-01/2019-12")
    Pipeline(builder, InMemory(served)).run()
    fresh = MemorySink()
    Pipeline(Builder(site, drafts=False), InMemory(fresh)).run()
    assert served.files == fresh.files
    assert b"Middle, renamed" in served.files["events/b/index.html"]
    assert b"Middle, renamed" not in served.files["events/c/index.html"]


def test_the_period_filter_narrows_the_list_and_round_trips_through_the_url(example, web_page):
    url, out = example
    periods = json.loads((out / "events.json").read_text())["periods"]
    chosen = periods[0]
    page = web_page.page
    page.goto(url)
    page.select_option("#search-period", chosen["slug"])
    expected = f"{len(chosen['events'])} of "
    page.wait_for_function(
        "text => document.querySelector('#search-status').textContent.startsWith(text)",
        arg=expected,
    )
    visible = page.eval_on_selector_all(
        "li.event-item:not([hidden])", "items => items.map(item => item.dataset.slug)"
    )
    assert visible == chosen["events"]
    assert f"period={chosen['slug']}" in page.url
    page.goto(page.url)  # the URL alone restores the view
    page.wait_for_function(
        "text => document.querySelector('#search-status').textContent.startsWith(text)",
        arg=expected,
    )
    assert page.input_value("#search-period") == chosen["slug"]


def test_the_strip_follows_the_list_and_leads_to_the_cards(example, web_page):
    url, out = example
    page = web_page.page
    page.goto(url)
    page.wait_for_selector(".overview__marks [data-slug]", state="attached")
    first = json.loads((out / "events.json").read_text())["events"][0]["slug"]
    page.select_option("#search-period", "alignment-with-russia")
    page.wait_for_function(
        "slug => document.querySelector(`.overview__marks [data-slug='${slug}']`)"
        ".classList.contains('overview__mark--dimmed')",
        arg=first,
    )
    dimmed = page.eval_on_selector_all(
        ".overview__marks .overview__mark--dimmed", "marks => marks.map(m => m.dataset.slug)"
    )
    shown = page.eval_on_selector_all(
        "li.event-item:not([hidden])", "items => items.map(item => item.dataset.slug)"
    )
    assert dimmed and not set(dimmed) & set(shown)
    page.select_option("#search-period", "")
    target = shown[-1]
    page.click(f".overview__marks a:has([data-slug='{target}'])", force=True)
    page.wait_for_function("slug => location.hash === '#' + slug", arg=target)
    assert page.url.startswith(url)  # still on the timeline, not the event's page
    focused = page.evaluate("document.activeElement.closest('article')?.id")
    assert focused == target
