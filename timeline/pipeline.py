"""The build, one way: files -> raw events -> validated model -> pages -> staged output -> swap.

Nothing is written before every event has been validated, and every problem in the whole
site is collected before the build stops, so one run shows the author everything to fix.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import output
from .errors import BuildFailed, Problem
from .model import Timeline
from .project import Site
from .reader import read_event
from .render import Renderer, plan_pages
from .search import index_site
from .sources import event_files, static_files
from .validate import Compiled, check_unique_slugs, compile_event


@dataclass
class BuildResult:
    """What a build produced, what it warned about, and where its time went."""

    timeline: Timeline
    files: dict[str, bytes]
    warnings: list[Problem]
    timings: dict[str, float] = field(default_factory=dict)


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


def compile_events(site: Site, static: Mapping[str, Path]) -> list[Compiled]:
    """Read, validate and render the body of every event file of the site."""
    compiled = []
    for rel, path in event_files(site.content_dir, site.root):
        raw = read_event(rel, path.read_bytes())
        compiled.append(
            compile_event(
                raw,
                allow_raw_html=site.config.allow_raw_html,
                asset_exists=static.__contains__,
            )
        )
    return compiled


def assemble(compiled: list[Compiled], *, drafts: bool) -> tuple[Timeline, list[Problem]]:
    """Check the site as a whole; return the timeline and its warnings, or raise every error."""
    problems = [p for item in compiled for p in item.problems]
    problems += check_unique_slugs(compiled)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise BuildFailed(problems)
    events = [c.event for c in compiled if c.event and (drafts or not c.event.draft)]
    return Timeline.from_events(events), sorted(problems)


def load_timeline(site: Site, *, drafts: bool) -> tuple[Timeline, list[Problem]]:
    """Validate the whole site without rendering pages (the `check` command)."""
    static = static_files(site.static_dirs)
    return assemble(compile_events(site, static), drafts=drafts)


def render_site(site: Site, timeline: Timeline) -> dict[str, bytes]:
    """Every generated page of the site, in memory."""
    renderer = Renderer(site, timeline)
    return {page.path: renderer.render(page) for page in plan_pages(timeline, site)}


def build(site: Site, out: Path, *, drafts: bool = False) -> BuildResult:
    """Build the site into `out`, atomically: on any error `out` is left as it was."""
    clock = Stopwatch()
    output.check_output_dir(out, site.root)
    with clock.stage("parse"):
        static = static_files(site.static_dirs)
        timeline, warnings = assemble(compile_events(site, static), drafts=drafts)
    with clock.stage("render"):
        files = render_site(site, timeline)
        output.check_collisions(files, static)
    with output.staged_output(out) as staging:
        with clock.stage("write"):
            output.write_files(staging, files)
            output.copy_static(staging, static)
        with clock.stage("index"):
            index_site(staging)
    return BuildResult(timeline, files, warnings, clock.timings)
