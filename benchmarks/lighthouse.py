"""Lighthouse on the timeline page of a large synthetic site, as readers' phones load it.

    python benchmarks/lighthouse.py [--events 4000] [--runs 3]

Builds a synthetic site (benchmarks/generate.py) under /repo/, serves it on 127.0.0.1 the way
GitHub Pages does (HTML, CSS, JavaScript and JSON gzip-compressed) and also uncompressed, and
runs Lighthouse's performance audit (mobile, its default simulated throttling) with Debian's
Chromium on the timeline page. Lighthouse comes from npm: it is installed into a temporary
folder (`npm install lighthouse`) unless `LIGHTHOUSE` names its command. Prints the median
score and the metrics of each way of serving.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
COMPRESSED = (".html", ".css", ".js", ".json")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "cumulative-layout-shift", "speed-index", "dom-size")  # fmt: skip


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed where the client accepts it (when `gzip` is on)."""

    gzip = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.gzip and accepts and path.suffix in COMPRESSED and path.is_file()):
            return super().send_head()
        data = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)


def lighthouse_command(folder: Path) -> list[str]:
    if os.environ.get("LIGHTHOUSE"):
        return [os.environ["LIGHTHOUSE"]]
    subprocess.run(["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund",
                    "--silent", "lighthouse@12"], check=True)  # fmt: skip
    return [str(folder / "node_modules" / ".bin" / "lighthouse")]


def audit(command: list[str], url: str, report: Path) -> dict[str, object]:
    subprocess.run(
        [*command, url, "--only-categories=performance", "--quiet", "--output=json",
         f"--output-path={report}", "--chrome-flags=--headless=new --no-sandbox"],
        check=True, env={**os.environ, "CHROME_PATH": CHROMIUM},
    )  # fmt: skip
    result = json.loads(report.read_text())
    audits = result["audits"]
    return {
        "score": result["categories"]["performance"]["score"] * 100,
        **{name: audits[name].get("displayValue", "") for name in METRICS},
    }


def serve(folder: Path, compressed: bool) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = type("Serving", (Handler,), {"gzip": compressed})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/repo/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site, served = generate(args.events, Path(tmp) / "site"), Path(tmp) / "served"
        subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--site", str(site),
                        "--out", str(served / "repo"), "--no-cache",
                        "--base-url", "https://example.org/repo/"],
                       check=True, capture_output=True)  # fmt: skip
        page = served / "repo" / "index.html"
        print(f"{args.events} events: the timeline page is {page.stat().st_size / 1000:.0f} KB, "
              f"{len(gzip.compress(page.read_bytes())) / 1000:.0f} KB gzip-compressed")  # fmt: skip
        command = lighthouse_command(Path(tmp) / "lighthouse")
        for compressed in (True, False):
            server, url = serve(served, compressed)
            runs = [audit(command, url, Path(tmp) / "report.json") for _ in range(args.runs)]
            server.shutdown()
            middle = sorted(runs, key=lambda run: run["score"])[len(runs) // 2]
            scores = statistics.median(run["score"] for run in runs)
            how = "gzip, as GitHub Pages serves it" if compressed else "uncompressed"
            metrics = ", ".join(f"{name} {middle[name]}" for name in METRICS)
            print(f"  {how}: performance {scores:.0f} (median of {args.runs}); {metrics}")


if __name__ == "__main__":
    main()
