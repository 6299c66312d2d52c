"""The build cache never serves stale output: after any change, exactly the outputs that
depend on it are made again, the rest are reused, and the result equals a cold build."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import timeline
from tests.conftest import ROOT, event_text, touch_later, tree_digest, write_event
from timeline import builder
from timeline.errors import BuildFailed
from timeline.exports import export_paths
from timeline.pipeline import build_site
from timeline.preview import Preview
from timeline.project import open_site
from timeline.server import Address


@pytest.fixture
def cached_site(site: Path) -> Path:
    for number in range(12):
        tags = "[alpha, beta]" if number % 2 else "[alpha]"
        write_event(
            site, f"e{number:02d}.md", event_text(f"Event {number}", f"20{number + 10}", tags=tags)
        )
    return site


def run(site: Path, **options) -> tuple[set[str], set[str], dict[str, str]]:
    """Build; return what was written, what was reused, and the output's content hashes."""
    result = build_site(open_site(site, base_url="https://e.org/"), site / "_site", **options)
    return result.written, result.linked, tree_digest(site / "_site")


def cold(site: Path, tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "cold"
    build_site(open_site(site, base_url="https://e.org/"), out, use_cache=False)
    return tree_digest(out)


def test_a_second_build_reuses_everything_and_is_identical(cached_site: Path) -> None:
    written, _, first = run(cached_site)
    assert "index.html" in written and (cached_site / ".cache").is_dir()
    written, linked, second = run(cached_site)
    assert written == set()
    assert "index.html" in linked and "events/e03/index.html" in linked
    assert second == first


def file_states(folder: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (inode, modification time) of the folder and every file under it."""
    states = {".": (folder.stat().st_ino, folder.stat().st_mtime_ns)}
    for path in folder.rglob("*"):
        stat = path.stat()
        states[path.relative_to(folder).as_posix()] = (stat.st_ino, stat.st_mtime_ns)
    return states


def test_a_build_with_nothing_changed_leaves_the_output_untouched(cached_site: Path) -> None:
    write_event(cached_site, "e00.md", event_text("Event 0", "2010", tilte="A typo"))
    site = open_site(cached_site, base_url="https://e.org/")
    first = build_site(site, cached_site / "_site")
    before = file_states(cached_site / "_site")
    second = build_site(site, cached_site / "_site")
    assert file_states(cached_site / "_site") == before  # not even swapped for a copy
    assert second.written == set() and second.linked == first.written | first.linked
    assert second.events == first.events == 12
    assert second.warnings == first.warnings  # warnings are repeated on every build
    assert any("tilte" in str(warning) for warning in second.warnings)


def test_a_fresh_checkout_of_an_unchanged_site_leaves_the_output_in_place(
    cached_site: Path,
) -> None:
    """As the Pages workflow builds: every file of the site has a new modification time,
    `.cache/` and the output are restored. Nothing is made again, and the output folder is
    left as it is rather than linked, file by file, into a new one."""
    (cached_site / "static").mkdir()
    (cached_site / "static" / "extra.css").write_text("a { color: red }\n")
    _, _, before = run(cached_site)
    states = file_states(cached_site / "_site")
    for path in cached_site.rglob("*"):
        if path.is_file() and not {"_site", ".cache"} & set(path.relative_to(cached_site).parts):
            touch_later(path)
    written, linked, after = run(cached_site)
    assert written == set() and after == before and linked
    assert file_states(cached_site / "_site") == states
    assert sorted(p.name for p in cached_site.iterdir()) == [".cache", "_site", "content",
                                                             "site.toml", "static"]  # fmt: skip


def test_a_fresh_checkout_with_only_the_cache_restored_gets_its_output_back(
    cached_site: Path,
) -> None:
    """As a CI service that caches only `.cache/` builds: a fresh checkout (every file with
    a new modification time) and no output folder. The output comes back from the cache,
    byte for byte, with nothing rendered again."""
    _, _, before = run(cached_site)
    shutil.rmtree(cached_site / "_site")
    for path in cached_site.rglob("*"):
        if path.is_file() and ".cache" not in path.relative_to(cached_site).parts:
            touch_later(path)
    written, linked, after = run(cached_site)
    assert written == set() and after == before and "events/e03/index.html" in linked
    write_event(cached_site, "e05.md", event_text("Event five, renamed", "2015", tags="[alpha]"))
    shutil.rmtree(cached_site / "_site")
    written, linked, after = run(cached_site)
    assert {"events/e05/index.html", "index.html"} <= written and "events/e00/index.html" in linked
    assert "Event five, renamed" in (cached_site / "_site" / "index.html").read_text()


def test_a_build_with_nothing_to_do_loads_nothing_a_build_needs(cached_site: Path) -> None:
    """The command line answers an unchanged site from the cache's stamp, before loading
    Markdown, YAML, Jinja or Babel: a few hundredths of a second, where loading them alone
    takes longer than Hugo builds a small site."""
    command = [sys.executable, str(ROOT / "build.py"), "build", "--site", str(cached_site)]
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
    probe = (
        "import runpy, sys\n"
        f"sys.argv = {command[1:]!r}\n"
        "try:\n"
        "    runpy.run_path(sys.argv[0], run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0\n"
        "print(sorted(m for m in ('markdown', 'yaml', 'jinja2', 'babel') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.splitlines()[-1] == "[]", done.stdout + done.stderr
    assert "unchanged) into" in done.stdout


def test_the_cache_keeps_exactly_the_last_output(cached_site: Path, tmp_path: Path) -> None:
    """Its copy is the output's own files (hard links, no extra space), follows every
    build, and goes with `--no-cache`."""
    run(cached_site)
    (cached_site / "content" / "events" / "e07.md").unlink()
    write_event(cached_site, "e05.md", event_text("Event five, renamed", "2015", tags="[alpha]"))
    _, _, after = run(cached_site)
    kept = cached_site / ".cache" / "output"
    assert tree_digest(kept) == after and not (kept / "events" / "e07").exists()
    out_file = cached_site / "_site" / "events" / "e05" / "index.html"
    assert (kept / "events" / "e05" / "index.html").stat().st_ino == out_file.stat().st_ino
    run(cached_site, use_cache=False)
    assert not kept.exists()


def test_a_static_file_rewritten_at_the_same_size_is_published(cached_site: Path) -> None:
    extra = cached_site / "static" / "extra.css"
    extra.parent.mkdir()
    extra.write_text("a { color: red }\n")
    run(cached_site)
    extra.write_text("a { color: tan }\n")
    touch_later(extra)
    run(cached_site)
    assert (cached_site / "_site" / "extra.css").read_text() == "a{color:tan}"  # minified


def test_an_event_saved_again_unchanged_rewrites_nothing(cached_site: Path) -> None:
    _, _, before = run(cached_site)
    touch_later(cached_site / "content" / "events" / "e03.md")
    written, _, after = run(cached_site)
    assert written == set() and after == before


def test_an_edited_event_changes_exactly_its_dependants(cached_site: Path, tmp_path: Path) -> None:
    _, _, before = run(cached_site)
    write_event(
        cached_site, "e05.md", event_text("Event five, renamed", "2015", tags="[alpha, beta]")
    )
    written, linked, after = run(cached_site)
    assert after == cold(cached_site, tmp_path)
    changed = {p for p in after if before.get(p) != after[p] and not p.startswith("pagefind/")}
    assert changed <= written  # nothing changed without being made again
    assert {"events/e05/index.html", "events/e04/index.html", "events/e06/index.html",
            "index.html", "tags/alpha/index.html", "events.json"} <= changed  # fmt: skip
    assert "events/e00/index.html" in linked  # far away in time: untouched


def test_a_template_change_remakes_the_pages_that_use_it(cached_site: Path, tmp_path: Path) -> None:
    _, _, before = run(cached_site)
    (cached_site / "templates").mkdir()
    (cached_site / "templates" / "_event_card.html").write_text(
        '<article id="{{ event.slug }}"><h3>{{ event.title }}</h3></article>\n'
    )
    written, _, after = run(cached_site)
    assert after == cold(cached_site, tmp_path)
    changed = {path for path in after if before.get(path) != after[path]}
    assert changed == {
        "index.html",
        "embed/index.html",
        "tags/alpha/index.html",
        "tags/beta/index.html",
    }
    assert changed <= written


def test_a_config_change_remakes_every_page(cached_site: Path, tmp_path: Path) -> None:
    run(cached_site)
    (cached_site / "site.toml").write_text('title = "A new title"\n')
    written, linked, after = run(cached_site)
    assert after == cold(cached_site, tmp_path)
    html = {path for path in after if path.endswith(".html")}
    assert html <= written
    assert not (set(export_paths()) & linked)


def test_a_new_generator_version_discards_the_cache(
    cached_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(cached_site)
    monkeypatch.setattr(timeline, "__version__", "999.0")
    for module in ("timeline.cache", "timeline.keys", "timeline.exports", "timeline.stamp"):
        monkeypatch.setattr(f"{module}.__version__", "999.0")
    written, linked, _ = run(cached_site)
    assert linked == set()
    assert "index.html" in written and "events/e00/index.html" in written


def test_no_cache_forces_a_cold_build(cached_site: Path) -> None:
    run(cached_site)
    written, linked, _ = run(cached_site, use_cache=False)
    assert linked == set() and "events/e00/index.html" in written


def test_a_deleted_output_file_is_made_again(cached_site: Path) -> None:
    _, _, before = run(cached_site)
    (cached_site / "_site" / "events" / "e07" / "index.html").unlink()
    written, _, after = run(cached_site)
    assert "events/e07/index.html" in written
    assert after == before


def test_the_search_index_is_reused_only_while_event_pages_are_unchanged(cached_site: Path) -> None:
    run(cached_site)
    index = cached_site / "_site" / "pagefind" / "pagefind-entry.json"
    inode = index.stat().st_ino
    run(cached_site)
    assert index.stat().st_ino == inode  # linked from the previous output
    write_event(cached_site, "e11.md", event_text("Event eleven, renamed", "2021"))
    run(cached_site)
    assert index.stat().st_ino != inode  # made again


def compiled_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The event files compiled from now on, in this process."""
    compiled: list[str] = []
    compile_event = builder.compile_event

    def counting(raw, **options):
        compiled.append(raw.path)
        return compile_event(raw, **options)

    monkeypatch.setattr(builder, "compile_event", counting)
    return compiled


def test_serve_and_build_share_the_compiled_events(
    cached_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview starts from the events the last build compiled, and leaves its own for
    the next `serve` or `build`: each compiles only the files edited meanwhile."""
    run(cached_site)
    compiled = compiled_files(monkeypatch)
    served = start_preview(cached_site)
    assert compiled == []
    edited = write_event(cached_site, "e03.md", event_text("Edited", "2013", tags="[alpha]"))
    touch_later(edited)
    served = start_preview(cached_site)
    assert compiled == ["content/events/e03.md"]
    assert "Edited" in (served / "index.html").read_text()
    compiled.clear()
    run(cached_site)
    assert compiled == []


def start_preview(site: Path) -> Path:
    """A preview's first build, as `serve` makes it; returns the folder it served."""
    preview = Preview(site, Address("127.0.0.1", 0))
    try:
        preview.prepare()
        return Path(shutil.copytree(preview.out, site.parent / f"served-{uuid.uuid4().hex}"))
    finally:
        preview.indexer.stop()
        shutil.rmtree(preview.served, ignore_errors=True)


def test_an_image_removed_between_runs_is_reported_by_serve_and_build(cached_site: Path) -> None:
    """Compiled events are reused from the cache only with the static files they were
    compiled with: an event whose image was deleted meanwhile is compiled again, and fails."""
    image = cached_site / "static" / "images" / "a.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    text = event_text("Pictured", "2013", image="{src: images/a.png, alt: A map}")
    write_event(cached_site, "pictured.md", text)
    start_preview(cached_site)  # leaves its compiled events in .cache/
    image.unlink()
    preview = Preview(cached_site, Address("127.0.0.1", 0))
    try:
        assert not preview.rebuild(None)  # the preview's first build
    finally:
        preview.indexer.stop()
        shutil.rmtree(preview.served, ignore_errors=True)
    with pytest.raises(BuildFailed) as failed:
        run(cached_site)
    assert any("pictured.md" in str(problem) for problem in failed.value.problems)
