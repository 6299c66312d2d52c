"""Evidence as data: citations tying sentences to sources, each event's status, sources as
first-class data (archived copies, access days, a page of every source by publisher) and
`--strict`. Tested from the outside: the files a build writes, and the command's exit."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import icalendar
import jsonschema
import pytest

from tests.conftest import ROOT, snapshot, soup, write_event

SCHEMA = ROOT / "static" / "schema" / "events.schema.json"

CITED = """---
title: Talks collapse
date: 2019-02-28
status: reported
summary: The talks ended early [@ap].
sources:
  - id: ap
    title: Talks end without a deal
    publisher: AP
    url: https://apnews.example/talks
    date: 2019-02-28
    archived: https://web.archive.example/apnews.example/talks
    accessed: 2024-06-19
  - id: kcna
    title: Statement of the foreign ministry
    publisher: KCNA
    url: https://kcna.example/statement
    date: 2019-03-01
  - title: Background, never cited
    publisher: AP
    url: https://apnews.example/background
    date: 2019-01-10
---
The summit ended without an agreement [@ap].

*Pyongyang blamed Washington [@kcna]*, and both sides [@ap; @kcna] left.

Literal in code: `[@nobody]`, and a footnote[^1].

```
[@nobody] in a block
```

[^1]: A footnote from the extra extension.
"""


def build(site: Path, cli, *args: str) -> Path:
    out = site.parent / "out"
    done = cli("build", "--site", site, "--out", out, "--base-url", "https://e.org/t/", *args)
    assert done.code == 0, done.err
    return out


def sourced(title: str, date: str, *, status: str = "", extra: str = "") -> str:
    """An event with one dated https source (and so no warning), in any status."""
    status_line = f"status: {status}\n" if status else ""
    return (
        f"---\ntitle: {title}\ndate: {date}\n{status_line}{extra}sources:\n"
        f"  - {{title: Report, publisher: Wire, url: 'https://wire.example/{date}', "
        f"date: {date}}}\n---\nBody.\n"
    )


# Citations --------------------------------------------------------------------------------


def test_citations_link_to_their_sources_and_back(site: Path, cli):
    write_event(site, "talks.md", CITED)
    page = soup(build(site, cli) / "events" / "talks" / "index.html")
    body = page.select_one(".body")
    cites = body.select("sup.cite a")
    assert [a.get_text() for a in cites] == ["1", "2", "1", "2"]
    assert [a["href"] for a in cites] == ["#source-1", "#source-2", "#source-1", "#source-2"]
    assert [a["id"] for a in cites] == ["cite-1-1", "cite-2-1", "cite-1-2", "cite-2-2"]
    assert cites[0]["aria-label"] == "Source 1: AP, “Talks end without a deal”"
    assert body.select_one("em sup.cite")  # inside emphasis
    assert "agreement[1]." in body.get_text()  # on the word, before the full stop
    assert "[@nobody]" in body.select_one("code").get_text()  # code stays literal
    assert "[@nobody]" in body.select_one("pre").get_text()
    assert body.select_one(".footnote")  # footnotes still work beside citations
    entries = page.select(".sources li.citation")
    assert [li["id"] for li in entries] == ["source-1", "source-2", "source-3"]
    assert [a["href"] for a in entries[0].select(".backlinks a")] == ["#cite-1-1", "#cite-1-2"]
    assert not entries[2].select(".backlinks a")  # a source never cited is fine


def test_citations_become_numbers_in_summaries_feeds_and_exports(site: Path, cli):
    write_event(site, "talks.md", CITED)
    out = build(site, cli)
    card = soup(out / "index.html").select_one("#talks .summary").get_text()
    assert card == "The talks ended early [1]."
    record = json.loads((out / "events.json").read_text())["events"][0]
    assert record["summary"] == "The talks ended early [1]."
    assert 'href="https://e.org/t/events/talks/#source-1"' in record["body_html"]
    slide = json.loads((out / "timelinejs.json").read_text())["events"][0]
    assert 'href="https://e.org/t/events/talks/#source-2"' in slide["text"]["text"]
    assert "The talks ended early [1]." in (out / "feed.xml").read_text()
    for path in out.rglob("*"):
        if path.suffix in {".html", ".json", ".xml", ".csv", ".ics"}:
            text = path.read_text(encoding="utf-8")
            assert "[@ap" not in text and "[@kcna" not in text, path


def test_an_unknown_id_is_an_error_at_its_line(site: Path, cli):
    write_event(site, "talks.md", CITED.replace("both sides [@ap; @kcna]", "both [@ap; @afp]"))
    write_event(site, "other.md", CITED.replace("early [@ap]", "early [@x]"))
    out = site.parent / "out"
    done = cli("build", "--site", site, "--out", out)
    assert done.code == 1
    assert (
        'content/events/talks.md:26: body: [@afp] cites no source with id "afp"; '
        "this event's sources: ap, kcna"
    ) in done.err
    assert 'content/events/other.md:5: summary: [@x] cites no source with id "x"' in done.err
    assert not out.exists()


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ("  - {id: a, title: A}\n  - {id: a, title: B}",
         'sources.1.id: "a" is already the id of another source of this event'),
        ("  - {id: 'Bad Id', title: A}", 'sources.0.id: "Bad Id" must use only a-z'),
        ("  - {title: A, archived: 'ftp://x.example'}", 'sources.0.archived: "ftp://x.example"'),
        ("  - {title: A, accessed: 2024-06}", 'sources.0.accessed: "2024-06" must be one day'),
    ],
)  # fmt: skip
def test_bad_source_fields_are_errors(site: Path, cli, sources: str, message: str):
    write_event(site, "e.md", f"---\ntitle: E\ndate: 2019\nsources:\n{sources}\n---\nBody.\n")
    done = cli("check", "--site", site)
    assert done.code == 1
    assert message in done.err


# Status -----------------------------------------------------------------------------------


def test_status_shows_as_a_labelled_badge_with_a_legend(site: Path, cli):
    write_event(site, "a.md", sourced("Summit held", "2019-02-27", status="confirmed"))
    write_event(site, "b.md", sourced("Troops sent", "2024-10-08", status="reported"))
    write_event(site, "c.md", sourced("Satellite in orbit", "2023-11-21", status="claimed"))
    out = build(site, cli)
    index = soup(out / "index.html")
    badge = index.select_one("#c .badge--status")
    assert badge.get_text(" ", strip=True) == "Status: Claimed"
    assert "status--unconfirmed" in badge["class"]  # a dashed outline, not colour alone
    assert "status--unconfirmed" not in index.select_one("#a .badge--status")["class"]
    legend = index.select_one(".status-legend")
    assert legend.summary.get_text() == "How firm each event is: 1 confirmed, 1 reported, 1 claimed"
    assert "Asserted by one party" in legend.get_text()
    assert "disputed" not in legend.get_text().lower()  # only the statuses in use
    options = [o["value"] for o in index.select("#search-status-filter option")]
    assert options == ["", "confirmed", "reported", "claimed"]
    event = soup(out / "events" / "b" / "index.html")
    assert (
        event.select_one(".event-dateline .badge--status").get_text(strip=True).endswith("Reported")
    )


def test_status_is_in_every_export(site: Path, cli):
    write_event(site, "a.md", sourced("Summit held", "2019-02-27", status="confirmed"))
    write_event(site, "b.md", sourced("Troops sent", "2024-10-08", status="disputed"))
    write_event(site, "c.md", sourced("No status", "2020-01-01"))
    out = build(site, cli)
    data = json.loads((out / "events.json").read_text())
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    assert [e["status"] for e in data["events"]] == ["confirmed", None, "disputed"]
    rows = list(csv.DictReader(io.StringIO((out / "events.csv").read_text(), newline="")))
    assert [row["status"] for row in rows] == ["confirmed", "", "disputed"]
    calendar = icalendar.Calendar.from_ical((out / "events.ics").read_bytes())
    status = {str(e["SUMMARY"]): e.get("STATUS") for e in calendar.walk("VEVENT")}
    assert status == {"Summit held": "CONFIRMED", "Troops sent": "TENTATIVE", "No status": None}


def test_a_site_renames_adds_and_defaults_statuses(site: Path, cli):
    with (site / "site.toml").open("a") as handle:
        handle.write(
            'default_status = "reported"\n'
            '[statuses.confirmed]\nlabel = "Verified"\n'
            '[statuses.alleged]\nlabel = "Alleged"\ndescription = "Said by one witness."\n'
        )
    write_event(site, "a.md", sourced("Summit held", "2019-02-27", status="confirmed"))
    write_event(site, "b.md", sourced("Seen at the border", "2020-05-01", status="alleged"))
    write_event(site, "c.md", sourced("Unmarked", "2021-01-01"))
    out = build(site, cli)
    index = soup(out / "index.html")
    assert index.select_one("#a .badge--status").get_text(strip=True).endswith("Verified")
    assert index.select_one("#b .badge--status").get_text(strip=True).endswith("Alleged")
    assert index.select_one("#c .badge--status").get_text(strip=True).endswith("Reported")
    assert "Said by one witness." in index.select_one(".status-legend").get_text()
    calendar = icalendar.Calendar.from_ical((out / "events.ics").read_bytes())
    status = {str(e["SUMMARY"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert status["Seen at the border"] == "TENTATIVE"  # a new status counts as unconfirmed


def test_unknown_statuses_are_errors(site: Path, cli):
    write_event(site, "a.md", sourced("A", "2019", status="rumoured"))
    done = cli("check", "--site", site)
    assert done.code == 1
    assert (
        "content/events/a.md:4: status: 'rumoured' is not a status; known: confirmed, "
        "reported, claimed, disputed"
    ) in done.err
    (site / "site.toml").write_text('title = "T"\ndefault_status = "sure"\n')
    done = cli("check", "--site", site)
    assert "site.toml:2: default_status: 'sure' is not a status" in done.err


# Sources ----------------------------------------------------------------------------------


def test_archived_copies_and_access_days_are_listed(site: Path, cli):
    write_event(site, "talks.md", CITED)
    entry = soup(build(site, cli) / "events" / "talks" / "index.html").select_one("#source-1")
    archived = entry.select_one("a.archived")
    assert archived.get_text() == "Archived copy"
    assert archived["href"] == "https://web.archive.example/apnews.example/talks"
    assert "Accessed 19 June 2024" in entry.get_text()


def test_the_sources_page_groups_sources_by_publisher(site: Path, cli):
    """`sources/` lists the publishers, the most cited first; each has a page of its
    sources and the events each supports (pages of 200, so no page grows without end)."""
    write_event(site, "talks.md", CITED)
    write_event(site, "b.md", sourced("Second", "2020-01-01"))
    write_event(site, "c.md", sourced("Third", "2021-01-01"))
    write_event(
        site, "d.md",
        "---\ntitle: Fourth\ndate: 2022\nsources:\n"
        "  - {title: No publisher, url: 'https://news.example/x', date: 2022}\n---\nBody.\n",
    )  # fmt: skip
    out = build(site, cli)
    index = soup(out / "sources" / "index.html")
    groups = [(li.a.get_text(), li.a["href"]) for li in index.select(".publisher-index > li")]
    assert groups == [
        ("Wire", "/t/sources/wire/"), ("AP", "/t/sources/ap/"), ("KCNA", "/t/sources/kcna/"),
        ("news.example", "/t/sources/news-example/"),
    ]  # fmt: skip
    assert (
        "2 sources, cited by 2 of 4 events (50%)"
        in index.select_one(".publisher-index li").get_text()
    )
    wire = soup(out / "sources" / "wire" / "index.html")
    assert len(wire.select(".source-list > li")) == 2
    assert [a.get_text() for a in wire.select(".cited-by a")] == ["Second", "Third"]
    assert (
        soup(site.parent / "out" / "events" / "talks" / "index.html").select_one(".all-sources a")[
            "href"
        ]
        == "/t/sources/"
    )


# --strict ---------------------------------------------------------------------------------


HEAD = "---\ntitle: T\ndate: 2019\n"
WARNINGS = {
    "bare.md": HEAD + "---\nNo sources.\n",
    "undated.md": HEAD + "sources:\n  - {title: T, url: 'https://x.example'}\n---\n",
    "plain.md": HEAD + "sources:\n  - {title: T, url: 'http://kcna.kp/a', date: 2019}\n---\n",
}


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_strict_turns_each_new_warning_into_an_error(site: Path, cli, name: str):
    write_event(site, name, WARNINGS[name])
    out = site.parent / "out"
    assert cli("check", "--site", site).code == 0
    assert cli("build", "--site", site, "--out", out, "--base-url", "https://e.org/").code == 0
    before = snapshot(out)
    for command in (("check",), ("build", "--out", out, "--base-url", "https://e.org/")):
        done = cli(*command, "--site", site, "--strict")
        assert done.code == 1, command
        assert "(a warning; --strict)" in done.err
        assert f"content/events/{name}" in done.err
    assert snapshot(out) == before  # the previous output is intact


def test_strict_passes_a_clean_site_and_allowed_http_hosts(site: Path, cli):
    write_event(site, "plain.md", WARNINGS["plain.md"])
    with (site / "site.toml").open("a") as handle:
        handle.write('allow_http_hosts = ["kcna.kp"]\n')
    done = cli("check", "--site", site, "--strict")
    assert done.code == 0 and done.err == ""
    out = site.parent / "out"
    done = cli("build", "--site", site, "--out", out, "--base-url", "https://e.org/", "--strict")
    assert done.code == 0, done.err


def test_the_example_passes_strict(example_site: Path, cli):
    """The Pages workflow builds the example with --strict."""
    done = cli("check", "--site", example_site, "--strict")
    assert done.code == 0, done.err
    workflow = (ROOT / ".github" / "workflows" / "pages.yml").read_text()
    assert "build.py build --strict" in workflow


def test_the_status_facet_narrows_the_list_through_the_url(example, web_page):
    url, out = example
    reported = [
        e["slug"]
        for e in json.loads((out / "events.json").read_text())["events"]
        if e["status"] == "reported"
    ]
    assert reported  # counted, not assumed: the example's content may change
    page = web_page.page
    page.goto(url)
    page.select_option("#search-status-filter", "reported")
    page.wait_for_url("**/?status=reported")
    shown = page.eval_on_selector_all(
        "li.event-item:not([hidden])", "els => els.map(e => e.dataset.slug)"
    )
    assert shown == reported
    page.goto(page.url)  # the URL alone restores the view
    page.wait_for_function(
        "n => document.querySelector('#search-status').textContent.startsWith(n + ' of')",
        arg=len(reported),
    )
    assert page.input_value("#search-status-filter") == "reported"


def test_a_citation_leads_to_its_source_and_back(example, web_page):
    url, out = example
    cited = next(
        e
        for e in json.loads((out / "events.json").read_text())["events"]
        if "cite-1-1" in e["body_html"]
    )
    page = web_page.page
    page.goto(url + f"events/{cited['slug']}/")
    page.click("#cite-1-1")
    page.wait_for_function("location.hash === '#source-1'")
    assert page.evaluate("document.querySelector(':target').id") == "source-1"
    page.click("#source-1 .backlinks a >> nth=0")
    page.wait_for_function("location.hash === '#cite-1-1'")


def test_a_publisher_with_many_sources_gets_several_pages(site: Path, cli, monkeypatch):
    import timeline.pages

    monkeypatch.setattr(timeline.pages, "SOURCES_PER_PAGE", 2)
    for number in range(5):
        write_event(site, f"e{number}.md", sourced(f"Event {number}", f"201{number}-01-01"))
    out = build(site, cli)
    pages = sorted(
        p.relative_to(out).as_posix() for p in (out / "sources" / "wire").rglob("*.html")
    )
    assert pages == ["sources/wire/2/index.html", "sources/wire/3/index.html",
                     "sources/wire/index.html"]  # fmt: skip
    listed = [
        li.select_one(".cited-by a").get_text()
        for page in ("", "2/", "3/")
        for li in soup(out / "sources" / "wire" / page / "index.html").select(".source-list > li")
    ]
    assert listed == [f"Event {n}" for n in range(5)]
