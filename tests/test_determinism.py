"""Determinism across processes: the same site built by two separate processes, each with its
own string hashing (PYTHONHASHSEED), gives byte-identical output trees. A set or a hash()
whose order leaks into a page, an export or the search index would show up here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import (
    ROOT,
    build_ok,
    copy_example,
    event_text,
    touch_later,
    tree_digest,
    write_event,
)

SEEDS = ("1", "2")


def build_in_process(site: Path, out: Path, seed: str) -> None:
    """`build.py build --no-cache` in a fresh interpreter with the given hash seed."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--out", str(out),
         "--base-url", "https://example.org/repo/", "--no-cache"],
        capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def builds_per_seed(site: Path, tmp_path: Path) -> list[dict[str, str]]:
    digests = []
    for seed in SEEDS:
        out = tmp_path / f"out-{seed}"
        build_in_process(site, out, seed)
        digests.append(tree_digest(out))
    return digests


def differences(one: dict[str, str], two: dict[str, str]) -> list[str]:
    return sorted(path for path in one.keys() | two.keys() if one.get(path) != two.get(path))


def synthetic_site(root: Path) -> Path:
    """Many tags (named so that set and dict orders would differ), intervals, several events
    on one day and in one month, an open-ended interval and approximate dates."""
    (root / "content" / "events").mkdir(parents=True)
    (root / "site.toml").write_text('title = "Determinism"\n', encoding="utf-8")
    tags = ["zeta", "alpha", "Mu", "beta", "東京", "omega", "kappa", "delta", "Zürich", "eta"]
    for number in range(24):
        chosen = [tags[(number * 7 + k) % len(tags)] for k in range(number % 4)]
        write_event(
            root, f"e{number:02d}.md",
            event_text(f"Event {number}", f"20{10 + number % 6}-0{1 + number % 9}-1{number % 9}",
                       tags=f"[{', '.join(chosen)}]"),
        )  # fmt: skip
    for title in ("Same day C", "Same day A", "same day b", "Same day A2"):
        write_event(root, f"{title.lower().replace(' ', '-')}.md",
                    event_text(title, "2019-02-28", tags="[alpha, zeta]"))  # fmt: skip
    write_event(root, "span.md", event_text("Span", "2019-02-27/2019-03-02", tags="[mu, eta]"))
    write_event(root, "long.md", event_text("Long span", "2016-05/2019-11", tags="[omega]"))
    write_event(root, "open.md", event_text("Open end", "2020-01-01/..", tags="[kappa]"))
    write_event(root, "fuzzy.md", event_text("Fuzzy", "2018~", tags="[delta, alpha]"))
    write_event(root, "unsure.md", event_text("Unsure", "2018?", tags="[delta]"))
    return root


@pytest.mark.parametrize("which", ["example", "synthetic"])
def test_builds_in_separate_processes_are_byte_identical(which: str, tmp_path: Path) -> None:
    site = tmp_path / "site"
    if which == "example":
        copy_example(site)
    else:
        synthetic_site(site)
    one, two = builds_per_seed(site, tmp_path)
    assert len(one) > 20
    assert differences(one, two) == []


@pytest.fixture
def memory_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder in RAM where the system has one (tmpfs lists a folder's entries in the
    order they were made; ext4 in an order of its own, whatever the writing order)."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_the_search_index_does_not_depend_on_the_order_pages_were_written(
    memory_folder: Path,
) -> None:
    """Pagefind numbers pages in the order it finds them in a folder. A build that writes
    one changed event first and links the others from the previous output must still make
    the index a build from scratch makes."""
    site = synthetic_site(memory_folder / "site")
    out = memory_folder / "out"
    build_ok("--site", site, "--out", out, "--no-cache")
    cold = tree_digest(out)
    event = site / "content" / "events" / "e05.md"
    text = event.read_text(encoding="utf-8")
    for body in (text.replace("Body.", "Changed body."), text):
        event.write_text(body, encoding="utf-8")
        touch_later(event)
        build_ok("--site", site, "--out", out)
    assert any(path.startswith("pagefind/") for path in cold)
    assert differences(cold, tree_digest(out)) == []
