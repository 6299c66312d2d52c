"""Event bodies: Markdown -> safe HTML, plus the plain text the summary and search need.

Python-Markdown passes raw HTML through untouched, so unless a site opts in with
`allow_raw_html`, the result goes through nh3 (Rust's ammonia): no scripts, no event
handlers, no iframes, no `javascript:` URLs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from .citations import CITE_LABELS, CiteLabels, Citing, citation_extension
from .model import Source
from .typography import typography_extension

if TYPE_CHECKING:
    from markdown import Markdown
    from markdown.util import Registry
    from nh3 import Cleaner


EXTENSIONS = ("extra", "sane_lists", "toc")  # and typography (smarty's rules, in one pass)
EXTENSION_CONFIGS = {"toc": {"baselevel": 2}}
_BLOCK_TAGS = re.compile(
    r"</?(?:p|div|li|h[1-6]|br|hr|tr|td|th|blockquote|pre|ul|ol|dl|dd|dt|table)\b[^>]*>"
)
_TAGS = re.compile(r"<[^>]+>")
_CITE = re.compile(r'<sup class="cite">')  # "[1]" after a word, as text: "word [1]"
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_SPACE = re.compile(r"\s+")

# Python-Markdown tries every inline pattern on every run of text, and most of a body is
# plain prose in which most of them cannot match. Each pattern (by its registered name) is
# listed with the strings of which one must be in a body for it to match anything there; a
# body is converted with only the patterns it can use, giving the same HTML in about 40%
# less time. A pattern not listed is always used. Two spaces make a line break, and tabs
# become spaces. Python-Markdown drops its own marker characters (STX, ETX) from a body,
# which can join what they separated: a body holding them is converted with every pattern.
INLINE_TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",), "escape": ("\\",), "footnote": ("[",), "citation": ("[",),
    "reference": ("[",), "link": ("[",), "image_link": ("[",), "image_reference": ("[",),
    "short_reference": ("[",), "short_image_ref": ("[",), "autolink": ("<",),
    "automail": ("<",), "html": ("<",), "entity": ("&",), "em_strong": ("*", "_"),
    "linebreak": ("  ", "\t"),
}  # fmt: skip
_EVERY_PATTERN = ("\x02", "\x03")


@cache
def _converter() -> Markdown:
    """One Markdown instance per process; `reset()` between documents is far cheaper than new.

    Markdown and nh3 are imported on first use: a build whose events all come from the cache
    never loads them.
    """
    import markdown

    extensions = [*EXTENSIONS, typography_extension(), citation_extension(_CITING)]
    return markdown.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS)


_CITING = Citing()  # the sources of the body being converted (one conversion at a time)


def _unusable(text: str) -> frozenset[str]:
    """The names of the inline patterns that cannot match anywhere in `text`."""
    if any(marker in text for marker in _EVERY_PATTERN):
        return frozenset()
    return frozenset(
        name
        for name, triggers in INLINE_TRIGGERS.items()
        if not any(trigger in text for trigger in triggers)
    )


@cache
def _inline_patterns(unusable: frozenset[str]) -> Registry:
    """Python-Markdown's inline patterns but those named in `unusable`, in their usual
    order (a body uses one of a few such sets, so each is made once)."""
    from markdown.util import Registry

    every = _converter().inlinePatterns
    left_out = {every.get_index_for_name(name) for name in unusable if name in every}
    chosen: Registry = Registry()
    for position, pattern in enumerate(every):
        if position not in left_out:
            chosen.register(pattern, str(position), len(every) - position)
    return chosen


@cache
def _cleaner() -> Cleaner:
    import nh3

    attributes = deepcopy(nh3.ALLOWED_ATTRIBUTES)
    for tag in ("h1", "h2", "h3", "h4", "h5", "h6", "li", "sup", "div", "dt", "abbr", "a", "span"):
        attributes.setdefault(tag, set()).update({"id", "class", "title"})
    attributes.setdefault("a", set()).update({"title", "aria-label"})
    attributes.setdefault("img", set()).add("title")
    return nh3.Cleaner(
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )


@dataclass(frozen=True)
class Rendered:
    """A body as HTML, how many times it cites each source, and ids no source carries."""

    html: str
    cited: tuple[int, ...] = ()
    unknown: tuple[str, ...] = ()


def render_markdown(
    text: str,
    *,
    allow_raw_html: bool,
    sources: Sequence[Source] = (),
    cite_labels: CiteLabels = CITE_LABELS,
) -> Rendered:
    """Body Markdown to HTML, citations (`[@id]`) linked to `sources` (and named for screen
    readers with `cite_labels`); sanitised unless the site allows raw HTML."""
    converter = _converter()
    converter.reset()
    converter.treeprocessors["inline"].inlinePatterns = _inline_patterns(_unusable(text))
    _CITING.start(sources, cite_labels)
    rendered = converter.convert(text)
    body = rendered if allow_raw_html else _cleaner().clean(rendered)
    return Rendered(body, tuple(_CITING.counts), tuple(dict.fromkeys(_CITING.unknown)))


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    text = _TAGS.sub("", _BLOCK_TAGS.sub(" ", _CITE.sub(" ", fragment)))
    return _SPACE.sub(" ", html.unescape(text)).strip()


def first_paragraph(fragment: str) -> str:
    """Plain text of the first paragraph, the default summary of an event."""
    match = _FIRST_PARAGRAPH.search(fragment)
    return plain_text(match.group(1)) if match else ""
