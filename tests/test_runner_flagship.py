"""The flagship post runs and passes; a copy with one wrong stated line fails with a
diff at exactly that ``.md`` line."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Site
from .running import Cli, check

FLAGSHIP = (
    Path(__file__).parent.parent / "content" / "multithreading" / "multithreading-and-semaphores.md"
)
pytestmark = pytest.mark.skipif(not FLAGSHIP.exists(), reason="the flagship post is not here")


def flagship(site: Site, text: str | None = None) -> str:
    """The flagship post under the test site's 'threads' topic; returns its text."""
    original = FLAGSHIP.read_text(encoding="utf-8")
    text = (text or original).replace("topic: multithreading", "topic: threads", 1)
    site.write("content/threads/flagship.md", text)
    return text


def test_every_block_of_the_flagship_passes(site: Site, cli: Cli) -> None:
    flagship(site)
    checked = check(site, cli)
    assert checked.code == 0, checked.text
    blocks = checked.post("flagship")["blocks"]
    assert len(blocks) >= 5
    assert {b["status"] for b in blocks} == {"passed"}
    assert all(b["actual"] for b in blocks)


def test_a_wrong_copy_of_the_flagship_fails_at_the_wrong_line(site: Site, cli: Cli) -> None:
    original = FLAGSHIP.read_text(encoding="utf-8")
    assert "final count: 80000\n```" in original
    text = flagship(site, original.replace("final count: 80000\n```", "final count: 80001\n```"))
    wrong = text.splitlines().index("final count: 80001") + 1
    checked = check(site, cli)
    assert checked.code == 1
    (error,) = checked.errors("flagship")
    assert error == f"{wrong}:1: error: output differs from the stated output [output-mismatch]"
    assert f"-{wrong} | final count: 80001" in checked.text
    assert "+" + " " * len(str(wrong)) + " | final count: 80000" in checked.text
    statuses = [b["status"] for b in checked.post("flagship")["blocks"]]
    assert statuses.count("failed") == 1 and statuses.count("passed") == len(statuses) - 1
