"""The validated model: `Event` (one file) and `Timeline` (all of them, sorted and cross-linked).

Everything here is frozen and already checked, so templates and exports can trust it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
import weakref
import zlib
from collections.abc import Iterable, Iterator, KeysView, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from .dates import MAX_DAY, EventDate
from .language import N_

IMPORTANCE = ("major", "normal", "minor")
# The words below are marked for the catalogs (N_) and translated where they are shown.
ENTITY_KINDS = (N_("person"), N_("organisation"), N_("place"), N_("other"))
ENTITY_GROUPS = {"person": N_("People"), "organisation": N_("Organisations"),
                 "place": N_("Places"), "other": N_("Other")}  # fmt: skip
# Each relation as the event that lists it says it, and as the other event says it back.
RELATIONS = {
    "led-to": (N_("Led to"), N_("Followed from")),
    "response-to": (N_("In response to"), N_("Prompted")),
    "part-of": (N_("Part of"), N_("Includes")),
    "see-also": (N_("See also"), N_("See also")),
}
RELATED_LIMIT = 3
NO_HISTORY: Mapping[str, FileHistory] = MappingProxyType({})  # one object: see _times_after
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


SLUG_MAX = 80  # characters of a slug made from a title or a tag: short, readable URLs
NAME_BYTES = 200  # the most any slug may take: it names a folder (at most 255 bytes)


def day_time(day: tuple[int, int, int]) -> str:
    """A day as the RFC 3339 time of its start (UTC)."""
    year, month, date = day
    return f"{min(max(year, 1), 9999):04d}-{month:02d}-{date:02d}T00:00:00Z"


def slugify(text: str, max_chars: int = SLUG_MAX, max_bytes: int = NAME_BYTES) -> str:
    """Lower-case and hyphen-separated: `Hanoi Summit (2019)` -> `hanoi-summit-2019`.

    Accents on Latin letters are dropped (`Zürich` -> `zurich`); every other script is kept
    as written (`東京`, `북한`, `ポケモン`: Hangul syllables and kana marks are composed again),
    so a tag in any language gets a readable page of its own.

    A slug names a file or folder, and file names are limited to 255 bytes, so a longer slug
    is cut to `max_chars` characters and `max_bytes` bytes of UTF-8: at the last hyphen that
    keeps at least half of it, else mid-word, never leaving a hyphen at the end. Slugs within
    both limits are unchanged.
    """
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if not (unicodedata.combining(char) and kept and kept[-1].isascii()):
            kept.append(char)
    folded = unicodedata.normalize("NFC", "".join(kept)).lower()
    slug = re.sub(r"[\W_]+", "-", folded).strip("-")
    if len(slug) <= max_chars and len(slug.encode()) <= max_bytes:
        return slug
    cut = slug[:max_chars]
    while len(cut.encode()) > max_bytes:
        cut = cut[:-1]
    if slug[len(cut) : len(cut) + 1] != "-":  # the cut fell inside a word
        hyphen = cut.rfind("-")
        if hyphen >= len(cut) // 2:
            cut = cut[:hyphen]
    return cut.rstrip("-")


def day_key(day: tuple[int, int, int]) -> str:
    """A day as digits that sort as numbers and as text (years clamped to six digits)."""
    year, month, day_of_month = day
    year = max(min(year, 999_999), -999_999) + 1_000_000
    return f"{year:07d}{month:02d}{day_of_month:02d}"


@dataclass(frozen=True)
class Source:
    """A citation: what was read, who published it, where and when; `id` names it for
    citations in the text (`[@id]`), `archived` is a copy kept by an archive, `accessed`
    the day it was read."""

    title: str
    url: str = ""
    publisher: str = ""
    date: EventDate | None = None
    id: str = ""
    archived: str = ""
    accessed: EventDate | None = None

    @property
    def identity(self) -> tuple[str, ...]:
        """What makes two events' sources the same source (for the sources page): the
        address when there is one, else publisher and title."""
        if self.url:
            return (self.url.rstrip("/"),)
        return (self.publisher.casefold(), self.title.casefold())


@dataclass(frozen=True)
class Status:
    """How firm an event is, as the site names it: `key` as written in `status:`, the label
    its badge shows, what it means (the legend), and whether it counts as unconfirmed."""

    key: str
    label: str
    description: str
    unconfirmed: bool


STATUSES = (
    Status("confirmed", N_("Confirmed"),
           N_("Established by independent sources, or acknowledged by the parties."), False),
    Status("reported", N_("Reported"),
           N_("Reported by credible media, not confirmed."), True),
    Status("claimed", N_("Claimed"),
           N_("Asserted by one party (for instance state media), not independently verified."),
           True),
    Status("disputed", N_("Disputed"), N_("Contested by credible sources."), True),
)  # fmt: skip


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

    @property
    def hue(self) -> int:
        """One of 12 colours, the same for this tag on every page and every build."""
        return zlib.crc32(self.slug.encode()) % 12


@dataclass(frozen=True)
class FileHistory:
    """A file's commit times from git, newest first (RFC 3339, UTC); the last is when it was
    added (`history.py` reads them)."""

    changes: tuple[str, ...]

    @property
    def added(self) -> str:
        return self.changes[-1]

    @property
    def changed(self) -> str:
        return self.changes[0]


@dataclass(frozen=True)
class Times:
    """When an event was published and last updated, for pages and feeds: from git, the
    `updated:` key and corrections; `added`/`changed` are None where git does not know."""

    added: str | None
    changed: str | None
    published: str
    updated: str
    touched: str | None = None  # the last known change or correction, if any is known


@dataclass(frozen=True)
class Correction:
    """A dated note of what was corrected in an event after it was published."""

    date: EventDate
    note: str


@dataclass(frozen=True)
class Relation:
    """A link an event's file makes to another event: `led-to`, `response-to`, `part-of`
    or `see-also` (the other event shows it in reverse, see `RELATIONS`)."""

    event: str
    kind: str


@dataclass(frozen=True, eq=False, slots=True)
class Event:
    """One validated event, with its body already rendered to safe HTML.

    Its fields are slots, not a dictionary: a timeline holds thousands of events, and
    every pass over them reads a few fields of each (a dictionary per event costs about a
    kilobyte, and more once a computed value is added to it)."""

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
    status: str = ""
    cited: tuple[int, ...] = ()  # how many times the body cites each source, by position
    entities: tuple[str, ...] = ()  # slugs of the people, organisations and places
    relations: tuple[Relation, ...] = ()
    corrections: tuple[Correction, ...] = ()  # oldest first
    revised: EventDate | None = None  # `updated:` in the file: when it last changed, by hand
    # Worked out from the fields above when the event is made (`__post_init__`):
    year: int | None = field(init=False, repr=False)  # filed under it (None: open start)
    day_number: int = field(init=False, repr=False)  # orders dates, to measure gaps
    sort_key: tuple[Any, ...] = field(init=False, repr=False)  # its place in a timeline

    def __post_init__(self) -> None:
        """The values every list asks of every event, worked out once: the preview sorts
        and lays out thousands of events again after each edit, and an unchanged event is
        the same object from one build to the next."""
        date = self.date
        object.__setattr__(self, "year", date.start.year if date.start else None)
        object.__setattr__(self, "day_number", self.day_of(date.earliest))
        title = self.title
        key = (date.earliest, date.latest, title.casefold(), title, self.slug)
        object.__setattr__(self, "sort_key", key)

    @property
    def url(self) -> str:
        """Site-relative permalink, without the base path."""
        return f"events/{self.slug}/"

    @property
    def search_range(self) -> tuple[str, str]:
        """The first and last day the date allows, as `day_key`s: for filtering by span in
        the browser, and for Pagefind's sort (numeric only if every value is a number)."""
        return day_key(self.date.earliest), day_key(self.date.latest)

    @property
    def own_time(self) -> str:
        """RFC 3339 time of the last known day of the event (years clamped to 1-9999).

        Feeds need a time for each entry and the build must not depend on the clock, so the
        event's own date stands in where git gives no history.
        """
        end = self.date.latest if self.date.latest != MAX_DAY else self.date.earliest
        year, month, day = end
        if year < 1 or year > 9999:
            year, month, day = min(max(year, 1), 9999), 1, 1
        return f"{year:04d}-{month:02d}-{day:02d}T00:00:00Z"

    @staticmethod
    def day_of(day: tuple[int, int, int]) -> int:
        year, month, date = day
        return year * 372 + month * 31 + date


@dataclass(frozen=True, eq=False)
class Period:
    """A named span of the timeline (an era): its events are computed, never listed."""

    path: str
    slug: str
    title: str
    date: EventDate
    summary: str = ""
    color: str = ""
    body_html: str = ""
    digest: str = ""

    @property
    def url(self) -> str:
        return f"periods/{self.slug}/"

    @property
    def search_range(self) -> tuple[str, str]:
        """The period's first and last day as `day_key`s, for filtering in the browser."""
        return day_key(self.date.earliest), day_key(self.date.latest)

    def contains(self, event: Event) -> bool:
        """An event belongs to a period when the first day its date allows lies within the
        period: events are filed by their start, as the timeline files them under years."""
        return self.date.earliest <= event.date.earliest <= self.date.latest


@dataclass(frozen=True, eq=False)
class Entity:
    """A person, organisation, place or other thing events involve (`content/entities/`)."""

    path: str
    slug: str
    title: str
    kind: str
    aliases: tuple[str, ...] = ()
    wikidata: str = ""
    image: Image | None = None
    summary: str = ""
    body_html: str = ""
    digest: str = ""

    @property
    def url(self) -> str:
        return f"entities/{self.slug}/"

    @property
    def wikidata_url(self) -> str:
        return f"https://www.wikidata.org/wiki/{self.wikidata}" if self.wikidata else ""


@dataclass(frozen=True)
class Connection:
    """Another event linked to one, in the words this event's page uses ("Led to")."""

    label: str
    event: Event


@dataclass(frozen=True)
class TagGroup:
    """A tag and every event that carries it, in timeline order."""

    tag: Tag
    events: tuple[Event, ...]


@dataclass(frozen=True, eq=False)
class Timeline:
    """All published events in order, with the lookups the pages need.

    Lookups are computed on first use. `from_events(..., previous=...)` carries the related
    events of a previous version over, recomputing them only near the events that changed,
    so that the live preview rebuilds a large timeline quickly after one edit.
    """

    events: tuple[Event, ...]
    periods: tuple[Period, ...] = ()
    entities: tuple[Entity, ...] = ()
    history: Mapping[str, FileHistory] = field(default_factory=lambda: NO_HISTORY)  # by path
    repo_prefix: str = ""  # where the site lies in its git repository ("" at its root)

    @classmethod
    def from_events(
        cls,
        events: list[Event],
        *,
        periods: Iterable[Period] = (),
        entities: Iterable[Entity] = (),
        history: Mapping[str, FileHistory] | None = None,
        repo_prefix: str = "",
        previous: Timeline | None = None,
    ) -> Timeline:
        """Events in order; periods by their start, then end, then title; entities by
        title. With `previous`, what it worked out is carried over where the changed
        events (by identity: an unchanged file's event is the same object) cannot reach."""
        ordered = sorted(periods, key=lambda p: (p.date.earliest, p.date.latest, p.title, p.slug))
        named = sorted(entities, key=lambda e: (e.title.casefold(), e.slug))
        if previous is None:
            return cls(tuple(sorted(events, key=SORT_KEY)), tuple(ordered), tuple(named),
                       history or NO_HISTORY, repo_prefix)  # fmt: skip
        kept = set(previous.events)
        added = set(events) - kept
        gone = kept.difference(events)
        timeline = cls(_reordered(previous, events, added, gone), tuple(ordered), tuple(named),
                       history or NO_HISTORY, repo_prefix)  # fmt: skip
        timeline._follow(previous, added, gone)
        return timeline

    def _follow(self, previous: Timeline, added: set[Event], gone: set[Event]) -> None:
        """Carry over from `previous` its lookups, tag lists, related events and times,
        made again only where the `added` and `gone` events reach: the live preview rebuilds
        a large timeline after each edit, and an edit replaces one event by another."""
        changed = {event.slug for event in added} | {event.slug for event in gone}
        self.__dict__["_changed_since"] = (weakref.ref(previous), changed)  # not kept alive
        by_slug = dict(previous.by_slug)  # for lookups only: its order is not the timeline's
        for event in gone:
            del by_slug[event.slug]
        by_slug.update((event.slug, event) for event in added)
        self.__dict__["by_slug"] = by_slug
        places = previous._position
        if len(self.events) == len(previous.events) and all(
            event.slug in places and self.events[places[event.slug]] is event for event in added
        ):  # each edited event took its old place, so every event kept its place
            self.__dict__["_position"] = places
        if all(  # no link leads to or from an edited event, and no event is new
            not event.relations and event.slug not in previous._links
            and (event in gone or event.slug in previous.by_slug)
            for event in added | gone
        ):  # fmt: skip
            self.__dict__["_links"] = previous._links
        self._tags_after(previous)
        self.__dict__["_related"] = self._related_after(previous)
        self.__dict__["_times"] = self._times_after(previous)

    def _tags_after(self, previous: Timeline) -> None:
        """Take over the tag lists of `previous` when the same events carry the same tags
        (an edit of a body, a title or a date): only the edited events' lists are made again.
        The unchanged events keep their order among themselves, so when every edited event
        kept its place, each takes its old place in its lists, and every event's place in
        its lists stands; an edited event that moved (a new date) is put in its new place."""
        changed = self.changed_since(previous)
        old, now = previous.by_slug, self.by_slug
        if old.keys() != now.keys() or any(old[slug].tags != now[slug].tags for slug in changed):
            return
        moved = any(previous._position[slug] != self._position[slug] for slug in changed)
        listed: dict[str, list[Event]] = {}
        for slug in changed:
            for tag in now[slug].tags:
                if tag.slug not in listed:
                    listed[tag.slug] = list(previous._members[tag.slug])
                listed[tag.slug][previous._member_index[tag.slug][slug]] = now[slug]
        members = {
            tag: tuple(sorted(events, key=self.index_of) if moved else events)
            for tag, events in listed.items()
        }
        self.__dict__["tags"] = tuple(
            TagGroup(group.tag, members[group.tag.slug])
            if group.tag.slug in members else group
            for group in previous.tags
        )  # fmt: skip
        self.__dict__["_member_index"] = (
            {**previous._member_index, **{tag: _places(events) for tag, events in members.items()}}
            if moved
            else previous._member_index
        )

    def changed_since(self, previous: Timeline) -> set[str]:
        """Slugs of the events added, removed or changed since `previous` (see
        `changed_slugs`), worked out once: the tag lists, the related events and the
        builder's planning all ask after each edit. Not to be changed by the caller."""
        known = self.__dict__.get("_changed_since")
        if known is not None and known[0]() is previous:
            return known[1]
        found = changed_slugs(previous, self)
        self.__dict__["_changed_since"] = (weakref.ref(previous), found)  # not kept alive
        return found

    def _times_after(self, previous: Timeline) -> dict[str, Times]:
        """The times worked out for the previous version, for the events that are the same
        objects (unchanged files) while the history is the same: an edit recomputes one."""
        if previous.history is not self.history or "_times" not in previous.__dict__:
            return {}
        times = dict(previous._times)
        for slug in self.changed_since(previous):
            times.pop(slug, None)
        return times

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    @cached_property
    def members(self) -> dict[str, tuple[Event, ...]]:
        """Each period's events, in timeline order, by period slug."""
        return {p.slug: tuple(e for e in self.events if p.contains(e)) for p in self.periods}

    def periods_of(self, event: Event) -> tuple[Period, ...]:
        """The periods an event belongs to (several when periods overlap)."""
        return tuple(p for p in self.periods if p.contains(event))

    @cached_property
    def by_slug(self) -> dict[str, Event]:
        return {event.slug: event for event in self.events}

    @cached_property
    def entity_by_slug(self) -> dict[str, Entity]:
        return {entity.slug: entity for entity in self.entities}

    @cached_property
    def involving(self) -> dict[str, tuple[Event, ...]]:
        """Each entity's events, in timeline order, by entity slug."""
        found: dict[str, list[Event]] = {entity.slug: [] for entity in self.entities}
        for event in self.events:
            for slug in event.entities:
                if slug in found:
                    found[slug].append(event)
        return {slug: tuple(events) for slug, events in found.items()}

    @cached_property
    def _times(self) -> dict[str, Times]:
        return {}

    def times(self, event: Event) -> Times:
        """When the event was published and last updated (`_times_of`), worked out once."""
        found = self._times.get(event.slug)
        if found is None:
            found = self._times[event.slug] = self._times_of(event)
        return found

    def _times_of(self, event: Event) -> Times:
        """When the event was published and last updated: its file's first commit, and its
        last commit or, set by hand, its `updated:` key (which wins over git), or its latest
        correction if later; the event's own date where none of them is known."""
        history = self.history.get(event.path)
        added = history.added if history else None
        changed = history.changed if history else None
        if event.revised is not None:
            changed = day_time(event.revised.latest)
        published = added or event.own_time
        corrected = [day_time(c.date.latest) for c in event.corrections]
        updated = max([published, changed or published, *corrected])
        touched = max([t for t in (changed, *corrected) if t], default=None)
        return Times(added, changed, published, updated, touched)

    def entities_of(self, event: Event) -> tuple[Entity, ...]:
        """The event's entities, in the order its file lists them."""
        lookup = self.entity_by_slug
        return tuple(lookup[slug] for slug in event.entities if slug in lookup)

    @cached_property
    def _links(self) -> dict[str, list[tuple[str, Event]]]:
        """Event slug -> (label, other event) for both directions of every relation whose
        two events are published."""
        links: dict[str, list[tuple[str, Event]]] = {}
        for event in self.events:
            for relation in event.relations:
                other = self.by_slug.get(relation.event)
                if other is None:
                    continue  # a draft, left out of this build
                forward, backward = RELATIONS[relation.kind]
                links.setdefault(event.slug, []).append((forward, other))
                links.setdefault(other.slug, []).append((backward, event))
        return links

    def connections(self, event: Event) -> tuple[Connection, ...]:
        """Every event linked to this one, either way, in timeline order."""
        found = self._links.get(event.slug, [])
        ordered = sorted(found, key=lambda pair: (self._position[pair[1].slug], pair[0]))
        return tuple(Connection(label, other) for label, other in dict.fromkeys(ordered))

    def linked(self) -> KeysView[str]:
        """Slugs of the events linked to another, either way."""
        return self._links.keys()

    def linked_slugs(self, slugs: set[str]) -> set[str]:
        """The events linked to any of `slugs`, either way (whose pages show them)."""
        return {other.slug for slug in slugs for _, other in self._links.get(slug, [])}

    @cached_property
    def _position(self) -> dict[str, int]:
        return {event.slug: index for index, event in enumerate(self.events)}

    def index_of(self, event: Event) -> int:
        """Where `event` (or its version in this timeline) stands in the timeline's order."""
        return self._position[event.slug]

    def previous(self, event: Event) -> Event | None:
        index = self._position[event.slug]
        return self.events[index - 1] if index > 0 else None

    def next(self, event: Event) -> Event | None:
        index = self._position[event.slug]
        return self.events[index + 1] if index + 1 < len(self.events) else None

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

    @cached_property
    def _members(self) -> dict[str, tuple[Event, ...]]:
        """Each tag's events in timeline order, by tag slug."""
        return {group.tag.slug: group.events for group in self.tags}

    @cached_property
    def _member_index(self) -> dict[str, dict[str, int]]:
        """Tag slug -> event slug -> the event's index in that tag's member list."""
        return {slug: _places(events) for slug, events in self._members.items()}

    def related(self, event: Event) -> tuple[Event, ...]:
        """Up to three events sharing the most tags with `event`, nearest in time first."""
        return self._related.get(event.slug, ())

    @cached_property
    def _related(self) -> dict[str, tuple[Event, ...]]:
        related = {}
        for event in self.events:
            found = self._find_related(event)
            if found:
                related[event.slug] = found
        return related

    def _find_related(self, event: Event) -> tuple[Event, ...]:
        """Candidates are the events near `event` in each of its tags' ordered lists, so the
        cost does not grow with the timeline; one met in several lists shares several tags.
        """
        shared: dict[str, int] = {}
        others: dict[str, Event] = {}
        for window in self.windows(event):
            for other in window:
                if other.slug != event.slug:
                    shared[other.slug] = shared.get(other.slug, 0) + 1
                    others[other.slug] = other
        day = event.day_number
        ranked = sorted(
            others.values(), key=lambda o: (-shared[o.slug], abs(o.day_number - day), o.slug)
        )
        return tuple(ranked[:RELATED_LIMIT])

    def windows(self, event: Event) -> Iterator[tuple[Event, ...]]:
        """The members around `event` in each of its tags' lists."""
        for tag in event.tags:
            members = self._members[tag.slug]
            index = self._member_index[tag.slug][event.slug]
            yield members[max(0, index - RELATED_LIMIT) : index + RELATED_LIMIT + 1]

    def near(self, slugs: Iterable[str]) -> set[str]:
        """The events whose related events can involve any of `slugs` (those events included):
        the members around each in its tags' lists. This is what an edit can reach, for the
        related lists here and for the pages a rebuild must redo (`builder.py`)."""
        found = set(slugs)
        for slug in list(found):
            event = self.by_slug.get(slug)
            if event is not None:
                found.update(e.slug for window in self.windows(event) for e in window)
        return found

    def _related_after(self, previous: Timeline) -> dict[str, tuple[Event, ...]]:
        """This timeline's related events, reusing `previous`'s where nothing nearby changed.

        An event's related events depend only on the members near it in its tags' lists, so
        only events near a changed event (before or after the change) need computing again.
        """
        changed = self.changed_since(previous)
        nearby = previous.near(changed) | self.near(changed)  # the changed events included
        related = dict(previous._related)
        for slug in nearby:
            related.pop(slug, None)
        for slug in nearby:
            event = self.by_slug.get(slug)
            found = self._find_related(event) if event is not None else ()
            if found:
                related[slug] = found
        return related


def _places(events: tuple[Event, ...]) -> dict[str, int]:
    """Each event's index in `events`, by slug."""
    return {event.slug: index for index, event in enumerate(events)}


def changed_slugs(before: Timeline, after: Timeline) -> set[str]:
    """Slugs of events added, removed or changed (unchanged events are the same objects)."""
    return {event.slug for event in set(before.events).symmetric_difference(after.events)}


SORT_KEY = attrgetter("sort_key")
REORDERED_UP_TO = 64  # changed events put in place one by one; past this many, all are sorted


def _reordered(
    previous: Timeline, events: list[Event], added: set[Event], gone: set[Event]
) -> tuple[Event, ...]:
    """The events in timeline order: `previous`'s order, less the events `gone`, with those
    `added` put in place (after an edit, one of each); sorted afresh after many changes."""
    if len(added) + len(gone) > REORDERED_UP_TO:
        return tuple(sorted(events, key=SORT_KEY))
    ordered = list(previous.events)
    for index in sorted((previous._position[event.slug] for event in gone), reverse=True):
        del ordered[index]
    for event in sorted(added, key=SORT_KEY):
        bisect.insort(ordered, event, key=SORT_KEY)
    return tuple(ordered)
