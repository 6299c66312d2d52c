"""A body is converted with only the block processors and inline patterns that can match in
it (a speed-up of timeline/markup.py); the HTML must be exactly what all of them give, on the
example, the synthetic corpus of the benchmarks, tricky bodies and any text (Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_typography import TRICKY, example_bodies, synthetic_bodies
from timeline import markup
from timeline.markup import render_markdown

MORE_TRICKY = [
    "Line with two spaces  \nthen more, and a tab\t\nthen more",
    "Windows line  \r\nbreak, and an old Mac one  \rtoo",
    "Joined by a marker: [\x02^1] and *a\x03* and <\x02b> and a break \x02 \nhere",
    "Cited [@src] and [@a; @b] and a [link][ref] and ![img][ref]\n\n[ref]: https://e.org",
    "Auto <https://example.org> and <mail@example.org> and &amp; &#169; &copy;",
    "Escaped \\*not em\\* and `code *x*` and __strong__ and _em_ and ***both***",
    "> quote with *em*  \n> and a break\n\n- item `code`\n- item [link](https://e.org)",
    "Term\n: def *x*\n\n*[HTML]: Hyper Text\n\nHTML here",
    "Title\n=====\n\nOther\n-----\n\n# Hash #\n\n###### Six\n\n---\n\n* * *\n\n___",
    "| a | b |\n| --- | --- |\n| 1 | 2 |\n\na | b\n--|--\nc | d",
    "- item\n\n    Term\n    : nested definition\n\n> Term\n> : quoted definition",
    "Text[^n] and more.\n\n[^n]: The note, with [a link][r].\n\n[r]: https://e.org 'T'",
    '<div markdown="1">\n*inside* html\n</div>\n\n<p>raw: a</p>\n\nAfter: it',
    "```\ncode: with | pipes # and > quotes\n```\n\n~~~\n---\n~~~\n\n    indented: code",
    "Only a rule made of underscores:\n\n___\n\nand text after it",
    "1. one\n2. two\n\n* star\n+ plus\n\nA line: with a colon\n: and a definition",
]


def every_pattern(text: str) -> str:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(markup, "TRIGGERS", {"block": {}, "inline": {}})
        return render_markdown(text, allow_raw_html=True).html


def chosen_patterns(text: str) -> str:
    return render_markdown(text, allow_raw_html=True).html


def test_the_example_and_tricky_bodies_read_as_with_every_pattern() -> None:
    for text in example_bodies() + TRICKY + MORE_TRICKY:
        assert chosen_patterns(text) == every_pattern(text), text


def test_the_synthetic_corpus_reads_as_with_every_pattern() -> None:
    for text in synthetic_bodies():
        assert chosen_patterns(text) == every_pattern(text)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="*_`[]()<>!^@&;#\\:/. \t\r\n\x02\x03aZ09-=|>~+", max_size=60))
def test_any_text_reads_as_with_every_pattern(text: str) -> None:
    assert chosen_patterns(text) == every_pattern(text)


LINE_STARTS = ["", "", "", "    ", "> ", "- ", "1. ", ": ", "# ", "| ", "*[", "[^1]: ", "[r]: "]
lines = st.tuples(
    st.sampled_from(LINE_STARTS), st.text(alphabet="ab :|-=#*_[]^>`<&.1\t", max_size=14)
).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.lists(lines, max_size=8).map("\n".join))
def test_any_lines_read_as_with_every_pattern(text: str) -> None:
    assert chosen_patterns(text) == every_pattern(text)
