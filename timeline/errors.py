"""Every problem the generator reports, each with its place, and every exception it raises.

    Exception
     ├── TimelineError              reported to the author; `exit_code` is the command's
     │    ├── BuildFailed           (1) Problems found in the content or configuration
     │    ├── RenderError           (1) a template raised (template name and line)
     │    ├── OutputError           (1) the output cannot be written or swapped in safely
     │    ├── SearchIndexError      (1) Pagefind could not index the site
     │    ├── DeployError           (1) committing or pushing the published branch failed
     │    └── UsageError            (2) the command line asks for something impossible
     └── ValueError
          ├── DateError             a text is not a date; becomes a Problem at its line
          ├── DuplicateKey          a YAML mapping sets a key twice; becomes a Problem
          └── RowError              an imported row's field is wrong; becomes a Problem

Exit codes: 0 success, 1 content, template or output errors, 2 usage errors.

A `Problem` is a value, not an exception: validators collect them for the whole site and
the pipeline raises `BuildFailed` once, so an author sees every mistake in one run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious, when `warning`) in one place of the site."""

    path: str
    line: int | None
    field: str
    message: str
    warning: bool = False

    def __lt__(self, other: Problem) -> bool:
        """Problems sort by file, then line (a problem of the whole file first), so that a
        report reads top to bottom; a missing line must not make sorting fail."""
        return self.order() < other.order()

    def order(self) -> tuple[str, int, str, str, bool]:
        """Where the problem sorts (`sorted(problems, key=Problem.order)` is quicker than
        comparing problems, which calls this twice for each comparison)."""
        return (self.path, self.line or 0, self.field, self.message, self.warning)

    @property
    def is_error(self) -> bool:
        return not self.warning

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else self.path
        kind = "warning: " if self.warning else ""
        field = f" {self.field}:" if self.field else ""
        return f"{place}:{field} {kind}{self.message}"


def as_errors(problems: Iterable[Problem]) -> list[Problem]:
    """Warnings made errors (`--strict`), each saying it was a warning."""
    return [
        dataclasses.replace(p, warning=False, message=f"{p.message} (a warning; --strict)")
        if p.warning
        else p
        for p in problems
    ]


EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class TimelineError(Exception):
    """Base of every error the generator reports to the author."""

    exit_code = EXIT_CONTENT


class BuildFailed(TimelineError):
    """The site has errors; nothing was written."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.order)
        super().__init__("\n".join(str(p) for p in self.problems))


class RenderError(TimelineError):
    """A template failed; the message names the template file and line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.problem = Problem(path, line, "template", message)
        super().__init__(str(self.problem))


class OutputError(TimelineError):
    """The output folder is unsafe or could not be written."""


class SearchIndexError(TimelineError):
    """Pagefind could not be started or could not index the site."""


class DeployError(TimelineError):
    """Committing or pushing the branch failed."""


class UsageError(TimelineError):
    """The command was called with arguments that cannot work."""

    exit_code = EXIT_USAGE


class DateError(ValueError):
    """The text is not a date this timeline can place; the message says why, for an author."""


class DuplicateKey(ValueError):
    """A mapping sets the same key twice; YAML would silently keep the last value."""

    def __init__(self, key: str, line: int) -> None:
        self.key, self.line = key, line
        super().__init__(key)


class RowError(ValueError):
    """Why one imported slide cannot become an event (the field it concerns, and the reason)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)
