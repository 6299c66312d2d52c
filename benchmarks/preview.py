"""Live-preview benchmark: how fast one edit shows on a large timeline.

    python benchmarks/preview.py [--events 4000] [--edits 10] [--browser]

Generates a synthetic site (benchmarks/generate.py) and reports, over several edits of one
event's title:
  1. rebuild: from the change being noticed to the new output in place (the preview's
     rebuild, in this process, with the changed path as its watcher reports it);
  2. served: from saving the file to a real `serve` process answering with the new page
     (includes the watcher's polling interval);
  3. with --browser: from saving the file to the open page in Chromium having reloaded.
Targets: 150 ms for (1), 1 s for (3).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402
from timeline.preview import Preview  # noqa: E402
from timeline.server import Address  # noqa: E402

EDITED = "content/events/event-01234.md"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def retitle(site: Path, label: str) -> str:
    path = site / EDITED
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("title: ", 1)
    title = f"Edited {label}"
    path.write_text(head + f'title: "{title}"\n' + rest.split("\n", 1)[1], encoding="utf-8")
    return title


def in_process(site: Path, edits: int) -> list[float]:
    """Seconds from a rebuild's start to its new pages being written (when the preview
    reports success and reloads the browsers; the data exports follow)."""
    preview = Preview(site, Address("127.0.0.1", 0))
    preview.prepare()
    while not (preview.out / "pagefind" / "timeline-pages.json").exists():
        time.sleep(0.2)  # the first search index is built in the background; let it finish
    written: list[float] = []
    report = preview._report_success
    preview._report_success = lambda *args: (written.append(time.perf_counter()), report(*args))
    times = []
    for number in range(edits):
        retitle(site, f"in-process {number}")
        start = time.perf_counter()
        assert preview.rebuild({str(site / EDITED)})
        times.append(written[-1] - start)
        time.sleep(0.3)  # an author does not save continuously
    return times


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def wait_until_listening(url: str) -> None:
    for _ in range(600):
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the preview never answered at {url}")


def served(site: Path, edits: int, port: int, browser: bool) -> tuple[list[float], list[float]]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--site", str(site), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        for line in process.stdout:
            if line.startswith("Preview at"):
                break
        url = f"http://127.0.0.1:{port}/events/event-01234/"
        wait_until_listening(url)
        http_times = []
        for number in range(edits):
            title = retitle(site, f"served {number}")
            start = time.perf_counter()
            while title not in fetch(url):
                time.sleep(0.005)
            http_times.append(time.perf_counter() - start)
        return http_times, reloads(site, url, edits) if browser else []
    finally:
        process.terminate()
        process.wait(timeout=10)


def reloads(site: Path, url: str, edits: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = chromium.new_page()
        page.goto(url)
        page.wait_for_function("() => window.LiveReload !== undefined")
        for number in range(edits):
            title = retitle(site, f"browser {number}")
            start = time.perf_counter()
            page.wait_for_function(
                "t => document.querySelector('h1')?.textContent === t", arg=title, timeout=20_000
            )
            times.append(time.perf_counter() - start)
            time.sleep(0.5)
        chromium.close()
    return times


def report(label: str, times: list[float], target: float | None) -> None:
    if not times:
        return
    median = statistics.median(times) * 1000
    goal = f" (target {target * 1000:.0f} ms)" if target else ""
    print(f"  {label:10} median {median:6.0f} ms, max {max(times) * 1000:6.0f} ms{goal}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--browser", action="store_true", help="also measure the page reload")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        site = generate(args.events, Path(tmp) / "site")
        print(f"{args.events} events, one event's title edited {args.edits} times")
        report("rebuild", in_process(site, args.edits), 0.150)
        http_times, reload_times = served(site, args.edits, args.port, args.browser)
        report("served", http_times, None)
        report("reloaded", reload_times, 1.0)


if __name__ == "__main__":
    main()
