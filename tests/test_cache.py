"""The run cache: unchanged code is judged again without running, and the cache
never trusts an entry it cannot read.

A block that prints random bytes tells whether its code really ran: the same
bytes twice means the second result came from the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pebbles.cache import post_key
from pebbles.config import load_config
from pebbles.content import parse_post
from pebbles.model import CheckSettings

from .conftest import Site
from .running import FIRST_LINE, HEADER, Checked, Cli, check, write_posts

L = FIRST_LINE
RANDOM = "```python\nimport os\nprint(os.urandom(8).hex())\n```\n\n```output\n...\n```\n"
FAILING = "\n```python\ndef fail():\n    raise ValueError('boom')\nfail()\n```\n"


def printed(checked: Checked, slug: str = "random") -> str:
    actual: str = checked.post(slug)["blocks"][0]["actual"]
    return actual


def stored(site: Site) -> Path:
    return site.root / ".pebbles-cache" / "runs.json"


def entries(site: Site) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(stored(site).read_text())
    return found


def test_an_unchanged_post_is_judged_from_the_cache(site: Site, cli: Cli) -> None:
    write_posts(site, random=RANDOM)
    first, second = check(site, cli), check(site, cli)
    assert first.code == second.code == 0
    assert printed(first) == printed(second)
    assert printed(check(site, cli, "--no-cache")) != printed(first)


def test_no_cache_neither_reads_nor_writes(site: Site, cli: Cli) -> None:
    write_posts(site, random=RANDOM)
    assert check(site, cli, "--no-cache").code == 0
    assert not (site.root / ".pebbles-cache").exists()


def test_editing_prose_moves_lines_without_running_again(site: Site, cli: Cli) -> None:
    write_posts(site, random=RANDOM + FAILING)
    before = check(site, cli)
    assert before.errors("random")[0].startswith(f"{L + 10}:1: error: uncaught ValueError")
    site.post("random", HEADER + "Three new lines\nof prose\nabove.\n\n" + RANDOM + FAILING)
    after = check(site, cli)
    assert printed(after) == printed(before)
    assert after.errors("random")[0].startswith(f"{L + 14}:1: error: uncaught ValueError")
    assert f'random.md", line {L + 15}, in <module>' in after.text
    assert f'random.md", line {L + 14}, in fail' in after.text


def test_editing_the_stated_output_judges_again_without_running(site: Site, cli: Cli) -> None:
    write_posts(site, random=RANDOM)
    before = check(site, cli)
    write_posts(site, random=RANDOM.replace("...\n", "not what it prints\n"))
    after = check(site, cli)
    assert after.code == 1
    assert printed(after) == printed(before)
    assert f"+   | {printed(before).strip()}" in after.text


def test_changing_the_code_runs_it_again(site: Site, cli: Cli) -> None:
    write_posts(site, random=RANDOM)
    before = check(site, cli)
    write_posts(site, random=RANDOM.replace("import os\n", "import os  # now with a comment\n"))
    assert printed(check(site, cli)) != printed(before)


def test_broken_entries_are_ignored_and_rebuilt(site: Site, cli: Cli) -> None:
    write_posts(site, random=RANDOM, other=RANDOM.replace("8", "9"), third=RANDOM.replace("8", "7"))
    before = check(site, cli)
    broken: list[Any] = ["not an entry at all", {"engine": 1}, [1, 2]]
    stored(site).write_text(json.dumps(dict(zip(entries(site), broken, strict=True))))
    after = check(site, cli)
    assert after.code == 0, after.text
    for slug in ("random", "other", "third"):
        assert printed(after, slug) != printed(before, slug)
    assert len(entries(site)) == 3
    assert all(isinstance(e["executions"], list) for e in entries(site).values())


def test_a_broken_cache_file_is_ignored_and_rebuilt(site: Site, cli: Cli) -> None:
    write_posts(site, random=RANDOM)
    before = check(site, cli)
    stored(site).write_text('{"not json at all')
    after = check(site, cli)
    assert after.code == 0, after.text
    assert printed(after) != printed(before)
    assert [e["path"] for e in entries(site).values()] == ["content/basics/random.md"]


def test_an_entry_with_wrong_field_types_is_not_trusted(site: Site, cli: Cli) -> None:
    write_posts(site, random=RANDOM)
    before = check(site, cli)
    data = entries(site)
    (entry,) = data.values()
    entry["executions"][0]["stdout"] = ["not", "text"]
    stored(site).write_text(json.dumps(data))
    after = check(site, cli)
    assert after.code == 0, after.text
    assert printed(after) != printed(before)


def test_an_edited_post_replaces_its_entry(site: Site, cli: Cli) -> None:
    write_posts(site, random=RANDOM, other=RANDOM.replace("8", "9"))
    check(site, cli)
    first = set(entries(site))
    write_posts(site, random=RANDOM.replace("import os\n", "import os  # edited\n"))
    check(site, cli)
    assert len(entries(site)) == 2 and len(first & set(entries(site))) == 1


def test_concurrent_runs_share_the_cache_safely(site: Site) -> None:
    posts = {f"post-{n}": RANDOM.replace("8", str(n + 4)) for n in range(4)}
    write_posts(site, **posts)
    command = [sys.executable, "-m", "pebbles", "check", "--jobs", "1"]
    runs = [
        subprocess.Popen(command, cwd=site.root, stdout=subprocess.PIPE, env=dict(os.environ))
        for _ in range(2)
    ]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    for run in runs:
        assert run.stdout is not None
        run.stdout.close()
    assert len(entries(site)) == 4
    assert all(entry["key"] == key for key, entry in entries(site).items())
    assert not list((site.root / ".pebbles-cache").rglob(".tmp-*"))


def test_the_key_covers_code_options_limits_and_sandbox_but_not_prose(site: Site) -> None:
    config = load_config(site.root)

    def key(body: str, settings: CheckSettings | None = None, sandbox: str = "bwrap") -> str:
        post, problems = parse_post(
            HEADER + body, "content/basics/p.md", "p", config, is_guide=False
        )
        assert post is not None and not problems
        return post_key(post, settings or CheckSettings(), sandbox)

    base = key(RANDOM)
    assert key("Some prose first.\n\n" + RANDOM) == base
    assert key(RANDOM.replace("...", "anything")) == base
    assert key(RANDOM.replace("```python", "```python timeout=3")) != base
    assert key(RANDOM.replace("8", "9")) != base
    assert key(RANDOM, CheckSettings(memory_mb=512)) != base
    assert key(RANDOM, sandbox="none") != base
