"""Build benchmarks: cold, warm and one-edit builds, peak memory and output size, for synthetic
sites of N events, beside a bare Python baseline measured in the same run.

    python benchmarks/run.py [--sizes 1000 4000 20000] [--profile]

Files live in $BENCH_DIR (default: /dev/shm when it exists, so that CPU is measured rather
than disk noise). Each figure is the median of --repeats runs:
  cold      `build.py build --no-cache`, a fresh process (search index included)
  cold-idx  the same cold build without the search index (no_index.py, a fresh process)
  warm      `build.py build` again with nothing changed (cache in <site>/.cache)
  resaved   `build.py build` after one event file was saved again without a change: every
            page is planned and compared, none is rendered or rewritten
  ci        `build.py build` as the Pages workflow runs it: every file of the site with a new
            modification time (a fresh checkout), no output folder, only `.cache/` restored
  edit      one event's title changed, rebuilt as the live preview does (in memory, after a
            first build), from the change being noticed to the new pages being written (the
            preview then reloads the browsers and refreshes the data exports): the median of
            at least five edits; `first`: the first edit after starting, which also fills
            the caches this process had not used yet (the first build ran in worker
            processes); `idle`: what the preview does before it while idle, rendering the
            list pages again in its own process (an edit made meanwhile interrupts it)
  memory    peak resident memory of the build process, and of its largest helper (a forked
            worker, whose figure counts the memory it shares with the build, or Pagefind);
            `all`: the peak of all the build's processes together (proportional set sizes
            from /proc, shared memory counted once)
  floor     the issue's "bare Python loop": python-frontmatter + Python-Markdown (extra, toc)
            + a tiny Jinja template, one file per event plus an index page, in two processes;
            `floor*` is the same loop with this generator's Markdown extensions (adding
            sane_lists and smarty), for a like-for-like comparison.
  hugo      Hugo's cold build of the same events, when `hugo` is installed (see reference.py)
  mkdocs    MkDocs' build of the same events (its `mkdocs` theme, Markdown extra + toc), with
            its built-in search plugin and without; `pelican`, Pelican's (its `simple` theme,
            the same Markdown): both installed from PyPI into a virtual environment of their
            own in the benchmark folder (reference.py); --no-python-tools leaves them out
--profile adds the build's own per-stage timings (compile = read, parse and Markdown).
Builds run with Python's bytecode cache on, as they do for users, even where the environment
sets PYTHONDONTWRITEBYTECODE (which would add the compilation of every module to each figure).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402
from benchmarks.reference import (  # noqa: E402
    hugo_build,
    hugo_command,
    hugo_site,
    mkdocs_build,
    mkdocs_site,
    pelican_build,
    pelican_site,
    tool_python,
)

REFERENCE_EXTENSIONS = ["extra", "toc"]
OUR_EXTENSIONS = ["extra", "sane_lists", "smarty", "toc"]


# The bare loop -------------------------------------------------------------------------------

_extensions: list[str] = []
_out: Path = Path()


def _bare_one(path: str) -> tuple[str, str]:
    import frontmatter
    import jinja2
    import markdown

    post = frontmatter.load(path)
    body = markdown.markdown(post.content, extensions=_extensions)
    page = jinja2.Template("<h1>{{ t }}</h1>{{ b }}").render(t=post["title"], b=body)
    target = _out / Path(path).stem / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page)
    return Path(path).stem, str(post["title"])


def bare_loop(site: Path, out: Path, extensions: list[str], processes: int) -> float:
    """The issue's baseline: no validation, no search, no exports; seconds it takes."""
    global _extensions, _out
    _extensions, _out = extensions, out
    shutil.rmtree(out, ignore_errors=True)
    files = sorted(str(p) for p in (site / "content" / "events").glob("*.md"))
    start = time.perf_counter()
    if processes == 1:
        titles = [_bare_one(f) for f in files]
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            titles = pool.map(_bare_one, files, chunksize=64)
    index = "".join(f'<li><a href="{slug}/">{title}</a></li>' for slug, title in titles)
    (out / "index.html").write_text(f"<ul>{index}</ul>")
    return time.perf_counter() - start


# The generator ---------------------------------------------------------------------------


def run_build(site: Path, out: Path, *extra: str, sample: bool = False) -> dict[str, float]:
    """One `build.py build --profile` in a fresh process: wall time, stages, memory (its
    own peak, its largest helper's, and with `sample` the peak of all its processes
    together, sampled in a run of its own: reading their memory maps slows them down)."""
    command = [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site),
               "--out", str(out), "--profile", *extra]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryFile("w+") as said, tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()  # files, not pipes: nobody reads them while it runs
        process = subprocess.Popen(command, stdout=said, stderr=errors, text=True, env=env)
        together = _peak_together(process) if sample else 0.0
        process.wait()
        wall = time.perf_counter() - start
        said.seek(0)
        errors.seek(0)
        stdout, stderr = said.read(), errors.read()
    if process.returncode != 0:
        raise RuntimeError(f"the build failed:\n{stdout}{stderr}")
    figures = {"wall": wall, "together": together}
    for name, seconds in re.findall(r"^\s+(\w+)\s+([\d.]+) s$", stdout, re.MULTILINE):
        figures[name] = float(seconds)
    memory = re.search(r"peak memory (\d+) MB \(this process\), (\d+) MB", stdout)
    if memory:
        figures["memory"], figures["helper"] = float(memory.group(1)), float(memory.group(2))
    return figures


def _peak_together(process: subprocess.Popen[str]) -> float:
    """Peak memory of a process and all its descendants at once, in MB: the sum of their
    proportional set sizes (memory shared between forked workers counted once), sampled
    every 50 ms from /proc; 0 where there is no /proc."""
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_pss_kb(pid) for pid in _process_tree(process.pid)))
        time.sleep(0.05)
    return peak / 1024


def _process_tree(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
            for child in children:
                found += _process_tree(int(child))
    except OSError:  # it ended meanwhile
        pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def unindexed_build(site: Path, out: Path) -> float:
    """Seconds of a cold build without the search index, in a fresh process (no_index.py)."""
    shutil.rmtree(out, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    command = [sys.executable, str(ROOT / "benchmarks" / "no_index.py"), str(site), str(out)]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def fresh_checkout(site: Path, out: Path, repeats: int) -> float:
    """Median seconds for a build as the Pages workflow runs it: every file of the site with
    a new modification time (a fresh checkout), no output folder, `.cache/` restored."""
    times = []
    for _ in range(repeats):
        later = time.time() + 1
        for path in site.rglob("*"):
            if path.is_file() and ".cache" not in path.relative_to(site).parts:
                os.utime(path, (later, later))
        shutil.rmtree(out)
        times.append(run_build(site, out)["wall"])
    return statistics.median(times)


def resaved(site: Path, out: Path, repeats: int) -> float:
    """Median seconds for a build after one event file's modification time moved on."""
    path = sorted((site / "content" / "events").glob("*.md"))[0]
    times = []
    for _ in range(repeats):
        os.utime(path)
        times.append(run_build(site, out)["wall"])
    return statistics.median(times)


def one_edit(site: Path, out: Path, repeats: int) -> tuple[float, float, float]:
    """Seconds for the preview's rebuild after one event's title changes, up to its pages
    being written in place (the preview's own pipeline and output; exports follow): the
    median of `repeats` edits after the first, the first, and the preview's warm-up while
    idle before it."""
    from timeline.builder import Builder
    from timeline.parallel import fewer_collections
    from timeline.pipeline import Pipeline
    from timeline.preview import ServedOutput
    from timeline.project import open_site

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    shown: list[float] = []
    static: dict = {}

    def output(first: bool) -> ServedOutput:
        return ServedOutput(out, "/", first=first, static=static, indexer=_NoIndex(),
                            shown=lambda run: shown.append(time.perf_counter()))  # fmt: skip

    with fewer_collections():
        builder = Builder(open_site(site), drafts=True, parallel=True)
        Pipeline(builder, output(True)).run()
        builder.warm_up()  # as the preview does once its first build is done
        builder.parallel = False
        start = time.perf_counter()
        builder.warm_lists(lambda: False)  # as the preview does while idle, before any edit
        warming = time.perf_counter() - start
        path = sorted((site / "content" / "events").glob("*.md"))[len(builder.compiled) // 3]
        original = path.read_text()
        times = []
        try:
            for number in range(repeats + 1):
                path.write_text(original.replace('title: "', f'title: "Edit {number} ', 1))
                start = time.perf_counter()
                Pipeline(builder, output(False)).run([path.relative_to(site).as_posix()])
                times.append(shown[-1] - start)
        finally:
            path.write_text(original)
    return statistics.median(times[1:]), times[0], warming


class _NoIndex:
    """The preview refreshes its search index in the background; not measured here."""

    def request(self, folder: Path) -> None:
        pass


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def python_tools(site: Path, workdir: Path, count: int, repeats: int) -> dict[str, float]:
    """MkDocs (with and without its search) and Pelican on the same events, cold, medians."""
    python = tool_python(workdir / "tools")
    figures = {}
    for name, make, build in (
        ("mkdocs", lambda t: mkdocs_site(site, t, search=False), mkdocs_build),
        ("mkdocs_search", lambda t: mkdocs_site(site, t, search=True), mkdocs_build),
        ("pelican", lambda t: pelican_site(site, t), pelican_build),
    ):
        source, out = workdir / f"{name}-{count}", workdir / f"{name}-out-{count}"
        make(source)
        figures[name] = statistics.median(build(python, source, out) for _ in range(repeats))
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(source, ignore_errors=True)
    return figures


def measure(count: int, workdir: Path, repeats: int, tools: bool) -> dict[str, object]:
    site = workdir / f"site-{count}"
    if not (site / "content").exists():
        generate(count, site)
    out = workdir / f"out-{count}"
    cold = median_of([run_build(site, out, "--no-cache") for _ in range(repeats)])
    cold["unindexed"] = statistics.median(unindexed_build(site, out) for _ in range(repeats))
    cold["together"] = run_build(site, out, "--no-cache", sample=True)["together"]
    run_build(site, out)  # `--no-cache` keeps no cache: one build to make it again
    warm = median_of([run_build(site, out) for _ in range(repeats)])
    figures = {
        "cold": cold, "warm": warm, "resaved": resaved(site, out, repeats), "size": size_of(out),
        "ci": fresh_checkout(site, out, repeats),
        "floor1": bare_loop(site, workdir / "bare", REFERENCE_EXTENSIONS, 1),
        "floor2": bare_loop(site, workdir / "bare", REFERENCE_EXTENSIONS, 2),
        "floor2_ours": bare_loop(site, workdir / "bare", OUR_EXTENSIONS, 2),
        "edit": one_edit(site, workdir / f"edit-{count}", max(5, repeats * 2)),
    }  # fmt: skip
    if hugo_command():
        hugo_source = workdir / f"hugo-{count}"
        hugo_site(site, hugo_source)
        hugo_out = workdir / f"hugo-out-{count}"
        figures["hugo"] = statistics.median(
            hugo_build(hugo_source, hugo_out) for _ in range(repeats)
        )
        shutil.rmtree(hugo_out, ignore_errors=True)
    if tools:
        figures.update(python_tools(site, workdir, count, repeats))
    shutil.rmtree(workdir / "bare", ignore_errors=True)
    shutil.rmtree(workdir / f"edit-{count}", ignore_errors=True)
    return figures


def report(results: dict[int, dict], profile: bool) -> None:
    print(f"\nMachine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    header = (f"{'events':>7} {'cold':>8} {'cold-idx':>8} {'index':>7} {'warm':>7} "
              f"{'resaved':>7} {'ci':>7} {'edit':>7} {'first':>7} {'idle':>7} "
              f"{'memory':>8} {'helper':>8} {'all':>8} {'output':>8} {'floor1':>7} {'floor2':>7} "
              f"{'floor2*':>7} {'hugo':>7}")  # fmt: skip
    print(header)
    for count, r in results.items():
        cold, warm = r["cold"], r["warm"]
        index = cold["wall"] - cold["unindexed"]
        print(
            f"{count:>7} {cold['wall']:>7.2f}s {cold['unindexed']:>7.2f}s {index:>6.2f}s "
            f"{warm['wall']:>6.2f}s {r['resaved']:>6.2f}s {r['ci']:>6.2f}s "
            f"{r['edit'][0] * 1000:>5.0f}ms {r['edit'][1] * 1000:>5.0f}ms {r['edit'][2]:>6.2f}s "
            f"{cold.get('memory', 0):>6.0f}MB {cold.get('helper', 0):>6.0f}MB "
            f"{cold.get('together', 0):>6.0f}MB "
            f"{r['size'] / 1e6:>6.0f}MB {r['floor1']:>6.2f}s {r['floor2']:>6.2f}s "
            f"{r['floor2_ours']:>6.2f}s {_seconds(r.get('hugo'))}"
        )
    print(
        "cold-idx: a cold build without its search index (no_index.py), the part the floor "
        "measures; index: what the index adds to a cold build"
    )
    for count, r in results.items():
        if "hugo" in r:
            cold, warm, hugo = r["cold"]["wall"], r["warm"]["wall"], r["hugo"]
            ci = r["ci"] / hugo
            print(f"against Hugo, {count} events: cold {cold / hugo:.1f}x, "
                  f"warm {warm / hugo:.2f}x, ci {ci:.2f}x (target 0.5)")  # fmt: skip
        if "pelican" in r:
            cold = r["cold"]["wall"]
            bare = r["cold"]["unindexed"]
            print(
                f"against MkDocs and Pelican, {count} events: MkDocs {r['mkdocs']:.2f}s, "
                f"with search {r['mkdocs_search']:.2f}s, Pelican {r['pelican']:.2f}s; "
                f"cold without index {bare / r['mkdocs']:.2f}x MkDocs (target 0.8), cold "
                f"{cold / r['pelican']:.2f}x Pelican (target 1.0) and "
                f"{cold / r['mkdocs_search']:.2f}x MkDocs with search (target 1.3)"
            )
    counts = list(results)
    if len(counts) > 1:
        first, last = counts[0], counts[-1]
        ratio = results[last]["cold"]["wall"] / results[first]["cold"]["wall"]
        print(f"scaling: {last} events take {ratio:.1f}x the time of {first}")
    if profile:
        for count, r in results.items():
            stages = ", ".join(
                f"{k} {v:.2f}s"
                for k, v in r["cold"].items()
                if k not in ("wall", "memory", "helper", "unindexed", "together")
            )
            print(f"profile {count:>6} (cold): {stages}")


def _seconds(value: float | None) -> str:
    return f"{value:>6.2f}s" if value is not None else f"{'-':>7}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 20000])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="per-stage timings of cold builds")
    parser.add_argument("--no-python-tools", action="store_true",
                        help="skip MkDocs and Pelican (installed from PyPI otherwise)")  # fmt: skip
    args = parser.parse_args()
    base = os.environ.get("BENCH_DIR") or ("/dev/shm" if Path("/dev/shm").is_dir() else None)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        results = {}
        for count in args.sizes:
            print(f"measuring {count} events...", flush=True)
            results[count] = measure(count, Path(tmp), args.repeats, not args.no_python_tools)
            report({count: results[count]}, args.profile)
        report(results, args.profile)


if __name__ == "__main__":
    main()
