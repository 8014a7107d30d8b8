from pathlib import Path

import pytest

from pebbles.config import load_config, parse_config
from pebbles.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def codes(text: str) -> list[tuple[int, str]]:
    _, diagnostics = parse_config(text, Path("."), "site.yml")
    return [(d.line, d.code) for d in diagnostics]


def test_the_repository_site_config_has_the_49_seed_topics() -> None:
    config = load_config(REPO)
    assert len(config.topics) == 49
    assert config.topics[0].slug == "folium-maps" and config.topics[-1].slug == "statsmodels-ols"
    assert {t.level for t in config.topics} == {"beginner", "intermediate", "advanced"}
    assert config.topic("lambda-functions") is not None
    assert config.brand.name == "Pynfinity"


BASE = """\
site:
  name: X
topics:
  - {slug: a, title: A, emoji: "🅰️"}
"""


def test_minimal_config_is_valid() -> None:
    assert codes(BASE) == []


def test_unknown_key_is_reported_with_line_and_suggestion() -> None:
    _, diagnostics = parse_config(BASE + "chek:\n  jobs: 2\n", Path("."), "site.yml")
    (d,) = diagnostics
    assert (d.line, d.code) == (5, "unknown-key")
    assert "did you mean 'check'" in d.message


def test_duplicate_topic_slug_is_reported_on_its_line() -> None:
    text = BASE + '  - {slug: a, title: Again, emoji: "🅱️"}\n'
    assert codes(text) == [(5, "duplicate-slug")]


def test_missing_topic_fields_are_reported() -> None:
    assert codes("site:\n  name: X\ntopics:\n  - {slug: a}\n") == [
        (4, "missing-key"),
        (4, "missing-key"),
    ]


def test_two_emoji_in_a_topic_are_rejected() -> None:
    assert codes('site:\n  name: X\ntopics:\n  - {slug: a, title: A, emoji: "🅰️🅱️"}\n') == [
        (4, "emoji")
    ]


def test_wrong_types_in_check_settings() -> None:
    assert sorted(codes(BASE + "check:\n  block_timeout: soon\n  sandbox: docker\n")) == [
        (6, "wrong-type"),
        (7, "bad-value"),
    ]


def test_yaml_syntax_error_names_the_line() -> None:
    assert codes("site:\n  name: [unclosed\ntopics: []\n")[0][1] == "yaml-syntax"


def test_missing_config_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no site configuration"):
        load_config(tmp_path)


def test_repo_dir_is_a_clean_relative_folder() -> None:
    config, problems = parse_config(
        BASE.replace("  name: X\n", "  name: X\n  repo_dir: ./docs/site/\n"), Path("."), "site.yml"
    )
    assert problems == [] and config is not None and config.brand.repo_dir == "docs/site"
    assert codes(BASE.replace("  name: X\n", "  name: X\n  repo_dir: ../outside\n")) == [
        (3, "bad-value")
    ]
    assert codes(BASE.replace("  name: X\n", "  name: X\n  repo_dir: /abs\n")) == [(3, "bad-value")]
