"""Raw frontmatter -> `Event`, collecting every problem of a file instead of stopping at the first.

Each check returns a value or records a `Problem` at the line of the offending key, so an
author fixing a file sees all of its mistakes at once. Turning checked fields into an
`Event` (Markdown included) and the checks across files are `compiler.py`'s.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from .config import SiteConfig
from .dates import DateError, EventDate, parse_date
from .errors import Problem
from .model import (
    ENTITY_KINDS,
    IMPORTANCE,
    NAME_BYTES,
    RELATIONS,
    SLUG_RE,
    Correction,
    Image,
    Relation,
    Source,
    Tag,
    slugify,
)
from .reader import RawEvent
from .urls import is_web_url, split_url

KNOWN_KEYS = (
    "title", "date", "tags", "location", "summary", "sources", "image", "importance", "draft",
    "slug", "extra", "status", "entities", "related", "corrections", "updated",
)  # fmt: skip
CORRECTION_KEYS = ("date", "note")
ENTITY_KEYS = ("title", "kind", "aliases", "wikidata", "image", "summary", "slug")
WIKIDATA_RE = re.compile(r"^Q[1-9][0-9]*$")
RELATION_KEYS = ("event", "relation")
PERIOD_KEYS = ("title", "date", "summary", "color", "slug")
COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
SOURCE_KEYS = ("title", "url", "publisher", "date", "id", "archived", "accessed")
SOURCE_ID_RE = re.compile(r"^[a-z0-9-]+$")
IMAGE_KEYS = ("src", "alt", "credit", "caption")
AssetCheck = Callable[[str], bool]


@dataclass
class _Checker:
    """Validation state for one file: the raw record and the problems found so far."""

    raw: RawEvent
    problems: list[Problem] = field(default_factory=list)

    def error(self, position: tuple[str | int, ...], message: str) -> None:
        name = ".".join(str(p) for p in position)
        self.problems.append(Problem(self.raw.path, self.raw.line(*position), name, message))

    def warn(self, position: tuple[str | int, ...], message: str) -> None:
        name = ".".join(str(p) for p in position)
        line = self.raw.line(*position)
        self.problems.append(Problem(self.raw.path, line, name, message, warning=True))

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.problems)


@dataclass(frozen=True)
class Checked:
    """One file's frontmatter, checked: the event's fields (None on errors), its problems,
    and the line of its `slug:` key (for a later duplicate-slug message)."""

    fields: dict[str, Any] | None
    problems: tuple[Problem, ...]
    slug_line: int | None = None


def check_event(raw: RawEvent, *, config: SiteConfig, asset_exists: AssetCheck) -> Checked:
    """Validate one raw event's frontmatter, collecting every problem of the file."""
    if raw.problems:
        return Checked(None, raw.problems)
    check = _Checker(raw)
    meta = raw.meta
    _unknown_keys(check, meta, (), KNOWN_KEYS)
    fields = {
        "status": _status(check, meta.get("status"), config),
        "title": _text(check, meta, "title", required=True),
        "date": _date(check, meta.get("date"), ("date",), required=True),
        "tags": _tags(check, meta.get("tags")),
        "location": _text(check, meta, "location"),
        "summary": _text(check, meta, "summary"),
        "sources": _sources(check, meta.get("sources"), config),
        "image": _image(check, meta.get("image"), asset_exists),
        "importance": _importance(check, meta.get("importance", "normal")),
        "draft": _bool(check, meta, "draft"),
        "slug": _slug(check, meta.get("slug")),
        "extra": _extra(check, meta.get("extra", {})),
        "entities": _slugs(check, meta.get("entities"), "entities"),
        "relations": _relations(check, meta.get("related")),
        "corrections": _corrections(check, meta.get("corrections")),
        "revised": _day(check, meta.get("updated"), ("updated",)),
    }
    return _checked(check, fields)


def check_entity(raw: RawEvent, *, asset_exists: AssetCheck) -> Checked:
    """Validate one entity file (`content/entities/<slug>.md`) as events are validated."""
    if raw.problems:
        return Checked(None, raw.problems)
    check = _Checker(raw)
    meta = raw.meta
    _unknown_keys(check, meta, (), ENTITY_KEYS)
    fields = {
        "title": _text(check, meta, "title", required=True),
        "kind": _kind_of_entity(check, meta.get("kind")),
        "aliases": _aliases(check, meta.get("aliases")),
        "wikidata": _wikidata(check, meta),
        "image": _image(check, meta.get("image"), asset_exists),
        "summary": _text(check, meta, "summary"),
        "slug": _slug(check, meta.get("slug")),
    }
    return _checked(check, fields)


def _kind_of_entity(check: _Checker, value: object) -> str:
    if value is None:
        check.error(("kind",), f"is required: one of {', '.join(ENTITY_KINDS)}")
        return ""
    if value not in ENTITY_KINDS:
        check.error(("kind",), f"must be one of {', '.join(ENTITY_KINDS)}, not {value!r}")
        return ""
    return str(value)


def _aliases(check: _Checker, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        check.error(("aliases",), f"must be a list of names, not {_kind(value)}")
        return ()
    names = []
    for index, item in enumerate(value):
        name = _as_text(item)
        if not name:
            check.error(("aliases", index), "each alias must be a name")
            continue
        names.append(name)
    return tuple(dict.fromkeys(names))


def _wikidata(check: _Checker, meta: dict[str, Any]) -> str:
    value = _text(check, meta, "wikidata")
    if value and not WIKIDATA_RE.match(value):
        check.error(("wikidata",), f'"{value}" must be a Wikidata item id: Q followed by digits')
        return ""
    return value


def _slugs(check: _Checker, value: object, key: str) -> tuple[str, ...]:
    """A list of slugs (of entities): each checked for its form here, for existence once
    every file is read."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        check.error((key,), f"must be a list of slugs such as [kim-jong-un, pyongyang], not "
                    f"{_kind(value)}")  # fmt: skip
        return ()
    slugs = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not SLUG_RE.match(item):
            check.error((key, index), f"{item!r} must be a slug: a-z, 0-9 and single hyphens")
            continue
        slugs.append(item)
    return tuple(dict.fromkeys(slugs))


def _entries(
    check: _Checker, value: object, key: str, known: tuple[str, ...], shape: str
) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """The mappings of a list field (`sources`, `related`, `corrections`) with their
    positions, after reporting a value that is not a list, or an entry that is not a
    mapping, and unknown keys; `shape` shows an entry, e.g. `{date: <day>, note: <text>}`."""
    if value is None:
        return
    if not isinstance(value, list):
        check.error((key,), f"must be a list of {shape} entries")
        return
    for index, item in enumerate(value):
        at = (key, index)
        if not isinstance(item, dict):
            check.error(at, f"each entry must be a mapping: {shape}")
            continue
        _unknown_keys(check, item, at, known)
        yield at, item


def _corrections(check: _Checker, value: object) -> tuple[Correction, ...]:
    """Dated notes of corrections, oldest first."""
    found = []
    shape = "{date: <day>, note: <text>}"
    for at, item in _entries(check, value, "corrections", CORRECTION_KEYS, shape):
        note = _nested_text(check, item, at, "note", required=True)
        if item.get("date") is None:
            check.error((*at, "date"), "is required: the day of the correction, e.g. 2024-05-02")
            continue
        date = _day(check, item.get("date"), (*at, "date"))
        if date is not None and note:
            found.append(Correction(date, note))
    return tuple(sorted(found, key=lambda c: c.date.earliest))


def _relations(check: _Checker, value: object) -> tuple[Relation, ...]:
    relations = []
    kinds = ", ".join(RELATIONS)
    shape = "{event: <slug>, relation: <kind>}"
    for at, item in _entries(check, value, "related", RELATION_KEYS, shape):
        slug, kind = item.get("event"), item.get("relation")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            check.error((*at, "event"), f"{slug!r} must be the slug of another event")
            continue
        if kind not in RELATIONS:
            check.error((*at, "relation"), f"must be one of {kinds}, not {kind!r}")
            continue
        relations.append(Relation(slug, str(kind)))
    return tuple(relations)


def check_period(raw: RawEvent) -> Checked:
    """Validate one period file (`content/periods/<slug>.md`) as events are validated."""
    if raw.problems:
        return Checked(None, raw.problems)
    check = _Checker(raw)
    meta = raw.meta
    _unknown_keys(check, meta, (), PERIOD_KEYS)
    date = _date(check, meta.get("date"), ("date",), required=True)
    if date is not None and not date.interval:
        check.error(("date",), f'"{date.text}" must be an interval such as 2018-03/2019-02 '
                    "(open ends: 2023-12/..)")  # fmt: skip
    fields = {
        "title": _text(check, meta, "title", required=True),
        "date": date,
        "summary": _text(check, meta, "summary"),
        "color": _color(check, meta),
        "slug": _slug(check, meta.get("slug")),
    }
    return _checked(check, fields)


def _checked(check: _Checker, fields: dict[str, Any]) -> Checked:
    """The checked fields (none if there was an error), the problems, and the `slug:` line."""
    if check.failed:
        return Checked(None, tuple(check.problems))
    slug_line = check.raw.line("slug") if "slug" in check.raw.meta else None
    return Checked(fields, tuple(check.problems), slug_line)


def _color(check: _Checker, meta: dict[str, Any]) -> str:
    color = _text(check, meta, "color")
    if color and not COLOR_RE.match(color):
        check.error(("color",), f'"{color}" must be a hex colour such as #2f6f9f or #369')
        return ""
    return color


def _unknown_keys(
    check: _Checker, mapping: dict[str, Any], at: tuple[str | int, ...], known: tuple[str, ...]
) -> None:
    for key in mapping:
        if str(key) in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        hint = f'did you mean "{close[0]}"? ' if close else ""
        advice = "put your own fields under extra:" if not at else f"known: {', '.join(known)}"
        check.warn((*at, str(key)), f"unknown key, ignored; {hint}({advice})")


def _as_text(value: object) -> str | None:
    """Scalars a YAML author would read as text; None for lists, mappings and booleans."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float):
        return str(value)
    return None


def _text(check: _Checker, meta: dict[str, Any], key: str, *, required: bool = False) -> str:
    if key not in meta or meta[key] is None:
        if required:
            check.error((key,), "is required")
        return ""
    text = _as_text(meta[key])
    if text is None:
        check.error((key,), f"must be text, not {_kind(meta[key])} (put it in quotes)")
        return ""
    if required and not text:
        check.error((key,), "must not be empty")
    return text


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


def _date(
    check: _Checker, value: object, at: tuple[str | int, ...], *, required: bool
) -> EventDate | None:
    if value is None:
        if required:
            check.error(at, "is required (an EDTF date such as 2019-02-28, 2019-02~ or 2019?)")
        return None
    try:
        return parse_date(value)
    except DateError as exc:
        check.error(at, str(exc))
        return None


def _tags(check: _Checker, value: object) -> tuple[Tag, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        check.error(("tags",), f"must be a list such as [diplomacy, russia], not {_kind(value)}")
        return ()
    tags: dict[str, Tag] = {}
    for index, item in enumerate(items):
        name = _as_text(item)
        slug = slugify(name) if name else ""
        if not slug:
            check.error(("tags", index), "each tag must be a word or phrase with letters or digits")
            continue
        tags.setdefault(slug, Tag(name, slug))  # type: ignore[arg-type]
    return tuple(tags.values())


def _status(check: _Checker, value: object, config: SiteConfig) -> str:
    """The event's status, the site's default when it has none."""
    if value is None:
        return config.default_status
    if not isinstance(value, str) or config.status(value) is None:
        known = ", ".join(status.key for status in config.statuses)
        check.error(("status",), f"{value!r} is not a status; known: {known} (see site.toml)")
        return ""
    return value


def _sources(check: _Checker, value: object, config: SiteConfig) -> tuple[Source, ...]:
    """The sources, each checked; an event without any, a source without a date and a
    source on plain http are warnings (errors with --strict)."""
    if value is None or value == []:
        check.warn(("sources",), "none given: add a sources: list, so readers can check the event")
        return ()
    sources = []
    ids: set[str] = set()
    shape = "{title, url, publisher, date}"
    for at, item in _entries(check, value, "sources", SOURCE_KEYS, shape):
        source = Source(
            title=_nested_text(check, item, at, "title", required=True),
            url=_source_url(check, item, at, "url", config),
            publisher=_nested_text(check, item, at, "publisher"),
            date=_date(check, item.get("date"), (*at, "date"), required=False),
            id=_source_id(check, item, at, ids),
            archived=_source_url(check, item, at, "archived", config),
            accessed=_day(check, item.get("accessed"), (*at, "accessed")),
        )
        if source.date is None and "date" not in item:
            check.warn(at, "has no date: add date: (when it was published)")
        sources.append(source)
    return tuple(sources)


def _source_url(
    check: _Checker, item: dict[str, Any], at: tuple[str | int, ...], key: str,
    config: SiteConfig,
) -> str:  # fmt: skip
    url = _nested_text(check, item, at, key)
    if not url:
        return ""
    if not is_web_url(url):
        _check_web_url(check, (*at, key), url)
        return ""
    parts = split_url(url)
    host = parts.hostname if parts else ""
    if parts and parts.scheme == "http" and host not in config.allow_http_hosts:
        check.warn((*at, key), f'"{url}" is plain http: use https if the site serves it '
                   "(or list the host in allow_http_hosts in site.toml)")  # fmt: skip
    return url


def _source_id(
    check: _Checker, item: dict[str, Any], at: tuple[str | int, ...], seen: set[str]
) -> str:
    value = _nested_text(check, item, at, "id")
    if not value:
        return ""
    if not SOURCE_ID_RE.match(value):
        check.error((*at, "id"), f'"{value}" must use only a-z, 0-9 and hyphens, e.g. reuters-1')
        return ""
    if value in seen:
        check.error((*at, "id"), f'"{value}" is already the id of another source of this event')
        return ""
    seen.add(value)
    return value


def _day(check: _Checker, value: object, at: tuple[str | int, ...]) -> EventDate | None:
    """An optional single day (EDTF `2024-06-19`), such as the day a page was read."""
    date = _date(check, value, at, required=False)
    if date is not None and (date.interval or date.earliest != date.latest):
        check.error(at, f'"{date.text}" must be one day, such as 2024-06-19')
        return None
    return date


def _nested_text(
    check: _Checker, mapping: dict[str, Any], at: tuple[str | int, ...], key: str,
    *, required: bool = False,
) -> str:  # fmt: skip
    value = mapping.get(key)
    if value is None:
        if required:
            check.error((*at, key), "is required")
        return ""
    text = _as_text(value)
    if text is None:
        check.error((*at, key), f"must be text, not {_kind(value)}")
        return ""
    if required and not text:
        check.error((*at, key), "must not be empty")
    return text


def _check_web_url(check: _Checker, at: tuple[str | int, ...], url: str) -> None:
    if not is_web_url(url):
        check.error(at, f'"{url}" is not allowed: use an absolute http:// or https:// URL')


def _image(check: _Checker, value: object, asset_exists: AssetCheck) -> Image | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        check.error(("image",), "must be a mapping: {src: images/x.jpg, alt: what it shows}")
        return None
    _unknown_keys(check, value, ("image",), IMAGE_KEYS)
    src = _nested_text(check, value, ("image",), "src", required=True)
    alt = _nested_text(check, value, ("image",), "alt")
    if src and not alt:
        check.error(("image", "alt"), "is required with src: describe what the image shows")
    if src:
        _check_image_src(check, src, asset_exists)
    credit = _nested_text(check, value, ("image",), "credit")
    caption = _nested_text(check, value, ("image",), "caption")
    return Image(src=src, alt=alt, credit=credit, caption=caption)


def _check_image_src(check: _Checker, src: str, asset_exists: AssetCheck) -> None:
    at = ("image", "src")
    parts = split_url(src)
    if parts is None or parts.scheme:
        _check_web_url(check, at, src)
        return
    path = PurePosixPath(src)
    if src.startswith(("/", "\\")) or "\\" in src or ".." in path.parts or not path.parts:
        check.error(
            at, f'"{src}" must be a path inside the site\'s static/ folder, e.g. images/x.jpg'
        )
    elif not asset_exists(src):
        check.error(at, f'"{src}" was not found: put the file at static/{src}')


def _importance(check: _Checker, value: object) -> str:
    if value not in IMPORTANCE:
        check.error(("importance",), f"must be one of {', '.join(IMPORTANCE)}, not {value!r}")
        return "normal"
    return str(value)


def _bool(check: _Checker, meta: dict[str, Any], key: str) -> bool:
    value = meta.get(key, False)
    if not isinstance(value, bool):
        check.error((key,), f"must be true or false, not {value!r}")
        return False
    return value


def _slug(check: _Checker, value: object) -> str:
    if value is None:
        # A file already on disk keeps its name as its URL, up to the folder-name limit.
        derived = slugify(PurePosixPath(check.raw.path).stem, max_chars=NAME_BYTES)
        if not derived:
            check.error(("slug",), "cannot be derived from the file name; set slug: in the file")
        return derived
    if not isinstance(value, str) or not SLUG_RE.match(value):
        check.error(("slug",), f"{value!r} must use only a-z, 0-9 and single hyphens (no / or ..)")
        return ""
    if len(value) > NAME_BYTES:
        check.error(("slug",), f"is {len(value)} characters long; use at most {NAME_BYTES}")
        return ""
    return value


def _extra(check: _Checker, value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        check.error(("extra",), f"must be a mapping of your own fields, not {_kind(value)}")
        return {}
    for at, number in _numbers(value, ("extra",)):
        if not math.isfinite(number):
            check.error(at, f"{number} is not a number the exports can hold; put it in quotes")
    return value


def _numbers(
    value: object, at: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], float]]:
    """Every float inside a loaded value (JSON has no NaN or infinity), with its position."""
    stack = [(at, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, float):
            yield where, item
        elif isinstance(item, dict | list):
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            stack.extend(((*where, key), child) for key, child in pairs)
