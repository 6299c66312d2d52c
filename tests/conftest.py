"""Shared helpers: run the command line in-process and build throwaway sites."""

from __future__ import annotations

import hashlib
import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from timeline.cli import make_parser, run

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `build.py ARGS...` in this process and capture its exit code and output."""

    def invoke(*args: str | Path) -> CliResult:
        capsys.readouterr()
        try:
            code = run(make_parser().parse_args([str(a) for a in args]))
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


def write_event(site: Path, name: str, text: str) -> Path:
    """Write `content/events/<name>` with dedented text."""
    path = site / "content" / "events" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def event_text(title: str, date: str, body: str = "Body.", **fields: str) -> str:
    """A minimal valid event file; extra frontmatter lines come from `fields`."""
    lines = [f"title: {title}", f"date: {date}", *(f"{k}: {v}" for k, v in fields.items())]
    return "---\n" + "\n".join(lines) + f"\n---\n{body}\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An empty site folder with a title."""
    root = tmp_path / "site"
    (root / "content" / "events").mkdir(parents=True)
    (root / "site.toml").write_text('title = "Test timeline"\n', encoding="utf-8")
    return root


def copy_fixture(kind: str, name: str, destination: Path) -> Path:
    """Copy `fixtures/<kind>/<name>` so a test may change it freely."""
    target = destination / name
    shutil.copytree(FIXTURES / kind / name, target)
    return target


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> content hash of every file under `folder`."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
