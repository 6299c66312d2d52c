"""Reading event files: encodings, line endings and the line of every key."""

from __future__ import annotations

from timeline.reader import MAX_FILE_BYTES, TOO_LARGE, read_event


def test_keys_keep_their_lines() -> None:
    raw = read_event(
        "e.md", b"---\ntitle: T\ndate: 2019\nsources:\n  - title: S\n    url: x\n---\nBody\n"
    )
    assert raw.line("title") == 2
    assert raw.line("sources", 0, "url") == 6
    assert raw.line("missing") == 1
    assert raw.body == "Body\n"
    assert raw.body_line == 8


def test_lines_count_blank_lines_after_the_opening_fence() -> None:
    raw = read_event("e.md", b"---\n\n\ntitle: T\n---\n")
    assert raw.line("title") == 4


def test_bom_and_crlf_are_accepted() -> None:
    raw = read_event("e.md", b"\xef\xbb\xbf---\r\ntitle: T\r\ndate: 2019\r\n---\r\nA\r\nB\r\n")
    assert not raw.problems
    assert raw.meta == {"title": "T", "date": 2019}
    assert raw.body == "A\nB\n"


def test_unquoted_dates_stay_text() -> None:
    raw = read_event("e.md", b"---\ntitle: T\ndate: 2019-02-28\n---\n")
    assert raw.meta["date"] == "2019-02-28"


def test_not_utf8_names_the_line() -> None:
    raw = read_event("e.md", "---\ntitle: Zürich\n---\n".encode("latin-1"))
    assert [str(p) for p in raw.problems] == [
        "e.md:2: file: is not valid UTF-8 (byte 0xfc); save it as UTF-8"
    ]


def test_missing_or_unclosed_frontmatter() -> None:
    assert "no frontmatter" in str(read_event("e.md", b"Just text\n").problems[0])
    assert "not closed" in str(read_event("e.md", b"---\ntitle: T\n").problems[0])


def test_duplicate_keys_are_reported() -> None:
    raw = read_event("e.md", b"---\ntitle: A\ntitle: B\ndate: 2019\n---\n")
    assert [str(p) for p in raw.problems] == ["e.md:3: title: is set twice"]


def test_frontmatter_must_be_a_mapping() -> None:
    raw = read_event("e.md", b"---\n- a\n- b\n---\n")
    assert "must be a YAML mapping" in str(raw.problems[0])


def test_a_file_over_the_size_limit_is_refused_before_markdown() -> None:
    dense = ("---\ntitle: T\ndate: 2019\n---\n" + "*a* b " * MAX_FILE_BYTES).encode()
    at_limit = dense[:MAX_FILE_BYTES]
    assert not read_event("e.md", at_limit).problems
    refused = read_event("e.md", at_limit + b"b")
    assert [str(p) for p in refused.problems] == [f"e.md:1: file: {TOO_LARGE}"]
