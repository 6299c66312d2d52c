"""`import`: move a TimelineJS timeline (a Google Sheet exported as CSV, or TimelineJS JSON) to
one Markdown file per event.

Each row becomes an event file: its dates become EDTF, its headline the title, its HTML text
Markdown (with markdownify), its group a tag, its media an image or a source. The import is
all or nothing: every row is checked first, and a wrongly typed field, a bad date or a row
that would not build is reported with its place (`sheet.csv:8: date: ...` for row 8 of a
sheet, `timeline.json:24: events.3.start_date: ...` for a JSON field and its line), every one of
them in one run; then, only if no row has an error, every file is written (each one whole, and
all removed again if one of them cannot be written). Nothing is ever overwritten. The "title"
slide becomes suggested site.toml settings, printed rather than written.
"""

from __future__ import annotations

import bisect
import csv
import html
import json
import json.decoder
import json.scanner
import os
import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import yaml
from markdownify import markdownify

from .compiler import compile_event
from .config import SiteConfig
from .dates import DateError, parse_date
from .datetext import plain_english
from .errors import BuildFailed, OutputError, Problem, RowError, UsageError
from .exports import PERMALINK_CLASS, WITH_CLASS
from .markup import plain_text
from .model import slugify
from .reader import read_event
from .scaffold import event_filename, publish_file, stage_file
from .urls import is_web_url

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif")
SHEET_COLUMNS = (
    "Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time",
    "Display Date", "Headline", "Text", "Media", "Media Credit", "Media Caption",
    "Media Thumbnail", "Type", "Group", "Background",
)  # fmt: skip
DATE_KEYS = "year, month, day"


@dataclass
class Slide:
    """One TimelineJS slide, whichever file it came from, with where it was found.

    `place` is a sheet's row number, or the line where a JSON slide starts. `errors` are the
    fields that were of the wrong type when read (each was replaced by an empty value, so the
    rest of the slide can still be checked).
    """

    place: int | None
    label: str
    start: dict[str, Any]
    end: dict[str, Any]
    headline: str = ""
    text: str = ""
    media: dict[str, str] = field(default_factory=dict)
    group: str = ""
    kind: str = ""
    display_date: str = ""
    background: str = ""
    ours: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    locate: Callable[[str], int | None] | None = None  # a JSON field's line, from its path

    def failed(self, *names: str) -> bool:
        """Whether reading any of these fields (or a field inside one) failed."""
        return any(e.field.split(".")[0] in names for e in self.errors)


@dataclass
class Planned:
    """An event file to write."""

    path: Path
    text: str
    title: str
    renamed_from: str = ""  # the name it would have had, had that name been free

    @property
    def renamed(self) -> bool:
        return bool(self.renamed_from)


@dataclass
class ImportReport:
    planned: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    suggestions: dict[str, str] = field(default_factory=dict)
    skipped: int = 0  # slides with no equivalent here (eras), reported as warnings
    root: Path | None = None

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the import: with any of them, nothing is written."""
        return [p for p in self.problems if not p.warning]

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if self.root else str(path)


# Reading ---------------------------------------------------------------------------------


def read_slides(path: Path) -> tuple[list[Slide], list[Problem]]:
    """The slides of a TimelineJS sheet (CSV) or JSON file, and the problems of the file as
    a whole (an events list of the wrong type, say). A file that is not TimelineJS at all is
    a usage error."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if path.suffix.lower() == ".json" or text.lstrip().startswith(("{", "[")):
        return _json_slides(path, text)
    return _sheet_slides(path, text), []


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    kinds = {dict: "a mapping", list: "a list", str: "text", int: "a number", float: "a number"}
    return kinds.get(type(value), type(value).__name__)


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Positions(json.JSONDecoder):
    """A JSON decoder that also records the line of every value: `line(container, key)`.

    The pure-Python scanner calls `parse_object` and `parse_array` with the function that
    scans each member, so wrapping that function tells where each member starts.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.starts: dict[tuple[int, str | int], int] = {}
        self.kept: list[object] = []  # every container stays alive, so no id is reused
        self.newlines = [match.start() for match in re.finditer("\n", text)]
        self.parse_object = self._object
        self.parse_array = self._array
        self.scan_once = json.scanner.py_make_scanner(self)

    def _recording(self, scan: Any, starts: list[int]) -> Any:
        def scan_member(string: str, index: int) -> Any:
            found = scan(string, index)
            starts.append(index)
            return found

        return scan_member

    def _object(self, s_and_end: Any, strict: bool, scan: Any, hook: Any, _: Any, memo: Any) -> Any:
        starts: list[int] = []
        keys: list[str] = []

        def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            keys.extend(key for key, _ in pairs)
            return dict(pairs)

        found = json.decoder.JSONObject(
            s_and_end, strict, self._recording(scan, starts), hook, pairs_hook, memo
        )
        for key, start in zip(keys, starts, strict=False):
            self.starts[(id(found[0]), key)] = start
        self.kept.append(found[0])
        return found

    def _array(self, s_and_end: Any, scan: Any) -> Any:
        starts: list[int] = []
        found = json.decoder.JSONArray(s_and_end, self._recording(scan, starts))
        for index, start in enumerate(starts):
            self.starts[(id(found[0]), index)] = start
        self.kept.append(found[0])
        return found

    def line(self, container: object, key: str | int) -> int | None:
        start = self.starts.get((id(container), key))
        return None if start is None else bisect.bisect_left(self.newlines, start) + 1

    def locator(self, item: object) -> Callable[[str], int | None]:
        """The line of a field inside `item`, given its dotted path (`start_date.year`): the
        deepest part of the path that is found."""

        def locate(path: str) -> int | None:
            container, line = item, None
            for part in path.split(".") if path else ():
                key: str | int = int(part) if part.isdigit() else part
                try:
                    inner = container[key]  # type: ignore[index]
                except (KeyError, IndexError, TypeError):
                    break
                line = self.line(container, key) or line
                container = inner
            return line

        return locate


def _json_slides(path: Path, text: str) -> tuple[list[Slide], list[Problem]]:
    decoder = _Positions(text)
    try:
        data = decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise UsageError(f"{path}: not a TimelineJS file: its JSON is nested too deeply") from None
    except ValueError:  # an integer of thousands of digits
        raise UsageError(f"{path}: not a TimelineJS file: it holds a number too long") from None
    if not isinstance(data, dict):
        raise UsageError(
            f"{path}: not a TimelineJS file (expected an object with an events list, "
            f"not {_kind(data)})"
        )
    label = path.name
    problems: list[Problem] = []
    slides = []

    def slide(container: Any, key: str | int, name: str, kind: str = "") -> Slide:
        found = _json_slide(container[key], name, kind)
        found.place = decoder.line(container, key)
        found.locate = decoder.locator(container[key])
        return found

    if data.get("title") is not None:
        slides.append(slide(data, "title", "title", kind="title"))
    for key, kind in (("events", ""), ("eras", "era")):
        items = data.get(key)
        if isinstance(items, list):
            slides += [slide(items, index, f"{key}.{index}", kind) for index in range(len(items))]
        elif key == "events" or items is not None:
            message = (
                "is missing (TimelineJS lists the slides under events)"
                if items is None
                else f"must be a list of slides, not {_kind(items)}"
            )
            problems.append(Problem(label, decoder.line(data, key) or 1, key, message))
    return slides, problems


class _Fields:
    """Typed access to one JSON mapping: a value of the wrong type is recorded on the slide,
    named by its path (`media.url`), and read as empty."""

    def __init__(self, slide: Slide, data: dict[str, Any], prefix: str = "") -> None:
        self.slide, self.data, self.prefix = slide, data, prefix

    def error(self, key: str, message: str) -> None:
        self.slide.errors.append(RowError(self.prefix + key, message))

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(key, f"must be text, not {_kind(value)}")
            return ""
        if not _is_unicode(value):
            self.error(key, "is not valid Unicode text (it holds a lone surrogate)")
            return ""
        return value

    def mapping(self, key: str, keys: str) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None or isinstance(value, dict):
            return value or {}
        self.error(key, f"must be a mapping with {keys}, not {_kind(value)}")
        return {}

    def nested(self, key: str, keys: str) -> _Fields:
        return _Fields(self.slide, self.mapping(key, keys), f"{self.prefix}{key}.")


def _json_slide(item: Any, label: str, kind: str = "") -> Slide:
    slide = Slide(place=None, label=label, start={}, end={}, kind=kind)
    if not isinstance(item, dict):
        slide.errors.append(RowError("", f"must be a mapping (one slide), not {_kind(item)}"))
        return slide
    fields = _Fields(slide, item)
    text = fields.nested("text", "headline and text")
    slide.headline, slide.text = text.text("headline"), text.text("text")
    slide.start = fields.mapping("start_date", DATE_KEYS)
    slide.end = fields.mapping("end_date", DATE_KEYS)
    media = fields.nested("media", "url, caption and credit")
    slide.media = {k: media.text(k) for k in ("url", "credit", "caption")}
    slide.group = fields.text("group")
    slide.kind = kind or fields.text("type").lower()
    slide.display_date = fields.text("display_date")
    background = item.get("background")
    if isinstance(background, dict):
        slide.background = json.dumps(background, ensure_ascii=False) if background else ""
    else:
        slide.background = fields.text("background")
    slide.ours = _ours(fields, item)
    return slide


def _ours(fields: _Fields, item: dict[str, Any]) -> dict[str, Any]:
    """The keys our own TimelineJS export adds so that a file round-trips without loss."""
    ours: dict[str, Any] = {}
    for key in ("edtf", "location"):
        value = fields.text(key)
        if value:
            ours[key] = value
    tags = item.get("tags")
    if isinstance(tags, str):
        tags = [tags]
    if isinstance(tags, list):
        for index, tag in enumerate(tags):
            if not isinstance(tag, str):
                fields.error(f"tags.{index}", f"must be text, not {_kind(tag)}")
        ours["tags"] = [t for t in tags if isinstance(t, str) and t.strip()]
    elif tags is not None:
        fields.error("tags", f"must be a list of tag names, not {_kind(tags)}")
    sources = item.get("sources")
    if isinstance(sources, list):
        for index, source in enumerate(sources):
            if not isinstance(source, dict):
                message = (
                    f"must be a mapping with title, url, publisher and date, not {_kind(source)}"
                )
                fields.error(f"sources.{index}", message)
        ours["sources"] = [s for s in sources if isinstance(s, dict)]
    elif sources is not None:
        fields.error("sources", f"must be a list of sources, not {_kind(sources)}")
    return ours


def _sheet_slides(path: Path, text: str) -> list[Slide]:
    try:
        rows = list(csv.DictReader(text.splitlines()))
    except csv.Error as exc:  # a NUL byte, a field over the size limit
        raise UsageError(f"{path}: not a valid CSV file: {exc}") from None
    if not rows or "Headline" not in rows[0] or "Year" not in rows[0]:
        raise UsageError(
            f"{path}: not a TimelineJS sheet (its first row must name the template's columns: "
            f"{', '.join(SHEET_COLUMNS)})"
        )
    slides = []
    for number, row in enumerate(rows, start=2):  # the header is row 1, as in the sheet
        cell = {
            key.strip(): value.strip()
            for key, value in row.items()
            if isinstance(key, str) and isinstance(value, str)
        }
        if not any(cell.values()):
            continue  # an empty row of the sheet
        slides.append(
            Slide(
                place=number,
                label=f"row {number}",
                start=_sheet_date(cell, ""),
                end=_sheet_date(cell, "End "),
                headline=cell.get("Headline", ""),
                text=cell.get("Text", ""),
                media={"url": cell.get("Media", ""), "credit": cell.get("Media Credit", ""),
                       "caption": cell.get("Media Caption", "")},
                group=cell.get("Group", ""),
                kind=cell.get("Type", "").lower(),
                display_date=cell.get("Display Date", ""),
                background=cell.get("Background", ""),
            )
        )  # fmt: skip
    return slides


def _sheet_date(cell: dict[str, str], prefix: str) -> dict[str, str]:
    return {part.lower(): cell.get(prefix + part, "") for part in ("Year", "Month", "Day")}


# Dates -----------------------------------------------------------------------------------


def edtf_point(parts: dict[str, Any], which: str) -> str:
    """TimelineJS date parts -> an EDTF date ("" when absent), at the precision given.

    TimelineJS counts years BCE as negative numbers with no year zero; EDTF counts
    astronomically, where 1 BCE is year 0.
    """
    year, month, day = (_number(parts.get(k), which, k) for k in ("year", "month", "day"))
    if year is None:
        if month is not None or day is not None:
            raise RowError(which, "has a month or day but no year")
        return ""
    if year == 0:
        raise RowError(which, "year 0 does not exist in TimelineJS dates")
    astronomical = year if year > 0 else year + 1
    text = f"{astronomical:04d}" if astronomical >= 0 else f"-{abs(astronomical):04d}"
    if month is not None:
        text += f"-{month:02d}"
        if day is not None:
            text += f"-{day:02d}"
    elif day is not None:
        raise RowError(which, "has a day but no month")
    return text


def _number(value: Any, which: str, part: str) -> int | None:
    """A whole number as TimelineJS writes it: a JSON number or text of digits."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RowError(which, f"{part} must be a whole number, not {_kind(value)}")
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]{1,12}", value.strip()):
        number = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        raise RowError(which, f"{part} {_short(value)} is not a whole number")
    if abs(number) >= 10**9:
        raise RowError(which, f"{part} {_short(value)} is too large")
    return number


def slide_date(slide: Slide) -> tuple[str, list[RowError]]:
    """The slide's EDTF date (our own export's exact text when present, else built from its
    parts), or every reason there is none: a bad start and a bad end are both reported."""
    if slide.ours.get("edtf"):
        try:
            return parse_date(slide.ours["edtf"]).text, []
        except DateError as exc:
            return "", [RowError("edtf", str(exc))]
    errors, points = [], []
    for parts, which in ((slide.start, "start_date"), (slide.end, "end_date")):
        try:
            points.append(edtf_point(parts, which))
        except RowError as exc:
            errors.append(exc)
            points.append("")
    start, end = points
    if not start and not errors:
        errors.append(RowError("start_date", "is missing (a year at least is needed)"))
    if errors:
        return "", errors
    text = f"{start}/{end}" if end and end != start else start
    try:
        parse_date(text)
    except DateError as exc:
        return "", [RowError("date", str(exc))]
    return text, []


# Content -----------------------------------------------------------------------------------


def to_markdown(fragment: str) -> str:
    """TimelineJS text (HTML) -> Markdown, keeping links, emphasis and lists.

    The "read more" link our own TimelineJS export appends is dropped: the event file is
    that page's source.
    """
    if "<" not in fragment:
        return html.unescape(fragment).strip()
    for added in (PERMALINK_CLASS, WITH_CLASS):  # what our own export adds to a slide
        fragment = re.sub(rf'<p class="{added}">.*?</p>', "", fragment, flags=re.DOTALL)
    return markdownify(fragment, heading_style="ATX", bullets="-").strip()


def slide_title(slide: Slide) -> str:
    title = plain_text(slide.headline)
    if title:
        return title
    text = plain_text(slide.text)
    if not text:
        raise RowError("headline", "is missing and there is no text to name the event after")
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first if len(first) <= 90 else first[:87].rstrip() + "…"


def frontmatter(slide: Slide, title: str, date: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"title": title, "date": date}
    tags = slide.ours.get("tags") or ([slide.group] if slide.group else [])
    if tags:
        meta["tags"] = list(tags)
    if slide.ours.get("location"):
        meta["location"] = slide.ours["location"]
    sources = [s for s in slide.ours.get("sources") or [] if s]
    image, media_source = _media(slide, title)
    if image:
        meta["image"] = image
    if media_source:
        sources.append(media_source)
    if sources:
        meta["sources"] = sources
    ours = plain_english().display(parse_date(date))
    display = slide.display_date if slide.display_date != ours else ""
    extra = {k: v for k, v in (("display_date", display), ("background", slide.background)) if v}
    if extra:
        meta["extra"] = {"timelinejs": extra}
    return meta


def _media(slide: Slide, title: str) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """An image URL becomes the event's image; any other web address becomes a source."""
    url = slide.media.get("url", "")
    if not url or not is_web_url(url):
        return None, None
    credit, caption = slide.media.get("credit", ""), slide.media.get("caption", "")
    if PurePosixPath(urlsplit(url).path).suffix.lower() in IMAGE_SUFFIXES:
        image = {"src": url, "alt": plain_text(caption) or title}
        image |= {k: plain_text(v) for k, v in (("credit", credit), ("caption", caption)) if v}
        return image, None
    source = {"title": plain_text(caption) or f"Media for “{title}”", "url": url}
    if credit:
        source["publisher"] = plain_text(credit)
    return None, source


def event_text(meta: dict[str, Any], body: str) -> str:
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{dumped}---\n{body}\n" if body else f"---\n{dumped}---\n"


def _media_note(slide: Slide) -> str:
    """Media that is not a web address (an embed code, say) cannot be kept: say so."""
    url = slide.media.get("url", "")
    if url and not is_web_url(url):
        return f"{url[:60]!r} is not a web address and was left out"
    return ""


# Planning ----------------------------------------------------------------------------------


@dataclass
class _Names:
    """File names (case-folded: some file systems ignore case) and slugs already in use."""

    files: set[str]
    slugs: set[str]

    def taken(self, name: str) -> bool:
        return name.casefold() in self.files or slugify(name.removesuffix(".md")) in self.slugs

    def take(self, name: str) -> None:
        self.files.add(name.casefold())
        self.slugs.add(slugify(name.removesuffix(".md")))


def plan_import(file: Path, site_root: Path) -> ImportReport:
    """Everything the import would do, without writing: files, problems, suggestions."""
    report = ImportReport(root=site_root)
    events_dir = site_root / "content" / "events"
    for folder in (events_dir.parent, events_dir):
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder} is a file, not a folder; events are written into it")
    names = _existing_names(events_dir)
    label = file.name
    slides, report.problems = read_slides(file)
    for slide in slides:
        if slide.kind == "title":
            report.problems += [_problem(label, slide, e.field, str(e)) for e in slide.errors]
            report.suggestions = _suggestions(slide)
            continue
        if slide.kind == "era":
            message = "eras (background periods) have no equivalent here; skipped"
            name = "" if slide.locate else "type"
            report.problems.append(_problem(label, slide, name, message, warning=True))
            report.skipped += 1
            continue
        planned, errors = _plan_slide(slide, events_dir, names, site_root)
        report.problems += [_problem(label, slide, e.field, str(e)) for e in errors]
        if planned is None:
            continue
        note = _media_note(slide)
        if note:
            report.problems.append(_problem(label, slide, "media", note, warning=True))
        if planned.renamed:
            message = f"{planned.renamed_from} is already taken; written as {planned.path.name}"
            report.problems.append(_problem(label, slide, "file", message, warning=True))
        report.planned.append(planned)
    return report


def _existing_names(events_dir: Path) -> _Names:
    names = _Names(set(), set())
    if events_dir.is_dir():
        for path in events_dir.rglob("*.md"):  # event files in subfolders have slugs too
            if path.parent == events_dir:
                names.files.add(path.name.casefold())
            names.slugs.add(slugify(path.stem))
    return names


def _problem(
    label: str, slide: Slide, name: str, message: str, *, warning: bool = False
) -> Problem:
    """Sheet rows are named by their row number, JSON slides by their place in the file."""
    if slide.locate is None:
        return Problem(label, slide.place, name, message, warning)
    line = slide.locate(name) or slide.place
    return Problem(label, line, f"{slide.label}.{name}" if name else slide.label, message, warning)


def _plan_slide(
    slide: Slide, events_dir: Path, names: _Names, site_root: Path
) -> tuple[Planned | None, list[RowError]]:
    """The file a slide becomes, or every reason it cannot become one."""
    errors = list(slide.errors)
    title = date = ""
    if not slide.failed("", "text"):
        try:
            title = slide_title(slide)
        except RowError as exc:
            errors.append(exc)
    if not slide.failed("", "start_date", "end_date", "edtf"):
        date, date_errors = slide_date(slide)
        errors += date_errors
    if errors:
        return None, errors
    if not slugify(title):
        return None, [RowError("headline", f"{_short(title)} has no letters or digits to name "
                               "the file after")]  # fmt: skip
    try:
        text = event_text(frontmatter(slide, title, date), to_markdown(slide.text))
    except RecursionError:
        return None, [RowError("text", "is nested too deeply to be converted")]
    if not _is_unicode(text):  # inside sources, say; text fields are checked when read
        return None, [RowError("", "holds text that is not valid Unicode (a lone surrogate)")]
    name = wanted = event_filename(title, date)
    number = 1
    while names.taken(name):
        number += 1
        name = event_filename(title, date, f"-{number}")
    path = events_dir / name
    errors = _check(path.relative_to(site_root).as_posix(), text)
    if errors:
        return None, errors
    names.take(name)
    return Planned(path, text, title, wanted if name != wanted else ""), []


def _check(rel: str, text: str) -> list[RowError]:
    """The written file must build: every problem here rejects the row, with the reason."""
    try:
        compiled = compile_event(read_event(rel, text.encode()), config=SiteConfig(),
                                 asset_exists=lambda _: False)  # fmt: skip
    except RecursionError:
        return [RowError("text", "is nested too deeply to be converted")]
    return [RowError(p.field, p.message) for p in compiled.problems if not p.warning]


def _suggestions(slide: Slide) -> dict[str, str]:
    found = {"title": plain_text(slide.headline), "description": plain_text(slide.text)}
    return {key: value for key, value in found.items() if value}


# Writing ---------------------------------------------------------------------------------


def write_import(report: ImportReport) -> None:
    """Write every planned file, or none.

    With any error in the report, nothing is written: `BuildFailed` carries every problem.
    Otherwise each file is first written in full under a hidden temporary name, then all are
    given their names; if anything fails, the files this run created (and the folders it
    made) are removed again and `OutputError` says what failed.
    """
    if report.errors:
        raise BuildFailed(report.problems)
    if not report.planned:
        return
    made: list[Path] = []
    staged: list[tuple[Path, Path]] = []
    created: list[Path] = []
    current = report.planned[0].path
    try:
        for planned in report.planned:
            current = planned.path
            made += _make_folders(planned.path.parent)
            staged.append((stage_file(planned.path, planned.text), planned.path))
        for temporary, path in staged:
            current = path
            publish_file(temporary, path)
            created.append(path)
    except BaseException as exc:
        _undo([t for t, _ in staged], created, made)
        if isinstance(exc, FileExistsError):
            raise OutputError(
                f"{report.relative(current)} appeared while importing; nothing was imported"
            ) from None
        if isinstance(exc, OSError):
            raise OutputError(
                f"cannot write {report.relative(current)}: {exc.strerror or exc}; "
                "nothing was imported"
            ) from None
        raise


def _make_folders(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; return those it created, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    made = []
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:  # made by someone else meanwhile: not ours to remove
            continue
        made.append(path)
    return made


def _undo(temporaries: list[Path], created: list[Path], made: list[Path]) -> None:
    for path in [*temporaries, *created]:
        with suppress(OSError):
            os.unlink(path)
    for folder in reversed(made):
        with suppress(OSError):
            folder.rmdir()
