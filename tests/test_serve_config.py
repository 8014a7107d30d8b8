"""The ``serve:`` section of site.yml: defaults, values and strictness."""

from pathlib import Path

from pebbles.config import parse_config
from pebbles.model import ServeSettings

BASE = """\
site:
  name: X
topics:
  - {slug: a, title: A, emoji: "🅰️"}
"""


def parse(extra: str) -> tuple[ServeSettings | None, list[tuple[int, str, str]]]:
    config, diagnostics = parse_config(BASE + extra, Path("/srv/site"), "site.yml")
    found = [(d.line, d.code, d.message) for d in diagnostics]
    return (config.serve if config else None), found


def test_without_a_serve_section_the_defaults_apply() -> None:
    serve, problems = parse("")
    assert problems == []
    assert serve == ServeSettings()


def test_every_serve_key_is_read() -> None:
    serve, problems = parse(
        "serve:\n  submissions: inbox/posts\n  max_request_kib: 64\n"
        "  rate_limit: 5\n  check_queue: 3\n"
    )
    assert problems == []
    assert serve == ServeSettings("inbox/posts", 64, 5, 3)


def test_the_submissions_folder_is_resolved_inside_the_site() -> None:
    config, _ = parse_config(BASE + "serve:\n  submissions: inbox\n", Path("/srv/site"), "x")
    assert config is not None
    assert config.submissions_dir == Path("/srv/site/inbox")


def test_an_unknown_serve_key_is_an_error_with_a_suggestion() -> None:
    _, problems = parse("serve:\n  rate_limt: 5\n")
    assert [(line, code) for line, code, _ in problems] == [(6, "unknown-key")]
    assert "did you mean 'rate_limit'" in problems[0][2]


def test_submissions_outside_the_site_are_refused() -> None:
    for folder in ("/tmp/inbox", "../inbox", "a/../../b"):
        _, problems = parse(f"serve:\n  submissions: {folder}\n")
        assert [(line, code) for line, code, _ in problems] == [(6, "bad-value")], folder


def test_submissions_inside_a_folder_the_build_reads_are_refused() -> None:
    for folder in ("content", "content/inbox", "validators/q", "renderer"):
        _, problems = parse(f"serve:\n  submissions: {folder}\n")
        assert problems and "the build reads that folder" in problems[0][2], folder


def test_limits_must_be_positive_whole_numbers() -> None:
    _, problems = parse("serve:\n  max_request_kib: 0\n  rate_limit: fast\n")
    assert [(line, code) for line, code, _ in problems] == [
        (6, "out-of-range"),
        (7, "wrong-type"),
    ]
