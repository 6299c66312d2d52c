"""Facts about a list of events, worked out run by run and kept by the very events of a run.

After an edit, the live preview plans every list that holds the edited event again: the
whole timeline and the edited event's tags, thousands of events each. Whatever the pages
need from all of them (their years, their year groups, the strip's digest, the exports'
key) is worked out from runs of `RUN` consecutive events, and each run's facts are kept by
its events, which compare by identity (an unchanged file's event stays the same object from
one build to the next). So only the edited event's run is worked out again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from .model import Event

RUN = 256  # consecutive events whose facts are kept together
RUNS_KEPT = 4096  # runs kept by this process (of every kind); emptied when full

T = TypeVar("T")
Item = TypeVar("Item")  # an event, or another object that compares by identity
Run = tuple[Event, ...]

_KEPT: dict[tuple[str, tuple[object, ...]], object] = {}
_LAST: dict[str, tuple[tuple[object, ...], list[object]]] = {}  # kind -> its last events, facts


def by_run(events: Sequence[Item], kind: str, make: Callable[[tuple[Item, ...]], T]) -> list[T]:
    """`make(run)` for each run of `events` in order, each kept under `kind` (which names
    `make`: one kind, one function) while the very same events come again. The events may
    be other objects that compare by identity, such as the compiled files of events.

    A list is often asked about more than once in a row (the strip, its scale and its
    summary): the last facts of each kind stand for the very same tuple of events."""
    last = _LAST.get(kind)
    if last is not None and last[0] is events:
        return last[1]  # type: ignore[return-value]
    found = []
    for start in range(0, len(events), RUN):
        key = (kind, tuple(events[start : start + RUN]))
        facts = _KEPT.get(key)
        if facts is None:
            if len(_KEPT) >= RUNS_KEPT:
                _KEPT.clear()
            facts = _KEPT[key] = make(key[1])
        found.append(facts)
    if type(events) is tuple:  # a tuple cannot change, so its facts cannot either
        _LAST[kind] = (events, found)
    return found  # type: ignore[return-value]  # `kind` stands for `make`
