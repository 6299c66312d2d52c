"""Build one site again and again, redoing only what changed: the engine behind `build` and
the live preview.

Three caches, each keyed so that it cannot serve stale output:
- compiled events, by source path, reused while the file's size and modification time (and,
  failing that, its content hash) are unchanged, and recompiled when the set of static files
  changes if the event names an image;
- rendered list items, inside the `Renderer`, by event content hash (a new renderer is made
  whenever a template or the configuration changes);
- page keys: the fingerprint of each page as last written, so unchanged pages are skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildFailed, Problem
from .exports import EXPORT_FILES, Exporter
from .model import Timeline, changed_slugs
from .project import Site
from .reader import read_event
from .render import Renderer, page_paths, plan_pages, site_warnings, theme_key
from .sources import FileInfo, event_files, static_files
from .validate import Compiled, check_unique_slugs, compile_event

Signature = tuple[int, int]


@dataclass(frozen=True)
class SourceEntry:
    """What one event file compiled to, and how to tell whether the file has changed."""

    signature: Signature
    digest: str
    compiled: Compiled
    uses_assets: bool


@dataclass
class Rendered:
    """The outcome of one build: the timeline, every page's key, and the pages to write."""

    timeline: Timeline
    warnings: list[Problem]
    static: dict[str, Path]
    keys: dict[str, Hashable] = field(default_factory=dict)
    changed: dict[str, bytes] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)


class Builder:
    """Reusable build state for one site; `build()` renders only pages whose inputs changed."""

    def __init__(self, site: Site, *, drafts: bool) -> None:
        self.site = site
        self.drafts = drafts
        self._sources: dict[str, SourceEntry] = {}
        self._assets: frozenset[str] = frozenset()
        self._renderer: Renderer | None = None
        self._page_keys: dict[str, Hashable] = {}
        self._timeline: Timeline | None = None
        self._rendered_with: str | None = None
        self._exporter = Exporter(site)

    def compile(
        self, static: Mapping[str, Path], *, hints: Iterable[str] | None = None
    ) -> list[Compiled]:
        """Every event file, compiled, reusing the results for files that did not change.

        `hints` (site-relative paths) may name the only files that changed since the last
        call, as the preview's watcher knows them; otherwise every file is checked.
        """
        assets = frozenset(static)
        assets_changed = assets != self._assets
        if hints is None or assets_changed:
            entries: dict[str, SourceEntry] = {}
            files = event_files(self.site.content_dir, self.site.root)
        else:
            entries = dict(self._sources)
            files = self._hinted_files(hints, entries)
        for rel, info in files.items():
            entry = self._sources.get(rel)
            stale = entry is None or (assets_changed and entry.uses_assets)
            if stale or entry.signature != info.signature:
                entry = self._compile_file(rel, info, entry, assets, assets_changed)
            entries[rel] = entry
        self._sources, self._assets = entries, assets
        return [entry.compiled for entry in entries.values()]

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

    def _compile_file(
        self, rel: str, info: FileInfo, previous: SourceEntry | None,
        assets: frozenset[str], assets_changed: bool,
    ) -> SourceEntry:  # fmt: skip
        raw = read_event(rel, Path(info.path).read_bytes())
        reusable = previous and previous.digest == raw.digest
        if reusable and not (assets_changed and previous.uses_assets):
            return SourceEntry(info.signature, raw.digest, previous.compiled, previous.uses_assets)
        compiled = compile_event(
            raw, allow_raw_html=self.site.config.allow_raw_html, asset_exists=assets.__contains__
        )
        return SourceEntry(info.signature, raw.digest, compiled, "image" in raw.meta)

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

    def renderer(self) -> Renderer:
        """The current Jinja environment; a fresh one when a template or the config changed."""
        if self._renderer is None or self._renderer.key != theme_key(self.site):
            self._renderer = Renderer(self.site)
        return self._renderer

    def build(self, *, hints: Iterable[str] | None = None) -> Rendered:
        """Validate everything and render the pages whose keys differ from the last commit.

        After a content-only change, only the pages that can depend on the changed events
        are planned at all (see `_affected`); after any other change, every page is.
        """
        static = static_files(self.site.static_dirs)
        timeline, warnings = self.assemble(static, hints=hints)
        renderer = self.renderer()
        warnings += site_warnings(self.site)
        result = Rendered(timeline, warnings, static, keys=dict(self._page_keys))
        if self._timeline is None or self._rendered_with != renderer.key:
            pages = plan_pages(timeline, self.site)
        else:
            events, tags = _affected(self._timeline, timeline)
            pages = plan_pages(timeline, self.site, events=events, tags=tags)
        for page in pages:
            key = page.key(renderer.key)
            if result.keys.get(page.path) != key:
                result.changed[page.path] = renderer.render(page)
                result.keys[page.path] = key
        for path, data in self._exporter.files(timeline).items():
            key = hashlib.blake2b(data, digest_size=16).hexdigest()
            if result.keys.get(path) != key:
                result.changed[path] = data
                result.keys[path] = key
        current = page_paths(timeline, self.site) | set(EXPORT_FILES)
        result.removed = set(result.keys) - current
        for path in result.removed:
            del result.keys[path]
        return result

    def commit(self, result: Rendered) -> None:
        """Record that `result` was written, so the next build compares against it."""
        self._page_keys = dict(result.keys)
        self._timeline = result.timeline
        self._rendered_with = self.renderer().key


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
