"""The build, one way, for `build` and the live preview alike: files -> raw events ->
validated model -> pages -> output -> search index.

`Pipeline` runs one ordered list of named stages. The stages that make things are the
`Builder`'s (`builder.py`); the three that put them somewhere (static files, search index,
finish) belong to the output, an `Output` strategy: `StagedOutput` here (`build`: a
temporary folder swapped in atomically once complete, the search index made before the
swap) or the preview's served folder (`preview.py`: written in place, pages shown before the
exports, the search index refreshed in the background). The strategy names the stages it
runs after `finish`; nothing else differs. A new page type belongs to `pages.py`, a new
export to `exports.py`: neither touches this file.

Nothing is written before every event has been validated, and every problem in the whole
site is collected before the build stops, so one run shows the author everything to fix.
With the cache (`cache.py`), unchanged pages and an unchanged search index are hard-linked
from the previous output instead of being made again, and a build whose inputs are all as
the last build left them does nothing at all.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from . import output, parallel
from .builder import Builder, BuildRun
from .cache import BuildCache, BuildSummary, OutputRecord
from .errors import OutputError, Problem
from .keys import compile_key, search_key
from .model import Timeline
from .output import INDEX_DIR, Sink
from .project import Site
from .search import IndexJob
from .stamp import Stamp

STAGES = (
    "read", "compile", "validate", "assemble", "plan", "render", "static", "index", "lists",
    "exports", "finish",
)  # fmt: skip
CHECK_STAGES = STAGES[:4]  # `check`: everything up to the validated timeline
NOJEKYLL = ".nojekyll"  # tells GitHub Pages to publish the folder as it is


class Output(Protocol):
    """Where a build's files go, and how: the part of a build that differs between `build`
    and the preview."""

    sink: Sink
    after_finish: frozenset[str]  # stages run once `finish` has shown the pages

    def static(self, run: BuildRun) -> None:
        """Put the static files (and any unchanged output) in place."""

    def index(self, run: BuildRun) -> None:
        """Make the search index, or arrange for it to be made (the event pages are all in
        place by now; the pages that list them are not)."""

    def finish(self, run: BuildRun) -> None:
        """Make the new output visible."""


@dataclass
class Stopwatch:
    """Per-stage timings, so `--profile` and benchmarks can say where a build spends time."""

    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


class Pipeline:
    """Runs the stages of a build, in order, with a builder and an output."""

    def __init__(self, builder: Builder, target: Output, clock: Stopwatch | None = None) -> None:
        self.builder = builder
        self.target = target
        self.clock = clock or Stopwatch()

    def stages(self) -> dict[str, Callable[[BuildRun], None]]:
        """Every stage by name, in the order they run."""
        builder, target = self.builder, self.target
        early_exports = "exports" not in target.after_finish  # written beside the list pages
        return {
            "read": builder.read,
            "compile": builder.compile,
            "validate": builder.validate,
            "assemble": builder.assemble,
            "plan": builder.plan,
            "render": lambda run: builder.render(run, target.sink),
            "static": target.static,
            "index": target.index,
            "lists": lambda run: builder.render_lists(run, target.sink, with_exports=early_exports),
            "exports": lambda run: builder.export(run, target.sink),
            "finish": target.finish,
        }

    def run(self, hints: list[str] | None = None) -> BuildRun:
        """One build; raises on the first failing stage, before `finish` shows anything."""
        run = BuildRun(hints)
        stages = self.stages()
        later = self.target.after_finish
        for name in [s for s in STAGES if s not in later] + [s for s in STAGES if s in later]:
            with self.clock.stage(name):
                stages[name](run)
        self.builder.commit(run)
        return run


def check_site(site: Site, *, drafts: bool, strict: bool = False) -> tuple[Timeline, list[Problem]]:
    """Validate the whole site without rendering pages (the `check` command)."""
    with parallel.fewer_collections():
        builder = Builder(site, drafts=drafts, parallel=True, strict=strict, renders=False)
        run = BuildRun()
        stages = Pipeline(builder, _NoOutput()).stages()
        for name in CHECK_STAGES:
            stages[name](run)
        return run.timeline, run.warnings


class _NoOutput:
    """`check` writes nothing: it stops before any stage that would."""

    sink: Sink = output.MemorySink()
    after_finish: frozenset[str] = frozenset()

    def static(self, run: BuildRun) -> None: ...

    def index(self, run: BuildRun) -> None: ...

    def finish(self, run: BuildRun) -> None: ...


class StagedOutput:
    """`build`'s output: a temporary folder beside `out`, filled, indexed, checked and then
    swapped in with two renames, so a reader never sees a half-written site and a failed
    build leaves the previous output exactly as it was. Unchanged pages and an unchanged
    search index are hard-linked from the previous output (`previous`).

    The search index is made in a process of its own, started once the event pages are in
    place: Pagefind indexes them while this process renders the list pages and exports,
    and `finish` waits for it before the swap."""

    after_finish: frozenset[str] = frozenset()

    def __init__(self, out: Path, previous: OutputRecord | None) -> None:
        self.out = out
        self.previous = previous
        self.staging = output.prepare_staging(out)
        self.sink = output.FolderSink(self.staging)
        self.search_key = ""
        self.in_place = False
        self.indexing: IndexJob | None = None

    def static(self, run: BuildRun) -> None:
        self.in_place = self._already_in_place(run)
        if self.in_place:
            return
        missing = output.link_files(self.out, self.staging, sorted(run.kept))
        if missing:
            raise OutputError(
                f"{len(missing)} files of the previous output disappeared during the build "
                f"(e.g. {missing[0]}); run the build again, or with --no-cache"
            )
        output.copy_static(self.staging, run.static)
        (self.staging / NOJEKYLL).write_bytes(b"")

    def _already_in_place(self, run: BuildRun) -> bool:
        """Whether `out` already holds exactly what this build would put there: no output
        changed, the same files, the same static bytes and search index. That is a fresh
        checkout of an unchanged site (every file with a new modification time) with its
        `.cache/` and output restored, as the Pages workflow builds: the output is then left
        as it is rather than linked, file by file, into a new folder."""
        previous = self.previous
        if previous is None or run.changed or set(run.keys) != set(previous.keys):
            return False
        if sorted([*run.static, NOJEKYLL, output.STAMP]) != sorted(previous.files):
            return False
        if search_key(run.keys) != previous.search_key or not previous.complete_in(self.out):
            return False
        return all(
            output.static_bytes(source) == (self.out / rel).read_bytes()
            for rel, source in run.static.items()
        )

    def index(self, run: BuildRun) -> None:
        self.search_key = search_key(run.keys)
        if self.in_place:
            return
        reusable = self.previous is not None and self.previous.search_key == self.search_key
        if reusable and (self.out / INDEX_DIR).is_dir():
            output.link_tree(self.out / INDEX_DIR, self.staging / INDEX_DIR)
        else:
            self.indexing = IndexJob(self.staging, self.staging / INDEX_DIR)

    def finish(self, run: BuildRun) -> None:
        if self.indexing is not None:
            self.indexing.wait()
        if not self.in_place:  # else the staging folder, never filled, is discarded
            output.swap_in(self.staging, self.out)

    def discard(self) -> None:
        """Stop an unfinished index and remove the temporary folder (after a failure; after
        a swap it is gone already)."""
        if self.indexing is not None:
            self.indexing.stop()
        shutil.rmtree(self.staging, ignore_errors=True)


def build_site(
    site: Site, out: Path, *, drafts: bool = False, use_cache: bool = True, strict: bool = False,
    known: tuple[Stamp, OutputRecord | None] | None = None,
) -> BuildSummary:  # fmt: skip
    """Build the site into `out`, atomically: on any error `out` is left as it was (with
    `strict`, a warning is an error). `known` is what `BuildCache.up_to_date` already said
    of this site, when the caller asked it first (the command line does, before it loads
    anything a build needs); otherwise the stamp names the configured base URL, which is
    as safe, only not equal to a stamp naming a `--base-url` option or none."""
    output.check_output_dir(out, site.root)
    out = out.resolve()
    cache = BuildCache(site.root)
    clock = Stopwatch()
    with clock.stage("compare"):
        if known is None and use_cache:
            known = cache.up_to_date(
                site, out, drafts=drafts, base_url=site.config.base_url or None
            )
    stamp, last = known if known is not None else (None, None)
    if last is not None:
        return last.summary(strict=strict, timings=clock.timings)
    settings = compile_key(site)
    if use_cache:
        cache.restore_output(out)
    snapshot, previous = (
        cache.load(out, drafts=drafts, settings=settings) if use_cache else (None, None)
    )
    builder = Builder(
        site, drafts=drafts, parallel=True, keep=False, snapshot=snapshot, strict=strict
    )
    with parallel.fewer_collections():
        target = StagedOutput(out, previous)
        try:
            run = Pipeline(builder, target, clock).run()
        finally:
            target.discard()
    with clock.stage("cache"):
        if use_cache:
            files = sorted([*run.static, NOJEKYLL, output.STAMP])
            record = OutputRecord(str(out), drafts, run.keys, target.search_key, files, stamp,
                                  len(run.timeline), run.warnings)  # fmt: skip
            changed = builder.compiled_changed or previous is None
            cache.save(builder.snapshot(), record, settings=settings, compiled=changed)
        else:
            cache.forget_output()
    return BuildSummary(len(run.timeline), run.changed, run.kept, run.warnings, clock.timings)
