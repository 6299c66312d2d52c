"""Pages -> bytes, in memory: `Renderer` turns one `Page` (planned in `pages.py`) into bytes
through the layered Jinja templates, with autoescaping on for everything (frontmatter is
data, never markup). No disk writes here, so tests and the preview can render any page alone.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.ext
from markupsafe import Markup

from .dates import parse_date
from .errors import RenderError
from .exports import export_links
from .keys import theme_key
from .layout import Gap, gaps, years_of
from .model import Event, Period, Timeline, Times
from .pages import Page, showing_others
from .project import Site
from .urls import encoded

CARD_HEADING = "h3"  # the default theme's cards sit under h2 year headings
CARD_PLACE = "\x00card\x00"  # where an item's card goes; no template can write it
SECTIONS_KEPT = 8192  # a list's sections (a year each) kept for the next rebuild, at most
BLOCKS_KEPT = 4096  # blocks of `kept` kept, at most


class Renderer:
    """The site's Jinja environment: the site's templates first, then the default theme's."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.key = theme_key(site)
        loaders = [jinja2.FileSystemLoader(str(folder)) for folder in site.template_dirs]
        self.env = _Environment(
            loader=jinja2.ChoiceLoader(loaders),
            auto_reload=False,  # a changed template makes a new Renderer (its key changes)
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n", _ConstantMessages],
        )
        language = site.language
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            language.gettext, language.ngettext, newstyle=True
        )
        self.env.constant_message = language.gettext  # type: ignore[attr-defined]
        self._fragments: dict[tuple[object, ...], str] = {}
        self._frames: dict[tuple[object, ...], tuple[str, str] | None] = {}
        self._sections: dict[tuple[object, ...], tuple[str, ...]] = {}
        self._kept: dict[tuple[object, ...], Markup] = {}
        self._timeline: Timeline = Timeline(())
        base = site.config.base_path
        dates = site.dates
        self.env.filters.update(
            day_text=lambda iso: dates.day(parse_date(iso).earliest),
            date_text=dates.display,
            duration=dates.duration,
            date_qualifier=dates.qualifier,
            month_name=dates.month_name,
            year_text=dates.year_number,
            translate=language.gettext,  # for values (a status's label): escaped, not formatted
        )
        self.env.globals.update(
            site=site.config,
            language=language,
            dates=dates,
            script_strings=language.script_strings(_scripts(site)),
            base_path=base,
            url=_url_function(base),
            absolute_url=site.config.absolute_url,
            years_of=years_of,
            exports=export_links(),
            fragments=self.fragments,
            timed_fragments=self.timed_fragments,
            timeline_items=self.timeline_items,
            kept=self.kept,
        )

    def fragments(self, template: str, events: Iterable[Event], **params: Any) -> Markup:
        """`template` rendered for each event (with `event` and `params`), joined.

        Each event is rendered once per version and reused: a long timeline lists every
        event on several pages (the timeline, each of its tags, the feed), and those lists
        then cost a join of ready-made fragments, not a template loop.
        """
        return Markup("".join(self._fragment(template, event, params) for event in events))

    def compile_templates(self) -> None:
        """Compile every template of the theme now: the preview calls this after its first
        build, which rendered in worker processes, so that its first edit does not wait for
        them. A template that does not compile is left for its page's render to report."""
        for name in self.env.list_templates():
            try:
                self.env.get_template(name)
            except (jinja2.TemplateError, ValueError):  # ValueError: not UTF-8 text
                continue

    def use_timeline(self, timeline: Timeline) -> None:
        """The timeline cards are drawn in: a card links to its entities and its connected
        events, so it is kept by their titles too (renaming one draws its cards again)."""
        self._timeline = timeline

    def _card_params(self, event: Event, heading: str) -> dict[str, Any]:
        entities = tuple((e.url, e.title) for e in self._timeline.entities_of(event))
        connected = tuple(
            (link.label, link.event.url, link.event.title)
            for link in self._timeline.connections(event)
        )
        return {"heading": heading, "entity_links": entities, "connected": connected}

    def timed_fragments(self, template: str, entries: Iterable[tuple[Event, Times]]) -> Markup:
        """`template` for each (event, times) pair: as `fragments`, kept by the times too
        (a feed entry changes when a commit or a correction updates its event)."""
        return Markup("".join(self._fragment(template, e, {"times": t}) for e, t in entries))

    def card(self, event: Event, heading: str = CARD_HEADING) -> str:
        """The event's card as timeline and tag pages show it (`_event_card.html`)."""
        return self._fragment("_event_card.html", event, self._card_params(event, heading))

    def adopt_card(self, event: Event, card: str, heading: str = CARD_HEADING) -> None:
        """Take a card rendered by a worker process, so lists need not render it again."""
        params = tuple(sorted(self._card_params(event, heading).items()))
        self._fragments[("_event_card.html", event.digest, event.path, params)] = card

    def timeline_items(
        self,
        events: tuple[Event, ...],
        heading: str = "h3",
        after: Event | None = None,
        marks: Mapping[str, tuple[tuple[str, Period, bool], ...]] | None = None,
    ) -> Markup:
        """The list items of a timeline section, each with the gap since the one before,
        and where periods start and end (`marks`, from `pages.period_marks`).

        The card (`_event_card.html`) is rendered once per event; only its thin wrapper
        (`_event_item.html`) depends on the gap, which differs between the timeline and the
        tag pages.

        A section's parts (the very strings, not copies) are kept by all they depend on: its
        events (the very objects), the event before, its marks, and what its events' cards
        and items show of other files and of git. After an edit, the preview renders again
        lists of thousands of events of which one changed, and most sections stand.
        """
        marks = marks or {}
        here = tuple((e.slug, marks[e.slug]) for e in events if e.slug in marks)
        key = (events, heading, after, here, self._shown_with(events, heading))
        parts = self._sections.get(key)
        if parts is None:
            if len(self._sections) >= SECTIONS_KEPT:
                self._sections.clear()
            parts = self._sections[key] = self._section(events, heading, after, marks)
        return Markup("".join(parts))

    def _shown_with(self, events: tuple[Event, ...], heading: str) -> tuple[object, ...]:
        """What the items of `events` show beyond the events themselves: the card's links
        to entities and connected events, and the times git gave the event. Links with
        their URLs, unlike a list's `shown_with` digest (`pages.py`): a connected event
        renamed in another year changes this section, not the renamed event's own."""
        timeline = self._timeline
        showing = showing_others(timeline)
        return tuple(
            (e.slug, tuple(self._card_params(e, heading).items()), timeline.times(e))
            for e in events
            if e.slug in showing
        )

    def _section(
        self,
        events: tuple[Event, ...],
        heading: str,
        after: Event | None,
        marks: Mapping[str, tuple[tuple[str, Period, bool], ...]],
    ) -> tuple[str, ...]:
        parts: list[str] = []
        newest_first = self.site.config.newest_first
        for event, gap in zip(events, gaps(events, after, newest_first), strict=True):
            here = marks.get(event.slug, ())
            parts += [self._mark(kind, period) for kind, period, above in here if above]
            card = self.card(event, heading)
            times = self._timeline.times(event)
            frame = self._item_frame(event, gap, times)
            if frame is None:  # a theme's `_event_item.html` without `{{ card }}` once
                parts.append(self.env.get_template("_event_item.html").render(
                    event=event, gap=gap, times=times, card=Markup(card)
                ))  # fmt: skip
            else:
                parts += [frame[0], card, frame[1]]
            parts += [self._mark(kind, period) for kind, period, above in here if not above]
        return tuple(parts)

    def _item_frame(self, event: Event, gap: Gap, times: Times) -> tuple[str, str] | None:
        """`_event_item.html` around the card, as the text before and after it.

        Only the frame differs between the lists an event is on, and it is a tenth of the
        card's size: kept alone, not with a copy of the card for every list, the frames of
        a 20,000-event timeline take megabytes where whole items took hundreds."""
        key = (event.digest, event.path, gap, times)
        if key not in self._frames:
            html = self.env.get_template("_event_item.html").render(
                event=event, gap=gap, times=times, card=Markup(CARD_PLACE)
            )
            head, found, tail = html.partition(CARD_PLACE)
            self._frames[key] = (head, tail) if found and CARD_PLACE not in tail else None
        return self._frames[key]

    def _mark(self, kind: str, period: Period) -> str:
        return self.env.get_template("_period_mark.html").render(kind=kind, period=period)

    def _fragment(self, template: str, event: Event, params: dict[str, Any]) -> str:
        key = (template, event.digest, event.path, tuple(sorted(params.items())))
        part = self._fragments.get(key)
        if part is None:
            part = self.env.get_template(template).render(event=event, **params)
            self._fragments[key] = part
        return part

    def kept(self, name: str, *values: object, caller: Callable[[], str]) -> Markup:
        """The body of a `{% call kept(name, values...) %}` block, made once for each `name`
        and `values` (which must be all it shows, beside the site's settings and language).

        The year navigation and the search form of a list page are the same on many pages
        (each page of a timeline's years) and from one rebuild to the next, while rendering
        them costs a tenth of a preview's edit of a large timeline. A value that cannot be a
        key (a list) leaves the block made every time."""
        key = (name, values)
        try:
            found = self._kept.get(key)
        except TypeError:  # unhashable
            return Markup(caller())
        if found is None:
            if len(self._kept) >= BLOCKS_KEPT:
                self._kept.clear()
            found = self._kept[key] = Markup(caller())
        return found

    def render(self, page: Page) -> bytes:
        """Render one page; any template failure becomes a `RenderError` naming file and line."""
        try:
            template = self.env.get_template(page.template)
            return template.render(page=page, **page.context).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            path = self._template_path(exc.name or page.template)
            raise RenderError(path, exc.lineno, exc.message or "") from None
        except jinja2.TemplateNotFound as exc:
            raise RenderError(page.template, None, f"template not found: {exc.name}") from None
        except Exception as exc:
            name, line = self._failing_template(exc, page.template)
            raise RenderError(name, line, f"{type(exc).__name__}: {exc}") from None

    def _failing_template(self, exc: Exception, fallback: str) -> tuple[str, int | None]:
        """The innermost template frame of a runtime error (Jinja maps frames to template lines)."""
        folders = [str(folder) for folder in self.site.template_dirs]
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if any(frame.filename.startswith(folder) for folder in folders):
                return self.site.display_path(frame.filename), frame.lineno
        return self._template_path(fallback), None

    def _template_path(self, name: str) -> str:
        for folder in self.site.template_dirs:
            if (folder / name).is_file():
                return self.site.display_path(folder / name)
        return f"templates/{name}"


class _Environment(jinja2.Environment):
    """Jinja's environment, with each template's globals in one plain dict.

    Jinja layers a template's globals over the environment's in a `ChainMap`, and copies
    that into a dict for every render, include and imported macro file: with some twenty
    globals, those lookups were a sixth of the time a list page took. The globals are all
    set before the first template is loaded and never change after (as Jinja asks), so one
    merged dict per template gives the same values.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


class _ConstantMessages(jinja2.ext.Extension):
    """`{{ _("Tags") }}`, a message without values, written into the template as its
    translation when the template is loaded, instead of being looked up on every render: a
    page has dozens, and a timeline thousands of pages (about a third of the time the
    interface's words took). The translation is inserted as `_()` returns it (markup, `%%`
    as `%`); one holding template syntax is left to `_()`."""

    MESSAGE = re.compile(
        r"\{\{ _\((?:" r'"([^"\\%]*(?:%%[^"\\%]*)*)"' r"|'([^'\\%]*(?:%%[^'\\%]*)*)')\) \}\}"
    )

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        environment.extend(constant_message=str)  # the language's gettext, set by Renderer

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        translate = self.environment.constant_message  # type: ignore[attr-defined]

        def constant(match: re.Match[str]) -> str:
            message = match.group(1) if match.group(1) is not None else match.group(2)
            text = translate(message).replace("%%", "%")
            return match.group(0) if any(mark in text for mark in ("{{", "{%", "{#")) else text

        return self.MESSAGE.sub(constant, source)


def _scripts(site: Site) -> list[str]:
    """The text of every script the site serves (the site's own over the theme's), for the
    strings they show."""
    found: dict[str, Path] = {}
    for folder in site.static_dirs:
        for path in sorted((folder / "js").glob("*.js")):
            found[path.name] = path
    return [found[name].read_text(encoding="utf-8") for name in sorted(found)]


def _url_function(base: str) -> Callable[[str], str]:
    def url(path: str = "") -> str:
        """Root-relative URL of a site path, under the base path (`/repo/events/x/`)."""
        return base + encoded(path.lstrip("/"))

    return url
