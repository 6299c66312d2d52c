"""Build one site again and again, redoing only what changed: the engine behind `build` and
the live preview.

Three caches, each keyed so that it cannot serve stale output:
- compiled events, by source path, reused while the file's size and modification time (and,
  failing that, its content hash) are unchanged, and recompiled when the set of static files
  changes if the event names an image;
- rendered fragments, inside the `Renderer`, by event content hash (a new renderer is made
  whenever a template or the configuration changes);
- page keys: a hash of everything each page was last rendered from, so unchanged pages are
  not rendered again. `cache.py` keeps the first and the last on disk between builds.

Rendered files go to a `Sink` as they are made, so a large build never holds them all.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import parallel
from .errors import BuildFailed, Problem
from .exports import EXPORT_FILES, Exporter, exports_key
from .fingerprint import stable_hash
from .model import Timeline, changed_slugs
from .output import Sink
from .project import Site
from .reader import read_event
from .render import Page, Renderer, page_paths, plan_pages, site_warnings, theme_key
from .sources import FileInfo, event_files, static_files
from .validate import Compiled, check_unique_slugs, compile_event

Signature = tuple[int, int]
LISTED_IN_PARALLEL = 2000  # list pages are few but long: share them out past this many entries


@dataclass(frozen=True)
class SourceEntry:
    """What one event file compiled to, and how to tell whether the file has changed."""

    signature: Signature
    digest: str
    compiled: Compiled
    uses_assets: bool


@dataclass
class Rendered:
    """The outcome of one build: the timeline, every output's key, what was (re)written."""

    timeline: Timeline
    warnings: list[Problem]
    static: dict[str, Path]
    keys: dict[str, str] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def kept(self) -> set[str]:
        """Outputs unchanged since the previous build (and not written this time)."""
        return set(self.keys) - self.changed


class Builder:
    """Reusable build state for one site; `build()` renders only pages whose inputs changed."""

    def __init__(
        self, site: Site, *, drafts: bool, parallel: bool = False, keep: bool = True
    ) -> None:
        """`keep` caches every event's exported pieces for the next build (the preview)."""
        self.site = site
        self.drafts = drafts
        self.parallel = parallel
        self.sources: dict[str, SourceEntry] = {}
        self.page_keys: dict[str, str] = {}
        self.sources_changed = False
        self._assets: frozenset[str] | None = None
        self._renderer: Renderer | None = None
        self._timeline: Timeline | None = None
        self._rendered_with: str | None = None
        self._exporter = Exporter(site, keep=keep)

    # Events --------------------------------------------------------------------------

    def compile(
        self, static: Mapping[str, Path], *, hints: Iterable[str] | None = None
    ) -> list[Compiled]:
        """Every event file, compiled, reusing the results for files that did not change.

        `hints` (site-relative paths) may name the only files that changed since the last
        call, as the preview's watcher knows them; otherwise every file is checked.
        """
        assets = frozenset(static)
        assets_changed = self._assets is not None and assets != self._assets
        if hints is None or assets_changed or self._assets is None:
            entries: dict[str, SourceEntry] = {}
            files = event_files(self.site.content_dir, self.site.root)
        else:
            entries = dict(self.sources)
            files = self._hinted_files(hints, entries)
        stale = []
        for rel, info in files.items():
            entry = self.sources.get(rel)
            if (
                entry is None
                or entry.signature != info.signature
                or (assets_changed and entry.uses_assets)
            ):
                stale.append((rel, info))
            else:
                entries[rel] = entry
        fresh = parallel.run_all(
            _Compiler(self.site, assets, self.sources, assets_changed), stale,
            parallel=self.parallel,
        )  # fmt: skip
        entries.update(zip((rel for rel, _ in stale), fresh, strict=True))
        self.sources_changed = bool(stale) or entries.keys() != self.sources.keys()
        self.sources, self._assets = dict(sorted(entries.items())), assets
        return [entry.compiled for entry in self.sources.values()]

    def _hinted_files(
        self, hints: Iterable[str], entries: dict[str, SourceEntry]
    ) -> dict[str, FileInfo]:
        """The hinted event files that exist; those that no longer do leave `entries`."""
        files = {}
        for rel in hints:
            path = self.site.root / rel
            if rel.endswith(".md") and path.is_file():
                stat = path.stat()
                files[rel] = FileInfo(str(path), stat.st_mtime_ns, stat.st_size)
            else:
                entries.pop(rel, None)
        return files

    def assemble(
        self, static: Mapping[str, Path], *, hints: Iterable[str] | None = None
    ) -> tuple[Timeline, list[Problem]]:
        """The validated timeline and its warnings; raises `BuildFailed` with every error."""
        compiled = self.compile(static, hints=hints)
        problems = [p for item in compiled for p in item.problems]
        problems += check_unique_slugs(compiled)
        if any(not p.warning for p in problems):
            raise BuildFailed(problems)
        events = [c.event for c in compiled if c.event and (self.drafts or not c.event.draft)]
        return Timeline.from_events(events, previous=self._timeline), sorted(problems)

    # Pages ---------------------------------------------------------------------------

    def renderer(self) -> Renderer:
        """The current Jinja environment; a fresh one when a template or the config changed."""
        if self._renderer is None or self._renderer.key != theme_key(self.site):
            self._renderer = Renderer(self.site)
        return self._renderer

    def build(
        self, sink: Sink, *, hints: Iterable[str] | None = None, exports: bool = True
    ) -> Rendered:
        """Validate everything, then write to `sink` every output whose key changed.

        After a content-only change, only the pages that can depend on the changed events
        are planned at all (see `_affected`); after any other change, every page is. With
        `exports=False` the data exports are left for a later `export()` call (the preview
        shows the new pages first).
        """
        started = time.perf_counter()
        static = static_files(self.site.static_dirs)
        timeline, warnings = self.assemble(static, hints=hints)
        renderer = self.renderer()
        result = Rendered(timeline, warnings + site_warnings(self.site), static)
        result.timings["compile"] = time.perf_counter() - started
        result.keys = dict(self.page_keys)
        if self._timeline is None or self._rendered_with != renderer.key:
            pages = plan_pages(timeline, self.site)
        else:
            events, tags = _affected(self._timeline, timeline)
            pages = plan_pages(timeline, self.site, events=events, tags=tags)
        todo = []
        for page in pages:
            key = stable_hash(page.key(renderer.key))
            if result.keys.get(page.path) != key:
                result.keys[page.path] = key
                todo.append(page)
        rendering = time.perf_counter()
        self.render(todo, sink)
        result.changed.update(page.path for page in todo)
        exporting = time.perf_counter()
        if exports:
            self.export(result, sink)
        result.timings["plan"] = rendering - started - result.timings["compile"]
        result.timings["render"] = exporting - rendering
        result.timings["export"] = time.perf_counter() - exporting
        current = page_paths(timeline, self.site) | set(EXPORT_FILES)
        result.removed = set(result.keys) - current
        for path in result.removed:
            del result.keys[path]
        return result

    def render(self, pages: list[Page], sink: Sink) -> None:
        """Render pages into `sink`: the pages of single events first, across processes when
        there are many, each worker also rendering that event's card; then the pages that
        list events, here, from those cards."""
        renderer = self.renderer()
        single = [page for page in pages if page.subject is not None]
        lists = [page for page in pages if page.subject is None]

        def render_one(index: int) -> str:
            page = single[index]
            sink.write(page.path, renderer.render(page))
            return renderer.card(page.subject)

        cards = parallel.run_all(render_one, range(len(single)), parallel=self.parallel)
        for page, card in zip(single, cards, strict=True):
            renderer.adopt_card(page.subject, card)

        def render_list(index: int) -> None:
            page = lists[index]
            sink.write(page.path, renderer.render(page))

        listed = sum(
            len(page.context.get("chunk").events) for page in lists if "chunk" in page.context
        )
        enough = 2 if listed >= LISTED_IN_PARALLEL else len(lists) + 1
        parallel.run_all(render_list, range(len(lists)), parallel=self.parallel, min_items=enough)

    def export(self, result: Rendered, sink: Sink) -> None:
        """The data exports, made again only when an event or the configuration changed."""
        key = exports_key(result.timeline, self.site)
        if all(result.keys.get(path) == key for path in EXPORT_FILES):
            return
        for path, chunks in self._exporter.files(result.timeline).items():
            sink.write_chunks(path, chunks)
            result.keys[path] = key
            result.changed.add(path)

    def commit(self, result: Rendered) -> None:
        """Record that `result` was written, so the next build compares against it."""
        self.page_keys = dict(result.keys)
        self._timeline = result.timeline
        self._rendered_with = self.renderer().key


@dataclass(frozen=True)
class _Compiler:
    """Compiles one stale event file; a plain object so that forked workers can run it."""

    site: Site
    assets: frozenset[str]
    previous: dict[str, SourceEntry]
    assets_changed: bool

    def __call__(self, stale: tuple[str, FileInfo]) -> SourceEntry:
        rel, info = stale
        raw = read_event(rel, Path(info.path).read_bytes())
        previous = self.previous.get(rel)
        reusable = previous is not None and previous.digest == raw.digest
        if reusable and not (self.assets_changed and previous.uses_assets):
            return SourceEntry(info.signature, raw.digest, previous.compiled, previous.uses_assets)
        compiled = compile_event(
            raw,
            allow_raw_html=self.site.config.allow_raw_html,
            asset_exists=self.assets.__contains__,
        )
        return SourceEntry(info.signature, raw.digest, compiled, "image" in raw.meta)


def _affected(before: Timeline, after: Timeline) -> tuple[set[str], set[str]]:
    """Slugs of the events and tags whose pages may differ between two timelines.

    An event page shows its event, its previous and next events and its related events,
    which are chosen among the events near it in its tags' lists; a tag page shows its tag's
    events. So the pages that can change are those of the changed events, of their
    neighbours in the timeline and in their tags' lists (before and after the change), and of
    their tags.
    """
    changed = changed_slugs(before, after)
    events, tags = set(changed), set()
    for timeline in (before, after):
        for slug in changed:
            event = timeline.by_slug.get(slug)
            if event is None:
                continue
            tags.update(tag.slug for tag in event.tags)
            neighbours = (timeline.previous(event), timeline.next(event))
            events.update(e.slug for e in neighbours if e is not None)
            events.update(e.slug for window in timeline.windows(event) for e in window)
    return events, tags
