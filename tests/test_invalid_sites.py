"""Sites that must fail: every problem reported as `path:line: field: message`, nothing written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, copy_fixture, event_text, tree_digest, write_event
from timeline.runs import RUN

CASES = sorted(p.name for p in (FIXTURES / "invalid").iterdir())


def expected_lines(case: str) -> list[str]:
    return (FIXTURES / "invalid" / case / "expected.txt").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("case", CASES)
def test_invalid_site_fails_with_its_messages(case: str, tmp_path: Path, cli) -> None:
    site = copy_fixture("invalid", case, tmp_path)
    out = tmp_path / "out"
    result = cli("build", "--site", site, "--out", out)
    assert result.code == 1
    problem_lines = result.err.splitlines()[:-1]
    assert problem_lines == expected_lines(case)
    assert result.err.splitlines()[-1].endswith("nothing was written")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == [case]  # no staging folder left behind


def test_every_problem_of_every_file_in_one_run(tmp_path: Path, cli) -> None:
    combined = tmp_path / "combined"
    (combined / "content" / "events").mkdir(parents=True)
    expected: list[str] = []
    for case in CASES:
        if case == "duplicate-slugs":
            continue  # its slug would also clash with other cases' file names
        source = FIXTURES / "invalid" / case
        for path in (source / "content" / "events").iterdir():
            shutil.copy(path, combined / "content" / "events" / f"{case}-{path.name}")
        if (source / "static").exists():
            shutil.copytree(source / "static", combined / "static", dirs_exist_ok=True)
        expected += [
            line.replace("content/events/", f"content/events/{case}-")
            for line in expected_lines(case)
        ]
    result = cli("check", "--site", combined)
    assert result.code == 1
    assert sorted(result.err.splitlines()[:-1]) == sorted(expected)
    assert len(expected) > 15


def test_file_that_is_not_utf8(site: Path, cli) -> None:
    path = site / "content" / "events" / "latin1.md"
    path.write_bytes("---\ntitle: Café\ndate: 2019\n---\n".encode("latin-1"))
    result = cli("build", "--site", site)
    assert result.code == 1
    assert "content/events/latin1.md:2: file: is not valid UTF-8 (byte 0xe9)" in result.err


def test_failed_build_keeps_the_previous_output(site: Path, cli) -> None:
    write_event(site, "good.md", event_text("Good", "2019-01-01"))
    assert cli("build", "--site", site).code == 0
    before = tree_digest(site / "_site")
    write_event(site, "bad.md", event_text("", "2019-13-01"))
    write_event(site, "good.md", event_text("Good, edited", "2019-01-01"))
    result = cli("build", "--site", site)
    assert result.code == 1
    assert tree_digest(site / "_site") == before
    assert sorted(p.name for p in site.iterdir()) == [".cache", "_site", "content", "site.toml"]


def test_template_error_names_template_and_line(site: Path, cli) -> None:
    write_event(site, "good.md", event_text("Good", "2019-01-01"))
    (site / "templates").mkdir()
    (site / "templates" / "tags.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n'
        "{{ no_such_variable.attribute }}\n{% endblock %}\n"
    )
    result = cli("build", "--site", site)
    assert result.code == 1
    assert result.err.startswith("templates/tags.html:3: template: UndefinedError:")
    assert not (site / "_site").exists()


def test_template_syntax_error(site: Path, cli) -> None:
    write_event(site, "good.md", event_text("Good", "2019-01-01"))
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text("line one\n{% if %}\n")
    result = cli("build", "--site", site)
    assert result.code == 1
    assert result.err.startswith("templates/404.html:2: template:")


def test_problems_read_each_file_from_the_top(site: Path, cli) -> None:
    """Checks find a file's problems key by key (an unknown key before missing sources);
    the report lists them by file, then line, over more files than validation takes at
    once. (Warnings only: a report of errors is sorted again as it fails.)"""
    count = RUN + 20
    for number in range(count):
        text = "---\ntitle: Event\ndate: 2019\ncolour: red\n---\nBody.\n"
        write_event(site, f"e{number:03d}.md", text)
    result = cli("check", "--site", site)
    assert result.code == 0
    places = [line.split(": ", 1)[0] for line in result.err.splitlines()]
    expected = [f"content/events/e{n:03d}.md:{line}" for n in range(count) for line in (1, 4)]
    assert places == expected


def test_a_huge_event_file_is_an_error_not_a_hang(site: Path, cli) -> None:
    """A little over the limit (600 KB of `*a* b`, half a minute of Python-Markdown), so
    that without the limit the test fails rather than hangs (11 MB ran for over four
    minutes)."""
    write_event(site, "good.md", event_text("Good", "2019-01-01", "Plain prose. " * 30_000))
    assert cli("build", "--site", site).code == 0
    before = tree_digest(site / "_site")
    write_event(site, "huge.md", event_text("Huge", "2019-01-02", "*a* b " * 100_000))
    result = cli("build", "--site", site)
    assert result.code == 1
    assert (
        "content/events/huge.md:1: file: is larger than 512 KB, the most an event file may"
        " hold (Markdown could take minutes on it); split it into several events, or cite"
        " the full document as a source"
    ) in result.err.splitlines()
    assert tree_digest(site / "_site") == before
