"""Every problem the generator reports, each with its place.

    TimelineError
     ├── BuildFailed          one or more Problems found in the content or configuration
     ├── RenderError          a template raised while rendering (template name and line)
     ├── OutputError          the output folder cannot be written or swapped in safely
     └── UsageError           the command line asks for something impossible (exit code 2)

A `Problem` is a value, not an exception: validators collect them for the whole site and
the pipeline raises `BuildFailed` once, so an author sees every mistake in one run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or suspicious, when `warning`) in one place of the site."""

    path: str
    line: int | None
    field: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        place = f"{self.path}:{self.line}" if self.line else self.path
        kind = "warning: " if self.warning else ""
        field = f" {self.field}:" if self.field else ""
        return f"{place}:{field} {kind}{self.message}"


class TimelineError(Exception):
    """Base of every error the generator raises on purpose."""


class BuildFailed(TimelineError):
    """The site has errors; nothing was written."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RenderError(TimelineError):
    """A template failed; the message names the template file and line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.problem = Problem(path, line, "template", message)
        super().__init__(str(self.problem))


class OutputError(TimelineError):
    """The output folder is unsafe or could not be written."""


class UsageError(TimelineError):
    """The command was called with arguments that cannot work."""
