"""The opt-in pytest plugin: one item per post, the same verdicts as `pebbles check`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import GOOD_POST, Site

WRONG_POST = GOOD_POST.replace("```output\n3\n```", "```output\n4\n```")


def pytest_in(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a real pytest process in ``root`` (its own rootdir, no repo settings)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_the_flag_posts_are_not_collected(site: Site) -> None:
    site.post("adding", GOOD_POST)
    done = pytest_in(site.root, "--collect-only", "-q", "content")
    assert done.returncode == 5, done.stdout  # pytest's "no tests collected"
    assert "adding" not in done.stdout


def test_the_flag_collects_one_item_per_post(site: Site) -> None:
    site.post("adding", GOOD_POST)
    site.post("wrong", WRONG_POST)
    site.write("notes.md", "# not a post: outside content/\n")
    done = pytest_in(site.root, "--pebbles", "--collect-only", "-q", ".")
    assert done.returncode == 0, done.stdout + done.stderr
    items = [line for line in done.stdout.splitlines() if "::" in line]
    assert items == ["content/basics/adding.md::adding", "content/basics/wrong.md::wrong"]


def test_the_ini_option_turns_collection_on_and_names_the_paths(site: Site) -> None:
    site.post("adding", GOOD_POST)
    site.write("tests/test_nothing.py", "def test_nothing() -> None:\n    pass\n")
    site.write(
        "pytest.ini", "[pytest]\ntestpaths = tests\npebbles = true\npebbles_paths = content\n"
    )
    done = pytest_in(site.root, "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    items = [line for line in done.stdout.splitlines() if "::" in line]
    assert items == ["tests/test_nothing.py::test_nothing", "content/basics/adding.md::adding"]


MIXED = {
    "adding": GOOD_POST,
    "wrong": WRONG_POST,
    "crash": GOOD_POST.replace("total = 1 + 2", "total = 1 / 0"),
    "commented": GOOD_POST.replace("print(total)", "print(total)  # 3"),
    "skipped": GOOD_POST.replace("```python", '```python skip="not today"'),
}


def verdicts(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """``slug -> PASSED/FAILED/SKIPPED`` from pytest's ``-rA`` summary."""
    found = {}
    for line in done.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED", "SKIPPED") and ".md" in rest:
            slug = rest.split(".md", 1)[0].rsplit("/", 1)[-1]
            found[slug] = word
    return found


def test_serial_xdist_and_pebbles_check_agree_post_by_post(site: Site) -> None:
    for slug, text in MIXED.items():
        site.post(slug, text)
    serial = pytest_in(site.root, "--pebbles", "-rA", "content")
    parallel = pytest_in(site.root, "--pebbles", "-rA", "-n", "2", "content")
    checked = subprocess.run(
        [sys.executable, "-m", "pebbles", "check", "--format", "json"],
        cwd=site.root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    statuses = {p["slug"]: p["status"] for p in json.loads(checked.stdout)["posts"]}
    expected = {
        "adding": "PASSED",
        "wrong": "FAILED",
        "crash": "FAILED",
        "commented": "PASSED",
        "skipped": "SKIPPED",
    }
    assert verdicts(serial) == expected, serial.stdout
    assert verdicts(parallel) == expected, parallel.stdout
    assert {slug: status.upper() for slug, status in statuses.items()} == expected
    assert serial.returncode == parallel.returncode == 1


def test_a_failing_item_shows_the_diagnostics_at_md_lines(site: Site) -> None:
    site.post("wrong", WRONG_POST)
    done = pytest_in(site.root, "--pebbles", "content")
    assert done.returncode == 1
    assert "content/basics/wrong.md: 1 of 1 code blocks failed" in done.stdout
    assert (
        "content/basics/wrong.md:18:1: error: output differs from the stated output "
        "[output-mismatch]" in done.stdout
    )
    assert "-18 | 4" in done.stdout
