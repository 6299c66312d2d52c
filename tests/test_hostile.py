"""Hostile and unusual input, from the outside: the command line in a subprocess, its exit
code and messages, and the files on disk before and after. Whatever the input, no traceback,
nothing lost, nothing leaked, and nothing outside the output folder touched."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, event_text, tree_digest, write_event
from timeline import search


def timeline_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`build.py ARGS...` in a fresh process; it must never print a traceback."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *(str(a) for a in args)],
        capture_output=True, text=True, cwd=cwd, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done


def everything_but(root: Path, out: Path) -> dict[str, str]:
    """Every file under `root` except the output folder and the site's cache."""
    return {
        path: digest
        for path, digest in tree_digest(root).items()
        if not (root / path).is_relative_to(out) and "/.cache/" not in f"/{path}"
    }


# Data loss and leaks ------------------------------------------------------------------


def test_a_folder_the_generator_did_not_write_is_never_replaced(site: Path, tmp_path: Path):
    write_event(site, "a.md", event_text("A", "2019"))
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "diary.txt").write_text("private")
    before = tree_digest(tmp_path)
    done = timeline_cli("build", "--site", site, "--out", notes)
    assert done.returncode == 2
    assert "not written by this generator" in done.stderr
    assert str(notes) in done.stderr
    assert everything_but(tmp_path, tmp_path / "nothing") == {
        k: v for k, v in before.items() if "/.cache/" not in f"/{k}"
    }


def test_empty_missing_and_previous_outputs_are_fine(site: Path, tmp_path: Path):
    write_event(site, "a.md", event_text("A", "2019"))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert timeline_cli("build", "--site", site, "--out", empty).returncode == 0
    assert (empty / "index.html").is_file()
    assert (empty / ".timeline-output").is_file()
    # The same folder again: a previous output, replaced.
    write_event(site, "b.md", event_text("B", "2020"))
    assert timeline_cli("build", "--site", site, "--out", empty).returncode == 0
    assert (empty / "events" / "b" / "index.html").is_file()
    missing = tmp_path / "deep" / "new"
    assert timeline_cli("build", "--site", site, "--out", missing).returncode == 0
    assert (missing / "index.html").is_file()


def test_an_output_path_that_is_a_file_is_refused(site: Path, tmp_path: Path):
    write_event(site, "a.md", event_text("A", "2019"))
    target = tmp_path / "file.txt"
    target.write_text("keep me")
    done = timeline_cli("build", "--site", site, "--out", target)
    assert done.returncode == 2
    assert "is a file" in done.stderr
    assert target.read_text() == "keep me"


def test_links_leading_outside_the_site_are_not_followed(site: Path, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2")
    private = tmp_path / "private"
    private.mkdir()
    (private / "key.pem").write_text("PRIVATE KEY")
    (private / "event.md").write_text(event_text("Private event", "2019"))
    write_event(site, "a.md", event_text("A", "2019"))
    static = site / "static"
    static.mkdir()
    (static / "ok.txt").write_text("fine")
    (static / "leak.txt").symlink_to(secret)
    (static / "folder").symlink_to(private)
    (static / "inside.txt").symlink_to(static / "ok.txt")
    (site / "content" / "events" / "outside.md").symlink_to(private / "event.md")
    out = tmp_path / "out"
    done = timeline_cli("build", "--site", site, "--out", out)
    assert done.returncode == 0, done.stderr
    for name in ("static/leak.txt", "static/folder", "content/events/outside.md"):
        assert f"{name}: warning: symbolic link to a place outside the site folder" in done.stderr
    assert not (out / "leak.txt").exists()
    assert not (out / "folder").exists()
    assert not (out / "events" / "private-event").exists()
    assert (out / "inside.txt").read_text() == "fine"  # a link inside the site is followed
    published = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert b"hunter2" not in published
    assert b"PRIVATE KEY" not in published


def test_link_loops_are_reported_not_followed(site: Path, tmp_path: Path):
    write_event(site, "a.md", event_text("A", "2019"))
    events = site / "content" / "events"
    (events / "loop-a").symlink_to(events / "loop-b")
    (events / "loop-b").symlink_to(events / "loop-a")
    static = site / "static"
    (static / "sub").mkdir(parents=True)
    (static / "sub" / "again").symlink_to(static)
    out = tmp_path / "out"
    done = timeline_cli("build", "--site", site, "--out", out)
    assert done.returncode == 0, done.stderr
    assert "content/events/loop-a: warning:" in done.stderr
    assert "static/sub/again: warning: symbolic link loop, not followed" in done.stderr
    assert (out / "events" / "a" / "index.html").is_file()


def test_a_truncated_search_index_file_is_refused(site: Path, tmp_path: Path):
    write_event(site, "a.md", event_text("A", "2019", tags="[one]"))
    out = tmp_path / "out"
    assert timeline_cli("build", "--site", site, "--out", out).returncode == 0
    bundle = out / "pagefind"
    search.check_bundle(bundle)  # a complete index passes
    fragment = next((bundle / "fragment").iterdir())
    fragment.write_bytes(fragment.read_bytes()[:20])
    with pytest.raises(search.SearchIndexError, match="incomplete"):
        search.check_bundle(bundle)
    fragment.write_bytes(gzip.compress(search.SIGNATURE + b"x"))
    (bundle / "pagefind-component-ui.js").write_bytes(b"")
    with pytest.raises(search.SearchIndexError, match=r"pagefind-component-ui\.js is empty"):
        search.check_bundle(bundle)


def test_a_failing_search_indexer_leaves_the_previous_output(site: Path, tmp_path: Path):
    """Pagefind's binary writes half an index and fails: the build says so in one line and
    exits non-zero, the previous output (its index included) stays exactly as it was, and
    no half-written folder is left beside it."""
    write_event(site, "a.md", event_text("A", "2019", tags="[one]"))
    out = tmp_path / "out"
    assert timeline_cli("build", "--site", site, "--out", out).returncode == 0
    before = tree_digest(out)
    broken = tmp_path / "pagefind"
    broken.write_text(
        "#!/bin/sh\n"
        'while [ "$1" != "--output-path" ]; do shift; done\n'
        'mkdir -p "$2" && printf half > "$2/pagefind-ui.js"\n'
        "echo 'Error: disk full' >&2; exit 3\n"
    )
    broken.chmod(0o755)
    write_event(site, "a.md", event_text("A changed", "2019", tags="[one]"))
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--out", str(out)],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PAGEFIND_BINARY_PATH": str(broken)},
    )  # fmt: skip
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "Pagefind exited with 3: Error: disk full" in done.stderr
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "pagefind", "site"]


def built_then_edited(site: Path, out: Path, count: int) -> dict[str, str]:
    """Build `count` events into `out`, then edit one: the output as the next build finds it."""
    for number in range(count):
        write_event(site, f"e{number}.md", event_text(f"Event {number}", f"{1990 + number}"))
    assert timeline_cli("build", "--site", site, "--out", out).returncode == 0
    before = tree_digest(out)
    write_event(site, "e0.md", event_text("Event zero", "1990"))
    return before


def test_a_build_failing_while_the_index_is_made_leaves_nothing_behind(site: Path, tmp_path: Path):
    """The search index is made beside the list pages; a list page's template fails
    meanwhile: the indexer is stopped, the previous output stays as it was, and no folder
    of the failed build is left beside it."""
    out = tmp_path / "out"
    before = built_then_edited(site, out, 30)
    (site / "templates").mkdir()
    (site / "templates" / "tag.html").write_text("{{ no_such_value }}\n")
    (site / "templates" / "index.html").write_text("{{ no_such_value }}\n")
    done = timeline_cli("build", "--site", site, "--out", out)
    assert done.returncode != 0 and "no_such_value" in done.stderr
    time.sleep(1)  # a process left running would go on writing meanwhile
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_ctrl_c_while_the_index_is_made_keeps_the_output_and_leaves_nothing(
    site: Path, tmp_path: Path
):
    """Ctrl-C (SIGINT to the terminal's process group) while Pagefind is at work, here a
    binary that only sleeps: the build says it stopped, with exit code 130 and no traceback;
    the previous output is as it was, and the folders the build and its indexing process
    were filling are gone."""
    out = tmp_path / "out"
    before = built_then_edited(site, out, 3)
    slow = tmp_path / "pagefind"
    slow.write_text("#!/bin/sh\nsleep 60\n")
    slow.chmod(0o755)
    build = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--out", str(out)],
        stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "PAGEFIND_BINARY_PATH": str(slow)},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".*.search-batch")):  # Pagefind's folder of page links
        assert build.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(build.pid, signal.SIGINT)
    said = build.communicate(timeout=30)[1]
    assert build.returncode == 130 and "Traceback" not in said
    assert said.splitlines()[-1] == "stopped (Ctrl-C); the previous output is as it was"
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "pagefind", "site"]


BILLION_LAUGHS = """---
title: Laughs
date: 2019
extra:
  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
---
Body.
"""


def test_exploding_and_self_referring_aliases_are_refused_at_their_line(site: Path, tmp_path: Path):
    write_event(site, "laughs.md", BILLION_LAUGHS)
    write_event(site, "list.md", "---\ntitle: L\ndate: 2019\nextra: &a [*a]\n---\n")
    write_event(site, "map.md", "---\ntitle: M\ndate: 2019\nextra: &a {x: *a}\n---\n")
    write_event(site, "fine.md", "---\ntitle: F\ndate: 2019\ntags: &t [a]\nextra: {t: *t}\n---\n")
    out = tmp_path / "out"
    started = time.monotonic()
    done = timeline_cli("build", "--site", site, "--out", out)
    assert time.monotonic() - started < 30
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert any(
        line.startswith("content/events/laughs.md:9: ") and "expand" in line for line in lines
    )
    assert "content/events/list.md:4: frontmatter: invalid YAML: an alias refers to" in done.stderr
    assert "content/events/map.md:4: frontmatter: invalid YAML: an alias refers to" in done.stderr
    assert not [line for line in lines if "fine.md" in line and "warning:" not in line]
    assert not out.exists()


# Tracebacks instead of messages -----------------------------------------------------------


def test_a_site_without_published_events_is_a_valid_empty_timeline(site: Path, tmp_path: Path):
    out = tmp_path / "out"
    done = timeline_cli("build", "--site", site, "--out", out, "--base-url", "https://e.org/t/")
    assert done.returncode == 0, done.stderr
    assert "No events yet" in (out / "index.html").read_text()
    write_event(site, "draft.md", event_text("Draft", "2019", draft="true"))
    done = timeline_cli("build", "--site", site, "--out", out, "--base-url", "https://e.org/t/")
    assert done.returncode == 0, done.stderr
    assert "No events yet" in (out / "index.html").read_text()
    assert not (out / "events").exists()
    assert timeline_cli("check", "--site", site).returncode == 0


def test_a_missing_site_folder_is_an_error_that_creates_nothing(tmp_path: Path):
    typo = tmp_path / "typo"
    for command in (["build"], ["check"], ["new", "Title", "--date", "2019"]):
        done = timeline_cli(*command, "--site", typo)
        assert done.returncode == 2
        assert "does not exist" in done.stderr
        assert not typo.exists()


def test_a_site_path_that_is_a_file_is_an_error(tmp_path: Path):
    target = tmp_path / "site.md"
    target.write_text("not a folder")
    for command in ("build", "check"):
        done = timeline_cli(command, "--site", target)
        assert done.returncode == 2
        assert "is a file, not a folder" in done.stderr
    assert target.read_text() == "not a folder"


def test_problems_with_and_without_lines_are_reported_together(site: Path):
    write_event(site, "a.md", event_text("A", "2019"))
    write_event(site, "b.md", event_text("B", "2019", slug="a", titel="typo"))
    write_event(site, "z/a.md", event_text("Z", "2019"))
    done = timeline_cli("check", "--site", site)
    assert done.returncode == 1
    assert 'slug: "a" is already used by content/events/a.md' in done.stderr
    assert 'titel: warning: unknown key, ignored; did you mean "title"?' in done.stderr
    assert "content/events/z/a.md: slug:" in done.stderr


# Bad values accepted -----------------------------------------------------------------


def test_control_characters_are_refused_at_their_line(site: Path, tmp_path: Path):
    write_event(site, "nul.md", '---\ntitle: "A\\0B"\ndate: 2019\n---\nBody.\n')
    write_event(
        site, "c1.md",
        '---\ntitle: C1\ndate: 2019\nsources:\n  - title: "x\\u0085y"\n---\nBody.\n',
    )  # fmt: skip
    write_event(site, "bell.md", '---\ntitle: Bell\ndate: 2019\nextra: {a: "\\a"}\n---\nBody.\n')
    write_event(site, "body.md", "---\ntitle: Body\ndate: 2019\n---\nFirst.\n\nSecond \x01.\n")
    write_event(site, "raw.md", '---\ntitle: Ωμέγα\ndate: 2019\nsummary: "x \x1b y"\n---\nBody.\n')
    write_event(site, "ok.md", "---\ntitle: Tab\ttitle\ndate: 2019\n---\nA\ttab is fine.\n")
    out = tmp_path / "out"
    done = timeline_cli("build", "--site", site, "--out", out)
    assert done.returncode == 1
    assert "content/events/nul.md:2: title: contains the control character U+0000" in done.stderr
    assert "content/events/c1.md:5: sources.0.title: contains the control character U+0085" in (
        done.stderr
    )
    assert "content/events/bell.md:4: extra.a: contains the control character U+0007" in done.stderr
    assert "content/events/body.md:7: body: contains the control character U+0001" in done.stderr
    # Unescaped, YAML refuses it before parsing; still one line, at its line.
    assert "content/events/raw.md:4: frontmatter: contains the control character U+001B" in (
        done.stderr
    )
    assert "position" not in done.stderr
    assert not [
        line for line in done.stderr.splitlines() if "ok.md" in line and "warning:" not in line
    ]
    assert not out.exists()


@pytest.mark.parametrize(
    "base_url",
    ['https://e.org/a b/', 'https://e.org/"x/', "https://e.org/'x/", "https://e.org/<x>/",
     "javascript:alert(1)", "https:///repo/", "https://[::1/x"],
)  # fmt: skip
def test_an_unsafe_base_url_is_refused(site: Path, tmp_path: Path, base_url: str):
    write_event(site, "a.md", event_text("A", "2019"))
    out = tmp_path / "out"
    done = timeline_cli("build", "--site", site, "--out", out, "--base-url", base_url)
    assert done.returncode == 1
    assert "base_url:" in done.stderr
    assert not out.exists()
    (site / "site.toml").write_text(f"base_url = {json.dumps(base_url)}\n")
    done = timeline_cli("check", "--site", site)
    assert done.returncode == 1
    assert "site.toml:1: base_url:" in done.stderr


def test_malformed_urls_and_yaml_tags_are_reported_not_crashed(site: Path, tmp_path: Path):
    write_event(
        site, "ipv6.md",
        '---\ntitle: V6\ndate: 2019\nsources:\n  - title: S\n    url: "https://[::1/x"\n---\n',
    )  # fmt: skip
    write_event(
        site, "img.md", '---\ntitle: I\ndate: 2019\nimage: {src: "http://[x", alt: a}\n---\n'
    )
    for number, tagged in enumerate(("!!timestamp 2019-01-01", "!!binary aGk=", "!!set {a, b}")):
        write_event(
            site, f"tag{number}.md", f"---\ntitle: T\ndate: 2019\nextra: {{v: {tagged}}}\n---\n"
        )
    write_event(site, "nan.md", "---\ntitle: N\ndate: 2019\nextra: {v: .nan}\n---\n")
    write_event(site, "keys.md", "---\ntitle: K\ndate: 2019\nextra: {1: a, true: b}\n---\n")
    done = timeline_cli("check", "--site", site)
    assert done.returncode == 1
    for expected in (
        'content/events/ipv6.md:6: sources.0.url: "https://[::1/x" is not allowed',
        'content/events/img.md:4: image.src: "http://[x" is not allowed',
        "content/events/tag0.md:4: frontmatter: invalid YAML: the tag !!timestamp is not supported",
        "content/events/tag1.md:4: frontmatter: invalid YAML: the tag !!binary is not supported",
        "content/events/tag2.md:4: frontmatter: invalid YAML: the tag !!set is not supported",
        "content/events/nan.md:4: extra.v: nan is not a number",
        "content/events/keys.md:4: frontmatter: invalid YAML: the key 1 must be text",
    ):
        assert expected in done.stderr


def test_duplicate_keys_at_any_depth_are_errors_at_their_line(site: Path):
    write_event(
        site, "image.md", "---\ntitle: I\ndate: 2019\nimage: {src: a.png, alt: a, alt: b}\n---\n"
    )
    write_event(
        site, "source.md",
        "---\ntitle: S\ndate: 2019\nsources:\n  - title: a\n    url: https://e.org/\n"
        "    title: b\n---\n",
    )  # fmt: skip
    write_event(site, "top.md", "---\ntitle: T\ndate: 2019\ntitle: again\n---\n")
    done = timeline_cli("check", "--site", site)
    assert done.returncode == 1
    assert "content/events/image.md:4: image.alt: is set twice" in done.stderr
    assert "content/events/source.md:7: sources.0.title: is set twice" in done.stderr
    assert "content/events/top.md:4: title: is set twice" in done.stderr


def test_a_failed_build_leaves_the_previous_output_exactly_as_it_was(site: Path, tmp_path: Path):
    write_event(site, "a.md", event_text("A", "2019"))
    out = tmp_path / "out"
    assert timeline_cli("build", "--site", site, "--out", out).returncode == 0
    before = tree_digest(out)
    outside = everything_but(tmp_path, out)
    write_event(site, "b.md", '---\ntitle: "bad \\0"\ndate: 2019-13-45\n---\n')
    done = timeline_cli("build", "--site", site, "--out", out)
    assert done.returncode == 1
    assert tree_digest(out) == before
    changed = everything_but(tmp_path, out)
    assert {k: v for k, v in changed.items() if not k.endswith("b.md")} == outside
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]
    assert os.listdir(out)  # still there, whole


def test_long_file_names_keep_their_url_and_overlong_slugs_are_refused(site: Path, tmp_path: Path):
    stem = "a-very-long-name-" * 6 + "end"  # 105 characters: under the folder-name limit
    write_event(site, f"{stem}.md", event_text("Long", "2019"))
    out = tmp_path / "out"
    assert timeline_cli("build", "--site", site, "--out", out).returncode == 0
    assert (out / "events" / stem / "index.html").is_file()
    write_event(site, "b.md", event_text("B", "2019", slug="b" * 201))
    done = timeline_cli("check", "--site", site)
    assert done.returncode == 1
    assert "content/events/b.md:4: slug: is 201 characters long; use at most 200" in done.stderr
