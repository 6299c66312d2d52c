"""Raw event -> `Event`: the frontmatter checked (`validate.py`), the body converted to safe
HTML (`markup.py`), and the checks that need every file at once (duplicate slugs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .citations import CITE_LABELS, CiteLabels, citation_line, cite_text, unknown_message
from .config import SiteConfig
from .errors import Problem
from .markup import first_paragraph, render_markdown
from .model import Entity, Event, Period
from .reader import RawEvent
from .validate import AssetCheck, check_entity, check_event, check_period


@dataclass(frozen=True)
class Compiled:
    """What one file turned into: the event (None on errors), its problems, its slug's line."""

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
