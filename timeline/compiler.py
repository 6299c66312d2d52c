"""Raw event -> `Event`: the frontmatter checked (`validate.py`), the body converted to safe
HTML (`markup.py`), and the checks that need every file at once (duplicate slugs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

from .citations import CITE_LABELS, CiteLabels, citation_line, cite_text, unknown_message
from .config import SiteConfig
from .errors import Problem
from .markup import first_paragraph, render_markdown
from .model import Entity, Event, Period
from .reader import RawEvent
from .validate import AssetCheck, check_entity, check_event, check_period


@dataclass(frozen=True, eq=False)
class Compiled:
    """What one file turned into: the event (None on errors), its problems, its slug's line.
    Compares by identity, like the event: validation keeps facts by the very files
    (`CheckedRun`)."""

    event: Event | None
    problems: tuple[Problem, ...]
    slug_line: int | None = None

    @property
    def subject(self) -> Event | None:
        return self.event


def compile_event(
    raw: RawEvent,
    *,
    config: SiteConfig,
    asset_exists: AssetCheck,
    cite_labels: CiteLabels = CITE_LABELS,
) -> Compiled:
    """Validate one raw event and render its body (its citations named for screen readers
    with `cite_labels`, in the site's language); the event is None when it has errors (a
    citation of an id no source carries is one, reported at its line)."""
    checked = check_event(raw, config=config, asset_exists=asset_exists)
    if checked.fields is None:
        return Compiled(None, checked.problems)
    fields = dict(checked.fields)
    sources = fields["sources"]
    summary, unknown_in_summary = cite_text(fields.pop("summary"), sources)
    body = render_markdown(
        raw.body, allow_raw_html=config.allow_raw_html, sources=sources, cite_labels=cite_labels
    )
    problems = [
        Problem(raw.path, citation_line(raw.body, source_id, raw.body_line), "body",
                unknown_message(source_id, sources))
        for source_id in body.unknown
    ] + [
        Problem(raw.path, raw.line("summary"), "summary", unknown_message(source_id, sources))
        for source_id in dict.fromkeys(unknown_in_summary)
    ]  # fmt: skip
    if problems:
        return Compiled(None, (*checked.problems, *problems))
    event = Event(
        path=raw.path,
        body_html=body.html,
        summary=summary or first_paragraph(body.html),
        summary_given=bool(summary),
        digest=raw.digest,
        cited=body.cited,
        **fields,
    )
    return Compiled(event, checked.problems, checked.slug_line)


@dataclass(frozen=True)
class CompiledPeriod:
    """What one period file turned into: the period (None on errors) and its problems."""

    period: Period | None
    problems: tuple[Problem, ...]
    slug_line: int | None = None

    @property
    def subject(self) -> Period | None:
        return self.period


def compile_period(raw: RawEvent, *, config: SiteConfig) -> CompiledPeriod:
    """Validate one raw period file and render its body."""
    checked = check_period(raw)
    if checked.fields is None:
        return CompiledPeriod(None, checked.problems)
    body_html = render_markdown(raw.body, allow_raw_html=config.allow_raw_html).html
    period = Period(path=raw.path, body_html=body_html, digest=raw.digest, **checked.fields)
    return CompiledPeriod(period, checked.problems, checked.slug_line)


@dataclass(frozen=True)
class CompiledEntity:
    """What one entity file turned into: the entity (None on errors) and its problems."""

    entity: Entity | None
    problems: tuple[Problem, ...]
    slug_line: int | None = None

    @property
    def subject(self) -> Entity | None:
        return self.entity


def compile_entity(
    raw: RawEvent, *, config: SiteConfig, asset_exists: AssetCheck
) -> CompiledEntity:
    """Validate one raw entity file and render its body."""
    checked = check_entity(raw, asset_exists=asset_exists)
    if checked.fields is None:
        return CompiledEntity(None, checked.problems)
    body_html = render_markdown(raw.body, allow_raw_html=config.allow_raw_html).html
    entity = Entity(path=raw.path, body_html=body_html, digest=raw.digest, **checked.fields)
    return CompiledEntity(entity, checked.problems, checked.slug_line)


def check_unique_slugs(
    compiled: Iterable[Compiled | CompiledPeriod | CompiledEntity],
) -> list[Problem]:
    """Two events (or two periods) with one slug would overwrite each other's page: report
    the later file. (The preview checks every file after each edit: most sites have no
    duplicate, which a set of the slugs tells without sorting the files.)"""
    named = [(item, subject) for item in compiled if (subject := item.subject) is not None]
    if len({subject.slug for _, subject in named}) == len(named):
        return []
    first: dict[str, Event | Period | Entity] = {}
    problems = []
    for item, subject in sorted(named, key=lambda pair: pair[1].path):
        if subject.slug in first:
            other = first[subject.slug].path
            message = f'"{subject.slug}" is already used by {other}; set a different slug:'
            problems.append(Problem(subject.path, item.slug_line, "slug", message))
        else:
            first[subject.slug] = subject
    return problems


@dataclass(frozen=True)
class CheckedRun:
    """What validation needs of a run of compiled event files, in the files' order: kept by
    the very files (`runs.by_run`), since the preview validates every file after each edit
    and most are the same objects as before."""

    problems: tuple[Problem, ...]  # the files' own problems, sorted
    failed: bool  # whether any of them is an error
    slugs: frozenset[str]
    events: int  # how many files made an event
    referring: tuple[tuple[Compiled, Event], ...]  # events naming an entity or another event


def checked_run(compiled: tuple[Compiled, ...]) -> CheckedRun:
    problems = sorted(chain.from_iterable(item.problems for item in compiled), key=Problem.order)
    events = [(item, item.event) for item in compiled if item.event is not None]
    return CheckedRun(
        tuple(problems),
        any(problem.is_error for problem in problems),
        frozenset(event.slug for _, event in events),
        len(events),
        tuple((item, event) for item, event in events if event.entities or event.relations),
    )


def files_problems(runs: Sequence[CheckedRun]) -> list[Problem]:
    """The files' own problems, sorted: each run's are, and the runs come in the files'
    order, which is their problems' order (`Builder.compile` keeps the files sorted by
    path, and a file's problems carry its path)."""
    return list(chain.from_iterable(run.problems for run in runs))


def check_unique_event_slugs(
    compiled: Sequence[Compiled], runs: Sequence[CheckedRun]
) -> list[Problem]:
    """`check_unique_slugs` for the event files, told from the runs' slugs while no slug
    comes twice (the usual case)."""
    if len(frozenset().union(*(run.slugs for run in runs))) == sum(run.events for run in runs):
        return []
    return check_unique_slugs(compiled)
