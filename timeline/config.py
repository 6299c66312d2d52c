"""Site configuration: `site.toml` -> a frozen, validated `SiteConfig`.

Every key is declared once, with its type (that of its default), default, check and
one-line description, so the README's table (`python -m timeline.config` prints it) and the
error messages have one source of truth. tomllib gives no positions, so key lines are
recovered from the text to report `site.toml:LINE: key: message` like the content errors.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .dates import parse_date
from .errors import BuildFailed, DateError, Problem
from .files import CONFIG_NAME
from .language import locale_problem
from .model import STATUSES, Status
from .urls import base_url_problem, encoded

LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)
SEARCH_FIELDS = ("summary", "body", "tags", "location", "sources")
ORDERS = ("oldest-first", "newest-first")
LATEST = "latest"


Check = Callable[[Any], "str | None"]


def _language(value: str) -> str | None:
    if not LANGUAGE_RE.match(value):
        return "must be a language tag such as en, fr or pt-BR"
    return locale_problem(value)


def _page_size(value: int) -> str | None:
    return "must be at least 10" if value < 10 else None


def _host(value: str) -> str | None:
    if value and not HOST_RE.match(value):
        return "must be a host name such as timeline.example.org (no scheme, no path)"
    return None


def _hosts(value: tuple[str, ...]) -> str | None:
    return next((_host(host) for host in value if _host(host)), None)


def _not_empty(value: str) -> str | None:
    return "must not be empty" if not value.strip() else None


def _search_fields(value: tuple[str, ...]) -> str | None:
    unknown = [v for v in value if v not in SEARCH_FIELDS]
    if unknown:
        return f"unknown field {unknown[0]!r}; choose from {', '.join(SEARCH_FIELDS)}"
    return None


def _repo_url(value: str) -> str | None:
    if value and not re.match(r"^https://[A-Za-z0-9.-]+/[\w.-]+/[\w.-]+/?$", value):
        return "must be a repository's address, such as https://github.com/user/repo"
    return None


def _order(value: str) -> str | None:
    return None if value in ORDERS else f"must be {ORDERS[0]!r} or {ORDERS[1]!r}"


def _start(value: str) -> str | None:
    if value in ("", LATEST):
        return None
    try:
        parse_date(value)
    except DateError as exc:
        return f"must be {LATEST!r} or an EDTF date; this date {exc}"
    return None


def _base_url(value: str) -> str | None:
    return base_url_problem(value) if value else None


def option(default: Any, doc: str, check: Check | None = None) -> Any:
    """Declare a setting: its default (whose type is the setting's type), the one-line
    description the README's table shows, and the check of its value."""
    return field(default=default, metadata={"doc": doc, "check": check})


@dataclass(frozen=True)
class SiteConfig:
    """The settings of one site; every field has a default, so `site.toml` is optional."""

    title: str = option("Timeline", "Site title, in every page's header.", _not_empty)
    description: str = option(
        "", "One sentence about the timeline, for the home page and meta tags."
    )
    base_url: str = option(
        "",
        "Where the site is published, e.g. `https://user.github.io/repo/`. Its path (`/repo/`) "
        "prefixes every link, so the site works under a subpath; canonical links, the feed "
        "and the sitemap need it.",
        _base_url,
    )
    language: str = option(
        "en",
        "Language of the site (BCP 47: `en`, `ko`, `ja`, `zh-Hans`, `ar`, ...): `<html lang>`, "
        "dates (CLDR), the interface's words, search stemming. See Languages.",
        _language,
    )
    author: str = option("", "Author or organisation, for meta tags and feeds.")
    allow_raw_html: bool = option(
        False, "Keep raw HTML in event bodies as written instead of sanitising it."
    )
    timeline_page_size: int = option(
        500,
        "Most events on one timeline page: a longer timeline (or tag) is split into pages of "
        "whole years, with a year navigation; search still covers every page.",
        _page_size,
    )
    order: str = option(
        "oldest-first",
        "Reading order of the timeline, tag and period pages: `oldest-first`, or "
        "`newest-first` for a story still unfolding (the latest on top).",
        _order,
    )
    start: str = option(
        "",
        "Where the timeline page opens: `latest`, or an EDTF date such as `2019-02` (the "
        "first event from then on). A link to an event (`#slug`) or a filter in the URL wins.",
        _start,
    )
    repo_url: str = option(
        "",
        "The site's repository on GitHub (`https://github.com/user/repo`), for each event's "
        "History and Suggest a correction links. Building in GitHub Actions, it defaults "
        "to the repository being built.",
        _repo_url,
    )
    repo_branch: str = option(
        "main",
        "The branch those links point at (in GitHub Actions: the branch being built).",
        _not_empty,
    )
    cname: str = option(
        "",
        "Custom domain for GitHub Pages (e.g. `timeline.example.org`), written as `CNAME` by "
        "`deploy`. With GitHub Actions, set the domain in the repository's settings.",
        _host,
    )
    statuses: tuple[Status, ...] = option(
        STATUSES,
        "How firm an event can be (`status:` in an event). Rename or add one with a table: "
        '`[statuses.alleged]` with `label = "Alleged"`, `description = "..."` and '
        "`unconfirmed = true` (a built-in's table changes only what it sets).",
    )
    default_status: str = option(
        "", "The status of an event that has no `status:` (one of the statuses; none if empty)."
    )
    allow_http_hosts: tuple[str, ...] = option(
        (),
        "Hosts whose `http://` source URLs are accepted without a warning (e.g. `kcna.kp`, "
        "which serves no https); any other plain-http source is warned about.",
        _hosts,
    )
    search_exclude: tuple[str, ...] = option(
        (),
        "Event fields left out of the search index: any of summary, body, tags, location, "
        "sources. The title is always indexed.",
        _search_fields,
    )

    def status(self, key: str) -> Status | None:
        """The status named `key` (as written in `status:`), or None."""
        return next((status for status in self.statuses if status.key == key), None)

    @property
    def newest_first(self) -> bool:
        return self.order == "newest-first"

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
        return self.site_url + encoded(path.lstrip("/")) if self.site_url else ""


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
    raw = {**_from_github_actions(), **raw}
    statuses, problems = _statuses(raw.pop("statuses", {}), lines)
    values, more = _validate(raw, lines)
    problems += more
    values["statuses"] = statuses
    default = values.get("default_status", "")
    if default and default not in {status.key for status in statuses}:
        known = ", ".join(status.key for status in statuses)
        message = f"{default!r} is not a status; known: {known}"
        problems.append(
            Problem(CONFIG_NAME, lines.get("default_status"), "default_status", message)
        )
    if problems:
        raise BuildFailed(problems)
    return SiteConfig(**values)


def _from_github_actions() -> dict[str, str]:
    """The repository and branch being built, when building in GitHub Actions (settings in
    site.toml win). Read once, when the configuration is loaded."""
    env = os.environ
    if env.get("GITHUB_ACTIONS") != "true" or not env.get("GITHUB_REPOSITORY"):
        return {}
    server = env.get("GITHUB_SERVER_URL", "https://github.com")
    found = {"repo_url": f"{server}/{env['GITHUB_REPOSITORY']}"}
    if env.get("GITHUB_REF_TYPE", "branch") == "branch" and env.get("GITHUB_REF_NAME"):
        found["repo_branch"] = env["GITHUB_REF_NAME"]
    return found


STATUS_KEYS = {"label": str, "description": str, "unconfirmed": bool}


def _statuses(value: object, lines: dict[str, int]) -> tuple[tuple[Status, ...], list[Problem]]:
    """The built-in statuses with the site's tables applied: a table for a built-in changes
    what it sets, any other adds a status (which needs a label)."""
    if not isinstance(value, dict):
        problem = Problem(CONFIG_NAME, lines.get("statuses"), "statuses",
                          "must be tables such as [statuses.alleged]")  # fmt: skip
        return STATUSES, [problem]
    statuses = {status.key: status for status in STATUSES}
    problems = []
    for key, table in value.items():
        where = f"statuses.{key}"
        line = lines.get(where)
        if not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", key):
            problems.append(Problem(CONFIG_NAME, line, where, "must use only a-z, 0-9 and hyphens"))
            continue
        if not isinstance(table, dict):
            problems.append(Problem(CONFIG_NAME, line, where, "must be a table of label, "
                                    "description and unconfirmed"))  # fmt: skip
            continue
        fields = {}
        for name, given in table.items():
            expected = STATUS_KEYS.get(name)
            at = f"{where}.{name}"
            if expected is None:
                problems.append(Problem(CONFIG_NAME, lines.get(at, line), at,
                                        f"unknown; known: {', '.join(STATUS_KEYS)}"))  # fmt: skip
            elif not isinstance(given, expected):
                problems.append(Problem(CONFIG_NAME, lines.get(at, line), at,
                                        _type_message(expected, given)))  # fmt: skip
            elif isinstance(given, str) and not given.strip():
                problems.append(Problem(CONFIG_NAME, lines.get(at, line), at, "must not be empty"))
            else:
                fields[name] = given.strip() if isinstance(given, str) else given
        base = statuses.get(key) or Status(key, "", "", True)
        status = dataclasses.replace(base, **fields)
        if not status.label:
            problems.append(Problem(CONFIG_NAME, line, where, "a new status needs a label"))
            continue
        statuses[key] = status
    return tuple(statuses.values()), problems


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
    check = FIELDS[key].metadata["check"]
    return check(value) if check else None


def options_table() -> str:
    """The README's table of settings, made from the declarations above."""
    rows = ["| Key | Default | Meaning |", "| --- | --- | --- |"]
    for name, declared in FIELDS.items():
        default = _toml_value(declared.default)
        rows.append(f"| `{name}` | `{default}` | {declared.metadata['doc']} |")
    return "\n".join(rows) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, Status):
        return value.key
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value + '"'
    return str(value)


if __name__ == "__main__":
    print(options_table(), end="")
