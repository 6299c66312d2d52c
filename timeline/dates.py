"""Honest dates: EDTF text -> `EventDate` with sort keys and earliest/latest days.

Parsing is delegated to the `edtf` package (Library of Congress EDTF levels 0 and 1). This module
adds what a timeline needs on top: a calendar check edtf skips (it accepts 29 February 2019),
intervals that end before they start, sort keys that also work for open ends and years
outside 1..9999, and the precision the author gave, which `datetext.py` writes out in words.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from .errors import DateError

SEASONS = range(21, 25)  # EDTF's spring, summer, autumn and winter
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
    def qualified(self) -> bool:
        """Whether either end is approximate or uncertain."""
        return self.approximate or self.uncertain

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


def day_ordinal(day: YMD) -> int:
    """Days since a fixed origin, for any year (datetime.date stops at 1..9999)."""
    year, month, date = day
    years_before = year - 1
    leap_days = years_before // 4 - years_before // 100 + years_before // 400
    months_before = sum(days_in_month(year, m) for m in range(1, month))
    return years_before * 365 + leap_days + months_before + date


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
            raise DateError(f'"{text}" is not a real day: {year:04d}-{month:02d} has {days} days')


def _ymd(value: object) -> YMD:
    return (value.tm_year, value.tm_mon, value.tm_mday)  # type: ignore[attr-defined]
