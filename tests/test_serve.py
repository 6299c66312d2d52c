"""The live preview, as an author uses it: a real `serve` process, real HTTP, real edits."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, build_ok, event_text, free_port, write_event
from timeline.preview import Preview
from timeline.search import IndexJob
from timeline.server import Address

TIMEOUT = 15


class ServeProcess:
    """`python build.py serve` in a subprocess, with its output collected line by line."""

    def __init__(self, site: Path, *args: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--site", str(site),
             "--port", str(self.port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, sink in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()

    def _pump(self, stream, sink: list[str]) -> None:
        for line in stream:
            sink.append(line)
            self.lines.put(line)

    def wait_for_output(self, text: str, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.out + self.err:
                if text in line:
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not printed; output: {''.join(self.out + self.err)}")

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/sub/{path}"

    def get(self, path: str = "") -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url(path), timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, ""

    def status(self) -> list[str]:
        return json.loads(self.get("__preview/status.json")[1])["errors"]

    def stop(self) -> float:
        start = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=10)
        return time.monotonic() - start


def eventually(check: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def preview_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "content" / "events").mkdir(parents=True)
    (site / "site.toml").write_text(
        'title = "Preview test"\nbase_url = "https://example.org/sub/"\n'
    )
    write_event(site, "first.md", event_text("First event", "2019-01-01", body="Alpha body."))
    write_event(site, "second.md", event_text("Second event", "2020-02-02", tags="[russia]"))
    return site


@pytest.fixture
def server(preview_site: Path) -> Iterator[ServeProcess]:
    process = ServeProcess(preview_site)
    process.wait_for_output("Preview at")
    yield process
    if process.process.poll() is None:
        process.stop()


def test_serves_under_the_base_path_with_the_reload_script(server, preview_site, tmp_path, cli):
    line = server.wait_for_output("Preview at")
    assert f"http://127.0.0.1:{server.port}/sub/" in line
    status, page = server.get()
    assert status == 200
    assert "First event" in page and "livereload.js" in page
    assert server.get("events/first/")[0] == 200
    assert cli("build", "--site", preview_site, "--out", tmp_path / "built").code == 0
    for built in (tmp_path / "built").rglob("*.html"):
        text = built.read_text()
        assert "livereload" not in text and "__preview" not in text


def test_an_edit_shows_in_the_served_page(server, preview_site):
    write_event(preview_site, "first.md", event_text("First event, edited", "2019-01-01"))
    eventually(lambda: "First event, edited" in server.get("events/first/")[1])
    eventually(lambda: "First event, edited" in server.get()[1])
    server.wait_for_output("Rebuilt in")


def test_files_in_templates_that_no_page_uses_do_not_stop_the_preview(preview_site):
    """Once started, the preview compiles every template it may need; one that no page uses
    and that does not compile, or a picture kept beside them, must not stop it."""
    templates = preview_site / "templates"
    templates.mkdir()
    (templates / "draft-idea.html").write_text("{% if %}\n")
    (templates / "sketch.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    process = ServeProcess(preview_site)
    try:
        process.wait_for_output("Preview at")
        write_event(preview_site, "first.md", event_text("First event, edited", "2019-01-01"))
        eventually(lambda: "First event, edited" in process.get("events/first/")[1])
        assert process.status() == []
    finally:
        process.stop()


def test_broken_yaml_is_shown_and_the_server_stays_up(server, preview_site):
    path = preview_site / "content" / "events" / "first.md"
    good = path.read_text()
    path.write_text("---\ntitle: [unclosed\ndate: 2019\n---\n")
    expected = "content/events/first.md:3: frontmatter: invalid YAML"
    eventually(lambda: any(e.startswith(expected) for e in server.status()))
    server.wait_for_output(expected)
    status, page = server.get("events/first/")
    assert status == 200 and "First event" in page  # the last good page is still served
    assert "__preview/overlay.js" in page
    path.write_text(good.replace("First event", "First event, fixed"))
    eventually(lambda: server.status() == [])
    eventually(lambda: "First event, fixed" in server.get("events/first/")[1])


def test_events_can_be_added_renamed_and_deleted(server, preview_site):
    events = preview_site / "content" / "events"
    write_event(preview_site, "third.md", event_text("Third event", "2021-03-03"))
    eventually(lambda: server.get("events/third/")[0] == 200)
    assert "Third event" in server.get()[1]
    (events / "third.md").rename(events / "fourth.md")
    eventually(lambda: server.get("events/fourth/")[0] == 200)
    eventually(lambda: server.get("events/third/")[0] == 404)
    (events / "fourth.md").unlink()
    eventually(lambda: server.get("events/fourth/")[0] == 404)
    eventually(lambda: "Third event" not in server.get()[1])


def test_template_errors_are_reported_with_file_and_line(server, preview_site):
    templates = preview_site / "templates"
    templates.mkdir()
    (templates / "404.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{{ nope.x }}\n{% endblock %}\n'
    )
    eventually(
        lambda: any(e.startswith("templates/404.html:3: template:") for e in server.status())
    )
    (templates / "404.html").write_text(
        '{% extends "base.html" %}\n{% block main %}Lost{% endblock %}\n'
    )
    eventually(lambda: server.status() == [])
    eventually(lambda: "Lost" in server.get("404.html")[1])


def test_a_config_change_rerenders_everything(server, preview_site):
    (preview_site / "site.toml").write_text(
        'title = "Renamed"\nbase_url = "https://example.org/sub/"\n'
    )
    eventually(lambda: "<title>First event · Renamed</title>" in server.get("events/first/")[1])
    eventually(lambda: "<title>Renamed</title>" in server.get()[1])


def test_drafts_are_shown_and_marked(server, preview_site):
    write_event(preview_site, "wip.md", event_text("Work in progress", "2022", draft="true"))
    eventually(lambda: server.get("events/wip/")[0] == 200)
    assert "Draft" in server.get("events/wip/")[1]
    assert "badge--draft" in server.get()[1]


def test_the_search_index_is_refreshed(server, preview_site):
    write_event(preview_site, "zebra.md", event_text("Zebra crossing", "2023"))

    def indexed() -> bool:
        status, text = server.get("pagefind/timeline-pages.json")
        pages = json.loads(text)["pages"] if status == 200 else {}
        return "zebra" in [page[0] for page in pages.values()]

    eventually(indexed, timeout=30)


def process_state(pid: int) -> str:
    """R, S, T (stopped)... from /proc: the field after the parenthesised command name."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process states from /proc")
def test_an_index_held_during_a_rebuild_stands_still_then_completes(preview_site, tmp_path):
    """The preview holds its background index still while the author waits for a rebuild
    (it shares the cores even at low priority), and lets it go on afterwards."""
    out = tmp_path / "out"
    build_ok("--site", preview_site, "--out", out)
    bundle = tmp_path / "bundle"
    job = IndexJob(out, bundle, background=True)
    try:
        job.hold()
        time.sleep(1)
        assert process_state(job.process.pid) == "T"
        assert not bundle.exists()
        job.go_on()
        job.wait()
        assert (bundle / "pagefind-entry.json").is_file()
    finally:
        job.stop()


def group_members(group: int) -> list[int]:
    """The processes of a process group, from /proc (a process may end while it is read)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's parent-death signal")
def test_a_held_index_ends_with_a_caller_killed_outright(preview_site, tmp_path):
    """A preview killed during a rebuild (`kill -9`, out of memory) runs no clean-up: the
    index it held still must not stay stopped, holding its memory, for good."""
    out = tmp_path / "out"
    build_ok("--site", preview_site, "--out", out)
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from timeline.search import IndexJob\n"
        f"job = IndexJob(Path({str(out)!r}), Path({str(tmp_path / 'bundle')!r}),"
        " background=True)\n"
        "job.hold()\n"
        "print(job.process.pid, flush=True)\n"
        "time.sleep(0.5)\n"
        "os._exit(9)\n"
    )
    caller = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT, timeout=TIMEOUT, check=False)  # fmt: skip
    group = int(caller.stdout.split()[0])
    try:
        eventually(lambda: not group_members(group), timeout=5)
    finally:
        for pid in group_members(group):
            os.kill(pid, signal.SIGKILL)


def test_the_preview_lets_its_index_go_on_after_each_rebuild(preview_site):
    """Held while a rebuild runs, whether it succeeds or fails, and let go once it ends."""
    calls: list[str] = []

    class Recorder:
        def request(self, folder: Path) -> None:
            calls.append("request")

        def pause(self) -> None:
            calls.append("pause")

        def resume(self) -> None:
            calls.append("resume")

    preview = Preview(preview_site, Address("127.0.0.1", 0))
    preview.indexer = Recorder()  # type: ignore[assignment]
    try:
        assert preview.rebuild(None)
        assert calls[0] == "pause" and calls[-1] == "resume"
        assert calls.index("request") < calls.index("resume")  # shown, then indexed
        calls.clear()
        (preview_site / "content" / "events" / "first.md").write_text("---\ntitle: [\n---\n")
        assert not preview.rebuild({str(preview_site / "content" / "events" / "first.md")})
        assert calls == ["pause", "resume"]
    finally:
        shutil.rmtree(preview.served, ignore_errors=True)


def test_ctrl_c_stops_cleanly_and_quickly(server):
    seconds = server.stop()
    assert server.process.returncode == 0
    assert seconds < 2
    assert "Traceback" not in "".join(server.err)
    assert "Preview stopped." in "".join(server.out)


def test_a_port_in_use_is_a_clear_message(server, preview_site):
    second = ServeProcess(preview_site, port=server.port)
    assert second.process.wait(timeout=TIMEOUT) == 2
    error = "".join(second.err)
    assert f"port {server.port} on 127.0.0.1 is already in use" in error
    assert f"--port {server.port + 1}" in error
    assert "Traceback" not in error


def test_an_open_page_reloads_by_itself_after_each_save(server, preview_site, web_page):
    page = web_page.page
    page.goto(server.url("events/first/"))
    page.wait_for_function("() => window.LiveReload !== undefined")
    for attempt in range(2):
        title = f"Saved version {attempt}"
        write_event(preview_site, "first.md", event_text(title, "2019-01-01"))
        page.wait_for_function(
            "t => document.querySelector('h1').textContent === t", arg=title, timeout=10_000
        )
        time.sleep(1)  # the second save comes within livereload's 3 s quiet period


def test_the_overlay_shows_errors_in_the_browser(server, preview_site, web_page):
    page = web_page.page
    page.goto(server.url())
    page.wait_for_function("() => window.LiveReload !== undefined")
    write_event(preview_site, "second.md", "---\ntitle: Second\ndate: 2019-13-45\n---\n")
    alert = page.locator("#timeline-preview-errors")
    alert.wait_for(timeout=10_000)
    assert alert.get_attribute("role") == "alert"
    assert "content/events/second.md:3: date:" in alert.inner_text()
    write_event(preview_site, "second.md", event_text("Second again", "2020"))
    page.wait_for_function("() => !document.querySelector('#timeline-preview-errors')")


def test_search_works_in_the_preview(server, web_page):
    eventually(lambda: server.get("pagefind/timeline-pages.json")[0] == 200, timeout=30)
    page = web_page.page
    page.goto(server.url())
    page.fill("#search-q", "alpha")
    page.wait_for_function(
        "document.querySelector('#search-status').textContent === '1 of 2 events'"
    )
    visible = page.eval_on_selector_all(
        "li.event-item:not([hidden])", "els => els.map(e => e.dataset.slug)"
    )
    assert visible == ["first"]
