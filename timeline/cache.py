"""The build cache in `<site>/.cache/`: what the last build compiled and wrote, so that the
next build recompiles only changed event files, renders only changed pages, and links the
rest (and an unchanged search index) from the previous output. The stamp of everything the
last build read (`stamp.py`) lets a build with nothing changed stop at once.

The cache also keeps the last output itself, in `.cache/output/`, as hard links to the
output's files (no copy, no extra space): a fresh checkout with only `.cache/` restored, as
a CI service caches it, gets its output back in a moment instead of rendering it again.

It can never serve stale output: compiled events are keyed by file content, pages by a hash
of everything they are rendered from (templates, configuration and this program's version
included), the whole build by the bytes of every file a build reads, and the whole cache is
dropped when its format or the program's version differ, or when it cannot be read. The
files are pickles written by this program into the site's own (gitignored) folder;
`--no-cache` neither reads nor writes them (it drops the record of the output it replaces).
"""

from __future__ import annotations

import errno
import os
import pickle
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import BuildFailed, Problem, as_errors
from .output import INDEX_DIR, link_tree
from .project import SiteFolders
from .stamp import Stamp, read_stamp

if TYPE_CHECKING:
    from .builder import CompiledFile, Snapshot

CACHE_DIR = ".cache"
FORMAT = 7  # bumped whenever a cached class changes shape
COMPILED = "compiled.pickle"
OUTPUT = "output.pickle"
KEPT_OUTPUT = "output"  # the last output, hard-linked


@dataclass
class OutputRecord:
    """What the last build left in `out`: every output's key, its search index's key, the
    other files it wrote (static files and the like), and what it read and reported."""

    out: str
    drafts: bool
    keys: dict[str, str] = field(default_factory=dict)
    search_key: str = ""
    files: list[str] = field(default_factory=list)
    inputs: Stamp | None = None
    events: int = 0
    warnings: list[Problem] = field(default_factory=list)

    def complete_in(self, out: Path) -> bool:
        """Whether every file this record lists, and the search index, are in `out`."""
        root = str(out)
        if not os.path.isdir(os.path.join(root, INDEX_DIR)):
            return False
        return all(os.path.isfile(os.path.join(root, rel)) for rel in (*self.keys, *self.files))

    def summary(self, *, strict: bool, timings: dict[str, float] | None = None) -> BuildSummary:
        """What a build with nothing to do reports: the last build's figures and warnings
        (with `strict`, its warnings fail it, as they would have failed that build)."""
        if strict and self.warnings:
            raise BuildFailed(as_errors(self.warnings))
        return BuildSummary(self.events, set(), set(self.keys), self.warnings, timings or {})


@dataclass
class BuildSummary:
    """What `build` reports: events, files written and linked, warnings, time per stage."""

    events: int
    written: set[str]
    linked: set[str]
    warnings: list[Problem]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return len(self.written) + len(self.linked)


@dataclass
class CompiledRecord:
    """Compiled event files by path, valid for the settings of one `keys.compile_key`."""

    settings: str
    entries: dict[str, CompiledFile] = field(default_factory=dict)
    assets: frozenset[str] | None = None  # the static files they were compiled with


class BuildCache:
    """Reads and writes the cache files of one site. It hands out values (a `Snapshot` for
    a builder, the record of the last output) and takes values to save; it never reaches
    into a builder."""

    def __init__(self, site_root: Path) -> None:
        self.folder = site_root / CACHE_DIR

    def _read(self, name: str) -> object | None:
        try:
            with (self.folder / name).open("rb") as handle:
                stamp, value = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, AttributeError, ImportError):
            return None
        return value if stamp == (FORMAT, __version__) else None

    def _write(self, name: str, value: object) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / ".gitignore").write_text("*\n")
        # Named by the process: a build and a preview may write at the same time.
        partial = self.folder / f".{name}.{os.getpid()}.partial"
        with partial.open("wb") as handle:
            pickle.dump(((FORMAT, __version__), value), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, self.folder / name)

    def load(
        self, out: Path, *, drafts: bool, settings: str
    ) -> tuple[Snapshot, OutputRecord | None]:
        """What the last build knew, for a builder, and the record of the output it left in
        `out` (None when it left none there, or with other options). Page keys are kept only
        for outputs still in place."""
        from .builder import Snapshot  # with every stage of a build: not for `up_to_date`

        compiled = self.compiled(settings)
        record = self._read(OUTPUT)
        if not isinstance(record, OutputRecord) or (record.out, record.drafts) != (
            str(out),
            drafts,
        ):
            return compiled, None
        root = str(out)
        keys = {
            path: key
            for path, key in record.keys.items()
            if os.path.exists(os.path.join(root, path))
        }
        return Snapshot(compiled.compiled, keys, compiled.assets), record

    def compiled(self, settings: str) -> Snapshot:
        """The compiled event files the last build or preview saved (and the static files
        they were compiled with), if they were compiled with these `settings`
        (`keys.compile_key`)."""
        from .builder import Snapshot

        compiled = self._read(COMPILED)
        if isinstance(compiled, CompiledRecord) and compiled.settings == settings:
            return Snapshot(compiled.entries, assets=compiled.assets)
        return Snapshot()

    def save_compiled(self, snapshot: Snapshot, settings: str) -> None:
        """Keep a snapshot's compiled event files alone: the preview's, whose output is not
        a build's."""
        self._write(COMPILED, CompiledRecord(settings, snapshot.compiled, snapshot.assets))

    def up_to_date(
        self, folders: SiteFolders, out: Path, *, drafts: bool, base_url: str | None
    ) -> tuple[Stamp, OutputRecord | None]:
        """The stamp of the site's inputs now, and the last build's record if that build read
        the same bytes with the same options and its output is all in `out` (put back from
        the kept copy when `out` is gone)."""
        record = self._read(OUTPUT)
        if not isinstance(record, OutputRecord):
            record = None
        stamp = read_stamp(folders, out, drafts=drafts, base_url=base_url,
                           previous=record.inputs if record else None)  # fmt: skip
        if record is None or not stamp.same_as(record.inputs):
            return stamp, None
        if not record.complete_in(out):
            self.restore_output(out)
            if not record.complete_in(out):
                return stamp, None
        if record.inputs != stamp:  # the same bytes, new signatures: compare those next time
            self._write(OUTPUT, replace(record, inputs=stamp))
        return stamp, record

    def restore_output(self, out: Path) -> None:
        """Put the kept copy of the last output back as `out`, if `out` is missing and the
        last build wrote there."""
        kept = self.folder / KEPT_OUTPUT
        record = self._read(OUTPUT)
        if out.exists() or not kept.is_dir() or not isinstance(record, OutputRecord):
            return
        if record.out != str(out):
            return
        partial = out.with_name(f".{out.name}.restoring")
        shutil.rmtree(partial, ignore_errors=True)
        try:
            link_tree(kept, partial)
            partial.rename(out)
        except OSError:  # another file system, or no hard links: the build makes it again
            shutil.rmtree(partial, ignore_errors=True)

    def keep_output(self, out: Path) -> None:
        """Make the kept copy the same files as `out`: a link for each file that is not
        already one, and no file `out` does not have. Where hard links cannot be made, no
        copy is kept."""
        kept = self.folder / KEPT_OUTPUT
        try:
            _sync_links(out, kept)
        except OSError as exc:
            shutil.rmtree(kept, ignore_errors=True)
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise

    def forget_output(self) -> None:
        """A build without the cache writes none, but the record of the output it replaced
        no longer describes that folder: drop it (and the kept copy), so that it can never
        be trusted later."""
        (self.folder / OUTPUT).unlink(missing_ok=True)
        shutil.rmtree(self.folder / KEPT_OUTPUT, ignore_errors=True)

    def save(
        self, snapshot: Snapshot, record: OutputRecord, *, settings: str, compiled: bool
    ) -> None:
        """Keep a builder's snapshot (its compiled files only when `compiled` says they
        changed: they are the large part) and the record of the output just written."""
        if compiled:
            self.save_compiled(snapshot, settings)
        (self.folder / OUTPUT).unlink(missing_ok=True)  # never a record beside another output
        self.keep_output(Path(record.out))
        self._write(OUTPUT, record)


def _sync_links(source: Path, target: Path) -> None:
    """`target` made the same files as `source` (hard links), touching only what differs.
    Inodes come from the folder listings themselves, so an unchanged file costs no `stat`."""
    os.makedirs(target, exist_ok=True)
    _sync_folder(str(source), str(target))


def _sync_folder(source: str, target: str) -> None:
    present = {entry.name: entry for entry in os.scandir(target)}
    for entry in os.scandir(source):
        there = os.path.join(target, entry.name)
        old = present.pop(entry.name, None)
        if entry.is_dir(follow_symlinks=False):
            if old is not None and not old.is_dir(follow_symlinks=False):
                _remove(old)
                old = None
            if old is None:
                os.mkdir(there)
            _sync_folder(entry.path, there)
        elif old is None or old.is_dir(follow_symlinks=False) or old.inode() != entry.inode():
            if old is not None:
                _remove(old)
            os.link(entry.path, there)
    for old in present.values():
        _remove(old)


def _remove(entry: os.DirEntry[str]) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)
