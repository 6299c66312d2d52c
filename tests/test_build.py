"""Building sites end to end and reading the pages as a browser would (parsed HTML)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ExampleBuild, copy_fixture, event_text, soup, tree_digest, write_event


def test_edge_cases_site_builds(tmp_path: Path, cli) -> None:
    site = copy_fixture("sites", "edge-cases", tmp_path)
    result = cli("build", "--site", site)
    assert result.code == 0, result.err
    out = site / "_site"
    index = soup(out / "index.html")
    titles = [a.get_text() for a in index.select("article.event h3 a")]
    assert titles == [
        "An event with no body",
        "With a byte order mark",
        "Windows line endings",
        "Überraschung in Zürich — 東京 ✓",
        "Quoted date",
        "Unquoted YAML date",
    ]
    crlf = soup(out / "events" / "crlf" / "index.html")
    assert [p.get_text() for p in crlf.select(".body p")] == ["First line.", "Second paragraph."]
    assert (out / "tags" / "東京" / "index.html").is_file()
    assert (out / "tags" / "zurich" / "index.html").is_file()


def test_site_templates_and_static_override_the_default_theme(tmp_path: Path, cli) -> None:
    site = copy_fixture("sites", "edge-cases", tmp_path)
    assert cli("build", "--site", site).code == 0
    out = site / "_site"
    assert soup(out / "404.html").h1.get_text() == "Lost in the edge cases"
    # The site's style sheet, served minified (comments and spaces gone).
    assert (out / "css" / "style.css").read_text() == "body{color:#123}"
    assert (out / "images" / "pixel.gif").read_bytes() == b"GIF89a"
    # Templates the site does not override still come from the default theme.
    assert soup(out / "index.html").select_one("a.skip-link")["href"] == "#timeline"


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ('<li class="mine">{{ card }}</li>\n', 1),  # the card once: its frame is kept alone
        ("<li>{{ card }}<hr>{{ card }}</li>\n", 2),  # twice, or not at all: drawn whole
        ("<li>{{ event.title }}</li>\n", 0),
    ],
)
def test_a_themes_event_item_draws_its_card_as_written(
    site: Path, cli, item: str, expected: int
) -> None:
    """`_event_item.html` (the wrapper around each card in a list) may show the card any
    number of times; the pages show exactly what the template says."""
    for name, year in (("a.md", "2001"), ("b.md", "2002")):
        write_event(site, name, event_text(f"Event {name[0]}", year, tags="[one]"))
    (site / "templates").mkdir()
    (site / "templates" / "_event_item.html").write_text(item)
    assert cli("build", "--site", site).code == 0
    for page in ("index.html", "tags/one/index.html"):
        html = (site / "_site" / page).read_text()
        assert html.count('<article class="event event--') == 2 * expected, page
        assert "\x00" not in html
        assert ('class="mine"' in html) == (expected == 1)


def test_pages_and_links(site: Path, cli) -> None:
    write_event(
        site,
        "a.md",
        event_text(
            "First", "2019-02-27/2019-02-28", tags="[Diplomacy, russia]", location="Hanoi, Vietnam"
        ),
    )
    write_event(site, "b.md", event_text("Second", "2020", tags="[russia]"))
    write_event(site, "c.md", event_text("Third", "2021-03~"))
    assert cli("build", "--site", site, "--base-url", "https://user.github.io/repo/").code == 0
    out = site / "_site"
    expected = {
        "index.html", "404.html", "tags/index.html", "tags/diplomacy/index.html",
        "tags/russia/index.html", "events/a/index.html", "events/b/index.html",
        "events/c/index.html", "css/style.css",
    }  # fmt: skip
    assert expected <= set(tree_digest(out))
    index = soup(out / "index.html")
    assert index.html["lang"] == "en"
    assert index.title.get_text() == "Test timeline"
    assert index.find("link", rel="canonical")["href"] == "https://user.github.io/repo/"
    assert [h.get_text() for h in index.select("section.year h2")] == ["2019", "2020", "2021"]
    assert len(index.select("article.event")) == 3
    first = index.select_one("article#a")
    assert first.select_one(".date").get_text() == "27–28 February 2019"
    assert first.select_one(".location").get_text() == "Hanoi, Vietnam"
    assert first.select_one("h3 a")["href"] == "/repo/events/a/"
    approx = index.select_one("article#c")
    assert approx.select_one(".date").get_text() == "c. March 2021"
    assert approx.select_one(".badge--fuzzy").get_text() == "approximate date"
    page = soup(out / "events" / "b" / "index.html")
    assert page.find("meta", attrs={"name": "description"})["content"] == "Body."
    assert page.select_one("a[rel=prev]")["href"] == "/repo/events/a/"
    assert page.select_one("a[rel=next]")["href"] == "/repo/events/c/"
    tag_page = soup(out / "tags" / "russia" / "index.html")
    assert [a.get_text() for a in tag_page.select("article .event-title a")] == ["First", "Second"]


def test_every_internal_link_honours_the_base_path(site: Path, cli) -> None:
    write_event(site, "a.md", event_text("First", "2019", tags="[x]"))
    assert cli("build", "--site", site, "--base-url", "https://user.github.io/repo/").code == 0
    for path in (site / "_site").rglob("*.html"):
        page = soup(path)
        for element, attribute in (
            ("a", "href"),
            ("link", "href"),
            ("script", "src"),
            ("img", "src"),
        ):
            for node in page.find_all(element):
                value = node.get(attribute, "")
                if value.startswith(("#", "http://", "https://")) or not value:
                    continue
                assert value.startswith("/repo/"), f"{path}: {value}"


def test_frontmatter_is_escaped_everywhere(site: Path, cli) -> None:
    write_event(
        site, "x.md",
        '---\ntitle: "<script>alert(1)</script> & co"\ndate: 2019\nlocation: "<b>Here</b>"\n'
        'summary: "\\"><img src=x onerror=alert(1)>"\ntags: ["<i>t</i>"]\n---\n',
    )  # fmt: skip
    assert cli("build", "--site", site).code == 0
    for name in ("index.html", "events/x/index.html"):
        text = (site / "_site" / name).read_text()
        assert "<script>alert" not in text and "<img src=x" not in text and "<b>Here" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text
    page = soup(site / "_site" / "events" / "x" / "index.html")
    assert (
        page.find("meta", attrs={"name": "description"})["content"]
        == '"><img src=x onerror=alert(1)>'
    )


def test_drafts_are_left_out_unless_asked(site: Path, cli) -> None:
    write_event(site, "pub.md", event_text("Published", "2019"))
    write_event(site, "wip.md", event_text("Work in progress", "2019", draft="true"))
    assert cli("build", "--site", site).code == 0
    assert not (site / "_site" / "events" / "wip").exists()
    assert cli("build", "--site", site, "--drafts").code == 0
    draft_page = soup(site / "_site" / "events" / "wip" / "index.html")
    assert "Draft" in draft_page.select_one(".draft-note").get_text()


def test_builds_are_byte_identical(site: Path, tmp_path: Path, cli) -> None:
    for index in range(12):
        write_event(
            site, f"e{index}.md", event_text(f"Event {index}", f"20{10 + index}", tags="[a, b]")
        )
    assert cli("build", "--site", site, "--out", tmp_path / "one").code == 0
    assert cli("build", "--site", site, "--out", tmp_path / "two").code == 0
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_build_never_touches_the_sources(tmp_path: Path, cli) -> None:
    site = copy_fixture("sites", "edge-cases", tmp_path)
    before = {p: tree_digest(site / p) for p in ("content", "templates", "static")}
    assert cli("build", "--site", site).code == 0
    assert {p: tree_digest(site / p) for p in before} == before


def test_output_inside_the_sources_is_refused(site: Path, cli) -> None:
    write_event(site, "a.md", event_text("A", "2019"))
    result = cli("build", "--site", site, "--out", site / "content" / "out")
    assert result.code == 2
    assert "inside the site's content/" in result.err
    assert cli("build", "--site", site, "--out", site).code == 2
    assert (site / "content" / "events" / "a.md").exists()


def test_static_file_colliding_with_a_page_is_an_error(site: Path, cli) -> None:
    write_event(site, "a.md", event_text("A", "2019"))
    (site / "static").mkdir()
    (site / "static" / "index.html").write_text("mine")
    result = cli("build", "--site", site)
    assert result.code == 1
    assert "static/index.html" in result.err


def test_example_site_builds_without_warnings(example_build: ExampleBuild) -> None:
    assert example_build.err_text == ""
    assert example_build.out_text.startswith("Built ")
    index = soup(example_build.out / "index.html")
    events = index.select("article.event")
    assert 15 <= len(events) <= 40  # the example grows; its own tests check what it says
    years = [h.get_text() for h in index.select("section.year h2")]
    assert years == sorted(years) and {"2018", "2024"} <= set(years)
    for path in (example_build.out / "events").glob("*/index.html"):
        assert soup(path).select("section.sources li.citation"), f"{path} has no sources"
