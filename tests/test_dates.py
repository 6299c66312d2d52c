"""EDTF parsing, display and ordering, as a reader and an author see them."""

from __future__ import annotations

import datetime as dt

import pytest

from timeline.dates import DateError, parse_date, parse_with_edtf
from timeline.datetext import plain_english

THIN = "\u2009"  # CLDR's English joins intervals of months with thin spaces around the dash


@pytest.mark.parametrize(
    ("text", "display"),
    [
        ("2019-02-28", "28 February 2019"),
        ("2019-02", "February 2019"),
        ("2019", "2019"),
        ("2019-02~", "c. February 2019"),
        ("2019?", "2019?"),
        ("2019-02%", "c. February 2019?"),
        ("2019-02-27/2019-02-28", "27–28 February 2019"),
        ("2019-02-27/2019-03-03", f"27 February{THIN}–{THIN}3 March 2019"),
        ("2018-12/2019-01", f"December 2018{THIN}–{THIN}January 2019"),
        ("2019-02/2019-04", f"February{THIN}–{THIN}April 2019"),
        ("2019/2020", "2019–2020"),
        ("2019-02-27/..", "27 February 2019 onwards"),
        ("../2019", "until 2019"),
        ("2019-02-27/", "27 February 2019 – end unknown"),
        ("201X", "2010s"),
        ("19XX", "1900–1999"),
        ("-004X", "50 BCE–41 BCE"),
        ("2019-02-XX", "February 2019"),
        ("-0043", "44 BCE"),
        ("2019-21", "Spring 2019"),
        ("2019-02-28T10:30:00Z", "28 February 2019, 10:30 UTC"),
    ],
)
def test_dates_display_honestly(text: str, display: str) -> None:
    assert plain_english().display(parse_date(text)) == display


def test_yaml_date_objects_work_like_the_string() -> None:
    assert parse_date(dt.date(2019, 2, 28)) == parse_date("2019-02-28")
    assert parse_date(2019) == parse_date("2019")


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [("2019", ""), ("2019~", "approximate date"), ("2019?", "uncertain date"),
     ("2019%", "approximate and uncertain date"), ("2019-02-27~/2019-03", "approximate date")],
)  # fmt: skip
def test_qualifier_in_words(text: str, qualifier: str) -> None:
    assert plain_english().qualifier(parse_date(text)) == qualifier


def test_bounds_and_iso() -> None:
    date = parse_date("2019-02")
    assert (date.earliest, date.latest) == ((2019, 2, 1), (2019, 2, 28))
    assert (date.iso_earliest, date.iso_latest) == ("2019-02-01", "2019-02-28")
    leap = parse_date("2020-02")
    assert leap.iso_latest == "2020-02-29"
    open_end = parse_date("2019-02-27/..")
    assert open_end.iso_latest is None
    assert parse_date("-0043").iso_earliest == "-0043-01-01"


def test_machine_readable_datetime() -> None:
    assert parse_date("2019-02-28").start.machine == "2019-02-28"
    assert parse_date("2019-02~").start.machine == "2019-02"
    assert parse_date("2019").start.machine == "2019"
    assert parse_date("201X").start.machine is None
    assert parse_date("-0043").start.machine is None


def test_sorting_by_earliest_then_latest() -> None:
    texts = ["2019-03-01", "2019", "2019-02", "2019-02-28", "2018-12/2019-12", "../2018"]
    ordered = sorted(texts, key=lambda t: (parse_date(t).earliest, parse_date(t).latest))
    assert ordered == ["../2018", "2018-12/2019-12", "2019", "2019-02", "2019-02-28", "2019-03-01"]


def test_years_touched_by_an_interval() -> None:
    assert parse_date("2018-11/2020-02").years == (2018, 2019, 2020)
    assert parse_date("2019-02-27/..").years == (2019,)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2019-13-45", "is not a valid EDTF date"),
        ("2019-02-29", "is not a real day: 2019-02 has 28 days"),
        ("2019-02-28/2019-02-27", "ends before it starts"),
        ("", "is empty"),
        ("yesterday", "is not a valid EDTF date"),
        (["2019"], "not a list"),
        ({"year": 2019}, "not a mapping"),
        (True, "not true/false"),
        (1.5, "not a number"),
    ],
)
def test_bad_dates_explain_themselves(value: object, message: str) -> None:
    with pytest.raises(DateError, match=message.replace("?", r"\?")):
        parse_date(value)


SAME_EITHER_WAY = [
    "2019", "2019-02", "2019-02-28", "2019~", "2019-02?", "2019-02-28%", "2020-02-29",
    "2019-02-27/2019-02-28", "2018-12~/2019-01?", "1999/2001", "0800", "2019-02-03/2019-02",
]  # fmt: skip


@pytest.mark.parametrize("text", SAME_EITHER_WAY)
def test_fast_path_agrees_with_the_edtf_grammar(text: str) -> None:
    assert parse_date(text) == parse_with_edtf(text)


@pytest.mark.parametrize("text", ["2019-02-29", "2019-04-31", "2019-02-28/2019-02-27"])
def test_both_paths_reject_the_same_dates(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text)
    with pytest.raises(DateError):
        parse_with_edtf(text)
