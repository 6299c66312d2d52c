"""People, organisations and places (content/entities/), and links between events
(`related:`): their pages, the references checked at their lines, the inverse links, the
exports, `new --entity`, and the search facet and aliases in a real browser."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import ROOT, event_text, soup, write_event

SCHEMA = ROOT / "static" / "schema" / "events.schema.json"


def write_entity(site: Path, slug: str, **fields: str) -> Path:
    lines = [f"{key}: {value}" for key, value in fields.items()]
    path = site / "content" / "entities" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + "\n".join(lines) + "\n---\nAbout them.\n", encoding="utf-8")
    return path


def cast(site: Path) -> None:
    """Two people, a place; three events, linked."""
    write_entity(site, "kim-jong-un", title="Kim Jong Un", kind="person",
                 aliases="[Kim Jong-un, 김정은]", wikidata="Q56226",
                 summary="Leader of North Korea.")  # fmt: skip
    write_entity(site, "donald-trump", title="Donald Trump", kind="person")
    write_entity(site, "hanoi", title="Hanoi", kind="place")
    write_event(site, "singapore.md", event_text(
        "Singapore summit", "2018-06-12", entities="[kim-jong-un, donald-trump]",
        related="[{event: hanoi-summit, relation: led-to}]"))  # fmt: skip
    write_event(site, "hanoi-summit.md", event_text(
        "Hanoi summit", "2019-02-28", entities="[kim-jong-un, donald-trump, hanoi]",
        tags="[diplomacy]"))  # fmt: skip
    write_event(site, "statement.md", event_text(
        "A statement", "2019-03-01", entities="[kim-jong-un]",
        related="[{event: hanoi-summit, relation: response-to}]"))  # fmt: skip


def build(site: Path, cli) -> Path:
    out = site.parent / "out"
    done = cli("build", "--site", site, "--out", out, "--base-url", "https://e.org/t/")
    assert done.code == 0, done.err
    return out


def test_each_entity_has_a_page_and_an_index_by_kind(site: Path, cli):
    cast(site)
    out = build(site, cli)
    page = soup(out / "entities" / "kim-jong-un" / "index.html")
    assert page.h1.get_text() == "Kim Jong Un"
    assert "also Kim Jong-un, 김정은" in page.select_one(".timeline-summary").get_text()
    wikidata = page.select_one(".timeline-summary a")
    assert wikidata["href"] == "https://www.wikidata.org/wiki/Q56226"
    assert [li["data-slug"] for li in page.select("li.event-item")] == [
        "singapore", "hanoi-summit", "statement",
    ]  # fmt: skip
    assert page.select_one("figure.overview-figure svg")  # the strip, as on tag pages
    index = soup(out / "entities" / "index.html")
    groups = [(s.h2.get_text(), [a.get_text() for a in s.select("li > a")])
              for s in index.select("section.entity-group")]  # fmt: skip
    assert groups == [("People", ["Donald Trump", "Kim Jong Un"]), ("Places", ["Hanoi"])]


def test_events_link_to_their_entities_and_connected_events_both_ways(site: Path, cli):
    cast(site)
    out = build(site, cli)
    hanoi = soup(out / "events" / "hanoi-summit" / "index.html")
    names = [a.get_text() for a in hanoi.select(".event-entities a")]
    assert names == ["Kim Jong Un", "Donald Trump", "Hanoi"]
    kim = hanoi.select_one(".event-entities a")
    assert kim["title"] == "Also Kim Jong-un, 김정은"  # indexed: the aliases find the event
    assert kim["data-pagefind-index-attrs"] == "title"
    links = [li.get_text(" ", strip=True) for li in hanoi.select(".connections li")]
    assert links[0].startswith("Followed from: Singapore summit 12 June 2018")
    assert links[1].startswith("Prompted: A statement 1 March 2019")
    singapore = soup(out / "events" / "singapore" / "index.html")
    assert (
        singapore.select_one(".connections li")
        .get_text(" ", strip=True)
        .startswith("Led to: Hanoi summit")
    )
    card = soup(out / "index.html").select_one("#statement")
    assert [a.get_text() for a in card.select(".card-entities a")] == ["Kim Jong Un"]
    assert card.select_one(".card-connections").get_text() == "In response to: Hanoi summit"
    assert card.select_one(".card-connections a")["href"] == "/t/events/hanoi-summit/"


def test_renaming_an_entity_changes_every_card_that_names_it(site: Path, cli):
    cast(site)
    out = build(site, cli)
    write_entity(site, "hanoi", title="Hà Nội", kind="place")
    out = build(site, cli)  # with the build cache, as a second build would be
    for page in ("index.html", "tags/diplomacy/index.html", "entities/kim-jong-un/index.html"):
        card = soup(out / page).select_one("#hanoi-summit")
        assert "Hà Nội" in card.select_one(".card-entities").get_text(), page


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (event_text("E", "2019", entities="[kim-jong-un, pyongyang]"),
         'content/events/e.md:4: entities.1: "pyongyang" is not an entity (no file '
         "content/entities/pyongyang.md)"),
        (event_text("E", "2019", entities="[kim-jong-eun]"),
         'content/events/e.md:4: entities.0: "kim-jong-eun" is not an entity (no file '
         'content/entities/kim-jong-eun.md); did you mean "kim-jong-un"?'),
        (event_text("E", "2019", entities="[kim-jong-u]"),
         'did you mean "kim-jong-un"?'),
        (event_text("E", "2019", related="[{event: singapur, relation: led-to}]"),
         'content/events/e.md:4: related.0.event: "singapur" is not an event; '
         'did you mean "singapore"?'),
        (event_text("E", "2019", related="[{event: e, relation: see-also}]"),
         "content/events/e.md:4: related.0.event: an event cannot be related to itself"),
        (event_text("E", "2019", related="[{event: singapore, relation: caused}]"),
         "content/events/e.md:4: related.0.relation: must be one of led-to, response-to, "
         "part-of, see-also, not 'caused'"),
    ],
)  # fmt: skip
def test_bad_references_are_errors_at_their_line(site: Path, cli, event: str, message: str):
    write_entity(site, "kim-jong-un", title="Kim Jong Un", kind="person", aliases="[Kim Jong-eun]")
    write_event(site, "singapore.md", event_text("Singapore", "2018"))
    write_event(site, "e.md", event)
    out = site.parent / "out"
    done = cli("build", "--site", site, "--out", out)
    assert done.code == 1
    assert message in done.err
    assert not out.exists()


def test_part_of_cycles_are_errors(site: Path, cli):
    write_event(site, "a.md", event_text("A", "2019", related="[{event: b, relation: part-of}]"))
    write_event(site, "b.md", event_text("B", "2019", related="[{event: c, relation: part-of}]"))
    write_event(site, "c.md", event_text("C", "2019", related="[{event: a, relation: part-of}]"))
    write_event(site, "d.md", event_text("D", "2019", related="[{event: a, relation: part-of}]"))
    done = cli("check", "--site", site)
    assert done.code == 1
    assert (
        "content/events/a.md:4: related.0.event: part-of goes round in a circle: a -> b -> c -> a"
    ) in done.err
    assert done.err.count("circle") == 1  # one cycle, reported once; d is only part of it


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "X"}, "content/entities/x.md:1: kind: is required"),
        ({"title": "X", "kind": "animal"}, "kind: must be one of person, organisation, place"),
        ({"title": "X", "kind": "person", "wikidata": "56226"},
         'wikidata: "56226" must be a Wikidata item id'),
        ({"kind": "person"}, "content/entities/x.md:1: title: is required"),
    ],
)  # fmt: skip
def test_invalid_entity_files_are_reported(site: Path, cli, fields: dict, message: str):
    write_entity(site, "x", **fields)
    done = cli("check", "--site", site)
    assert done.code == 1
    assert message in done.err


def test_the_exports_carry_entities_and_relations(site: Path, cli):
    cast(site)
    out = build(site, cli)
    data = json.loads((out / "events.json").read_text())
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    assert [e["slug"] for e in data["entities"]] == ["donald-trump", "hanoi", "kim-jong-un"]
    assert data["entities"][2]["aliases"] == ["Kim Jong-un", "김정은"]
    singapore = next(e for e in data["events"] if e["slug"] == "singapore")
    assert singapore["entities"] == ["kim-jong-un", "donald-trump"]
    assert singapore["relations"] == [{"event": "hanoi-summit", "relation": "led-to"}]
    rows = list(csv.DictReader(io.StringIO((out / "events.csv").read_text(), newline="")))
    assert rows[1]["entities"] == "Kim Jong Un; Donald Trump; Hanoi"
    slide = json.loads((out / "timelinejs.json").read_text())["events"][1]
    assert "With Kim Jong Un, Donald Trump, Hanoi.</p>" in slide["text"]["text"]


def test_new_starts_an_entity_file(site: Path, cli):
    done = cli("new", "Choe Son Hui", "--entity", "person", "--site", site)
    assert done.code == 0, done.err
    path = site / "content" / "entities" / "choe-son-hui.md"
    assert 'title: "Choe Son Hui"\nkind: person\n' in path.read_text()
    assert cli("check", "--site", site).code == 0  # the file it starts is valid
    again = cli("new", "Choe Son Hui", "--entity", "person", "--site", site)
    assert again.code == 2 and "already exists" in again.err
    assert cli("new", "X", "--site", site).code == 2  # an event needs --date


def test_the_entity_facet_and_aliases_in_the_browser(example, web_page):
    url, out = example
    data = json.loads((out / "events.json").read_text())
    person = max(
        (e for e in data["entities"] if e["kind"] == "person" and e["aliases"]),
        key=lambda e: sum(e["slug"] in ev["entities"] for ev in data["events"]),
    )
    expected = [ev["slug"] for ev in data["events"] if person["slug"] in ev["entities"]]
    page = web_page.page
    page.goto(url)
    groups = page.eval_on_selector_all("#search-entity optgroup", "gs => gs.map(g => g.label)")
    assert groups[0] == "People"
    page.select_option("#search-entity", person["slug"])
    page.wait_for_url(f"**/?entity={person['slug']}")
    shown = page.eval_on_selector_all(
        "li.event-item:not([hidden])", "els => els.map(e => e.dataset.slug)"
    )
    assert shown == expected
    page.goto(url + "?q=" + person["aliases"][0].replace(" ", "+"))  # an alias finds them
    page.wait_for_function(
        "() => !document.querySelector('#search-status').textContent.startsWith("
        f"'{len(data['events'])} of')"
    )
    found = page.eval_on_selector_all(
        "li.event-item:not([hidden])", "els => els.map(e => e.dataset.slug)"
    )
    assert set(expected) <= set(found)
