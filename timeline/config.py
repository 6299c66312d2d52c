"""Site configuration: `site.toml` -> a frozen, validated `SiteConfig`.

Every key is typed, defaulted and documented here, so the README and the error messages
have one source of truth. tomllib gives no positions, so key lines are recovered from the
text to report `site.toml:LINE: key: message` like the content errors.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import BuildFailed, Problem

CONFIG_NAME = "site.toml"
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)
SEARCH_FIELDS = ("summary", "body", "tags", "location", "sources")


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@dataclass(frozen=True)
class SiteConfig:
    """The settings of one site; every field has a default, so `site.toml` is optional."""

    title: str = field(
        default="Timeline", metadata=_doc("Site title, shown in every page's header.")
    )
    description: str = field(
        default="",
        metadata=_doc("One sentence about the timeline, for the home page and meta tags."),
    )
    base_url: str = field(
        default="",
        metadata=_doc(
            "Where the site is published, e.g. https://user.github.io/repo/. Its path becomes the "
            "prefix of every link; absolute URLs (canonical links, feeds) need it."
        ),
    )
    language: str = field(default="en", metadata=_doc("Language of the content (BCP 47 tag)."))
    author: str = field(
        default="", metadata=_doc("Author or organisation, for meta tags and feeds.")
    )
    allow_raw_html: bool = field(
        default=False,
        metadata=_doc("Keep raw HTML in event bodies as written instead of sanitising it."),
    )
    timeline_page_size: int = field(
        default=500,
        metadata=_doc(
            "Most events on one timeline page: a longer timeline (or tag) is split into "
            "pages of whole years, with a year navigation; search still covers every page."
        ),
    )
    cname: str = field(
        default="",
        metadata=_doc(
            "Custom domain for GitHub Pages (e.g. timeline.example.org): written as CNAME "
            "by `deploy`. With GitHub Actions, set the domain in the repository's settings."
        ),
    )
    search_exclude: tuple[str, ...] = field(
        default=(),
        metadata=_doc(
            "Event fields left out of the search index: any of summary, body, tags, location, "
            "sources. The title is always indexed."
        ),
    )

    @property
    def base_path(self) -> str:
        """The URL path every internal link starts with: '/' or '/repo/'."""
        path = urlsplit(self.base_url).path if self.base_url else "/"
        return path if path.endswith("/") else path + "/"

    @property
    def site_url(self) -> str:
        """Absolute base URL with a trailing slash, or '' when none is configured."""
        if not self.base_url:
            return ""
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"

    def absolute_url(self, path: str) -> str:
        """Absolute URL of a root-relative site path, or '' without a base URL."""
        return self.site_url + path.lstrip("/") if self.site_url else ""


FIELDS = {f.name: f for f in dataclasses.fields(SiteConfig)}


def load_config(site_root: Path, *, base_url: str | None = None) -> SiteConfig:
    """Read and validate `site.toml` under `site_root`; `base_url` overrides the file's value."""
    path = site_root / CONFIG_NAME
    raw: dict[str, Any] = {}
    lines: dict[str, int] = {}
    if path.is_file():
        text = _read_text(path)
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = _toml_error_line(exc)
            raise BuildFailed([Problem(CONFIG_NAME, line, "", f"invalid TOML: {exc}")]) from None
        lines = key_lines(text)
    if base_url is not None:
        raw["base_url"] = base_url
    values, problems = _validate(raw, lines)
    if problems:
        raise BuildFailed(problems)
    return SiteConfig(**values)


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BuildFailed(
            [Problem(CONFIG_NAME, None, "", f"not valid UTF-8: {exc.reason}")]
        ) from None


def _toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    match = re.search(r"\(at line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def key_lines(text: str) -> dict[str, int]:
    """Map each `key` (or `table.key`) of a TOML document to the line that sets it."""
    found: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[+\s*([^\]]+?)\s*\]+", line)
        if header:
            table = header.group(1).strip() + "."
            found.setdefault(table[:-1], number)
            continue
        key = re.match(r"\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=", line)
        if key:
            found.setdefault(table + key.group(1).strip('"'), number)
    return found


def _validate(raw: dict[str, Any], lines: dict[str, int]) -> tuple[dict[str, Any], list[Problem]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in raw.items():
        line = lines.get(key)
        if key not in FIELDS:
            problems.append(Problem(CONFIG_NAME, line, key, _unknown_key(key)))
            continue
        expected = type(FIELDS[key].default)
        if expected is tuple and isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = tuple(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            problems.append(Problem(CONFIG_NAME, line, key, _type_message(expected, value)))
            continue
        message = _check_value(key, value)
        if message:
            problems.append(Problem(CONFIG_NAME, line, key, message))
            continue
        values[key] = value
    return values, problems


def _unknown_key(key: str) -> str:
    close = difflib.get_close_matches(key, FIELDS, n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f"unknown setting{hint}; known settings: {', '.join(FIELDS)}"


def _type_message(expected: type, value: object) -> str:
    names = {
        str: "a string",
        bool: "true or false",
        int: "a whole number",
        tuple: "a list of strings",
    }
    return f"must be {names.get(expected, expected.__name__)}, not {type(value).__name__}"


def _check_value(key: str, value: Any) -> str | None:
    if key == "base_url" and value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return "must be an absolute http(s) URL such as https://user.github.io/repo/"
        if parts.query or parts.fragment:
            return "must not have a query or fragment"
    if key == "language" and not LANGUAGE_RE.match(value):
        return "must be a language tag such as en, fr or pt-BR"
    if key == "timeline_page_size" and value < 10:
        return "must be at least 10"
    if key == "cname" and value and not HOST_RE.match(value):
        return "must be a host name such as timeline.example.org (no scheme, no path)"
    if key == "title" and not value.strip():
        return "must not be empty"
    if key == "search_exclude":
        unknown = [v for v in value if v not in SEARCH_FIELDS]
        if unknown:
            return f"unknown field {unknown[0]!r}; choose from {', '.join(SEARCH_FIELDS)}"
    return None
