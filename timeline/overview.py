"""The overview strip: the whole timeline drawn to scale as inline SVG, made at build time.

The list says "8 months later"; the strip lets a reader *see* that 2019 was crowded and 2021
silent. It is a pure function of the events (and the periods, passed in as `Band`s) so it is
deterministic, cacheable and testable without a browser. It needs no JavaScript: every mark
is a link. Styling is left to the theme through classes and `currentColor`, so dark mode and
print can restyle it; the few presentation attributes here are only sensible defaults.

Horizontal position is linear in proleptic Gregorian day numbers (any year, BCE included).
Open ends are clipped to the edge and fade out; intervals are bars; approximate or uncertain
dates are soft, dashed marks. When marks would pile up (or there are more than
`HISTOGRAM_ABOVE` events) the strip becomes a density histogram of calendar-aligned bins,
so its size stays bounded (under 30 KB) whatever the number of events.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from unicodedata import east_asian_width

from markupsafe import Markup, escape

from .dates import MAX_DAY, MIN_DAY, YMD, EventDate, Point, days_in_month, iso_day
from .datetext import DateText
from .model import Event
from .runs import by_run
from .urls import encoded

HISTOGRAM_ABOVE = 500  # more events than this are always drawn as a histogram
DENSE_COLUMN = 6  # this many marks within one `COLUMN_PX` column means marks would overlap
COLUMN_PX = 4.0
MAX_LABELS = 10
MIN_TICKS = 3  # fewer ticks of a kind than this say too little: try a finer kind
MAX_BYTES = 30_000  # the most the strip may add to a page
MAX_TITLE = 160  # characters of a tooltip: titles are untrusted and may be long
MAX_BINS = 100  # bounds the histogram's size: each bin is about 150 bytes
MAX_MAJOR_IN_HISTOGRAM = 40  # major events stay visible over the histogram, up to this many
MIN_SPAN_DAYS = 30  # a lone event still gets a readable month around it
MARGIN_PX = 6.0
LABEL_FONT_PX = 11
LABEL_CHAR_PX = 6.6  # a generous average glyph width at LABEL_FONT_PX, to keep labels apart
LABEL_GAP_PX = 8.0
BAND_LANE_PX = 14.0
BAND_LANES = 2
AXIS_BELOW_PX = 20.0  # room under the axis line for tick labels
RADIUS = {"major": 5.0, "normal": 3.0, "minor": 2.0}
HEX_COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
CUMULATIVE_DAYS = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


@dataclass(frozen=True)
class Band:
    """What a period contributes to the strip: a coloured span with its name.

    `url` is site-relative without the base path (like `Event.url`), e.g. "periods/<slug>/";
    `color` is a CSS hex colour (anything else falls back to the theme's colour).
    """

    slug: str
    title: str
    date: EventDate
    color: str
    url: str


# Day numbers -------------------------------------------------------------------------------


def day_number(day: YMD) -> int:
    """Proleptic Gregorian day count, equal to `date.toordinal()` for years 1-9999.

    `datetime.date` stops at year 1, but EDTF allows BCE years (astronomical numbering: 0 is
    1 BCE), so this is computed directly and works for any integer year.
    """
    year, month, date = day
    before = year - 1
    leap = month > 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return (
        before * 365
        + before // 4
        - before // 100
        + before // 400
        + (CUMULATIVE_DAYS[month - 1] + leap + date)
    )


_KNOWN_DAYS: dict[str, tuple[int | None, int | None]] = {}


def known_days(date: EventDate) -> tuple[int | None, int | None]:
    """First day and the day after the last, or None for an open or unknown end.

    Kept by the date's text, which alone decides them: the preview draws the strip again
    after every edit, and a timeline of thousands of events repeats the same dates."""
    found = _KNOWN_DAYS.get(date.text)
    if found is None:
        first = day_number(date.earliest) if date.earliest != MIN_DAY else None
        after = day_number(date.latest) + 1 if date.latest != MAX_DAY else None
        found = _KNOWN_DAYS[date.text] = (first, after)
    return found


@dataclass(frozen=True)
class Scale:
    """Maps day numbers to x in the viewBox: linear between `first` and `last`."""

    first: int
    last: int
    left: float
    right: float

    def x(self, day: float) -> float:
        """Position of a day, clipped to the plot so open or far ends stay on the strip."""
        ratio = (day - self.first) / (self.last - self.first)
        return min(max(self.left + ratio * (self.right - self.left), self.left), self.right)


def _padded(days: list[int]) -> tuple[int, int] | None:
    """The span to draw: first to last known day, padded a little so edge marks show whole
    and an open end always has some length to fade over; None when nothing is known."""
    if not days:
        return None
    first, last = min(days), max(days)
    if last - first < MIN_SPAN_DAYS:
        middle = (first + last) // 2
        first, last = middle - MIN_SPAN_DAYS // 2, middle + MIN_SPAN_DAYS // 2
    pad = max(1, (last - first) // 40)
    return first - pad, last + pad


# Calendar units, for ticks and histogram bins ----------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A calendar step: `step` days, months or years, aligned to the calendar."""

    kind: str  # "day" | "month" | "year"
    step: int

    @property
    def approx_days(self) -> float:
        return self.step * {"day": 1.0, "month": 30.44, "year": 365.2425}[self.kind]


def units() -> Iterator[Unit]:
    """Candidate steps, finest first: days, weeks, months, then 1-2-5 (and 25) years."""
    for step in (1, 2, 7, 14):
        yield Unit("day", step)
    for step in (1, 2, 3, 6):
        yield Unit("month", step)
    power = 1
    while power <= 10**13:
        for factor in (1, 2, 5) if power < 10 else (1, 2, 2.5, 5):
            if factor * power == int(factor * power):
                yield Unit("year", int(factor * power))
        power *= 10


def boundaries(unit: Unit, first: int, last: int) -> list[tuple[int, YMD]]:
    """The calendar-aligned starts of `unit` between two day numbers (inclusive)."""
    found: list[tuple[int, YMD]] = []
    if unit.kind == "day":
        start = -(-first // unit.step) * unit.step
        return [(day, _ymd_of(day)) for day in range(start, last + 1, unit.step)]
    year, month, date = _ymd_of(first)
    if unit.kind == "year":
        shift = 1 if _ymd_of(last)[0] <= 0 else 0  # BCE-only spans: round BCE labels
        year += (month > 1 or date > 1) - shift
        year, month = -(-year // unit.step) * unit.step + shift, 1
    else:
        index = year * 12 + month - 1 + (date > 1)
        year, month = divmod(-(-index // unit.step) * unit.step, 12)
        month += 1
    while True:
        day = day_number((year, month, 1))
        if day > last:
            return found
        found.append((day, (year, month, 1)))
        if unit.kind == "year":
            year += unit.step
        else:
            year, month = divmod(year * 12 + month - 1 + unit.step, 12)
            month += 1


def _ymd_of(day: int) -> YMD:
    """The calendar day of a day number (inverse of `day_number`), for any year."""
    year = (day * 400) // 146097 + 1
    while day_number((year, 1, 1)) > day:
        year -= 1
    while day_number((year + 1, 1, 1)) <= day:
        year += 1
    rest = day - day_number((year, 1, 1))
    month = 1
    while rest >= days_in_month(year, month):
        rest -= days_in_month(year, month)
        month += 1
    return (year, month, rest + 1)


# Ticks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    label_x: float


def tick_label(unit: Unit, day: YMD, first: bool, dates: DateText) -> str:
    """Short text for a tick: a year, `Feb` (`Jan` shows the year), or `3 Feb`, in the
    site's language."""
    year, month, _ = day
    if unit.kind == "year" or (unit.kind == "month" and month == 1):
        return dates.year_number(year)
    if unit.kind == "month":
        return dates.skeleton("yMMM", day) if first else dates.month_name(month, "abbreviated")
    return dates.skeleton("yMMMd" if first else "MMMd", day)


def label_width(label: str) -> float:
    """Roughly how wide a label is drawn: CJK characters take twice a Latin letter's room."""
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in label) * LABEL_CHAR_PX


def ticks(scale: Scale, dates: DateText) -> tuple[Tick, ...]:
    """Ticks in the coarsest calendar kind that gives at least MIN_TICKS of them (years, else
    months, else days), at the finest step whose labels fit: at most MAX_LABELS, none
    overlapping. So three months get months, five years get years, three centuries 50 years.
    """
    span = scale.last - scale.first
    for kind in ("year", "month", "day"):
        for unit in units():
            if unit.kind != kind or span / unit.approx_days > MAX_LABELS + 1:
                continue
            placed = _place_labels(unit, scale, dates)
            if placed is not None and len(placed) >= MIN_TICKS:
                return placed
    return ()


def _place_labels(unit: Unit, scale: Scale, dates: DateText) -> tuple[Tick, ...] | None:
    """Ticks of `unit` with labels centred on them (nudged inside the strip), or None when
    they are too many or would overlap."""
    found = boundaries(unit, scale.first, scale.last)
    if not found or len(found) > MAX_LABELS:
        return None
    placed: list[Tick] = []
    for index, (day, ymd) in enumerate(found):
        x = scale.x(day)
        label = tick_label(unit, ymd, index == 0, dates)
        half = label_width(label) / 2
        label_x = min(max(x, half), scale.right + MARGIN_PX - half)
        if placed and placed[-1].label_x + label_width(placed[-1].label) / 2 + LABEL_GAP_PX > (
            label_x - half
        ):
            return None
        placed.append(Tick(x, label, label_x))
    return tuple(placed)


# Histogram bins ----------------------------------------------------------------------------


def bin_unit(first: int, last: int) -> Unit:
    """The finest calendar unit giving at most MAX_BINS bins over the span."""
    for unit in units():
        rough = (last - first) / unit.approx_days
        if rough <= MAX_BINS - 2 and len(boundaries(unit, first, last)) <= MAX_BINS - 1:
            return unit
    return Unit("year", 10**13)


def bin_label(unit: Unit, start: YMD, end: YMD, dates: DateText) -> str:
    """What a bin covers, in words: `2019`, `2010–2019`, `February 2019`, `3 February 2019`."""
    if unit.kind == "year":
        return dates.year(start[0]) if unit.step == 1 else dates.years_range(start[0], end[0])
    if unit.kind == "month":
        return dates.month(start[0], start[1]) if unit.step == 1 else dates.months_range(start, end)
    return dates.day(start) if unit.step == 1 else dates.days_range(start, end)


def anchor_day(date: EventDate) -> int:
    """The day an event is counted under: its first day (as the list files it under its
    start year), or its last known day when the start is open."""
    first, after = known_days(date)
    return first if first is not None else (after or 1) - 1


# Drawing -----------------------------------------------------------------------------------


def num(value: float) -> str:
    """A coordinate rounded to 0.1, written short (`12`, `12.5`), so output is stable."""
    text = f"{round(value, 1):.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class Frame:
    """Where things go vertically: band lanes on top, marks in the middle, the axis below."""

    width: int
    height: int
    band_lanes: int

    @property
    def plot_top(self) -> float:
        return self.band_lanes * BAND_LANE_PX + 4

    @property
    def baseline(self) -> float:
        return self.height - AXIS_BELOW_PX

    @property
    def middle(self) -> float:
        return (self.plot_top + self.baseline) / 2


CACHE_SIZE = 256  # strips and summaries kept between preview rebuilds (one a list page)
_DRAWN: dict[tuple[object, ...], str] = {}


def _remembered(key: tuple[object, ...], make: Callable[[], str]) -> str:
    """The preview redraws every list page's strip after each edit, and most edits change
    nothing it shows (a body, a title drawn only as a histogram bar): such strips are kept
    by what they show."""
    found = _DRAWN.get(key)
    if found is None:
        if len(_DRAWN) >= CACHE_SIZE:
            _DRAWN.clear()
        found = _DRAWN[key] = make()
    return found


@dataclass(frozen=True)
class Overview:
    """A list page's strip, drawn when its page is rendered rather than when pages are
    planned: list pages render in worker processes, so their strips are drawn in parallel.

    Only `shows`, a digest of what the strip shows, takes part in comparing it (and so in
    its page's key, see `keys.atoms`): a page is rendered again only when its strip would
    change. Templates use it as the `<svg>` text, or as false when there is nothing to
    draw."""

    shows: str
    events: Sequence[Event] = field(compare=False, repr=False)
    bands: tuple[Band, ...] = field(compare=False, repr=False)
    dates: DateText = field(compare=False, repr=False)
    base_path: str = field(compare=False, repr=False)
    width: int = field(compare=False, repr=False)
    height: int = field(compare=False, repr=False)

    def __html__(self) -> str:
        return _remembered(("svg", self.shows), self._draw)

    __str__ = __html__

    def __bool__(self) -> bool:
        return bool(self.__html__())

    def _draw(self) -> str:
        return _overview_svg(
            self.events, self.bands, self.dates, self.base_path, self.width, self.height
        )


def overview(
    events: Sequence[Event],
    bands: Sequence[Band] = (),
    *,
    dates: DateText,
    base_path: str = "/",
    width: int = 1000,
    height: int = 96,
) -> Overview:
    """The overview strip of `events`, drawn when shown (see `Overview`): as text, a
    complete `<svg>` element, or "" when there is nothing to draw (no events and no bands),
    so that a template can simply skip the figure. The template wraps it in a `<figure>`
    with `overview_summary` as its caption."""
    scale = _scale_of(events, bands, width)
    dense, titled = _marked(events, scale) if scale is not None else (False, ())
    settings = (dates.language.fingerprint, tuple(bands), base_path, width, height)
    digest = hashlib.blake2b(repr(settings).encode(), digest_size=16)
    if dense and scale is not None:
        # A histogram, with the marks of a few events over it: what it draws is its span,
        # the count in each bin and those events, not where in its bin each event falls
        # (a date moved within its month leaves every page of a long timeline as it was).
        counts = _bin_counts(events, _bin_starts(scale))
        digest.update(repr((scale.first, scale.last, counts)).encode())
        drawn = (f"{e.slug}\x1f{e.title}\x1f{e.date.text}\x1f{e.importance}" for e in titled)
        digest.update("\x1d".join(drawn).encode())
    else:
        # The events' runs' marks, then the titles drawn (see `_Run`): this is worked out
        # for every list after each edit in the preview, so it is kept plain.
        digest.update("".join(run.marks for run in _runs(events)).encode() + b"\x1d")
        digest.update("\x1d".join(f"{e.slug}\x1f{e.title}" for e in titled).encode())
    return Overview(digest.hexdigest(), events, tuple(bands), dates, base_path, width, height)


def _overview_svg(
    events: Sequence[Event],
    bands: Sequence[Band],
    dates: DateText,
    base_path: str,
    width: int,
    height: int,
) -> str:
    scale = _scale_of(events, bands, width)
    if scale is None:
        return ""
    frame = Frame(width, height, min(len(bands), BAND_LANES))
    ground = [
        _defs(),
        *_draw_bands(bands, scale, frame, base_path, dates),
        *_draw_axis(scale, frame, dates),
    ]
    dense, marked = _marked(events, scale)
    if not dense:
        svg = _svg(scale, frame, [*ground, *_draw_marks(events, scale, frame, base_path, dates)])
        if len(svg.encode()) <= MAX_BYTES:
            return svg
        marked = _few_majors(events)
    histogram = [*ground, _draw_histogram(events, scale, frame, dates)]
    if marked:
        svg = _svg(
            scale, frame, [*histogram, *_draw_marks(marked, scale, frame, base_path, dates)], True
        )
        if len(svg.encode()) <= MAX_BYTES:
            return svg
    return _svg(scale, frame, histogram, True)


@dataclass(frozen=True)
class _Run:
    """What a strip's digest, scale and summary need of a run of events (see `runs.py`)."""

    marks: str  # a digest of each event's slug, date and importance (what the strip draws)
    dates: str  # a digest of each event's date text (what the summary says)
    known: tuple[int, ...]  # the first and last known day, or () when none is known
    majors: tuple[Event, ...]


def _runs(events: Sequence[Event]) -> list[_Run]:
    return by_run(events, "overview", _run_facts)


def _run_facts(events: tuple[Event, ...]) -> _Run:
    # No field holds a control character (titles with one are refused; slugs, dates and
    # importance are checked), so the separators keep the fields apart.
    marks = "\x1e".join(f"{e.slug}\x1f{e.date.text}\x1f{e.importance}" for e in events)
    dates = "\x1e".join(e.date.text for e in events)
    days = [d for e in events for d in known_days(e.date) if d is not None]
    known = (min(days), max(days)) if days else ()
    majors = tuple(e for e in events if e.importance == "major")
    return _Run(_digest(marks), _digest(dates), known, majors)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _scale_of(events: Sequence[Event], bands: Sequence[Band], width: int) -> Scale | None:
    """The strip's time scale, or None when nothing has a date to draw."""
    days = [d for run in _runs(events) for d in run.known]
    days += [d for band in bands for d in known_days(band.date) if d is not None]
    known = _padded(days)
    return None if known is None else Scale(known[0], known[1], MARGIN_PX, width - MARGIN_PX)


def _marked(events: Sequence[Event], scale: Scale) -> tuple[bool, Sequence[Event]]:
    """Whether the strip is a histogram, and the events it draws one by one, titles and all:
    every event while they are few and apart; over a histogram, the major ones while they
    are few; else none. (A strip over `MAX_BYTES` falls back to drawing fewer.)"""
    if len(events) <= HISTOGRAM_ABOVE and not _crowded(events, scale):
        return False, events
    return True, _few_majors(events)


def _few_majors(events: Sequence[Event]) -> list[Event]:
    majors = [e for run in _runs(events) for e in run.majors]
    return majors if len(majors) <= MAX_MAJOR_IN_HISTOGRAM else []


def _svg(scale: Scale, frame: Frame, parts: list[str], dense: bool = False) -> str:
    """The `<svg>` element around the drawn parts; the span is in data attributes for JS."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="overview{" overview--density" * dense}"'
        f' viewBox="0 0 {frame.width} {frame.height}" data-from="{iso_day(_ymd_of(scale.first))}"'
        f' data-to="{iso_day(_ymd_of(scale.last - 1))}">{"".join(parts)}</svg>'
    )


def _crowded(events: Sequence[Event], scale: Scale) -> bool:
    """Whether individual marks would pile up: too many in one narrow column."""
    columns: dict[int, int] = {}
    for event in events:
        column = int(_centre(event.date, scale) // COLUMN_PX)
        columns[column] = columns.get(column, 0) + 1
    return any(count >= DENSE_COLUMN for count in columns.values())


def _defs() -> str:
    """Masks that fade an open end to nothing, whatever colour CSS gives the mark."""
    fades = []
    for name, (x1, x2) in (("end", ("0", "1")), ("start", ("1", "0"))):
        fades.append(
            f'<linearGradient id="overview-fade-{name}-g" x1="{x1}" x2="{x2}">'
            '<stop offset="0.4" stop-color="#fff"/><stop offset="1" stop-color="#000"/>'
            "</linearGradient>"
            f'<mask id="overview-fade-{name}" maskContentUnits="objectBoundingBox">'
            f'<rect width="1" height="1" fill="url(#overview-fade-{name}-g)"/></mask>'
        )
    return f"<defs>{''.join(fades)}</defs>"


def _fade(date: EventDate) -> str:
    """The mask attribute for an interval with an open end (both ends: fade the end)."""
    first, after = known_days(date)
    if after is None:
        return ' mask="url(#overview-fade-end)"'
    if first is None:
        return ' mask="url(#overview-fade-start)"'
    return ""


def _data(slug: str, date: EventDate) -> str:
    """Attributes for scripts: which event, and its known first and last days (ISO)."""
    attrs = f' data-slug="{escape(slug)}"'
    if date.iso_earliest:
        attrs += f' data-from="{date.iso_earliest}"'
    if date.iso_latest:
        attrs += f' data-to="{date.iso_latest}"'
    return attrs


def _draw_axis(scale: Scale, frame: Frame, dates: DateText) -> Iterator[str]:
    """The time axis: a line, and ticks with labels chosen for the span."""
    y = frame.baseline
    yield '<g class="overview__axis" fill="currentColor" stroke="currentColor">'
    yield (
        f'<line class="overview__axis-line" x1="{num(scale.left)}" x2="{num(scale.right)}"'
        f' y1="{num(y)}" y2="{num(y)}"/>'
    )
    for tick in ticks(scale, dates):
        yield (
            f'<g class="overview__tick"><line x1="{num(tick.x)}" x2="{num(tick.x)}"'
            f' y1="{num(y)}" y2="{num(y + 4)}"/><text x="{num(tick.label_x)}" y="{num(y + 15)}"'
            f' text-anchor="middle" stroke="none" font-size="{LABEL_FONT_PX}">'
            f"{escape(tick.label)}</text></g>"
        )
    yield "</g>"


def _draw_bands(
    bands: Sequence[Band], scale: Scale, frame: Frame, base_path: str, dates: DateText
) -> Iterator[str]:
    """Periods as coloured spans behind the marks, each named in a lane along the top."""
    lanes: list[float] = []
    for band in bands:
        first, after = known_days(band.date)
        x1 = scale.x(first if first is not None else scale.first)
        x2 = max(scale.x(after if after is not None else scale.last), x1 + 1)
        lane = _lane(lanes, x1, x2)
        color = band.color if HEX_COLOR_RE.match(band.color) else "currentColor"
        top = lane * BAND_LANE_PX
        title = _tooltip(band.title, band.date, dates)
        label = escape(_truncate(band.title, x2 - x1 - 6))
        href = escape(base_path + encoded(band.url))
        yield (
            f'<a class="overview__band" href="{href}" tabindex="-1"'
            f"{_data(band.slug, band.date)}><title>{title}</title>"
            f'<g fill="{escape(color)}"{_fade(band.date)}>'
            f'<rect class="overview__band-span" x="{num(x1)}" y="{num(top)}"'
            f' width="{num(x2 - x1)}" height="{num(frame.baseline - top)}" fill-opacity="0.12"/>'
            f'<rect class="overview__band-label-bg" x="{num(x1)}" y="{num(top)}"'
            f' width="{num(x2 - x1)}" height="{num(BAND_LANE_PX - 1)}" fill-opacity="0.35"/></g>'
        )
        if label:
            yield (
                f'<text class="overview__band-label" x="{num(x1 + 3)}" y="{num(top + 10)}"'
                f' font-size="10" fill="currentColor">{label}</text>'
            )
        yield "</a>"


def _lane(lanes: list[float], x1: float, x2: float) -> int:
    """The first lane free at x1 (bands overlapping everything share the last lane)."""
    for index, end in enumerate(lanes):
        if end <= x1:
            lanes[index] = x2
            return index
    if len(lanes) < BAND_LANES:
        lanes.append(x2)
        return len(lanes) - 1
    lanes[-1] = max(lanes[-1], x2)
    return len(lanes) - 1


def _truncate(text: str, room: float) -> str:
    """As much of a title as fits in `room` pixels, with an ellipsis when cut."""
    fits = int(room // (LABEL_CHAR_PX * 10 / LABEL_FONT_PX))
    if len(text) <= fits:
        return text
    return text[: fits - 1].rstrip() + "…" if fits >= 3 else ""


def _centre(date: EventDate, scale: Scale) -> float:
    """Where a point mark sits: the middle of the days its date allows."""
    first, after = known_days(date)
    if first is None:
        first = (after or 1) - 1
    if after is None:
        after = first + 1
    return (scale.x(first) + scale.x(after)) / 2


def _draw_marks(
    events: Sequence[Event], scale: Scale, frame: Frame, base_path: str, dates: DateText
) -> Iterator[str]:
    """One linked mark per event; intervals (bars) first, then points, major ones on top."""
    ordered = sorted(
        range(len(events)),
        key=lambda i: (not events[i].date.interval, events[i].importance == "major", i),
    )
    lanes: list[float] = []
    yield '<g class="overview__marks" fill="currentColor">'
    for index in ordered:
        event = events[index]
        if event.date.interval:  # its lane depends on the bars before it
            yield _link(event, base_path, dates) + _bar(event, scale, frame, lanes) + "</a>"
        else:
            yield _point_mark(event, scale, frame, base_path, dates)
    yield "</g>"


def _link(event: Event, base_path: str, dates: DateText) -> str:
    return (
        f'<a href="{escape(base_path + encoded(event.url))}" tabindex="-1">'
        f"<title>{_tooltip(event.title, event.date, dates)}</title>"
    )


_MARKS: dict[tuple[object, ...], str] = {}
MARKS_KEPT = 65536


def _point_mark(event: Event, scale: Scale, frame: Frame, base_path: str, dates: DateText) -> str:
    """A point's linked mark, kept by the very event (which compares by identity), the
    strip's scale and frame and its settings: after an edit, the preview draws again the
    strips of the edited event's lists, and their other marks stand."""
    key = (event, scale, frame, base_path, dates.language.fingerprint)
    found = _MARKS.get(key)
    if found is None:
        if len(_MARKS) >= MARKS_KEPT:
            _MARKS.clear()
        found = _MARKS[key] = _link(event, base_path, dates) + _point(event, scale, frame) + "</a>"
    return found


def _tooltip(title: str, date: EventDate, dates: DateText) -> Markup:
    """`Title (date)`, escaped, the title cut to MAX_TITLE characters to bound the size."""
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    return escape(f"{title} ({dates.display(date)})")


def _classes(event: Event) -> str:
    """`overview__mark`, plus `--major`/`--minor` and `--fuzzy` when they apply (a bar is a
    `rect`, a point a `circle`: CSS can tell them apart without more bytes per mark)."""
    classes = "overview__mark"
    if event.importance != "normal":
        classes += f" overview__mark--{event.importance}"
    if event.date.approximate or event.date.uncertain:
        classes += " overview__mark--fuzzy"
    return classes


def _soft(event: Event) -> str:
    """Approximate or uncertain dates are drawn soft: translucent with a dashed outline."""
    if event.date.approximate or event.date.uncertain:
        return ' fill-opacity="0.35" stroke="currentColor" stroke-dasharray="2 1.5"'
    return ""


def _point(event: Event, scale: Scale, frame: Frame) -> str:
    radius = RADIUS.get(event.importance, RADIUS["normal"])
    return (
        f'<circle class="{_classes(event)}"{_data(event.slug, event.date)}'
        f' cx="{num(_centre(event.date, scale))}" cy="{num(frame.middle)}" r="{num(radius)}"'
        f"{_soft(event)}/>"
    )


def _bar(event: Event, scale: Scale, frame: Frame, lanes: list[float]) -> str:
    """An interval as a bar from its first to its last day, in a lane free of other bars."""
    first, after = known_days(event.date)
    x1 = scale.x(first if first is not None else scale.first)
    thick = RADIUS.get(event.importance, RADIUS["normal"]) * 2
    x2 = max(scale.x(after if after is not None else scale.last), x1 + thick)  # stays visible
    offsets = _bar_offsets(frame)
    lane = _lane_free(lanes, x1, x2, len(offsets))
    y = frame.middle + offsets[lane] - thick / 2
    return (
        f'<rect class="{_classes(event)}"{_data(event.slug, event.date)}'
        f' x="{num(x1)}" y="{num(y)}" width="{num(x2 - x1)}" height="{num(thick)}" rx="1"'
        f"{_soft(event)}{_fade(event.date)}/>"
    )


def _bar_offsets(frame: Frame) -> tuple[float, ...]:
    """Vertical offsets of the bar lanes from the middle line: 0, +pitch, -pitch, ..."""
    room = (frame.baseline - frame.plot_top) / 2 - 6
    pitch = 8.0
    offsets = [0.0]
    step = 1
    while step * pitch <= room and len(offsets) < 7:
        offsets += [step * pitch, -step * pitch]
        step += 1
    return tuple(offsets)


def _lane_free(lanes: list[float], x1: float, x2: float, count: int) -> int:
    """The first of `count` lanes whose last bar ends before x1 (else the emptiest-looking)."""
    for index in range(count):
        if index == len(lanes):
            lanes.append(x2)
            return index
        if lanes[index] + 2 <= x1:
            lanes[index] = x2
            return index
    best = min(range(count), key=lambda i: lanes[i])
    lanes[best] = max(lanes[best], x2)
    return best


def _draw_histogram(events: Sequence[Event], scale: Scale, frame: Frame, dates: DateText) -> str:
    """Events counted into calendar bins, bar height proportional to the count; kept by
    the counts, so that redrawing a strip for the marks over it (a major event's new title,
    or point marks that came out too large) does not draw the bars again."""
    starts = _bin_starts(scale)
    counts = _bin_counts(events, starts)
    key = ("histogram", scale, frame, counts, dates.language.fingerprint)
    return _remembered(key, lambda: "".join(_bars(scale, frame, starts, counts, dates)))


def _bars(
    scale: Scale, frame: Frame, starts: tuple[int, ...], counts: tuple[int, ...], dates: DateText
) -> Iterator[str]:
    unit = bin_unit(scale.first, scale.last)
    tallest = max(counts) or 1
    room = frame.baseline - frame.plot_top
    yield '<g class="overview__density" fill="currentColor">'
    for index, count in enumerate(counts):
        if not count:
            continue
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else scale.last
        x1, x2 = scale.x(start), scale.x(end)
        tall = max(1.0, room * count / tallest)
        label = bin_label(unit, _ymd_of(start), _ymd_of(end - 1), dates)
        counted = dates.language.ngettext("%(num)d event", "%(num)d events", count) % {"num": count}
        yield (
            f'<rect class="overview__bin" x="{num(x1)}" y="{num(frame.baseline - tall)}"'
            f' width="{num(max(0.5, x2 - x1 - 0.5))}" height="{num(tall)}"'
            f' data-from="{iso_day(_ymd_of(start))}" data-to="{iso_day(_ymd_of(end - 1))}"'
            f' data-count="{count}">'
            f"<title>{escape(label)}: {escape(counted)}</title></rect>"
        )
    yield "</g>"


def _bin_starts(scale: Scale) -> tuple[int, ...]:
    """The first day of each of the histogram's calendar bins."""
    edges = boundaries(bin_unit(scale.first, scale.last), scale.first, scale.last)
    return (scale.first, *(day for day, _ in edges if day > scale.first))


def _bin_counts(events: Sequence[Event], starts: tuple[int, ...]) -> tuple[int, ...]:
    """How many events fall in each bin (`starts`): counted run by run (`runs.py`), each
    run's counts kept for these very bins, so that an edit counts one run again."""
    kind = f"bins {hashlib.blake2b(repr(starts).encode(), digest_size=16).hexdigest()}"
    totals = [0] * len(starts)
    for counts in by_run(events, kind, lambda run: _counted(run, starts)):
        for index, count in counts:
            totals[index] += count
    return tuple(totals)


def _counted(events: tuple[Event, ...], starts: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """The bins (by index) the events fall in, with how many fall in each."""
    counts: dict[int, int] = {}
    for event in events:
        index = max(0, bisect.bisect_right(starts, anchor_day(event.date)) - 1)
        counts[index] = counts.get(index, 0) + 1
    return tuple(sorted(counts.items()))


# The text alternative ----------------------------------------------------------------------


def overview_summary(events: Sequence[Event], bands: Sequence[Band], dates: DateText) -> str:
    """What the strip shows, in words (see `_overview_summary`), kept by the dates."""
    key = ("summary", dates.language.fingerprint, tuple(r.dates for r in _runs(events)),
           tuple(bands))  # fmt: skip
    return _remembered(key, lambda: _overview_summary(events, bands, dates))


def _overview_summary(events: Sequence[Event], bands: Sequence[Band], dates: DateText) -> str:
    """What the strip shows, in words, for its caption and screen readers.

    "26 events from November 2017 to April 2025; busiest year 2019 (9 events)." With bands:
    "...; by period: Summit diplomacy (2018–2019) 7, ...; 3 in no period."
    """
    _, n_ = dates.language.gettext, dates.language.ngettext
    if not events:
        return _("No events.")
    spans = by_run(events, "span", _span_of)
    text = _span_text(len(events), spans, dates)
    if bands:
        within, outside = _band_counts(events, bands)
        counts = dates.language.gettext(", ").join(
            f"{band.title} ({dates.display(band.date)}) {count}"
            for band, count in zip(bands, within, strict=True)
        )
        text += _("; by period: %(periods)s") % {"periods": counts}
        if outside:
            text += n_("; %(num)d in no period", "; %(num)d in no period", outside) % {
                "num": outside
            }
    else:
        text += _busiest_year(spans, dates)
    return _("%(summary)s.") % {"summary": text}


@dataclass(frozen=True)
class _Span:
    """What the summary needs of a run of events: its first start and last end (the first
    such point in the run's order, as `min` and `max` pick them), and its events per year."""

    first: Point | None
    last: Point | None
    per_year: dict[int, int]


def _span_of(events: tuple[Event, ...]) -> _Span:
    starts = [e.date.start for e in events if e.date.start]
    ends = [p for e in events for p in e.date.points]
    per_year: dict[int, int] = {}
    for event in events:
        if event.year is not None:
            per_year[event.year] = per_year.get(event.year, 0) + 1
    return _Span(
        min(starts, key=_earliest) if starts else None,
        max(ends, key=_latest) if ends else None,
        per_year,
    )


def _earliest(point: Point) -> YMD:
    return point.earliest


def _latest(point: Point) -> YMD:
    return point.latest


def _span_text(count: int, spans: list[_Span], dates: DateText) -> str:
    """`26 events from November 2017 to April 2025`, or `in 2019`, at the precision the
    dates give (from the runs' `spans`: a new date works out its run again, not all)."""
    n_ = dates.language.ngettext
    starts = [span.first for span in spans if span.first is not None]
    ends = [span.last for span in spans if span.last is not None]
    if not starts or not ends:
        return n_("%(num)d event with open dates", "%(num)d events with open dates", count) % {
            "num": count
        }
    first = min(starts, key=_earliest)
    last = max(ends, key=_latest)
    first_text = _month_text(first.earliest, first.month, dates)
    last_text = _month_text(last.latest, last.month, dates)
    if first_text == last_text:
        return n_("%(num)d event in %(when)s", "%(num)d events in %(when)s", count) % {
            "num": count, "when": first_text
        }  # fmt: skip
    return n_(
        "%(num)d event from %(first)s to %(last)s", "%(num)d events from %(first)s to %(last)s",
        count,
    ) % {"num": count, "first": first_text, "last": last_text}  # fmt: skip


def _month_text(day: YMD, month: int | None, dates: DateText) -> str:
    return dates.month(day[0], day[1]) if month else dates.year(day[0])


def _busiest_year(spans: list[_Span], dates: DateText) -> str:
    per_year: dict[int, int] = {}
    for span in spans:
        for year, count in span.per_year.items():
            per_year[year] = per_year.get(year, 0) + count
    if len(per_year) < 2:
        return ""
    year = min(per_year, key=lambda y: (-per_year[y], y))
    count = per_year[year]
    events_text = dates.language.ngettext("%(num)d event", "%(num)d events", count) % {"num": count}
    return dates.language.gettext("; busiest year %(year)s (%(count)s)") % {
        "year": dates.year(year), "count": events_text
    }  # fmt: skip


def _band_counts(events: Sequence[Event], bands: Sequence[Band]) -> tuple[list[int], int]:
    """How many events lie within each band, and in none; counted run by run, each run's
    counts kept for these very bands' dates."""
    dated = repr([band.date.text for band in bands])
    kind = f"bands {hashlib.blake2b(dated.encode(), digest_size=16).hexdigest()}"
    within, outside = [0] * len(bands), 0
    for counts, none in by_run(events, kind, lambda run: _in_bands(run, bands)):
        within = [total + count for total, count in zip(within, counts, strict=True)]
        outside += none
    return within, outside


def _in_bands(events: tuple[Event, ...], bands: Sequence[Band]) -> tuple[list[int], int]:
    counts = [sum(_within(e.date, band.date) for e in events) for band in bands]
    return counts, sum(not any(_within(e.date, b.date) for b in bands) for e in events)


def _within(date: EventDate, period: EventDate) -> bool:
    """Whether an event belongs to a period: the first day its date allows lies within the
    period (open ends reach without limit), the rule of `model.Period.contains`."""
    return period.earliest <= date.earliest <= period.latest
