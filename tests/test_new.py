"""`new` from the outside: long titles get a safe file name, nothing is ever overwritten, and
a title it cannot name a file after is a clear usage error; plus the slug rule behind names.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, snapshot
from timeline.model import SLUG_RE, slugify

LONG_TITLE = " ".join(f"word{i}" for i in range(60))
LONG_NAME = "2024-01-14-word0-word1-word2-word3-word4-word5-word6-word7-word8-word9-word10.md"


def new(*args: str | Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "new", *(str(a) for a in args)],
        capture_output=True, text=True, timeout=60, cwd=tempfile.gettempdir(),
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_a_long_title_gets_a_short_file_name_and_the_whole_title(site: Path) -> None:
    result = new(LONG_TITLE, "--date", "2024-01-14", "--site", site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"Created content/events/{LONG_NAME}"]
    assert snapshot(site / "content") == {
        "events": "folder",
        f"events/{LONG_NAME}": hashlib.sha256(
            (site / "content" / "events" / LONG_NAME).read_bytes()
        ).hexdigest(),
    }  # no temporary file left behind
    text = (site / "content" / "events" / LONG_NAME).read_text()
    assert f'title: "{LONG_TITLE}"' in text
    built = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--no-cache"],
        capture_output=True, text=True, timeout=120, cwd=tempfile.gettempdir(),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    # the event's slug, derived from the file name, is the file name itself
    assert (site / "_site" / "events" / LONG_NAME.removesuffix(".md") / "index.html").is_file()


def test_a_long_tag_gets_a_page_with_a_short_name(site: Path) -> None:
    tag = " ".join(f"tagword{i}" for i in range(40))
    assert new("Tagged", "--date", "2024", "--tags", tag, "--site", site).returncode == 0
    built = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--no-cache"],
        capture_output=True, text=True, timeout=120, cwd=tempfile.gettempdir(),
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert [p.name for p in (site / "_site" / "tags").iterdir() if p.is_dir()] == [slugify(tag)]
    assert len(slugify(tag)) <= 80


def test_a_title_whose_file_exists_is_refused_and_the_file_kept(site: Path) -> None:
    assert new(LONG_TITLE, "--date", "2024-01-14", "--site", site).returncode == 0
    path = site / "content" / "events" / LONG_NAME
    path.write_text(path.read_text() + "My notes.\n")
    before = snapshot(site)
    # a different title, but the same first 80 characters of file name
    again = new(LONG_TITLE + " and more", "--date", "2024-01-14", "--site", site)
    assert again.returncode == 2
    assert again.stderr.splitlines() == [
        f"error: {path} already exists; choose another title or edit that file "
        "(a long title is cut to 80 characters in file names)"
    ]
    same = new("Same", "--date", "2024-01-14", "--site", site)
    assert same.returncode == 0
    before = snapshot(site)
    twice = new("Same", "--date", "2024-01-14", "--site", site)
    assert twice.returncode == 2
    assert twice.stderr.splitlines() == [
        f"error: {site / 'content' / 'events' / '2024-01-14-same.md'} already exists; "
        "choose another title or edit that file"
    ]
    assert snapshot(site) == before
    assert path.read_text().endswith("My notes.\n")


@pytest.mark.parametrize("title", ["!!!", "...", "—", "   ", "🎉 🎉", "«»", "_"])
def test_a_title_without_letters_or_digits_is_a_usage_error(site: Path, title: str) -> None:
    before = snapshot(site)
    result = new(title, "--date", "2024-01-14", "--site", site)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: the title {title.strip()!r} has no letters or digits to name the file after"
    ]
    assert result.stdout == ""
    assert snapshot(site) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["a\x01b"], "error: the title 'a\\x01b' contains control characters"),
        (["Fine", "--tags", "ok,bad\x1b"], "error: --tags 'bad\\x1b' contains control characters"),
    ],
)
def test_control_characters_are_refused(site: Path, args: list[str], message: str) -> None:
    before = snapshot(site)
    result = new(*args, "--date", "2024", "--site", site)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [message]
    assert snapshot(site) == before


def test_undecodable_bytes_in_a_title_are_refused(site: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "new", b"caf\xe9", "--date", "2024",
         "--site", str(site)],
        capture_output=True, timeout=60, cwd=tempfile.gettempdir(),
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )  # fmt: skip
    assert result.returncode == 2
    assert b"is not valid UTF-8 text" in result.stderr and b"Traceback" not in result.stderr
    assert list((site / "content" / "events").iterdir()) == []


def test_an_events_folder_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "content" / "events").write_text("not a folder")
    before = snapshot(site)
    result = new("Title", "--date", "2024", "--site", site)
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"error: cannot create the folder {site / 'content' / 'events'}"
    )
    assert snapshot(site) == before


def test_the_new_file_has_ordinary_permissions(site: Path) -> None:
    assert new("Readable", "--date", "2024", "--site", site).returncode == 0
    mode = (site / "content" / "events" / "2024-readable.md").stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask


# The slug rule -----------------------------------------------------------------------------


def test_short_slugs_do_not_change() -> None:
    assert slugify("Hanoi Summit (2019)") == "hanoi-summit-2019"
    assert slugify("Zürich") == "zurich"
    assert slugify("東京") == "東京"
    assert slugify("a" * 80) == "a" * 80
    assert slugify("東" * 66) == "東" * 66  # 198 bytes
    for path in (ROOT / "content" / "events").glob("*.md"):
        assert slugify(path.stem) == path.stem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LONG_TITLE, "word0-word1-word2-word3-word4-word5-word6-word7-word8-word9-word10-word11"
         "-word12"),
        ("alpha " * 20, "-".join(["alpha"] * 13)),  # the cut is moved back to a word's end
        ("a" * 79 + " b c", "a" * 79),  # cut at the hyphen, which is then not kept
        ("a" * 80 + " b", "a" * 80),  # the cut falls at a word's end
        ("a" * 30 + " " + "b" * 100, "a" * 30 + "-" + "b" * 49),  # no hyphen in the second half
        ("x" * 300, "x" * 80),  # one long word is cut inside it
        ("東" * 100, "東" * 66),  # 200 bytes of UTF-8 at most
        ("-" * 50 + "a" * 100 + "!" * 50, "a" * 80),
    ],
)  # fmt: skip
def test_long_slugs_are_cut(text: str, expected: str) -> None:
    slug = slugify(text)
    assert slug == expected
    assert len(slug) <= 80 and len(slug.encode()) <= 200
    assert not slug.endswith("-") and not slug.startswith("-")
    assert slugify(slug) == slug  # a file name's stem is its own slug
    if slug.isascii():
        assert SLUG_RE.match(slug)
