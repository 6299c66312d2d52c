"""The overview strip (`timeline/overview.py`): drawn to scale, honest about uncertainty,
small at any size, safe with hostile titles, and the same bytes for the same input."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from timeline.dates import parse_date
from timeline.datetext import plain_english
from timeline.model import Event
from timeline.overview import (
    LABEL_CHAR_PX,
    Band,
    day_number,
    overview,
    overview_summary,
)

SVG = "{http://www.w3.org/2000/svg}"
THIN = "\u2009"  # CLDR's English joins two months with thin spaces around the dash


def draw(events, bands=(), **options) -> str:
    """The strip of `events` as an English site draws it."""
    return str(overview(events, bands, dates=plain_english(), **options))


def summarise(events, bands=()) -> str:
    return overview_summary(events, bands, plain_english())


def event(slug: str, date: str, *, title: str = "", importance: str = "normal") -> Event:
    return Event(
        path=f"content/events/{slug}.md",
        slug=slug,
        title=title or slug.replace("-", " ").title(),
        date=parse_date(date),
        body_html="",
        summary="",
        importance=importance,
    )


def band(slug: str, date: str, title: str = "", color: str = "#336699") -> Band:
    return Band(slug, title or slug.title(), parse_date(date), color, f"periods/{slug}/")


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def marks(root: ET.Element) -> dict[str, ET.Element]:
    """Every event mark by its slug."""
    return {
        el.get("data-slug"): el
        for el in root.iter()
        if "overview__mark" in (el.get("class") or "").split()
    }


def labels(svg: str) -> list[ET.Element]:
    return [
        text
        for tick in parse(svg).iter(f"{SVG}g")
        if tick.get("class") == "overview__tick"
        for text in tick.iter(f"{SVG}text")
    ]


def days(iso: str) -> int:
    return dt.date.fromisoformat(iso).toordinal()


def test_day_numbers_match_the_calendar_and_extend_before_year_one():
    for day in (dt.date(1, 1, 1), dt.date(1600, 2, 29), dt.date(2019, 12, 31)):
        assert day_number((day.year, day.month, day.day)) == day.toordinal()
    assert day_number((0, 12, 31)) == 0
    assert day_number((0, 1, 1)) == -365  # year 0 (1 BCE) is a leap year


def test_mark_positions_are_proportional_to_time():
    events = [event("a", "2019-01-01"), event("b", "2019-03-15"), event("c", "2021-11-30")]
    found = marks(parse(draw(events)))
    x = {slug: float(found[slug].get("cx")) for slug in "abc"}
    day = {slug: days(found[slug].get("data-from")) for slug in "abc"}
    ratio_x = (x["b"] - x["a"]) / (x["c"] - x["a"])
    ratio_days = (day["b"] - day["a"]) / (day["c"] - day["a"])
    assert ratio_x == pytest.approx(ratio_days, rel=0.01)
    assert x["a"] < x["b"] < x["c"]


def test_intervals_are_bars_as_long_as_they_last():
    events = [
        event("short", "2019-01-01/2019-01-31"),
        event("long", "2019-03-01/2019-08-31"),
        event("point", "2020-06-01"),
    ]
    found = marks(parse(draw(events)))
    short, long = found["short"], found["long"]
    assert short.tag == long.tag == f"{SVG}rect"
    assert found["point"].tag == f"{SVG}circle"
    ratio = float(long.get("width")) / float(short.get("width"))
    assert ratio == pytest.approx(184 / 31, rel=0.02)


def test_major_events_are_larger():
    events = [event("big", "2019-01-01", importance="major"), event("small", "2020-01-01")]
    found = marks(parse(draw(events)))
    assert float(found["big"].get("r")) > float(found["small"].get("r"))
    assert "overview__mark--major" in found["big"].get("class")


def test_approximate_and_uncertain_dates_are_soft_marks():
    events = [event("c", "2019~"), event("q", "2020-05?"), event("sure", "2021-01-01")]
    found = marks(parse(draw(events)))
    for slug in "cq":
        assert "overview__mark--fuzzy" in found[slug].get("class")
        assert found[slug].get("stroke-dasharray")
        assert float(found[slug].get("fill-opacity")) < 1
    assert "overview__mark--fuzzy" not in found["sure"].get("class")
    assert found["sure"].get("stroke-dasharray") is None


def test_open_ends_run_to_the_edge_and_fade():
    events = [
        event("first", "2018-01-01"),
        event("onwards", "2019-06/.."),
        event("until", "../2019-02"),
        event("last", "2021-01-01"),
    ]
    root = parse(draw(events, width=1000))
    found = marks(root)
    onwards, until = found["onwards"], found["until"]
    assert onwards.get("mask") == "url(#overview-fade-end)"
    assert until.get("mask") == "url(#overview-fade-start)"
    assert float(onwards.get("x")) + float(onwards.get("width")) == pytest.approx(994, abs=0.2)
    assert float(until.get("x")) == pytest.approx(6, abs=0.2)
    assert onwards.get("data-to") is None and until.get("data-from") is None
    ids = {el.get("id") for el in root.iter()}
    assert {"overview-fade-end", "overview-fade-start"} <= ids
    assert found["first"].get("mask") is None


@pytest.mark.parametrize(
    ("dates", "pattern"),
    [
        (("2019-02-10", "2019-05-05"), r"^(Mar 2019|Apr|May)$"),
        (("2015-03-01", "2020-02-01"), r"^20(1[5-9]|20)$"),
        (("1720-06-01", "2020-06-01"), r"^\d\d[05]0$"),
    ],
    ids=["3 months: months", "5 years: years", "300 years: 50 years or more"],
)
def test_ticks_suit_the_span(dates: tuple[str, str], pattern: str):
    svg = draw([event(f"e{i}", d) for i, d in enumerate(dates)])
    found = labels(svg)
    texts = [t.text for t in found]
    assert 2 <= len(texts) <= 12, texts
    assert all(re.match(pattern, text) for text in texts), texts
    for left, right in itertools.pairwise(found):  # never overlapping
        room = (len(left.text) + len(right.text)) / 2 * LABEL_CHAR_PX
        assert float(right.get("x")) - float(left.get("x")) >= room


def test_five_years_get_consecutive_years():
    svg = draw([event("a", "2015-03-01"), event("b", "2020-02-01")])
    assert [t.text for t in labels(svg)] == ["2016", "2017", "2018", "2019", "2020"]


def test_bce_dates_are_drawn_without_crashing():
    events = [
        event("ides", "-0043-03-15", title="Ides of March"),
        event("actium", "-0030-09-02"),
        event("later", "0014-08-19"),
        event("deep", "Y-170000002"),
    ]
    root = parse(draw(events[:3]))
    assert "44 BCE" in [t.text for t in root.iter(f"{SVG}text")] or marks(root)
    assert len(marks(root)) == 3
    parse(draw(events))  # a span of 170 million years still draws
    assert "BCE" in summarise(events[:3])


def test_no_events_and_no_bands_give_an_empty_string():
    assert draw([]) == ""
    assert summarise([]) == "No events."


def test_bands_are_drawn_behind_marks_and_link_to_their_period():
    events = [event("a", "2018-06-01"), event("b", "2019-06-01"), event("c", "2023-06-01")]
    bands = [
        band("summits", "2018-03/2019-02", "Summit diplomacy"),
        band("alliance", "2023-01/..", "The alliance with Russia", color="red;x"),
    ]
    svg = draw(events, bands, base_path="/news/")
    root = parse(svg)
    links = [a for a in root.iter(f"{SVG}a") if a.get("class") == "overview__band"]
    assert [a.get("href") for a in links] == ["/news/periods/summits/", "/news/periods/alliance/"]
    assert svg.index("overview__band") < svg.index("overview__mark")  # painted first
    assert 'fill="#336699"' in svg and "red;x" not in svg  # a bad colour is not passed on
    assert links[1].find(f"{SVG}g").get("mask") == "url(#overview-fade-end)"
    shown = "".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Summit diplomacy" in shown or "Summit" in shown


def test_long_band_titles_are_cut_to_fit():
    events = [event("a", "2000-01-01"), event("b", "2020-01-01")]
    svg = draw(events, [band("tiny", "2005-01/2005-03", "A very long period name")])
    text = parse(svg).find(f".//{SVG}text[@class='overview__band-label']")
    assert text is None or text.text.endswith("…")


def test_marks_link_to_their_events():
    svg = draw([event("a", "2019-01-01"), event("b", "2020-01-01")], base_path="/x/")
    hrefs = sorted(a.get("href") for a in parse(svg).iter(f"{SVG}a"))
    assert hrefs == ["/x/events/a/", "/x/events/b/"]


def test_many_events_become_a_small_histogram():
    start = dt.date(2000, 1, 1).toordinal()
    events = [
        event(f"e{i}", dt.date.fromordinal(start + (i * 7919) % 9000).isoformat())
        for i in range(20_000)
    ]
    svg = draw(events)
    assert len(svg.encode()) < 30_000
    root = parse(svg)
    assert not marks(root)
    bins = [el for el in root.iter(f"{SVG}rect") if el.get("class") == "overview__bin"]
    assert 10 <= len(bins) <= 100
    counts = [int(re.search(r": (\d+) events?$", b.find(f"{SVG}title").text)[1]) for b in bins]
    assert sum(counts) == 20_000
    tallest = max(bins, key=lambda b: float(b.get("height")))
    assert counts[bins.index(tallest)] == max(counts)
    assert bins[0].find(f"{SVG}title").text == f"January{THIN}–{THIN}June 2000: {counts[0]} events"


def test_long_titles_are_cut_in_tooltips():
    events = [event(f"e{i}", f"{1600 + i * 20}-01-01", title="Long " * 2000) for i in range(20)]
    root = parse(draw(events))
    assert len(marks(root)) == 20
    assert all(len(t.text) < 200 for t in root.iter(f"{SVG}title"))


def test_many_marks_stay_within_the_budget():
    events = [event(f"e{i}", f"{1600 + i}-01-01", title="Long " * 60) for i in range(400)]
    assert len(draw(events).encode()) < 30_000


@pytest.mark.parametrize("width", [120, 200, 400])
def test_tick_labels_never_overlap_on_narrow_strips(width: int):
    svg = draw([event("a", "2015-03-01"), event("b", "2020-02-01")], width=width)
    found = labels(svg)
    assert found
    for left, right in itertools.pairwise(found):
        room = (len(left.text) + len(right.text)) / 2 * LABEL_CHAR_PX
        assert float(right.get("x")) - float(left.get("x")) >= room


def test_overlapping_marks_become_a_histogram_even_when_few():
    crowded = [event(f"e{i}", "2019-05-01") for i in range(10)] + [event("z", "2025-01-01")]
    root = parse(draw(crowded))
    assert "overview--density" in root.get("class")
    spread = [event(f"e{i}", f"{2000 + i}-01-01") for i in range(10)]
    assert "overview--density" not in parse(draw(spread)).get("class")


def retitled(events: list[Event], index: int) -> list[Event]:
    changed = list(events)
    changed[index] = dataclasses.replace(events[index], title="A new title")
    return changed


def test_a_strip_compares_equal_when_it_would_draw_the_same():
    """A list page is rendered again when its strip compares unequal (its key): a title
    that the strip does not show must not make it so, and one that it shows must."""

    def strip(events: list[Event]):
        return overview(events, dates=plain_english())

    spread = [event(f"e{i}", f"{2000 + i}-01-01") for i in range(10)]
    assert strip(retitled(spread, 3)) != strip(spread)
    crowded = [event(f"e{i}", "2019-05-01") for i in range(10)] + [event("z", "2025-01-01")]
    assert strip(retitled(crowded, 3)) == strip(crowded)
    many = [
        event(f"e{i}", f"{1500 + i // 2}-0{1 + i % 9}-01", importance="major") for i in range(600)
    ]
    assert strip(retitled(many, 1)) == strip(many)  # drawn as a histogram without majors
    few_majors = [dataclasses.replace(e, importance="normal") for e in many]
    few_majors[7] = dataclasses.replace(few_majors[7], importance="major")
    assert strip(retitled(few_majors, 7)) != strip(few_majors)
    for events in (spread, crowded, many, few_majors):
        assert (str(strip(retitled(events, 1))) == str(strip(events))) == (
            strip(retitled(events, 1)) == strip(events)
        )


def test_a_histogram_compares_equal_while_each_bin_keeps_its_count():
    """A long timeline's strip is a histogram: moving an event within its bin leaves it (and
    so every page showing it) as it was; moving it to another bin does not."""

    def strip(events: list[Event]):
        return overview(events, dates=plain_english())

    many = [event(f"e{i}", f"{1500 + i // 2}-0{1 + i % 9}-01") for i in range(600)]
    within = [*many[:10], event("e10", "1505-02-20"), *many[11:]]
    across = [*many[:10], event("e10", "1700-02-01"), *many[11:]]
    assert strip(within) == strip(many)
    assert strip(across) != strip(many)
    for moved in (within, across):
        assert (str(strip(moved)) == str(strip(many))) == (strip(moved) == strip(many))


def test_hostile_titles_are_escaped():
    nasty = "<script>alert(\"x\")</script> & 'quotes'"
    events = [event("a", "2019-01-01", title=nasty), event("b", "2020-01-01")]
    svg = draw(events, [band("p", "2019/2020", nasty)], base_path='/"><script>/')
    assert "<script>" not in svg
    root = parse(svg)
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert any(nasty in t for t in titles)


def test_output_is_deterministic_and_rounded():
    events = [event(f"e{i}", f"{2000 + i % 20}-0{1 + i % 9}-1{i % 10}") for i in range(60)]
    bands = [band("p", "2003/2009")]
    first = draw(events, bands)
    assert first == draw(list(events), list(bands))
    numbers = re.findall(r' (?:x|y|cx|width|height)="(-?[\d.]+)"', first)
    assert numbers and all(len(n.partition(".")[2]) <= 1 for n in numbers)


def test_the_summary_says_span_and_counts():
    events = [event("a", "2017-11-05"), event("b", "2019-02-27"), event("c", "2019-06")]
    events += [event("d", "2025-04-01")]
    text = summarise(events)
    assert text.startswith("4 events from November 2017 to April 2025")
    assert "busiest year 2019 (2 events)" in text
    bands = [band("s", "2018-03/2019-02", "Summits"), band("n", "2019-01/..", "Later")]
    text = summarise(events, bands)
    assert f"Summits (March 2018{THIN}–{THIN}February 2019) 1" in text
    assert "Later (January 2019 onwards) 3" in text
    assert "1 in no period" in text
