"""Timeline + theme -> pages in memory. No disk writes here, so tests and the preview server
can render any page on its own.

`plan_pages` decides which pages exist and gives each one everything its template may use,
in its context: templates see nothing else but the configuration, so a page's fingerprint
(its context's, with the theme's and the configuration's) says whether it needs rendering
again. `Renderer` turns one `Page` into bytes through the layered Jinja templates, with
autoescaping on for everything (frontmatter is data, never markup).
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from . import __version__
from .config import CONFIG_NAME
from .errors import Problem, RenderError
from .fingerprint import atoms
from .model import Chunk, Event, Tag, TagGroup, Timeline, gaps, paginate, years_of
from .project import Site
from .sources import walk_files

CARD_HEADING = "h3"  # the default theme's cards sit under h2 year headings


@dataclass(frozen=True)
class Page:
    """One output page: where it goes, which template draws it, and what the template gets."""

    path: str
    template: str
    title: str
    description: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    subject: Event | None = None

    @property
    def url(self) -> str:
        """Site-relative URL of the page: `events/x/` for `events/x/index.html`."""
        return self.path.removesuffix("index.html")

    def key(self, environment_key: str) -> Hashable:
        """Changes whenever the page could render differently."""
        own = (self.path, self.template, self.title, self.description)
        return (environment_key, own, atoms(self.context))


@dataclass(frozen=True)
class TagCount:
    """A tag and how many events carry it: all a tag list or a tag filter needs to show."""

    tag: Tag
    count: int


@dataclass(frozen=True)
class NavYear:
    """One year in a timeline's year navigation, and the page (site-relative URL) it is on."""

    label: str
    anchor: str
    url: str
    count: int


def plan_pages(
    timeline: Timeline, site: Site, *, events: set[str] | None = None, tags: set[str] | None = None
) -> list[Page]:
    """The site's pages in a stable order: all of them, or, when `events` and `tags` name
    subsets (slugs), the site-wide pages plus only those events' and tags' pages.

    Contexts hold summaries (tag counts, year navigation) rather than whole event lists
    wherever a page shows only that much, so that an edit re-renders few pages.
    """
    config = site.config
    tag_counts = tuple(TagCount(g.tag, len(g.events)) for g in timeline.tags)
    years = tuple(years_of(timeline.events))
    chunks = paginate(timeline.years, config.timeline_page_size)
    pages = _list_pages(
        "", "index.html", chunks, title=config.title, description=config.description,
        context={"filter_tags": tag_counts, "filter_years": years, "total": len(timeline)},
    )  # fmt: skip
    embed = dict(pages[0].context, nav=(), chunks=())
    pages += [
        Page("embed/index.html", "embed.html", config.title, config.description, embed),
        Page("tags/index.html", "tags.html", "Tags", f"All tags of {config.title}.",
             {"tags": tag_counts}),
        Page("404.html", "404.html", "Page not found"),
    ]  # fmt: skip
    listed_on = {event.slug: chunk.url for chunk in chunks for event in chunk.events}
    pages += [
        _event_page(timeline, event, listed_on[event.slug])
        for event in timeline
        if events is None or event.slug in events
    ]
    for group in timeline.tags:
        if tags is None or group.tag.slug in tags:
            pages += _tag_pages(group, config.timeline_page_size)
    return pages + _site_files(timeline, site)


def _list_pages(
    prefix: str, template: str, chunks: tuple[Chunk, ...], *, title: str, description: str,
    context: dict[str, Any],
) -> list[Page]:  # fmt: skip
    """A timeline (the whole site's, or a tag's) as pages of whole years."""
    nav = tuple(
        NavYear(group.label, group.anchor, prefix + chunk.url, len(group.events))
        for chunk in chunks
        for group in chunk.years
    )
    links = tuple((chunk.label, prefix + chunk.url) for chunk in chunks)
    pages = []
    previous_last = None
    for number, chunk in enumerate(chunks):
        own = {"chunk": chunk, "after": previous_last, "nav": nav, "chunks": links,
               "number": number, **context}  # fmt: skip
        heading = title if number == 0 else f"{title}: {chunk.label}"
        pages.append(Page(f"{prefix}{chunk.url}index.html", template, heading, description, own))
        previous_last = chunk.events[-1]
    return pages


def _tag_pages(group: TagGroup, size: int) -> list[Page]:
    description = f"{len(group.events)} events tagged {group.tag.name}."
    chunks = paginate(Timeline(group.events).years, size)
    context = {
        "tag": group.tag,
        "total": len(group.events),
        "filter_years": tuple(years_of(group.events)),
    }
    return _list_pages(group.tag.url, "tag.html", chunks, title=group.tag.name,
                       description=description, context=context)  # fmt: skip


def _site_files(timeline: Timeline, site: Site) -> list[Page]:
    """robots.txt always; the feed and the sitemap only with a base URL (they need absolute
    URLs, and a site without one is told so by `site_warnings`)."""
    files = [Page("robots.txt", "robots.txt", "robots.txt")]
    if site.config.site_url:
        newest = tuple(sorted(timeline.events, key=lambda e: (e.updated, e.sort_key), reverse=True))
        updated = max((e.updated for e in newest), default="1970-01-01T00:00:00Z")
        feed = {"events": newest, "updated": updated}
        html = _html_paths(timeline, site.config.timeline_page_size)
        urls = tuple(sorted(p.removesuffix("index.html") for p in html))
        files += [
            Page("feed.xml", "feed.xml", site.config.title, context=feed),
            Page("sitemap.xml", "sitemap.xml", "sitemap", context={"urls": urls}),
        ]
    return files


def _html_paths(timeline: Timeline, size: int) -> set[str]:
    """Every HTML page a visitor may open (the sitemap's list), without rendering any."""
    paths = {"tags/index.html"}
    paths.update(f"{chunk.url}index.html" for chunk in paginate(timeline.years, size))
    paths.update(f"{event.url}index.html" for event in timeline)
    for group in timeline.tags:
        chunks = paginate(Timeline(group.events).years, size)
        paths.update(f"{group.tag.url}{chunk.url}index.html" for chunk in chunks)
    return paths


def page_paths(timeline: Timeline, site: Site) -> set[str]:
    """The output path of every page `plan_pages` would make, without making them."""
    size = site.config.timeline_page_size
    paths = _html_paths(timeline, size) | {"404.html", "robots.txt", "embed/index.html"}
    if site.config.site_url:
        paths |= {"feed.xml", "sitemap.xml"}
    return paths


def site_warnings(site: Site) -> list[Problem]:
    """Said once per build: what a missing base URL leaves out."""
    if site.config.site_url:
        return []
    message = (
        "not set, so feed.xml and sitemap.xml were left out and pages have no canonical, "
        "og:url or og:image links for local images; set base_url in site.toml or pass --base-url"
    )
    return [Problem(CONFIG_NAME, None, "base_url", message, warning=True)]


def _event_page(timeline: Timeline, event: Event, listed_on: str) -> Page:
    context = {
        "event": event,
        "listed_on": listed_on,
        "previous": timeline.previous(event),
        "next": timeline.next(event),
        "related": timeline.related(event),
    }
    return Page(f"{event.url}index.html", "event.html", event.title, event.summary, context, event)


def theme_key(site: Site) -> str:
    """Hash of every template file the site can use, its configuration and our version."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{__version__}\x1f{site.config!r}".encode())
    for folder in site.template_dirs:
        for rel, path in walk_files(folder):
            digest.update(f"\x1f{folder}\x1f{rel}\x1f".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class Renderer:
    """The site's Jinja environment: the site's templates first, then the default theme's."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.key = theme_key(site)
        loaders = [jinja2.FileSystemLoader(str(folder)) for folder in site.template_dirs]
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._fragments: dict[tuple[object, ...], str] = {}
        base = site.config.base_path
        self.env.globals.update(
            site=site.config,
            base_path=base,
            url=_url_function(base),
            absolute_url=site.config.absolute_url,
            years_of=years_of,
            fragments=self.fragments,
            timeline_items=self.timeline_items,
        )

    def fragments(self, template: str, events: Iterable[Event], **params: Any) -> Markup:
        """`template` rendered for each event (with `event` and `params`), joined.

        Each event is rendered once per version and reused: a long timeline lists every
        event on several pages (the timeline, each of its tags, the feed), and those lists
        then cost a join of ready-made fragments, not a template loop.
        """
        return Markup("".join(self._fragment(template, event, params) for event in events))

    def card(self, event: Event, heading: str = CARD_HEADING) -> str:
        """The event's card as timeline and tag pages show it (`_event_card.html`)."""
        return self._fragment("_event_card.html", event, {"heading": heading})

    def adopt_card(self, event: Event, card: str, heading: str = CARD_HEADING) -> None:
        """Take a card rendered by a worker process, so lists need not render it again."""
        key = ("_event_card.html", event.digest, event.path, (("heading", heading),))
        self._fragments[key] = card

    def timeline_items(
        self, events: tuple[Event, ...], heading: str = "h3", after: Event | None = None
    ) -> Markup:
        """The list items of a timeline section, each with the gap since the one before.

        The card (`_event_card.html`) is rendered once per event; only its thin wrapper
        (`_event_item.html`) depends on the gap, which differs between the timeline and the
        tag pages.
        """
        parts = []
        for event, gap in zip(events, gaps(events, after), strict=True):
            card = Markup(self.card(event, heading))
            parts.append(self._fragment("_event_item.html", event, {"gap": gap, "card": card}))
        return Markup("".join(parts))

    def _fragment(self, template: str, event: Event, params: dict[str, Any]) -> str:
        key = (template, event.digest, event.path, tuple(sorted(params.items())))
        part = self._fragments.get(key)
        if part is None:
            part = self.env.get_template(template).render(event=event, **params)
            self._fragments[key] = part
        return part

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
                return self._display_path(Path(frame.filename)), frame.lineno
        return self._template_path(fallback), None

    def _template_path(self, name: str) -> str:
        for folder in self.site.template_dirs:
            if (folder / name).is_file():
                return self._display_path(folder / name)
        return f"templates/{name}"

    def _display_path(self, path: Path) -> str:
        for anchor in (self.site.root, self.site.theme_root):
            if path.is_relative_to(anchor):
                return path.relative_to(anchor).as_posix()
        return path.as_posix()


def _url_function(base: str) -> Callable[[str], str]:
    def url(path: str = "") -> str:
        """Root-relative URL of a site path, under the base path (`/repo/events/x/`)."""
        return base + path.lstrip("/")

    return url
