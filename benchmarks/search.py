"""Search benchmark: index time and size, and how fast typed queries filter the timeline.

    python benchmarks/search.py [--events 1000 4000] [--queries hypersonic summit treaty]

For each size N it generates a synthetic site (benchmarks/generate.py), builds it, reports the
Pagefind indexing time and the size of the index, then serves the site over HTTP and measures
in Chromium the time from the last keystroke of a query to the filtered timeline being shown
(the live count updated). Targets: indexing at most 1 s per 1,000 events; results at most
300 ms after the last keystroke on 4,000 events.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate
from timeline.pipeline import build_site
from timeline.project import open_site

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure_queries(url: str, queries: list[str], repeats: int) -> dict[str, list[float]]:
    """Milliseconds from the last keystroke to the updated count, per query."""
    from playwright.sync_api import sync_playwright

    timings: dict[str, list[float]] = {q: [] for q in queries}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for query in queries:
            for _ in range(repeats):
                page = browser.new_page()
                page.goto(url)
                page.fill(
                    "#search-q", "x"
                )  # load Pagefind first, as a reader's first keystroke would
                page.wait_for_url("**?q=x")
                page.fill("#search-q", "")
                page.wait_for_function("!location.search")
                elapsed = page.evaluate(
                    """async (query) => {
                        const input = document.querySelector('#search-q');
                        const status = document.querySelector('#search-status');
                        const before = status.textContent;
                        const done = new Promise((resolve) => {
                          new MutationObserver((_, observer) => {
                            observer.disconnect(); resolve(performance.now());
                          }).observe(status, {childList: true, characterData: true, subtree: true});
                        });
                        input.value = query;
                        const start = performance.now();
                        input.dispatchEvent(new Event('input', {bubbles: true}));
                        const end = await done;
                        return end - start;
                    }""",
                    query,
                )
                timings[query].append(elapsed)
                page.close()
        browser.close()
    return timings


def run(count: int, queries: list[str], repeats: int, workdir: Path) -> None:
    site = generate(count, workdir / f"site-{count}")
    out = workdir / f"out-{count}" / "repo"
    result = build_site(open_site(site, base_url="https://example.org/repo/"), out)
    index_seconds = result.timings["index"]
    size = folder_size(out / "pagefind")
    print(f"\n{count} events")
    per_thousand = index_seconds / count * 1000
    print(f"  index time   {index_seconds:6.2f} s  ({per_thousand:.2f} s per 1,000 events)")
    print(f"  index size   {size / 1e6:6.1f} MB  ({size / count / 1e3:.1f} KB per event)")
    handler = functools.partial(QuietHandler, directory=str(out.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/repo/"
        for query, values in measure_queries(url, queries, repeats).items():
            print(
                f"  query {query!r:14} median {statistics.median(values):6.0f} ms after the "
                f"keystroke (includes the 80 ms debounce; max {max(values):.0f} ms)"
            )
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--queries", nargs="+", default=["hypersonic", "treaty", "summit"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        for count in args.events:
            start = time.perf_counter()
            run(count, args.queries, args.repeats, Path(tmp))
            print(f"  (benchmark took {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
