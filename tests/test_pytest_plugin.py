"""The opt-in pytest plugin: one item per post, the same verdicts as `pebbles check`."""

from __future__ import annotations

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
