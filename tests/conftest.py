"""Shared fixtures: a tiny site on disk and a way to run the real CLI on it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pebbles.cli import main

SITE_YML = """\
site:
  name: Testsite
  hero: "Hello"
  tagline: "Small steps"
  url: "https://example.org/"
  repo: "https://github.com/example/site"
nav:
  - {title: Guides, emoji: "📚", page: guides}
  - {title: Write a Post, emoji: "✍️", page: write}
levels:
  - {slug: beginner, title: First steps}
  - {slug: advanced, title: Summit}
topics:
  - {slug: basics, title: Basics, emoji: "🧱", level: beginner}
  - {slug: threads, title: Threads, emoji: "🧵", level: advanced}
  - {slug: git, title: Git, emoji: "🌲", level: beginner, runnable: false}
check:
  jobs: 2
  block_timeout: 5
  post_timeout: 20
"""

GOOD_POST = """\
---
title: Adding numbers
emoji: ➕
topic: basics
author:
  name: Ada Example
  github: ada-example
date: 2026-01-02
---
# Adding

```python
total = 1 + 2
print(total)
```

```output
3
```
"""


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


class Site:
    """A site folder under tmp_path with helpers to add files."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(
                textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8"
            )
        return path

    def post(self, slug: str, body: str, topic: str = "basics") -> Path:
        return self.write(f"content/{topic}/{slug}.md", body)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """An empty valid site (site.yml, content/) as the working directory."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "site.yml").write_text(SITE_YML, encoding="utf-8")
    (root / "content").mkdir()
    monkeypatch.chdir(root)
    yield Site(root)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``pebbles ARGS`` in-process through the real entry point."""

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def cli_process() -> Callable[..., Result]:
    """Run the installed ``pebbles`` script as a separate process."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
        command = [sys.executable, "-m", "pebbles", *args]
        full_env = {**os.environ, **(env or {})}
        done = subprocess.run(
            command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run
