"""Sites in the reader's language: dates by CLDR (checked against Babel's own formatting),
every interface string from the shipped catalogs, right-to-left layout, search in Korean and
Japanese, readable tag URLs in any script, and catalogs a site can override or add."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest
from babel import Locale
from babel.dates import format_date, format_interval, format_skeleton
from babel.messages.pofile import read_po
from bs4 import Doctype

from tests.conftest import (
    ROOT,
    build_ok,
    copy_example,
    event_text,
    serve_folder,
    soup,
    write_event,
)
from tests.test_design import axe_violations
from tests.test_publish import crawl
from tests.test_serve import ServeProcess
from timeline.dates import parse_date
from timeline.datetext import DateText
from timeline.language import Language, catalog_files

SHIPPED = ["ko", "ja", "zh-Hans", "ru", "fr", "de", "es", "ar"]
LOCALES = ROOT / "locales"
BASE_URL = "https://example.org/repo/"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def language(tag: str) -> Language:
    """The language as a site gets it: the theme's catalogs, the English list of strings."""
    english = read_po((LOCALES / "en" / "LC_MESSAGES" / "messages.po").open("rb"))
    return Language(tag, catalog_files(tag, [(LOCALES, ROOT)]), english)


def with_language(site: Path, tag: str) -> Path:
    toml = site / "site.toml"
    text = re.sub(r'(?m)^language = ".*"$', f'language = "{tag}"', toml.read_text())
    toml.write_text(text if f'language = "{tag}"' in text else f'language = "{tag}"\n{text}')
    return site


@cache
def example_in(tag: str, root: Path) -> Path:
    """The example site built in `tag` (once per language and run), under `root`/repo."""
    site = with_language(copy_example(root / f"site-{tag}"), tag)
    out = root / f"out-{tag}" / "repo"
    build_ok("--site", str(site), "--out", str(out), "--base-url", BASE_URL)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("languages")
    return lambda tag: example_in(tag, root)


# Dates ----------------------------------------------------------------------------------------


def wide_months(text: str, locale: Locale) -> str:
    """Babel's abbreviated month names in `text` written in full, as a long date has them."""
    short, wide = locale.months["format"]["abbreviated"], locale.months["format"]["wide"]
    for month in sorted(short, key=lambda m: -len(short[m])):
        if short[month] != wide[month]:
            text = text.replace(short[month], wide[month])
    return text


def day_interval(first: dt.date, last: dt.date, locale: Locale) -> str:
    if "yMMMMd" in locale.interval_formats:
        return format_interval(first, last, "yMMMMd", locale=locale)
    text = format_interval(first, last, "yMMMd", locale=locale)
    named = any(
        "MMM" in part for parts in locale.interval_formats["yMMMd"].values() for part in parts
    )
    return wide_months(text, locale) if named else text  # months by number stay numbers


@pytest.mark.parametrize("tag", ["en", *SHIPPED])
def test_dates_are_written_as_cldr_writes_them(tag: str) -> None:
    lang = language(tag)
    dates, locale, _ = DateText(lang), lang.locale, lang.gettext
    day, other_day, march = dt.date(2019, 2, 28), dt.date(2019, 2, 27), dt.date(2019, 3, 1)
    month, year = (
        format_skeleton("yMMMM", day, locale=locale),
        format_skeleton("y", day, locale=locale),
    )
    bce = format_skeleton("y", dt.date(2001, 1, 1), locale=locale).replace(
        "2001", _("%(year)s BCE") % {"year": 44}
    )
    expected = {
        "2019-02-28": format_date(day, "long", locale=locale),
        "2019-02": month,
        "2019": year,
        "2019-02-27/2019-02-28": day_interval(other_day, day, locale),
        "2019-02-27/2019-03-01": day_interval(other_day, march, locale),
        "2018-12-27/2019-01-02": day_interval(dt.date(2018, 12, 27), dt.date(2019, 1, 2), locale),
        "2019-02/2019-03": format_interval(day, march, "yMMMM", locale=locale),
        "2019/2021": format_interval(day, dt.date(2021, 1, 1), "y", locale=locale),
        "2019-02~": _("c. %(date)s") % {"date": month},
        "2019?": _("%(date)s?") % {"date": year},
        "2019-02-28/..": _("%(date)s onwards") % {"date": format_date(day, "long", locale=locale)},
        "../2019": _("until %(date)s") % {"date": year},
        "-0043": bce,
        "199X": _("%(decade)ss") % {"decade": 1990},
        "2019-21": _("Spring %(year)s") % {"year": year},
    }
    assert {text: dates.display(parse_date(text)) for text in expected} == expected


def test_the_issue_examples_read_as_asked() -> None:
    text = "2019-02-27/2019-02-28"
    assert DateText(language("en")).display(parse_date(text)) == "27–28 February 2019"
    assert DateText(language("ja")).display(parse_date(text)) == "2019年2月27日～28日"
    assert DateText(language("ko")).display(parse_date(text)) == "2019년 2월 27일~28일"


@pytest.mark.parametrize("tag", SHIPPED)
def test_qualifiers_and_gaps_are_translated(tag: str) -> None:
    lang = language(tag)
    for message in ("c. %(date)s", "%(date)s onwards", "until %(date)s", "about %(duration)s",
                    "Spring %(year)s", "%(decade)ss", "%(year)s BCE"):  # fmt: skip
        assert lang.gettext(message) != message, f"{tag} leaves {message!r} in English"
    later = lang.ngettext("%(num)d month later", "%(num)d months later", 8) % {"num": 8}
    assert "8" in later and "later" not in later


# Interface strings ------------------------------------------------------------------------


def english_patterns(lang: Language) -> list[re.Pattern[str]]:
    """A pattern for each English interface string this language writes differently (its
    placeholders match anything; strings whose fixed words are too short to tell are left
    out)."""
    english = read_po((LOCALES / "en" / "LC_MESSAGES" / "messages.po").open("rb"))
    patterns = []
    for message in english:
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            fixed = PLACEHOLDER.sub("", text)
            if not text or len(re.sub(r"\W", "", fixed)) < 4:
                continue
            if isinstance(message.id, tuple):  # every form the language uses, for any count
                translated = {lang.ngettext(*message.id, n) for n in (0, 1, 2, 3, 5, 11, 21, 100)}
            else:
                translated = {lang.gettext(message.id)}
            if text in translated:  # the same word in both languages ("JSON")
                continue
            parts = [re.escape(p) for p in PLACEHOLDER.split(text)]
            patterns.append(re.compile(".+?".join(parts)))
    return patterns


CONTENT = (".body, .summary, .standfirst, .lead, .event-title, .citation, .location, "
           ".source-list li, .tag, .period-mark a, .prev-next__title, .card-entities a, "
           ".card-connections a, .event-periods a, .related a, .connections a, .event-entities a, "
           ".entity-index a, .period-index a, .publisher-index a, .site-title, .change a, "
           ".event-image, .event-page h1, .period-title, h1.embed-title")  # fmt: skip


def interface_texts(page: Path) -> list[str]:
    """The words of a page that come from the theme: text nodes and labels, without what the
    example's content supplies (titles, bodies, sources, names)."""
    document = soup(page)
    content = [node.get_text(" ", strip=True) for node in document.select(CONTENT)]
    content += [re.sub(r" \(\d+\)$", "", option.get_text()) for option in document("option")]
    content += [document.title.get_text().split(" · ")[-1]] if document.title else []
    for node in document.select(f"{CONTENT}, script, style, svg"):
        node.decompose()
    texts = [t.strip() for t in document.find_all(string=True) if not isinstance(t, Doctype)]
    for attribute in ("aria-label", "title", "placeholder"):
        texts += [node[attribute] for node in document.find_all(attrs={attribute: True})]
    phrases = sorted({c for c in content if len(c) > 2}, key=len, reverse=True)
    return [_without(text, phrases) for text in texts if text.strip()]


def _without(text: str, phrases: list[str]) -> str:
    """`text` with the content's phrases taken out (a strip caption names the periods)."""
    for phrase in phrases:
        if phrase in text and phrase != text:
            text = text.replace(phrase, "…")
    return text


@pytest.mark.parametrize("tag", SHIPPED)
def test_no_english_interface_string_is_left(tag: str, built) -> None:
    out = built(tag)
    patterns = english_patterns(language(tag))
    assert len(patterns) > 100
    left = set()
    for page in out.rglob("*.html"):
        for text in interface_texts(page):
            left.update(f"{page.relative_to(out)}: {text!r}" for p in patterns if p.fullmatch(text))
    assert sorted(left) == []
    assert f'lang="{tag}"' in (out / "index.html").read_text()


@pytest.mark.parametrize("tag", SHIPPED)
def test_the_shipped_catalogs_are_complete(tag: str) -> None:
    assert language(tag).missing == ()


def test_scripts_get_their_strings_from_the_page(built, example_build) -> None:
    page = (built("ko") / "index.html").read_text()
    strings = re.search(r'<script type="application/json" id="timeline-strings">(.*?)</script>',
                        page)  # fmt: skip
    table = json.loads(strings[1])
    korean = language("ko")
    assert table["Show only these"] == korean.gettext("Show only these") != "Show only these"
    assert set(table["%(num)d more matching event on other pages:"]) == {"other"}  # one form
    assert "timeline-strings" not in (example_build.out / "index.html").read_text()
    for script in (ROOT / "static" / "js").glob("*.js"):
        # Words a reader sees are only ever written inside _() or ngettext() in the scripts.
        for literal in re.findall(r'textContent = "([^"]+)"', script.read_text()):
            pytest.fail(f"{script.name} shows {literal!r} without translating it")


def test_citations_are_named_in_the_site_language(built) -> None:
    page = soup(built("ko") / "events" / "2024-06-19-russia-dprk-treaty" / "index.html")
    labels = [link["aria-label"] for link in page.select("sup.cite a")]
    assert labels and all(label.startswith("출처 ") for label in labels)


def test_arabic_pages_are_right_to_left(built) -> None:
    html = soup(built("ar") / "index.html").html
    assert (html["lang"], html["dir"]) == ("ar", "rtl")
    assert "dir=" not in (built("ko") / "index.html").read_text().split(">", 2)[1]


def test_feeds_say_the_language(built) -> None:
    assert 'xml:lang="ja"' in (built("ja") / "feed.xml").read_text()


# Tags and URLs in any script -------------------------------------------------------------


HANOI = """---
title: 하노이 정상회담 결렬
date: 2019-02-27/2019-02-28
tags: [북한, 미국 외교]
location: 하노이
status: confirmed
importance: major
entities: [kim-jong-un, hanoi-city]
related: [{event: treaty, relation: led-to}]
corrections: [{date: 2024-05-02, note: 회담 종료일을 바로잡았다.}]
sources:
  - id: yonhap
    title: 하노이 회담 결렬
    publisher: 연합뉴스
    url: https://example.org/a
    date: 2019-02-28
    accessed: 2024-05-01
    archived: https://example.org/b
  - {title: 회담 기록, date: 2019-03}
---
트럼프와 김정은의 하노이 회담은 합의 없이 끝났다 [@yonhap].
"""
TREATY = """---
title: 북러 포괄적 전략 동반자 조약
date: 2024-06-19
tags: [북한, 러시아]
status: claimed
entities: [kim-jong-un]
sources:
  - {title: 조약 서명, publisher: 조선중앙통신, url: "https://example.org/c", date: 2024-06-20}
---
푸틴과 김정은이 평양에서 상호 방위 조약에 서명했다.
"""


def korean_site(root: Path) -> Path:
    """A site written in Korean (and one event in Japanese) that uses every feature: sources
    and citations, statuses, a period, people and places, links, a correction."""
    site = root / "site"
    site.mkdir()
    (site / "site.toml").write_text('title = "북한 연표"\nlanguage = "ko"\n')
    write_event(site, "hanoi.md", HANOI)
    write_event(site, "treaty.md", TREATY)
    write_event(site, "tokyo.md", event_text(
        "米朝首脳会談がハノイで決裂", "2019-03-01~", tags="[日本語]",
        body="ハノイでの首脳会談は合意なしに終わった。",
        sources="[{title: 会談, date: 2019-03-01}]",
    ))  # fmt: skip
    for folder, name, text in (
        ("periods", "summits.md", "title: 정상 외교\ndate: 2018/2019\n---\n정상 외교의 시기."),
        ("entities", "kim-jong-un.md", "title: 김정은\nkind: person\naliases: [김]\n---\n위원장."),
        ("entities", "hanoi-city.md", "title: 하노이\nkind: place\n---\n베트남의 수도."),
    ):  # fmt: skip
        (site / "content" / folder).mkdir(parents=True, exist_ok=True)
        (site / "content" / folder / name).write_text(f"---\n{text}\n", encoding="utf-8")
    return site


LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
NAMES = {"JSON", "CSV", "TimelineJS", "iCal", "Atom", "Esc", "UTC"}  # the same in any language


def test_a_korean_site_shows_no_english_word(tmp_path: Path) -> None:
    """Written in Korean, a site has no English left on its pages (outside links and
    code), however many features it uses: an English word would be a string nobody
    marked for translation, which no catalog can list."""
    site = korean_site(tmp_path)
    out = tmp_path / "out"
    build_ok("--site", str(site), "--out", str(out), "--base-url", BASE_URL)
    left = set()
    for page in out.rglob("*.html"):
        document = soup(page)
        for node in document.select("script, style, code, kbd"):
            node.decompose()
        texts = [str(t) for t in document.find_all(string=True) if not isinstance(t, Doctype)]
        texts += [n[a] for a in ("aria-label", "title") for n in document.find_all(attrs={a: True})]
        for text in texts:
            if set(LATIN_WORD.findall(text)) - NAMES:
                left.add(f"{page.relative_to(out)}: {text.strip()!r}")
    assert sorted(left) == []


def test_tags_in_any_script_get_readable_urls_that_resolve(tmp_path: Path) -> None:
    site = korean_site(tmp_path)
    out = tmp_path / "srv" / "repo"
    build_ok("--site", str(site), "--out", str(out), "--base-url", BASE_URL)
    assert (out / "tags" / "북한" / "index.html").is_file()
    assert (out / "tags" / "미국-외교" / "index.html").is_file()
    assert (out / "tags" / "日本語" / "index.html").is_file()
    links = {a["href"] for a in soup(out / "index.html").select("a.tag")}
    assert "/repo/tags/%EB%B6%81%ED%95%9C/" in links  # 북한, percent-encoded in the link
    sitemap = (out / "sitemap.xml").read_text()
    assert f"{BASE_URL}tags/%EB%B6%81%ED%95%9C/" in sitemap
    with serve_folder(out.parent) as url:
        seen, broken = crawl(url + "repo/", {BASE_URL: url + "repo/"})
    assert broken == []
    assert any(unquote(address).endswith("/tags/러시아/") for address in seen)


# Catalogs a site brings ---------------------------------------------------------------------


def po_file(path: Path, language_tag: str, messages: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f'msgid ""\nmsgstr ""\n"Language: {language_tag}\\n"\n'
    header += '"Content-Type: text/plain; charset=UTF-8\\n"\n'
    body = "".join(f'\nmsgid "{k}"\nmsgstr "{v}"\n' for k, v in messages.items())
    path.write_text(header + body, encoding="utf-8")


def test_a_site_overrides_a_shipped_translation(tmp_path: Path) -> None:
    site = korean_site(tmp_path)
    catalog = site / "locales" / "ko" / "LC_MESSAGES" / "messages.po"
    po_file(catalog, "ko", {"Tags": "주제어", "Sources": ""})
    with catalog.open("a", encoding="utf-8") as more:  # untranslated, as `pybabel update` leaves it
        more.write('\nmsgid "%(num)d event"\nmsgid_plural "%(num)d events"\nmsgstr[0] ""\n')
    out = tmp_path / "out"
    build_ok("--site", str(site), "--out", str(out))
    nav = soup(out / "index.html").select_one(".site-nav").get_text(" ", strip=True)
    assert "주제어" in nav and language("ko").gettext("Timeline") in nav
    ko = language("ko")
    tags = soup(out / "tags" / "index.html").get_text(" ")  # the shipped words fill the gaps
    assert (ko.ngettext("%(num)d event", "%(num)d events", 2) % {"num": 2}) in tags
    assert ko.gettext("Sources") in (out / "index.html").read_text()


def test_author_values_are_shown_as_written(tmp_path: Path) -> None:
    """A publisher or a status label from site.toml is data: never formatted as a message,
    never markup, even when it looks like one."""
    site = korean_site(tmp_path)
    write_event(site, "odd.md", event_text(
        "이상한 출처", "2020", sources='[{title: 기사, publisher: "100% <b>Radio</b> %(x)s"}]',
    ))  # fmt: skip
    out = tmp_path / "out"
    build_ok("--site", str(site), "--out", str(out))
    sources = (out / "sources" / "index.html").read_text()
    assert "100% &lt;b&gt;Radio&lt;/b&gt; %(x)s" in sources and "<b>Radio" not in sources


def test_a_site_adds_a_language_and_is_told_what_is_missing(tmp_path: Path, cli) -> None:
    site = korean_site(tmp_path)
    with_language(site, "pt")
    po_file(site / "locales" / "pt" / "LC_MESSAGES" / "messages.po", "pt",
            {"Tags": "Etiquetas", "Timeline": "Cronologia"})  # fmt: skip
    result = cli("build", "--site", site, "--out", tmp_path / "out")
    assert result.code == 0
    warnings = [line for line in result.err.splitlines() if "language:" in line]
    assert len(warnings) == 1, result.err
    assert "'Sources'" in warnings[0] and "'Tags'" not in warnings[0]
    page = (tmp_path / "out" / "index.html").read_text()
    assert "Etiquetas" in page and "Cronologia" in page
    assert "Skip to the timeline" in page  # not translated: English, as the warning said


def test_a_broken_catalog_fails_the_build_with_its_place(tmp_path: Path, cli) -> None:
    site = korean_site(tmp_path)
    out = tmp_path / "out"
    assert cli("build", "--site", site, "--out", out).code == 0
    before = (out / "index.html").read_bytes()
    broken = site / "locales" / "ko" / "LC_MESSAGES" / "messages.po"
    broken.parent.mkdir(parents=True)
    for text, line in (
        ('msgid ""\nmsgstr ""\n\nmsgid "Tags"\nmsgstr "unclosed\n', 5),  # msgfmt refuses it
        ('msgid ""\nmsgstr ""\n\nmsgid "Tags"\n\nmsgid "X"\nmsgstr "Y"\n', 4),  # no msgstr
    ):
        broken.write_text(text, encoding="utf-8")
        result = cli("build", "--site", site, "--out", out)
        assert result.code != 0
        assert f"locales/ko/LC_MESSAGES/messages.po:{line}: " in result.err
        assert "Traceback" not in result.err
        assert (out / "index.html").read_bytes() == before


def test_an_unknown_language_is_refused_at_its_line(tmp_path: Path, cli) -> None:
    site = korean_site(tmp_path)
    (site / "site.toml").write_text('title = "x"\nlanguage = "xx-Nope"\n')
    result = cli("build", "--site", site, "--out", tmp_path / "out")
    assert result.code != 0 and "site.toml:2: language:" in result.err


# In the browser --------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("tag", ["ko", "ar"])
@pytest.mark.parametrize("path", ["", "events/2024-06-19-russia-dprk-treaty/", "tags/"])
def test_no_accessibility_violations_in_korean_and_arabic(built, chromium, tag, scheme, path):
    out = built(tag)
    with serve_folder(out.parent) as url:
        context = chromium.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(url + "repo/" + path)
        assert axe_violations(page) == []
        context.close()


def test_arabic_draws_time_from_right_to_left(built, web_page) -> None:
    out = built("ar")
    with serve_folder(out.parent) as url:
        page = web_page.page
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url + "repo/")
        box = page.eval_on_selector("main", "e => e.getBoundingClientRect().toJSON()")
        card = page.eval_on_selector(
            "li.event-item .event", "e => e.getBoundingClientRect().toJSON()"
        )
        rail = page.eval_on_selector(
            ".events", "e => [getComputedStyle(e).paddingLeft, getComputedStyle(e).paddingRight]"
        )
        rail = [float(side.removesuffix("px")) for side in rail]
        assert rail[1] > rail[0]  # the axis runs down the right-hand side
        assert (
            card["right"] > box["left"] + box["width"] * 0.9
        )  # the first card starts on the right

        def mark_x(slug: str) -> float:
            return page.eval_on_selector(
                f'.overview [data-slug="{slug}"]', "e => e.getBoundingClientRect().x"
            )

        first = mark_x("2017-11-29-hwasong-15-nuclear-force-complete")
        last = mark_x("2025-04-28-dprk-confirms-troops")
        assert first > last  # the earliest event is drawn furthest right
        band = '.overview__band[data-slug="summit-diplomacy"]'
        box = "e => e.getBoundingClientRect().toJSON()"
        span = page.eval_on_selector(f"{band} .overview__band-span", box)
        label = page.eval_on_selector(f"{band} text", box)
        assert span["left"] <= label["left"] and label["right"] <= span["right"] + 1


@pytest.mark.parametrize(
    ("tag", "query", "slug"),
    [("ko", "평양", "treaty"), ("ko", "하노이", "hanoi"), ("ja", "首脳会談", "tokyo")],
)
def test_search_finds_korean_and_japanese_text(tmp_path: Path, web_page, tag, query, slug) -> None:
    site = with_language(korean_site(tmp_path), tag)
    out = tmp_path / "srv" / "repo"
    build_ok("--site", str(site), "--out", str(out), "--base-url", BASE_URL)
    with serve_folder(out.parent) as url:
        page = web_page.page
        page.goto(url + "repo/")
        page.fill("#search-q", query)
        page.wait_for_function(
            "() => document.querySelectorAll('li.event-item:not([hidden])').length === 1",
            timeout=10_000,
        )
        shown = page.eval_on_selector_all(
            "li.event-item:not([hidden])", "els => els.map(e => e.dataset.slug)"
        )
        assert shown == [slug]
        status = page.text_content("#search-status")
        assert "events" not in status and "1" in status  # said in the site's language


def test_the_preview_overlay_speaks_the_site_language(tmp_path: Path, web_page) -> None:
    site = korean_site(tmp_path)
    (site / "site.toml").write_text(
        'title = "미리보기"\nlanguage = "ko"\nbase_url = "https://example.org/sub/"\n'
    )
    server = ServeProcess(site)
    try:
        server.wait_for_output("Preview at")
        page = web_page.page
        page.goto(server.url())
        page.wait_for_function("() => window.LiveReload !== undefined")
        write_event(site, "bad.md", "---\ntitle: 잘못\ndate: 2019-13-45\n---\n")
        alert = page.locator("#timeline-preview-errors")
        alert.wait_for(timeout=10_000)
        text = alert.inner_text()
        ko = language("ko")
        assert ko.gettext("Fix the file and save: this page reloads by itself.") in text
        assert "You are seeing" not in text and "content/events/bad.md:3: date:" in text
        write_event(site, "bad.md", event_text("고침", "2019-12-01"))
        page.wait_for_function("() => !document.querySelector('#timeline-preview-errors')")
    finally:
        server.stop()
