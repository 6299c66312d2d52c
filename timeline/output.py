"""Write a build into a temporary folder beside the output and swap it in only on success.

A failed build leaves the previous output exactly as it was, and a reader of the output
folder never sees a half-written site. The output folder is checked first, so a wrong
`--out` can never delete the site's own sources.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError, UsageError

PROTECTED = ("content", "templates", "static")


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


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Yield an empty temporary folder; swap it in as `out` when the block succeeds."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        _swap(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
    shutil.rmtree(retired, ignore_errors=True)


def write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Write generated files (relative posix paths) under `folder`."""
    made: set[Path] = set()
    for rel, data in files.items():
        target = folder / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(data)


def copy_static(folder: Path, static: Mapping[str, Path]) -> None:
    """Copy the layered static files (copies, not links: the output must never alias sources)."""
    for rel, source in static.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def check_collisions(generated: Mapping[str, bytes], static: Mapping[str, Path]) -> None:
    """A static file and a generated page at one path would silently hide one of them."""
    clashes = sorted(set(generated) & set(static))
    if clashes:
        listing = ", ".join(f"static/{path}" for path in clashes)
        raise OutputError(f"static files collide with generated pages: {listing}; rename them")


def write_atomically(target: Path, data: bytes) -> None:
    """Replace one file so that a reader sees the old or the new bytes, never half of them."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data)
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
