"""The build, one way: files -> raw events -> validated model -> pages -> staged output ->
search index -> swap.

Nothing is written before every event has been validated, and every problem in the whole
site is collected before the build stops, so one run shows the author everything to fix.
With the cache (`cache.py`), unchanged pages and an unchanged search index are hard-linked
from the previous output instead of being made again, and a build whose inputs are all as the
last build left them does nothing at all.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import output, parallel
from .builder import Builder, Rendered
from .cache import BuildCache, PageState, build_inputs
from .errors import OutputError, Problem
from .fingerprint import stable_hash
from .model import Timeline
from .project import Site
from .search import INDEX_DIR, index_site
from .sources import static_files

NOJEKYLL = ".nojekyll"  # tells GitHub Pages to publish the folder as it is


@dataclass
class BuildResult:
    """What a build produced, what it warned about, and where its time went."""

    events: int
    written: set[str]
    linked: set[str]
    warnings: list[Problem]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return len(self.written) + len(self.linked)


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


def load_timeline(site: Site, *, drafts: bool) -> tuple[Timeline, list[Problem]]:
    """Validate the whole site without rendering pages (the `check` command)."""
    with parallel.fewer_collections():
        builder = Builder(site, drafts=drafts, parallel=True)
        return builder.assemble(static_files(site.static_dirs))


def build(site: Site, out: Path, *, drafts: bool = False, use_cache: bool = True) -> BuildResult:
    """Build the site into `out`, atomically: on any error `out` is left as it was."""
    output.check_output_dir(out, site.root)
    out = out.resolve()
    cache = BuildCache(site.root)
    clock = Stopwatch()
    with clock.stage("compare"):
        inputs = build_inputs(site, out, drafts=drafts)
        last = cache.unchanged(inputs, out) if use_cache else None
    if last is not None:
        return BuildResult(last.events, set(), set(last.keys), last.warnings, clock.timings)
    with parallel.fewer_collections():
        return _build(site, out, cache, inputs, clock, drafts=drafts, use_cache=use_cache)


def _build(
    site: Site,
    out: Path,
    cache: BuildCache,
    inputs: tuple,
    clock: Stopwatch,
    *,
    drafts: bool,
    use_cache: bool,
) -> BuildResult:
    builder = Builder(site, drafts=drafts, parallel=True, keep=False)
    previous = cache.seed(builder, out) if use_cache else None
    with output.staged_output(out) as staging:
        result = builder.build(output.FolderSink(staging))
        clock.timings.update(result.timings)
        output.check_collisions(result.keys, result.static)
        with clock.stage("write"):
            _place_unchanged(out, staging, result)
            output.copy_static(staging, result.static)
            (staging / NOJEKYLL).write_bytes(b"")
        with clock.stage("index"), parallel.settled():
            search_key = _search_key(result)
            if previous and previous.search_key == search_key and (out / INDEX_DIR).is_dir():
                output.link_tree(out / INDEX_DIR, staging / INDEX_DIR)
            else:
                index_site(staging)
    with clock.stage("cache"):
        files = sorted([*result.static, NOJEKYLL])
        state = PageState(str(out), drafts, result.keys, search_key, files, inputs,
                          len(result.timeline), result.warnings)  # fmt: skip
        changed = builder.sources_changed or previous is None
        cache.save(builder, state, sources_changed=changed)
    return BuildResult(
        len(result.timeline), result.changed, result.kept, result.warnings, clock.timings
    )


def _place_unchanged(out: Path, staging: Path, result: Rendered) -> None:
    missing = output.link_files(out, staging, sorted(result.kept))
    if missing:
        raise OutputError(
            f"{len(missing)} files of the previous output disappeared during the build "
            f"(e.g. {missing[0]}); run the build again, or with --no-cache"
        )


def _search_key(result: Rendered) -> str:
    """Changes whenever an indexed page (an event page) is added, removed or changed."""
    return stable_hash(
        tuple(sorted((p, k) for p, k in result.keys.items() if p.startswith("events/")))
    )
