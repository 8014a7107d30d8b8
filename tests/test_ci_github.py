"""What CI shows: GitHub annotations (escaped), the job summary, and a pull request's
one broken post annotated on its own lines."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from .ci_repo import GitRepo
from .conftest import GOOD_POST, Result, Site

Cli = Callable[..., Result]

NOISY_RULE = """
from pebbles.model import Diagnostic, Severity

def validate(post, config):
    yield Diagnostic(post.path, 2, 3, Severity.ERROR, "odd:code,x", MESSAGE)
"""
MESSAGE = "100% sure\r\nnext line :: not a command, really: %0A stays text"
ANNOTATION = re.compile(r"::(error|warning|notice) ([^:]*)::(.*)")


def unescape(text: str) -> str:
    """Undo workflow-command escaping the way the runner does."""
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def annotations(output: str) -> list[tuple[str, dict[str, str], str]]:
    """``(level, properties, message)`` for each annotation line, as GitHub reads them."""
    found = []
    for line in output.splitlines():
        match = ANNOTATION.fullmatch(line)
        if match:
            level, props, message = match.groups()
            pairs = (item.split("=", 1) for item in props.split(","))
            found.append((level, {key: unescape(value) for key, value in pairs}, unescape(message)))
    return found


def test_annotation_properties_and_messages_are_escaped(site: Site, cli: Cli) -> None:
    site.post("odd,name:x", GOOD_POST)
    site.write("validators/noisy.py", f"MESSAGE = {MESSAGE!r}\n{NOISY_RULE}")
    result = cli("check", "--no-run", "--format", "github")
    assert result.code == 1
    assert "\r" not in result.out
    found = annotations(result.out)
    noisy = [a for a in found if a[1]["title"] == "pebbles odd:code,x"]
    assert noisy == [
        (
            "error",
            {
                "file": "content/basics/odd,name:x.md",
                "line": "2",
                "col": "3",
                "title": "pebbles odd:code,x",
            },
            MESSAGE,
        )
    ]
    assert len(result.out.splitlines()) == len(found) + 1  # one line each, then the summary


def test_the_job_summary_is_a_markdown_table(site: Site, cli: Cli) -> None:
    site.post("adding", GOOD_POST)
    site.post("broken", GOOD_POST.replace("topic: basics", "topic: a|b"))
    result = cli("check", "--no-run", "--format", "summary")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == "### ❌ pebbles check"
    assert lines[2].startswith("| Documents | Passed | Failed | Skipped | Code blocks |")
    assert lines[4].startswith("| 2 | 1 | 1 | 0 | 1 | 1 | 0 | ")
    [row] = [line for line in lines if line.startswith("| content/basics/broken.md:")]
    assert "a\\|b" in row
    assert row.count(" | ") == 1  # the pipe in the message does not open a new column


def test_an_empty_run_still_writes_a_summary(site: Site, cli: Cli) -> None:
    result = cli("check", "--no-run", "--format", "summary")
    assert result.code == 0
    assert result.out.splitlines()[0] == "### ✅ pebbles check"
    assert "Nothing to check." in result.out


BROKEN = """\
---
title: A broken pebble
emoji: 🧱
topic: basics
sumary: The key above is misspelt.
---

# Broken

```python
print(6 * 7)
```

```output
41
```

Read [the missing one](missing.md) next.
"""


def test_a_pull_request_adding_one_broken_post_is_annotated_on_its_lines(
    site: Site, monkeypatch: pytest.MonkeyPatch, cli_process: Callable[..., Result]
) -> None:
    site.post("adding", GOOD_POST)
    site.post("also-broken-but-old", GOOD_POST.replace("topic: basics", "topic: nope"))
    git = GitRepo(site.root, monkeypatch)
    git.commit("the base branch")
    git("branch", "base")
    git("checkout", "-q", "-b", "contribution")
    site.post("broken", BROKEN)
    git.commit("add a broken pebble")

    result = cli_process("check", "--changed-since", "base", "--format", "github", cwd=site.root)

    assert result.code == 1, result.err
    found = annotations(result.out)
    assert {props["file"] for _, props, _ in found} == {"content/basics/broken.md"}
    where = {(props["line"], props["col"], props["title"]) for _, props, _ in found}
    assert ("5", "1", "pebbles unknown-key") in where
    assert ("18", "24", "pebbles broken-link") in where
    assert "did you mean 'summary'?" in result.out
    assert result.out.splitlines()[-1].startswith("✘ 1 documents: 0 passed, 1 failed")
