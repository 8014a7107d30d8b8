"""Helpers for tests that run posts' code through the real ``pebbles check``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from pebbles.sandbox import bwrap_problem

from .conftest import Result, Site

Cli = Callable[..., Result]

HEADER = "---\ntitle: A post\nemoji: 🧪\ntopic: basics\n---\n\n"
GOOD = HEADER + "```python\nprint(6 * 7)\n```\n\n```output\n42\n```\n"
FIRST_LINE = HEADER.count("\n") + 2  # .md line of the first code line of a post's first block

needs_bwrap = pytest.mark.skipif(
    bwrap_problem() is not None, reason=f"bubblewrap is unusable here: {bwrap_problem()}"
)


@dataclass(frozen=True)
class Checked:
    """One ``pebbles check`` run: exit code, text report and the JSON report."""

    code: int
    text: str
    err: str
    report: dict[str, Any]

    def post(self, slug: str) -> dict[str, Any]:
        (found,) = [p for p in self.report["posts"] if p["slug"] == slug]
        return found

    def statuses(self, slug: str) -> list[str]:
        return [b["status"] for b in self.post(slug)["blocks"]]

    def errors(self, slug: str) -> list[str]:
        """The post's error lines of the text report, as ``line: message [code]``."""
        prefix = f"{self.post(slug)['path']}:"
        return [
            line.removeprefix(prefix)
            for line in self.text.splitlines()
            if line.startswith(prefix) and ": error: " in line
        ]


def check(site: Site, cli: Cli, *args: str) -> Checked:
    """Run ``pebbles check ARGS`` with a text report on stdout and a JSON one on disk."""
    target = site.root / "report.json"
    result = cli("check", *args, "--format", "text", "--format", f"json={target}")
    return Checked(result.code, result.out, result.err, json.loads(target.read_text()))


def write_posts(site: Site, **posts: str) -> None:
    """Each keyword is a slug; each value a post body after the standard header."""
    for slug, body in posts.items():
        site.post(slug, HEADER + body)
