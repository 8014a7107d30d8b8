"""The site in this repository is true: every pebble's code runs and prints what it says.

The real content is checked on a copy (so the repository's own cache is untouched),
with roomier timeouts than site.yml's, because the test suite shares the machine.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pebbles.config import load_config

from .conftest import Result

REPO = Path(__file__).resolve().parents[1]
# Only these topics' libraries are too heavy for `make build`; their blocks may skip.
HEAVY = {"tensorflow-basics": "tensorflow", "pytorch-tensors": "torch"}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from pebbles.cli import main

    root = tmp_path_factory.mktemp("repo-site")
    for name in ("content", "validators"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    config = (REPO / "site.yml").read_text(encoding="utf-8")
    config = config.replace("block_timeout: 10", "block_timeout: 60")
    (root / "site.yml").write_text(config.replace("post_timeout: 60", "post_timeout: 240"), "utf-8")
    out = root / "report.json"
    code = main(["check", "--root", str(root), "--no-cache", "--format", f"json={out}"])
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    data["exit"] = code
    return data


def test_the_repository_site_checks_clean(report: dict[str, Any]) -> None:
    failures = [
        (post["path"], finding["line"], finding["message"].splitlines()[0])
        for post in report["posts"]
        for finding in post["findings"]
        if finding["severity"] == "error"
    ]
    assert failures == []
    assert report["exit"] == 0


def test_every_block_is_verified_except_the_heavy_libraries(report: dict[str, Any]) -> None:
    unverified = [
        (post["path"], block["line"], block["status"])
        for post in report["posts"]
        for block in post["blocks"]
        if block["status"] != "passed" and Path(post["path"]).parent.name not in HEAVY
    ]
    assert unverified == []


def test_every_topic_has_a_pebble_with_an_author_and_a_date(cli: Callable[..., Result]) -> None:
    config = load_config(REPO)
    by_topic: dict[str, list[str]] = {topic.slug: [] for topic in config.topics}
    for path in sorted((REPO / "content").rglob("*.md")):
        if "guides" in path.parts:
            continue
        header = path.read_text(encoding="utf-8").split("---")[1]
        assert "\nauthor:" in header and "\ndate:" in header, path
        by_topic[path.parent.name].append(path.name)
    assert [slug for slug, posts in by_topic.items() if not posts] == []


def test_the_flagship_post_is_fully_verified(report: dict[str, Any]) -> None:
    (flagship,) = [p for p in report["posts"] if p["slug"] == "multithreading-and-semaphores"]
    assert len(flagship["blocks"]) >= 5
    assert {block["status"] for block in flagship["blocks"]} == {"passed"}
