"""Refresh the README's screenshots of the example site, with headless Chromium.

    .venv/bin/python .github/screenshots/take.py

Builds the example site into a temporary folder (in English, and again in Korean), serves it
on 127.0.0.1 and saves desktop-light.png, desktop-dark.png, phone.png and korean.png next to
this script. Needs Debian's
Chromium (apt-get install chromium) and the test extras (pip install -e '.[test]').
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import os
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from timeline.pipeline import build_site  # noqa: E402
from timeline.project import Site, open_site  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = {
    "desktop-light.png": {"viewport": {"width": 1280, "height": 1300}, "color_scheme": "light"},
    "desktop-dark.png": {"viewport": {"width": 1280, "height": 1300}, "color_scheme": "dark"},
    "phone.png": {
        "viewport": {"width": 390, "height": 844},
        "scroll_to": "timeline",
        "device_scale_factor": 2,
        "is_mobile": True,
        "color_scheme": "light",
    },
    "korean.png": {
        "viewport": {"width": 1280, "height": 1000},
        "color_scheme": "light",
        "language": "ko",
    },
}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        for language in ("en", "ko"):  # each under a path of its own: /en/, /ko/
            site = open_site(ROOT, base_url=f"https://example.org/{language}/")
            config = dataclasses.replace(site.config, language=language)
            build_site(Site(site.root, config, site.theme_root), Path(tmp) / language,
                       use_cache=False)  # fmt: skip
        handler = functools.partial(QuietHandler, directory=tmp)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}/"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name, options in SHOTS.items():
                settings = dict(options)
                target = settings.pop("scroll_to", None)
                language = settings.pop("language", "en")
                page = browser.new_page(**settings)
                page.goto(f"{url}{language}/")
                if target:
                    page.evaluate(
                        "id => document.getElementById(id).scrollIntoView({behavior: 'instant'})",
                        target,
                    )
                    page.wait_for_timeout(300)
                page.screenshot(path=str(HERE / name))
                page.close()
                print(f"Saved {HERE / name}")
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
