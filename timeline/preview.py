"""Live preview: build, serve, rebuild what changed, reload open browsers.

The preview lives in a temporary folder, under the site's base path exactly as it will be
published, and shows drafts. Each rebuild is the same `Pipeline` a build runs
(`pipeline.py`), with `ServedOutput` as its output: the pages go into the served folder in
place, once the whole rebuild has succeeded, and are shown (browsers reload) before the data
exports are written; the search index is refreshed in the background (`indexer.py`). A
failed rebuild leaves the last good pages served and shows the errors over every page (and
in the terminal); fixing the file clears them. The watcher (`watcher.py`) hands what changed
to one rebuild thread; the server is `server.py`'s.
"""

from __future__ import annotations

import json
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterable
from pathlib import Path

from livereload.handlers import LiveReloadHandler
from tornado.ioloop import IOLoop

from . import output, parallel
from .builder import Builder, BuildRun
from .cache import BuildCache
from .errors import BuildFailed, Problem, RenderError, TimelineError
from .files import CONFIG_NAME, Signature, signature
from .indexer import SearchRefresher
from .keys import compile_key
from .pipeline import Pipeline
from .project import Site, SiteFolders, default_theme_root, open_site
from .server import Address, QuietServer, check_port
from .watcher import FileWatcher

PREVIEW_DIR = "__preview"
OVERLAY_SCRIPT = Path(__file__).with_name("preview_overlay.js")
HEAD_END = b"</head>"


class PreviewSink:
    """Writes pages into the served folder, atomically, with the error overlay's script."""

    def __init__(self, out: Path, base_path: str) -> None:
        self.out = out
        script = f'<script src="{base_path}{PREVIEW_DIR}/overlay.js" defer></script>'
        self.tag = script.encode() + HEAD_END

    def write(self, path: str, data: bytes) -> None:
        if path.endswith(".html"):
            data = data.replace(HEAD_END, self.tag, 1)
        output.write_atomically(self.out / path, data)

    def write_chunks(self, path: str, chunks: Iterable[bytes]) -> None:
        if path.endswith(".html"):
            self.write(path, b"".join(chunks))
        else:  # the exports, streamed
            output.write_atomically(self.out / path, chunks)


class ServedOutput:
    """The preview's output: the served folder, written in place. Pages are held in memory
    until the whole rebuild succeeded (a failure leaves the last good pages served), except
    on the first build, which fills an empty folder directly; `finish` writes them and shows
    them; the exports follow (`after_finish`)."""

    after_finish = frozenset({"exports"})

    def __init__(
        self,
        folder: Path,
        base_path: str,
        *,
        first: bool,
        static: dict[str, Signature],
        indexer: SearchRefresher,
        shown: Callable[[BuildRun], None],
    ) -> None:
        self.folder = folder
        self.writer = PreviewSink(folder, base_path)
        self.pending = output.MemorySink()
        self.sink: output.Sink = self.writer if first else self.pending
        self.served_static = static
        self.indexer = indexer
        self.shown = shown
        self.reindex = False

    def static(self, run: BuildRun) -> None:
        """Copy static files whose signature changed; remove those that are gone."""
        current = {rel: signature(path) for rel, path in run.static.items()}
        for rel, mark in current.items():
            if self.served_static.get(rel) != mark:
                output.write_atomically(self.folder / rel, output.static_bytes(run.static[rel]))
        output.remove_files(self.folder, set(self.served_static) - set(current))
        self.served_static.clear()
        self.served_static.update(current)

    def index(self, run: BuildRun) -> None:
        self.reindex = any(rel.startswith("events/") for rel in (*run.changed, *run.removed))

    def finish(self, run: BuildRun) -> None:
        for path, data in self.pending.files.items():
            self.writer.write(path, data)
        output.remove_files(self.folder, run.removed)
        self.sink = self.writer
        if self.reindex:
            self.indexer.request(self.folder)
        self.shown(run)


class Preview:
    """The preview's state: the site, its builder, the served folder and the last outcome."""

    def __init__(self, site_root: Path, address: Address) -> None:
        self.site_root = site_root.resolve()
        self.address = address
        self.served = Path(tempfile.mkdtemp(prefix="timeline-preview-"))
        self.site: Site | None = None
        self.builder: Builder | None = None
        self.static: dict[str, Signature] = {}
        self.pending: set[str] = set()
        self.wake = threading.Condition()
        self.indexer = SearchRefresher()
        self.loop: IOLoop | None = None
        self.announced = False
        self.warnings: list[Problem] = []

    @property
    def out(self) -> Path:
        base = self.site.config.base_path if self.site else "/"
        return self.served / base.strip("/") if base != "/" else self.served

    def watched(self) -> list[Path]:
        """site.toml, content/, and the templates and static files of the site and theme."""
        layout = SiteFolders(self.site_root, default_theme_root())
        return [self.site_root / CONFIG_NAME, *layout.watched_paths]

    # The rebuild thread --------------------------------------------------------------

    def request(self, changed: set[str]) -> None:
        """Called by the watcher (on the server's loop): queue a rebuild, never block."""
        with self.wake:
            self.pending |= changed
            self.wake.notify()

    def rebuild_forever(self) -> None:
        while True:
            self._warm_up()
            with self.wake:
                while not self.pending:
                    self.wake.wait()
            time.sleep(0.02)  # let an editor finish writing several files
            with self.wake:
                changed, self.pending = self.pending, set()
            self.rebuild(changed)

    def _warm_up(self) -> None:
        """While no edit waits, render in this process the list pages the first build
        rendered in its workers (`Builder.warm_lists`). A page that fails is left alone: a
        rebuild reports whatever is wrong; anything else gives the warm-up up with a warning,
        never the rebuild thread with it."""
        if self.builder is None:
            return
        try:
            with parallel.fewer_collections():
                self.builder.warm_lists(lambda: bool(self.pending))
        except TimelineError:
            pass  # a page that cannot be rendered: the next rebuild says why
        except Exception as exc:  # never the end of the rebuild thread
            print(f"warning: the preview could not ready its list pages: {exc}", file=sys.stderr)
            self.builder.stop_warming()

    def rebuild(self, changed: set[str] | None) -> bool:
        """One rebuild; errors are reported (terminal and browser), never raised.

        The pages are written and the browsers told to reload first; the data exports,
        which take longer on a large timeline, follow.
        """
        start = time.perf_counter()
        self.indexer.pause()
        try:
            self._open(changed)
            assert self.site is not None and self.builder is not None
            # The first build of a site fills an empty folder, across processes while no
            # thread runs yet; later ones run in this process (see `parallel.py`).
            first = self.loop is None and not self.builder.page_keys
            self.builder.parallel = first
            target = ServedOutput(
                self.out, self.site.config.base_path, first=first, static=self.static,
                indexer=self.indexer,
                shown=lambda run: self._shown(run, time.perf_counter() - start),
            )  # fmt: skip
            with parallel.fewer_collections():  # as `build` does: the heap holds every event
                Pipeline(self.builder, target).run(self._content_hints(changed))
        except (BuildFailed, RenderError, TimelineError) as exc:
            self._report_failure(_problems_of(exc))
            return False
        except Exception:
            details = traceback.format_exc()
            print(details, file=sys.stderr, flush=True)
            lines = ["internal error while rebuilding (please report it):", *details.splitlines()]
            self._report_failure(lines)
            return False
        finally:
            self.indexer.resume()
        return True

    def _open(self, changed: set[str] | None) -> None:
        """Open the site (again, when its configuration or a catalog changed) with a fresh
        builder: the language and its catalogs are read when a site is opened."""
        config_changed = changed is None or str(self.site_root / CONFIG_NAME) in changed
        reopen = config_changed or any(_is_catalog(Path(path)) for path in changed or ())
        if self.site is None or self.builder is None or reopen:
            self.builder = None
            self.site = open_site(self.site_root)
            compiled = BuildCache(self.site_root).compiled(compile_key(self.site))
            self.builder = Builder(self.site, drafts=True, snapshot=compiled)
            self.static = {}
            self._install_preview_files()

    def _content_hints(self, changed: set[str] | None) -> list[str] | None:
        """Site-relative paths when only event files changed; None means check everything
        (a period, a template, a static file or the configuration)."""
        if changed is None:
            return None
        content = self.site_root / "content" / "events"
        hints = []
        for path in map(Path, changed):
            if not path.is_relative_to(content):
                return None
            hints.append(path.relative_to(self.site_root).as_posix())
        return hints

    # Reporting -----------------------------------------------------------------------

    def _shown(self, result: BuildRun, seconds: float) -> None:
        """The new pages are in place: the held index may go on beside the exports."""
        self.indexer.resume()
        self._report_success(result, seconds)

    def _report_success(self, result: BuildRun, seconds: float) -> None:
        if result.warnings != self.warnings:
            for warning in result.warnings:
                print(warning, file=sys.stderr)
            self.warnings = result.warnings
        count = len(result.changed) + len(result.removed)
        pages = f"{count} page{'s' * (count != 1)}"
        if self.announced:
            print(f"Rebuilt in {seconds * 1000:.0f} ms: {pages} updated", flush=True)
        else:
            print(f"Built {len(result.timeline)} events ({pages}) in {seconds:.2f} s", flush=True)
            self.announced = True
        self._write_status([])
        self._reload()

    def _report_failure(self, lines: list[str]) -> None:
        for line in lines:
            print(line, file=sys.stderr)
        print("error: the preview shows the last good build until this is fixed", file=sys.stderr,
              flush=True)  # fmt: skip
        self._write_status(lines)
        self._reload()

    def _write_status(self, errors: list[str]) -> None:
        """What the overlay shows: the errors (as the terminal prints them), and its own
        words in the site's language (English while the configuration cannot be read)."""
        folder = self.out / PREVIEW_DIR
        status: dict[str, object] = {"errors": errors}
        if errors and self.site is not None:
            language = self.site.language
            status["title"] = language.ngettext(
                "The site could not be rebuilt (%(num)d problem). You are seeing the last good "
                "version.",
                "The site could not be rebuilt (%(num)d problems). You are seeing the last good "
                "version.",
                len(errors),
            ) % {"num": len(errors)}
            status["hint"] = language.gettext("Fix the file and save: this page reloads by itself.")
        output.write_atomically(folder / "status.json", json.dumps(status).encode())

    def _reload(self) -> None:
        """Ask open browsers to reload (from the server's loop, where livereload lives)."""
        if self.loop is not None:
            self.loop.add_callback(LiveReloadHandler.reload_waiters, "*")

    # Setting up ----------------------------------------------------------------------

    def _install_preview_files(self) -> None:
        """The error overlay, and a redirect from / to the base path when there is one."""
        out = self.out
        output.write_atomically(out / PREVIEW_DIR / "overlay.js", OVERLAY_SCRIPT.read_bytes())
        if out != self.served:
            target = self.site.config.base_path if self.site else "/"
            redirect = f'<!DOCTYPE html><meta http-equiv="refresh" content="0; url={target}">'
            output.write_atomically(self.served / "index.html", redirect.encode())

    def prepare(self) -> None:
        """First build (errors shown, not fatal), with a placeholder home page on failure.

        Its compiled event files are read from the build cache (`<site>/.cache/`) and saved
        back there when they changed, so that the next `serve` or `build` compiles only the
        files edited meanwhile."""
        with parallel.fewer_collections():
            built = self.rebuild(None)
        if built and self.builder is not None and self.site is not None:
            if self.builder.compiled_changed:
                self._save_compiled(self.builder, self.site)
            self.builder.warm_up()
        if not built:
            self._install_preview_files()
            if not (self.out / "index.html").exists():
                script = f'<script src="{PREVIEW_DIR}/overlay.js" defer></script>'
                page = f"<!DOCTYPE html><html><head><title>Preview</title>{script}</head>"
                page += "<body><h1>The site could not be built yet.</h1></body></html>"
                output.write_atomically(self.out / "index.html", page.encode())

    def _save_compiled(self, builder: Builder, site: Site) -> None:
        """Leave the compiled events for the next `serve` or `build`; a site folder that
        cannot be written to costs only that."""
        try:
            BuildCache(self.site_root).save_compiled(builder.snapshot(), compile_key(site))
        except OSError as exc:
            print(f"warning: the compiled events were not saved in .cache/: {exc}",
                  file=sys.stderr)  # fmt: skip

    def serve(self, *, open_browser: bool) -> None:
        check_port(self.address)
        self.prepare()
        base = self.site.config.base_path if self.site else "/"
        url = self.address.url(base)
        threading.Thread(target=self.rebuild_forever, daemon=True, name="rebuild").start()
        server = QuietServer(watcher=FileWatcher(self.watched(), self.request))
        self.loop = IOLoop.current()
        self._handle_signals(self.loop)
        # Said once the loop runs, that is once the server listens: the address works then.
        self.loop.add_callback(
            print, f"Preview at {url}  (drafts shown; press Ctrl-C to stop)", flush=True
        )
        if open_browser:
            self.loop.add_callback(webbrowser.open, url)
        try:
            server.serve(port=self.address.port, host=self.address.host, root=str(self.served),
                         restart_delay=0)  # fmt: skip
        finally:
            self.indexer.stop()
            shutil.rmtree(self.served, ignore_errors=True)

    @staticmethod
    def _handle_signals(loop: IOLoop) -> None:
        """Ctrl-C (even when a shell started us with it ignored) and SIGTERM stop cleanly.

        Through the event loop's own signal handling, which wakes the loop whichever thread
        the signal lands on: a plain Python handler runs only once the main thread runs
        again, which an idle server's never did when the signal reached another thread."""
        for number in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.asyncio_loop.add_signal_handler(number, loop.stop)  # type: ignore[attr-defined]
            except NotImplementedError:  # Windows
                signal.signal(number, lambda *_: loop.add_callback_from_signal(loop.stop))


def _problems_of(exc: TimelineError) -> list[str]:
    if isinstance(exc, BuildFailed):
        return [str(p) for p in exc.problems]
    if isinstance(exc, RenderError):
        return [str(exc.problem)]
    return [f"error: {exc}"]


def run_preview(site_root: Path, address: Address, *, open_browser: bool) -> None:
    """Serve the site until Ctrl-C."""
    Preview(site_root, address).serve(open_browser=open_browser)


def _is_catalog(path: Path) -> bool:
    """Whether a changed file is a translation catalog (in a site's or the theme's locales/)."""
    return path.suffix == ".po" and "locales" in path.parts
