"""site.toml: optional, typed, and wrong keys are clear errors with their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from timeline.config import SiteConfig, load_config
from timeline.errors import BuildFailed


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config == SiteConfig()
    assert config.base_path == "/"
    assert config.absolute_url("events/x/") == ""


def test_base_url_gives_path_and_absolute_urls(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('base_url = "https://user.github.io/repo"\n')
    config = load_config(tmp_path)
    assert config.base_path == "/repo/"
    assert config.absolute_url("events/x/") == "https://user.github.io/repo/events/x/"


def test_command_line_base_url_overrides_the_file(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('base_url = "https://a.example/"\n')
    assert load_config(tmp_path, base_url="http://127.0.0.1:8000/x/").base_path == "/x/"


def test_every_bad_key_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text(
        'title = "T"\ntilte = "x"\nallow_raw_html = "yes"\nbase_url = "ftp://x"\n'
        'language = "english language"\n'
    )
    with pytest.raises(BuildFailed) as info:
        load_config(tmp_path)
    messages = [str(p) for p in info.value.problems]
    assert messages[0].startswith(
        'site.toml:2: tilte: unknown setting (did you mean "title"?); known settings: title, '
    )
    assert messages[1:] == [
        "site.toml:3: allow_raw_html: must be true or false, not str",
        "site.toml:4: base_url: must be an absolute http(s) URL such as https://user.github.io/repo/",
        "site.toml:5: language: must be a language tag such as en, fr or pt-BR",
    ]


def test_invalid_toml_has_its_line(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('title = "T"\ndescription = \n')
    with pytest.raises(BuildFailed) as info:
        load_config(tmp_path)
    assert str(info.value.problems[0]).startswith("site.toml:2: invalid TOML")


def test_search_exclude_lists_known_fields(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('search_exclude = ["sources", "location"]\n')
    assert load_config(tmp_path).search_exclude == ("sources", "location")
    (tmp_path / "site.toml").write_text('search_exclude = ["title"]\n')
    with pytest.raises(BuildFailed) as info:
        load_config(tmp_path)
    assert str(info.value.problems[0]) == (
        "site.toml:1: search_exclude: unknown field 'title'; choose from summary, body, tags, "
        "location, sources"
    )
