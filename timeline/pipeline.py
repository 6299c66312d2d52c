"""The build, one way: files -> raw events -> validated model -> pages -> staged output -> swap.

Nothing is written before every event has been validated, and every problem in the whole
site is collected before the build stops, so one run shows the author everything to fix.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import output
from .builder import Builder
from .errors import Problem
from .model import Timeline
from .project import Site
from .search import index_site
from .sources import static_files


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


def load_timeline(site: Site, *, drafts: bool) -> tuple[Timeline, list[Problem]]:
    """Validate the whole site without rendering pages (the `check` command)."""
    return Builder(site, drafts=drafts).assemble(static_files(site.static_dirs))


def build(site: Site, out: Path, *, drafts: bool = False) -> BuildResult:
    """Build the site into `out`, atomically: on any error `out` is left as it was."""
    clock = Stopwatch()
    output.check_output_dir(out, site.root)
    with clock.stage("render"):
        result = Builder(site, drafts=drafts).build()
        output.check_collisions(result.changed, result.static)
    with output.staged_output(out) as staging:
        with clock.stage("write"):
            output.write_files(staging, {**result.changed, ".nojekyll": b""})
            output.copy_static(staging, result.static)
        with clock.stage("index"):
            index_site(staging)
    return BuildResult(result.timeline, result.changed, result.warnings, clock.timings)
