"""Which URLs the generator accepts from authors: one rule, for sources, images and base_url.

Frontmatter and configuration are data, and a URL from them ends up in `href` and `src`
attributes, feeds and exports: only absolute http(s) URLs with a host pass (no `javascript:`,
`data:` or `https:///x`), and malformed ones are refused rather than crashing the parser.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, quote, urlsplit

WEB_SCHEMES = ("http", "https")
# Characters a published base URL may hold: unreserved, sub-delimiters but the quote, and
# percent-escapes; anything else would need escaping wherever the URL is written.
BASE_URL_RE = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+$")
URL_SAFE = "/:?#[]@!$&'()*+,;=%~"  # left as they are by `encoded`, with ASCII letters and digits


@lru_cache(maxsize=65536)  # a timeline links each event from many pages
def encoded(path: str) -> str:
    """A site path as written in links: characters outside ASCII (the folder of a Korean tag,
    `tags/북한/`) percent-encoded as UTF-8, so feeds, the sitemap and every page link it alike."""
    return quote(path, safe=URL_SAFE)


def split_url(url: str) -> SplitResult | None:
    """The parts of a URL, or None when it cannot be parsed (e.g. `https://[::1/x`)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    return parts


def is_web_url(url: str) -> bool:
    """An absolute http(s) URL with a host and no spaces or control characters."""
    parts = split_url(url)
    clean = not any(c.isspace() or ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in url)
    return clean and parts is not None and parts.scheme in WEB_SCHEMES and bool(parts.hostname)


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be a site's published address, or None when it can."""
    parts = split_url(url)
    if not is_web_url(url) or parts is None:
        return "must be an absolute http(s) URL such as https://user.github.io/repo/"
    if not BASE_URL_RE.match(url):
        return "must not contain spaces, quotes or < > \\ characters; percent-encode them"
    if parts.query or parts.fragment:
        return "must not have a query or fragment"
    return None
