"""Data in: TimelineJS sheets (CSV) and JSON become event files. The import is all or nothing:
every problem of every row is reported with its place, and with any error nothing is written;
a write that fails half-way leaves nothing behind; nothing is ever overwritten.

The command runs in a subprocess, as a user runs it, and every site is under tmp_path.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import FIXTURES, ROOT, snapshot
from timeline.pipeline import check_site
from timeline.project import open_site
from timeline.reader import read_event

TIMELINEJS = FIXTURES / "timelinejs"
SHEET = TIMELINEJS / "sheet-clean.csv"  # only rows that import, and rows that warn
SHEET_WITH_ERRORS = TIMELINEJS / "sheet.csv"  # the same rows, and three that cannot import
JSON_FILE = TIMELINEJS / "timeline-clean.json"
JSON_WITH_ERRORS = TIMELINEJS / "timeline.json"
EXAMPLES = "examples: 2019-02-28, 2019-02, 2019, 2019-02~, 2019? or 2019-02-27/2019-02-28"
LONG_TITLE = " ".join(f"word{i}" for i in range(60))


def run(*args: str | Path, driver: str | None = None) -> subprocess.CompletedProcess[str]:
    """`build.py ARGS` in a new process (or `driver`, a script that patches and then runs it)."""
    program = ["-c", driver] if driver else [str(ROOT / "build.py")]
    result = subprocess.run(
        [sys.executable, *program, *(str(a) for a in args)],
        capture_output=True, text=True, timeout=120, cwd=tempfile.gettempdir(),
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # the driver imports this checkout
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result


def events_of(site: Path) -> dict[str, dict]:
    """Imported files by name: their frontmatter and body."""
    folder = site / "content" / "events"
    return {
        p.name: {**(raw := read_event(p.name, p.read_bytes())).meta, "body": raw.body}
        for p in sorted(folder.glob("*.md"))
    }


def created(result: subprocess.CompletedProcess[str], verb: str = "Created") -> list[str]:
    """The files the report says were (or would be) created."""
    return [
        line.split(": ", 1)[0].removeprefix(f"{verb} ")
        for line in result.stdout.splitlines()
        if line.startswith(f"{verb} ")
    ]


def assert_nothing_written(site: Path, before: dict[str, str]) -> None:
    assert snapshot(site) == before


# Success: every file written, and the report lists each -------------------------------------


def test_sheet_rows_become_events(site: Path) -> None:
    result = run("import", SHEET, "--site", site)
    assert result.returncode == 0, result.stderr
    events = events_of(site)
    assert sorted(created(result)) == sorted(f"content/events/{name}" for name in events)
    assert len(events) == 6
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
    assert run("check", "--site", site).returncode == 0


def test_rows_that_only_warn_are_reported_and_do_not_stop_the_import(site: Path) -> None:
    result = run("import", SHEET, "--site", site)
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "sheet-clean.csv:7: type: warning: eras (background periods) have no equivalent "
        "here; skipped",
        'sheet-clean.csv:8: media: warning: \'<blockquote class="twitter-tweet">a tweet'
        "</blockquote>' is not a web address and was left out",
        "sheet-clean.csv:9: file: warning: 2018-06-12-singapore-summit-historic-brief.md is "
        "already taken; written as 2018-06-12-singapore-summit-historic-brief-2.md",
    ]
    assert result.stdout.splitlines()[-1].startswith("6 events imported")


def test_the_title_slide_becomes_suggestions_not_settings(site: Path) -> None:
    before = (site / "site.toml").read_text()
    result = run("import", SHEET, "--site", site)
    assert 'title = "The Korean Peninsula, 1945–2025"' in result.stdout
    assert (
        'description = "From liberation to division, war, summits and alliances."' in result.stdout
    )
    assert (site / "site.toml").read_text() == before


def test_json_files_are_imported_too(site: Path) -> None:
    result = run("import", JSON_FILE, "--site", site)
    assert result.returncode == 0, result.stderr
    events = events_of(site)
    assert sorted(created(result)) == sorted(f"content/events/{name}" for name in events)
    assert events["2018-06-12-singapore-summit.md"]["image"]["credit"] == "Photo agency"
    hanoi = events["2019-02-27-2019-02-28-hanoi-summit.md"]
    assert hanoi["extra"] == {"timelinejs": {"display_date": "End of February 2019"}}
    assert hanoi["body"].strip() == "Plain text, no HTML & an entity."
    assert events["2022-a-year-of-launches.md"]["date"] == "2022"
    assert events["0043-03-15-ides-of-march.md"]["date"] == "-0043-03-15"
    assert result.stderr.splitlines() == [
        "timeline-clean.json:68: eras.0: warning: eras (background periods) have no "
        "equivalent here; skipped"
    ]


def test_a_missing_events_folder_is_created(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    result = run("import", JSON_FILE, "--site", site)
    assert result.returncode == 0, result.stderr
    assert len(events_of(site)) == 4


# Errors: all reported at once, nothing written -----------------------------------------------


def test_a_sheet_with_errors_writes_nothing_and_reports_every_problem(site: Path) -> None:
    (site / "content" / "events" / "mine.md").write_text("---\ntitle: Mine\ndate: 2001\n---\n")
    before = snapshot(site)
    result = run("import", SHEET_WITH_ERRORS, "--site", site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "sheet.csv:5: start_date: is missing (a year at least is needed)",
        f'sheet.csv:8: date: "2019-13" is not a valid EDTF date; {EXAMPLES}',
        "sheet.csv:9: type: warning: eras (background periods) have no equivalent here; skipped",
        'sheet.csv:10: media: warning: \'<blockquote class="twitter-tweet">a tweet'
        "</blockquote>' is not a web address and was left out",
        "sheet.csv:11: file: warning: 2018-06-12-singapore-summit-historic-brief.md is already "
        "taken; written as 2018-06-12-singapore-summit-historic-brief-2.md",
        "sheet.csv:12: start_date: has a month or day but no year",
        "error: 3 problems found; nothing was written",
    ]
    assert "Created" not in result.stdout
    assert_nothing_written(site, before)


def test_a_json_file_with_errors_writes_nothing(site: Path) -> None:
    before = snapshot(site)
    result = run("import", JSON_WITH_ERRORS, "--site", site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "timeline.json:24: events.3.start_date: is missing (a year at least is needed)",
        "timeline.json:31: events.5: must be a mapping (one slide), not text",
        "timeline.json:33: events.6.start_date: year 'twenty' is not a whole number",
        "timeline.json:38: eras.0: warning: eras (background periods) have no equivalent here; "
        "skipped",
        "error: 3 problems found; nothing was written",
    ]
    assert_nothing_written(site, before)


def test_wrongly_typed_json_fields_are_each_reported_with_their_place(site: Path) -> None:
    before = snapshot(site)
    result = run("import", TIMELINEJS / "bad-types.json", "--site", site)
    assert result.returncode == 1
    problems = [
        "2: title.text: must be a mapping with headline and text, not text",
        "5: events.1.text: must be a mapping with headline and text, not text",
        "6: events.2.start_date: must be a mapping with year, month, day, not a list",
        "7: events.3.media: must be a mapping with url, caption and credit, not text",
        f'8: events.4.edtf: "garbage" is not a valid EDTF date; {EXAMPLES}',
        "9: events.5.text.headline: must be text, not a number",
        "10: events.6.start_date: year 'abc' is not a whole number",
        "11: events.7.text.headline: must be text, not a mapping",
        "11: events.7.text.text: must be text, not a list",
        "12: events.8.media.caption: must be text, not a number",
        "12: events.8.media.url: must be text, not a mapping",
        "13: events.9.display_date: must be text, not a number",
        "13: events.9.group: must be text, not a list",
        "14: events.10.end_date: must be a mapping with year, month, day, not text",
        "15: events.11.location: must be text, not a number",
        "15: events.11.sources: must be a list of sources, not text",
        "15: events.11.tags: must be a list of tag names, not a mapping",
        "16: events.12.sources.0: must be a mapping with title, url, publisher and date, not text",
        "16: events.12.tags.1: must be text, not a number",
        "17: events.13.start_date: year must be a whole number, not true/false",
        "18: events.14.start_date: month 2.5 is not a whole number",
        "19: events.15.background: must be text, not a number",
        "20: events.16: must be a mapping (one slide), not null",
        "21: events.17.edtf: must be text, not a number",
        "22: events.18.headline: '!!!' has no letters or digits to name the file after",
        "24: eras: must be a list of slides, not a mapping",
    ]
    assert result.stderr.splitlines() == [
        *(f"bad-types.json:{p}" for p in problems),
        "error: 26 problems found; nothing was written",
    ]
    assert_nothing_written(site, before)


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("[1, 2]", 2, "error: {path}: not a TimelineJS file (expected an object with an events "
         "list, not a list)"),
        ('"events"', 2, "error: {path}: not a TimelineJS file (expected an object with an events "
         "list, not text)"),
        ('{"events": {}}', 1, "odd.json:1: events: must be a list of slides, not a mapping"),
        ('{\n  "title": {},\n  "events": "none"\n}', 1,
         "odd.json:3: events: must be a list of slides, not text"),
        ('{"title": {"text": {"headline": "T"}}}', 1,
         "odd.json:1: events: is missing (TimelineJS lists the slides under events)"),
        ('{"events": [}', 2, "error: {path}:1: not valid JSON: Expecting value"),
        ("[" * 5000 + "]" * 5000, 2,
         "error: {path}: not a TimelineJS file: its JSON is nested too deeply"),
        ('{"events": [{"start_date": {"year": ' + "9" * 5000 + "}}]}", 2,
         "error: {path}: not a TimelineJS file: it holds a number too long"),
    ],
)  # fmt: skip
def test_a_json_file_of_the_wrong_shape_is_reported(
    site: Path, tmp_path: Path, text: str, code: int, message: str
) -> None:
    path = tmp_path / "odd.json"
    path.write_text(text)
    before = snapshot(site)
    result = run("import", path, "--site", site)
    assert result.returncode == code
    assert message.format(path=path) in result.stderr.splitlines()
    assert_nothing_written(site, before)


def test_bad_values_in_a_sheet_are_each_reported(site: Path) -> None:
    before = snapshot(site)
    result = run("import", TIMELINEJS / "bad-values.csv", "--site", site)
    assert result.returncode == 1
    problems = [
        "3: start_date: year 'abc' is not a whole number",
        f'4: date: "2019-13" is not a valid EDTF date; {EXAMPLES}',
        '5: date: "2019-02-30" is not a real day: 2019-02 has 28 days',
        "6: start_date: year 0 does not exist in TimelineJS dates",
        "7: end_date: year 'x' is not a whole number",
        "8: start_date: year '99999999999' is too large",
        "9: start_date: has a month or day but no year",
        "10: headline: '!!!' has no letters or digits to name the file after",
        "11: headline: is missing and there is no text to name the event after",
        "12: start_date: year '2019.5' is not a whole number",
        "13: start_date: has a day but no month",
        '14: date: "2019/2018" ends before it starts',
        # row 15 is empty: skipped without a word
        "16: media: warning: 'javascript:alert(1)' is not a web address and was left out",
        "17: start_date: year '1_000' is not a whole number",
    ]
    assert result.stderr.splitlines() == [
        *(f"bad-values.csv:{p}" for p in problems),
        "error: 13 problems found; nothing was written",
    ]
    assert_nothing_written(site, before)


def test_not_a_timelinejs_sheet_is_a_usage_error(site: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("name,age\nAda,36\n")
    before = snapshot(site)
    result = run("import", other, "--site", site)
    assert result.returncode == 2 and "not a TimelineJS sheet" in result.stderr
    assert_nothing_written(site, before)


# Dry runs, names, long titles -------------------------------------------------------------


def test_dry_run_writes_nothing(site: Path) -> None:
    before = snapshot(site)
    result = run("import", SHEET, "--site", site, "--dry-run")
    assert result.returncode == 0
    assert len(created(result, "Would create")) == 6
    assert "content/events/1950-06-25-1953-07-27-the-korean-war.md" in created(
        result, "Would create"
    )
    assert_nothing_written(site, before)
    with_errors = run("import", SHEET_WITH_ERRORS, "--site", site, "--dry-run")
    assert with_errors.returncode == 1
    assert "sheet.csv:5: start_date: is missing (a year at least is needed)" in (
        with_errors.stderr.splitlines()
    )
    assert_nothing_written(site, before)


def test_existing_files_are_never_overwritten(site: Path) -> None:
    assert run("import", JSON_FILE, "--site", site).returncode == 0
    path = site / "content" / "events" / "2018-06-12-singapore-summit.md"
    path.write_text(path.read_text() + "\nMy own note.\n")
    again = run("import", JSON_FILE, "--site", site)
    assert again.returncode == 0
    assert path.read_text().endswith("My own note.\n")
    assert (site / "content" / "events" / "2018-06-12-singapore-summit-2.md").exists()
    assert len(events_of(site)) == 8
    assert run("check", "--site", site).returncode == 0


def test_long_titles_are_cut_to_a_safe_file_name(site: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "long.csv"
    sheet.write_text(
        "Year,Headline,Text\n"
        f"2020,{LONG_TITLE},First.\n"
        f"2020,{LONG_TITLE} again,The same first 80 characters.\n"
    )
    slides = [
        {"start_date": {"year": 2021}, "text": {"headline": "東京" * 150}},
        {"start_date": {"year": 2021}, "text": {"headline": "x" * 300}},
    ]
    json_file = tmp_path / "long.json"
    json_file.write_text(json.dumps({"events": slides}))
    assert run("import", sheet, "--site", site).returncode == 0
    assert run("import", json_file, "--site", site).returncode == 0
    names = sorted(p.name for p in (site / "content" / "events").iterdir())
    assert names == [
        "2020-word0-word1-word2-word3-word4-word5-word6-word7-word8-word9-word10-word11-2.md",
        "2020-word0-word1-word2-word3-word4-word5-word6-word7-word8-word9-word10-word11.md",
        f"2021-{'x' * 75}.md",
        f"2021-{'東京' * 32}東.md",  # the stem: 200 bytes of UTF-8 at most
    ]
    events = events_of(site)
    assert events[names[1]]["title"] == LONG_TITLE  # the title itself is whole
    assert run("check", "--site", site).returncode == 0


# Writing is all or nothing, even when the disk fails ----------------------------------------

FAIL_ON_NTH_CALL = """
import errno, os, sys
from timeline import importer, scaffold
from timeline.cli import main
calls = []
def failing(real, n):
    def wrapper(*args):
        calls.append(args)
        if len(calls) == n:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)
    return wrapper
{patch}
main(sys.argv[1:])
"""


@pytest.mark.parametrize(
    "patch",
    [
        "os.link = failing(os.link, 3)",  # the third file cannot be given its name
        "os.fsync = failing(os.fsync, 2)",  # the second file cannot be written in full
    ],
)
def test_a_failed_write_removes_every_file_of_the_run(tmp_path: Path, patch: str) -> None:
    site = tmp_path / "site"
    site.mkdir()  # no content/events yet: the import makes it, and removes it again
    before = snapshot(site)
    result = run("import", SHEET, "--site", site, driver=FAIL_ON_NTH_CALL.replace("{patch}", patch))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("error: cannot write content/events/")
    assert result.stderr.splitlines()[-1].endswith(
        ": No space left on device; nothing was imported"
    )
    assert_nothing_written(site, before)


def test_a_file_appearing_during_the_import_is_kept_and_nothing_imported(site: Path) -> None:
    driver = textwrap.dedent("""
        import sys
        from timeline import importer
        from timeline.cli import main
        real = importer.publish_file
        def publish(temporary, path):
            if path.name.startswith("1945-"):
                path.write_text("someone else's")
            real(temporary, path)
        importer.publish_file = publish
        main(sys.argv[1:])
    """)
    result = run("import", SHEET, "--site", site, driver=driver)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "error: content/events/1945-liberation-and-a-line-on-a-map.md appeared while importing; "
        "nothing was imported"
    )
    assert snapshot(site / "content") == {
        "events": "folder",
        "events/1945-liberation-and-a-line-on-a-map.md": hashlib.sha256(
            b"someone else's"
        ).hexdigest(),
    }


# Round trip ---------------------------------------------------------------------------------


def test_round_trip_through_timelinejs(tmp_path: Path) -> None:
    example = tmp_path / "example"
    shutil.copytree(ROOT / "content", example / "content")
    shutil.copy2(ROOT / "site.toml", example / "site.toml")
    out = tmp_path / "out"
    built = run("build", "--site", example, "--out", out, "--base-url", "https://e.org/")
    assert built.returncode == 0, built.stderr
    target = tmp_path / "again"
    (target / "content" / "events").mkdir(parents=True)
    result = run("import", out / "timelinejs.json", "--site", target)
    assert result.returncode == 0, result.stderr
    original, _ = check_site(open_site(example), drafts=False)
    imported, _ = check_site(open_site(target), drafts=False)
    assert [e.title for e in imported] == [e.title for e in original]
    assert [e.date.text for e in imported] == [e.date.text for e in original]
    assert [[t.name for t in e.tags] for e in imported] == [
        [t.name for t in e.tags] for e in original
    ]
    for before, after in zip(original, imported, strict=True):
        text = soup_text(before.body_html)
        assert soup_text(after.body_html) == text, before.slug


def soup_text(fragment: str) -> str:
    """The words of a fragment, spacing aside (a citation's "[1, 2]" comes back as a link
    beside the word, where the original was a superscript)."""
    return "".join(BeautifulSoup(fragment, "html.parser").get_text().split())
