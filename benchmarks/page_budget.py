"""Page-size budget of the timeline's first page, for synthetic sites of N events, beside what
a TimelineJS page of the same events downloads, measured in the same run.

    python benchmarks/page_budget.py [--sizes 1000 4000 20000] [--timelinejs PACKAGE]

The issue's budget: for 20,000 events the overview strip is a density histogram, not 20,000
marks; index.html stays under 1 MB (1,000,000 bytes) and the strip adds at most 30 KB
(30,000 bytes). The script exits 1, naming the page and the figure, when a budget is missed.
Files live in $BENCH_DIR (default: /dev/shm when it exists, like run.py). Each size is
generated (generate.py) and built cold (`build.py build --no-cache`), then measured (1 KB is
1,000 bytes here, as in the budget; `gz` is gzip -9, what a server would typically send):
  index     index.html, raw and gz, and whether it is under 1 MB
  strip     the overview's <svg> inside <figure class="overview-figure">, raw, and whether it
            is at most 30 KB; `bins` counts its histogram bars and `marks` its per-event marks,
            so a histogram shows as a few bins and no marks (major events may stay marked)
  embed     embed/index.html, raw
  first     events (cards) on the first timeline page; `pages` the timeline's pages (whole
            years each, at most `timeline_page_size` events: see timeline/config.py)
  view      index.html with the stylesheet and scripts its <head> links, gz: what a browser
            fetches before the first page shows (Pagefind's index loads on the first search)
  tljs      timelinejs.json, the build's TimelineJS export of the same events, raw and gz: a
            TimelineJS page downloads all of it before it draws anything. Its library
            (timeline.js and timeline.css) is added when --timelinejs names an unpacked
            @knight-lab/timelinejs package (`npm pack @knight-lab/timelinejs`, then untar)
markwhen and vis-timeline are not measured (not available offline); the output says so rather
than guessing. Last comes where index.html's bytes go, by part of the page.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402
from benchmarks.run import run_build  # noqa: E402

INDEX_BUDGET = 1_000_000  # "the index page still under 1 MB"
STRIP_BUDGET = 30_000  # "the strip adds at most 30 KB"
STRIP_RE = re.compile(
    rb'<figure class="overview-figure">.*?(<svg\b[^>]*\bclass="overview\b.*?</svg>)', re.DOTALL
)
ASSET_RES = (
    re.compile(rb'<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"'),
    re.compile(rb'<script\b[^>]*\bsrc="([^"]+)"'),
)
OPTION_RE = re.compile(rb"<option\b.*?</option>", re.DOTALL)
SUMMARY_RE = re.compile(rb'<p class="summary">.*?</p>', re.DOTALL)
# Where each part of index.html starts (in page order); a part runs to the next one found.
PARTS = (
    ("head", b"<!DOCTYPE"),
    ("header and title", b"<body"),
    ("overview strip (figure)", b'<figure class="overview-figure">'),
    ("search form", b'<form class="search-panel"'),
    ("year navigation", b'<nav class="year-nav"'),
    ("event cards", b'<div class="timeline"'),
    ("page navigation", b'<nav class="page-nav"'),
    ("footer", b'<footer class="site-footer"'),
)
TIMELINEJS_LIBRARY = ("dist/js/timeline.js", "dist/css/timeline.css")  # what its embed loads
NOT_OFFLINE = ("markwhen", "vis-timeline")


@dataclass(frozen=True)
class Figures:
    """What one size measured: bytes unless named otherwise."""

    events: int
    seconds: float
    index: int
    index_gz: int
    strip: int | None  # None: the page has no overview strip
    histogram: bool
    bins: int
    marks: int
    embed: int
    first: int
    pages: int
    view_gz: int
    timelinejs: int
    timelinejs_gz: int
    parts: dict[str, int]


TESTS_TIMELINEJS = (
    Path(__file__).resolve().parent.parent / "tests/js-tools/node_modules/@knight-lab/timelinejs"
)


def gz(data: bytes) -> int:
    """Bytes after gzip -9, with a fixed header so the figure is deterministic."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def strip_of(page: bytes) -> bytes | None:
    """The overview's <svg> element, the part of the page the 30 KB budget is about."""
    found = STRIP_RE.search(page)
    return found.group(1) if found else None


def page_count(out: Path) -> int:
    """The timeline's pages: the first (index.html) and one per `years/<first-last>/`."""
    return 1 + sum(1 for _ in out.glob("years/*/index.html"))


def first_view_gz(page: bytes, out: Path) -> int:
    """index.html plus the local stylesheets and scripts its <head> links, each gzipped: the
    whole of what the first page needs, so it is compared fairly with TimelineJS's JSON."""
    head = page.split(b"</head>", 1)[0]
    total = gz(page)
    for pattern in ASSET_RES:
        for link in pattern.findall(head):
            path = out / link.decode().lstrip("/")
            if not link.startswith((b"http:", b"https:", b"//")) and path.is_file():
                total += gz(path.read_bytes())
                total += sum(gz(module.read_bytes()) for module in imported(path))
    return total


def imported(script: Path) -> list[Path]:
    """The local modules a script imports (`import "./overview.js"`), loaded with it."""
    names = re.findall(rb"""import\s*["']\./([\w.-]+\.js)["']""", script.read_bytes())
    return [
        script.parent / name.decode() for name in names if (script.parent / name.decode()).is_file()
    ]


def parts_of(page: bytes, first: int) -> dict[str, int]:
    """Where the page's bytes go: each part from its start to the next part's, plus the
    largest pieces inside the search form and the cards, measured rather than guessed."""
    starts = sorted((page.find(marker), name) for name, marker in PARTS if marker in page)
    parts: dict[str, int] = {}
    for (start, name), (end, _) in zip(starts, [*starts[1:], (len(page), "")], strict=True):
        parts[name] = end - start
        region = page[start:end]
        if name == "search form":
            parts["  its <option>s (years, tags)"] = sum(map(len, OPTION_RE.findall(region)))
        elif name == "event cards":
            parts["  their summaries"] = sum(map(len, SUMMARY_RE.findall(region)))
            parts["  per card (average)"] = (end - start) // max(first, 1)
    return parts


def library_gz(package: Path | None) -> int | None:
    """TimelineJS's own script and stylesheet, gzipped, when an unpacked package is given."""
    if package is None or not package.is_dir():
        return None
    return sum(gz((package / name).read_bytes()) for name in TIMELINEJS_LIBRARY)


def measure(count: int, workdir: Path) -> Figures:
    """Generate and cold-build `count` events, measure the pages, then free the space."""
    site, out = workdir / f"site-{count}", workdir / f"out-{count}"
    generate(count, site)
    seconds = run_build(site, out, "--no-cache")["wall"]
    page = (out / "index.html").read_bytes()
    strip = strip_of(page)
    first = page.count(b'<li class="event-item')
    exported = (out / "timelinejs.json").read_bytes()
    figures = Figures(
        events=count, seconds=seconds, index=len(page), index_gz=gz(page),
        strip=None if strip is None else len(strip),
        histogram=strip is not None and b"overview--density" in strip.split(b">", 1)[0],
        bins=0 if strip is None else strip.count(b'<rect class="overview__bin"'),
        marks=0 if strip is None else strip.count(b"<circle")
        + strip.count(b'<rect class="overview__mark'),
        embed=(out / "embed" / "index.html").stat().st_size, first=first,
        pages=page_count(out), view_gz=first_view_gz(page, out),
        timelinejs=len(exported), timelinejs_gz=gz(exported), parts=parts_of(page, first),
    )  # fmt: skip
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return figures


def failures(figures: Figures) -> list[str]:
    """The budgets this size missed, each with its measured figure."""
    missed = []
    if figures.index >= INDEX_BUDGET:
        missed.append(
            f"{figures.events} events: index.html is {figures.index:,} bytes, "
            f"not under {INDEX_BUDGET:,}"
        )
    if figures.strip is not None and figures.strip > STRIP_BUDGET:
        missed.append(
            f"{figures.events} events: the overview strip is {figures.strip:,} bytes, "
            f"over {STRIP_BUDGET:,}"
        )
    return missed


def kb(size: int | None) -> str:
    return "-" if size is None else f"{size / 1000:.1f}K"


def report(results: list[Figures], library: int | None) -> None:
    """Three tables: our pages against the budget, the same events as TimelineJS, and where
    index.html's bytes go."""
    print("\nThis generator (index, strip and embed raw; gz = gzip -9; K = 1000 bytes)")
    print(f"{'events':>7} {'build':>7} {'index':>9} {'index.gz':>9} {'<1MB':>5} {'strip':>8} "
          f"{'<=30KB':>6} {'kind':>9} {'bins':>5} {'marks':>5} {'embed':>9} {'first':>6} "
          f"{'pages':>5} {'view.gz':>8}")  # fmt: skip
    for r in results:
        kind = "-" if r.strip is None else ("histogram" if r.histogram else "marks")
        print(
            f"{r.events:>7} {r.seconds:>6.1f}s {kb(r.index):>9} {kb(r.index_gz):>9} "
            f"{_yes(r.index < INDEX_BUDGET):>5} {kb(r.strip):>8} "
            f"{_yes(r.strip is None or r.strip <= STRIP_BUDGET):>6} {kind:>9} {r.bins:>5} "
            f"{r.marks:>5} {kb(r.embed):>9} {r.first:>6} {r.pages:>5} {kb(r.view_gz):>8}"
        )
    print("first: events on the first page; view.gz: index.html with the CSS and JS it links")
    _compared(results, library)
    _breakdown(results)


def _compared(results: list[Figures], library: int | None) -> None:
    """The same events as TimelineJS would load them, beside our first view."""
    print("\nBefore anything shows, the same events (gz unless marked raw)")
    print(f"{'events':>7} {'ours':>9} {'tljs.json':>10} {'tljs.gz':>9} {'tljs+lib':>9} "
          f"{'tljs/ours':>9}")  # fmt: skip
    for r in results:
        total = None if library is None else r.timelinejs_gz + library
        ratio = (total or r.timelinejs_gz) / r.view_gz
        print(
            f"{r.events:>7} {kb(r.view_gz):>9} {kb(r.timelinejs):>10} {kb(r.timelinejs_gz):>9} "
            f"{kb(total):>9} {ratio:>8.1f}x"
        )
    print("ours: index.html + its CSS and JS; tljs.json: timelinejs.json raw, all of which a "
          "TimelineJS page loads first")  # fmt: skip
    if library is None:
        print("tljs+lib: not counted (TimelineJS's timeline.js and timeline.css; pass "
              "--timelinejs with an unpacked @knight-lab/timelinejs package)")  # fmt: skip
    else:
        print(f"tljs+lib: plus TimelineJS's timeline.js and timeline.css, {kb(library)} gz")
    for tool in NOT_OFFLINE:
        print(f"{tool}: not measured (not available offline), no figure given")


def _breakdown(results: list[Figures]) -> None:
    """Each part of index.html in bytes and share of the page, one column per size."""
    print("\nWhere index.html's bytes go (raw, share of the page)")
    print(f"{'part':<30}" + "".join(f"{f'{r.events} events':>18}" for r in results))
    names = list(dict.fromkeys(name for r in results for name in r.parts))
    for name in names:
        cells = ""
        for r in results:
            size = r.parts.get(name)
            share = "" if size is None else f" ({100 * size / r.index:4.1f}%)"
            cells += f"{kb(size) + share:>18}"
        print(f"{name:<30}{cells}")


def _yes(value: bool) -> str:
    return "yes" if value else "NO"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 20000])
    parser.add_argument(
        "--timelinejs", type=Path, metavar="PACKAGE", default=TESTS_TIMELINEJS,
        help="an unpacked @knight-lab/timelinejs package, to count its library too "
             "(default: the one the tests install, when present)",
    )  # fmt: skip
    args = parser.parse_args()
    library = library_gz(args.timelinejs)
    base = os.environ.get("BENCH_DIR") or ("/dev/shm" if Path("/dev/shm").is_dir() else None)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        results = []
        for count in args.sizes:
            print(f"measuring {count} events...", flush=True)
            results.append(measure(count, Path(tmp)))
        report(results, library)
    missed = [message for r in results for message in failures(r)]
    for message in missed:
        print(f"BUDGET MISSED: {message}")
    if missed:
        sys.exit(1)
    print(f"\nwithin budget: index.html under {INDEX_BUDGET:,} bytes, strip at most "
          f"{STRIP_BUDGET:,} bytes, at every size")  # fmt: skip


if __name__ == "__main__":
    main()
