"""The full-text search index: Pagefind over the rendered event pages.

The event template marks what is indexed (`data-pagefind-body`), the filters (tag, year) and
the sort key (date). Pagefind's binary (from the `pagefind` package) reads the pages from the
staged output folder, a batch of pages per run, rather than being sent them record by record.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import cbor2

from .errors import SearchIndexError
from .output import INDEX_DIR, link_files

EVENT_PAGES = "events/**/*.html"
PAGE_MAP = "timeline-pages.json"
BATCH_PAGES = 2000
SIGNATURE = b"pagefind_dcd"
PR_SET_PDEATHSIG = 1  # prctl(2)
TIMEOUT_SECONDS = 900  # one batch of pages takes seconds; a stuck binary must not hang a build
ASSETS = (
    "pagefind.js", "pagefind-worker.js", "pagefind-ui.js", "pagefind-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-modular-ui.js",
    "pagefind-modular-ui.css", "pagefind-highlight.js", "wasm.unknown.pagefind",
)  # fmt: skip
ERROR_PREFIX = "error: "  # of the one line a failed `python -m timeline.search` prints
META_FILTERS = 3  # position of the [[filter name, file hash], ...] list in pagefind 1.5's meta


def index_site(folder: Path, bundle: Path | None = None, *, batch_pages: int = 0) -> int:
    """Index the event pages under `folder` into `bundle` (default `<folder>/pagefind/`).

    Returns the number of pages indexed. Pagefind holds a whole index in memory while it
    builds it (about 110 KB a page), so a large site is indexed in batches of
    `batch_pages` pages (default `BATCH_PAGES`), each a bundle of its own under `parts/`,
    which the browser merges (Pagefind's `mergeIndex`): the peak stays that of one batch.

    Pagefind numbers pages in the order it finds them in a folder listing, and some file
    systems (tmpfs, btrfs) list entries in the order they were made, which depends on which
    worker wrote a page first and on which pages a build kept from the last one. Each batch
    is therefore indexed from a folder of links made in the order of the pages' paths.
    """
    from pagefind.service import get_executable  # loaded only when an index is built

    executable = get_executable()
    if executable is None:
        raise SearchIndexError(
            "the Pagefind binary was not found; run: pip install 'pagefind[extended]'"
        )
    bundle = bundle or folder / INDEX_DIR
    pages = sorted(p.relative_to(folder).as_posix() for p in folder.glob("events/*/index.html"))
    if not pages:
        _index_nothing(executable, folder, bundle)
        return 0
    size = batch_pages or BATCH_PAGES
    batches = [pages[start : start + size] for start in range(0, len(pages), size)]
    parts = [f"parts/{number}/" for number in range(1, len(batches))]
    scratch, _ = scratch_folders(folder)
    found: dict[str, list[Any]] = {}
    try:
        for batch, target in zip(batches, [bundle, *(bundle / p for p in parts)], strict=True):
            shutil.rmtree(scratch, ignore_errors=True)
            link_files(folder, scratch, batch)
            found.update(_index(executable, scratch, target))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_page_map(bundle, parts, found)
    return len(pages)


def scratch_folders(folder: Path) -> tuple[Path, Path]:
    """The folders beside `folder` that indexing it fills for a while (one for a batch's
    links, one for a site without events); an index process killed midway leaves them."""
    return (
        folder.parent / f".{folder.name}.search-batch",
        folder.parent / f".{folder.name}.search-empty",
    )


def _index_nothing(executable: Path, folder: Path, bundle: Path) -> None:
    """An index without events, so that the search script loads as on any other site.

    Pagefind's command line refuses to write an index of no pages; it is given one page
    that is not an event (`/events/`, which no event's address can be), so the page map
    leaves it out and no search shows it."""
    _, scratch = scratch_folders(folder)
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        (scratch / "events").mkdir(parents=True)
        (scratch / "events" / "index.html").write_text(
            "<!doctype html><html><body data-pagefind-body><p>timeline</p></body></html>"
        )
        _index(executable, scratch, bundle)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_page_map(bundle, [], {})


def _index(executable: Path, folder: Path, bundle: Path) -> dict[str, list[Any]]:
    """One run of Pagefind's command line over `folder`'s event pages; returns its pages'
    entries in the page map (see `check_bundle`).

    The command line rather than Pagefind's Python API: the API drives the same binary
    through a service that costs about a quarter of a second per batch, and its one pipe,
    shared with the binary's own messages, now and then garbled a reply on large sites.
    The run writes into a folder of its own, which becomes `bundle` only once the binary
    has exited and its files have passed `check_bundle`: a failed run never leaves half an
    index behind.
    """
    shutil.rmtree(bundle, ignore_errors=True)
    scratch = bundle.with_name(f".{bundle.name}.partial")
    shutil.rmtree(scratch, ignore_errors=True)
    command = [str(executable), "--site", str(folder), "--glob", EVENT_PAGES,
               "--output-path", str(scratch), "--silent"]  # fmt: skip
    try:
        try:
            done = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                  timeout=TIMEOUT_SECONDS, check=False,
                                  preexec_fn=end_with_parent)  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SearchIndexError(f"building the search index failed: {exc}") from None
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines() or ["no message"]
            raise SearchIndexError(
                f"building the search index failed: Pagefind exited with {done.returncode}: "
                f"{said[-1]}"
            )
        pages = check_bundle(scratch)
        make_deterministic(scratch)
        scratch.rename(bundle)
        return pages
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def check_bundle(bundle: Path) -> dict[str, list[Any]]:
    """Refuse an index with a missing, empty or truncated file, before it can be published:
    the entry file must parse, every file Pagefind always writes must be there and not
    empty, and every compressed index file must decompress whole. Returns the bundle's
    entries in the page map, read from the fragments while they are decompressed anyway."""
    pages: dict[str, list[Any]] = {}
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        expected = [
            *ASSETS,
            *(f"pagefind.{i['hash']}.pf_meta" for i in entry["languages"].values()),
        ]
        for name in expected:
            if (bundle / name).stat().st_size == 0:
                raise SearchIndexError(f"the search index file {name} is empty")
        for path in bundle.rglob("*"):
            if not path.suffix.startswith((".pf_", ".pagefind")):
                continue
            data = gzip.decompress(path.read_bytes())
            if not data.startswith(SIGNATURE):
                raise SearchIndexError(f"the search index file {path.name} is damaged")
            if path.suffix == ".pf_fragment":
                pages.update(_page_entry(path.stem, json.loads(data[len(SIGNATURE) :])))
    except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SearchIndexError(f"the search index is incomplete: {exc}") from None
    return pages


def write_page_map(bundle: Path, parts: list[str], pages: dict[str, list[Any]]) -> None:
    """Write `timeline-pages.json`: the extra bundles to merge, and for every page of every
    bundle, Pagefind's result id -> [event slug, first year or null, first day, last day]
    (days as `model.day_key`s).

    A Pagefind result names its page only inside a fragment file, one request per result.
    A common word on a large timeline matches thousands of events, and fetching thousands
    of fragments takes seconds; with this map the page hides and shows events as soon as
    the index answers, and fetches fragments only for the excerpts it displays. The year
    tells a page of a long timeline which other page holds a match, and the days whether
    a match lies within a span chosen to the month (Pagefind's filter only knows years).
    `pages` holds every bundle's entries, as `check_bundle` returned them.
    """
    mapping = {"parts": parts, "pages": dict(sorted(pages.items()))}
    (bundle / PAGE_MAP).write_text(json.dumps(mapping, separators=(",", ":"), ensure_ascii=False))


def _page_entry(result_id: str, fragment: dict[str, Any]) -> dict[str, list[Any]]:
    """A fragment's entry in the page map (none for a page that is not an event's)."""
    match = re.match(r"^/events/([^/]+)/", fragment["url"])
    if not match:
        return {}
    years = [int(y) for y in fragment.get("filters", {}).get("year", [])]
    days = fragment.get("meta", {}).get("days", "").split()
    return {result_id: [unquote(match.group(1)), min(years) if years else None, *days]}


def make_deterministic(bundle: Path) -> None:
    """Rewrite Pagefind's filter indexes in a stable order, so builds stay byte-identical.

    Pagefind 1.5 writes each filter's values in hash-map order, which changes from run to
    run (Pagefind issue #638), and names the files after their content. The values are
    sorted here, each file renamed after its new content, and the metadata and entry file
    that point at them updated to match. The data itself is unchanged.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read_chunk(meta_path)
        filters = meta[META_FILTERS]
        if not all(isinstance(f, list) and len(f) == 2 for f in filters):
            raise SearchIndexError("unexpected Pagefind index format; pin pagefind==1.5.2")
        meta[META_FILTERS] = sorted(
            [name, _sort_filter(bundle / "filter", chunk_hash, language)]
            for name, chunk_hash in filters
        )
        meta_path.unlink()
        info["hash"] = _write_chunk(bundle, "pagefind.{}.pf_meta", language, meta, length=10)
    entry_path.write_text(json.dumps(entry, separators=(",", ":"), ensure_ascii=False))


def _sort_filter(folder: Path, chunk_hash: str, language: str) -> str:
    path = folder / f"{chunk_hash}.pf_filter"
    name, values = _read_chunk(path)
    path.unlink()
    return _write_chunk(folder, "{}.pf_filter", language, [name, sorted(values)], length=7)


def _read_chunk(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise SearchIndexError(f"unexpected Pagefind file format in {path.name}")
    return cbor2.loads(data[len(SIGNATURE) :])


def _write_chunk(folder: Path, pattern: str, language: str, value: Any, *, length: int) -> str:
    """Write a chunk named after its content, as Pagefind names its own; return the name."""
    encoded = SIGNATURE + cbor2.dumps(value)
    name = f"{language}_{hashlib.sha256(encoded).hexdigest()[:length]}"
    (folder / pattern.format(name)).write_bytes(gzip.compress(encoded, compresslevel=9, mtime=0))
    return name


def _lower_and_tie() -> None:
    """In a background index's new process, before it runs: low priority, and an end
    with the preview's."""
    end_with_parent()
    if hasattr(os, "nice"):
        os.nice(10)


def end_with_parent() -> None:
    """Have the kernel end this process when the thread that started it ends (Linux's
    parent-death signal; elsewhere nothing). A caller that is killed outright (the kernel
    out of memory, `kill -9`) runs no clean-up, and an index it held still (`IndexJob.hold`)
    would otherwise stay stopped, holding its memory, for good. `prctl` is looked up when
    this module loads, so that a newly forked process only calls it."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


def _prctl() -> Callable[[int, int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
    except ImportError:  # a Python built without it
        return None
    return ctypes.CDLL(None).prctl


_PRCTL = _prctl()


class IndexJob:
    """`index_site` in a process of its own, so that the caller goes on with other work
    while Pagefind indexes (the build renders its list pages; the preview serves edits).
    `wait` returns once the index is complete, or raises its error as one line."""

    def __init__(self, folder: Path, bundle: Path, *, background: bool = False) -> None:
        """`background` runs it at low priority, behind the work an author waits for."""
        self.folder = folder
        command = [sys.executable, "-m", "timeline.search", str(folder), str(bundle),
                   str(BATCH_PAGES)]  # fmt: skip

        # A session of its own, so that `stop` ends Pagefind's binary with it, and Ctrl-C
        # in the terminal reaches only the caller, which stops it. Only a background job
        # (the preview's, which it may hold still) needs code run before it starts; a
        # build's is spawned without forking the build's large process.
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            preexec_fn=_lower_and_tie if background else None, start_new_session=True,
        )  # fmt: skip

    def wait(self) -> None:
        try:
            _, said = self.process.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.stop()
            raise SearchIndexError("building the search index took too long; stopped") from None
        if self.process.returncode != 0:
            lines = said.decode("utf-8", "replace").strip().splitlines() or ["no message"]
            raise SearchIndexError(lines[-1].removeprefix(ERROR_PREFIX))

    def hold(self) -> None:
        """Stop the indexing process where it is, until `go_on` (where signals allow)."""
        self._signal(getattr(signal, "SIGSTOP", None))

    def go_on(self) -> None:
        self._signal(getattr(signal, "SIGCONT", None))

    def _signal(self, number: int | None) -> None:
        if number is not None and hasattr(os, "killpg") and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it may end meanwhile
                os.killpg(self.process.pid, number)

    def stop(self) -> None:
        """End the indexing process if it still runs (a failed build, a stopped preview),
        and remove what it was filling beside the folder."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it may end meanwhile
                if hasattr(os, "killpg"):
                    os.killpg(self.process.pid, signal.SIGKILL)
                else:
                    self.process.kill()
            self.process.wait()
            for scratch in scratch_folders(self.folder):
                shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """`python -m timeline.search FOLDER BUNDLE [BATCH]`: index FOLDER's event pages into
    BUNDLE, in batches of BATCH pages.

    `IndexJob` runs it: a build beside its other work, the live preview at low priority, so
    that indexing a large site never slows down the rebuilds an author is waiting for. A
    failure is one line on stderr.
    """
    args = argv if argv is not None else sys.argv[1:]
    folder, bundle = Path(args[0]), Path(args[1])
    try:
        index_site(folder, bundle, batch_pages=int(args[2]) if len(args) > 2 else 0)
    except SearchIndexError as exc:
        print(f"{ERROR_PREFIX}{exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
