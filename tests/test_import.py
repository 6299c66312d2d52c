"""Data in: TimelineJS sheets (CSV) and JSON become event files; awkward rows are reported
with their place and the rest imported; nothing is ever overwritten."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from tests.conftest import FIXTURES, ROOT
from timeline.pipeline import load_timeline
from timeline.project import open_site
from timeline.reader import read_event

SHEET = FIXTURES / "timelinejs" / "sheet.csv"
JSON_FILE = FIXTURES / "timelinejs" / "timeline.json"


def events_of(site: Path) -> dict[str, dict]:
    """Imported files by name: their frontmatter and body."""
    folder = site / "content" / "events"
    return {
        p.name: {**(raw := read_event(p.name, p.read_bytes())).meta, "body": raw.body}
        for p in sorted(folder.glob("*.md"))
    }


def test_sheet_rows_become_events(site: Path, cli) -> None:
    result = cli("import", SHEET, "--site", site)
    assert result.code == 1  # some rows could not be imported
    events = events_of(site)
    war = events["1950-06-25-1953-07-27-the-korean-war.md"]
    assert war["date"] == "1950-06-25/1953-07-27"
    assert war["tags"] == ["War"]
    assert war["image"] == {
        "src": "https://upload.wikimedia.org/wikipedia/commons/a/ab/Korean_War_map.png",
        "alt": "Front lines, 1950–1953", "credit": "Wikimedia Commons",
        "caption": "Front lines, 1950–1953",
    }  # fmt: skip
    assert "[armistice](https://en.wikipedia.org/wiki/Korean_Armistice_Agreement)" in war["body"]
    assert events["1945-liberation-and-a-line-on-a-map.md"]["date"] == "1945"
    assert events["0107-han-commanderies-established.md"]["date"] == "-0107"  # 108 BC
    summit = events["2018-06-12-singapore-summit-historic-brief.md"]
    assert summit["title"] == 'Singapore summit, "historic", brief'
    assert summit["sources"] == [
        {"title": "Video of the handshake", "url": "https://www.youtube.com/watch?v=abcdefghijk",
         "publisher": "Reuters"},
    ]  # fmt: skip
    assert "**four-point**" in summit["body"] and "- denuclearisation" in summit["body"]
    assert summit["extra"] == {"timelinejs": {"background": "#223344"}}
    untitled = events["2019-02-28-the-second-summit-ends-early.md"]
    assert untitled["title"] == "The second summit ends early."
    assert "2018-06-12-singapore-summit-historic-brief-2.md" in events
    assert len(events) == 6
    assert cli("check", "--site", site).code == 0


def test_every_skipped_row_is_reported_with_its_number(site: Path, cli) -> None:
    result = cli("import", SHEET, "--site", site)
    lines = result.err.splitlines()
    assert "sheet.csv:5: start_date: is missing (a year at least is needed); not imported" in lines
    assert any(
        line.startswith('sheet.csv:8: date: "2019-13" is not a valid EDTF date') for line in lines
    )
    assert (
        "sheet.csv:9: type: eras (background periods) have no equivalent here; not imported"
        in lines
    )
    assert "sheet.csv:12: start_date: has a month or day but no year; not imported" in lines
    assert any(line.startswith("sheet.csv:10: media: warning:") for line in lines)
    assert any(
        line.startswith("sheet.csv:11: file: warning: a file of that name exists") for line in lines
    )
    assert "6 events imported, 4 rows skipped" in result.out


def test_the_title_slide_becomes_suggestions_not_settings(site: Path, cli) -> None:
    before = (site / "site.toml").read_text()
    result = cli("import", SHEET, "--site", site)
    assert 'title = "The Korean Peninsula, 1945–2025"' in result.out
    assert 'description = "From liberation to division, war, summits and alliances."' in result.out
    assert (site / "site.toml").read_text() == before


def test_json_files_are_imported_too(site: Path, cli) -> None:
    result = cli("import", JSON_FILE, "--site", site)
    events = events_of(site)
    assert events["2018-06-12-singapore-summit.md"]["image"]["credit"] == "Photo agency"
    hanoi = events["2019-02-27-2019-02-28-hanoi-summit.md"]
    assert hanoi["extra"] == {"timelinejs": {"display_date": "End of February 2019"}}
    assert hanoi["body"].strip() == "Plain text, no HTML & an entity."
    assert events["2022-a-year-of-launches.md"]["date"] == "2022"
    assert events["0043-03-15-ides-of-march.md"]["date"] == "-0043-03-15"
    assert "timeline.json: events[3].start_date: is missing" in result.err
    assert "timeline.json: events[5].event: is not an object; not imported" in result.err
    assert "events[6].start_date: year 'twenty' is not a whole number" in result.err


def test_dry_run_writes_nothing(site: Path, cli) -> None:
    result = cli("import", SHEET, "--site", site, "--dry-run")
    assert "Would create content/events/1950-06-25-1953-07-27-the-korean-war.md" in result.out
    assert list((site / "content" / "events").iterdir()) == []


def test_existing_files_are_never_overwritten(site: Path, cli) -> None:
    cli("import", JSON_FILE, "--site", site)
    path = site / "content" / "events" / "2018-06-12-singapore-summit.md"
    path.write_text(path.read_text() + "\nMy own note.\n")
    cli("import", JSON_FILE, "--site", site)
    assert path.read_text().endswith("My own note.\n")
    assert (site / "content" / "events" / "2018-06-12-singapore-summit-2.md").exists()


def test_not_a_timelinejs_file_is_a_usage_error(site: Path, tmp_path: Path, cli) -> None:
    other = tmp_path / "other.csv"
    other.write_text("name,age\nAda,36\n")
    result = cli("import", other, "--site", site)
    assert result.code == 2 and "not a TimelineJS sheet" in result.err


def test_round_trip_through_timelinejs(tmp_path: Path, cli) -> None:
    out = tmp_path / "out"
    assert cli("build", "--site", ROOT, "--out", out, "--base-url", "https://e.org/").code == 0
    target = tmp_path / "again"
    (target / "content" / "events").mkdir(parents=True)
    result = cli("import", out / "timelinejs.json", "--site", target)
    assert result.code == 0, result.err
    original, _ = load_timeline(open_site(ROOT), drafts=False)
    imported, _ = load_timeline(open_site(target), drafts=False)
    assert [e.title for e in imported] == [e.title for e in original]
    assert [e.date.text for e in imported] == [e.date.text for e in original]
    assert [[t.name for t in e.tags] for e in imported] == [
        [t.name for t in e.tags] for e in original
    ]
    for before, after in zip(original, imported, strict=True):
        text = soup_text(before.body_html)
        assert soup_text(after.body_html) == text, before.slug


def soup_text(fragment: str) -> str:
    return " ".join(BeautifulSoup(fragment, "html.parser").get_text(" ").split())
