"""Search and filters in real Chromium, on the example site served under /repo/ over HTTP."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import build_ok, event_text, serve_folder, soup, write_event

STATUS = "#search-status"


def indexed_text(page: Path) -> str:
    """What Pagefind indexes on an event page: the marked body minus ignored parts."""
    body = soup(page).select_one("[data-pagefind-body]")
    for ignored in body.select("[data-pagefind-ignore]"):
        ignored.decompose()
    return body.get_text(" ")


def events_containing(out: Path, word: str) -> set[str]:
    pattern = re.compile(rf"\b{re.escape(word)}", re.IGNORECASE)
    return {
        page.parent.name
        for page in (out / "events").glob("*/index.html")
        if pattern.search(indexed_text(page))
    }


def visible_slugs(page) -> set[str]:
    return set(
        page.eval_on_selector_all(
            "li.event-item:not([hidden])", "els => els.map(e => e.dataset.slug)"
        )
    )


def wait_for_count(page, visible: int, total: int) -> None:
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel).textContent === text",
        arg=[STATUS, f"{visible} of {total} events"],
        timeout=10_000,
    )


def all_events(out: Path) -> list[BeautifulSoup]:
    return soup(out / "index.html").select("li.event-item")


@pytest.mark.parametrize("word", ["hypersonic", "summit", "Putin"])
def test_typing_a_word_narrows_to_exactly_the_events_containing_it(example, web_page, word) -> None:
    url, out = example
    expected = events_containing(out, word)
    assert 0 < len(expected) < 20
    page = web_page.page
    page.goto(url)
    page.fill("#search-q", word)
    wait_for_count(page, len(expected), len(all_events(out)))
    assert visible_slugs(page) == expected
    assert page.url == f"{url}?q={word}"
    page.wait_for_selector("li.event-item:not([hidden]) .search-excerpt mark")
    marks = page.eval_on_selector_all(
        "li.event-item:not([hidden]) .search-excerpt mark", "els => els.map(e => e.textContent)"
    )
    assert marks and all(word.lower() in m.lower() for m in marks)


def test_clearing_the_search_restores_everything(example, web_page) -> None:
    url, out = example
    total = len(all_events(out))
    page = web_page.page
    page.goto(url + "?q=hypersonic")
    wait_for_count(page, 2, total)
    page.fill("#search-q", "")
    wait_for_count(page, total, total)
    assert page.locator("li.event-item[hidden]").count() == 0
    assert page.locator("[data-year-group][hidden]").count() == 0
    assert page.locator(".search-excerpt").count() == 0
    assert page.url == url


def test_tag_and_year_facets_combine(example, web_page) -> None:
    url, out = example
    items = all_events(out)
    expected = {
        li["data-slug"]
        for li in items
        if "russia" in li["data-tags"].split()
        and li["data-start"] <= "10020241231"
        and li["data-end"] >= "10020230101"
    }
    page = web_page.page
    page.goto(url)
    page.select_option("#search-tag", "russia")
    page.select_option("#search-from", "2023")
    page.select_option("#search-to", "2024")
    wait_for_count(page, len(expected), len(items))
    assert visible_slugs(page) == expected
    assert page.url == f"{url}?tag=russia&from=2023&to=2024"
    hidden_years = page.eval_on_selector_all(
        "section.year[hidden] h2", "els => els.map(e => e.textContent)"
    )
    assert "2018" in hidden_years and "2023" not in hidden_years


def test_query_and_facets_together(example, web_page) -> None:
    url, out = example
    with_word = events_containing(out, "treaty")
    russia = {li["data-slug"] for li in all_events(out) if "russia" in li["data-tags"].split()}
    expected = with_word & russia
    page = web_page.page
    page.goto(f"{url}?q=treaty&tag=russia")
    wait_for_count(page, len(expected), len(all_events(out)))
    assert visible_slugs(page) == expected
    assert page.input_value("#search-q") == "treaty"
    assert page.input_value("#search-tag") == "russia"


def test_url_state_round_trips_and_back_forward_work(example, web_page) -> None:
    url, out = example
    total = len(all_events(out))
    page = web_page.page
    page.goto(f"{url}?tag=russia&from=2024&to=2024")
    assert page.input_value("#search-tag") == "russia"
    assert page.input_value("#search-from") == "2024"
    first = visible_slugs(page)
    page.wait_for_function(
        "document.querySelector('#search-status').textContent.endsWith('events')"
    )
    page.select_option("#search-tag", "china")
    page.wait_for_url(f"{url}?tag=china&from=2024&to=2024")
    second = visible_slugs(page)
    assert second != first
    page.go_back()
    page.wait_for_url(f"{url}?tag=russia&from=2024&to=2024")
    wait_for_count(page, len(first), total)
    assert page.input_value("#search-tag") == "russia"
    assert visible_slugs(page) == first
    page.go_forward()
    page.wait_for_url(f"{url}?tag=china&from=2024&to=2024")
    wait_for_count(page, len(second), total)
    assert visible_slugs(page) == second


def test_slash_focuses_and_escape_clears(example, web_page) -> None:
    url, out = example
    total = len(all_events(out))
    page = web_page.page
    page.goto(url)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.type("summit")
    wait_for_count(page, len(events_containing(out, "summit")), total)
    page.keyboard.press("Escape")
    wait_for_count(page, total, total)
    assert page.input_value("#search-q") == ""


def test_controls_are_reachable_by_keyboard(example, web_page) -> None:
    url, _ = example
    page = web_page.page
    page.goto(url)
    page.focus("#search-q")
    reached = []
    for _ in range(7):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("document.activeElement.id || document.activeElement.className")
        )
    assert reached == [
        "search-tag", "search-entity", "search-status-filter", "search-period", "search-from",
        "search-to", "search-clear",
    ]  # fmt: skip
    page.focus("#search-tag")
    page.keyboard.press("ArrowDown")  # a closed select changes value with the arrow keys
    assert page.input_value("#search-tag") != ""


def test_count_is_announced_politely(example, web_page) -> None:
    url, _ = example
    page = web_page.page
    page.goto(url)
    status = page.locator(STATUS)
    assert status.get_attribute("aria-live") == "polite"
    assert page.locator("label[for=search-q]").is_visible()
    assert page.get_attribute("#search-q", "type") == "search"


def test_without_javascript_everything_shows_and_search_is_hidden(example, chromium) -> None:
    url, out = example
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}?q=hypersonic")
    assert not page.locator("form[role=search]").is_visible()
    assert page.locator("li.event-item:visible").count() == len(all_events(out))
    context.close()


def test_search_within_a_tag_page(example, web_page) -> None:
    url, out = example
    tag_items = soup(out / "tags" / "russia" / "index.html").select("li.event-item")
    expected = events_containing(out, "Putin") & {li["data-slug"] for li in tag_items}
    page = web_page.page
    page.goto(url + "tags/russia/")
    assert page.locator("#search-tag").count() == 0
    page.fill("#search-q", "Putin")
    wait_for_count(page, len(expected), len(tag_items))
    assert visible_slugs(page) == expected


def test_index_holds_only_event_pages(example) -> None:
    _, out = example
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == len(all_events(out))


def test_excluded_fields_are_not_searchable(tmp_path: Path, web_page) -> None:
    site = tmp_path / "site"
    (site).mkdir()
    (site / "site.toml").write_text('search_exclude = ["sources"]\n')
    write_event(
        site, "a.md",
        event_text("Alpha", "2019", body="Visible zebra.", sources="[{title: Quokka report}]"),
    )  # fmt: skip
    write_event(site, "b.md", event_text("Beta", "2020", body="Another quokka sighting."))
    root = tmp_path / "srv"
    build_ok(
        "--site", str(site), "--out", str(root / "repo"), "--base-url", "https://x.example/repo/"
    )
    with serve_folder(root) as url:
        page = web_page.page
        page.goto(url + "repo/")
        page.fill("#search-q", "quokka")
        wait_for_count(page, 1, 2)
        assert visible_slugs(page) == {"b"}
        page.fill("#search-q", "zebra")
        page.wait_for_url(url + "repo/?q=zebra")
        wait_for_count(page, 1, 2)
        assert visible_slugs(page) == {"a"}
    shutil.rmtree(root)
