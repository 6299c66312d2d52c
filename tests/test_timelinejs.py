"""`timelinejs.json` in the real TimelineJS, offline, in Chromium.

The export exists to be handed to TimelineJS as it is, and TimelineJS is quiet about data it
dislikes: it skips an event without a start date, drops an end date it judges redundant, and
refuses the whole file (a message in the page, nothing on the console) when an era lacks an end.
Reading our JSON back in Python cannot show any of that, so this test loads the example site's
export in the library itself (pinned in tests/js-tools/package.json) and counts what it draws:
one band on the time navigator per era, one marker and one slide per event. Nothing may leave
127.0.0.1: TimelineJS's fonts and language files come from a CDN by default, so the harness
turns them off, and any other request is blocked and fails the test.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

from tests.conftest import EXAMPLE_BASE_URL, JS_TOOLS, require, serve_folder

TIMELINEJS = JS_TOOLS / "@knight-lab" / "timelinejs" / "dist"
EXPORT = "timelinejs.json"

# `script_path` is where TimelineJS looks for fonts, themes and language files; it defaults to
# cdn.knightlab.com. `font: null` loads no font CSS, and "en" is built in, so nothing is fetched.
HARNESS = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>TimelineJS harness</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="css/timeline.css">
<script src="js/timeline.js"></script>
<style>#timeline-embed { width: 1200px; height: 650px; }</style>
</head>
<body>
<div id="timeline-embed"></div>
<script>
  window.timeline = new TL.Timeline("timeline-embed", "EXPORT", {
    script_path: new URL("js/", location.href).href,
    font: null,
    language: "en",
    hash_bookmark: false,
  });
</script>
</body>
</html>
""".replace("EXPORT", EXPORT)

# Media.loadMedia() (src/js/media/Media.js) starts loading a slide's media 1200 ms after the
# slide is shown.
MEDIA_DELAY_MS = 1500

# Ready, or given up: TimelineJS shows a refused file in the page and never fires "ready".
SETTLED = "() => timeline.ready || (timeline.config !== null && !timeline.config.isValid())"


def harness(folder: Path, export: Path) -> Path:
    """TimelineJS's dist files, the export and a page that loads the one into the other."""
    ignore = shutil.ignore_patterns("*.map")
    shutil.copytree(TIMELINEJS / "js", folder / "js", ignore=ignore)
    shutil.copytree(TIMELINEJS / "css", folder / "css", ignore=ignore)
    shutil.copy2(export, folder / EXPORT)
    (folder / "index.html").write_text(HARNESS, encoding="utf-8")
    return folder


def stay_offline(page, local: str, site: Path) -> list[str]:
    """Let requests to `local` through; answer those for the site's own address (an image in
    a slide) from its build output; block and list every other one."""
    blocked: list[str] = []

    def handle(route) -> None:
        url = route.request.url
        if url.startswith(local):
            route.continue_()
        elif url.startswith(EXAMPLE_BASE_URL):
            path = site / url.removeprefix(EXAMPLE_BASE_URL).split("?")[0]
            if path.is_file():
                route.fulfill(path=path)
            else:
                route.fulfill(status=404)
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", handle)
    return blocked


def open_timeline(page, url: str) -> None:
    """Open the harness and wait until TimelineJS has drawn the timeline, or refused it."""
    page.goto(url + "index.html")
    page.wait_for_function(SETTLED, timeout=15_000)
    refused = page.locator(".tl-message-full").all_inner_texts()
    assert page.evaluate("timeline.ready"), f"TimelineJS refused {EXPORT}: {refused}"
    assert page.evaluate("timeline.config.messages") == {"errors": [], "warnings": []}


def headlines(page, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(f"{selector} .tl-headline").all_inner_texts()]


def test_timelinejs_draws_every_era_and_event(example, web_page, tmp_path: Path) -> None:
    require(TIMELINEJS / "js" / "timeline.js", "TimelineJS (@knight-lab/timelinejs)")
    _, out = example
    data = json.loads((out / EXPORT).read_text(encoding="utf-8"))
    # Headlines are HTML to TimelineJS (the export escapes titles): compare their text.
    eras = [html.unescape(era["text"]["headline"]) for era in data.get("eras", [])]
    events = [html.unescape(event["text"]["headline"]) for event in data["events"]]
    assert eras, "the example site has periods: its export should have eras"
    page = web_page.page
    with serve_folder(harness(tmp_path, out / EXPORT)) as url:
        blocked = stay_offline(page, url, out)
        open_timeline(page, url)
        assert page.locator(".tl-timeera").count() == len(eras)
        assert sorted(headlines(page, ".tl-timeera")) == sorted(eras)
        # An era's band gets its width once the time scale is laid out.
        page.wait_for_function(
            "n => [...document.querySelectorAll('.tl-timeera')]"
            ".filter(e => e.getBoundingClientRect().width > 0).length === n",
            arg=len(eras),
            timeout=10_000,
        )
        assert all(era.is_visible() for era in page.locator(".tl-timeera").all())
        assert sorted(headlines(page, ".tl-timemarker")) == sorted(events)
        assert sorted(headlines(page, ".tl-slide:not(.tl-slide-titleslide)")) == sorted(events)
        title = html.unescape(data["title"]["text"]["headline"])
        assert headlines(page, ".tl-slide-titleslide") == [title]
        # A slide loads its media when shown, after a delay (MEDIA_DELAY_MS): show each one
        # and wait, so that every request the timeline would make is made.
        page.evaluate("n => { for (let i = 0; i <= n; i++) timeline.goTo(i); }", len(events))
        page.wait_for_timeout(MEDIA_DELAY_MS)
        page.wait_for_load_state("networkidle")
    assert blocked == []
