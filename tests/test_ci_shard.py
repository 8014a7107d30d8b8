"""``pebbles check --shard K/N``: every document in exactly one shard, the same split every time."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from pebbles.selection import shard

from .conftest import Result, Site

Cli = Callable[..., Result]

BLOCK = "```python\nprint(1)\n```\n\n"


def post(title: str, blocks: int = 0, topic: str = "basics") -> str:
    return f"---\ntitle: {title}\nemoji: 🧱\ntopic: {topic}\n---\n\n{BLOCK * blocks}"


@pytest.fixture
def seven(site: Site) -> Site:
    """One post with six code blocks, five with none, and a guide."""
    site.post("heavy", post("Heavy", blocks=6))
    for name in ("a-one", "b-two", "c-three", "d-four", "e-five"):
        site.post(name, post(name.title(), topic="threads"), topic="threads")
    site.write("content/guides/start-here.md", "---\ntitle: Start here\n---\n\nWelcome.\n")
    return site


def shard_paths(cli: Cli, part: str) -> list[str]:
    result = cli("check", "--no-run", "--shard", part, "--format", "json")
    assert result.code == 0, result.out + result.err
    return [p["path"] for p in json.loads(result.out)["posts"]]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_shards_are_a_disjoint_cover_of_all_documents(seven: Site, cli: Cli, n: int) -> None:
    everything = shard_paths(cli, "1/1")
    shares = [shard_paths(cli, f"{k}/{n}") for k in range(1, n + 1)]
    flat = [path for share in shares for path in share]
    assert sorted(flat) == sorted(everything)
    assert len(flat) == len(set(flat)) == 7


def test_the_split_is_the_same_on_every_run(seven: Site, cli: Cli) -> None:
    first = [shard_paths(cli, f"{k}/3") for k in (1, 2, 3)]
    second = [shard_paths(cli, f"{k}/3") for k in (1, 2, 3)]
    assert first == second


def test_a_costly_post_gets_a_shard_of_its_own(seven: Site, cli: Cli) -> None:
    assert shard_paths(cli, "1/2") == ["content/basics/heavy.md"]
    assert len(shard_paths(cli, "2/2")) == 6


def test_more_shards_than_documents_leaves_some_empty(seven: Site, cli: Cli) -> None:
    result = cli("check", "--no-run", "--shard", "9/9")
    assert result.code == 0
    assert "shard 9/9: 0 of 7 documents" in result.err


@pytest.mark.parametrize("bad", ["0/3", "4/3", "2", "a/b", "1/0"])
def test_an_impossible_shard_is_a_usage_error(
    site: Site, cli_process: Callable[..., Result], bad: str
) -> None:
    result = cli_process("check", "--no-run", "--shard", bad, cwd=site.root)
    assert result.code == 2
    assert "argument --shard" in result.err


def test_shard_balances_by_cost_and_breaks_ties_by_path() -> None:
    costs = {"a": 5.0, "b": 3.0, "c": 3.0, "d": 2.0, "e": 1.0}
    split = [shard(list(costs), k, 2, costs) for k in (1, 2)]
    assert split == [("a", "d"), ("b", "c", "e")]  # 7 and 7
    assert shard(list(reversed(costs)), 1, 2, costs) == split[0]
