"""Golden files: each page type of the fixture site, byte for byte after normalising.

Regenerate after an intended change with ``PEBBLES_UPDATE_GOLDENS=1 pytest
tests/test_golden_pages.py`` and review the diff of ``tests/golden/`` like code.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pebbles.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "render-site"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PEBBLES_UPDATE_GOLDENS") == "1"

PAGES = {
    "home.html": "index.html",
    "topic.html": "topics/alpha/index.html",
    "topic-empty.html": "topics/gamma/index.html",
    "post.html": "posts/second-steps/index.html",
    "post-escaped.html": "posts/tricky-text/index.html",
    "guides.html": "guides/index.html",
    "guide.html": "guides/how-to-write/index.html",
    "stepping-stones.html": "stepping-stones/index.html",
    "contributions.html": "contributions/index.html",
    "write.html": "write/index.html",
    "404.html": "404.html",
    "feed.xml": "feed.xml",
    "sitemap.xml": "sitemap.xml",
    "robots.txt": "robots.txt",
}
CHECKED_PAGES = {"post-checked.html": "posts/first-steps/index.html"}


def _build(root: Path, *flags: str) -> Path:
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(io.StringIO()):
        patch.chdir(root)
        assert main(["build", *flags]) == 0
    return root / "_site"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("golden") / "site"
    shutil.copytree(FIXTURE, root)
    yield _build(root, "--no-check", "--no-cache")


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("golden-checked") / "site"
    shutil.copytree(FIXTURE, root)
    yield _build(root, "--no-cache")


def _normalise(text: str) -> str:
    # Asset hashes change with every theme edit and the patch release with the
    # interpreter; neither is what these files are about.
    text = re.sub(r"\?v=[0-9a-f]+", "?v=HASH", text)
    text = re.sub(r"Python 3\.\d+", "Python 3.X", text)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _compare(site: Path, golden_name: str, page: str) -> None:
    actual = _normalise((site / page).read_text(encoding="utf-8"))
    golden = GOLDEN / golden_name
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden.name}; run with PEBBLES_UPDATE_GOLDENS=1"
    assert actual == golden.read_text(encoding="utf-8"), f"{page} differs from {golden.name}"


@pytest.mark.parametrize("golden_name", PAGES)
def test_page_matches_its_golden_file(built: Path, golden_name: str) -> None:
    _compare(built, golden_name, PAGES[golden_name])


@pytest.mark.parametrize("golden_name", CHECKED_PAGES)
def test_checked_page_matches_its_golden_file(checked: Path, golden_name: str) -> None:
    _compare(checked, golden_name, CHECKED_PAGES[golden_name])
