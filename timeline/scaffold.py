"""`new`: start an event (or entity) file with the right frontmatter, so no author begins from
a blank page.

Also home of `create_file`, which `new` and `import` share: a file appears complete or not at
all, and never replaces one that exists.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
from pathlib import Path

from .dates import DateError, parse_date
from .errors import UsageError
from .model import ENTITY_KINDS, slugify

TEMPLATE = """---
title: {title}
date: {date}
tags: {tags}
# location: City, Country
# summary: One line for lists, feeds and previews (default: the first paragraph below).
# sources:
#   - title: Headline of the article you relied on
#     url: https://example.org/article
#     publisher: Who published it
# importance: normal   # major, normal or minor
# draft: true          # hidden from `build` until you remove this line
---

"""

ENTITY_TEMPLATE = """---
title: {title}
kind: {kind}
# aliases: [Other spelling, Another name]   # searched like the title
# wikidata: Q1234                            # its Wikidata item, when you are sure of it
# summary: One line: who or what it is, in this story.
---

"""

MAX_STEM = 80  # a file name's stem is its event's slug, which `slugify` caps at 80 characters
MAX_STEM_BYTES = 200


def event_filename(title: str, date_text: str, suffix: str = "") -> str:
    """`2024-01-14-title-words.md`: sorts by date in a file browser and names the event.

    The stem is a slug of at most 80 characters (a long title is cut at a word), so the
    event's slug, derived from the file name, is the stem itself; `suffix` (`-2`) is kept
    whole when the rest is cut.
    """
    title_slug = slugify(title)
    if not title_slug:
        raise UsageError(f"the title {title!r} has no letters or digits to name the file after")
    stem = "-".join(part for part in (slugify(date_text), title_slug) if part)
    stem = slugify(stem, MAX_STEM - len(suffix), MAX_STEM_BYTES - len(suffix.encode()))
    return f"{stem}{suffix}.md"


def create_file(path: Path, text: str) -> None:
    """Write a new file whole, or not at all; raise `FileExistsError` if `path` exists."""
    publish_file(stage_file(path, text), path)


def stage_file(path: Path, text: str) -> Path:
    """Write `text` in full (flushed to disk) to a new hidden file beside `path`; return it.

    The reader ignores it, as every dotfile, until `publish_file` gives it its name.
    """
    data = text.encode("utf-8")
    while True:  # not mkstemp, which would make the file private (0600): honour the umask
        temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def publish_file(temporary: Path, path: Path) -> None:
    """Give a staged file its name, never replacing a file that exists (`FileExistsError`).

    A hard link is created or not, atomically, and fails if the name is taken; where the file
    system has no hard links, the name is checked and the file renamed.
    """
    try:
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            if os.path.lexists(path):
                raise FileExistsError(errno.EEXIST, "File exists", str(path)) from None
            os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def new_event(content_dir: Path, title: str, date: str, tags: list[str]) -> Path:
    """Write a new event file; refuse an invalid date or title, or an existing file."""
    title = title.strip()
    tags = [t.strip() for t in tags if t.strip()]
    for what, value in [("the title", title), *(("--tags", tag) for tag in tags)]:
        _check_text(what, value)
    try:
        parsed = parse_date(date)
    except DateError as exc:
        raise UsageError(f"--date {exc}") from None
    path = content_dir / event_filename(title, parsed.text)
    text = TEMPLATE.format(
        title=json.dumps(title, ensure_ascii=False),
        date=json.dumps(parsed.text),
        tags=json.dumps(tags, ensure_ascii=False),
    )
    return _write_new(content_dir, path, title, text)


def new_entity(entities_dir: Path, title: str, kind: str) -> Path:
    """Write a new entity file `content/entities/<slug>.md`; refuse an unknown kind, an
    empty or invalid title, or an existing file."""
    title = title.strip()
    _check_text("the title", title)
    if kind not in ENTITY_KINDS:
        raise UsageError(f"--entity must be one of {', '.join(ENTITY_KINDS)}, not {kind!r}")
    path = entities_dir / event_filename(title, "")
    text = ENTITY_TEMPLATE.format(title=json.dumps(title, ensure_ascii=False), kind=kind)
    return _write_new(entities_dir, path, title, text)


def _write_new(content_dir: Path, path: Path, title: str, text: str) -> Path:
    """Create `path` with `text` (and its folder), never replacing a file."""
    try:
        content_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the folder {content_dir}: {exc.strerror or exc}") from None
    try:
        create_file(path, text)
    except FileExistsError:
        cut = len(slugify(title, 10**6, 10**6)) > len(path.stem)
        raise UsageError(
            f"{path} already exists; choose another title or edit that file"
            + (f" (a long title is cut to {MAX_STEM} characters in file names)" if cut else "")
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot create {path}: {exc.strerror or exc}") from None
    return path


def _check_text(what: str, value: str) -> None:
    """Text that cannot be written as UTF-8 (bytes the terminal could not decode) or that holds
    control characters is refused here rather than written into a file that will not build."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{what} {value!r} is not valid UTF-8 text") from None
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value if c not in "\t\n"):
        raise UsageError(f"{what} {value!r} contains control characters")
