"""Property tests (Hypothesis): whatever an author types, `check` answers with messages and
exit code 0 or 1, never a traceback; `parse_date` returns a date or raises `DateError`."""

from __future__ import annotations

import io
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from timeline.cli import make_parser, run
from timeline.dates import DateError, EventDate, parse_date
from timeline.datetext import DateText
from timeline.language import Language

# Hypothesis keeps caches in ./.hypothesis by default, which would be the repository.

FIELDS = ("title", "date", "tags", "sources", "image", "extra", "slug", "importance",
          "location", "summary", "draft", "tilte")  # fmt: skip

# Text that YAML reads as something other than plain text, or cannot read at all.
YAML_SPECIALS = [
    "~", "null", "Null", "yes", "No", "on", "OFF", "true", "False", ".nan", ".inf", "-.inf",
    "0x1F", "0o17", "017", "1e400", "-1e400", "1_000", "+12", "3.14", "0", "-0",
    "2019-02-28", "2019-02-28T10:00:00Z", "2019-02-28 10:00:00", "12:30:00",
    "!!binary aGVsbG8=", "!!timestamp 2019-01-01", "!!set {a, b}", "!!omap [a: 1, b: 2]",
    "!!pairs [a: 1]", "!!str 12", "!!int x", "!!float nan", "!!bool maybe", "!!null x",
    "!!python/object:os.system x", "!custom tag", "!!map [1]", "!!seq {a: 1}",
    "&a [*a]", "&a {x: *a}", "*nowhere", "&a 1", "[&a x, *a, *a]", "{<<: {a: 1}, b: 2}",
    "[", "{", "]", "}", "'unterminated", '"unterminated', '"\\x00"', '"\\u0085"', '"\\ud800"',
    "? complex key", "|\n  block", ">\n  folded", "- item", "---", "...", "# comment",
    "@reserved", "`reserved", "%TAG ! x", "a: b: c", "[a, [b, [c, [d]]]]", "{a: {b: {c: d}}}",
    "''", '""', "' '", "\t", "\\", "<script>alert(1)</script>", "javascript:alert(1)",
    "https:///x", "https://[::1/x", "http://x:99999/", "data:text/html,x", "../../etc/passwd",
    "/abs/path.png", "images\\x.png", "-", "--", "a-", "A--B", "ÀÉÎ", "東京", "🙂",
]  # fmt: skip

# YAML's explicit tags, each followed by a value it may or may not be able to construct.
TAGS = ["!!bool", "!!int", "!!float", "!!null", "!!str", "!!binary", "!!timestamp", "!!set",
        "!!omap", "!!pairs", "!!map", "!!seq", "!!merge", "!!value", "!!python/tuple", "!local",
        "!<tag:yaml.org,2002:bool>", "!<tag:example.org,2000:x>"]  # fmt: skip
tagged = st.builds(
    lambda tag, value: f"{tag} {value}",
    st.sampled_from(TAGS),
    st.one_of(st.sampled_from(YAML_SPECIALS), st.text("abcXYZ019:.-+_ []{},'\"", max_size=12)),
)

# Dates that look like EDTF: each part of the grammar, in valid and invalid combinations.
digits = st.text("0123456789X", min_size=1, max_size=5)
year = st.builds(lambda sign, y, digits_: sign + y + digits_,
                 st.sampled_from(["", "", "-", "Y", "Y-"]), digits,
                 st.sampled_from(["", "", "E3", "S2"]))  # fmt: skip
two = st.one_of(st.integers(0, 99).map(lambda n: f"{n:02d}"), st.sampled_from(["XX", "1X", "2"]))
qualifier = st.sampled_from(["", "", "", "?", "~", "%", "??", "?~"])
time = st.sampled_from(["", "", "", "T10:00", "T10:00:00Z", "T25:61:00+05:30", "T10:00:00.5-02"])
point = st.builds(
    lambda q1, y, m, d, t, q2: q1 + y + m + d + t + q2,
    st.sampled_from(["", "", "", "?", "~", "%"]), year,
    st.one_of(st.just(""), two.map(lambda s: "-" + s)),
    st.one_of(st.just(""), two.map(lambda s: "-" + s)), time, qualifier,
)  # fmt: skip
edtf_like = st.one_of(
    point,
    st.builds(
        lambda a, b: f"{a}/{b}",
        st.one_of(point, st.sampled_from(["", ".."])),
        st.one_of(point, st.sampled_from(["", ".."])),
    ),
    st.builds(lambda items: "[" + ",".join(items) + "]", st.lists(point, max_size=3)),
    st.builds(lambda items: "{" + "..".join(items) + "}", st.lists(point, max_size=3)),
    st.text("0123456789-/X?~%.YTZ:+[]{}, ", max_size=25),
)

# Any text: controls (C0, C1, DEL), line and paragraph separators, unicode, but no lone
# surrogates (a file cannot hold them as UTF-8; that case is a reader test of its own).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
scalars = st.one_of(
    any_text, st.sampled_from(YAML_SPECIALS), edtf_like, st.integers(),
    st.integers(-10**30, 10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.none(),
)  # fmt: skip
keys = st.one_of(st.sampled_from(["title", "url", "src", "alt", "date", "publisher",
                                  "credit", "caption", "x"]), any_text)  # fmt: skip
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(keys, children, max_size=4)),
    max_leaves=12,
)  # fmt: skip
WRITERS = [DateText(Language(tag, [], None)) for tag in ("en", "ko", "ja", "ar", "ru", "fa")]


def dumped(key: str, value: object) -> str:
    """A `key: value` block as a YAML library writes it (control characters escaped)."""
    return yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=None, width=60)


# A frontmatter value as an author might type it: written out by a YAML library (control
# characters escaped), or raw text pasted after the key (YAML syntax, tags, anchors and all).
field_value = st.one_of(
    values.map(lambda v: ("dumped", v)),
    st.one_of(st.sampled_from(YAML_SPECIALS), tagged, edtf_like, any_text).map(
        lambda v: ("raw", v)
    ),
    edtf_like.map(lambda v: ("quoted", v)),
)
frontmatters = st.dictionaries(st.sampled_from(FIELDS), field_value, max_size=8)
body = st.one_of(st.just("Body.\n"), any_text, st.sampled_from(YAML_SPECIALS))


def frontmatter_text(fields: dict[str, tuple[str, object]], *, defaults: bool) -> str:
    """The YAML between the `---` lines; with `defaults`, a valid title and date unless the
    example sets them (so that the other fields are validated, not only the missing ones)."""
    if defaults:
        fields = {"title": ("raw", "A title"), "date": ("raw", "2019-02-28"), **fields}
    lines = []
    for key, (how, value) in fields.items():
        if how == "dumped":
            lines.append(dumped(key, value))
        elif how == "quoted":
            lines.append(f"{key}: '{value}'\n")
        else:
            lines.append(f"{key}: {value}\n")
    return "".join(lines)


def run_check(site: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = run(make_parser().parse_args(["check", "--site", str(site)]))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def check_frontmatter(fields: dict[str, tuple[str, object]], text: str, defaults: bool) -> None:
    """Write one event file with this frontmatter and body; `check` must answer, not crash."""
    frontmatter = frontmatter_text(fields, defaults=defaults)
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        (site / "site.toml").write_text('title = "Property"\n', encoding="utf-8")
        events = site / "content" / "events"
        events.mkdir(parents=True)
        (events / "e.md").write_text(f"---\n{frontmatter}---\n{text}\n", encoding="utf-8")
        code, out, err = run_check(site)
    assert code in (0, 1), (code, err)
    if code == 0:
        assert out.startswith("OK: ")
    else:
        assert "content/events/e.md" in err


SETTINGS = settings(
    max_examples=150, deadline=None, database=None, report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip


@SETTINGS
@given(fields=frontmatters, text=body, defaults=st.booleans())
@example(fields={"summary": ("raw", "!!bool maybe")}, text="", defaults=True)
@example(fields={"summary": ("raw", "!!int")}, text="", defaults=True)
@example(fields={"summary": ("raw", "!!float ''")}, text="", defaults=True)
@example(fields={"summary": ("raw", "!!int +")}, text="", defaults=True)
@example(fields={"extra": ("raw", "{a: [1, {b: .nan}]}")}, text="", defaults=True)
@example(fields={"extra": ("raw", "&a [*a]")}, text="", defaults=True)
@example(fields={"extra": ("raw", "&a {x: *a}")}, text="", defaults=True)
@example(fields={"tags": ("raw", "&a [x, *a]")}, text="", defaults=True)
@example(fields={"extra": ("raw", "{t: !!timestamp 2019-01-01, b: !!binary aGVsbG8=}")},
         text="", defaults=True)  # fmt: skip
@example(fields={"extra": ("raw", "!!set {a, b}")}, text="", defaults=True)
@example(fields={"sources": ("raw", "[{title: T, url: 'https://[::1/x'}]")}, text="",
         defaults=True)  # fmt: skip
@example(fields={"image": ("raw", "{src: 'https://[::1/x', alt: A}")}, text="", defaults=True)
@example(fields={"date": ("raw", "!!timestamp 2019-01-01")}, text="", defaults=True)
@example(fields={"date": ("dumped", 2**70)}, text="", defaults=True)
@example(fields={"title": ("dumped", "\x00\x85\u2028 🙂")}, text="\x1b", defaults=True)
def test_check_never_crashes_on_any_frontmatter(
    fields: dict[str, tuple[str, object]], text: str, defaults: bool
) -> None:
    check_frontmatter(fields, text, defaults)


@settings(max_examples=300, deadline=None, database=None)
@given(st.one_of(edtf_like, any_text, st.sampled_from(YAML_SPECIALS), st.integers(),
                 st.floats(), st.none(), st.lists(st.integers(), max_size=2)))  # fmt: skip
def test_parse_date_returns_a_date_or_raises_date_error(value: object) -> None:
    try:
        parsed = parse_date(value)
    except DateError as exc:
        assert str(exc)
        return
    assert isinstance(parsed, EventDate)
    for dates in WRITERS:  # any date a build accepts can be written out, in any language
        assert dates.display(parsed)
        dates.duration(parsed)
    parsed.iso_earliest, parsed.iso_latest  # noqa: B018
    assert parsed.earliest <= parsed.latest
