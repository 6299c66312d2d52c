"""The validated model: `Event` (one file) and `Timeline` (all of them, sorted and cross-linked).

Everything here is frozen and already checked, so templates and exports can trust it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .dates import EventDate, year_text

IMPORTANCE = ("major", "normal", "minor")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """Lower-case and hyphen-separated: `Hanoi Summit (2019)` -> `hanoi-summit-2019`.

    Accents are dropped (`Zürich` -> `zurich`) but letters without an ASCII form are kept
    (`東京` stays `東京`), so a tag in any script still gets a page.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[\W_]+", "-", folded).strip("-")


@dataclass(frozen=True)
class Source:
    """A citation: what was read, who published it, where and when."""

    title: str
    url: str = ""
    publisher: str = ""
    date: EventDate | None = None


@dataclass(frozen=True)
class Image:
    """An illustration; `src` is an http(s) URL or a path inside the site's `static/`."""

    src: str
    alt: str
    credit: str = ""
    caption: str = ""

    @property
    def external(self) -> bool:
        return self.src.startswith(("http://", "https://"))


@dataclass(frozen=True)
class Tag:
    """A tag as the author wrote it, and the URL-safe slug it is grouped by."""

    name: str
    slug: str

    @property
    def url(self) -> str:
        return f"tags/{self.slug}/"


@dataclass(frozen=True, eq=False)
class Event:
    """One validated event, with its body already rendered to safe HTML."""

    path: str
    slug: str
    title: str
    date: EventDate
    body_html: str
    summary: str
    summary_given: bool = False
    tags: tuple[Tag, ...] = ()
    location: str = ""
    sources: tuple[Source, ...] = ()
    image: Image | None = None
    importance: str = "normal"
    draft: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    digest: str = ""

    @property
    def url(self) -> str:
        """Site-relative permalink, without the base path."""
        return f"events/{self.slug}/"

    @property
    def year(self) -> int | None:
        """The year the event is filed under on the timeline (None for an open start)."""
        return self.date.start.year if self.date.start else None

    @property
    def search_sort(self) -> str:
        """A numeric date key for Pagefind's sort (it sorts numerically only if all are numbers)."""
        year, month, day = self.date.earliest
        year = max(min(year, 999_999), -999_999) + 1_000_000
        return f"{year:07d}{month:02d}{day:02d}"

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.date.earliest, self.date.latest, self.title.casefold(), self.title, self.slug)


def years_of(events: Iterable[Event]) -> list[int]:
    """Every year touched by any of the events, ascending (for the year filters)."""
    return sorted({year for event in events for year in event.date.years})


@dataclass(frozen=True)
class YearGroup:
    """The events filed under one year (`year` is None for events with an open start)."""

    year: int | None
    events: tuple[Event, ...]

    @property
    def label(self) -> str:
        return "Undated start" if self.year is None else year_text(self.year)

    @property
    def anchor(self) -> str:
        return "year-start" if self.year is None else f"year-{self.year}".replace("--", "-minus-")


@dataclass(frozen=True)
class TagGroup:
    """A tag and every event that carries it, in timeline order."""

    tag: Tag
    events: tuple[Event, ...]


@dataclass(frozen=True, eq=False)
class Timeline:
    """All published events in order, with the lookups the pages need."""

    events: tuple[Event, ...]

    @classmethod
    def from_events(cls, events: list[Event]) -> Timeline:
        return cls(tuple(sorted(events, key=lambda e: e.sort_key)))

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    @cached_property
    def _position(self) -> dict[str, int]:
        return {event.slug: index for index, event in enumerate(self.events)}

    def previous(self, event: Event) -> Event | None:
        index = self._position[event.slug]
        return self.events[index - 1] if index > 0 else None

    def next(self, event: Event) -> Event | None:
        index = self._position[event.slug]
        return self.events[index + 1] if index + 1 < len(self.events) else None

    @cached_property
    def years(self) -> tuple[YearGroup, ...]:
        groups: dict[int | None, list[Event]] = {}
        for event in self.events:
            groups.setdefault(event.year, []).append(event)
        return tuple(YearGroup(year, tuple(events)) for year, events in groups.items())

    @cached_property
    def tags(self) -> tuple[TagGroup, ...]:
        """Every tag, sorted by slug; a tag's label is its most-used spelling."""
        spellings: dict[str, dict[str, int]] = {}
        members: dict[str, list[Event]] = {}
        for event in self.events:
            for tag in event.tags:
                counts = spellings.setdefault(tag.slug, {})
                counts[tag.name] = counts.get(tag.name, 0) + 1
                members.setdefault(tag.slug, []).append(event)
        groups = []
        for slug in sorted(members):
            name = min(spellings[slug], key=lambda n: (-spellings[slug][n], n))
            groups.append(TagGroup(Tag(name, slug), tuple(members[slug])))
        return tuple(groups)

    def related(self, event: Event, limit: int = 3) -> tuple[Event, ...]:
        """Events sharing the most tags with `event`, nearest in time first.

        Candidates come from each tag's own ordered list around the event's place in it, so
        the cost stays proportional to `limit`, not to the size of the timeline.
        """
        shared: dict[int, int] = {}
        here = self._position[event.slug]
        for tag in event.tags:
            positions = self._tag_positions[tag.slug]
            centre = bisect_left(positions, here)
            for other in positions[max(0, centre - limit * 2) : centre + limit * 2 + 1]:
                if other != here:
                    shared[other] = shared.get(other, 0) + 1
        ranked = sorted(shared, key=lambda p: (-shared[p], abs(p - here), p))
        return tuple(self.events[p] for p in ranked[:limit])

    @cached_property
    def _tag_positions(self) -> dict[str, list[int]]:
        return {
            group.tag.slug: [self._position[e.slug] for e in group.events] for group in self.tags
        }
