"""The stamp of everything a build reads, to tell whether a build has anything to do.

A build reads the configuration, the event files, the templates, static files and catalogs
of the site and its theme, and the git commit checked out (the events' dates come from it).
The stamp holds each file's signature and a digest of its bytes. A file whose signature
changed but whose bytes did not counts as unchanged: that is every file of a fresh checkout,
which is how the Pages workflow builds, and a file saved again without a change.

Only the standard library and the site's folders are needed here, so a build with nothing
to do never loads what reading and rendering a site takes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .files import CONFIG_NAME, scan, signature
from .history import head_of
from .project import SiteFolders

FileStamp = tuple[int, int, str]  # modification time in ns, size, digest of the bytes


@dataclass(frozen=True)
class Stamp:
    """What one build read: the options and commit (`fixed`), and every input file."""

    fixed: tuple[object, ...]
    files: Mapping[str, FileStamp]

    def same_as(self, other: Stamp | None) -> bool:
        """Whether a build reading `other` read the same bytes with the same options."""
        if other is None or self.fixed != other.fixed or self.files.keys() != other.files.keys():
            return False
        return all(stamp[2] == other.files[path][2] for path, stamp in self.files.items())


def read_stamp(
    folders: SiteFolders, out: Path, *, drafts: bool, base_url: str | None,
    previous: Stamp | None = None,
) -> Stamp:  # fmt: skip
    """The stamp of the site's inputs now. A file's bytes are read and hashed only when its
    signature differs from the one in `previous` (the last build's stamp)."""
    known = previous.files if previous is not None else {}
    files: dict[str, FileStamp] = {}
    for path, (mtime_ns, size) in _input_files(folders).items():
        last = known.get(path)
        if last is not None and last[:2] == (mtime_ns, size):
            files[path] = last
        else:
            files[path] = (mtime_ns, size, _digest(path))
    fixed = (__version__, str(out), drafts, base_url, head_of(folders.root))
    return Stamp(fixed, files)


def _input_files(folders: SiteFolders) -> dict[str, tuple[int, int]]:
    """Every file a build reads, by absolute path, with its signature."""
    found: dict[str, tuple[int, int]] = {}
    config = folders.root / CONFIG_NAME
    if config.is_file():
        found[str(config)] = signature(config)
    for folder in (folders.content_dir, folders.periods_dir, folders.entities_dir,
                   *folders.template_dirs, *folders.static_dirs, *folders.locale_dirs):  # fmt: skip
        for info in scan(folder).values():
            found[info.path] = info.signature
    return found


def _digest(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except OSError:  # gone or unreadable since it was listed: it cannot match any stamp
        return ""
