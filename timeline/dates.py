"""Honest dates: EDTF text -> `EventDate` with sort keys, earliest/latest days and display text.

Parsing is delegated to the `edtf` package (Library of Congress EDTF levels 0 and 1). This module
adds what a timeline needs on top: a calendar check edtf skips (it accepts 29 February 2019),
intervals that end before they start, sort keys that also work for open ends and years
outside 1..9999, and display text that never claims more precision than the author gave.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .errors import DateError

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
SEASONS = {21: "Spring", 22: "Summer", 23: "Autumn", 24: "Winter"}
YMD = tuple[int, int, int]
MIN_DAY: YMD = (-(10**12), 1, 1)
MAX_DAY: YMD = (10**12, 12, 31)
POINT_RE = re.compile(
    r"^(?P<year>Y?-?[0-9X]+)(?:-(?P<month>[0-9X]{2}))?(?:-(?P<day>[0-9X]{2}))?"
    r"(?:T(?P<time>\d\d:\d\d)(?::\d\d(?:\.\d+)?)?(?P<zone>Z|[+-]\d\d(?::?\d\d)?)?)?$"
)
SIMPLE_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d\d)(?:-(?P<day>\d\d))?)?(?P<flag>[?~%])?$")
EXAMPLES = "2019-02-28, 2019-02, 2019, 2019-02~, 2019? or 2019-02-27/2019-02-28"


@dataclass(frozen=True)
class Point:
    """One end of a date: as precise as the author wrote it, and no more."""

    year: int
    month: int | None
    day: int | None
    season: int | None
    unspecified: str | None
    time: str | None
    approximate: bool
    uncertain: bool
    earliest: YMD
    latest: YMD

    @property
    def text(self) -> str:
        """Readable text, qualified: `c. February 2019`, `2019?`."""
        text = self.plain_text
        if self.approximate:
            text = "c. " + text
        if self.uncertain:
            text += "?"
        return text

    @property
    def plain_text(self) -> str:
        """Readable text without the approximate/uncertain qualifiers."""
        if self.unspecified:
            return _unspecified_text(self)
        year = year_text(self.year)
        if self.season:
            return f"{SEASONS[self.season]} {year}"
        if self.month is None:
            return year
        if self.day is None:
            return f"{MONTHS[self.month - 1]} {year}"
        text = f"{self.day} {MONTHS[self.month - 1]} {year}"
        return f"{text}, {self.time}" if self.time else text

    @property
    def machine(self) -> str | None:
        """A valid HTML `datetime` value for this point, when one exists."""
        if self.unspecified or self.season or not 1 <= self.year <= 9999:
            return None
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def qualified(self) -> bool:
        return self.approximate or self.uncertain


@dataclass(frozen=True)
class EventDate:
    """A validated EDTF date or interval; `start`/`end` are None for open or unknown ends."""

    text: str
    start: Point | None
    end: Point | None
    interval: bool
    start_open: str = ""
    end_open: str = ""

    @property
    def earliest(self) -> YMD:
        """First day the date allows (a very early sentinel for an open start)."""
        return self.start.earliest if self.start else MIN_DAY

    @property
    def latest(self) -> YMD:
        """Last day the date allows (a very late sentinel for an open end)."""
        end = self.end if self.interval else self.start
        return end.latest if end else MAX_DAY

    @property
    def approximate(self) -> bool:
        return any(p.approximate for p in self.points)

    @property
    def uncertain(self) -> bool:
        return any(p.uncertain for p in self.points)

    @property
    def points(self) -> tuple[Point, ...]:
        return tuple(p for p in (self.start, self.end) if p is not None)

    @property
    def qualifier(self) -> str:
        """In words: '', 'approximate', 'uncertain' or 'approximate and uncertain'."""
        words = [
            w for w, on in (("approximate", self.approximate), ("uncertain", self.uncertain)) if on
        ]
        return " and ".join(words)

    @property
    def display(self) -> str:
        """The date for readers: `28 February 2019`, `c. February 2019`, `27–28 February 2019`."""
        if not self.interval:
            assert self.start is not None
            return self.start.text
        return _interval_text(self)

    @property
    def duration(self) -> str:
        """How long a closed interval lasts, in words ("4 days", "about 3 months"); else ''."""
        if not (self.interval and self.start and self.end):
            return ""
        start, end = self.start, self.end
        if start.day and end.day and not (start.qualified or end.qualified):
            days = _ordinal(end.latest) - _ordinal(start.earliest) + 1
            if days < 60:
                return f"{days} day{'s' * (days != 1)}"
        months = (end.latest[0] - start.earliest[0]) * 12 + end.latest[1] - start.earliest[1] + 1
        if months < 24:
            return f"about {months} month{'s' * (months != 1)}"
        return f"about {round(months / 12)} years"

    @property
    def iso_earliest(self) -> str | None:
        return iso_day(self.earliest) if self.start else None

    @property
    def iso_latest(self) -> str | None:
        end = self.end if self.interval else self.start
        return iso_day(self.latest) if end else None

    @cached_property
    def years(self) -> tuple[int, ...]:
        """Every year the known ends touch (capped, so a vague date cannot flood filters)."""
        first = min(p.earliest[0] for p in self.points)
        last = max(p.latest[0] for p in self.points)
        return tuple(range(first, min(last, first + 200) + 1))


def _ordinal(day: YMD) -> int:
    """Days since a fixed origin, for any year (datetime.date stops at 1..9999)."""
    year, month, date = day
    years_before = year - 1
    leap_days = years_before // 4 - years_before // 100 + years_before // 400
    months_before = sum(days_in_month(year, m) for m in range(1, month))
    return years_before * 365 + leap_days + months_before + date


def year_text(year: int) -> str:
    """Astronomical year numbering (EDTF) to readable text: 0 is 1 BCE, -43 is 44 BCE."""
    return f"{1 - year} BCE" if year <= 0 else str(year)


def iso_day(day: YMD) -> str:
    """ISO 8601 day, with the expanded signed year form outside 0000..9999."""
    year, month, date = day
    if 0 <= year <= 9999:
        return f"{year:04d}-{month:02d}-{date:02d}"
    return f"{year:+05d}-{month:02d}-{date:02d}"


def normalise(value: object) -> str:
    """The EDTF text of a frontmatter value; YAML turns unquoted dates into date objects."""
    if isinstance(value, bool):
        raise DateError(f"must be an EDTF date such as {EXAMPLES}, not true/false")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return f"{value:04d}" if value >= 0 else f"-{abs(value):04d}"
    if isinstance(value, str):
        return value.strip()
    kind = {list: "a list", dict: "a mapping", float: "a number"}.get(
        type(value), type(value).__name__
    )
    raise DateError(f"must be an EDTF date such as {EXAMPLES}, not {kind}")


def parse_date(value: object) -> EventDate:
    """Validate a frontmatter date value; raise `DateError` with an author-facing message."""
    return _parse_text(normalise(value))


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> EventDate:
    if not text:
        raise DateError(f"is empty; write a date such as {EXAMPLES}")
    return _parse_simple(text) or parse_with_edtf(text)


def _parse_simple(text: str) -> EventDate | None:
    """Days, months and years, qualified or not, alone or as an interval: most real dates.

    The edtf grammar (pyparsing) takes about 25 ms a date, which would dominate a build of
    thousands of events, so these shapes are read directly; everything else, and every
    error message for text that is not of these shapes, comes from edtf. The tests check
    that both ways agree.
    """
    parts = text.split("/")
    if len(parts) > 2:
        return None
    points = [_simple_point(part, text) for part in parts]
    if None in points:
        return None
    if len(points) == 1:
        return EventDate(text=text, start=points[0], end=None, interval=False)
    return _checked_interval(text, points[0], points[1], "", "")


def _simple_point(part: str, text: str) -> Point | None:
    match = SIMPLE_RE.match(part)
    if not match:
        return None
    year = int(match.group("year"))
    month = int(match.group("month")) if match.group("month") else None
    day = int(match.group("day")) if match.group("day") else None
    if month is not None and not 1 <= month <= 12:
        return None
    _check_calendar(text, year, month, day)
    flag = match.group("flag") or ""
    last_month = month or 12
    return Point(
        year=year,
        month=month,
        day=day,
        season=None,
        unspecified=None,
        time=None,
        approximate=flag in ("~", "%"),
        uncertain=flag in ("?", "%"),
        earliest=(year, month or 1, day or 1),
        latest=(year, last_month, day or days_in_month(year, last_month)),
    )


def days_in_month(year: int, month: int) -> int:
    return calendar.mdays[month] + (month == 2 and calendar.isleap(year))


def parse_with_edtf(text: str) -> EventDate:
    """Any EDTF level 0/1 text, through the edtf package's full grammar (imported on first
    use: it is slow to load, and most dates never need it)."""
    from edtf import parse_edtf

    try:
        parsed = parse_edtf(text)
    except Exception:
        raise DateError(f'"{text}" is not a valid EDTF date; examples: {EXAMPLES}') from None
    lower = getattr(parsed, "lower", None)
    if lower is None:
        return EventDate(text=text, start=_point(parsed, text), end=None, interval=False)
    return _interval(text, lower, parsed.upper)


def _interval(text: str, lower: object, upper: object) -> EventDate:
    start, start_open = _section(lower, text)
    end, end_open = _section(upper, text)
    return _checked_interval(text, start, end, start_open, end_open)


def _checked_interval(
    text: str, start: Point | None, end: Point | None, start_open: str, end_open: str
) -> EventDate:
    if start and end and end.latest < start.earliest:
        raise DateError(f'"{text}" ends before it starts')
    if not start and not end:
        raise DateError(f'"{text}" has neither a start nor an end')
    return EventDate(text, start, end, True, start_open, end_open)


def _section(section: object, text: str) -> tuple[Point | None, str]:
    from edtf.parser.parser_classes import UnspecifiedIntervalSection

    if isinstance(section, UnspecifiedIntervalSection):
        return None, "open" if str(section) == ".." else "unknown"
    return _point(section, text), ""


def _point(obj: object, text: str) -> Point:
    core = re.sub(r"[?~%]", "", str(obj))
    match = POINT_RE.match(core)
    if not match:
        raise DateError(f'"{text}" uses EDTF features beyond level 1, which are not supported')
    year_s, month_s, day_s = match.group("year"), match.group("month"), match.group("day")
    unspecified = core if "X" in core else None
    year = int(year_s.lstrip("Y").replace("X", "0"))
    month = _component(month_s)
    day = _component(day_s)
    season = month if month and month > 12 else None
    if season and season not in SEASONS:
        raise DateError(f'"{text}": only the seasons 21-24 (spring to winter) are supported')
    if season:
        month = None
    _check_calendar(text, year, month, day)
    try:
        earliest = _ymd(obj.lower_strict())  # type: ignore[attr-defined]
        latest = _ymd(obj.upper_strict())  # type: ignore[attr-defined]
    except (ValueError, TypeError):
        raise DateError(f'"{text}" is not a valid EDTF date; examples: {EXAMPLES}') from None
    return Point(
        year=year,
        month=month,
        day=day,
        season=season,
        unspecified=unspecified,
        time=_time_text(match.group("time"), match.group("zone")),
        approximate=_flag(obj, "is_approximate"),
        uncertain=_flag(obj, "is_uncertain"),
        earliest=earliest,
        latest=latest,
    )


def _flag(obj: object, name: str) -> bool:
    """edtf reports `%` (both at once) as a third flag rather than as both."""
    return bool(getattr(obj, name, False) or getattr(obj, "is_uncertain_and_approximate", False))


def _time_text(time: str | None, zone: str | None) -> str | None:
    if time is None:
        return None
    if zone == "Z":
        return f"{time} UTC"
    return f"{time} (UTC{zone})" if zone else time


def _component(text: str | None) -> int | None:
    if text is None or "X" in text:
        return None
    return int(text)


def _check_calendar(text: str, year: int, month: int | None, day: int | None) -> None:
    if month is not None and not 1 <= month <= 12:
        raise DateError(f'"{text}" has no month {month}')
    if month is not None and day is not None:
        days = days_in_month(year, month)
        if not 1 <= day <= days:
            raise DateError(
                f'"{text}" is not a real day: {MONTHS[month - 1]} {year} has {days} days'
            )


def _ymd(value: object) -> YMD:
    return (value.tm_year, value.tm_mon, value.tm_mday)  # type: ignore[attr-defined]


def _unspecified_text(point: Point) -> str:
    year_digits = point.unspecified.split("-")[0] if point.unspecified else ""
    if "X" not in year_digits:
        known = Point(
            point.year,
            point.month,
            point.day,
            None,
            None,
            None,
            False,
            False,
            point.earliest,
            point.latest,
        )
        return known.plain_text
    if year_digits.count("X") == 1 and year_digits.endswith("X"):
        return f"{point.earliest[0]}s"
    return f"{year_text(point.earliest[0])}–{year_text(point.latest[0])}"


def _interval_text(date: EventDate) -> str:
    start, end = date.start, date.end
    if start is None:
        assert end is not None
        return f"until {end.text}" + (" (start unknown)" if date.start_open == "unknown" else "")
    if end is None:
        return f"{start.text} onwards" if date.end_open == "open" else f"{start.text} – end unknown"
    compact = _compact_interval(start, end)
    return compact or f"{start.text} – {end.text}"


def _compact_interval(start: Point, end: Point) -> str | None:
    """`27–28 February 2019`, `February–March 2019`, `2019–2020` when both ends are plain."""
    plain = not (start.qualified or end.qualified or start.unspecified or end.unspecified)
    if not plain or start.season or end.season or start.time or end.time:
        return None
    same_year = start.year == end.year
    if start.day and end.day and same_year and start.month == end.month:
        return f"{start.day}–{end.day} {MONTHS[end.month - 1]} {year_text(end.year)}"
    if start.day and end.day and same_year:
        return f"{start.day} {MONTHS[start.month - 1]} – {end.plain_text}"  # type: ignore[index]
    if start.month and end.month and not start.day and not end.day and same_year:
        return f"{MONTHS[start.month - 1]}–{MONTHS[end.month - 1]} {year_text(end.year)}"
    if start.month is None and end.month is None and start.year > 0 and end.year > 0:
        return f"{start.year}–{end.year}"
    return None
