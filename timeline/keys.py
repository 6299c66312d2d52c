"""Every cache key, made here and nowhere else: page keys, the theme key and the exports key
(the stamp of a build's inputs is `stamp.py`'s).

A page key is everything a page's rendering depends on, as one comparable value.

Templates see only a page's context (plus the configuration and the theme, which the
renderer's key covers), so a page whose key is unchanged would render to the same bytes.
Events stand in by the hash of their source file, computed once when the file was read.
Keys are nested tuples, cheap to build and compare; `stable_hash` turns one into a short
string for caches kept on disk.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Hashable, Mapping
from typing import Any

from . import __version__
from .citations import cite_labels
from .exports import export_links
from .files import walk_files
from .layout import Chunk
from .model import Event, Timeline, Times
from .project import Site
from .runs import Run, by_run

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}  # dataclass -> its fields' names, looked up once


def atoms(value: Any) -> Hashable:
    """`value` as nested tuples of plain values, each event reduced to its source hash
    and each dataclass to the fields that take part in comparing it."""
    kind = type(value)
    if kind is Event:
        return f"{value.digest}:{value.path}"
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is tuple or kind is list:
        return tuple(atoms(item) for item in value)
    if isinstance(value, Mapping):
        return tuple((key, atoms(value[key])) for key in sorted(value))
    names = _FIELD_NAMES.get(kind)
    if names is None and dataclasses.is_dataclass(value):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value) if f.compare)
    if names is not None:
        return (kind.__name__, *(atoms(getattr(value, name)) for name in names))
    raise TypeError(f"cannot fingerprint {kind.__name__}; teach keys.atoms about it")


Seen = dict[int, tuple[object, Hashable]]  # id of a context value -> (the value, its stand-in)


def page_key(
    theme: str, page: Hashable, context: Mapping[str, Any], seen: Seen | None = None
) -> str:
    """A page's key: its theme key, its own fields (path, template, title...) and the atoms
    of its context; equal keys render to equal bytes.

    Each context value that is not a plain value stands in as the hash of its atoms. The
    pages of one plan share most of theirs (the filters, the year navigation, the strip):
    `seen`, kept for one plan, hashes each shared value once rather than once a page."""
    seen = {} if seen is None else seen
    values = tuple((name, _stand_in(context[name], seen)) for name in sorted(context))
    return stable_hash((theme, page, values))


# A page of a list and its stand-in, kept from one plan to the next: after an edit, the
# preview lays out each list it plans again, and every page but the edited event's holds
# the same events. A `Chunk` compares by the very events it holds (events compare by
# identity) and by plain years and URLs, so an equal page stands in the same.
_CHUNKS: dict[Chunk, str] = {}
CHUNKS_KEPT = 4096


def _stand_in(value: Any, seen: Seen) -> Hashable:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is Chunk:
        return _chunk_stand_in(value)
    if kind is Event or kind is Times:  # one page's own, and quick: kept, they would only
        return stable_hash(atoms(value))  # take memory (an entry for every event page)
    known = seen.get(id(value))
    if known is None or known[0] is not value:
        known = seen[id(value)] = (value, stable_hash(atoms(value)))  # the value kept: its id stays
    return known[1]


def _chunk_stand_in(chunk: Chunk) -> str:
    found = _CHUNKS.get(chunk)
    if found is None:
        if len(_CHUNKS) >= CHUNKS_KEPT:
            _CHUNKS.clear()
        found = _CHUNKS[chunk] = stable_hash(atoms(chunk))
    return found


def stable_hash(key: Hashable) -> str:
    """A short hash of a key made by `atoms`, the same in every process."""
    return hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()


def theme_key(site: Site) -> str:
    """Hash of every template and catalog file the site can use, its configuration and our
    version."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{__version__}\x1f{site.config!r}\x1f{export_links()!r}".encode())
    for folder in (*site.template_dirs, *site.locale_dirs):
        for rel, path in walk_files(folder):
            digest.update(f"\x1f{folder}\x1f{rel}\x1f".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def compile_key(site: Site) -> str:
    """The settings that change what an event file compiles to (raw HTML kept or not, the
    statuses, the default status, the hosts allowed on http, the words of citation links in
    the site's language): compiled events saved under other settings are compiled again."""
    config = site.config
    parts = (config.allow_raw_html, config.statuses, config.default_status,
             config.allow_http_hosts, cite_labels(site.language.gettext))  # fmt: skip
    return stable_hash(atoms(parts))


def exports_key(timeline: Timeline, site: Site) -> str:
    """Changes whenever any export could: an event, a period, the configuration, or this
    program."""
    periods = tuple((p.digest, p.path) for p in (*timeline.periods, *timeline.entities))
    digest = hashlib.blake2b(repr((__version__, site.config, periods)).encode(), digest_size=16)
    # Each run of events as the hash of its files' hashes (of fixed length) and paths (which
    # cannot hold a NUL): this is worked out after every edit in the preview, by run.
    digest.update("".join(by_run(timeline.events, "exports key", _exported)).encode())
    return digest.hexdigest()


def _exported(events: Run) -> str:
    text = "".join([f"{e.digest}{e.path}\0" for e in events])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def search_key(page_keys: Mapping[str, str]) -> str:
    """Changes whenever an indexed page (an event page) is added, removed or changed."""
    indexed = sorted((path, key) for path, key in page_keys.items() if path.startswith("events/"))
    return stable_hash(tuple(indexed))
