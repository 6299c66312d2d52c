"""Spread a build's heavy steps (Markdown, page rendering) over the machine's cores.

Workers are forked, so each starts with everything the parent already holds (the planned
pages, the compiled templates); only small results travel back. Results come back in input
order, so a parallel build's output is identical to a single-process one. Forking is only
safe before the process starts threads, which is why the preview uses it for its first
build only.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS = 200  # below this, starting workers costs more than it saves
GC_THRESHOLDS = (100_000, 50, 100)
CAN_FORK = "fork" in multiprocessing.get_all_start_methods()  # not on Windows: one process
_job: Callable[[Any], Any] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often during a build.

    Markdown and templates allocate millions of short-lived objects; with the default
    thresholds the collector keeps walking every event already compiled, which costs about a
    third of a large build. Builds make few reference cycles, so little is lost by waiting.
    """
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def worker_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def forks(count: int, *, parallel: bool, min_items: int = MIN_ITEMS) -> bool:
    """Whether `run_all` spreads `count` items over worker processes."""
    return parallel and CAN_FORK and worker_count() >= 2 and count >= min_items


def run_all(
    job: Callable[[Item], Result], items: Sequence[Item], *, parallel: bool,
    min_items: int = MIN_ITEMS, meanwhile: Callable[[], None] | None = None,
) -> list[Result]:  # fmt: skip
    """`[job(item) for item in items]`, across forked workers when there are enough items;
    `meanwhile` runs in this process while they work (after the items, without workers)."""
    workers = worker_count()
    if not forks(len(items), parallel=parallel, min_items=min_items):
        results = [job(item) for item in items]
        if meanwhile is not None:
            meanwhile()
        return results
    global _job
    _job = job
    # Workers would otherwise keep scanning (and, touching reference counts, copying) every
    # object inherited from this process: freezing them makes each worker's collections
    # cover only what it creates, which keeps large builds linear.
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            chunk = max(1, len(items) // (workers * 8)) if len(items) >= MIN_ITEMS else 1
            # This process only collects results meanwhile: no collector passes over the
            # growing pile of them (the workers, already started, keep theirs).
            gc.disable()
            try:
                pending = pool.map_async(_call, items, chunksize=chunk)
                if meanwhile is not None:
                    meanwhile()
                return pending.get()
            finally:
                gc.enable()
    finally:
        _job = None
        gc.unfreeze()


def _call(item: Any) -> Any:
    assert _job is not None
    return _job(item)
