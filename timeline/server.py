"""The preview's HTTP server: livereload's server, quiet, serving each file from one read,
and the address it listens on.

livereload injects its reload script into every HTML response and reloads open pages over
a websocket; the preview (`preview.py`) tells it when (livereload's own watcher ignores a
change within 3 s of the last reload and polls only every 800 ms).
"""

from __future__ import annotations

import errno
import logging
import socket
from dataclasses import dataclass
from pathlib import Path

from livereload import Server
from livereload.handlers import StaticFileHandler

from .errors import UsageError
from .files import signature


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


class SnapshotFileHandler(StaticFileHandler):
    """Serves each file from a single read.

    Tornado measures a file, then reads it; a page the rebuild replaces in between would go
    out torn (and the connection be dropped). Reading once, and versioning by the file's
    modification time and size instead of its content, closes that gap.
    """

    @classmethod
    def get_content_version(cls, abspath: str) -> str:
        return "-".join(map(str, signature(abspath)))

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
