"""The shape of the code: modules import only those below them, `build` and the preview run
the same stages (an export registered once appears in both), and the README's table of
settings is the one the code declares."""

from __future__ import annotations

import ast
import re
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, event_text, tree_digest, write_event
from timeline import exports
from timeline.config import options_table
from timeline.pipeline import build_site
from timeline.preview import Preview
from timeline.project import open_site
from timeline.server import Address

# Every module of the package, lowest first: a module may import only modules before it.
LAYERS = [
    "__init__", "errors", "urls", "files", "dates", "language", "datetext", "model", "runs",
    "config", "project", "reader", "citations", "typography", "markup", "validate", "compiler",
    "references", "history", "stamp", "layout", "overview", "exports", "keys", "pages", "render",
    "output", "parallel", "search", "builder", "cache", "pipeline", "indexer", "watcher",
    "server", "preview", "deploy", "scaffold", "importer", "cli", "__main__",
]  # fmt: skip
PACKAGE = ROOT / "timeline"


def imported_modules(path: Path) -> set[str]:
    """The package modules a module imports, anywhere in it (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names if alias.name in LAYERS)
    return found - {"__init__"}


def test_every_module_is_placed_in_the_layers():
    assert sorted(p.stem for p in PACKAGE.glob("*.py")) == sorted(LAYERS)


@pytest.mark.parametrize("module", LAYERS)
def test_no_module_imports_one_above_it(module: str):
    above = [
        name
        for name in imported_modules(PACKAGE / f"{module}.py")
        if LAYERS.index(name) >= LAYERS.index(module)
    ]
    assert above == [], f"timeline/{module}.py imports {above}, above it in LAYERS"


def test_the_readme_table_of_settings_is_generated_from_the_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert options_table() in readme, "run `python -m timeline.config` and paste the table"


def _throwaway(exporter: exports.Exporter, timeline) -> exports.Chunks:
    yield b"titles:\n"
    for event in timeline:
        yield f"- {event.title}\n".encode()


@pytest.fixture
def registered_export(monkeypatch: pytest.MonkeyPatch) -> str:
    """A new export format, registered the way `exports.py` registers its own."""
    formats = dict(exports.FORMATS)
    monkeypatch.setattr(exports, "FORMATS", formats)
    exports.register("titles.txt", "Titles")(_throwaway)
    return "titles.txt"


def test_a_registered_export_reaches_build_and_preview(
    site: Path, tmp_path: Path, registered_export: str
):
    write_event(site, "a.md", event_text("Alpha", "2019"))
    out = tmp_path / "out"
    build_site(open_site(site), out, use_cache=False)
    assert (out / registered_export).read_text() == "titles:\n- Alpha\n"
    assert '<a href="/titles.txt">Titles</a>' in (out / "index.html").read_text()

    preview = Preview(site, Address("127.0.0.1", 0))
    try:
        preview.prepare()
        served = preview.out / registered_export
        assert served.read_text() == "titles:\n- Alpha\n"
        write_event(site, "b.md", event_text("Beta", "2020"))
        assert preview.rebuild({str(site / "content" / "events" / "b.md")})
        assert served.read_text() == "titles:\n- Alpha\n- Beta\n"
        assert '<a href="/titles.txt">Titles</a>' in (preview.out / "index.html").read_text()
    finally:
        preview.indexer.stop()
        shutil.rmtree(preview.served, ignore_errors=True)


def test_build_and_preview_write_the_same_pages_and_exports(tmp_path: Path):
    """The two run the same stages: apart from the preview's overlay script, every page and
    export of the example is byte-identical (the search index is made differently)."""
    site = tmp_path / "example"
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copy(ROOT / "site.toml", site / "site.toml")
    out = tmp_path / "out"
    build_site(open_site(site), out, use_cache=False)
    preview = Preview(site, Address("127.0.0.1", 0))
    try:
        preview.prepare()
        time.sleep(0.1)
        overlay = re.compile(rb'<script src="/__preview/overlay.js" defer></script>')
        built = {k: v for k, v in tree_digest(out).items() if not k.startswith("pagefind/")}
        served = {
            path: digest
            for path, digest in tree_digest(preview.out).items()
            if not path.startswith(("pagefind/", "__preview/", ".pagefind"))
        }
        assert set(served) == set(built) - {".timeline-output", ".nojekyll"}
        for path in served:
            data = overlay.sub(b"", (preview.out / path).read_bytes())
            assert data == (out / path).read_bytes(), path
    finally:
        preview.indexer.stop()
        shutil.rmtree(preview.served, ignore_errors=True)
