"""References between files, checked once every file is read: the entities an event names
and the events it links to (`related:`). Each problem is reported at the line of the
reference, with a "did you mean" hint, so a typo in one file is found like any other error.
Lines are looked up (`LineOf`) only for the references that are wrong: finding a key's line
walks the YAML again, which would double the cost of reading every file that is right.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence

from .compiler import Compiled, CompiledEntity
from .errors import Problem
from .model import Entity, Event, slugify

LineOf = Callable[[str, tuple[str | int, ...]], int | None]  # (file, key position) -> line


def check_references(
    referring: Sequence[tuple[Compiled, Event]],
    compiled: Sequence[Compiled],
    entities: Sequence[CompiledEntity],
    line_of: LineOf,
) -> list[Problem]:
    """Unknown entities, unknown or self-referring related events, and `part-of` cycles,
    in the `referring` events (those of `compiled` that name an entity or another event:
    the preview checks every file after each edit, and most events name none)."""
    if not referring:
        return []
    known = [c.entity for c in entities if c.entity]
    names = _entity_names(known)
    events = {c.event.slug: c for c in compiled if c.event}
    problems = []
    for item, event in referring:
        for index, slug in enumerate(event.entities):
            if slug not in names or names[slug] != slug:
                message = f'"{slug}" is not an entity (no file content/entities/{slug}.md)'
                where = ("entities", index)
                problems.append(_at(item, where, message + _hint(slug, names), line_of))
        for index, relation in enumerate(event.relations):
            where = ("related", index, "event")
            if relation.event == event.slug:
                message = "an event cannot be related to itself"
                problems.append(_at(item, where, message, line_of))
            elif relation.event not in events:
                hint = _hint(relation.event, {slug: slug for slug in events})
                message = f'"{relation.event}" is not an event{hint}'
                problems.append(_at(item, where, message, line_of))
    return problems + _part_of_cycles(referring, events, line_of)


def _entity_names(entities: Iterable[Entity]) -> dict[str, str]:
    """Every slug and every alias (as a slug) -> the entity slug it stands for."""
    names = {}
    for entity in entities:
        for alias in (entity.title, *entity.aliases):
            names.setdefault(slugify(alias), entity.slug)
    names.update({entity.slug: entity.slug for entity in entities})
    return names


def _hint(slug: str, names: dict[str, str]) -> str:
    """`; did you mean "kim-jong-un"?`, from the slugs and aliases nearest to `slug`."""
    if slug in names:
        return f'; did you mean "{names[slug]}"?'
    close = difflib.get_close_matches(slug, names, n=1, cutoff=0.6)
    return f'; did you mean "{names[close[0]]}"?' if close else ""


def _at(item: Compiled, where: tuple[str | int, ...], message: str, line_of: LineOf) -> Problem:
    event: Event = item.event  # type: ignore[assignment]
    name = ".".join(str(part) for part in where)
    return Problem(event.path, line_of(event.path, where), name, message)


def _part_of_cycles(
    referring: Sequence[tuple[Compiled, Event]], events: dict[str, Compiled], line_of: LineOf
) -> list[Problem]:
    """`part-of` links that lead back to where they started (A part of B part of A),
    reported once per cycle, at the link that closes it in the first file of the cycle.
    Only events with a part-of link (among the `referring` ones) can be in a loop."""
    parents = {
        event.slug: links
        for item, event in referring
        if events[event.slug] is item  # of two files with one slug, the one `events` holds
        and (links := [(i, r.event) for i, r in enumerate(event.relations) if r.kind == "part-of"])
    }  # fmt: skip
    problems = []
    reported: set[frozenset[str]] = set()
    for start in sorted(parents):
        path = _cycle_from(start, parents)
        if path is None or frozenset(path) in reported:
            continue
        reported.add(frozenset(path))
        first = min(path, key=lambda slug: events[slug].event.path)  # type: ignore[union-attr]
        following = path[(path.index(first) + 1) % len(path)]
        index = next(i for i, parent in parents[first] if parent == following)
        chain = " -> ".join([*path[path.index(first) :], *path[: path.index(first)], first])
        message = f"part-of goes round in a circle: {chain}"
        problems.append(_at(events[first], ("related", index, "event"), message, line_of))
    return problems


def _cycle_from(start: str, parents: dict[str, list[tuple[int, str]]]) -> list[str] | None:
    """The slugs of a part-of cycle through `start`, in order, or None."""
    stack = [(start, [start])]
    seen = set()
    while stack:
        slug, path = stack.pop()
        for _, parent in parents.get(slug, []):
            if parent == start:
                return path
            if parent not in seen and parent in parents:
                seen.add(parent)
                stack.append((parent, [*path, parent]))
    return None
