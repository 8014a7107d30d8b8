"""`pebbles new` end to end: flags, prompts on a terminal, refusals and exit codes."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from pebbles.scaffold import slug_for

from .conftest import Result, Site

Cli = Callable[..., Result]
REPO = Path(__file__).resolve().parents[1]


class Terminal(io.StringIO):
    """Typed answers on a standard input that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_flags_write_the_post_under_its_topic_and_it_passes_check(site: Site, cli: Cli) -> None:
    shutil.copytree(REPO / "validators", site.root / "validators")
    made = cli("new", "--title", "Adding up: sum() and friends", "--topic", "basics")
    assert made.code == 0, made.err
    path = site.root / "content/basics/adding-up-sum-and-friends.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "Adding up: sum() and friends"\nemoji: "🧱"\n')
    assert "```python\n" in text and "```output\n" in text
    checked = cli("check", str(path))
    assert checked.code == 0, checked.out
    assert "1 passed" in checked.out


def test_author_and_github_go_into_the_header(site: Site, cli: Cli) -> None:
    made = cli("new", "--title", "Locks", "--topic", "threads", "--emoji", "🔒",
               "--author", "Ada Example", "--github", "@ada-example")  # fmt: skip
    assert made.code == 0, made.err
    text = (site.root / "content/threads/locks.md").read_text(encoding="utf-8")
    assert 'emoji: "🔒"\n' in text
    assert 'author:\n  name: "Ada Example"\n  github: "ada-example"\n' in text


def test_a_topic_may_be_named_by_its_title(site: Site, cli: Cli) -> None:
    assert cli("new", "--title", "Joins", "--topic", "THREADS").code == 0
    assert (site.root / "content/threads/joins.md").is_file()


def test_an_unknown_topic_is_a_usage_error_with_suggestions(site: Site, cli: Cli) -> None:
    result = cli("new", "--title", "Locks", "--topic", "thread")
    assert result.code == 2
    assert "unknown topic 'thread' (did you mean 'threads'?)" in result.err
    assert not any((site.root / "content").rglob("*.md"))


def test_an_existing_post_is_never_replaced(site: Site, cli: Cli) -> None:
    original = site.post("locks", "my own words\n", topic="threads")
    result = cli("new", "--title", "Locks", "--topic", "threads")
    assert result.code == 1
    assert "already exists" in result.err
    assert original.read_text(encoding="utf-8") == "my own words\n"


def test_a_slug_used_under_another_topic_is_refused(site: Site, cli: Cli) -> None:
    site.post("locks", "elsewhere\n", topic="basics")
    result = cli("new", "--title", "Locks", "--topic", "threads")
    assert result.code == 1
    assert "slug 'locks' is already used by" in result.err
    assert not (site.root / "content/threads/locks.md").exists()


def test_a_title_without_latin_letters_needs_a_slug(site: Site, cli: Cli) -> None:
    refused = cli("new", "--title", "列表推导", "--topic", "basics")
    assert refused.code == 2 and "--slug" in refused.err
    made = cli("new", "--title", "列表推导", "--topic", "basics", "--slug", "list-comprehensions")
    assert made.code == 0, made.err
    assert 'title: "列表推导"' in (site.root / "content/basics/list-comprehensions.md").read_text(
        encoding="utf-8"
    )


def test_values_the_checker_would_refuse_are_refused_before_writing(site: Site, cli: Cli) -> None:
    two = cli("new", "--title", "Locks", "--topic", "threads", "--emoji", "🔒🔑")
    assert two.code == 2 and "one character" in two.err
    long = cli("new", "--title", "A" * 121, "--topic", "threads", "--slug", "long")
    assert long.code == 2 and "too-long" in long.err
    assert not any((site.root / "content").rglob("*.md"))


def test_without_a_terminal_missing_flags_are_an_error(
    site: Site, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    result = cli("new", "--title", "Locks")
    assert result.code == 2
    assert "missing --topic" in result.err


def test_on_a_terminal_missing_values_are_asked_and_a_bad_topic_asked_again(
    site: Site, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = "Semaphores in practice\nthreding\nthreads\n\nGrace\ngrace-h\n"
    monkeypatch.setattr("sys.stdin", Terminal(answers))
    result = cli("new")
    assert result.code == 0, result.err
    assert "did you mean 'threads'" in result.err
    text = (site.root / "content/threads/semaphores-in-practice.md").read_text(encoding="utf-8")
    assert 'emoji: "🧵"' in text  # the topic's, since the emoji prompt was left empty
    assert 'name: "Grace"\n  github: "grace-h"' in text


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Café au lait: 3 ways!", "cafe-au-lait-3-ways"),
        ("  --Hello__World--  ", "hello-world"),
        ("λ functions", "functions"),
        ("数据", ""),
        ("x" * 80, "x" * 60),
    ],
)
def test_slugs_are_ascii_words_joined_by_hyphens(title: str, slug: str) -> None:
    assert slug_for(title) == slug
