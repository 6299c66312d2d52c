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


# Python-Markdown's `extra` (its seven extensions, in its order), sane lists and headings'
# ids (h1 is the page's title), plus ours: typography (smarty's rules, in one pass) and
# citations. Named by module rather than by entry point: looking a name up scans every
# installed package's metadata, a tenth of a second of each worker's start.
EXTENSIONS = (
    "fenced_code", "footnotes", "attr_list", "def_list", "tables", "abbr", "md_in_html",
    "sane_lists", "toc",
)  # fmt: skip
EXTENSION_CONFIGS: dict[str, dict[str, object]] = {"toc": {"baselevel": 2}}
_BLOCK_TAGS = re.compile(
    r"</?(?:p|div|li|h[1-6]|br|hr|tr|td|th|blockquote|pre|ul|ol|dl|dd|dt|table)\b[^>]*>"
)
_TAGS = re.compile(r"<[^>]+>")
_CITE = re.compile(r'<sup class="cite">')  # "[1]" after a word, as text: "word [1]"
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_SPACE = re.compile(r"\s+")

# Python-Markdown tries every block processor on every block and every inline pattern on
# every run of text, and a body of plain prose can match few of them. Each processor and
# pattern (by its registered name) is listed with the strings of which one must be in a body
# for it to match anything there; a body is converted with only those it can use: the same
# HTML, in a third of the time for plain prose and a fifth less for the example's bodies,
# which cite sources. One not listed is always used. Two spaces make a line break, and tabs
# become spaces. Python-Markdown drops its own marker characters (STX, ETX) from a body,
# which can join what they separated: a body holding them uses every one.
TRIGGERS: dict[str, dict[str, tuple[str, ...]]] = {
    "block": {
        "markdown_block": ("<",), "table": ("|",), "hashheader": ("#",),
        "setextheader": ("=", "-"), "hr": ("-", "_", "*"), "deflist": (":",), "quote": (">",),
        "footnote": ("[",), "abbr": ("[",), "reference": ("[",),
    },
    "inline": {
        "backtick": ("`",), "escape": ("\\",), "footnote": ("[",), "citation": ("[",),
        "reference": ("[",), "link": ("[",), "image_link": ("[",), "image_reference": ("[",),
        "short_reference": ("[",), "short_image_ref": ("[",), "autolink": ("<",),
        "automail": ("<",), "html": ("<",), "entity": ("&",), "em_strong": ("*", "_"),
        "linebreak": ("  ", "\t"),
    },
}  # fmt: skip
_EVERY_ONE = ("\x02", "\x03")


@cache
def _converter() -> Markdown:
    """One Markdown instance per process; `reset()` between documents is far cheaper than new.

    Markdown and nh3 are imported on first use: a build whose events all come from the cache
    never loads them.
    """
    import importlib

    import markdown

    named = [
        importlib.import_module(f"markdown.extensions.{name}").makeExtension(
            **EXTENSION_CONFIGS.get(name, {})
        )
        for name in EXTENSIONS
    ]
    return markdown.Markdown(
        extensions=[*named, typography_extension(), citation_extension(_CITING)]
    )


_CITING = Citing()  # the sources of the body being converted (one conversion at a time)


def _use_only_what_can_match(converter: Markdown, text: str) -> None:
    """Give `converter` only the block processors and inline patterns that can match
    somewhere in `text` (see `TRIGGERS`)."""
    joined = any(marker in text for marker in _EVERY_ONE)
    unusable = {
        kind: frozenset(
            name
            for name, strings in triggers.items()
            if not joined and not any(string in text for string in strings)
        )
        for kind, triggers in TRIGGERS.items()
    }
    converter.parser.blockprocessors = _chosen("block", unusable["block"])
    converter.treeprocessors["inline"].inlinePatterns = _chosen("inline", unusable["inline"])


@cache
def _every() -> dict[str, Registry]:
    """The converter's own registries of block processors and inline patterns (taken
    before any body swaps them)."""
    converter = _converter()
    return {"block": converter.parser.blockprocessors, "inline": converter.inlinePatterns}


@cache
def _chosen(kind: str, unusable: frozenset[str]) -> Registry:
    """The block processors or inline patterns (`kind`) but those named in `unusable`, in
    their usual order (bodies use a few such sets, so each is made once)."""
    from markdown.util import Registry

    every = _every()[kind]
    left_out = {every.get_index_for_name(name) for name in unusable if name in every}
    chosen: Registry = Registry()
    for position, item in enumerate(every):
        if position not in left_out:
            chosen.register(item, str(position), len(every) - position)
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
    _use_only_what_can_match(converter, text)
    _CITING.start(sources, cite_labels)
    rendered = converter.convert(text)
    body = rendered if allow_raw_html else _cleaner().clean(rendered)
    return Rendered(body, tuple(_CITING.counts), tuple(dict.fromkeys(_CITING.unknown)))


def warm_up() -> None:
    """Make this process's converter and sanitizer now: the preview calls this after its
    first build, which converted every body in worker processes, so that its first edit
    does not wait for them."""
    render_markdown("*Ready*.", allow_raw_html=False)


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    text = _TAGS.sub("", _BLOCK_TAGS.sub(" ", _CITE.sub(" ", fragment)))
    return _SPACE.sub(" ", html.unescape(text)).strip()


def first_paragraph(fragment: str) -> str:
    """Plain text of the first paragraph, the default summary of an event."""
    match = _FIRST_PARAGRAPH.search(fragment)
    return plain_text(match.group(1)) if match else ""
