"""Data out: every export read back with a real parser, deterministic, escaping right."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import icalendar
import jsonschema
import pytest

from tests.conftest import ROOT, ExampleBuild, build_ok, event_text, soup, tree_digest, write_event

SCHEMA = ROOT / "static" / "schema" / "events.schema.json"
TRICKY_TITLE = 'Commas, "quotes"; semicolons\\ and 東京 — ünïcödé'


def build(site: Path, *args: str) -> Path:
    build_ok("--site", site, *args)
    return site / "_site"


@pytest.fixture
def example_out(example_build: ExampleBuild) -> Path:
    """The shared example build, for https://example.org/repo/."""
    return example_build.out


@pytest.fixture
def tricky(site: Path) -> Path:
    write_event(
        site, "tricky.md",
        '---\ntitle: \'Commas, "quotes"; semicolons\\ and 東京 — ünïcödé\'\n'
        "date: 2019-02-27/2019-02-28\ntags: [a, 'b, c']\nlocation: 'Hanoi, Vietnam'\n"
        "summary: \"Line one,\\nline two\"\n---\nBody with <b>HTML</b>.\n",
    )  # fmt: skip
    write_event(site, "year.md", event_text("Year only", "2019~", tags="[a]"))
    write_event(site, "bce.md", event_text("Long ago", "-0043-03-15"))
    return site


def test_events_json_validates_against_its_schema(example_out: Path) -> None:
    data = json.loads((example_out / "events.json").read_text())
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema, format_checker=jsonschema.FormatChecker())
    assert len(data["events"]) == len(list((example_out / "events").iterdir()))
    hanoi = next(e for e in data["events"] if e["slug"] == "2019-02-28-hanoi-summit-collapse")
    assert hanoi["date"] == {
        "edtf": "2019-02-27/2019-02-28", "earliest": "2019-02-27", "latest": "2019-02-28",
        "display": "27–28 February 2019", "approximate": False, "uncertain": False,
    }  # fmt: skip
    assert hanoi["url"] == "https://example.org/repo/events/2019-02-28-hanoi-summit-collapse/"
    assert hanoi["body_html"].startswith("<p>")
    assert (example_out / "schema" / "events.schema.json").read_text() == SCHEMA.read_text()


def test_timelinejs_keeps_precision(tricky: Path) -> None:
    data = json.loads((build(tricky) / "timelinejs.json").read_text())
    slides = {s["unique_id"]: s for s in data["events"]}
    assert slides["tricky"]["start_date"] == {"year": 2019, "month": 2, "day": 27}
    assert slides["tricky"]["end_date"] == {"year": 2019, "month": 2, "day": 28}
    # TimelineJS inserts headlines as HTML: the title must arrive as text, escaped.
    assert slides["tricky"]["text"]["headline"] == html.escape(TRICKY_TITLE)
    assert slides["tricky"]["group"] == "a"
    assert slides["year"]["start_date"] == {"year": 2019}
    assert "end_date" not in slides["year"]
    assert slides["bce"]["start_date"] == {"year": -44, "month": 3, "day": 15}  # 44 BCE
    assert data["title"]["text"]["headline"] == "Test timeline"


def test_timelinejs_keeps_ends_it_would_otherwise_drop(site: Path) -> None:
    """TimelineJS compares only the parts a start has: `2024` and `2024-06-01` look equal
    to it and it drops the end; such an interval goes out as whole days."""
    write_event(site, "spread.md", event_text("Spread", "2024/2024-06-01"))
    slide = json.loads((build(site) / "timelinejs.json").read_text())["events"][0]
    assert slide["start_date"] == {"year": 2024, "month": 1, "day": 1}
    assert slide["end_date"] == {"year": 2024, "month": 6, "day": 1}


def test_calendar_round_trips_through_icalendar(tricky: Path) -> None:
    out = build(tricky, "--base-url", "https://e.org/t/")
    calendar = icalendar.Calendar.from_ical((out / "events.ics").read_bytes())
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"tricky@e.org", "year@e.org"}  # 44 BCE has no calendar day
    tricky_event = events["tricky@e.org"]
    assert str(tricky_event["summary"]) == TRICKY_TITLE
    assert tricky_event.decoded("dtstart").isoformat() == "2019-02-27"
    assert tricky_event.decoded("dtend").isoformat() == "2019-03-01"  # exclusive end
    assert str(tricky_event["url"]) == "https://e.org/t/events/tricky/"
    assert "Line one,\nline two" in str(tricky_event["description"])
    assert str(tricky_event["location"]) == "Hanoi, Vietnam"
    assert [str(c) for c in tricky_event["categories"].cats] == ["a", "b, c"]
    year = events["year@e.org"]
    assert (year.decoded("dtstart").isoformat(), year.decoded("dtend").isoformat()) == (
        "2019-01-01", "2020-01-01",
    )  # fmt: skip


def test_csv_has_stable_columns_and_escapes(tricky: Path) -> None:
    text = (build(tricky) / "events.csv").read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0]) == [
        "slug", "title", "date", "date_display", "earliest", "latest", "approximate",
        "uncertain", "location", "tags", "entities", "importance", "status", "summary", "url",
        "sources", "image_src", "image_alt", "image_credit", "image_caption",
    ]  # fmt: skip
    by_slug = {row["slug"]: row for row in rows}
    assert by_slug["tricky"]["title"] == TRICKY_TITLE
    assert by_slug["tricky"]["tags"] == "a; b, c"
    assert by_slug["year"]["approximate"] == "true"
    assert by_slug["bce"]["earliest"] == "-0043-03-15"


def test_exports_are_deterministic(tricky: Path, tmp_path: Path) -> None:
    build(tricky, "--out", str(tmp_path / "one"))
    build(tricky, "--out", str(tmp_path / "two"))
    files = ("events.json", "timelinejs.json", "events.ics", "events.csv")
    one, two = tree_digest(tmp_path / "one"), tree_digest(tmp_path / "two")
    assert all(one[name] == two[name] for name in files)


def test_footer_links_to_every_export(example_out: Path) -> None:
    links = {a["href"] for a in soup(example_out / "index.html").select(".site-footer a")}
    for name in ("events.json", "events.csv", "events.ics", "timelinejs.json", "feed.xml"):
        assert f"/repo/{name}" in links
