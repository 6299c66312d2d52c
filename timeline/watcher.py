"""The preview's file watcher: polls the site's sources every tenth of a second and reports
which files changed (livereload's own watcher polls every 800 ms)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from livereload.watcher import Watcher
from tornado.ioloop import PeriodicCallback

from .files import Signature, scan, signature

POLL_SECONDS = 0.1


class FileWatcher(Watcher):
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

    def _take_snapshot(self) -> dict[str, Signature]:
        found: dict[str, Signature] = {}
        for root in self.roots:
            if root.is_file():
                found[str(root)] = signature(root)
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
