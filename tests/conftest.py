"""Shared helpers: run the command line in-process and build throwaway sites.

Tests never write into the repository: the example site is copied to a temporary folder and
built there once per run (`example_site`, `example_build`, `example`), and a session guard
fails the run if the repository's `git status` changed while the tests ran.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import os
import shutil
import socket
import subprocess
import tempfile
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis.configuration import set_hypothesis_home_dir

from timeline.cli import main, make_parser, run

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Hypothesis keeps its example database outside the repository (tests never write into it).
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "timeline-tests-hypothesis")


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `build.py ARGS...` in this process and capture its exit code and output."""

    def invoke(*args: str | Path) -> CliResult:
        capsys.readouterr()
        try:
            code = run(make_parser().parse_args([str(a) for a in args]))
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


def build_ok(*args: str | Path) -> None:
    """Run `build.py build ARGS...` in this process and insist that it succeeds."""
    with pytest.raises(SystemExit) as done:
        main(["build", *(str(a) for a in args)])
    assert done.value.code == 0


def write_event(site: Path, name: str, text: str) -> Path:
    """Write `content/events/<name>` with dedented text."""
    path = site / "content" / "events" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def event_text(title: str, date: str, body: str = "Body.", **fields: str) -> str:
    """A minimal valid event file; extra frontmatter lines come from `fields`."""
    lines = [f"title: {title}", f"date: {date}", *(f"{k}: {v}" for k, v in fields.items())]
    return "---\n" + "\n".join(lines) + f"\n---\n{body}\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An empty site folder with a title."""
    root = tmp_path / "site"
    (root / "content" / "events").mkdir(parents=True)
    (root / "site.toml").write_text('title = "Test timeline"\n', encoding="utf-8")
    return root


def copy_fixture(kind: str, name: str, destination: Path) -> Path:
    """Copy `fixtures/<kind>/<name>` so a test may change it freely."""
    target = destination / name
    shutil.copytree(FIXTURES / kind / name, target)
    return target


def touch_later(path: Path) -> None:
    """Give an edited file a newer mtime even on file systems with coarse timestamps."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> content hash of every file under `folder`."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` (hidden ones included), with a hash of files."""
    return {
        p.relative_to(folder).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        )
        for p in sorted(folder.rglob("*"))
    }


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not print a line per request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(folder: Path, port: int = 0) -> Iterator[str]:
    """Serve `folder` over real HTTP on 127.0.0.1 (a free port by default); yield its URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright. Missing: a failure under CI=true, else a skip."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class WatchedPage:
    """A browser page that records console errors and failed requests for the test to check."""

    page: object
    problems: list[str]


@pytest.fixture
def web_page(chromium):
    """A fresh page; the test fails if the page logged an error or a request failed."""
    context = chromium.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "requestfailed",
        lambda r: None if r.failure == "net::ERR_ABORTED" else problems.append(f"failed: {r.url}"),
    )
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    yield WatchedPage(page, problems)
    context.close()
    assert problems == []


JS_TOOLS = ROOT / "tests" / "js-tools" / "node_modules"
AXE = JS_TOOLS / "axe-core" / "axe.min.js"
VNU = JS_TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require(path: Path | str | None, what: str) -> None:
    """A tool the test needs: missing is a failure under CI=true, a skip elsewhere."""
    if path and Path(path).exists():
        return
    message = f"{what} not found (run: npm ci --prefix tests/js-tools --ignore-scripts)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


# The example site, copied and built once per test run ---------------------------------------

EXAMPLE_BASE_URL = "https://example.org/repo/"


def copy_example(destination: Path) -> Path:
    """Copy the repository's example site (content/ and site.toml) to `destination`; the
    default theme (templates/, static/) is found without copying it."""
    shutil.copytree(ROOT / "content", destination / "content")
    shutil.copy2(ROOT / "site.toml", destination / "site.toml")
    return destination


def git(folder: Path, *args: str, when: str = "2024-05-02T10:00:00Z") -> str:
    """Run git in `folder` as a fixed author at a fixed time (so builds are reproducible)."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}  # fmt: skip
    done = subprocess.run(["git", "-C", str(folder), *args], env=env, capture_output=True,
                          text=True, check=True)  # fmt: skip
    return done.stdout


def commit_all(folder: Path, message: str = "Write", when: str = "2024-05-02T10:00:00Z") -> None:
    """Make `folder` a git repository if it is not one, and commit everything in it."""
    if not (folder / ".git").exists():
        git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message, when=when)


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example site, committed to a git repository of its own (as on GitHub),
    shared by the whole run: read it, never change it (make your own with
    `copy_example(tmp_path / "site")` for that)."""
    site = copy_example(tmp_path_factory.mktemp("example") / "site")
    commit_all(site, "The example")
    return site


@dataclass(frozen=True)
class ExampleBuild:
    """The example site built once for EXAMPLE_BASE_URL: its output, and what `build` said."""

    site: Path
    out: Path
    base_url: str
    out_text: str
    err_text: str


@pytest.fixture(scope="session")
def example_build(example_site: Path, tmp_path_factory: pytest.TempPathFactory) -> ExampleBuild:
    """The shared example build, in `<tmp>/repo` (so that its parent can be served and the
    site appears under /repo/, as on GitHub Pages). Tests only read it."""
    out = tmp_path_factory.mktemp("example-out") / "repo"
    args = ["build", "--site", str(example_site), "--out", str(out),
            "--base-url", EXAMPLE_BASE_URL]  # fmt: skip
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        try:
            code = run(make_parser().parse_args(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    assert code == 0, f"the example site did not build:\n{stderr.getvalue()}"
    return ExampleBuild(example_site, out, EXAMPLE_BASE_URL, stdout.getvalue(), stderr.getvalue())


@pytest.fixture(scope="session")
def example(example_build: ExampleBuild) -> Iterator[tuple[str, Path]]:
    """The shared example build served over real HTTP: (URL of its /repo/ folder, output)."""
    with serve_folder(example_build.out.parent) as url:
        yield url + "repo/", example_build.out


# Markers ------------------------------------------------------------------------------------

BROWSER_FIXTURES = {"chromium", "web_page"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that drives Chromium (directly or through another fixture) is a `browser`
    test, so that `pytest -m "not browser"` runs all the others."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


# The repository stays as it was -------------------------------------------------------------

UNWATCHED = (".venv", "node_modules", "__pycache__", ".pytest_cache")


def repository_state() -> set[str] | None:
    """`git status` of the repository, every untracked and ignored file listed on its own
    (tools' own folders left out); None outside a git work tree."""
    excludes = [f":(exclude,glob)**/{name}/**" for name in UNWATCHED]
    done = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all", "--", ".",
         *excludes],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        return None
    return {
        line
        for line in done.stdout.splitlines()
        if not any(part in UNWATCHED for part in line[3:].split("/"))
    }


@pytest.fixture(scope="session", autouse=True)
def repository_untouched() -> Iterator[None]:
    """Fail the run if the tests wrote into the repository (a build cache, an output, a tool's
    cache): every build must use a temporary copy of its site."""
    before = repository_state()
    yield
    after = repository_state()
    if before is None or after is None:
        return
    changed = sorted(after - before)
    assert not changed, "the tests wrote into the repository:\n" + "\n".join(changed)
