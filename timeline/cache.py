"""The build cache in `<site>/.cache/`: what the last build compiled and wrote, so that the
next build recompiles only changed event files, renders only changed pages, and links the
rest (and an unchanged search index) from the previous output. A record of everything the
last build read lets a build with nothing changed, and its output still in place, stop at once.

It can never serve stale output: compiled events are keyed by file content, pages by a hash
of everything they are rendered from (templates, configuration and this program's version
included), the whole build by the size and modification time of every file a build reads, and the
whole cache is dropped when its format or the program's version differ, or when it cannot be
read. The files are pickles written by this program into the site's own (gitignored) folder;
`--no-cache` neither reads nor writes them (it drops the record of the output it replaces).
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .builder import CompiledFile, Snapshot
from .errors import Problem
from .search import INDEX_DIR

CACHE_DIR = ".cache"
FORMAT = 5  # bumped whenever a cached class changes shape
COMPILED = "compiled.pickle"
OUTPUT = "output.pickle"


@dataclass
class OutputRecord:
    """What the last build left in `out`: every output's key, its search index's key, the
    other files it wrote (static files and the like), and what it read and reported."""

    out: str
    drafts: bool
    keys: dict[str, str] = field(default_factory=dict)
    search_key: str = ""
    files: list[str] = field(default_factory=list)
    inputs: tuple = ()
    events: int = 0
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class CompiledRecord:
    """Compiled event files by path, valid for the settings of one `keys.compile_key`."""

    settings: str
    entries: dict[str, CompiledFile] = field(default_factory=dict)


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
        partial = self.folder / f".{name}.partial"
        with partial.open("wb") as handle:
            pickle.dump(((FORMAT, __version__), value), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, self.folder / name)

    def load(
        self, out: Path, *, drafts: bool, settings: str
    ) -> tuple[Snapshot, OutputRecord | None]:
        """What the last build knew, for a builder, and the record of the output it left in
        `out` (None when it left none there, or with other options). Page keys are kept only
        for outputs still in place."""
        compiled = self._read(COMPILED)
        entries = (
            compiled.entries
            if isinstance(compiled, CompiledRecord) and compiled.settings == settings
            else {}
        )
        record = self._read(OUTPUT)
        if not isinstance(record, OutputRecord) or (record.out, record.drafts) != (
            str(out),
            drafts,
        ):
            return Snapshot(entries), None
        root = str(out)
        keys = {
            path: key
            for path, key in record.keys.items()
            if os.path.exists(os.path.join(root, path))
        }
        return Snapshot(entries, keys), record

    def unchanged(self, inputs: tuple, out: Path) -> OutputRecord | None:
        """The last build's record if it read exactly `inputs` and its output is all there."""
        record = self._read(OUTPUT)
        if not isinstance(record, OutputRecord) or record.inputs != inputs:
            return None
        root = str(out)
        if not os.path.isdir(os.path.join(root, INDEX_DIR)):
            return None
        for rel in (*record.keys, *record.files):
            if not os.path.isfile(os.path.join(root, rel)):
                return None
        return record

    def forget_output(self) -> None:
        """A build without the cache writes none, but the record of the output it replaced
        no longer describes that folder: drop it, so that it can never be trusted later."""
        (self.folder / OUTPUT).unlink(missing_ok=True)

    def save(
        self, snapshot: Snapshot, record: OutputRecord, *, settings: str, compiled: bool
    ) -> None:
        """Keep a builder's snapshot (its compiled files only when `compiled` says they
        changed: they are the large part) and the record of the output just written."""
        if compiled:
            self._write(COMPILED, CompiledRecord(settings, snapshot.compiled))
        self._write(OUTPUT, record)
