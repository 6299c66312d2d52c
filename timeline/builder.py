"""The stages of a build, each a method of `Builder`, which keeps what the last run made so
the next one redoes only what changed; `pipeline.py` runs them in order for `build` and the
live preview alike.

    read      list the static files and the event files to look at
    compile   read and compile the event files that changed (across processes when many)
    validate  collect every problem of the site; stop with all of them at once
    assemble  the validated, ordered `Timeline`
    plan      the pages that exist (`pages.py`), those whose key changed, and whether the
              data exports (`exports.py`) must be made again (an event or the configuration
              changed): after it, `BuildRun.changed` names every output this run writes
    render    the changed pages of single events, into the output's sink
    lists     the changed pages that list events (timeline, tags, years...), from the cards
              the event pages' workers rendered
    exports   the data exports, when planned

Three caches, each keyed (in `keys.py`) so that it cannot serve stale output:
- compiled files, by path, reused while the file's signature (and, failing that, its
  content hash) is unchanged, and compiled again when the set of static files changes if
  the event names an image;
- rendered fragments, inside the `Renderer`, by event content hash (a new renderer is made
  whenever a template or the configuration changes);
- page keys: a hash of everything each page was last rendered from, so unchanged pages are
  not rendered again. `cache.py` keeps the first and the last on disk between builds, as a
  `Snapshot` this class accepts and hands back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from pathlib import Path

from . import markup, parallel
from .citations import cite_labels
from .compiler import (
    Compiled,
    CompiledEntity,
    CompiledPeriod,
    check_unique_event_slugs,
    check_unique_slugs,
    checked_run,
    compile_entity,
    compile_event,
    compile_period,
    files_problems,
)
from .errors import BuildFailed, Problem, as_errors
from .exports import Exporter, export_paths
from .files import (
    OUTSIDE,
    FileInfo,
    Refused,
    Signature,
    event_files,
    is_inside,
    refused_problems,
    signature,
    static_files,
)
from .history import History, read_history
from .keys import Seen, exports_key, theme_key
from .model import Event, Timeline
from .output import Sink, check_collisions
from .pages import Page, page_paths, plan_pages, site_warnings
from .project import Site
from .reader import read_event_file
from .references import check_references
from .render import Renderer
from .runs import by_run

LISTED_IN_PARALLEL = 2000  # list pages are few but long: share them out past this many entries


@dataclass(frozen=True)
class CompiledFile:
    """What one event file compiled to, and how to tell whether the file has changed."""

    signature: Signature
    digest: str
    compiled: Compiled
    uses_assets: bool


@dataclass(frozen=True)
class Snapshot:
    """What a builder knows between runs: compiled files by path and every output's key."""

    compiled: dict[str, CompiledFile] = field(default_factory=dict)
    page_keys: dict[str, str] = field(default_factory=dict)
    assets: frozenset[str] | None = None  # the static files `compiled` was compiled with


@dataclass
class BuildRun:
    """One run of the stages: what it read, compiled, planned and wrote, stage by stage.

    `hints` (site-relative paths) may name the only files that changed since the last run,
    as the preview's watcher knows them; otherwise every file is checked.
    """

    hints: Iterable[str] | None = None
    static: dict[str, Path] = field(default_factory=dict)
    refused: list[Refused] = field(default_factory=list)
    files: dict[str, FileInfo] = field(default_factory=dict)
    period_files: dict[str, FileInfo] = field(default_factory=dict)
    entity_files: dict[str, FileInfo] = field(default_factory=dict)
    compiled: list[Compiled] = field(default_factory=list)
    periods: list[CompiledPeriod] = field(default_factory=list)
    entities: list[CompiledEntity] = field(default_factory=list)
    timeline: Timeline = field(default_factory=lambda: Timeline(()))
    warnings: list[Problem] = field(default_factory=list)
    todo: list[Page] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    exports_due: str | None = None  # the exports' new key, while they remain to be written

    @property
    def kept(self) -> set[str]:
        """Outputs unchanged since the previous run (and not written this time)."""
        return set(self.keys) - self.changed


class Builder:
    """Reusable build state for one site: its stages, and what the last run made."""

    def __init__(
        self,
        site: Site,
        *,
        drafts: bool,
        parallel: bool = False,
        keep: bool = True,
        snapshot: Snapshot | None = None,
        strict: bool = False,
        renders: bool = True,
    ) -> None:
        """`keep` caches every event's exported pieces for the next run (the preview);
        `strict` makes every warning an error (`--strict`); `renders` is False for `check`,
        which stops before the pages (its templates are then not compiled ahead)."""
        self.site = site
        self.drafts = drafts
        self.strict = strict
        self.renders = renders
        self.parallel = parallel
        snapshot = snapshot or Snapshot()
        self.compiled: dict[str, CompiledFile] = dict(snapshot.compiled)
        self.page_keys: dict[str, str] = dict(snapshot.page_keys)
        self.compiled_changed = False
        self._assets: frozenset[str] | None = None
        self._compiled_with = snapshot.assets
        self._carried: dict[str, CompiledFile] = {}
        self._periods: dict[str, tuple[str, CompiledPeriod]] = {}
        self._entities: dict[str, tuple[str, frozenset[str], CompiledEntity]] = {}
        self.history = History()
        self._renderer: Renderer | None = None
        self._timeline: Timeline | None = None
        self._rendered_with: str | None = None
        self._exporter = Exporter(site, keep=keep)
        self._cold_lists: list[str] = []

    def snapshot(self) -> Snapshot:
        """What the next run (or the next process, through `cache.py`) may start from."""
        return Snapshot(dict(self.compiled), dict(self.page_keys), self._assets)

    # read ----------------------------------------------------------------------------

    def read(self, run: BuildRun) -> None:
        """The static files, and the event files to look at: all of them, or only the
        hinted ones while the static files are as the last run saw them."""
        run.static = static_files(self.site.static_layers, run.refused)
        run.period_files = event_files(self.site.periods_dir, self.site.root, run.refused)
        run.entity_files = event_files(self.site.entities_dir, self.site.root, run.refused)
        assets = frozenset(run.static)
        if run.hints is None or self._assets is None or assets != self._assets:
            run.files = event_files(self.site.content_dir, self.site.root, run.refused)
            self._carried = {}
        else:
            self._carried = dict(self.compiled)
            run.files = self._hinted_files(run.hints, run.refused)

    def _hinted_files(self, hints: Iterable[str], refused: list[Refused]) -> dict[str, FileInfo]:
        """The hinted event files that exist; those that no longer do are dropped."""
        files = {}
        for rel in hints:
            path = self.site.root / rel
            if path.is_symlink() and not is_inside(path, self.site.root):
                self._carried.pop(rel, None)
                refused.append(Refused(str(path), OUTSIDE))
            elif rel.endswith(".md") and path.is_file():
                files[rel] = FileInfo(str(path), *signature(path))
            else:
                self._carried.pop(rel, None)
        return files

    # compile -------------------------------------------------------------------------

    def compile(self, run: BuildRun) -> None:
        """Compile every listed file whose signature changed (or that names an image, when
        the static files changed), reusing the rest."""
        assets = frozenset(run.static)
        known = self._assets if self._assets is not None else self._compiled_with
        assets_changed = known is not None and assets != known
        entries = dict(self._carried)
        stale = []
        for rel, info in run.files.items():
            entry = self.compiled.get(rel)
            if (
                entry is None
                or entry.signature != info.signature
                or (assets_changed and entry.uses_assets)
            ):
                stale.append((rel, info))
            else:
                entries[rel] = entry
        forking = self.renders and parallel.forks(len(stale), parallel=self.parallel)
        fresh = parallel.run_all(
            _Compiler(self.site, assets, self.compiled, assets_changed), stale,
            parallel=self.parallel, meanwhile=self._compile_templates if forking else None,
        )  # fmt: skip
        entries.update(zip((rel for rel, _ in stale), fresh, strict=True))
        self.compiled_changed = bool(stale) or entries.keys() != self.compiled.keys()
        if not self._carried or entries.keys() - self._carried.keys():
            entries = dict(sorted(entries.items()))  # else still in the carried files' order
        self.compiled, self._assets = entries, assets
        run.compiled = list(map(attrgetter("compiled"), self.compiled.values()))
        run.periods = [self._period(rel, info) for rel, info in run.period_files.items()]
        run.entities = [self._entity(rel, info, assets) for rel, info in run.entity_files.items()]

    def _period(self, rel: str, info: FileInfo) -> CompiledPeriod:
        """Periods are few: each is compiled on every run, the last result reused while its
        file's bytes are unchanged."""
        raw = read_event_file(rel, info.path)
        cached = self._periods.get(rel)
        if cached is None or cached[0] != raw.digest:
            cached = (raw.digest, compile_period(raw, config=self.site.config))
            self._periods[rel] = cached
        return cached[1]

    def _entity(self, rel: str, info: FileInfo, assets: frozenset[str]) -> CompiledEntity:
        """Entities, like periods, are few: compiled on every run, the last result reused
        while the file's bytes (and the static files its image may name) are unchanged."""
        raw = read_event_file(rel, info.path)
        cached = self._entities.get(rel)
        if cached is None or cached[0] != raw.digest or cached[1] != assets:
            compiled = compile_entity(
                raw, config=self.site.config, asset_exists=assets.__contains__
            )
            cached = (raw.digest, assets, compiled)
            self._entities[rel] = cached
        return cached[2]

    # validate, assemble --------------------------------------------------------------

    def validate(self, run: BuildRun) -> None:
        """Every problem of the site; raises `BuildFailed` with all of them on any error."""
        runs = by_run(run.compiled, "checked", checked_run)
        problems = files_problems(runs)
        others = [p for item in (*run.periods, *run.entities) for p in item.problems]
        others += refused_problems(run.refused, self.site.display_path)
        others += check_unique_event_slugs(run.compiled, runs)
        others += check_unique_slugs(run.periods) + check_unique_slugs(run.entities)
        referring = [pair for checked in runs for pair in checked.referring]
        others += check_references(referring, run.compiled, run.entities, self._line_of)
        if any(checked.failed for checked in runs) or any(p.is_error for p in others):
            raise BuildFailed(problems + others)
        self._refuse_warnings(problems + others)
        run.warnings = sorted(problems + others, key=Problem.order) if others else problems

    def _refuse_warnings(self, warnings: list[Problem]) -> None:
        """With `strict`, the warnings fail the build as errors, before anything is written."""
        if self.strict and warnings:
            raise BuildFailed(as_errors(warnings))

    def _line_of(self, path: str, position: tuple[str | int, ...]) -> int | None:
        """The line of a key in an event file, read again (only for a message)."""
        try:
            return read_event_file(path, str(self.site.root / path)).line(*position)
        except OSError:  # gone since it was read: the message stands without a line
            return None

    def assemble(self, run: BuildRun) -> None:
        events = list(chain.from_iterable(by_run(run.compiled, "events", _events_of)))
        if not self.drafts:  # a build, once; the preview shows drafts
            events = [event for event in events if not event.draft]
        periods = [c.period for c in run.periods if c.period]
        entities = [c.entity for c in run.entities if c.entity]
        history = self.history.files if self._refresh_history() else {}
        run.timeline = Timeline.from_events(
            events, periods=periods, entities=entities, history=history,
            repo_prefix=self.history.prefix, previous=self._timeline,
        )  # fmt: skip

    def _refresh_history(self) -> bool:
        """Read the files' history from git again when its HEAD moved (one `git log`, see
        `history.py`); whether there is one."""
        folders = ("content/events",)
        found = read_history(self.site.root, folders, known_head=self.history.head)
        if found is not None:
            self.history = found
        return self.history.warning is None

    # plan, render, exports ------------------------------------------------------------

    def renderer(self) -> Renderer:
        """The current Jinja environment; a fresh one when a template or the config changed."""
        key = theme_key(self.site)
        if self._renderer is None or self._renderer.key != key:
            self._renderer = Renderer(self.site)
        return self._renderer

    def _compile_templates(self) -> None:
        """Compile the templates in this process while the workers convert Markdown: the
        render and list workers, forked later, inherit them. Each worker used to compile
        them for itself, a third of a second of CPU each, four times in a cold build."""
        self.renderer().compile_templates()

    def warm_up(self) -> None:
        """Make ready in this process what a parallel build made in its workers (the
        compiled templates, the Markdown converter), so that the next build, the preview's
        first after an edit, does not wait for them."""
        self.renderer().compile_templates()
        markup.warm_up()

    def _planned(self) -> Renderer:
        """The renderer `plan` chose for this run: the later stages use it as it is, since
        checking the theme again reads every template and catalog file."""
        assert self._renderer is not None, "plan runs before the stages that render"
        return self._renderer

    def plan(self, run: BuildRun) -> None:
        """The pages whose key changed. After a content-only change, only the pages that can
        depend on the changed events are planned at all (see `_affected`); after any other
        change, every page is."""
        renderer = self.renderer()
        renderer.use_timeline(run.timeline)
        if self.site.language.problems:  # a catalog that cannot be read
            raise BuildFailed(self.site.language.problems)
        self._refuse_warnings(site_warnings(self.site))
        run.warnings = run.warnings + site_warnings(self.site)
        if self.history.warning is not None:  # a notice about the build, not the content
            run.warnings.append(self.history.warning)
        run.keys = dict(self.page_keys)
        timeline = run.timeline
        periods_changed = self._timeline is not None and _period_keys(self._timeline) != (
            _period_keys(timeline)
        )
        if self._timeline is None or self._rendered_with != renderer.key or periods_changed:
            pages = plan_pages(timeline, self.site)
        else:
            events, tags = _affected(self._timeline, timeline)
            pages = plan_pages(timeline, self.site, events=events, tags=tags)
        seen: Seen = {}
        for page in pages:
            key = page.key(renderer.key, seen)
            if run.keys.get(page.path) != key:
                run.keys[page.path] = key
                run.todo.append(page)
        run.changed.update(page.path for page in run.todo)
        current = page_paths(timeline, self.site) | set(export_paths())
        run.removed = set(run.keys) - current
        for path in run.removed:
            del run.keys[path]
        check_collisions({*run.keys, *export_paths()}, run.static)
        self._plan_exports(run)

    def _plan_exports(self, run: BuildRun) -> None:
        """The data exports are made again only when an event or the configuration changed."""
        key = exports_key(run.timeline, self.site)
        if all(run.keys.get(path) == key for path in export_paths()):
            return
        run.exports_due = key
        for path in export_paths():
            run.keys[path] = key
            run.changed.add(path)

    def render(self, run: BuildRun, sink: Sink) -> None:
        """Render the planned pages of single events into `sink`, across processes when
        there are many, each worker also rendering that event's card for the lists."""
        renderer = self._planned()
        single = [page for page in run.todo if page.subject is not None]

        def render_one(index: int) -> str:
            page = single[index]
            sink.write(page.path, renderer.render(page))
            return renderer.card(page.subject)

        cards = parallel.run_all(render_one, range(len(single)), parallel=self.parallel)
        for page, card in zip(single, cards, strict=True):
            renderer.adopt_card(page.subject, card)

    def render_lists(self, run: BuildRun, sink: Sink, *, with_exports: bool = False) -> None:
        """Render the planned pages that list events into `sink`, from the cards `render`
        made; across processes when they list many events, this process then writing the
        exports meanwhile (`with_exports`) rather than waiting for them."""
        renderer = self._planned()
        lists = [page for page in run.todo if page.subject is None]

        def render_list(index: int) -> None:
            page = lists[index]
            sink.write(page.path, renderer.render(page))

        listed = sum(
            len(page.context.get("chunk").events) for page in lists if "chunk" in page.context
        )
        enough = 2 if listed >= LISTED_IN_PARALLEL else len(lists) + 1
        meanwhile = (lambda: self.export(run, sink)) if with_exports else None
        parallel.run_all(render_list, range(len(lists)), parallel=self.parallel,
                         min_items=enough, meanwhile=meanwhile)  # fmt: skip
        if parallel.forks(len(lists), parallel=self.parallel, min_items=enough):
            self._cold_lists = [page.path for page in reversed(lists)]

    def stop_warming(self) -> None:
        """Give up readying the lists (`warm_lists` failed in an unexpected way)."""
        self._cold_lists = []

    def warm_lists(self, waiting: Callable[[], bool]) -> None:
        """Render again in this process, without writing them, the list pages that the last
        parallel build rendered in its workers, whose memos this process never saw.

        The preview calls it while idle after its first build, so that the first edit
        redraws one year of each list it touches rather than the whole lists (a third of
        that edit's time at 20,000 events). It stops as soon as `waiting()` says an edit
        waits, and goes on from the next page when it is called again; it plans the pages
        afresh each time, since an edit may have changed them meanwhile."""
        renderer = self._renderer
        if not self._cold_lists or self._timeline is None or renderer is None:
            return
        if renderer.key != self._rendered_with:  # a template changed: nothing to warm
            self._cold_lists = []
            return
        renderer.use_timeline(self._timeline)
        pages = {p.path: p for p in plan_pages(self._timeline, self.site) if p.subject is None}
        while self._cold_lists and not waiting():
            page = pages.get(self._cold_lists.pop())
            if page is not None:
                renderer.render(page)

    def export(self, run: BuildRun, sink: Sink) -> None:
        """The data exports, when `plan` found them due (and they are not written yet)."""
        if run.exports_due is None:
            return
        for path, chunks in self._exporter.files(run.timeline).items():
            sink.write_chunks(path, chunks)
        run.exports_due = None

    def commit(self, run: BuildRun) -> None:
        """Record that `run` was written, so the next run compares against it."""
        self.page_keys = dict(run.keys)
        self._timeline = run.timeline
        self._rendered_with = self._planned().key


@dataclass(frozen=True)
class _Compiler:
    """Compiles one stale event file; a plain object so that forked workers can run it."""

    site: Site
    assets: frozenset[str]
    previous: Mapping[str, CompiledFile]
    assets_changed: bool

    def __call__(self, stale: tuple[str, FileInfo]) -> CompiledFile:
        rel, info = stale
        raw = read_event_file(rel, info.path)
        previous = self.previous.get(rel)
        reusable = previous is not None and previous.digest == raw.digest
        if reusable and not (self.assets_changed and previous.uses_assets):
            return CompiledFile(info.signature, raw.digest, previous.compiled, previous.uses_assets)
        compiled = compile_event(
            raw, config=self.site.config, asset_exists=self.assets.__contains__,
            cite_labels=cite_labels(self.site.language.gettext),
        )  # fmt: skip
        return CompiledFile(info.signature, raw.digest, compiled, "image" in raw.meta)


def _events_of(compiled: tuple[Compiled, ...]) -> tuple[Event, ...]:
    """The events of the files (those with errors have none)."""
    return tuple(c.event for c in compiled if c.event is not None)


def _period_keys(timeline: Timeline) -> tuple[tuple[str, str], ...]:
    """What tells that the periods or entities changed: either can touch every list page."""
    return tuple((p.path, p.digest) for p in (*timeline.periods, *timeline.entities))


def _affected(before: Timeline, after: Timeline) -> tuple[set[str], set[str]]:
    """Slugs of the events and tags whose pages may differ between two timelines.

    An event page shows its event, its previous and next events and its related events
    (`Timeline.near` says whose related lists an edit can reach); a tag page shows its tag's
    events; an event page also shows the events linked to it (`related:`, either way). So
    the pages that can change are those of the changed events, of their neighbours and
    linked events (before and after the change), and of their tags.
    """
    changed = after.changed_since(before) | _redated(before, after)
    linked = before.linked_slugs(changed) | after.linked_slugs(changed)
    events = before.near(changed) | after.near(changed) | linked
    tags: set[str] = set()
    for timeline in (before, after):
        for slug in changed | linked:  # a linked event's card names the changed one
            event = timeline.by_slug.get(slug)
            if event is None:
                continue
            tags.update(tag.slug for tag in event.tags)
            neighbours = (timeline.previous(event), timeline.next(event))
            events.update(e.slug for e in neighbours if e is not None)
    return events, tags


def _redated(before: Timeline, after: Timeline) -> set[str]:
    """Slugs of the unchanged events that git dates otherwise since a commit: their pages
    and list items show when they were added and updated."""
    if before.history is after.history:
        return set()
    return {
        event.slug
        for event in after
        if (old := before.by_slug.get(event.slug)) is not None
        and before.times(old) != after.times(event)
    }
