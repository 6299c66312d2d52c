"""Find the files a build reads: event Markdown files and the layered static files.

Listings are sorted so that every build sees the same order, and editor leftovers
(dotfiles, `~` backups, swap files, Emacs lock files) are never mistaken for content.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple


def is_ignored(name: str) -> bool:
    """Dotfiles and editor temporary files that must never be read as content or assets."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))


class FileInfo(NamedTuple):
    """A file found under a folder, with what tells a later scan whether it changed."""

    path: str
    mtime_ns: int
    size: int

    @property
    def signature(self) -> tuple[int, int]:
        return (self.mtime_ns, self.size)


def scan(folder: Path) -> dict[str, FileInfo]:
    """Every non-ignored file under `folder` by posix relative path, sorted by that path.

    One `os.scandir` pass, whose entries carry their `stat`: a rebuild rescans thousands of
    event files, and this is what keeps that to milliseconds.
    """
    found: dict[str, FileInfo] = {}
    _scan_into(str(folder), "", found)
    return dict(sorted(found.items()))


def _scan_into(folder: str, prefix: str, found: dict[str, FileInfo]) -> None:
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if is_ignored(entry.name):
            continue
        rel = prefix + entry.name
        if entry.is_dir():
            _scan_into(entry.path, rel + "/", found)
        elif entry.is_file():
            stat = entry.stat()
            found[rel] = FileInfo(entry.path, stat.st_mtime_ns, stat.st_size)


def walk_files(folder: Path) -> list[tuple[str, Path]]:
    """Every non-ignored file under `folder` as (posix relative path, absolute path), sorted."""
    return [(rel, Path(info.path)) for rel, info in scan(folder).items()]


def event_files(content_dir: Path, site_root: Path) -> dict[str, FileInfo]:
    """Markdown event files by path relative to the site root, sorted."""
    prefix = content_dir.relative_to(site_root).as_posix() + "/"
    return {prefix + rel: info for rel, info in scan(content_dir).items() if rel.endswith(".md")}


def static_files(static_dirs: Iterable[Path]) -> dict[str, Path]:
    """Static files by output path; a later folder (the site's own) overrides an earlier one."""
    files: dict[str, Path] = {}
    for folder in static_dirs:
        files.update(walk_files(folder))
    return dict(sorted(files.items()))
