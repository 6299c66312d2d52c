"""Data out: events.json, timelinejs.json, events.ics and events.csv, written by every build.

Each format is assembled from per-event pieces; the live preview keeps them (see `Exporter`),
so that it keeps all four files current after an edit by encoding one event again and
joining. Every piece is deterministic: no clocks, stable key and column order.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from . import __version__
from .dates import YMD, EventDate, Point
from .language import N_
from .model import Entity, Event, Image, Period, Timeline
from .project import Site
from .runs import RUN
from .urls import encoded

CSV_COLUMNS = (
    "slug", "title", "date", "date_display", "earliest", "latest", "approximate", "uncertain",
    "location", "tags", "entities", "importance", "status", "summary", "url", "sources",
    "image_src", "image_alt",
    "image_credit", "image_caption",
)  # fmt: skip
PERMALINK_CLASS = "timeline-permalink"
WITH_CLASS = "timeline-entities"  # the slide's "With ..." line, which `import` leaves out

Chunks = Iterator[bytes]
JSON_SEPARATOR = b",\n"  # between the items of a JSON list, one a line


@dataclass(frozen=True)
class ExportFormat:
    """One export file: where it goes, the link text pages show for it, and how it is made
    (from the `Exporter`, which caches per-event pieces, and the timeline)."""

    path: str
    label: str
    make: Callable[[Exporter, Timeline], Chunks]


FORMATS: dict[str, ExportFormat] = {}


def register(path: str, label: str) -> Callable[[Callable[..., Chunks]], Callable[..., Chunks]]:
    """Add an export: every build and the preview write it, and every page links to it.
    The one place a new export format is declared."""

    def add(make: Callable[..., Chunks]) -> Callable[..., Chunks]:
        FORMATS[path] = ExportFormat(path, label, make)
        return make

    return add


def export_paths() -> tuple[str, ...]:
    """The output path of every export file."""
    return tuple(FORMATS)


def export_links() -> tuple[tuple[str, str], ...]:
    """(path, label) of every export, in the order pages list them."""
    return tuple((f.path, f.label) for f in FORMATS.values())


class Exporter:
    """Makes the export files of one site as streams of chunks.

    Without `keep` (a one-off build), each event is encoded as the file streams and nothing
    is kept, so that exporting a very large timeline takes little memory. With `keep` (the
    live preview), each event's encoded piece is kept by the very event (an unchanged
    file's event stays the same object), as long as the entities' titles, which some
    pieces name, stay the same: after an edit one event is encoded again, wherever the
    others moved, and the file is streamed in runs of `RUN` pieces. Only the pieces of the
    last export are kept.
    """

    def __init__(self, site: Site, *, keep: bool) -> None:
        self.site = site
        self.config = site.config
        self.keep = keep
        self._pieces: dict[str, dict[Event, bytes]] = {}
        self._named: tuple[tuple[str, str], ...] = ()
        self.timeline = Timeline(())

    def files(self, timeline: Timeline) -> dict[str, Chunks]:
        self.timeline = timeline
        named = tuple((entity.slug, entity.title) for entity in timeline.entities)
        if named != self._named:
            self._pieces, self._named = {}, named
        return {path: export.make(self, timeline) for path, export in FORMATS.items()}

    def names(self, event: Event) -> tuple[str, ...]:
        """The titles of the event's entities (some exports write them out)."""
        return tuple(entity.title for entity in self.timeline.entities_of(event))

    def _pieces_of(
        self, kind: str, events: Sequence[Event], encode: Callable[[Event], str],
        joiner: bytes = b"",
    ) -> Iterator[bytes]:  # fmt: skip
        """The events' pieces of an export, encoded, in order: one event's at a time, or
        (with `keep`) a run's, joined by `joiner`."""
        if not self.keep:
            yield from (encode(event).encode() for event in events)
            return
        kept, fresh = self._pieces.get(kind, {}), {}
        for start in range(0, len(events), RUN):
            run = []
            for event in events[start : start + RUN]:
                piece = kept.get(event)
                if piece is None:
                    piece = encode(event).encode()
                fresh[event] = piece
                run.append(piece)
            yield joiner.join(run)
        self._pieces[kind] = fresh

    def date_record(self, date: EventDate) -> dict[str, Any]:
        """A date for machines: as written (EDTF), its bounds as ISO days, and for people
        (in the site's language)."""
        return {
            "edtf": date.text,
            "earliest": date.iso_earliest,
            "latest": date.iso_latest,
            "display": self.site.dates.display(date),
            "approximate": date.approximate,
            "uncertain": date.uncertain,
        }

    # Links ---------------------------------------------------------------------------

    def link(self, path: str) -> str:
        """Absolute URL with a base URL, else a root-relative one under the base path."""
        return self.config.absolute_url(path) or self.config.base_path + encoded(path)

    def body(self, event: Event) -> str:
        """The body's HTML for use elsewhere: its citations (`#source-2`) lead to the
        sources on the event's page."""
        return event.body_html.replace('href="#source-', f'href="{self.link(event.url)}#source-')

    def asset(self, image: Image) -> str:
        return image.src if image.external else self.link(image.src)

    # events.json ---------------------------------------------------------------------

    def _events_json(self, timeline: Timeline) -> Chunks:
        head = {
            "title": self.config.title,
            "description": self.config.description,
            "url": self.config.site_url or None,
            "language": self.config.language,
            "generator": f"timeline {__version__}",
            "schema": self.link("schema/events.schema.json"),
        }
        if timeline.periods:
            head["periods"] = [self._period_record(timeline, p) for p in timeline.periods]
        if timeline.entities:
            head["entities"] = [self._entity_record(e) for e in timeline.entities]
        opening = json.dumps(head, ensure_ascii=False)[:-1] + ',"events":['
        pieces = self._pieces_of("json", timeline.events, self._event_record, JSON_SEPARATOR)
        return _json_list(opening, pieces)

    def _entity_record(self, entity: Entity) -> dict[str, Any]:
        return {
            "slug": entity.slug,
            "title": entity.title,
            "kind": entity.kind,
            "aliases": list(entity.aliases),
            "wikidata": entity.wikidata or None,
            "summary": entity.summary,
            "url": self.link(entity.url),
        }

    def _period_record(self, timeline: Timeline, period: Period) -> dict[str, Any]:
        """A period and its events (by slug): membership lives here, not in each event's
        record, which is cached by the event's own content."""
        return {
            "slug": period.slug,
            "title": period.title,
            "date": self.date_record(period.date),
            "summary": period.summary,
            "color": period.color or None,
            "url": self.link(period.url),
            "events": [event.slug for event in timeline.members[period.slug]],
        }

    def _event_record(self, event: Event) -> str:
        record = {
            "slug": event.slug,
            "title": event.title,
            "date": self.date_record(event.date),
            "summary": event.summary,
            "location": event.location,
            "tags": [{"name": t.name, "slug": t.slug} for t in event.tags],
            "importance": event.importance,
            "status": event.status or None,
            "entities": list(event.entities),
            "relations": [{"event": r.event, "relation": r.kind} for r in event.relations],
            "draft": event.draft,
            "sources": [
                {
                    "id": s.id or None,
                    "title": s.title,
                    "url": s.url or None,
                    "publisher": s.publisher or None,
                    "date": s.date.text if s.date else None,
                    "archived": s.archived or None,
                    "accessed": s.accessed.text if s.accessed else None,
                }
                for s in event.sources
            ],
            "image": (
                {
                    "src": self.asset(event.image),
                    "alt": event.image.alt,
                    "credit": event.image.credit,
                    "caption": event.image.caption,
                }
                if event.image
                else None
            ),
            "url": self.link(event.url),
            "body_html": self.body(event),
            "extra": event.extra,
        }
        return json.dumps(record, ensure_ascii=False)

    # timelinejs.json -------------------------------------------------------------------

    def _timelinejs(self, timeline: Timeline) -> Chunks:
        title = {
            "text": {
                "headline": html.escape(self.config.title),
                "text": html.escape(self.config.description),
            }
        }
        opening = '{"title":' + json.dumps(title, ensure_ascii=False)
        eras = [era for period in timeline.periods if (era := _era(timeline, period))]
        if eras:
            opening += ',"eras":' + json.dumps(eras, ensure_ascii=False)
        opening += ',"events":['
        return _json_list(
            opening, self._pieces_of("timelinejs", timeline.events, self._slide, JSON_SEPARATOR)
        )

    def _slide(self, event: Event) -> str:
        start, end = event.date.start or event.date.end, event.date.end
        _ = self.site.language.gettext
        read_more = html.escape(_("Read more, with sources"))
        more = f'<a href="{self.link(event.url)}">{read_more}</a>'
        link = f'<p class="{PERMALINK_CLASS}">{more}</p>'
        slide: dict[str, Any] = {"start_date": timelinejs_date(start)}  # type: ignore[arg-type]
        if event.date.interval and event.date.start and end:
            slide["end_date"] = timelinejs_date(end)
            if _same_to_precision(slide["start_date"], slide["end_date"]):
                slide["start_date"] = timelinejs_day(event.date.earliest)
                slide["end_date"] = timelinejs_day(event.date.latest)
        slide["display_date"] = self.site.dates.display(event.date)
        names = self.names(event)
        with_names = _("With %(names)s.") % {"names": _(", ").join(names)}
        who = f'<p class="{WITH_CLASS}">{html.escape(with_names)}</p>' if names else ""
        text = self.body(event) + who + link
        slide["text"] = {"headline": html.escape(event.title), "text": text}
        if event.image:
            slide["media"] = {
                "url": self.asset(event.image),
                "credit": event.image.credit,
                "caption": event.image.caption or event.image.alt,
            }
        if event.tags:
            slide["group"] = event.tags[0].name
        slide["unique_id"] = event.slug
        # Not read by TimelineJS, which ignores unknown keys; read back by `import`, so that
        # our own export round-trips without losing the EDTF qualifiers, tags or sources.
        slide["edtf"] = event.date.text
        slide["tags"] = [t.name for t in event.tags]
        slide["location"] = event.location
        slide["sources"] = [
            {k: v for k, v in (("title", s.title), ("url", s.url), ("publisher", s.publisher)) if v}
            for s in event.sources
        ]
        return json.dumps(slide, ensure_ascii=False)

    # events.ics ------------------------------------------------------------------------

    def _calendar(self, timeline: Timeline) -> Chunks:
        name = _ics_text(self.config.title)
        head = [
            "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//timeline//{name}//EN",
            "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{name}",
        ]  # fmt: skip
        yield "".join(_fold(line) for line in head).encode()
        yield from self._pieces_of("ics", timeline.events, self._vevent)
        yield b"END:VCALENDAR\r\n"

    def _vevent(self, event: Event) -> str:
        """One VEVENT (none for an event without calendar days), written directly:
        icalendar's serialiser spends milliseconds folding each event, which adds seconds on
        large timelines (the tests read these files back with icalendar)."""
        days = calendar_days(event.date)
        if days is None:
            return ""
        first, last = days
        host = self.config.site_url.split("/")[2] if self.config.site_url else "timeline.invalid"
        when = self.site.dates.display(event.date)
        description = f"{when}. {event.summary}\n\n{self.link(event.url)}".strip()
        lines = [
            "BEGIN:VEVENT",
            f"UID:{_ics_text(f'{event.slug}@{host}')}",
            f"DTSTAMP:{last:%Y%m%d}T000000Z",
            f"DTSTART;VALUE=DATE:{first:%Y%m%d}",
            f"DTEND;VALUE=DATE:{last + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_text(event.title)}",
            f"DESCRIPTION:{_ics_text(description)}",
            f"URL;VALUE=URI:{self.link(event.url)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{_ics_text(event.location)}")
        if event.tags:
            lines.append("CATEGORIES:" + ",".join(_ics_text(t.name) for t in event.tags))
        status = self.config.status(event.status)
        if status is not None:  # RFC 5545: a confirmed event, or a tentative one
            lines.append(f"STATUS:{'TENTATIVE' if status.unconfirmed else 'CONFIRMED'}")
        lines.append("END:VEVENT")
        return "".join(_fold(line) for line in lines)

    # events.csv ------------------------------------------------------------------------

    def _csv(self, timeline: Timeline) -> Chunks:
        yield _csv_row(CSV_COLUMNS).encode()
        yield from self._pieces_of("csv", timeline.events, self._csv_line)

    def _csv_line(self, event: Event) -> str:
        date, image = event.date, event.image
        sources = " | ".join(
            " ".join(p for p in (s.publisher + ":" if s.publisher else "", s.title,
                                 f"<{s.url}>" if s.url else "") if p)
            for s in event.sources
        )  # fmt: skip
        when = self.site.dates.display(date)
        values = (
            event.slug, event.title, date.text, when, date.iso_earliest or "",
            date.iso_latest or "", _flag(date.approximate), _flag(date.uncertain), event.location,
            "; ".join(t.name for t in event.tags), "; ".join(self.names(event)), event.importance,
            event.status, event.summary,
            self.link(event.url), sources, self.asset(image) if image else "",
            image.alt if image else "", image.credit if image else "",
            image.caption if image else "",
        )  # fmt: skip
        return _csv_row(values)


register("events.ics", N_("Calendar (iCal)"))(Exporter._calendar)
register("events.json", N_("JSON"))(Exporter._events_json)
register("events.csv", N_("CSV"))(Exporter._csv)
register("timelinejs.json", N_("TimelineJS"))(Exporter._timelinejs)


def _json_list(opening: str, pieces: Iterator[bytes]) -> Chunks:
    """`{...,"events":[` then one item per line, then the closing brackets; each piece holds
    one item or several, joined by `JSON_SEPARATOR`."""
    yield opening.encode()
    separator = b"\n"
    for piece in pieces:
        yield separator
        yield piece
        separator = JSON_SEPARATOR
    yield b"\n]}\n"


def _csv_row(values: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def _ics_text(value: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    )  # fmt: skip


def _fold(line: str) -> str:
    """A content line folded at 75 octets (never inside a UTF-8 character), CRLF-ended."""
    data = line.encode()
    if len(data) <= 75:
        return line + "\r\n"
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74
    return "\r\n ".join(parts) + "\r\n"


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _era(timeline: Timeline, period: Period) -> dict[str, Any] | None:
    """A period as a TimelineJS era, which needs both ends: an open end stops at the last
    event's last day (an era with no events and an open end is left out).

    Both ends are whole days: TimelineJS reads a missing month or day as the first, so
    `2019-10` as an end would stop the era before its own events of October."""
    if period.date.start is None:
        return None
    last = period.date.latest
    if period.date.end is None:
        if not timeline.events:
            return None
        last = max(event.date.latest for event in timeline.events)
    return {
        "start_date": timelinejs_day(period.date.earliest),
        "end_date": timelinejs_day(last),
        "text": {"headline": html.escape(period.title), "text": html.escape(period.summary)},
    }


def timelinejs_day(day: YMD) -> dict[str, int]:
    """A whole day in TimelineJS's parts (its years BCE as in `timelinejs_date`)."""
    year, month, date = day
    return {"year": year if year > 0 else year - 1, "month": month, "day": date}


def _same_to_precision(start: dict[str, int], end: dict[str, int]) -> bool:
    """Whether TimelineJS would take the end for the start and drop it: it compares only
    the parts the start has (`2024` and `2024-06-01` are equal to it)."""
    return all(end.get(key) == value for key, value in start.items())


def timelinejs_date(point: Point) -> dict[str, int]:
    """TimelineJS date parts at the precision written (a year-only date has only `year`).

    TimelineJS counts years BCE as negative numbers without a year zero; EDTF counts
    astronomically (0 is 1 BCE), hence the shift for years before 1.
    """
    year = point.year if point.year > 0 else point.year - 1
    parts = {"year": year}
    if point.month:
        parts["month"] = point.month
        if point.day:
            parts["day"] = point.day
    return parts


def calendar_days(date: EventDate) -> tuple[dt.date, dt.date] | None:
    """First and last day of a date, when a calendar can hold it (years 1 to 9999)."""
    points = date.points
    if not points:
        return None
    first, last = points[0].earliest, points[-1].latest
    if not (1 <= first[0] <= 9999 and 1 <= last[0] <= 9999):
        return None
    return dt.date(*first), dt.date(*last)
