"""Write a deterministic synthetic timeline site of N events, for benchmarks.

    python benchmarks/generate.py 4000 /tmp/site-4000

Events have realistic frontmatter (tags, location, sources, some approximate dates and
intervals) and Markdown bodies of 150-400 words. The same N always gives the same files.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "was",
    "were",
    "this",
    "which",
    "an",
    "be",
    "has",
    "have",
    "government",
    "minister",
    "officials",
    "statement",
    "agency",
    "report",
    "meeting",
    "visit",
    "said",
    "after",
    "before",
    "region",
    "capital",
    "leaders",
    "president",
    "spokesman",
    "ministry",
    "foreign",
    "country",
    "people",
    "week",
    "month",
]
# Each event draws most of its distinctive words from two of these topics, so a query for a
# topic word matches a realistic share of a large timeline instead of nearly every event.
TOPICS = [
    words.split()
    for words in (
        "summit talks envoy delegation negotiations communique",
        "treaty ratification alliance pact signatories clause",
        "sanctions embargo assets tariffs blacklist exemptions",
        "missile launch trajectory warhead booster apogee",
        "nuclear reactor enrichment plutonium centrifuge inspectors",
        "border crossing checkpoint patrol fence smuggling",
        "election ballot turnout candidates campaign polling",
        "protest rally march crowds slogans dispersal",
        "court ruling verdict appeal judges prosecution",
        "flood rainfall levee evacuation river damage",
        "drought harvest famine rations grain shortages",
        "satellite orbit rocket payload telemetry cosmodrome",
        "troops deployment battalion brigade frontline casualties",
        "navy fleet destroyer submarine harbour patrol",
        "exercise drill manoeuvres artillery rehearsal readiness",
        "trade exports imports shipments cargo customs",
        "energy pipeline gas electricity grid blackout",
        "railway bridge tunnel construction engineers gauge",
        "factory workers strike wages shifts output",
        "archive letter memoir testimony witness document",
        "broadcast newspaper editorial journalists censorship press",
        "refugees defectors asylum camp resettlement escape",
        "aid relief donors shipment humanitarian agencies",
        "ceasefire armistice truce violation shelling demarcation",
        "cyber hackers malware theft exchange cryptocurrency",
        "hypersonic glide vehicle manoeuvrable speed mach",
    )
]
TAGS = [
    "diplomacy",
    "security",
    "economy",
    "nuclear",
    "missiles",
    "russia",
    "china",
    "united-states",
    "south-korea",
    "japan",
    "summit",
    "treaty",
    "sanctions",
    "military",
    "politics",
    "trade",
    "energy",
    "human-rights",
    "media",
    "culture",
]
PLACES = ("Pyongyang", "Seoul", "Beijing", "Moscow", "Tokyo", "Washington", "Geneva", "Hanoi")


def sentence(rng: random.Random, topics: list[list[str]]) -> str:
    words = [
        rng.choice(rng.choice(topics)) if rng.random() < 0.3 else rng.choice(COMMON)
        for _ in range(rng.randint(8, 20))
    ]
    return " ".join(words).capitalize() + "."


def body(rng: random.Random, topics: list[list[str]]) -> str:
    target = rng.randint(150, 400)
    paragraphs: list[str] = []
    count = 0
    while count < target:
        paragraph = " ".join(sentence(rng, topics) for _ in range(rng.randint(2, 5)))
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    if rng.random() < 0.3:
        paragraphs.insert(1, f"## {sentence(rng, topics)[:40].rstrip('.')}")
    if rng.random() < 0.3:
        paragraphs.append("\n".join(f"- {sentence(rng, topics)}" for _ in range(3)))
    return "\n\n".join(paragraphs)


def date(rng: random.Random, index: int, total: int) -> str:
    year = 1950 + (index * 75) // max(total, 1)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    kind = rng.random()
    if kind < 0.05:
        return f"{year}-{month:02d}~"
    if kind < 0.08:
        return f"{year}?"
    if kind < 0.15:
        return f"{year}-{month:02d}-{day:02d}/{year}-{month:02d}-{min(day + 3, 28):02d}"
    return f"{year}-{month:02d}-{day:02d}"


def event(rng: random.Random, index: int, total: int) -> str:
    topics = rng.sample(TOPICS, 2)
    tags = ", ".join(rng.sample(TAGS, rng.randint(1, 4)))
    title = sentence(rng, topics)[:70].rstrip(".")
    lines = [
        "---",
        f'title: "{title} ({index})"',
        f"date: {date(rng, index, total)}",
        f"tags: [{tags}]",
        f"location: {rng.choice(PLACES)}",
        f"importance: {rng.choice(('major', 'normal', 'normal', 'normal', 'minor'))}",
        "sources:",
        f'  - title: "{sentence(rng, topics)[:60]}"',
        f"    url: https://news.example.org/{index}/story",
        "    publisher: Example News",
        "---",
        body(rng, topics),
        "",
    ]
    return "\n".join(lines)


def generate(count: int, site: Path, seed: int = 20190228) -> Path:
    """Write `count` events and a site.toml into `site`; return the site folder."""
    rng = random.Random(seed)
    events = site / "content" / "events"
    events.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (events / f"event-{index:05d}.md").write_text(event(rng, index, count), encoding="utf-8")
    (site / "site.toml").write_text(f'title = "Synthetic timeline of {count} events"\n')
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("site", type=Path)
    args = parser.parse_args()
    generate(args.count, args.site)
    print(f"Wrote {args.count} events to {args.site}")


if __name__ == "__main__":
    main()
