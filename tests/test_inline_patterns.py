"""A body is converted with only the inline patterns that can match in it (a speed-up of
timeline/markup.py); the HTML must be exactly what every pattern gives, on the example, the
synthetic corpus of the benchmarks, tricky bodies and any text (Hypothesis)."""

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
]


def every_pattern(text: str) -> str:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(markup, "INLINE_TRIGGERS", {})
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
@given(st.text(alphabet="*_`[]()<>!^@&;#\\:/. \t\r\n\x02\x03aZ09-=|>", max_size=60))
def test_any_text_reads_as_with_every_pattern(text: str) -> None:
    assert chosen_patterns(text) == every_pattern(text)
