"""Typographic quotes, dashes and ellipses (SmartyPants), in one pass over a body's text.

Python-Markdown's `smarty` extension runs a second copy of its whole inline machinery over
every document (it doubled the Markdown time of a build): each of its fifteen rules walks
every text node through placeholders, node stashes and re-assembly. The rules themselves
are a few regular expressions, applied in order to each piece of text outside code. This
module takes those rules and their order from the `smarty` extension itself and applies
them directly to the text of the parsed tree, at the place in Markdown's pipeline where
`smarty` runs: the HTML is byte-identical (tests/test_typography.py compares the two).

What it keeps from `smarty`, on purpose: each replacement is stored in Markdown's HTML stash
(so the output has `&ldquo;` exactly where `smarty` put it), and text already replaced is
hidden from the rules that follow behind a placeholder bounded by the same control
characters, so every rule sees the same context it sees in `smarty`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import xml.etree.ElementTree as etree

    from markdown import Markdown
    from markdown.extensions import Extension

PRIORITY = 6  # `smarty`'s: after inline patterns (20), before the table of contents (5)
MAY_CHANGE = re.compile(r"['\"]|--|\.\.\.")  # text without any of these has nothing to do
TOKEN = "\x02ty{}\x03"  # bounded like Markdown's placeholders: rules see the same context
TOKEN_RE = re.compile("\x02ty(\\d+)\x03")
Rule = tuple[re.Pattern[str], tuple[int | str, ...]]


def typography_extension() -> Extension:
    """The Markdown extension that replaces `smarty` (imported on first use, as markup.py
    imports Markdown)."""
    from markdown.extensions import Extension
    from markdown.extensions.smarty import SmartyExtension
    from markdown.treeprocessors import Treeprocessor
    from markdown.util import AtomicString, Registry

    class TypographyProcessor(Treeprocessor):
        def __init__(self, md: Markdown, rules: list[Rule]) -> None:
            super().__init__(md)
            self.rules = rules

        def run(self, root: etree.Element) -> None:
            for element in root.iter():
                if element is not root and _editable(element.text, AtomicString):
                    element.text = self.educate(element.text)  # type: ignore[arg-type]
                if element is not root and _editable(element.tail, AtomicString):
                    element.tail = self.educate(element.tail)  # type: ignore[arg-type]

        def educate(self, text: str) -> str:
            return educate(text, self.rules, self.md.htmlStash.store)

    class TypographyExtension(Extension):
        def extendMarkdown(self, md: Markdown) -> None:  # Markdown's name
            smarty = SmartyExtension()
            smarty.inlinePatterns = Registry()
            smarty.educateEllipses(md)  # smarty's own rules, registered in its own order
            smarty.educateQuotes(md)
            smarty.educateDashes(md)
            rules = [(p.compiled_re, tuple(p.replace)) for p in smarty.inlinePatterns]
            md.treeprocessors.register(TypographyProcessor(md, rules), "typography", PRIORITY)
            md.ESCAPED_CHARS.extend(['"', "'"])  # `\"` stays a straight quote, as with smarty

    return TypographyExtension()


def _editable(text: str | None, atomic: type) -> bool:
    """Text the rules apply to: present, not code (`AtomicString`), and with something to do."""
    return bool(text) and not isinstance(text, atomic) and bool(MAY_CHANGE.search(text))


def educate(text: str, rules: list[Rule], stash: object) -> str:
    """`text` with each rule applied in turn, left to right, as smarty's inline processor
    does: a match becomes a placeholder (so later rules see it as smarty's placeholders are
    seen), and at the end each placeholder becomes its replacement, whose typographic
    characters are stored in Markdown's HTML stash (`stash`, its `store`)."""
    done: list[str] = []
    for regex, parts in rules:
        position = 0
        while match := regex.search(text, position):
            replacement = "".join(
                match.group(part) if isinstance(part, int) else stash(part)  # type: ignore[operator]
                for part in parts
            )
            token = TOKEN.format(len(done))
            done.append(replacement)
            text = text[: match.start()] + token + text[match.end() :]
            position = match.start() + len(token)
    return TOKEN_RE.sub(lambda m: done[int(m.group(1))], text) if done else text
