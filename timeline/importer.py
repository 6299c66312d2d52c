"""`import`: move a TimelineJS timeline (a Google Sheet exported as CSV, or TimelineJS JSON) to
one Markdown file per event.

Each row becomes an event file: its dates become EDTF, its headline the title, its HTML text
Markdown (with markdownify), its group a tag, its media an image or a source. A row that
cannot be imported is reported with its row number and the reason, and the others are
imported anyway; nothing is ever overwritten. The "title" slide becomes suggested site.toml
settings, printed rather than written.
"""

from __future__ import annotations

import csv
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import yaml
from markdownify import markdownify

from .dates import DateError, parse_date
from .errors import Problem, UsageError
from .exports import PERMALINK_CLASS
from .markup import plain_text
from .reader import read_event
from .scaffold import event_filename
from .validate import compile_event, is_web_url

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif")
SHEET_COLUMNS = (
    "Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time",
    "Display Date", "Headline", "Text", "Media", "Media Credit", "Media Caption",
    "Media Thumbnail", "Type", "Group", "Background",
)  # fmt: skip


@dataclass
class Slide:
    """One TimelineJS slide, whichever file it came from, with where it was found."""

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


@dataclass
class Planned:
    """An event file to write."""

    path: Path
    text: str
    title: str
    renamed: bool = False


@dataclass
class ImportReport:
    planned: list[Planned] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    suggestions: dict[str, str] = field(default_factory=dict)


def read_slides(path: Path) -> list[Slide]:
    """The slides of a TimelineJS sheet (CSV) or JSON file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        return _json_slides(path, text)
    return _sheet_slides(path, text)


def _json_slides(path: Path, text: str) -> list[Slide]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("events", []), list):
        raise UsageError(f"{path}: not a TimelineJS file (expected an object with an events list)")
    slides = []
    if isinstance(data.get("title"), dict):
        slides.append(_json_slide(data["title"], None, "title", kind="title"))
    for index, item in enumerate(data.get("events", [])):
        slides.append(_json_slide(item, index + 1, f"events[{index}]"))
    return slides


def _json_slide(item: Any, place: int | None, label: str, kind: str = "") -> Slide:
    if not isinstance(item, dict):
        return Slide(place, label, {}, {}, kind="invalid")
    text = item.get("text") or {}
    media = item.get("media") or {}
    ours = {k: item[k] for k in ("edtf", "tags", "location", "sources") if k in item}
    return Slide(
        place=place,
        label=label,
        start=item.get("start_date") or {},
        end=item.get("end_date") or {},
        headline=str(text.get("headline") or ""),
        text=str(text.get("text") or ""),
        media={k: str(media.get(k) or "") for k in ("url", "credit", "caption")},
        group=str(item.get("group") or ""),
        kind=kind or str(item.get("type") or ""),
        display_date=str(item.get("display_date") or ""),
        background=json.dumps(item["background"]) if item.get("background") else "",
        ours=ours,
    )


def _sheet_slides(path: Path, text: str) -> list[Slide]:
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or "Headline" not in rows[0] or "Year" not in rows[0]:
        raise UsageError(
            f"{path}: not a TimelineJS sheet (its first row must name the template's columns: "
            f"{', '.join(SHEET_COLUMNS)})"
        )
    slides = []
    for number, row in enumerate(rows, start=2):  # the header is row 1, as in the sheet
        cell = {key.strip(): (value or "").strip() for key, value in row.items() if key}
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


class RowError(ValueError):
    """Why one slide cannot become an event (the field it concerns, and the reason)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


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
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise RowError(which, f"{part} {value!r} is not a whole number") from None
    return number


def slide_date(slide: Slide) -> str:
    """The slide's EDTF date: our own export's exact text when present, else built from parts."""
    if isinstance(slide.ours.get("edtf"), str) and slide.ours["edtf"]:
        return slide.ours["edtf"]
    start = edtf_point(slide.start, "start_date")
    end = edtf_point(slide.end, "end_date")
    if not start:
        raise RowError("start_date", "is missing (a year at least is needed)")
    text = f"{start}/{end}" if end and end != start else start
    try:
        parse_date(text)
    except DateError as exc:
        raise RowError("date", str(exc)) from None
    return text


# Content -----------------------------------------------------------------------------------


def to_markdown(fragment: str) -> str:
    """TimelineJS text (HTML) -> Markdown, keeping links, emphasis and lists.

    The "read more" link our own TimelineJS export appends is dropped: the event file is
    that page's source.
    """
    if "<" not in fragment:
        return html.unescape(fragment).strip()
    fragment = re.sub(rf'<p class="{PERMALINK_CLASS}">.*?</p>', "", fragment, flags=re.DOTALL)
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
    tags = slide.ours.get("tags") if isinstance(slide.ours.get("tags"), list) else None
    tags = tags or ([slide.group] if slide.group else [])
    if tags:
        meta["tags"] = [str(t) for t in tags]
    if isinstance(slide.ours.get("location"), str) and slide.ours["location"]:
        meta["location"] = slide.ours["location"]
    sources = [s for s in slide.ours.get("sources") or [] if isinstance(s, dict) and s.get("title")]
    image, media_source = _media(slide, title)
    if image:
        meta["image"] = image
    if media_source:
        sources.append(media_source)
    if sources:
        meta["sources"] = sources
    display = slide.display_date if slide.display_date != parse_date(date).display else ""
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


# Planning and writing ---------------------------------------------------------------------


def plan_import(source: Path, site_root: Path) -> ImportReport:
    """Everything the import would do, without writing: files, problems, suggestions."""
    report = ImportReport()
    events_dir = site_root / "content" / "events"
    taken = {p.name for p in events_dir.glob("*.md")} if events_dir.is_dir() else set()
    label = source.name
    for slide in read_slides(source):
        if slide.kind == "title":
            report.suggestions = _suggestions(slide)
            continue
        try:
            planned = _plan_slide(slide, events_dir, taken, site_root)
        except RowError as exc:
            report.problems.append(_problem(label, slide, exc.field, f"{exc}; not imported"))
            continue
        note = _media_note(slide)
        if note:
            report.problems.append(_problem(label, slide, "media", note, warning=True))
        if planned.renamed:
            message = f"a file of that name exists; written as {planned.path.name}"
            report.problems.append(_problem(label, slide, "file", message, warning=True))
        report.planned.append(planned)
    return report


def _problem(
    label: str, slide: Slide, name: str, message: str, *, warning: bool = False
) -> Problem:
    """Sheet rows are named by their row number, JSON slides by their place in the file."""
    if slide.label.startswith("row "):
        return Problem(label, slide.place, name, message, warning)
    return Problem(label, None, f"{slide.label}.{name}", message, warning)


def _plan_slide(slide: Slide, events_dir: Path, taken: set[str], site_root: Path) -> Planned:
    if slide.kind == "invalid":
        raise RowError("event", "is not an object")
    if slide.kind == "era":
        raise RowError("type", "eras (background periods) have no equivalent here")
    title = slide_title(slide)
    date = slide_date(slide)
    text = event_text(frontmatter(slide, title, date), to_markdown(slide.text))
    name = event_filename(title, date)
    stem, renamed, number = name.removesuffix(".md"), False, 1
    while name in taken:
        number += 1
        name, renamed = f"{stem}-{number}.md", True
    path = events_dir / name
    _check(path.relative_to(site_root).as_posix(), text)
    taken.add(name)
    return Planned(path, text, title, renamed)


def _check(rel: str, text: str) -> None:
    """The written file must build: any problem here rejects the row, with the reason."""
    compiled = compile_event(read_event(rel, text.encode()), allow_raw_html=False,
                             asset_exists=lambda _: False)  # fmt: skip
    errors = [p for p in compiled.problems if not p.warning]
    if errors:
        raise RowError(errors[0].field, errors[0].message)


def _suggestions(slide: Slide) -> dict[str, str]:
    found = {"title": plain_text(slide.headline), "description": plain_text(slide.text)}
    return {key: value for key, value in found.items() if value}


def write_import(report: ImportReport) -> None:
    for planned in report.planned:
        planned.path.parent.mkdir(parents=True, exist_ok=True)
        with planned.path.open("x", encoding="utf-8") as handle:
            handle.write(planned.text)
