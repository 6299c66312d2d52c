"""The command line as a user meets it: help, exit codes, `check` and `new`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, event_text, write_event

COMMANDS = ["build", "check", "new"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, cli) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert "--site" in result.out


def test_build_py_is_the_entry_point(tmp_path: Path) -> None:
    site = tmp_path / "s"
    write_event(site, "a.md", event_text("A", "2019"))
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Built 1 event," in done.stdout
    assert (site / "_site" / "events" / "a" / "index.html").is_file()


def test_usage_errors_exit_with_2(cli) -> None:
    assert cli("build", "--no-such-flag").code == 2
    assert cli().code == 2


def test_check_validates_without_writing(site: Path, cli) -> None:
    write_event(site, "a.md", event_text("A", "2019", tilte="typo"))
    result = cli("check", "--site", site)
    assert result.code == 0
    assert 'tilte: warning: unknown key, ignored; did you mean "title"?' in result.err
    assert "OK: 1 event, no errors" in result.out
    assert not (site / "_site").exists()


def test_new_writes_a_valid_event(site: Path, cli) -> None:
    result = cli(
        "new", "Kim visits Moscow: día 1", "--date", "2024-01-14",
        "--tags", "russia, diplomacy", "--site", site,
    )  # fmt: skip
    assert result.code == 0, result.err
    path = site / "content" / "events" / "2024-01-14-kim-visits-moscow-dia-1.md"
    assert result.out.strip() == "Created content/events/2024-01-14-kim-visits-moscow-dia-1.md"
    text = path.read_text()
    assert 'title: "Kim visits Moscow: día 1"' in text
    assert 'tags: ["russia", "diplomacy"]' in text
    assert cli("build", "--site", site).code == 0
    assert (
        site / "_site" / "events" / "2024-01-14-kim-visits-moscow-dia-1" / "index.html"
    ).is_file()


def test_new_refuses_to_overwrite_and_bad_dates(site: Path, cli) -> None:
    assert cli("new", "Same", "--date", "2024-01-14", "--site", site).code == 0
    again = cli("new", "Same", "--date", "2024-01-14", "--site", site)
    assert again.code == 2 and "already exists" in again.err
    bad = cli("new", "Other", "--date", "2024-02-30", "--site", site)
    assert bad.code == 2 and "is not a real day: 2024-02 has 29 days" in bad.err
    assert len(list((site / "content" / "events").iterdir())) == 1


def test_new_accepts_uncertain_dates(site: Path, cli) -> None:
    assert cli("new", "Vague", "--date", "2019-02~", "--site", site).code == 0
    assert (site / "content" / "events" / "2019-02-vague.md").is_file()
