"""How a timeline is laid out for reading: years, the gaps between events, and pages.

These are presentation decisions made from the validated model (`model.py`), for the pages
(`pages.py`) and templates: which events share a year heading, how much space and what words
a gap gets, and how a long timeline is split into pages of whole years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain

from .config import SiteConfig
from .datetext import DateText
from .model import Event
from .runs import Run, by_run

DENSE_YEAR = 8  # from this many events in a year, the timeline also marks months


def years_of(events: Sequence[Event]) -> list[int]:
    """Every year touched by any of the events, ascending (for the year filters)."""
    return sorted(frozenset().union(*by_run(events, "years", _years_of_run)))


def _years_of_run(events: Run) -> frozenset[int]:
    return frozenset(year for event in events for year in event.date.years)


@dataclass(frozen=True)
class YearGroup:
    """The events filed under one year (`year` is None for events with an open start)."""

    year: int | None
    events: tuple[Event, ...]

    @property
    def anchor(self) -> str:
        return "year-start" if self.year is None else f"year-{self.year}".replace("--", "-minus-")


def year_groups(events: Sequence[Event]) -> tuple[YearGroup, ...]:
    """Events (in timeline order) under their year headings, in order: each run's groups
    (`runs.py`), a year that runs on into the next run joined up."""
    groups: dict[int | None, tuple[Event, ...]] = {}
    for run_groups in by_run(events, "year groups", _year_groups_of_run):
        for year, members in run_groups:
            groups[year] = groups[year] + members if year in groups else members
    return tuple(YearGroup(year, members) for year, members in groups.items())


def _year_groups_of_run(events: Run) -> tuple[tuple[int | None, tuple[Event, ...]], ...]:
    groups: dict[int | None, list[Event]] = {}
    for event in events:
        groups.setdefault(event.year, []).append(event)
    return tuple((year, tuple(members)) for year, members in groups.items())


@dataclass(frozen=True)
class Gap:
    """How far an event sits from the one before it, for the timeline's spacing.

    `size` is 0 (days) to 3 (years, drawn as a compressed break); `months` or `years` say
    how long when the gap is worth saying in words ("8 months later", or "earlier" in a
    newest-first list); `month` (1-12) is set when the month changes inside a crowded year.
    """

    size: int = 0
    months: int = 0
    years: int = 0
    earlier: bool = False
    month: int = 0


def gaps(
    events: tuple[Event, ...], after: Event | None = None, newest_first: bool = False
) -> tuple[Gap, ...]:
    """The gap before each event of a sequence (`after` is the event shown before it); in a
    newest-first list the event before is the later one, and the gap says "earlier"."""
    per_year: dict[int | None, int] = {}
    for event in events:
        per_year[event.year] = per_year.get(event.year, 0) + 1
    result = []
    previous = after
    for event in events:
        days = _days_between(event, previous) if newest_first else _days_between(previous, event)
        month = 0
        if per_year[event.year] >= DENSE_YEAR and event.date.start and event.date.start.month:
            before = previous.date.start if previous and previous.date.start else None
            if not before or (before.year, before.month) != (event.year, event.date.start.month):
                month = event.date.start.month
        months, years = _gap_length(days)
        result.append(Gap(_gap_size(days), months, years, newest_first, month))
        previous = event
    return tuple(result)


def _days_between(before: Event | None, after: Event | None) -> int:
    if before is None or after is None or not before.date.points or not after.date.start:
        return 0
    end = before.date.points[-1].latest
    return max(0, (after.day_number - Event.day_of(end)) * 365 // 372)


def _gap_size(days: int) -> int:
    return 0 if days < 30 else 1 if days < 180 else 2 if days < 730 else 3


def _gap_length(days: int) -> tuple[int, int]:
    """(months, years) of a gap worth saying in words: months under two years, else years."""
    if days < 60:
        return 0, 0
    return (days // 30, 0) if days < 730 else (0, days // 365)


@dataclass(frozen=True)
class Chunk:
    """One page of a long timeline: consecutive years, `url` relative to the list's own."""

    years: tuple[YearGroup, ...]
    url: str

    @cached_property
    def events(self) -> tuple[Event, ...]:
        """Kept: planning and rendering a list ask for a page's events many times."""
        return tuple(chain.from_iterable(group.events for group in self.years))

    def label(self, dates: DateText) -> str:
        """The years the page covers, as headings write them: `2018–2019`."""
        if not self.years:
            return ""
        first, last = (dates.year_label(group.year) for group in (self.years[0], self.years[-1]))
        return first if first == last else f"{first}–{last}"


def paginate(years: tuple[YearGroup, ...], size: int) -> tuple[Chunk, ...]:
    """Whole years, in order, packed into pages of at most `size` events (a bigger year gets
    a page of its own); the first page has the empty URL, the others `years/<first-last>/`.

    A timeline with no events still has its first page (which says so).
    """
    batches: list[list[YearGroup]] = []
    count = 0
    for group in years:
        if batches and count + len(group.events) <= size:
            batches[-1].append(group)
            count += len(group.events)
        else:
            batches.append([group])
            count = len(group.events)
    chunks = []
    for index, batch in enumerate(batches):
        if index == 0:
            url = ""
        else:
            first, last = (
                batch[0].anchor.removeprefix("year-"),
                batch[-1].anchor.removeprefix("year-"),
            )
            url = f"years/{first}/" if first == last else f"years/{first}-{last}/"
        chunks.append(Chunk(tuple(batch), url))
    return tuple(chunks) or (Chunk((), ""),)


# Lists of events paginated lately (the very event objects, which compare by identity, and
# the settings) and their pages; emptied when full.
_PAGINATED: dict[tuple[tuple[Event, ...], bool, int], tuple[Chunk, ...]] = {}
PAGINATED_KEPT = 256


def chunks_of(events: tuple[Event, ...], config: SiteConfig) -> tuple[Chunk, ...]:
    """A list of events (in timeline order) as the site shows it: in its reading order
    (reversed for `newest-first`, so year headings, pages and gaps follow), under year
    headings, in pages of at most `timeline_page_size` events.

    Kept by the very events listed: after an edit, the preview lays out every tag's list
    again, and most still hold the same (unchanged) event objects."""
    key = (events, config.newest_first, config.timeline_page_size)
    found = _PAGINATED.get(key)
    if found is None:
        if len(_PAGINATED) >= PAGINATED_KEPT:
            _PAGINATED.clear()
        ordered = events[::-1] if config.newest_first else events
        found = _PAGINATED[key] = paginate(year_groups(ordered), config.timeline_page_size)
    return found
