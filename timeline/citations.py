"""Citations in the text: `[@id]` and `[@a; @b]` (Pandoc's syntax) tie a sentence to the
sources that support it.

A source's number is its place in the event's `sources` list, so the superscript `[2]`
and the second entry of the Sources list agree without any bookkeeping by the author.
In the body, a Python-Markdown inline processor turns citations into numbered links to
`#source-N` (run after code spans, so code stays literal) and counts each source's
citations, so the Sources list can link back to every place a source is cited. In plain
text (a summary written in the frontmatter) a citation becomes "[2]". An id no source
carries is reported at its line by the compiler, with the ids the event has.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .language import N_
from .model import Source

if TYPE_CHECKING:
    from markdown import Markdown
    from markdown.extensions import Extension

CITATION_RE = r"\[(@[a-z0-9-]+(?:\s*;\s*@[a-z0-9-]+)*)\]"
INLINE_RE = r"[ \t]*" + CITATION_RE  # a superscript sits on the word before it: no space
PRIORITY = 175  # after escapes (180) and code spans (190), before links and references
_CITATION = re.compile(CITATION_RE)
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).+?\1")


CiteLabels = tuple[str, str]
# What a citation link says to screen readers, with and without a publisher; translated (the
# site's language) before events are compiled, as the body's HTML holds them.
CITE_LABELS: CiteLabels = (
    N_("Source %(number)s: %(publisher)s, “%(title)s”"),
    N_("Source %(number)s: “%(title)s”"),
)


def cite_labels(gettext: Callable[[str], str]) -> CiteLabels:
    """The citation labels in a language (`gettext` of its catalogs)."""
    return (gettext(CITE_LABELS[0]), gettext(CITE_LABELS[1]))


@dataclass
class Citing:
    """The sources of the document being converted, and what its citations used."""

    sources: Sequence[Source] = ()
    counts: list[int] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    labels: CiteLabels = CITE_LABELS

    def start(self, sources: Sequence[Source], labels: CiteLabels = CITE_LABELS) -> None:
        self.sources = sources
        self.labels = labels
        self.counts = [0] * len(sources)
        self.unknown = []

    def number(self, source_id: str) -> int | None:
        """The 1-based place of the source with this id, or None."""
        for index, source in enumerate(self.sources):
            if source.id and source.id == source_id:
                return index + 1
        return None


def ids_of(text: str) -> list[str]:
    """`@a; @b` -> ["a", "b"]."""
    return [part.strip().lstrip("@") for part in text.split(";")]


def accessible_name(number: int, source: Source, labels: CiteLabels = CITE_LABELS) -> str:
    """What a screen reader says for a citation: `Source 2: Reuters, "Title"`, in the
    site's language (`labels`: the two forms, with and without a publisher)."""
    with_publisher, without = labels
    values = {"number": number, "publisher": source.publisher, "title": source.title}
    return (with_publisher if source.publisher else without) % values


def citation_extension(citing: Citing) -> Extension:
    """The Markdown extension that renders citations with `citing`'s sources (set up with
    `Citing.start` before each conversion). Markdown is imported here, on first use, as
    markup.py does: a build whose events all come from the cache never loads it."""
    from markdown.extensions import Extension
    from markdown.inlinepatterns import InlineProcessor

    class CitationProcessor(InlineProcessor):
        def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element | None, int, int]:
            return render_citation(citing, m), m.start(0), m.end(0)

    class CitationExtension(Extension):
        def extendMarkdown(self, md: Markdown) -> None:  # Markdown's names
            md.inlinePatterns.register(CitationProcessor(INLINE_RE, md), "citation", PRIORITY)

    return CitationExtension()


def render_citation(citing: Citing, match: re.Match[str]) -> etree.Element | None:
    """`[@a; @b]` as `<sup>[<a>1</a>, <a>3</a>]</sup>`, each link to its source's entry
    with an id the entry links back to; None (left as written) when an id is unknown."""
    ids = ids_of(match.group(1))
    numbers = [citing.number(source_id) for source_id in ids]
    missing = [source_id for source_id, n in zip(ids, numbers, strict=True) if n is None]
    if missing:
        citing.unknown += missing
        return None
    sup = etree.Element("sup", {"class": "cite"})
    sup.text = "["
    for position, number in enumerate(numbers):
        assert number is not None
        citing.counts[number - 1] += 1
        link = etree.SubElement(sup, "a", {
            "href": f"#source-{number}",
            "id": f"cite-{number}-{citing.counts[number - 1]}",
            "aria-label": accessible_name(number, citing.sources[number - 1], citing.labels),
        })  # fmt: skip
        link.text = str(number)
        link.tail = ", " if position + 1 < len(numbers) else "]"
    return sup


def cite_text(text: str, sources: Sequence[Source]) -> tuple[str, list[str]]:
    """Citations in plain text (a summary) as "[2]" or "[1, 3]"; and the unknown ids."""
    citing = Citing()
    citing.start(sources)

    def replace(match: re.Match[str]) -> str:
        ids = ids_of(match.group(1))
        numbers = [citing.number(source_id) for source_id in ids]
        if None in numbers:
            citing.unknown += [i for i, n in zip(ids, numbers, strict=True) if n is None]
            return match.group(0)
        return "[" + ", ".join(str(n) for n in numbers) + "]"

    return _CITATION.sub(replace, text), citing.unknown


def citation_line(body: str, source_id: str, first_line: int) -> int:
    """The file line of the first citation of `source_id` outside code, for messages."""
    fence = ""
    for offset, line in enumerate(body.splitlines()):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            continue
        if opening:
            fence = opening.group(1)
            continue
        for match in _CITATION.finditer(_CODE_SPAN.sub("", line)):
            if source_id in ids_of(match.group(1)):
                return first_line + offset
    return first_line


def unknown_message(source_id: str, sources: Sequence[Source]) -> str:
    """`[@x] cites no source with id "x"; this event's sources: a, b`."""
    ids = [source.id for source in sources if source.id]
    have = f"this event's sources: {', '.join(ids)}" if ids else "no source of this event has an id"
    return f'[@{source_id}] cites no source with id "{source_id}"; {have}'
