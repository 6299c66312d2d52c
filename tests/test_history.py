"""A living timeline: corrections in the frontmatter, added and updated dates from git (one
`git log`, renames followed), the changes page and feeds, links to the file's history and
edit page, and the "since your last visit" marks in a real browser."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import feedparser
import pytest

from tests.conftest import commit_all, event_text, git, serve_folder, soup, tree_digest, write_event

BASE = "https://e.org/t/"


def build(site: Path, cli, *args: str) -> Path:
    out = site.parent / "out"
    done = cli("build", "--site", site, "--out", out, "--base-url", BASE, *args)
    assert done.code == 0, done.err
    return out


def history_line(out: Path, slug: str) -> str:
    found = soup(out / "events" / slug / "index.html").select_one(".event-history")
    return found.get_text(" ", strip=True) if found else ""


@pytest.fixture
def story(site: Path) -> Path:
    """Three commits: a and b added on 1 May, a changed on 3 May, c added and b renamed on
    5 May; d written but never committed."""
    write_event(site, "a.md", event_text("A", "2019-01-01"))
    write_event(site, "b.md", event_text("B", "2019-02-01"))
    commit_all(site, "Add a and b", when="2024-05-01T09:00:00Z")
    write_event(site, "a.md", event_text("A, corrected", "2019-01-01"))
    commit_all(site, "Fix a", when="2024-05-03T09:00:00Z")
    write_event(site, "c.md", event_text("C", "2019-03-01"))
    git(site, "mv", "content/events/b.md", "content/events/b2.md")
    commit_all(site, "Add c, rename b", when="2024-05-05T09:00:00Z")
    write_event(site, "d.md", event_text("D", "2019-04-01"))
    return site


def test_added_and_updated_dates_come_from_git(story: Path, cli):
    out = build(story, cli)
    assert history_line(out, "a") == "Added 1 May 2024 · Updated 3 May 2024"
    assert history_line(out, "c") == "Added 5 May 2024"
    # A rename keeps the file's history: b2 was added as b on 1 May (the rename is a change).
    assert history_line(out, "b2") == "Added 1 May 2024 · Updated 5 May 2024"
    assert history_line(out, "d") == ""  # not committed yet: no dates


def test_a_deleted_file_does_not_lend_its_history_to_a_new_one(story: Path, cli):
    git(story, "rm", "-q", "content/events/c.md")
    commit_all(story, "Drop c", when="2024-05-06T09:00:00Z")
    write_event(story, "c.md", event_text("C again", "2019-03-01"))
    commit_all(story, "New c", when="2024-05-08T09:00:00Z")
    out = build(story, cli)
    assert history_line(out, "c") == "Added 8 May 2024"


def test_updated_in_the_frontmatter_wins_over_git(story: Path, cli):
    write_event(story, "a.md", event_text("A", "2019-01-01", updated="2024-05-02"))
    commit_all(story, "Typo", when="2024-06-01T09:00:00Z")
    out = build(story, cli)
    assert history_line(out, "a") == "Added 1 May 2024 · Updated 2 May 2024"


def test_outside_git_and_in_a_shallow_clone_dates_are_left_out_with_a_warning(
    site: Path, tmp_path: Path, cli
):
    write_event(site, "a.md", event_text("A", "2019-01-01"))
    out = tmp_path / "out"
    done = cli("build", "--site", site, "--out", out)
    assert done.code == 0
    assert "history: warning: the site is not in a git repository" in done.err
    assert done.err.count("history:") == 1
    assert history_line(out, "a") == ""
    commit_all(site, "One", when="2024-05-01T09:00:00Z")
    commit_all_again(site)
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{site}", str(shallow)],
                   check=True, capture_output=True)  # fmt: skip
    done = cli("build", "--site", shallow, "--out", tmp_path / "out2")
    assert done.code == 0
    assert "the repository is a shallow clone" in done.err
    assert history_line(tmp_path / "out2", "a") == ""


def commit_all_again(site: Path) -> None:
    write_event(site, "b.md", event_text("B", "2019-02-01"))
    commit_all(site, "Two", when="2024-05-02T09:00:00Z")


def test_corrections_are_shown_dated_and_checked(story: Path, cli):
    write_event(story, "c.md", event_text(
        "C", "2019-03-01",
        corrections="\n  - {date: 2024-05-07, note: The date was 2 March; it is 1 March.}"
        "\n  - {date: 2024-05-09, note: A name was misspelt.}",
    ))  # fmt: skip
    out = build(story, cli)
    box = soup(out / "events" / "c" / "index.html").select_one("aside.corrections")
    assert box.h2.get_text() == "Corrections"
    assert [li.get_text(" ", strip=True) for li in box.select("li")] == [
        "9 May 2024 : A name was misspelt.",
        "7 May 2024 : The date was 2 March; it is 1 March.",
    ]
    badge = soup(out / "index.html").select_one("#c .badge--corrected")
    assert badge.get_text() == "Corrected 9 May 2024"
    write_event(story, "c.md", event_text("C", "2019", corrections="[{date: 2024-05, note: x}]"))
    done = cli("check", "--site", story)
    assert done.code == 1
    assert 'content/events/c.md:4: corrections.0.date: "2024-05" must be one day' in done.err


def test_the_feeds_and_the_changes_page(story: Path, cli):
    write_event(
        story,
        "c.md",
        event_text(
            "C", "2019-03-01", corrections="[{date: 2024-05-07, note: The date was wrong.}]"
        ),
    )
    out = build(story, cli)
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    a = next(e for e in feed.entries if e.title == "A, corrected")
    assert (a.published, a.updated) == ("2024-05-01T09:00:00Z", "2024-05-03T09:00:00Z")
    c = next(e for e in feed.entries if e.title == "C")
    assert c.updated == "2024-05-07T00:00:00Z"  # the correction updates the entry
    changes = feedparser.parse((out / "changes.xml").read_bytes())
    assert not changes.bozo
    assert [e.title for e in changes.entries] == [
        "Corrected: C", "Updated: B", "Added: C", "Updated: A, corrected", "Added: B",
        "Added: A, corrected",
    ]  # fmt: skip
    assert changes.entries[0].content[0].value == "The date was wrong."
    assert len({e.id for e in changes.entries}) == len(changes.entries)
    page = soup(out / "changes" / "index.html")
    days = [section.h2.get_text() for section in page.select("section.change-day")]
    assert days == ["7 May 2024", "5 May 2024", "3 May 2024", "1 May 2024"]
    assert "The date was wrong." in page.select_one("section.change-day").get_text()


def test_history_and_edit_links_point_at_the_file_on_github(story: Path, cli, monkeypatch):
    with (story / "site.toml").open("a") as handle:
        handle.write('repo_url = "https://github.com/user/timeline"\n')
    out = build(story, cli)
    links = soup(out / "events" / "a" / "index.html").select(".event-history a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("History", "https://github.com/user/timeline/commits/main/content/events/a.md"),
        ("Suggest a correction", "https://github.com/user/timeline/edit/main/content/events/a.md"),
    ]
    (story / "site.toml").write_text('title = "T"\n')  # from GitHub Actions' environment
    for name, value in {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "org/news",
                        "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REF_NAME": "live",
                        "GITHUB_REF_TYPE": "branch"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    out = build(story, cli)
    link = soup(out / "events" / "a" / "index.html").select_one(".event-history a")
    assert link["href"] == "https://github.com/org/news/commits/live/content/events/a.md"


def test_the_dates_are_the_same_in_every_build_of_a_commit(story: Path, tmp_path: Path, cli):
    first = tree_digest(build(story, cli, "--no-cache"))
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", f"file://{story}", str(clone)], check=True,
                   capture_output=True)  # fmt: skip
    write_event(clone, "d.md", event_text("D", "2019-04-01"))  # the same working tree
    out = clone.parent / "out-clone"
    done = cli("build", "--site", clone, "--out", out, "--base-url", BASE, "--no-cache")
    assert done.code == 0, done.err
    assert tree_digest(out) == first


def test_new_and_updated_events_are_marked_since_the_last_visit(story: Path, cli, web_page):
    out = story.parent / "t"  # served under /t/, as the base URL says
    done = cli("build", "--site", story, "--out", out, "--base-url", BASE)
    assert done.code == 0, done.err
    page = web_page.page
    with serve_folder(story.parent) as root:
        url = root + "t/"
        page.goto(url)  # a first visit marks nothing
        assert page.locator(".badge--since").count() == 0
        assert page.locator("[data-since-visit]").is_hidden()
        key = json.dumps("timeline-visit:/t/")
        page.evaluate(f"localStorage.setItem({key}, '2024-05-02T00:00:00.000Z')")
        page.goto(url)
        marks = page.eval_on_selector_all(
            ".badge--since", "els => els.map(e => [e.closest('article').id, e.textContent])"
        )
        assert sorted(marks) == [["a", "Updated"], ["b2", "Updated"], ["c", "New"]]
        summary = page.locator("[data-since-visit]")
        assert summary.inner_text().startswith(
            "1 event added and 2 events updated since your last visit on 2 May 2024."
        )
        page.click("[data-since-visit] button")
        shown = page.eval_on_selector_all(
            "li.event-item", "els => els.filter(e => e.offsetParent).map(e => e.dataset.slug)"
        )
        assert sorted(shown) == ["a", "b2", "c"]
        page.goto(url)  # this visit is now the last one: nothing new since
        assert page.locator(".badge--since").count() == 0
