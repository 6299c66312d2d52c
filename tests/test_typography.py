"""Typographic quotes, dashes and ellipses in one pass (timeline/typography.py) give the same
HTML as Python-Markdown's `smarty` extension, on the example, on the synthetic corpus of the
benchmarks and on any text (Hypothesis). How much faster it is: benchmarks/quotes.py."""

from __future__ import annotations

import random

import frontmatter
import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import body
from tests.conftest import ROOT
from timeline.typography import typography_extension

OTHERS = ["extra", "sane_lists", "toc"]
CONFIGS = {"toc": {"baselevel": 2}}


def with_smarty(text: str) -> str:
    return markdown.markdown(text, extensions=[*OTHERS, "smarty"], extension_configs=CONFIGS)


def with_typography(text: str) -> str:
    return markdown.markdown(
        text, extensions=[*OTHERS, typography_extension()], extension_configs=CONFIGS
    )


def example_bodies() -> list[str]:
    files = sorted((ROOT / "content").rglob("*.md"))
    assert len(files) > 30
    return [frontmatter.loads(path.read_text(encoding="utf-8")).content for path in files]


def synthetic_bodies(count: int = 300) -> list[str]:
    rng = random.Random(20190228)
    topics = [["summit", "talks"], ["missile", "launch"], ["treaty", "alliance"]]
    return [body(rng, topics) for _ in range(count)]


TRICKY = [
    "\"Quoted\" and 'single' -- dash --- em ... dots.... four",
    "'80s, rock 'n' roll, don't, it's, the 1990s' end",
    "\"'Nested' quotes,\" he said. '\"Other\" way'",
    '*"emphasis"* and "**strong**" and "`code "x"`" then `"raw"`',
    '<span title="a \'b\'">"html"</span> and &quot;entity&quot; \\"escaped\\"',
    '["link"](https://example.org/\'x\') and !["alt"](a.png)\n\n    "code block" -- ...',
    "A -- B --- C ---- D -- -- E\n\n> \"quote\" 'block'\n\n- 'item' \"one\"",
    "## \"Heading\" -- 'x'\n\n### 'Other' heading...",
    'Table:\n\n| "a" | \'b\' |\n| --- | --- |\n| c -- d | e... |\n\nTerm\n: "def"',
    "Footnote[^1] \"x\".\n\n[^1]: 'Note' -- ok...",
]


def test_the_example_reads_exactly_as_with_smarty() -> None:
    for text in example_bodies() + TRICKY:
        assert with_typography(text) == with_smarty(text), text


def test_the_synthetic_corpus_reads_exactly_as_with_smarty() -> None:
    for text in synthetic_bodies():
        assert with_typography(text) == with_smarty(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="\"'-.` *_[]()<>!\\\n:aZ09s&;#", max_size=60))
def test_any_text_reads_exactly_as_with_smarty(text: str) -> None:
    assert with_typography(text) == with_smarty(text)
