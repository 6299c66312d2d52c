"""Which pages a site has, where each one goes, and what its template is given.

The one place that decides every page's output path and URL (the timeline and its year
pages, event and tag pages, the embed, 404, robots, feed and sitemap): rendering, the
sitemap, the feed, the cache and the exports all ask here. A page's context holds
everything its template may use (templates see nothing else but the configuration), so a
page's key says whether it needs rendering again.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import is_, is_not
from typing import Any, TypeVar
from urllib.parse import quote

from .config import CONFIG_NAME, LATEST, SiteConfig
from .dates import parse_date
from .datetext import DateText
from .errors import Problem
from .keys import Seen, page_key, stable_hash
from .language import N_
from .layout import Chunk, chunks_of, years_of
from .model import (
    ENTITY_GROUPS,
    Entity,
    Event,
    Period,
    Source,
    Status,
    Tag,
    TagGroup,
    Timeline,
    day_time,
    slugify,
)
from .overview import Band, overview, overview_summary
from .project import Site
from .runs import Run, by_run
from .urls import split_url


@dataclass(frozen=True)
class Page:
    """One output page: where it goes, which template draws it, and what the template gets."""

    path: str
    template: str
    title: str
    description: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    subject: Event | None = None
    fingerprint: str = ""  # what the key hashes instead of the context, when that is costly

    @property
    def url(self) -> str:
        """Site-relative URL of the page: `events/x/` for `events/x/index.html`."""
        return self.path.removesuffix("index.html")

    def key(self, theme: str, seen: Seen | None = None) -> str:
        """Changes whenever the page could render differently (`seen`: see `page_key`)."""
        own = (self.path, self.template, self.title, self.description)
        return page_key(theme, own, {"fingerprint": self.fingerprint} if self.fingerprint
                        else self.context, seen)  # fmt: skip


@dataclass(frozen=True)
class TagCount:
    """A tag and how many events carry it: all a tag list or a tag filter needs to show."""

    tag: Tag
    count: int


@dataclass(frozen=True)
class StatusCount:
    """A status and how many events have it: the legend and the Status filter."""

    status: Status
    count: int


def status_counts(events: tuple[Event, ...], config: SiteConfig) -> tuple[StatusCount, ...]:
    """The statuses the events use, in the site's order."""
    counts: Counter[str] = Counter()
    for run_counts in by_run(events, "statuses", _statuses):
        counts.update(run_counts)
    return tuple(StatusCount(s, counts[s.key]) for s in config.statuses if s.key in counts)


def _statuses(events: Run) -> Counter[str]:
    return Counter(event.status for event in events if event.status)


@dataclass(frozen=True)
class NavYear:
    """One year in a timeline's year navigation, and the page (site-relative URL) it is on."""

    year: int | None
    label: str
    anchor: str
    url: str
    count: int


def plan_pages(
    timeline: Timeline, site: Site, *, events: set[str] | None = None, tags: set[str] | None = None
) -> list[Page]:
    """The site's pages in a stable order: all of them, or, when `events` and `tags` name
    subsets (slugs), the site-wide pages plus only those events' and tags' pages.

    Contexts hold summaries (tag counts, year navigation) rather than whole event lists
    wherever a page shows only that much, so that an edit re-renders few pages.
    """
    config = site.config
    _ = site.language.gettext
    tag_counts = tuple(TagCount(g.tag, len(g.events)) for g in timeline.tags)
    years = tuple(years_of(timeline.events))
    chunks = chunks_of(timeline.events, config)
    context = {"filter_tags": tag_counts, "filter_years": years, "total": len(timeline),
               "filter_statuses": status_counts(timeline.events, config),
               "has_sources": any(event.sources for event in timeline),
               "has_changes": bool(changes_of(timeline)),
               "filter_entities": entity_groups(timeline),
               **_list_context(timeline.events, timeline, site)}  # fmt: skip
    if timeline.periods:
        context["marks"] = period_marks(timeline, config.newest_first)
        context["filter_periods"] = timeline.periods
    pages = _list_pages(
        "", "index.html", chunks, title=config.title, description=config.description,
        context=context, dates=site.dates,
    )  # fmt: skip
    start = start_event(timeline, config)
    if start is not None:
        pages[0].context["start"] = StartPoint(start.slug, _chunk_of(chunks, start).url)
    embed = dict(pages[0].context, nav=(), chunks=())
    pages += [
        Page("embed/index.html", "embed.html", config.title, config.description, embed),
        Page("tags/index.html", "tags.html", _("Tags"),
             _("All tags of %(site)s.") % {"site": config.title}, {"tags": tag_counts}),
        Page("404.html", "404.html", _("Page not found")),
    ]  # fmt: skip
    listed_on = {group.year: chunk.url for chunk in chunks for group in chunk.years}
    pages += [
        _event_page(timeline, event, listed_on[event.year], site)
        for event in _chosen(timeline, events)
    ]
    for group in timeline.tags:
        if tags is None or group.tag.slug in tags:
            pages += _tag_pages(group, timeline, site)
    pages += _period_pages(timeline, site)
    pages += _sources_page(timeline, site)
    pages += _entity_pages(timeline, site)
    pages += _changes_page(timeline, site)
    return pages + _site_files(timeline, site)


def _chosen(timeline: Timeline, slugs: set[str] | None) -> Sequence[Event]:
    """The events of `slugs` (all of them for None), in timeline order: after an edit,
    the preview plans the pages of a few events of thousands."""
    if slugs is None:
        return timeline.events
    found = [timeline.by_slug[slug] for slug in slugs if slug in timeline.by_slug]
    return sorted(found, key=lambda event: event.sort_key)  # the timeline's own order


@dataclass(frozen=True)
class StartPoint:
    """Where the timeline page opens (`start` in site.toml): an event, and the URL of the
    page of the timeline that lists it (site-relative)."""

    slug: str
    url: str


def start_event(timeline: Timeline, config: SiteConfig) -> Event | None:
    """The event the timeline opens at: the latest one for `latest`, else the first one
    from the `start` date on (the last one when every event is earlier); None when unset."""
    if not config.start or not timeline.events:
        return None
    if config.start == LATEST:
        return timeline.events[-1]
    since = parse_date(config.start).earliest
    return next((e for e in timeline.events if e.date.earliest >= since), timeline.events[-1])


def _chunk_of(chunks: tuple[Chunk, ...], event: Event) -> Chunk:
    return next(chunk for chunk in chunks if event in chunk.events)


def _list_pages(
    prefix: str, template: str, chunks: tuple[Chunk, ...], *, title: str, description: str,
    context: dict[str, Any], dates: DateText,
) -> list[Page]:  # fmt: skip
    """A timeline (the whole site's, or a tag's) as pages of whole years."""
    nav = tuple(
        NavYear(
            group.year,
            dates.year_label(group.year),
            group.anchor,
            prefix + chunk.url,
            len(group.events),
        )
        for chunk in chunks
        for group in chunk.years
    )
    links = tuple((chunk.label(dates), prefix + chunk.url) for chunk in chunks)
    pages = []
    previous_last = None
    for number, chunk in enumerate(chunks):
        own = {"chunk": chunk, "after": previous_last, "nav": nav, "chunks": links,
               "number": number, **context}  # fmt: skip
        heading = title if number == 0 else f"{title}: {chunk.label(dates)}"
        pages.append(Page(f"{prefix}{chunk.url}index.html", template, heading, description, own))
        previous_last = chunk.events[-1] if chunk.events else None
    return pages


PeriodMarks = dict[str, tuple[tuple[str, Period, bool], ...]]


def period_marks(timeline: Timeline, newest_first: bool) -> PeriodMarks:
    """Where each period starts and ends in the list, by event slug: (kind, period, above),
    `kind` "start" or "end", `above` whether the mark goes before the event's item.

    Read oldest first, a period starts above its first event and ends below its last;
    newest first, it ends above its latest event and starts below its earliest. An
    open-ended period has not ended, so it has no end mark."""
    marks: dict[str, list[tuple[str, Period, bool]]] = {}
    for period in timeline.periods:
        members = timeline.members[period.slug]
        if not members:
            continue
        ends = [("start", members[0])]
        if period.date.end is not None:
            ends.append(("end", members[-1]))
        for kind, event in ends:
            above = (kind == "start") != newest_first
            marks.setdefault(event.slug, []).append((kind, period, above))
    return {slug: tuple(found) for slug, found in marks.items()}


def _list_context(events: tuple[Event, ...], timeline: Timeline, site: Site) -> dict[str, Any]:
    """What every page listing events shows besides them: the to-scale strip of the events
    (`overview.py`) with the periods as bands and the sentence that says what it shows; and
    what their cards and items show of other files (their entities' names, their connected
    events' titles, when they were added and changed), so that the page changes with them."""
    bands = [Band(p.slug, p.title, p.date, p.color, p.url) for p in timeline.periods]
    showing = showing_others(timeline)
    return {
        "overview": overview(events, bands, dates=site.dates, base_path=site.config.base_path),
        "overview_text": overview_summary(events, bands, site.dates),
        "shown_with": stable_hash(  # a digest: the pages of one list share it, and it is long
            tuple(_shown_with(e, timeline) for e in events if e.slug in showing) if showing else ()
        ),
    }


T = TypeVar("T")


def _once(name: str) -> Callable[[Callable[[Timeline], T]], Callable[[Timeline], T]]:
    """Work out a function of a timeline once for that timeline (planning the pages asks
    for the sources and the changes more than once)."""

    def wrap(function: Callable[[Timeline], T]) -> Callable[[Timeline], T]:
        def once(timeline: Timeline) -> T:
            found = timeline.__dict__.get(name)
            if found is None:
                found = timeline.__dict__[name] = function(timeline)
            return found

        once.__doc__ = function.__doc__
        return once

    return wrap


@_once("_showing_others")
def showing_others(timeline: Timeline) -> frozenset[str]:
    """Slugs of the events whose card and item show anything of other files (entities,
    linked events, git's dates): most events of a timeline without them show nothing.
    Worked out once: every list of the timeline asks, for each of its events."""
    runs = by_run(timeline.events, "shows others", _naming)
    shown = set(timeline.linked()).union(*(named for named, _ in runs))
    if timeline.history:  # the events whose files git knows
        slug_at = dict(chain.from_iterable(paths for _, paths in runs))
        shown.update(slug_at[path] for path in timeline.history.keys() & slug_at.keys())
    return frozenset(shown)


def _naming(events: Run) -> tuple[frozenset[str], tuple[tuple[str, str], ...]]:
    """Slugs of the events that name entities; every event's path and slug."""
    named = frozenset(event.slug for event in events if event.entities)
    return named, tuple((event.path, event.slug) for event in events)


def _shown_with(event: Event, timeline: Timeline) -> tuple[object, ...]:
    times = timeline.times(event)
    return (
        event.slug,
        tuple(entity.title for entity in timeline.entities_of(event)),
        tuple((link.label, link.event.title) for link in timeline.connections(event)),
        times.added,
        times.touched,
    )


def _period_pages(timeline: Timeline, site: Site) -> list[Page]:
    """A page per period (its description, then its events as a timeline) and their index."""
    if not timeline.periods:
        return []
    counts = tuple((period, len(timeline.members[period.slug])) for period in timeline.periods)
    title = site.language.gettext("Periods")
    pages = [Page("periods/index.html", "periods.html", title, "", {"periods": counts})]
    for period in timeline.periods:
        members = timeline.members[period.slug]
        chunks = chunks_of(members, site.config)
        context = {"period": period, "total": len(members),
                   "filter_years": tuple(years_of(members)),
                   **_list_context(members, timeline, site)}  # fmt: skip
        pages += _list_pages(period.url, "period.html", chunks, title=period.title,
                             description=period.summary, context=context,
                             dates=site.dates)  # fmt: skip
    return pages


SOURCES_PAGE = "sources/index.html"
SOURCES_PER_PAGE = 200  # a publisher's sources on one page (each with the events it supports)


@dataclass(frozen=True)
class SourceUse:
    """One source and the events that cite it (in timeline order)."""

    source: Source
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Publisher:
    """A publisher's sources, how many events rest on at least one of them, and where its
    page is (`sources/<slug>/`)."""

    name: str
    slug: str
    uses: tuple[SourceUse, ...]
    events: int

    @property
    def url(self) -> str:
        return f"sources/{self.slug}/"


@dataclass(frozen=True)
class PublisherCount:
    """What the sources index shows of a publisher (so that it changes only with these)."""

    name: str
    url: str
    sources: int
    events: int


Cited = tuple[tuple[str, tuple[Source, ...]], ...]  # each citing event's slug and sources


@dataclass(frozen=True)
class _Grouping:
    """A grouping of sources: what it was made from (the citing events, and what they cite),
    the publishers, and where each event is in them."""

    events: tuple[Event, ...]
    cited: Cited
    publishers: tuple[Publisher, ...]
    places: dict[str, list[tuple[int, int]]]  # event slug -> (publisher, use) indexes


_GROUPED: dict[str, _Grouping] = {}  # the last grouping made


@_once("_publishers")
def publishers(timeline: Timeline) -> tuple[Publisher, ...]:
    """Every source of every event, grouped by publisher (sources without one under their
    host, or "Publisher not named"), the outlets most events rest on first.

    The preview groups them again after each edit, and most edits leave every event's
    sources as they were: then the last grouping stands, holding the edited events' new
    versions, in their new order when an edit moved them (a new date)."""
    runs = by_run(timeline.events, "citing", _citing)
    events = tuple(chain.from_iterable(run for run, _ in runs))
    cited = tuple(chain.from_iterable(pairs for _, pairs in runs))
    last = _GROUPED.get("last")
    found = None
    if last is not None and last.cited == cited:
        edited = {new.slug for new in compress(events, map(is_not, events, last.events))}
        found = _with_events(last, edited, timeline, moved=False)
    elif last is not None and len(cited) == len(last.cited) and dict(cited) == dict(last.cited):
        kept = set(map(id, last.events))
        edited = {event.slug for event in events if id(event) not in kept}
        found = _with_events(last, edited, timeline, moved=True)
    if found is not None:
        places = last.places
    else:
        found = _grouped(timeline)
        places = {}
        for number, group in enumerate(found):
            for index, use in enumerate(group.uses):
                for event in use.events:
                    places.setdefault(event.slug, []).append((number, index))
    _GROUPED["last"] = _Grouping(events, cited, found, places)
    return found


def _citing(events: Run) -> tuple[tuple[Event, ...], Cited]:
    """The events that cite sources, and their slugs and sources."""
    citing = tuple(event for event in events if event.sources)
    return citing, tuple((event.slug, event.sources) for event in citing)


def _with_events(
    last: _Grouping, edited: set[str], timeline: Timeline, *, moved: bool
) -> tuple[Publisher, ...] | None:
    """The last grouping, listing the current versions of the `edited` events.

    When they `moved` in the timeline, a use lists its events in their new order; None if
    the move could change more than that, which `_grouped` decides by the order in which
    sources first appear: which of a source's citing events gives its title and date (the
    first), and the order of sources that sort alike (by date and title) in a publisher."""
    places = {place for slug in edited for place in last.places[slug]}
    uses = {number: list(last.publishers[number].uses) for number, _ in places}
    now = timeline.by_slug
    for number, index in places:
        use = uses[number][index]
        events = tuple(now[e.slug] for e in use.events)
        if moved:
            events = tuple(sorted(events, key=timeline.index_of))
            if _as_cited(events[0], use.source) != use.source or _ties(uses[number], index):
                return None
        uses[number][index] = SourceUse(use.source, events)
    return tuple(
        Publisher(group.name, group.slug, tuple(uses[number]), group.events)
        if number in uses else group
        for number, group in enumerate(last.publishers)
    )  # fmt: skip


def _as_cited(event: Event, source: Source) -> Source:
    """`source` as `event` cites it (the first of its sources with that identity)."""
    return next(own for own in event.sources if own.identity == source.identity)


def _ties(uses: list[SourceUse], index: int) -> bool:
    """Whether the use at `index` sorts alike with a neighbour (see `_use_order`)."""
    key = _use_order(uses[index])
    neighbours = (uses[other] for other in (index - 1, index + 1) if 0 <= other < len(uses))
    return any(_use_order(use) == key for use in neighbours)


def _use_order(use: SourceUse) -> tuple[object, ...]:
    """Where a source stands among its publisher's: by date (undated first), then title."""
    return (use.source.date.earliest if use.source.date else (0, 0, 0), use.source.title)


def _grouped(timeline: Timeline) -> tuple[Publisher, ...]:
    """The publishers worked out from every event's sources."""
    uses: dict[tuple[str, ...], tuple[Source, dict[str, Event]]] = {}
    for event in timeline:
        for source in event.sources:
            uses.setdefault(source.identity, (source, {}))[1].setdefault(event.slug, event)
    grouped: dict[str, list[SourceUse]] = {}
    for source, events in uses.values():
        use = SourceUse(source, tuple(events.values()))
        grouped.setdefault(_publisher_name(source), []).append(use)
    found_groups = []
    for name, items in grouped.items():
        items.sort(key=_use_order)
        events = len({event.slug for use in items for event in use.events})
        found_groups.append((name, tuple(items), events))
    found_groups.sort(key=lambda g: (-g[2], g[0].casefold(), g[0]))
    taken: set[str] = set()
    result = []
    for name, items, events in found_groups:
        slug = base = slugify(name) or "publisher"
        number = 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        result.append(Publisher(name, slug, items, events))
    return tuple(result)


def _publisher_name(source: Source) -> str:
    if source.publisher:
        return source.publisher
    parts = split_url(source.url) if source.url else None
    return parts.hostname if parts and parts.hostname else N_("Publisher not named")


def _publisher_pages(publisher: Publisher) -> list[str]:
    """The output paths of a publisher's pages, SOURCES_PER_PAGE sources each."""
    count = max(1, -(-len(publisher.uses) // SOURCES_PER_PAGE))
    return [f"{publisher.url}{f'{n}/' if n > 1 else ''}index.html" for n in range(1, count + 1)]


# A publisher page's path -> what it showed last (its heading's data, the very uses, and the
# source and event objects they held) and the fingerprint that made.
_SHOWN: dict[str, tuple[tuple[object, ...], tuple[SourceUse, ...], list[object], str]] = {}


def _publisher_fingerprint(path: str, head: tuple[object, ...], part: tuple[SourceUse, ...]) -> str:
    """A publisher page's fingerprint, hashed from its sources and their events' titles.

    The preview plans every publisher page again after each edit, and most still list the
    very same objects (an unchanged event, its sources included, stays the same immutable
    object from one build to the next): those keep their fingerprint instead of hashing
    every source of the timeline again."""
    known = _SHOWN.get(path)
    if known is not None and known[0] == head and _same(known[1], part):
        return known[3]  # the very uses (a use holds its source and events)
    objects = [item for use in part for item in (use.source, *use.events)]
    if known is not None and known[0] == head and _same(known[2], objects):
        return known[3]
    shown = (*head, tuple(
        (use.source, tuple((e.slug, e.title) for e in use.events)) for use in part
    ))  # fmt: skip
    fingerprint = stable_hash(shown)
    _SHOWN[path] = (head, part, objects, fingerprint)
    return fingerprint


def _same(before: Sequence[object], now: Sequence[object]) -> bool:
    """Whether two sequences hold the very same objects."""
    return len(before) == len(now) and all(map(is_, before, now))


def _sources_page(timeline: Timeline, site: Site) -> list[Page]:
    """`sources/`: how much of the timeline rests on each outlet; then a page per
    publisher (in pages of SOURCES_PER_PAGE) with its sources and the events each supports."""
    groups = publishers(timeline)
    if not groups:
        return []
    counts = tuple(PublisherCount(g.name, g.url, len(g.uses), g.events) for g in groups)
    by_url = {count.url: count for count in counts}
    context = {"publishers": counts, "total": len(timeline),
               "sources": sum(len(group.uses) for group in groups)}  # fmt: skip
    _ = site.language.gettext
    description = _(
        "Every source cited in the timeline, by publisher, with the events it supports."
    )
    pages = [Page(SOURCES_PAGE, "sources.html", _("Sources"), description, context)]
    for group in groups:
        paths = _publisher_pages(group)
        links = tuple((n + 1, p.removesuffix("index.html")) for n, p in enumerate(paths))
        for number, path in enumerate(paths):
            part = group.uses[number * SOURCES_PER_PAGE : (number + 1) * SOURCES_PER_PAGE]
            own = {"publisher": by_url[group.url], "uses": part, "total": len(timeline),
                   "number": number, "pages": links}  # fmt: skip
            name = _(group.name)
            title = name if number == 0 else f"{name} ({number + 1})"
            head = (own["publisher"], len(timeline), number, links)
            about = _("Sources from %(publisher)s.") % {"publisher": name}
            pages.append(Page(path, "publisher.html", title, about, own,
                              fingerprint=_publisher_fingerprint(path, head, part)))  # fmt: skip
    return pages


@dataclass(frozen=True)
class EntityGroup:
    """Entities of one kind ("People"), each with its number of events."""

    label: str
    entities: tuple[tuple[Entity, int], ...]


def entity_groups(timeline: Timeline) -> tuple[EntityGroup, ...]:
    """The entities by kind, in the order people, organisations, places, other."""
    groups = []
    for kind, label in ENTITY_GROUPS.items():
        members = tuple(
            (entity, len(timeline.involving[entity.slug]))
            for entity in timeline.entities
            if entity.kind == kind
        )
        if members:
            groups.append(EntityGroup(label, members))
    return tuple(groups)


def _entity_pages(timeline: Timeline, site: Site) -> list[Page]:
    """A page per entity (its description, then its events as a timeline) and their index."""
    if not timeline.entities:
        return []
    groups = entity_groups(timeline)
    title = site.language.gettext("People, organisations and places")
    pages = [Page("entities/index.html", "entities.html", title, "", {"groups": groups})]
    for entity in timeline.entities:
        members = timeline.involving[entity.slug]
        context = {"entity": entity, "total": len(members),
                   "filter_years": tuple(years_of(members)),
                   **_list_context(members, timeline, site)}  # fmt: skip
        chunks = chunks_of(members, site.config)
        pages += _list_pages(entity.url, "entity.html", chunks, title=entity.title,
                             description=entity.summary, context=context,
                             dates=site.dates)  # fmt: skip
    return pages


def _tag_pages(group: TagGroup, timeline: Timeline, site: Site) -> list[Page]:
    count = len(group.events)
    description = site.language.ngettext(
        "%(num)d event tagged %(tag)s.", "%(num)d events tagged %(tag)s.", count
    ) % {"num": count, "tag": group.tag.name}
    chunks = chunks_of(group.events, site.config)
    context = {
        "tag": group.tag,
        "total": len(group.events),
        "filter_years": tuple(years_of(group.events)),
        **_list_context(group.events, timeline, site),
    }
    return _list_pages(group.tag.url, "tag.html", chunks, title=group.tag.name,
                       description=description, context=context, dates=site.dates)  # fmt: skip


def _site_files(timeline: Timeline, site: Site) -> list[Page]:
    """robots.txt always; the feed and the sitemap only with a base URL (they need absolute
    URLs, and a site without one is told so by `site_warnings`)."""
    files = [Page("robots.txt", "robots.txt", "robots.txt")]
    if site.config.site_url:
        timed = [(event, timeline.times(event)) for event in timeline.events]
        timed.sort(key=lambda pair: (pair[1].updated, pair[0].sort_key), reverse=True)
        updated = max((times.updated for _, times in timed), default="1970-01-01T00:00:00Z")
        feed = {"entries": tuple(timed), "updated": updated}
        html = _html_paths(timeline, site.config)
        urls = tuple(sorted(p.removesuffix("index.html") for p in html))
        changes = {"changes": changes_of(timeline)[:CHANGES_IN_FEED], "updated": updated}
        changes_title = site.language.gettext("%(site)s: changes") % {"site": site.config.title}
        files += [
            Page("feed.xml", "feed.xml", site.config.title, context=feed),
            Page("changes.xml", "changes.xml", changes_title, context=changes),
            Page("sitemap.xml", "sitemap.xml", "sitemap", context={"urls": urls}),
        ]
    return files


CHANGES_ON_PAGE = 300  # the changes page lists this many, newest first
CHANGES_IN_FEED = 100


@dataclass(frozen=True)
class Change:
    """One change to the timeline: an event added, updated or corrected, and when (RFC 3339)."""

    time: str
    kind: str  # "added" | "updated" | "corrected"
    event: Event
    note: str = ""

    @property
    def day(self) -> str:
        return self.time[:10]

    @property
    def anchor(self) -> str:
        """Unique among the event's changes, for feed entry ids."""
        return f"{self.kind}-{self.time}"


# The last timeline whose changes were listed, and its changes.
_LISTED: dict[str, tuple[weakref.ref[Timeline], tuple[Change, ...]]] = {}


@_once("_changes")
def changes_of(timeline: Timeline) -> tuple[Change, ...]:
    """Every addition (first commit), update (each later commit, or `updated:`) and
    correction, newest first.

    An event's changes depend only on it and on git's history: after an edit, the preview
    keeps those of the unchanged events from the last list, while the history stands."""
    last = _LISTED.get("last")
    before = last[0]() if last is not None else None
    if last is not None and before is not None and before.history is timeline.history:
        changed = timeline.changed_since(before)
        found = [change for change in last[1] if change.event.slug not in changed]
        for slug in changed:
            event = timeline.by_slug.get(slug)
            found += _changes_of_event(event, timeline) if event is not None else []
    else:
        found = [change for event in timeline for change in _changes_of_event(event, timeline)]
    listed = tuple(sorted(found, key=lambda c: (c.time, c.kind, c.event.slug), reverse=True))
    _LISTED["last"] = (weakref.ref(timeline), listed)
    return listed


def _changes_of_event(e: Event, timeline: Timeline) -> list[Change]:
    history = timeline.history.get(e.path)
    times = timeline.times(e)
    found = [Change(times.added, "added", e)] if times.added else []
    later = set(history.changes[:-1]) if history else set()
    if e.revised is not None and times.changed:
        later = {times.changed}  # set by hand: it stands for the updates
    found += [Change(time, "updated", e) for time in later]
    corrected = [Change(day_time(c.date.latest), "corrected", e, c.note) for c in e.corrections]
    return found + corrected


def _changes_page(timeline: Timeline, site: Site) -> list[Page]:
    """`changes/`: what was added, updated and corrected, newest first, by day."""
    changes = changes_of(timeline)
    if not changes:
        return []
    days: dict[str, list[Change]] = {}
    for change in changes[:CHANGES_ON_PAGE]:
        days.setdefault(change.day, []).append(change)
    context = {"days": tuple((day, tuple(items)) for day, items in days.items()),
               "total": len(changes), "shown": min(len(changes), CHANGES_ON_PAGE)}  # fmt: skip
    _ = site.language.gettext
    description = _("What was added, updated and corrected in the timeline, newest first.")
    return [Page("changes/index.html", "changes.html", _("Changes"), description, context)]


def _html_paths(timeline: Timeline, config: SiteConfig) -> set[str]:
    """Every HTML page a visitor may open (the sitemap's list), without rendering any."""
    paths = {"tags/index.html"}
    paths.update(f"{chunk.url}index.html" for chunk in chunks_of(timeline.events, config))
    paths.update(*by_run(timeline.events, "event pages", _event_paths))
    for group in timeline.tags:
        chunks = chunks_of(group.events, config)
        paths.update(f"{group.tag.url}{chunk.url}index.html" for chunk in chunks)
    for period in timeline.periods:
        chunks = chunks_of(timeline.members[period.slug], config)
        paths.update(f"{period.url}{chunk.url}index.html" for chunk in chunks)
    if timeline.periods:
        paths.add("periods/index.html")
    if any(event.sources for event in timeline):
        paths.add(SOURCES_PAGE)
        paths.update(path for group in publishers(timeline) for path in _publisher_pages(group))
    if timeline.entities:
        paths.add("entities/index.html")
    if changes_of(timeline):
        paths.add("changes/index.html")
    for entity in timeline.entities:
        chunks = chunks_of(timeline.involving[entity.slug], config)
        paths.update(f"{entity.url}{chunk.url}index.html" for chunk in chunks)
    return paths


def _event_paths(events: Run) -> tuple[str, ...]:
    return tuple(f"{event.url}index.html" for event in events)


def page_paths(timeline: Timeline, site: Site) -> set[str]:
    """The output path of every page `plan_pages` would make, without making them."""
    paths = _html_paths(timeline, site.config) | {"404.html", "robots.txt", "embed/index.html"}
    if site.config.site_url:
        paths |= {"feed.xml", "changes.xml", "sitemap.xml"}
    return paths


def site_warnings(site: Site) -> list[Problem]:
    """Said once per build: what a missing base URL leaves out, and which interface strings
    have no translation into the site's language (they are shown in English)."""
    warnings = []
    if not site.config.site_url:
        message = (
            "not set, so feed.xml and sitemap.xml were left out and pages have no canonical, "
            "og:url or og:image links for local images; set base_url in site.toml or pass "
            "--base-url"
        )
        warnings.append(Problem(CONFIG_NAME, None, "base_url", message, warning=True))
    missing = site.language.missing
    if missing:
        message = (
            f"{len(missing)} interface string{'s' * (len(missing) != 1)} have no "
            f"{site.config.language!r} translation and are shown in English (add them to "
            f"locales/{site.config.language}/LC_MESSAGES/messages.po): "
            + "; ".join(repr(m) for m in missing)
        )
        warnings.append(Problem(CONFIG_NAME, None, "language", message, warning=True))
    return warnings


@dataclass(frozen=True)
class RepoLinks:
    """Where to read an event file's history and propose a change to it, on GitHub."""

    history: str
    edit: str


def repo_links(event: Event, timeline: Timeline, site: Site) -> RepoLinks | None:
    """The event file's history and edit pages, when the site's repository is known."""
    repo = site.config.repo_url.rstrip("/")
    if not repo:
        return None
    path = quote(timeline.repo_prefix + event.path)
    branch = quote(site.config.repo_branch, safe="")
    return RepoLinks(f"{repo}/commits/{branch}/{path}", f"{repo}/edit/{branch}/{path}")


def _event_page(timeline: Timeline, event: Event, listed_on: str, site: Site) -> Page:
    context = {
        "times": timeline.times(event),
        "repo_links": repo_links(event, timeline, site),
        "event": event,
        "listed_on": listed_on,
        "previous": timeline.previous(event),
        "next": timeline.next(event),
        "related": timeline.related(event),
        "periods": timeline.periods_of(event),
        "entities": timeline.entities_of(event),
        "connections": timeline.connections(event),
    }
    return Page(f"{event.url}index.html", "event.html", event.title, event.summary, context, event)
