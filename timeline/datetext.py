"""Dates in words, in the reader's language: CLDR patterns (Babel) for days, months, years and
intervals, the catalogs for what CLDR does not cover (seasons, decades, "c.", open ends).

Python's `datetime` stops at the years 1-9999 while EDTF does not, so patterns are applied
field by field (`_Fields`), with the year written by this module: `44 BCE`, `12000`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from functools import cache

from babel.dates import DateTimeFormat, get_month_names, parse_pattern
from babel.units import format_unit

from .dates import YMD, EventDate, Point, day_ordinal, days_in_month
from .language import N_, SOURCE_LANGUAGE, Language

SEASONS = {
    21: N_("Spring %(year)s"),
    22: N_("Summer %(year)s"),
    23: N_("Autumn %(year)s"),
    24: N_("Winter %(year)s"),
}
DAY, MONTH, YEAR = "yMMMd", "yMMMM", "y"  # CLDR skeletons of the three precisions
LONG_DAY = "yMMMMd"  # a day's interval with the month in full, where CLDR has one
WIDEN = re.compile(r"(?<![ML'])([ML])\1\1(?![ML])")  # MMM -> MMMM: months in full, as in days


class _Fields(DateTimeFormat):
    """Babel's field formatter with the year written by us (any year, BCE included)."""

    def __init__(self, value: dt.date, locale: object, year: str) -> None:
        super().__init__(value, locale)  # type: ignore[arg-type]
        self.year = year

    def format_year(self, char: str, num: int) -> str:
        return self.year


class DateText:
    """How one language writes dates; each date's text is worked out once per build."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.locale = language.locale
        self._ = language.gettext
        self._texts: dict[tuple[str, str], str] = {}

    def display(self, date: EventDate) -> str:
        """The date for readers: `28 February 2019`, `c. February 2019`, `27–28 February 2019`
        in English; `2019년 2월 27일~28일` in Korean."""
        return self._remembered("display", date, self._display)

    def _remembered(self, kind: str, date: EventDate, make: Callable[[EventDate], str]) -> str:
        """A text of a date, worked out once per build (every card shows its date twice or
        more, and a timeline lists each event on several pages)."""
        text = self._texts.get((kind, date.text))
        if text is None:
            text = self._texts[(kind, date.text)] = make(date)
        return text

    def _display(self, date: EventDate) -> str:
        if not date.interval:
            assert date.start is not None
            return self.point(date.start)
        start, end = date.start, date.end
        if start is None:
            assert end is not None
            if date.start_open == "unknown":
                return self._("until %(date)s (start unknown)") % {"date": self.point(end)}
            return self._("until %(date)s") % {"date": self.point(end)}
        if end is None:
            if date.end_open == "open":
                return self._("%(date)s onwards") % {"date": self.point(start)}
            return self._("%(date)s – end unknown") % {"date": self.point(start)}
        return self._compact(start, end) or self._joined(self.point(start), self.point(end))

    def point(self, point: Point) -> str:
        """One end, qualified: `c. February 2019`, `2019?`."""
        text = self.plain(point)
        if point.approximate:
            text = self._("c. %(date)s") % {"date": text}
        if point.uncertain:
            text = self._("%(date)s?") % {"date": text}
        return text

    def plain(self, point: Point) -> str:
        """One end without its qualifiers, as precise as the author wrote it."""
        if point.unspecified and "X" in point.unspecified.lstrip("-").split("-")[0]:
            return self._unknown_digits(point)
        if point.season:
            return self._(SEASONS[point.season]) % {"year": self.year(point.year)}
        if point.month is None:
            return self.year(point.year)
        if point.day is None:
            return self.month(point.year, point.month)
        text = self.day((point.year, point.month, point.day))
        return (
            self._("%(date)s, %(time)s") % {"date": text, "time": point.time}
            if point.time
            else text
        )

    def day(self, day: YMD) -> str:
        """A whole day in the language's long form: `28 February 2019`, `2019년 2월 28일`."""
        return self._apply(self.locale.date_formats["long"].pattern, day)

    def month(self, year: int, month: int) -> str:
        """`February 2019`, `2019년 2월`."""
        return self._apply(self._skeleton(MONTH), (year, month, 1))

    def skeleton(self, skeleton: str, day: YMD) -> str:
        """A day in the form CLDR gives for a skeleton (`yMMM`: `Feb 2019`, `2019년 2월`)."""
        return self._apply(self._skeleton(skeleton), day)

    def year(self, year: int) -> str:
        """`2019`, `2019년`, `44 BCE` (EDTF year 0 is 1 BCE)."""
        return self._apply(self._skeleton(YEAR), (year, 1, 1))

    def year_number(self, year: int) -> str:
        """The year alone, without the language's year word (for headings and tick labels)."""
        return str(year) if year > 0 else self._("%(year)s BCE") % {"year": 1 - year}

    def year_label(self, year: int | None) -> str:
        """A year heading: `2019`, `44 BCE`, or "Undated start" (events with an open start)."""
        return self._("Undated start") if year is None else self.year_number(year)

    def month_name(self, month: int, width: str = "wide") -> str:
        """A month's name on its own (`stand-alone` in CLDR): `February`, `2월`."""
        return get_month_names(width, "stand-alone", self.locale)[month]

    def months_range(self, first: YMD, last: YMD) -> str:
        """`February – March 2019`: two months, written as CLDR joins them."""
        return self._interval(MONTH, first, last)

    def years_range(self, first: int, last: int) -> str:
        """`2010–2019`: two years, written as CLDR joins them."""
        return self._interval(YEAR, (first, 1, 1), (last, 1, 1))

    def days_range(self, first: YMD, last: YMD) -> str:
        """`3–9 February 2019`: two days, written as CLDR joins them."""
        return self._interval(DAY, first, last)

    def duration(self, date: EventDate) -> str:
        """How long a closed interval lasts ("4 days", "about 3 months"); else ''."""
        return self._remembered("duration", date, self._duration)

    def _duration(self, date: EventDate) -> str:
        if not (date.interval and date.start and date.end):
            return ""
        start, end = date.start, date.end
        if start.day and end.day and not (start.qualified or end.qualified):
            days = day_ordinal(end.latest) - day_ordinal(start.earliest) + 1
            if days < 60:
                return self._unit(days, "duration-day")
        months = (end.latest[0] - start.earliest[0]) * 12 + end.latest[1] - start.earliest[1] + 1
        if months < 24:
            return self._("about %(duration)s") % {"duration": self._unit(months, "duration-month")}
        years = round(months / 12)
        return self._("about %(duration)s") % {"duration": self._unit(years, "duration-year")}

    def qualifier(self, date: EventDate) -> str:
        """The badge of a date that is not firm: "approximate date", "uncertain date"."""
        if date.approximate and date.uncertain:
            return self._("approximate and uncertain date")
        if date.approximate:
            return self._("approximate date")
        return self._("uncertain date") if date.uncertain else ""

    def _unit(self, value: int, unit: str) -> str:
        """`4 days`; Babel does not fall back from CLDR's long unit forms to the short ones
        where a language has only those (Korean, Japanese), so this does."""
        text = format_unit(value, unit, length="long", locale=self.locale)
        return (
            format_unit(value, unit, length="short", locale=self.locale) if unit in text else text
        )

    def _skeleton(self, skeleton: str) -> str:
        return self.locale.datetime_skeletons[skeleton].pattern

    def _apply(self, pattern: str, day: YMD) -> str:
        """A CLDR pattern applied to a day of any year."""
        year, month, date = day
        proxy = year if 1 <= year <= 9999 else 2000 if calendar.isleap(year) else 2001
        date = min(date, days_in_month(proxy, month))
        fields = _Fields(dt.date(proxy, month, date), self.locale, self.year_number(year))
        return parse_pattern(pattern) % fields

    def _interval(self, skeleton: str, first: YMD, last: YMD) -> str:
        """Two dates of one precision joined as CLDR does (`27–28 February 2019`,
        `2019년 2월 27일~28일`), sharing what they share; else both written out."""
        differs = "y" if first[0] != last[0] else "M" if first[1] != last[1] else "d"
        formats = self.locale.interval_formats
        in_full = skeleton == DAY and LONG_DAY in formats
        parts = formats.get(LONG_DAY if in_full else skeleton, {}).get(differs)
        whole = (
            self._skeleton(skeleton)
            if skeleton != DAY
            else self.locale.date_formats["long"].pattern
        )
        if first == last or (skeleton == YEAR and differs != "y"):
            return self._apply(whole, first)
        if not parts or len(parts) < 2:  # none, or one Babel cannot split (Persian)
            return self._joined(self._apply(whole, first), self._apply(whole, last))
        if skeleton == DAY and not in_full:
            parts = [_in_full(part) for part in parts]
        return self._apply(parts[0], first) + self._apply(parts[1], last)

    def _joined(self, start: str, end: str) -> str:
        """Two ends written out in full, joined by CLDR's fallback (`{0} – {1}`)."""
        return self.locale.interval_formats[None].replace("{0}", start).replace("{1}", end)

    def _compact(self, start: Point, end: Point) -> str | None:
        """Both ends plain and of one precision: CLDR's interval form."""
        plain = not (start.qualified or end.qualified or start.unspecified or end.unspecified)
        if not plain or start.season or end.season or start.time or end.time:
            return None
        if start.day and end.day:
            return self._interval(DAY, start.earliest, end.earliest)
        if start.month and end.month and not start.day and not end.day:
            return self._interval(MONTH, start.earliest, end.earliest)
        if start.month is None and end.month is None:
            return self._interval(YEAR, start.earliest, end.earliest)
        return None

    def _unknown_digits(self, point: Point) -> str:
        """`19XX` as `1900–1999`, `199X` as `1990s` (a decade, in the language's words)."""
        year_digits = point.unspecified.lstrip("-").split("-")[0] if point.unspecified else ""
        first, last = point.earliest[0], point.latest[0]
        if year_digits.count("X") == 1 and year_digits.endswith("X") and first > 0:
            return self._("%(decade)ss") % {"decade": first}
        return self.years_range(first, last)


def _in_full(pattern: str) -> str:
    """A pattern with abbreviated months (`MMM`) made to write them in full, as ICU adjusts
    an interval pattern to the skeleton asked for."""
    return WIDEN.sub(r"\1\1\1\1", pattern)


@cache
def plain_english() -> DateText:
    """Dates as the templates' own English writes them, where no site's language applies
    (TimelineJS imports compare their display dates with these)."""
    return DateText(Language(SOURCE_LANGUAGE, [], None))
