"""The overview strip in a real browser: marks where time puts them, a span chosen on it
(dragged, or with the keyboard) narrowing the list through the URL like every facet, and
search results shown on it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.conftest import soup

STATUS = "document.querySelector('#search-status').textContent"


def example_events(out: Path) -> list[dict]:
    return json.loads((out / "events.json").read_text())["events"]


def day(iso: str) -> int:
    return dt.date.fromisoformat(iso).toordinal()


def mark_centre(page, slug: str) -> float:
    box = page.locator(f".overview__marks [data-slug='{slug}']").bounding_box()
    assert box is not None, slug
    return box["x"] + box["width"] / 2


def visible(page) -> list[str]:
    return page.eval_on_selector_all(
        "li.event-item:not([hidden])", "els => els.map(e => e.id || e.dataset.slug)"
    )


def month_text(month: int) -> str:
    """A slider's month number (year * 12 + month - 1) as `from`/`to` write it."""
    return f"{month // 12}-{month % 12 + 1:02d}"


def test_mark_positions_are_proportional_to_time(example, web_page):
    """Three single-day marks: their distances on screen have the ratio of their dates'."""
    url, out = example
    one_day = [e for e in example_events(out) if e["date"]["earliest"] == e["date"]["latest"]]
    first, last = one_day[0], one_day[-1]
    halfway = (day(first["date"]["earliest"]) + day(last["date"]["earliest"])) / 2
    middle = min(one_day, key=lambda e: abs(day(e["date"]["earliest"]) - halfway))
    page = web_page.page
    page.goto(url)
    xs = [mark_centre(page, e["slug"]) for e in (first, middle, last)]
    ds = [day(e["date"]["earliest"]) for e in (first, middle, last)]
    assert xs[0] < xs[1] < xs[2]
    screen = (xs[1] - xs[0]) / (xs[2] - xs[0])
    calendar = (ds[1] - ds[0]) / (ds[2] - ds[0])
    assert abs(screen - calendar) <= 0.02, (screen, calendar)


def test_dragging_across_the_strip_narrows_the_list_and_round_trips(example, web_page):
    url, out = example
    events = [e for e in example_events(out) if e["date"]["earliest"] == e["date"]["latest"]]
    start, end = events[2], events[-4]
    page = web_page.page
    page.goto(url)
    y = page.locator("svg.overview").bounding_box()["y"] + 60
    page.mouse.move(mark_centre(page, start["slug"]), y)
    page.mouse.down()
    page.mouse.move(mark_centre(page, end["slug"]), y, steps=8)
    page.mouse.up()
    wanted_from, wanted_to = start["date"]["earliest"][:7], end["date"]["earliest"][:7]
    page.wait_for_url(f"**/?from={wanted_from}&to={wanted_to}")
    low, high = f"{wanted_from}-01", f"{wanted_to}-31"
    expected = [
        e["slug"]
        for e in example_events(out)
        if e["date"]["latest"] >= low and e["date"]["earliest"] <= high
    ]
    assert sorted(visible(page)) == sorted(expected)
    assert 0 < len(expected) < len(example_events(out))
    assert page.url.startswith(url)  # the drag did not follow the mark's link
    page.goto(page.url)  # the URL alone restores the view, to the month
    page.wait_for_function(f"{STATUS}.startsWith('{len(expected)} of')")
    assert sorted(visible(page)) == sorted(expected)
    assert page.input_value("#search-from") == wanted_from
    handle = page.locator(".overview-select__handle--low")
    assert handle.get_attribute("aria-valuetext").endswith(wanted_from[:4])
    page.go_back()  # back to the whole timeline
    page.wait_for_function(f"{STATUS}.startsWith('{len(example_events(out))} of')")


def test_the_handles_work_from_the_keyboard(example, web_page):
    url, out = example
    page = web_page.page
    page.goto(url)
    low = page.locator(".overview-select__handle--low")
    assert low.get_attribute("role") == "slider" and low.get_attribute("aria-label") == "From"
    first = int(low.get_attribute("aria-valuemin"))
    low.focus()
    page.keyboard.press("PageUp")  # a year
    page.keyboard.press("ArrowRight")  # and a month
    wanted = month_text(first + 13)
    page.wait_for_url(f"**/?from={wanted}")
    assert low.get_attribute("aria-valuenow") == str(first + 13)
    expected = [e["slug"] for e in example_events(out) if e["date"]["latest"] >= f"{wanted}-01"]
    page.wait_for_function(f"{STATUS}.startsWith('{len(expected)} of')")
    assert sorted(visible(page)) == sorted(expected)
    page.keyboard.press("Home")  # the handle back at the start: no bound at all
    page.wait_for_url(url)
    focus = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus != "none"  # the focused handle shows it


def test_search_results_are_highlighted_on_the_strip(example, web_page):
    url, out = example
    page = web_page.page
    page.goto(url + "?q=Putin")
    page.wait_for_function(f"!{STATUS}.startsWith('{len(example_events(out))} of')")
    page.wait_for_selector(".overview__mark--hit", state="attached")
    hits = page.eval_on_selector_all(".overview__mark--hit", "els => els.map(e => e.dataset.slug)")
    dimmed = page.eval_on_selector_all(
        ".overview__mark--dimmed", "els => els.map(e => e.dataset.slug)"
    )
    assert sorted(hits) == sorted(visible(page))
    assert set(dimmed) == {e["slug"] for e in example_events(out)} - set(hits)


def test_the_embed_opens_on_the_strip_and_the_first_events(example, web_page):
    """A 600-pixel iframe: the strip and the first event fit its first screen; search
    folds behind one button; the URL state works as on the timeline page."""
    url, out = example
    page = web_page.page
    page.set_viewport_size({"width": 640, "height": 600})
    page.goto(url + "embed/?tag=russia&from=2023")
    strip = page.locator("svg.overview").bounding_box()
    card = page.locator("li.event-item:not([hidden])").first.bounding_box()
    assert strip["y"] + strip["height"] <= 600 and card["y"] < 600 - 100
    assert not page.locator("#search-panel").is_visible()
    expected = [
        e["slug"]
        for e in example_events(out)
        if "russia" in [t["slug"] for t in e["tags"]] and e["date"]["latest"] >= "2023-01-01"
    ]
    shown = soup(out / "embed" / "index.html").select("li.event-item")
    page.wait_for_function(
        "text => document.querySelector('[data-search-summary]').textContent === text",
        arg=f"{len(expected)} of {len(shown)} events",
    )
    assert sorted(visible(page)) == sorted(expected)
    toggle = page.locator("[data-search-toggle]")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#search-panel").is_visible()
    assert page.evaluate("document.activeElement.id") == "search-q"
