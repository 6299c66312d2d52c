"""The build cache in `<site>/.cache/`: what the last build compiled and wrote, so that the
next build recompiles only changed event files, renders only changed pages, and links the
rest (and an unchanged search index) from the previous output. A record of everything the
last build read lets a build with nothing changed, and its output still in place, stop at once.

It can never serve stale output: compiled events are keyed by file content, pages by a hash
of everything they are rendered from (templates, configuration and this program's version
included), the whole build by the size and modification time of every file a build reads, and the
whole cache is dropped when its format or the program's version differ, or when it cannot be
read. The files are pickles written by this program into the site's own (gitignored) folder;
`--no-cache` ignores them.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import Problem
from .project import Site
from .search import INDEX_DIR
from .sources import scan

if TYPE_CHECKING:
    from .builder import Builder, SourceEntry

CACHE_DIR = ".cache"
FORMAT = 3


@dataclass
class PageState:
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
class Sources:
    """Compiled events by source path, valid for one raw-HTML setting."""

    allow_raw_html: bool
    entries: dict[str, SourceEntry] = field(default_factory=dict)


def build_inputs(site: Site, out: Path, *, drafts: bool) -> tuple:
    """Everything a build reads, as comparable values: options, configuration, this
    program's version, and the size and modification time of every event, template and
    static file (a file written again changes its modification time, even with equal bytes)."""
    folders = (site.content_dir, *site.template_dirs, *site.static_dirs)
    files = tuple(
        (str(folder), tuple((rel, info.signature) for rel, info in scan(folder).items()))
        for folder in folders
    )
    return (__version__, repr(site.config), str(out), drafts, files)


class BuildCache:
    """Reads and writes the cache files of one site."""

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

    def seed(self, builder: Builder, out: Path) -> PageState | None:
        """Give `builder` what the last build knew; return the state of the output it left."""
        sources = self._read("sources.pickle")
        if (
            isinstance(sources, Sources)
            and sources.allow_raw_html == builder.site.config.allow_raw_html
        ):
            builder.sources = sources.entries
        pages = self._read("pages.pickle")
        if (
            not isinstance(pages, PageState)
            or pages.out != str(out)
            or pages.drafts != builder.drafts
        ):
            return None
        root = str(out)
        builder.page_keys = {
            path: key
            for path, key in pages.keys.items()
            if os.path.exists(os.path.join(root, path))
        }
        return pages

    def unchanged(self, inputs: tuple, out: Path) -> PageState | None:
        """The last build's state if it read exactly `inputs` and its output is all there."""
        pages = self._read("pages.pickle")
        if not isinstance(pages, PageState) or pages.inputs != inputs:
            return None
        root = str(out)
        if not os.path.isdir(os.path.join(root, INDEX_DIR)):
            return None
        for rel in (*pages.keys, *pages.files):
            if not os.path.isfile(os.path.join(root, rel)):
                return None
        return pages

    def save(self, builder: Builder, pages: PageState, *, sources_changed: bool) -> None:
        if sources_changed:
            allow = builder.site.config.allow_raw_html
            self._write("sources.pickle", Sources(allow, builder.sources))
        self._write("pages.pickle", pages)
