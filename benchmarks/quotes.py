"""Markdown benchmark: what typographic quotes cost per event body, `smarty` beside ours.

    python benchmarks/quotes.py [--events 1000]

Converts the bodies of the synthetic corpus (benchmarks/generate.py) with one Markdown
instance each way, in this process, and prints the median of three runs per body:
`extra` + `toc` alone, with Python-Markdown's `smarty`, and with timeline/typography.py
(the same rules in one pass; tests/test_typography.py checks that the HTML is identical).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import markdown  # noqa: E402

from benchmarks.generate import body  # noqa: E402
from timeline.typography import typography_extension  # noqa: E402

BASE = ["extra", "sane_lists", "toc"]
TOPICS = [["summit", "talks"], ["missile", "launch"], ["treaty", "alliance"]]


def per_body(extensions: list[object], texts: list[str]) -> float:
    """Median over three runs of the microseconds one body takes."""
    converter = markdown.Markdown(
        extensions=extensions, extension_configs={"toc": {"baselevel": 2}}
    )
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for text in texts:
            converter.reset().convert(text)
        runs.append((time.perf_counter() - start) / len(texts) * 1e6)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(20190228)
    texts = [body(rng, TOPICS) for _ in range(args.events)]
    plain = per_body(BASE, texts)
    smarty = per_body([*BASE, "smarty"], texts)
    ours = per_body([*BASE, typography_extension()], texts)
    print(f"Markdown per body, {args.events} synthetic events (median of 3 runs):")
    print(f"  extra + toc                 {plain:7.0f} µs")
    print(f"  + smarty                    {smarty:7.0f} µs")
    print(f"  + typography (one pass)     {ours:7.0f} µs   ({ours / smarty:.2f}x smarty)")


if __name__ == "__main__":
    main()
