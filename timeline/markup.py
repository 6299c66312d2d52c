"""Event bodies: Markdown -> safe HTML, plus the plain text the summary and search need.

Python-Markdown passes raw HTML through untouched, so unless a site opts in with
`allow_raw_html`, the result goes through nh3 (Rust's ammonia): no scripts, no event
handlers, no iframes, no `javascript:` URLs.
"""

from __future__ import annotations

import html
import re
from copy import deepcopy
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown import Markdown
    from nh3 import Cleaner


EXTENSIONS = ("extra", "sane_lists", "smarty", "toc")
EXTENSION_CONFIGS = {"toc": {"baselevel": 2}}
_BLOCK_TAGS = re.compile(
    r"</?(?:p|div|li|h[1-6]|br|hr|tr|td|th|blockquote|pre|ul|ol|dl|dd|dt|table)\b[^>]*>"
)
_TAGS = re.compile(r"<[^>]+>")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_SPACE = re.compile(r"\s+")


@cache
def _converter() -> Markdown:
    """One Markdown instance per process; `reset()` between documents is far cheaper than new.

    Markdown and nh3 are imported on first use: a build whose events all come from the cache
    never loads them.
    """
    import markdown

    return markdown.Markdown(extensions=list(EXTENSIONS), extension_configs=EXTENSION_CONFIGS)


@cache
def _cleaner() -> Cleaner:
    import nh3

    attributes = deepcopy(nh3.ALLOWED_ATTRIBUTES)
    for tag in ("h1", "h2", "h3", "h4", "h5", "h6", "li", "sup", "div", "dt", "abbr", "a", "span"):
        attributes.setdefault(tag, set()).update({"id", "class", "title"})
    attributes.setdefault("a", set()).add("title")
    attributes.setdefault("img", set()).add("title")
    return nh3.Cleaner(
        attributes=attributes,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )


def render_markdown(text: str, *, allow_raw_html: bool) -> str:
    """Body Markdown to HTML; sanitised unless the site allows raw HTML."""
    converter = _converter()
    converter.reset()
    rendered = converter.convert(text)
    return rendered if allow_raw_html else _cleaner().clean(rendered)


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    text = _TAGS.sub("", _BLOCK_TAGS.sub(" ", fragment))
    return _SPACE.sub(" ", html.unescape(text)).strip()


def first_paragraph(fragment: str) -> str:
    """Plain text of the first paragraph, the default summary of an event."""
    match = _FIRST_PARAGRAPH.search(fragment)
    return plain_text(match.group(1)) if match else ""
