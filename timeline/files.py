"""The files a build reads: event Markdown files, the configuration and the layered static
files.

Listings are sorted so that every build sees the same order, and editor leftovers
(dotfiles, `~` backups, swap files, Emacs lock files) are never mistaken for content.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from .errors import Problem

CONFIG_NAME = "site.toml"  # the site's configuration, at the root of the site folder


def is_ignored(name: str) -> bool:
    """Dotfiles and editor temporary files that must never be read as content or assets."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))


OUTSIDE = "symbolic link to a place outside the site folder, not followed"
Signature = tuple[int, int]  # (modification time in ns, size): what tells a file changed


def signature(path: Path | str) -> Signature:
    """A file's signature; a file written again changes it, even with the same bytes."""
    stat = os.stat(path)
    return (stat.st_mtime_ns, stat.st_size)


class FileInfo(NamedTuple):
    """A file found under a folder, with what tells a later scan whether it changed."""

    path: str
    mtime_ns: int
    size: int

    @property
    def signature(self) -> Signature:
        return (self.mtime_ns, self.size)


def scan(
    folder: Path, *, within: Path | None = None, refused: list[Refused] | None = None
) -> dict[str, FileInfo]:
    """Every non-ignored file under `folder` by posix relative path, sorted by that path.

    One `os.scandir` pass, whose entries carry their `stat`: a rebuild rescans thousands of
    event files, and this is what keeps that to milliseconds. A symbolic link is followed
    only when it leads to a file or folder inside `within` (the site or theme folder that
    owns `folder`), so that a link cannot publish a file from elsewhere on the machine; a
    folder is never entered twice, so link loops end. What is not followed goes to `refused`.
    """
    found: dict[str, FileInfo] = {}
    walk = _Walk(found, refused if refused is not None else [], within, set())
    walk.folder(str(folder), "")
    return dict(sorted(found.items()))


class Refused(NamedTuple):
    """A file or folder a scan did not read, and why."""

    path: str
    reason: str


class _Walk(NamedTuple):
    found: dict[str, FileInfo]
    refused: list[Refused]
    within: Path | None
    entered: set[str]

    def folder(self, path: str, prefix: str) -> None:
        real = os.path.realpath(path)
        if real in self.entered:
            self.refused.append(Refused(path, "symbolic link loop, not followed"))
            return
        self.entered.add(real)
        try:
            entries = list(os.scandir(path))
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as exc:
            self.refused.append(Refused(path, f"cannot be read ({exc.strerror})"))
            return
        for entry in entries:
            if not is_ignored(entry.name):
                self.entry(entry, prefix + entry.name)

    def entry(self, entry: os.DirEntry[str], rel: str) -> None:
        try:
            if entry.is_symlink() and not self._leads_inside(entry.path):
                self.refused.append(Refused(entry.path, OUTSIDE))
            elif entry.is_dir():
                self.folder(entry.path, rel + "/")
            elif entry.is_file():
                stat = entry.stat()
                self.found[rel] = FileInfo(entry.path, stat.st_mtime_ns, stat.st_size)
        except OSError as exc:
            self.refused.append(Refused(entry.path, f"cannot be read ({exc.strerror})"))

    def _leads_inside(self, path: str) -> bool:
        return self.within is None or is_inside(Path(path), self.within)


def refused_problems(refused: Iterable[Refused], display: Callable[[str], str]) -> list[Problem]:
    """One warning per file or folder a scan left out, named as `display` shows paths."""
    return [Problem(display(item.path), None, "", item.reason, warning=True) for item in refused]


def is_inside(path: Path, root: Path) -> bool:
    """Whether `path`, with every symbolic link resolved, lies inside `root`."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


def walk_files(
    folder: Path, *, within: Path | None = None, refused: list[Refused] | None = None
) -> list[tuple[str, Path]]:
    """Every non-ignored file under `folder` as (posix relative path, absolute path), sorted."""
    listing = scan(folder, within=within, refused=refused)
    return [(rel, Path(info.path)) for rel, info in listing.items()]


def event_files(
    content_dir: Path, site_root: Path, refused: list[Refused] | None = None
) -> dict[str, FileInfo]:
    """Markdown event files by path relative to the site root, sorted."""
    prefix = content_dir.relative_to(site_root).as_posix() + "/"
    listing = scan(content_dir, within=site_root, refused=refused)
    return {prefix + rel: info for rel, info in listing.items() if rel.endswith(".md")}


def static_files(
    static_dirs: Iterable[tuple[Path, Path]], refused: list[Refused] | None = None
) -> dict[str, Path]:
    """Static files by output path, from (folder, the site or theme folder owning it) pairs;
    a later folder (the site's own) overrides an earlier one."""
    files: dict[str, Path] = {}
    for folder, owner in static_dirs:
        files.update(walk_files(folder, within=owner, refused=refused))
    return dict(sorted(files.items()))
