"""`new`: start an event file with the right frontmatter, so no author begins from a blank page."""

from __future__ import annotations

import json
from pathlib import Path

from .dates import DateError, parse_date
from .errors import UsageError
from .model import slugify

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


def event_filename(title: str, date_text: str) -> str:
    """`2024-01-14-title-words.md`: sorts by date in a file browser and names the event."""
    title_slug = slugify(title)
    if not title_slug:
        raise UsageError(f"the title {title!r} has no letters or digits to name the file after")
    return f"{slugify(date_text)}-{title_slug}.md"


def new_event(content_dir: Path, title: str, date: str, tags: list[str]) -> Path:
    """Write a new event file; refuse an invalid date or an existing file."""
    title = title.strip()
    try:
        parsed = parse_date(date)
    except DateError as exc:
        raise UsageError(f"--date {exc}") from None
    path = content_dir / event_filename(title, parsed.text)
    if path.exists():
        raise UsageError(f"{path} already exists; choose another title or edit that file")
    text = TEMPLATE.format(
        title=json.dumps(title, ensure_ascii=False),
        date=json.dumps(parsed.text),
        tags=json.dumps([t.strip() for t in tags if t.strip()], ensure_ascii=False),
    )
    content_dir.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
