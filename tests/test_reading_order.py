"""Where the reader starts: `order = "newest-first"` turns every list over (years, events,
gaps, period marks, pages), and `start` opens the timeline at a date or at the latest
event, unless the URL says where to look."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import event_text, serve_folder, soup, write_event
from tests.test_periods import write_period

YEARS = range(2000, 2025)


def configure(site: Path, **settings: str) -> None:
    with (site / "site.toml").open("a", encoding="utf-8") as handle:
        for key, value in settings.items():
            handle.write(f'{key} = "{value}"\n')


def story(site: Path) -> None:
    """One event a year, 2000-2024 (slugs y2000...), and a closed period 2010-2014."""
    for year in YEARS:
        write_event(site, f"y{year}.md", event_text(f"Event of {year}", f"{year}-05-01"))
    write_period(site, "middle", "Middle years", "2010/2014")


def build(site: Path, tmp_path: Path, cli) -> Path:
    out = tmp_path / "out"
    done = cli("build", "--site", site, "--out", out)
    assert done.code == 0, done.err
    return out


def listed(page: Path) -> list[str]:
    return [li["data-slug"] for li in soup(page).select("li.event-item")]


def test_newest_first_turns_the_lists_over(site: Path, tmp_path: Path, cli):
    story(site)
    configure(site, order="newest-first")
    out = build(site, tmp_path, cli)
    page = soup(out / "index.html")
    assert listed(out / "index.html") == [f"y{year}" for year in reversed(YEARS)]
    headings = [h.get_text(strip=True) for h in page.select(".year-heading")]
    assert headings == [str(year) for year in reversed(YEARS)]
    assert "12 months earlier" in page.select_one("#y2023").find_parent("li").get_text()
    # The period ends above its latest event and starts below its earliest.
    items = [li.get("data-slug") or li["class"][1] for li in page.select(".events > li")]
    assert items[items.index("y2014") - 1] == "period-mark--end"
    assert items[items.index("y2010") + 1] == "period-mark--start"
    tag_like = out / "periods" / "middle" / "index.html"
    assert listed(tag_like) == [f"y{year}" for year in range(2014, 2009, -1)]


def test_newest_first_pages_start_with_the_latest_years(site: Path, tmp_path: Path, cli):
    story(site)
    configure(site, order="newest-first")
    with (site / "site.toml").open("a") as handle:
        handle.write("timeline_page_size = 10\n")
    out = build(site, tmp_path, cli)
    assert listed(out / "index.html")[0] == "y2024"
    later = soup(out / "index.html").select_one(".page-nav a[rel=next]")
    assert later.get_text().startswith("Earlier:")


def test_oldest_first_is_the_default(site: Path, tmp_path: Path, cli):
    story(site)
    out = build(site, tmp_path, cli)
    assert listed(out / "index.html") == [f"y{year}" for year in YEARS]
    assert (
        "12 months later"
        in soup(out / "index.html").select_one("#y2001").find_parent("li").get_text()
    )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('order = "sideways"', "site.toml:2: order: must be 'oldest-first' or 'newest-first'"),
        ('start = "2019-13"', "site.toml:2: start: must be 'latest' or an EDTF date"),
        ("start = 2019", "site.toml:2: start: must be a string, not int"),
    ],
)
def test_bad_settings_are_reported_at_their_line(site: Path, tmp_path: Path, cli, setting, message):
    write_event(site, "a.md", event_text("A", "2019"))
    with (site / "site.toml").open("a") as handle:
        handle.write(setting + "\n")
    done = cli("build", "--site", site, "--out", tmp_path / "out")
    assert done.code != 0
    assert message in done.err
    assert not (tmp_path / "out").exists()


def scroll_target(page) -> str | None:
    """The card nearest the top of the viewport."""
    return page.evaluate(
        """() => {
          const cards = [...document.querySelectorAll('article.event')];
          const below = cards.filter(c => c.getBoundingClientRect().bottom > 0);
          return below.length ? below[0].id : null;
        }"""
    )


def test_the_timeline_opens_at_the_start_date(site: Path, tmp_path: Path, cli, web_page):
    story(site)
    configure(site, start="2012-02")
    out = build(site, tmp_path, cli)
    assert soup(out / "index.html").select_one("#timeline")["data-start"] == "y2012"
    page = web_page.page
    with serve_folder(out) as url:
        page.goto(url)
        page.wait_for_function("scrollY > 0")
        assert scroll_target(page) == "y2012"
        page.goto(url + "#y2020")  # a link's anchor wins
        page.wait_for_timeout(200)
        assert scroll_target(page) == "y2020"
        page.goto(url + "?q=zzz")  # so does a filter in the URL
        page.wait_for_timeout(200)
        assert page.evaluate("scrollY") == 0


def test_start_latest_on_another_page_leads_there(site: Path, tmp_path: Path, cli, web_page):
    story(site)
    configure(site, start="latest")
    with (site / "site.toml").open("a") as handle:
        handle.write("timeline_page_size = 10\n")
    out = build(site, tmp_path, cli)
    timeline = soup(out / "index.html").select_one("#timeline")
    assert timeline["data-start-page"].endswith("#y2024")
    page = web_page.page
    with serve_folder(out) as url:
        page.goto(url)
        page.wait_for_url("**/years/**#y2024")
        page.wait_for_function(
            "document.getElementById('y2024').getBoundingClientRect().top < innerHeight"
        )
        assert "y2024" in listed_on(page)


def listed_on(page) -> list[str]:
    return page.eval_on_selector_all("li.event-item", "els => els.map(e => e.dataset.slug)")
