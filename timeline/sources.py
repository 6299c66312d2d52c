"""Find the files a build reads: event Markdown files and the layered static files.

Listings are sorted so that every build sees the same order, and editor leftovers
(dotfiles, `~` backups, swap files, Emacs lock files) are never mistaken for content.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def is_ignored(name: str) -> bool:
    """Dotfiles and editor temporary files that must never be read as content or assets."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))


def walk_files(folder: Path) -> list[tuple[str, Path]]:
    """Every non-ignored file under `folder` as (posix relative path, absolute path), sorted."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if any(is_ignored(part) for part in rel.parts) or not path.is_file():
            continue
        found.append((rel.as_posix(), path))
    return sorted(found)


def event_files(content_dir: Path, site_root: Path) -> list[tuple[str, Path]]:
    """Markdown event files as (path relative to the site root, absolute path), sorted."""
    return [
        (path.relative_to(site_root).as_posix(), path)
        for rel, path in walk_files(content_dir)
        if rel.endswith(".md")
    ]


def static_files(static_dirs: Iterable[Path]) -> dict[str, Path]:
    """Static files by output path; a later folder (the site's own) overrides an earlier one."""
    files: dict[str, Path] = {}
    for folder in static_dirs:
        files.update(walk_files(folder))
    return dict(sorted(files.items()))
