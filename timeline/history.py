"""When each event file was added and changed, from git: one `git log` over the content
folder for the whole site (never a process per file), renames followed, so 20,000 events
cost one command.

Dates are commit times (UTC), so a build of a given commit is the same wherever it runs.
Outside a git repository, or in a shallow clone (whose first commit would pretend to have
added everything), there are no dates, and one warning says why. Files not yet committed
have none either.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .errors import Problem

if TYPE_CHECKING:
    from .model import FileHistory

STATUS_LETTERS = frozenset("AMDTRC")


@dataclass(frozen=True)
class History:
    """The history of every committed file under the folders read, by site-relative path,
    and where the site lies in its repository (`prefix`, for links to the file)."""

    files: dict[str, FileHistory] = field(default_factory=dict)
    prefix: str = ""
    head: str = ""
    warning: Problem | None = None

    def of(self, path: str) -> FileHistory | None:
        return self.files.get(path)


def read_history(root: Path, folders: tuple[str, ...], known_head: str = "") -> History | None:
    """The history of the files in `folders` (site-relative), or None when HEAD is still
    `known_head` (the caller's copy is current: the preview asks after every edit)."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None:
        return History(warning=_warning("the site is not in a git repository"))
    head = head_of(root)
    if head and head == known_head:
        return None
    if _git(root, "rev-parse", "--is-shallow-repository") == "true":
        message = "the repository is a shallow clone (fetch its full history: fetch-depth: 0)"
        return History(head=head, warning=_warning(message))
    prefix = root.resolve().relative_to(Path(top).resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    log = _git(
        root, "-c", "core.quotepath=off", "log", "-z", "--format=%x01%ct", "--name-status",
        "-M", "--no-color", "--", *folders,
    )  # fmt: skip
    return History(_parse(log or "", prefix), prefix, head)


def head_of(root: Path) -> str:
    """The commit checked out (empty outside git): a build of an unchanged folder still
    changes when a commit gives its files their dates."""
    return _git(root, "rev-parse", "--verify", "-q", "HEAD") or ""


def _warning(why: str) -> Problem:
    message = f"{why}, so events show no added and updated dates"
    return Problem("content/events", None, "history", message, warning=True)


def _git(root: Path, *args: str) -> str | None:
    """A git command's output, or None when git is missing or the command fails."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False,
            encoding="utf-8", errors="surrogateescape",
        )  # fmt: skip
    except OSError:
        return None
    return done.stdout.strip("\n") if done.returncode == 0 else None


def _parse(log: str, prefix: str) -> dict[str, FileHistory]:
    """`git log -z --name-status` (newest commit first) -> each current file's commits.

    A rename maps the older name to the current one, so the file keeps its history; a
    deletion met going back in time ends the history of that name (an older file of the
    same name is another file)."""
    from .model import FileHistory  # not at the top: `head_of` serves builds with nothing to do

    current: dict[str, str | None] = {}  # a name in older commits -> the file it is now
    times: dict[str, list[str]] = {}
    when = ""
    tokens = iter(log.split("\0"))
    for token in tokens:
        token = token.lstrip("\n")
        if token.startswith("\x01"):
            when = _rfc3339(int(token[1:]))
            continue
        if not token or token[0] not in STATUS_LETTERS:
            continue
        paths = [next(tokens, ""), next(tokens, "")] if token[0] in "RC" else [next(tokens, "")]
        name = paths[-1]
        file = current.get(name, name)
        if token[0] == "D":
            current[name] = None
            continue
        if file is None:
            continue
        times.setdefault(file, [])
        if not times[file] or times[file][-1] != when:
            times[file].append(when)
        if token[0] == "R":
            current[paths[0]] = file
    return {
        _site_path(path, prefix): FileHistory(tuple(found))
        for path, found in times.items()
        if path.startswith(prefix)
    }


def _site_path(path: str, prefix: str) -> str:
    return PurePosixPath(path[len(prefix) :]).as_posix()


def _rfc3339(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
