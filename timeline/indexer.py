"""The preview's background search indexer: refreshes the search index once edits pause,
in a separate low-priority process, and swaps the fresh index in only when complete."""

from __future__ import annotations

import shutil
import sys
import threading
import time
from pathlib import Path

from .errors import SearchIndexError
from .output import INDEX_DIR
from .search import IndexJob


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
        self.job: IndexJob | None = None
        self.held: IndexJob | None = None
        self.stopping = False

    def request(self, out: Path) -> None:
        with self.lock:
            self.wanted, self.asked_at = out, time.monotonic()
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, daemon=True, name="search")
                self.thread.start()
            self.lock.notify()

    def pause(self) -> None:
        """Hold a running index still while the author waits for a rebuild: even at low
        priority it shares the cores (and their caches) with the rebuild, which made an
        edit of a 20,000-event timeline take half as long again as on an idle machine."""
        self.held = self.job
        if self.held is not None:
            self.held.hold()

    def resume(self) -> None:
        """Let the held index go on (the rebuild's pages are shown, or it failed)."""
        held, self.held = self.held, None
        if held is not None:
            held.go_on()

    def stop(self) -> None:
        self.stopping = True
        if self.job is not None:
            self.job.stop()

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
        self.job = IndexJob(out, fresh, background=True)
        try:
            self.job.wait()
        except SearchIndexError as exc:
            if not self.stopping:
                print(f"warning: the search index was not refreshed: {exc}", file=sys.stderr)
            return
        if self.stopping:
            return
        if (out / INDEX_DIR).exists():
            (out / INDEX_DIR).rename(retired)
        fresh.rename(out / INDEX_DIR)
        shutil.rmtree(retired, ignore_errors=True)
