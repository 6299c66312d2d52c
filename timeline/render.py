"""Timeline + theme -> pages in memory. No disk writes here, so tests and the preview server
can render any page on its own.

`plan_pages` decides which pages exist and what each one is given; `Renderer` turns one
`Page` into bytes through the layered Jinja templates, with autoescaping on for everything
(frontmatter is data, never markup).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from .errors import RenderError
from .model import Event, Timeline, years_of
from .project import Site


@dataclass(frozen=True)
class Page:
    """One output page: where it goes, which template draws it, and what the template gets."""

    path: str
    template: str
    title: str
    description: str = ""
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Site-relative URL of the page: `events/x/` for `events/x/index.html`."""
        return self.path.removesuffix("index.html")


def plan_pages(timeline: Timeline, site: Site) -> list[Page]:
    """Every page of the site, in a stable order."""
    config = site.config
    pages = [
        Page("index.html", "index.html", config.title, config.description, {"timeline": timeline}),
        Page("tags/index.html", "tags.html", "Tags", f"All tags of {config.title}."),
        Page("404.html", "404.html", "Page not found"),
    ]
    pages += [_event_page(timeline, event) for event in timeline]
    for group in timeline.tags:
        description = f"{len(group.events)} events tagged {group.tag.name}."
        context = {"tag": group.tag, "events": group.events}
        pages.append(
            Page(f"{group.tag.url}index.html", "tag.html", group.tag.name, description, context)
        )
    return pages


def _event_page(timeline: Timeline, event: Event) -> Page:
    context = {
        "event": event,
        "previous": timeline.previous(event),
        "next": timeline.next(event),
        "related": timeline.related(event),
    }
    return Page(f"{event.url}index.html", "event.html", event.title, event.summary, context)


class Renderer:
    """The site's Jinja environment: the site's templates first, then the default theme's."""

    def __init__(
        self, site: Site, timeline: Timeline, *, extra_globals: dict[str, Any] | None = None
    ):
        self.site = site
        loaders = [jinja2.FileSystemLoader(str(folder)) for folder in site.template_dirs]
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        base = site.config.base_path
        self.env.globals.update(
            site=site.config,
            timeline=timeline,
            base_path=base,
            url=_url_function(base),
            absolute_url=site.config.absolute_url,
            years_of=years_of,
            **(extra_globals or {}),
        )

    def render(self, page: Page) -> bytes:
        """Render one page; any template failure becomes a `RenderError` naming file and line."""
        try:
            template = self.env.get_template(page.template)
            return template.render(page=page, **page.context).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            raise RenderError(
                self._template_path(exc.name or page.template), exc.lineno, exc.message or ""
            ) from None
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
