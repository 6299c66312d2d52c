"""Write a build into a temporary folder beside the output and swap it in only on success.

A failed build leaves the previous output exactly as it was, and a reader of the output
folder never sees a half-written site. The output folder is checked first, so a wrong
`--out` can never delete the site's own sources.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Protocol

import rcssmin
import rjsmin

from .errors import OutputError, UsageError

PROTECTED = ("content", "templates", "static")
STAMP = ".timeline-output"  # marks a folder this generator wrote, and so may replace
INDEX_DIR = "pagefind"  # the search index's folder (`search.py` makes it)
STAMP_TEXT = b"Written by the timeline generator; every build replaces this whole folder.\n"
DETACH_ABOVE = 1000  # events in a retired output worth deleting in the background


def check_output_dir(out: Path, site_root: Path) -> None:
    """Refuse an output folder whose replacement would destroy the site's own files."""
    out, root = out.resolve(), site_root.resolve()
    if out == root or root.is_relative_to(out):
        raise UsageError(f"output folder {out} contains the site itself; choose another --out")
    for name in PROTECTED:
        if out.is_relative_to(root / name):
            raise UsageError(
                f"output folder {out} is inside the site's {name}/; choose another --out"
            )
    if out.exists() and not out.is_dir():
        raise UsageError(f"output path {out} is a file, not a folder; choose another --out")
    if not is_replaceable(out):
        raise UsageError(
            f"output folder {out} is not empty and was not written by this generator (it has "
            f"no {STAMP} file), so a build will not replace it; choose an empty or new folder "
            "with --out, or empty this one yourself"
        )


def is_replaceable(out: Path) -> bool:
    """A missing or empty folder, or one a previous build wrote (it carries the stamp)."""
    if not out.is_dir():
        return not out.exists()
    return (out / STAMP).is_file() or next(os.scandir(out), None) is None


def prepare_staging(out: Path) -> Path:
    """An empty temporary folder beside `out`, for a build to fill before `swap_in`.
    Leftovers of interrupted builds are removed first."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for leftover in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    return staging


def swap_in(staging: Path, out: Path) -> None:
    """Mark `staging` as this generator's output and make it `out`."""
    (staging / STAMP).write_bytes(STAMP_TEXT)
    _swap(staging, out)


def _swap(staging: Path, out: Path) -> None:
    """Replace `out` by `staging` with two renames; the old tree is removed only afterwards."""
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(retired, ignore_errors=True)
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"output path {out} exists and is not a folder")
        out.rename(retired)
    try:
        staging.rename(out)
    except OSError:
        if retired.exists():
            retired.rename(out)
        raise
    _remove(retired)


def _remove(folder: Path) -> None:
    """Delete the retired output; a large one in a detached process, so that the build
    returns at once (deleting thousands of files takes a noticeable part of a warm build).
    Whatever is left is removed at the start of the next build."""
    events = folder / "events"
    if events.is_dir() and sum(1 for _ in os.scandir(events)) >= DETACH_ABOVE:
        script = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
        subprocess.Popen(
            [sys.executable, "-c", script, str(folder)], start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    else:
        shutil.rmtree(folder, ignore_errors=True)


class Sink(Protocol):
    """Where a build puts each file it makes, as soon as it is made."""

    def write(self, path: str, data: bytes) -> None: ...

    def write_chunks(self, path: str, chunks: Iterable[bytes]) -> None:
        """A large file, streamed where the sink can (exports of very long timelines)."""


class FolderSink:
    """Writes generated files (relative posix paths) under a folder, such as the staging one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._made: set[Path] = set()

    def write(self, path: str, data: bytes) -> None:
        self.write_chunks(path, (data,))

    def write_chunks(self, path: str, chunks: Iterable[bytes]) -> None:
        target = self.folder / path
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        with target.open("wb") as handle:
            handle.writelines(chunks)


class MemorySink:
    """Keeps generated files in memory, to be written only once a whole build succeeded."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def write(self, path: str, data: bytes) -> None:
        self.files[path] = data

    def write_chunks(self, path: str, chunks: Iterable[bytes]) -> None:
        self.write(path, b"".join(chunks))


def link_files(source: Path, target: Path, paths: Iterable[str]) -> list[str]:
    """Hard-link unchanged files of the previous output into the new one (no copy, no
    rewrite); returns the paths that could not be linked, to be made afresh."""
    missing = []
    made: set[str] = set()
    source_root, target_root = str(source), str(target)
    for rel in paths:
        destination = os.path.join(target_root, rel)
        folder = os.path.dirname(destination)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        try:
            os.link(os.path.join(source_root, rel), destination)
        except FileNotFoundError:
            missing.append(rel)
    return missing


def link_tree(source: Path, target: Path) -> None:
    """Hard-link a whole folder (the previous output's search index, the cache's copy of
    an output) into `target`, which must not exist yet. A site's thousands of event
    folders make this the whole cost of bringing an output back (the Pages workflow's
    build of an unchanged site), so it is a walk of `os.scandir` entries, which know
    whether they are folders without another system call."""
    os.makedirs(target)
    _link_folder(str(source), str(target))


def _link_folder(source: str, target: str) -> None:
    with os.scandir(source) as entries:
        for entry in entries:
            made = f"{target}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                os.mkdir(made)
                _link_folder(entry.path, made)
            else:
                os.link(entry.path, made, follow_symlinks=False)


def copy_static(folder: Path, static: Mapping[str, Path]) -> None:
    """Copy the layered static files (copies, not links: the output must never alias sources)."""
    for rel, source in static.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.suffix in MINIFIERS:
            target.write_bytes(static_bytes(source))
        else:
            shutil.copyfile(source, target)


MINIFIERS: dict[str, Callable[[str], str]] = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}


def static_bytes(source: Path) -> bytes:
    """A static file as the site serves it: scripts and style sheets without their comments
    and spaces (a third of the theme's bytes, on every page's first view), the rest as is.
    Files that are not UTF-8 are served unchanged."""
    data = source.read_bytes()
    minify = MINIFIERS.get(source.suffix)
    if minify is None:
        return data
    try:
        return minify(data.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:
        return data


def check_collisions(generated: Iterable[str], static: Mapping[str, Path]) -> None:
    """A static file and a generated page at one path would silently hide one of them."""
    clashes = sorted(set(generated) & set(static))
    if clashes:
        listing = ", ".join(f"static/{path}" for path in clashes)
        raise OutputError(f"static files collide with generated pages: {listing}; rename them")


def write_atomically(target: Path, data: bytes | Iterable[bytes]) -> None:
    """Replace one file so that a reader sees the old or the new bytes, never half of them;
    `data` may come in chunks (the exports of a large timeline, not joined in memory)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with partial.open("wb") as handle:
        handle.writelines((data,) if isinstance(data, bytes) else data)
    os.replace(partial, target)


def remove_files(folder: Path, paths: Iterable[str]) -> None:
    """Delete generated files that no longer exist in the site, and folders left empty."""
    for rel in paths:
        target = folder / rel
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != folder and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
