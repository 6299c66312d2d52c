"""Incremental rebuilds must never serve stale output: after any sequence of edits, the
incrementally maintained output equals a fresh full build, byte for byte."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from tests.conftest import commit_all, event_text, touch_later, write_event
from timeline import builder as builder_module
from timeline import exports, keys, layout, model, overview, pages, parallel, runs
from timeline.builder import Builder, BuildRun
from timeline.exports import export_paths
from timeline.output import MemorySink
from timeline.pipeline import Pipeline
from timeline.project import open_site
from timeline.render import Renderer

TAGS = ["alpha", "beta", "gamma", "delta"]
ENTITIES = ["ent-a", "ent-b", "ent-c"]
FIXED = ["f1", "f2", "f3"]  # events never deleted, so that links to them stay valid
RELATION_KINDS = ["led-to", "response-to", "see-also"]
PUBLISHERS = ["Wire", "Daily", "Weekly"]


class InMemory:
    """An output that keeps the pages and exports in memory (no static files, no index)."""

    after_finish: frozenset[str] = frozenset()

    def __init__(self, sink: MemorySink) -> None:
        self.sink = sink

    def static(self, run: BuildRun) -> None: ...

    def index(self, run: BuildRun) -> None: ...

    def finish(self, run: BuildRun) -> None:
        for path in run.removed:
            self.sink.files.pop(path, None)


def rebuild(builder: Builder, sink: MemorySink, hints: list[str] | None = None) -> BuildRun:
    """One run of the build pipeline, as the preview runs it, into `sink`."""
    return Pipeline(builder, InMemory(sink)).run(hints)


def random_event(rng: random.Random, number: int) -> str:
    """An event with random tags, entities and links to the fixed events."""
    tags = ", ".join(rng.sample(TAGS, rng.randint(0, 3)))
    entities = ", ".join(rng.sample(ENTITIES, rng.randint(0, 2)))
    links = ", ".join(
        f"{{event: {slug}, relation: {rng.choice(RELATION_KINDS)}}}"
        for slug in rng.sample(FIXED, rng.randint(0, 2))
    )
    date = random_date(rng)
    sources = ", ".join(
        f"{{title: Story {rng.randint(0, 5)}, url: 'https://news.example/{rng.randint(0, 5)}',"
        f" publisher: {rng.choice(PUBLISHERS)}, date: 2005-01-0{rng.randint(1, 3)}}}"
        for _ in range(rng.randint(0, 2))
    )
    corrections = ", ".join(  # each one listed on the changes page
        f"{{date: 2006-0{rng.randint(1, 3)}-01, note: Fix {rng.randint(0, 9)}}}"
        for _ in range(rng.choice([0, 0, 1, 2]))
    )
    return event_text(f"Event {number} v{rng.randint(0, 999)}", date, tags=f"[{tags}]",
                      entities=f"[{entities}]", related=f"[{links}]",
                      sources=f"[{sources}]", corrections=f"[{corrections}]")  # fmt: skip


def random_date(rng: random.Random) -> str:
    return f"{rng.randint(2000, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def write_entity(site: Path, slug: str, title: str) -> str:
    path = site / "content" / "entities" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {title}\nkind: person\n---\nAbout {title}.\n")
    touch_later(path)
    return f"content/entities/{slug}.md"


def write_fixed(site: Path) -> None:
    """The events others link to, and the entities they name."""
    for index, slug in enumerate(FIXED):
        write_event(site, f"{slug}.md", event_text(f"Fixed {slug}", f"200{index}-06-01"))
    for slug in ENTITIES:
        write_entity(site, slug, f"Entity {slug}")


def mutate(rng: random.Random, site: Path, counter: list[int]) -> list[str]:
    """One random author action; returns the site-relative paths it touched."""
    events = sorted((site / "content" / "events").glob("e*.md"))
    action = rng.choice(
        ["edit", "edit", "retitle", "redate", "add", "delete", "rename", "entity"]
        if events
        else ["add"]
    )
    if action == "entity":
        slug = rng.choice(ENTITIES)
        return [write_entity(site, slug, f"Entity {slug} v{rng.randint(0, 999)}")]
    if action == "add":
        counter[0] += 1
        name = f"e{counter[0]}.md"
        write_event(site, name, random_event(rng, counter[0]))
        return [f"content/events/{name}"]
    victim = rng.choice(events)
    rel = f"content/events/{victim.name}"
    if action == "edit":
        victim.write_text(random_event(rng, int(victim.stem.lstrip("e"))))
        touch_later(victim)
        return [rel]
    if action == "retitle":  # the commonest edit: all else (sources, date, tags) stays
        rest = victim.read_text().split("\n", 2)[2]  # after "---" and the title
        victim.write_text(f"---\ntitle: Retitled v{rng.randint(0, 999)}\n{rest}")
        touch_later(victim)
        return [rel]
    if action == "redate":  # a new date, all else the same: the event moves in the timeline
        text = re.sub(r"^date: .*$", f"date: {random_date(rng)}", victim.read_text(), flags=re.M)
        victim.write_text(text)
        touch_later(victim)
        return [rel]
    if action == "delete":
        victim.unlink()
        return [rel]
    counter[0] += 1
    target = victim.with_name(f"e{counter[0]}.md")
    victim.rename(target)
    return [rel, f"content/events/{target.name}"]


@pytest.mark.parametrize(
    ("one_by_one", "histogram_above"),
    [(model.REORDERED_UP_TO, overview.HISTOGRAM_ABOVE), (0, 10)],  # 10: strips as histograms
)
def test_incremental_output_matches_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_by_one: int, histogram_above: int
) -> None:
    monkeypatch.setattr(pages, "SOURCES_PER_PAGE", 4)  # publishers over several pages
    monkeypatch.setattr(model, "REORDERED_UP_TO", one_by_one)  # edited events put in place
    monkeypatch.setattr(overview, "HISTOGRAM_ABOVE", histogram_above)
    monkeypatch.setattr(exports, "RUN", 4)  # the preview's exports kept in several runs
    rng = random.Random(7)
    site_root = tmp_path / "site"
    counter = [0]
    write_fixed(site_root)
    for _ in range(30):
        counter[0] += 1
        write_event(site_root, f"e{counter[0]}.md", random_event(rng, counter[0]))
    site = open_site(site_root)
    incremental = Builder(site, drafts=False)
    served = MemorySink()
    rebuild(incremental, served)
    for step in range(40):
        before = dict(served.files)
        hints = mutate(rng, site_root, counter)
        # As the preview does: hints name event files only; any other change checks all.
        only_events = all(hint.startswith("content/events/") for hint in hints)
        result = rebuild(incremental, served, hints if step % 2 and only_events else None)
        fresh = full_build(site)
        assert served.files == fresh, f"step {step}: incremental output differs from a full build"
        really_changed = {p for p in fresh if before.get(p) != fresh[p]}
        assert really_changed <= result.changed, f"step {step}: a changed page was skipped"


# What a process remembers from build to build (for the preview), by module and name.
MEMOS = [
    (pages, "_SHOWN"), (pages, "_GROUPED"), (layout, "_PAGINATED"), (overview, "_DRAWN"),
    (keys, "_CHUNKS"), (pages, "_LISTED"), (runs, "_KEPT"), (runs, "_LAST"),
    (overview, "_MARKS"),
]  # fmt: skip


def full_build(site) -> dict[str, bytes]:
    """The output of a build from scratch, as a fresh process makes it: with none of what
    the incremental builds left in this process's memos."""
    kept = [(module, name, getattr(module, name)) for module, name in MEMOS]
    try:
        for module, name, _ in kept:
            setattr(module, name, {})
        sink = MemorySink()
        rebuild(Builder(site, drafts=False, keep=False), sink)  # as `build` makes it
        return sink.files
    finally:
        for module, name, memo in kept:
            setattr(module, name, memo)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # One address, cited under two titles: the sources page names it as the earliest
        # event citing it does.
        ("{title: Early title, url: 'https://news.example/a', publisher: Wire}",
         "{title: Late title, url: 'https://news.example/a', publisher: Wire}"),
        # Two addresses under one title and date: they are listed in the order in which
        # events first cite them.
        ("{title: Same, url: 'https://news.example/a', publisher: Wire, date: 2005}",
         "{title: Same, url: 'https://news.example/b', publisher: Wire, date: 2005}"),
    ],
)  # fmt: skip
def test_a_new_date_reorders_the_sources_pages_as_a_full_build(
    tmp_path: Path, first: str, second: str
) -> None:
    site_root = tmp_path / "site"
    write_event(site_root, "a.md", event_text("A", "2001-01-01", sources=f"[{first}]"))
    write_event(site_root, "b.md", event_text("B", "2003-01-01", sources=f"[{second}]"))
    write_event(site_root, "c.md", event_text("C", "2002-01-01", sources=f"[{first}, {second}]"))
    builder = Builder(open_site(site_root), drafts=False)
    served = MemorySink()
    rebuild(builder, served)
    for date in ("2000-01-01", "2004-01-01", "2002-06-01"):
        path = site_root / "content" / "events" / "b.md"
        path.write_text(re.sub(r"^date: .*$", f"date: {date}", path.read_text(), flags=re.M))
        touch_later(path)
        rebuild(builder, served, ["content/events/b.md"])
        assert served.files == full_build(builder.site), f"b moved to {date}"


def test_nothing_is_rendered_when_nothing_changed(tmp_path: Path) -> None:
    site_root = tmp_path / "site"
    for number in range(5):
        write_event(site_root, f"e{number}.md", event_text(f"E{number}", "2001", tags="[a]"))
    builder = Builder(open_site(site_root), drafts=False)
    rebuild(builder, MemorySink())
    again = rebuild(builder, MemorySink())
    assert again.changed == set() and again.removed == set()


def test_a_theme_block_kept_by_what_it_shows(tmp_path: Path) -> None:
    """`{% call kept(name, values...) %}` makes its block once per name and values; a value
    that cannot be a key (a list) still shows the block, made each time."""
    site_root = tmp_path / "site"
    write_event(site_root, "e.md", event_text("E", "2001", tags="[a, b]"))
    (site_root / "templates").mkdir()
    (site_root / "templates" / "tag.html").write_text(
        '{% call kept("heading", tag.slug) %}<h1>{{ tag.name }} {{ page.url }}</h1>{% endcall %}'
        '{% call kept("list", [tag.slug]) %}<p>{{ tag.slug }}</p>{% endcall %}'
    )
    sink = MemorySink()
    rebuild(Builder(open_site(site_root), drafts=False), sink)
    assert sink.files["tags/a/index.html"] == b"<h1>a tags/a/</h1><p>a</p>"
    assert sink.files["tags/b/index.html"] == b"<h1>b tags/b/</h1><p>b</p>"


def test_a_template_change_rerenders_every_page(tmp_path: Path) -> None:
    site_root = tmp_path / "site"
    for number in range(3):
        write_event(site_root, f"e{number}.md", event_text(f"E{number}", "2001", tags="[a]"))
    builder = Builder(open_site(site_root), drafts=False)
    first = rebuild(builder, MemorySink())
    (site_root / "templates").mkdir()
    (site_root / "templates" / "_event_item.html").write_text("<li>{{ event.title }}</li>\n")
    sink = MemorySink()
    result = rebuild(builder, sink)
    pages = {path for path in first.changed if path not in export_paths()}  # data, not templates
    assert result.changed == pages
    assert b"<li>E1</li>" in sink.files["index.html"]


def test_a_commit_updates_the_lists_of_a_running_build(tmp_path: Path) -> None:
    """git gives an event its added and updated dates, which its list items carry: a commit
    that changes no event file changes them, and an incremental build must follow."""
    root = tmp_path / "site"
    for name, title in [("a.md", "A"), ("b.md", "B")]:
        write_event(root, name, event_text(title, "2019-01-01"))
    commit_all(root, "Add a and b", when="2024-05-01T09:00:00Z")
    write_event(root, "c.md", event_text("C", "2019-02-01"))  # not committed yet
    site = open_site(root)
    incremental, served = Builder(site, drafts=False), MemorySink()
    rebuild(incremental, served)
    assert b'data-slug="c"' in served.files["index.html"]
    assert served.files["index.html"].count(b"data-added=") == 2
    commit_all(root, "Add c", when="2024-05-03T09:00:00Z")
    rebuild(incremental, served)
    assert served.files["index.html"].count(b"data-added=") == 3
    assert served.files == full_build(site)


def test_publishing_a_draft_links_it_from_the_events_that_name_it(tmp_path: Path) -> None:
    site_root = tmp_path / "site"
    linking = event_text("A", "2001-01-01", related="[{event: d, relation: led-to}]")
    write_event(site_root, "a.md", linking)
    draft = write_event(site_root, "d.md", event_text("D", "2002-01-01", draft="true"))
    site = open_site(site_root)
    builder, served = Builder(site, drafts=False), MemorySink()
    rebuild(builder, served)
    assert "Led to" not in served.files["events/a/index.html"].decode()
    draft.write_text(event_text("D", "2002-01-01"))
    touch_later(draft)
    rebuild(builder, served, ["content/events/d.md"])
    assert "Led to" in served.files["events/a/index.html"].decode()
    assert served.files == full_build(site)


def sections_drawn(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """The slugs of each list section the renderer draws from now on (a year of a list)."""
    drawn: list[tuple[str, ...]] = []
    draw = Renderer._section

    def counting(self: Renderer, events: tuple[model.Event, ...], *args: object) -> object:
        drawn.append(tuple(event.slug for event in events))
        return draw(self, events, *args)

    monkeypatch.setattr(Renderer, "_section", counting)
    return drawn


def years_of(section: tuple[str, ...]) -> tuple[int, ...]:
    """The years of a section's events, as the tests below date event `e<n>`."""
    return tuple(sorted({2000 + int(slug[1:]) % 6 for slug in section}))


def built_in_workers(site_root: Path, monkeypatch: pytest.MonkeyPatch) -> Builder:
    """A site of 24 events over six years (`e<n>` in 2000 + n % 6, odd ones tagged a, even
    ones b), whose first build rendered its lists in worker processes, as the preview's
    does; later builds run in this process, as the preview's do."""
    monkeypatch.setattr(builder_module, "LISTED_IN_PARALLEL", 0)  # lists to workers
    for number in range(24):
        year = 2000 + number % 6
        tags = "[a]" if number % 2 else "[b]"  # a tag's page has sections of its own
        text = event_text(f"E{number}", f"{year}-0{1 + number % 9}-01", tags=tags)
        write_event(site_root, f"e{number}.md", text)
    builder = Builder(open_site(site_root), drafts=False, parallel=True)
    rebuild(builder, MemorySink())
    builder.parallel = False
    return builder


@pytest.mark.skipif(not parallel.CAN_FORK, reason="lists render in worker processes by fork")
@pytest.mark.parametrize("pauses", [0, 2])
def test_an_idle_preview_readies_its_lists_so_an_edit_redraws_one_year(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pauses: int
) -> None:
    """The first build renders the lists in worker processes; the preview then renders them
    again in its own while idle (interrupted `pauses` times by a waiting edit, going on
    afterwards), so that its first edit redraws only the edited event's year of each list."""
    site_root = tmp_path / "site"
    builder = built_in_workers(site_root, monkeypatch)
    site = builder.site
    asked = [0]

    def waiting() -> bool:  # an edit arrives after the first page, `pauses` times
        asked[0] += 1
        return asked[0] % 2 == 0 and asked[0] <= 2 * pauses

    for _ in range(pauses + 1):
        builder.warm_lists(waiting)
    drawn = sections_drawn(monkeypatch)
    edited = write_event(site_root, "e7.md", event_text("Edited", "2001-08-01", tags="[a]"))
    written = MemorySink()  # (the first build's workers wrote into copies of theirs)
    rebuild(builder, written, [f"content/events/{edited.name}"])
    # The edited event's year (2001), and the next of each list (2002; 2003 on tag a's
    # page), whose first item shows the gap since the edited event.
    assert drawn, "the edit redrew no list at all"
    assert {years_of(section) for section in drawn} <= {(2001,), (2002,), (2003,)}, drawn
    fresh = full_build(site)
    assert "index.html" in written.files
    assert written.files == {path: fresh[path] for path in written.files}


@pytest.mark.skipif(not parallel.CAN_FORK, reason="lists render in worker processes by fork")
def test_without_readying_an_edit_redraws_whole_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the warm-up saves: without it, the same edit redraws every year of its lists."""
    site_root = tmp_path / "site"
    builder = built_in_workers(site_root, monkeypatch)
    drawn = sections_drawn(monkeypatch)
    edited = write_event(site_root, "e7.md", event_text("Edited", "2001-08-01", tags="[a]"))
    rebuild(builder, MemorySink(), [f"content/events/{edited.name}"])
    assert {(2000,), (2005,)} <= {years_of(section) for section in drawn}, drawn
