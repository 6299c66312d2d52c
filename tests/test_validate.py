"""Validation of one event: every problem with its line, warnings that help, safe bodies."""

from __future__ import annotations

from timeline.compiler import Compiled, compile_event
from timeline.config import SiteConfig
from timeline.reader import read_event


def compile_text(
    text: str, *, allow_raw_html: bool = False, assets: set[str] = frozenset(),
    config: SiteConfig | None = None,
) -> Compiled:  # fmt: skip
    raw = read_event("content/events/e.md", text.encode())
    config = config or SiteConfig(allow_raw_html=allow_raw_html)
    return compile_event(raw, config=config, asset_exists=assets.__contains__)


NO_SOURCES = "sources: warning: none given"


def messages(result: Compiled) -> list[str]:
    """Every problem but the warning that an event has no sources (most examples here have
    none; that warning has tests of its own)."""
    return [str(p) for p in result.problems if NO_SOURCES not in str(p)]


def test_unknown_key_is_a_warning_with_a_suggestion() -> None:
    result = compile_text("---\ntilte: Oops\ntitle: T\ndate: 2019\n---\n")
    assert result.event is not None
    assert messages(result) == [
        'content/events/e.md:2: tilte: warning: unknown key, ignored; did you mean "title"? '
        "(put your own fields under extra:)"
    ]


def test_all_problems_of_a_file_are_collected() -> None:
    result = compile_text(
        "---\ntitle: [a]\ndate: 2019-13\nimportance: huge\ndraft: maybe\ntags: {a: 1}\n---\n"
    )
    assert result.event is None
    assert messages(result) == [
        "content/events/e.md:2: title: must be text, not a list (put it in quotes)",
        'content/events/e.md:3: date: "2019-13" is not a valid EDTF date; examples: '
        "2019-02-28, 2019-02, 2019, 2019-02~, 2019? or 2019-02-27/2019-02-28",
        "content/events/e.md:6: tags: must be a list such as [diplomacy, russia], not a mapping",
        "content/events/e.md:4: importance: must be one of major, normal, minor, not 'huge'",
        "content/events/e.md:5: draft: must be true or false, not 'maybe'",
    ]


def test_summary_defaults_to_the_first_paragraph_as_plain_text() -> None:
    result = compile_text(
        "---\ntitle: T\ndate: 2019\n---\n## Heading\n\nIt's *very* [linked](https://a.example).\n\nMore.\n"
    )
    assert result.event is not None
    assert result.event.summary == "It’s very linked."


def test_raw_html_is_sanitised_by_default() -> None:
    body = (
        '<script>alert(1)</script><p onclick="x()">Hi</p><iframe src="https://x.example"></iframe>'
        "\n\n[bad](javascript:alert(2)) [good](https://ok.example)\n"
    )
    html = compile_text(f"---\ntitle: T\ndate: 2019\n---\n{body}").event.body_html
    assert "<script" not in html and "onclick" not in html and "<iframe" not in html
    assert "javascript:" not in html
    assert '<a href="https://ok.example">good</a>' in html


def test_raw_html_is_kept_when_the_site_allows_it() -> None:
    html = compile_text(
        '---\ntitle: T\ndate: 2019\n---\n<iframe src="https://x.example"></iframe>\n',
        allow_raw_html=True,
    ).event.body_html
    assert '<iframe src="https://x.example"></iframe>' in html


def test_markdown_extensions_are_on() -> None:
    body = "# Top\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^1].\n\n[^1]: Footnote.\n"
    html = compile_text(f"---\ntitle: T\ndate: 2019\n---\n{body}").event.body_html
    assert '<h2 id="top">Top</h2>' in html  # toc ids; the page title is the only h1
    assert "<table>" in html
    assert 'class="footnote"' in html


def test_tags_are_deduplicated_by_slug() -> None:
    event = compile_text(
        "---\ntitle: T\ndate: 2019\ntags: [Russia, russia, United States]\n---\n"
    ).event
    assert [(t.name, t.slug) for t in event.tags] == [
        ("Russia", "russia"),
        ("United States", "united-states"),
    ]


def test_a_single_tag_may_be_written_without_brackets() -> None:
    event = compile_text("---\ntitle: T\ndate: 2019\ntags: russia\n---\n").event
    assert [t.slug for t in event.tags] == ["russia"]


def test_sources_url_is_optional_but_must_be_http() -> None:
    result = compile_text(
        "---\ntitle: T\ndate: 2019\nsources:\n  - title: Print only\n    publisher: A paper\n"
        "  - title: Ftp\n    url: ftp://x.example/a\n  - url: https://x.example\n---\n"
    )
    assert messages(result) == [
        "content/events/e.md:5: sources.0: warning: has no date: add date: (when it was published)",
        'content/events/e.md:8: sources.1.url: "ftp://x.example/a" is not allowed: use an '
        "absolute http:// or https:// URL",
        "content/events/e.md:7: sources.1: warning: has no date: add date: (when it was published)",
        "content/events/e.md:9: sources.2.title: is required",
        "content/events/e.md:9: sources.2: warning: has no date: add date: (when it was published)",
    ]


def test_image_may_be_external_or_a_static_file() -> None:
    external = compile_text(
        "---\ntitle: T\ndate: 2019\nimage: {src: 'https://img.example/a.jpg', alt: A}\n---\n"
    )
    local = compile_text(
        "---\ntitle: T\ndate: 2019\nimage: {src: images/a.jpg, alt: A, credit: C}\n---\n",
        assets={"images/a.jpg"},
    )
    assert external.event.image.external
    assert local.event.image.credit == "C"


def test_slug_comes_from_the_file_name_unless_set() -> None:
    raw = read_event(
        "content/events/2019-02-28 Hanoi Summit.md", b"---\ntitle: T\ndate: 2019\n---\n"
    )
    derived = compile_event(raw, config=SiteConfig(), asset_exists=lambda _: False)
    assert derived.event.slug == "2019-02-28-hanoi-summit"
    assert compile_text("---\ntitle: T\ndate: 2019\nslug: hanoi\n---\n").event.slug == "hanoi"


def test_extra_fields_are_kept_for_templates() -> None:
    event = compile_text("---\ntitle: T\ndate: 2019\nextra: {casualties: 3}\n---\n").event
    assert event.extra == {"casualties": 3}
