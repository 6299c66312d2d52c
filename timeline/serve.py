"""Live preview: build, serve with `livereload`, rebuild what changed, reload open browsers.

The preview lives in a temporary folder, under the site's base path exactly as it will be
published, and shows drafts. A watcher polls the site's sources every few tenths of a second
and hands what changed to one rebuild thread, which re-renders only the affected pages,
writes them in place, and tells the browsers to reload. A failed rebuild leaves the last
good pages served and shows the errors over every page (and in the terminal); fixing the
file clears them. The search index is refreshed in the background after each rebuild.

livereload 2.7 ignores a change that comes within 3 s of the previous reload and polls
only every 800 ms; this module triggers reloads itself after each rebuild, with its own
faster watcher, so every save shows.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from livereload.watcher import Watcher
from tornado.ioloop import IOLoop, PeriodicCallback

from . import output, parallel
from .builder import Builder, Rendered
from .config import CONFIG_NAME, SiteConfig
from .errors import BuildFailed, Problem, RenderError, TimelineError, UsageError
from .project import Site, default_theme_root, open_site
from .search import INDEX_DIR
from .sources import scan

POLL_SECONDS = 0.1
PREVIEW_DIR = "__preview"
OVERLAY_SOURCE = Path(__file__).with_name("preview_overlay.js")
HEAD_END = b"</head>"


@dataclass(frozen=True)
class Address:
    """Where the preview listens."""

    host: str
    port: int

    def url(self, path: str = "/") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"


def check_port(address: Address) -> None:
    """Fail early, with a suggestion, when the port is taken (rather than a traceback later)."""
    family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address.host, address.port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {address.port} on {address.host} is already in use (is another "
                    f"preview running?); try --port {address.port + 1}"
                ) from None
            raise UsageError(f"cannot listen on {address.host}:{address.port}: {exc}") from None


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
        self.write(path, b"".join(chunks))


class SourceWatcher(Watcher):
    """livereload's watcher, polling the site's sources quickly and reporting what changed.

    livereload calls `start()`; returning True tells it this watcher schedules itself.
    """

    def __init__(self, roots: list[Path], on_change: Callable[[set[str]], None]) -> None:
        super().__init__()
        self.roots = roots
        self.on_change = on_change
        self.snapshot = self._take_snapshot()

    def start(self, callback: object) -> bool:
        PeriodicCallback(self._poll, POLL_SECONDS * 1000).start()
        return True

    def examine(self) -> tuple[None, None]:
        return None, None

    def _take_snapshot(self) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        for root in self.roots:
            if root.is_file():
                stat = root.stat()
                found[str(root)] = (stat.st_mtime_ns, stat.st_size)
            else:
                found.update((info.path, info.signature) for info in scan(root).values())
        return found

    def _poll(self) -> None:
        current = self._take_snapshot()
        changed = {
            path
            for path in current.keys() | self.snapshot.keys()
            if current.get(path) != self.snapshot.get(path)
        }
        self.snapshot = current
        if changed:
            self.on_change(changed)


class Preview:
    """The preview's state: the site, its builder, the served folder and the last outcome."""

    def __init__(self, site_root: Path, address: Address) -> None:
        self.site_root = site_root.resolve()
        self.address = address
        self.served = Path(tempfile.mkdtemp(prefix="timeline-preview-"))
        self.site: Site | None = None
        self.builder: Builder | None = None
        self.static: dict[str, tuple[int, int]] = {}
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
        layout = Site(self.site_root, SiteConfig(), default_theme_root())
        return [self.site_root / CONFIG_NAME, *layout.watched_paths]

    # The rebuild thread --------------------------------------------------------------

    def request(self, changed: set[str]) -> None:
        """Called by the watcher (on the server's loop): queue a rebuild, never block."""
        with self.wake:
            self.pending |= changed
            self.wake.notify()

    def rebuild_forever(self) -> None:
        while True:
            with self.wake:
                while not self.pending:
                    self.wake.wait()
            time.sleep(0.02)  # let an editor finish writing several files
            with self.wake:
                changed, self.pending = self.pending, set()
            self.rebuild(changed)

    def rebuild(self, changed: set[str] | None) -> bool:
        """One rebuild; errors are reported (terminal and browser), never raised.

        The pages are written and the browsers told to reload first; the data exports,
        which take longer on a large timeline, follow.
        """
        start = time.perf_counter()
        try:
            result = self._build(changed)
            self._report_success(result, time.perf_counter() - start)
            self.builder.export(result, PreviewSink(self.out, self.site.config.base_path))
            self.builder.commit(result)
        except (BuildFailed, RenderError, TimelineError) as exc:
            self._report_failure(_problems_of(exc))
            return False
        except Exception:
            details = traceback.format_exc()
            print(details, file=sys.stderr, flush=True)
            lines = ["internal error while rebuilding (please report it):", *details.splitlines()]
            self._report_failure(lines)
            return False
        return True

    def _build(self, changed: set[str] | None) -> Rendered:
        config_changed = changed is None or str(self.site_root / CONFIG_NAME) in changed
        if self.site is None or self.builder is None or config_changed:
            self.builder = None
            self.site = open_site(self.site_root)
            self.builder = Builder(self.site, drafts=True)
            self.static = {}
            self._install_preview_files()
        # The first build of a site fills an empty folder, across processes while no thread
        # runs yet; later ones keep their pages in memory until the whole rebuild succeeded,
        # so a failure leaves the last good pages served.
        first = self.loop is None and not self.builder.page_keys
        self.builder.parallel = first
        sink = PreviewSink(self.out, self.site.config.base_path) if first else output.MemorySink()
        result = self.builder.build(sink, hints=self._content_hints(changed), exports=False)
        output.check_collisions(result.keys, result.static)
        if isinstance(sink, output.MemorySink):
            writer = PreviewSink(self.out, self.site.config.base_path)
            for path, data in sink.files.items():
                writer.write(path, data)
        self._finish(result)
        return result

    def _content_hints(self, changed: set[str] | None) -> list[str] | None:
        """Site-relative paths when only event files changed; None means check everything."""
        if changed is None:
            return None
        content = self.site_root / "content"
        hints = []
        for path in map(Path, changed):
            if not path.is_relative_to(content):
                return None
            hints.append(path.relative_to(self.site_root).as_posix())
        return hints

    def _finish(self, result: Rendered) -> None:
        out = self.out
        output.remove_files(out, result.removed)
        self._sync_static(result.static)
        if any(rel.startswith("events/") for rel in (*result.changed, *result.removed)):
            self.indexer.request(out)

    def _sync_static(self, static: dict[str, Path]) -> None:
        out = self.out
        current = {rel: _signature(path) for rel, path in static.items()}
        for rel, signature in current.items():
            if self.static.get(rel) != signature:
                output.write_atomically(out / rel, static[rel].read_bytes())
        output.remove_files(out, set(self.static) - set(current))
        self.static = current

    # Reporting -----------------------------------------------------------------------

    def _report_success(self, result: Rendered, seconds: float) -> None:
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
        folder = self.out / PREVIEW_DIR
        output.write_atomically(folder / "status.json", json.dumps({"errors": errors}).encode())

    def _reload(self) -> None:
        """Ask open browsers to reload (from the server's loop, where livereload lives)."""
        if self.loop is not None:
            self.loop.add_callback(LiveReloadHandler.reload_waiters, "*")

    # Setting up ----------------------------------------------------------------------

    def _install_preview_files(self) -> None:
        """The error overlay, and a redirect from / to the base path when there is one."""
        out = self.out
        output.write_atomically(out / PREVIEW_DIR / "overlay.js", OVERLAY_SOURCE.read_bytes())
        if out != self.served:
            target = self.site.config.base_path if self.site else "/"
            redirect = f'<!DOCTYPE html><meta http-equiv="refresh" content="0; url={target}">'
            output.write_atomically(self.served / "index.html", redirect.encode())

    def prepare(self) -> None:
        """First build (errors shown, not fatal), with a placeholder home page on failure."""
        with parallel.fewer_collections():
            built = self.rebuild(None)
        if not built:
            self._install_preview_files()
            if not (self.out / "index.html").exists():
                script = f'<script src="{PREVIEW_DIR}/overlay.js" defer></script>'
                page = f"<!DOCTYPE html><html><head><title>Preview</title>{script}</head>"
                page += "<body><h1>The site could not be built yet.</h1></body></html>"
                output.write_atomically(self.out / "index.html", page.encode())

    def serve(self, *, open_browser: bool) -> None:
        check_port(self.address)
        self.prepare()
        base = self.site.config.base_path if self.site else "/"
        url = self.address.url(base)
        threading.Thread(target=self.rebuild_forever, daemon=True, name="rebuild").start()
        server = QuietServer(watcher=SourceWatcher(self.watched(), self.request))
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
        """Ctrl-C (even when a shell started us with it ignored) and SIGTERM stop cleanly."""
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, lambda *_: loop.add_callback_from_signal(loop.stop))


class SearchRefresher:
    """Rebuilds the search index in the background once edits pause, one run at a time.

    Each run is a separate process at low priority (`python -m timeline.search`): indexing
    thousands of pages takes seconds of CPU that the author's next rebuild should not wait
    behind. The fresh index replaces the old one only when complete.
    """

    QUIET_SECONDS = 0.5

    def __init__(self) -> None:
        self.wanted: Path | None = None
        self.asked_at = 0.0
        self.lock = threading.Condition()
        self.thread: threading.Thread | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.stopping = False

    def request(self, out: Path) -> None:
        with self.lock:
            self.wanted, self.asked_at = out, time.monotonic()
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True, name="search")
                self.thread.start()
            self.lock.notify()

    def stop(self) -> None:
        self.stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.kill()

    def _run(self) -> None:
        while True:
            with self.lock:
                while self.wanted is None:
                    self.lock.wait()
                while time.monotonic() - self.asked_at < self.QUIET_SECONDS:
                    self.lock.wait(self.QUIET_SECONDS)
                out, self.wanted = self.wanted, None
            self._index(out)

    def _index(self, out: Path) -> None:
        fresh = out / f".{INDEX_DIR}-next"
        retired = out / f".{INDEX_DIR}-old"
        shutil.rmtree(fresh, ignore_errors=True)
        command = [sys.executable, "-m", "timeline.search", str(out), str(fresh)]
        self.process = subprocess.Popen(
            command, stderr=subprocess.PIPE, preexec_fn=lambda: os.nice(10)
        )
        _, errors = self.process.communicate()
        if self.stopping:
            return
        if self.process.returncode != 0:
            lines = errors.decode(errors="replace").strip().splitlines() or ["no message"]
            print(f"warning: the search index was not refreshed: {lines[-1]}", file=sys.stderr)
            return
        if (out / INDEX_DIR).exists():
            (out / INDEX_DIR).rename(retired)
        fresh.rename(out / INDEX_DIR)
        shutil.rmtree(retired, ignore_errors=True)


class SnapshotFileHandler(StaticFileHandler):
    """Serves each file from a single read.

    Tornado measures a file, then reads it; a page the rebuild replaces in between would go
    out torn (and the connection be dropped). Reading once, and versioning by the file's
    modification time and size instead of its content, closes that gap.
    """

    @classmethod
    def get_content_version(cls, abspath: str) -> str:
        stat = os.stat(abspath)
        return f"{stat.st_mtime_ns}-{stat.st_size}"

    def get_content_size(self) -> int:
        self.snapshot = Path(self.absolute_path).read_bytes()
        return len(self.snapshot)

    def get_content(  # type: ignore[override]
        self, abspath: str, start: int | None = None, end: int | None = None
    ) -> bytes:
        return self.snapshot[start:end]


class QuietServer(Server):
    """livereload's server without its per-request and per-reload log lines, serving files
    with `SnapshotFileHandler`."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.SFH = SnapshotFileHandler

    def _setup_logging(self) -> None:
        logging.getLogger("livereload").setLevel(logging.WARNING)
        logging.getLogger("tornado.access").setLevel(logging.ERROR)


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _problems_of(exc: TimelineError) -> list[str]:
    if isinstance(exc, BuildFailed):
        return [str(p) for p in exc.problems]
    if isinstance(exc, RenderError):
        return [str(exc.problem)]
    return [f"error: {exc}"]


def run_preview(site_root: Path, address: Address, *, open_browser: bool) -> None:
    """Serve the site until Ctrl-C."""
    Preview(site_root, address).serve(open_browser=open_browser)
