"""Stated outputs judged end to end: the real `pebbles` CLI on posts in tmp_path."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Result, Site

Run = Callable[..., Result]
REPO = Path(__file__).resolve().parent.parent
FLAGSHIP = "content/multithreading/multithreading-and-semaphores.md"
HEAD = "---\ntitle: Judged\nemoji: ⚖️\ntopic: basics\n---\n"  # body starts on line 6


def errors(result: Result) -> list[str]:
    return [line for line in result.out.splitlines() if ": error: " in line]


@pytest.fixture
def flagship(tmp_path: Path) -> Path:
    """The real site.yml and flagship post, copied to a site of their own."""
    root = tmp_path / "site"
    (root / "content" / "multithreading").mkdir(parents=True)
    shutil.copy(REPO / "site.yml", root / "site.yml")
    shutil.copy(REPO / FLAGSHIP, root / FLAGSHIP)
    return root


def test_the_flagship_posts_blocks_all_pass(flagship: Path, cli_process: Run) -> None:
    result = cli_process("check", "--no-cache", cwd=flagship)
    assert result.code == 0, result.out + result.err
    assert "1 passed" in result.out


def test_a_wrong_copy_of_the_flagship_fails_with_a_diff_at_its_md_lines(
    flagship: Path, cli_process: Run
) -> None:
    post = flagship / FLAGSHIP
    text = post.read_text(encoding="utf-8")
    wrong_line = text.split("\n").index("two deposits, balance = 1") + 1
    post.write_text(text.replace("balance = 1\n```", "balance = 2\n```"), encoding="utf-8")
    result = cli_process("check", "--no-cache", cwd=flagship)
    assert result.code == 1
    assert errors(result) == [
        f"{FLAGSHIP}:{wrong_line}:1: error: output differs from the stated output [output-mismatch]"
    ]
    assert f"-{wrong_line} | two deposits, balance = 2" in result.out
    assert "+    | two deposits, balance = 1" in result.out


def test_a_wrong_print_comment_fails_at_the_comment(site: Site, cli_process: Run) -> None:
    site.post("comments", HEAD + "```python\nx = 6 * 7\nprint(x)  # 24\nprint('ok')  # 'ok'\n```\n")
    result = cli_process("check", "--no-cache", cwd=site.root)
    assert result.code == 1, result.out + result.err
    assert errors(result) == [
        "content/basics/comments.md:8:11: error: printed '42', but the comment says '24' [output-mismatch]"
    ]


def test_a_print_comment_in_a_loop_warns(site: Site, cli_process: Run) -> None:
    site.post("loop", HEAD + "```python\nfor i in range(2):\n    print(i)  # 0\n```\n")
    result = cli_process("check", "--no-cache", cwd=site.root)
    assert result.code == 0, result.out + result.err
    assert "content/basics/loop.md:8:15: warning: " in result.out
    assert "[ambiguous-expectation]" in result.out


def test_each_wrong_transcript_example_fails_at_its_own_line(site: Site, cli_process: Run) -> None:
    site.post(
        "repl",
        HEAD
        + "```pycon\n>>> 2 + 2\n5\n>>> 'a' * 3\n'aaa'\n>>> int('x')\nTraceback (most recent call last):\n  ...\nValueError: invalid literal for int() with base 10: 'x'\n```\n",
    )
    result = cli_process("check", "--no-cache", cwd=site.root)
    assert result.code == 1, result.out + result.err
    assert errors(result) == [
        "content/basics/repl.md:8:1: error: output differs from the stated output [output-mismatch]"
    ]
    assert "+  | 4" in result.out


def test_raises_with_a_stated_traceback_passes(site: Site, cli_process: Run) -> None:
    site.post(
        "raises",
        HEAD + "```python raises=KeyError\nprint('looking')\n{}['missing']\n```\n\n"
        "```output\nlooking\nTraceback (most recent call last):\n  ...\nKeyError: 'missing'\n```\n",
    )
    result = cli_process("check", "--no-cache", cwd=site.root)
    assert result.code == 0, result.out + result.err


def test_an_uncaught_exception_is_reported_at_its_md_line(site: Site, cli_process: Run) -> None:
    site.post("boom", HEAD + "```python\nx = 1\nx / 0\n```\n")
    result = cli_process("check", "--no-cache", cwd=site.root)
    assert result.code == 1
    assert errors(result) == [
        "content/basics/boom.md:8:1: error: uncaught ZeroDivisionError: division by zero [exception]"
    ]


def test_update_fixes_the_file_and_the_next_check_passes(site: Site, cli_process: Run) -> None:
    body = (
        (
            HEAD + "Intro  \r\n\r\n```python\r\nprint(6 * 7)\r\nprint('x')  # 'y'\r\n```\r\n\r\n"
            "```output\r\n41\r\n```\r\n\r\n```python\r\nprint('new')\r\n```\r\nEnd\r\n"
        )
        .replace("\n", "\r\n")
        .replace("\r\r\n", "\r\n")
    )
    path = site.write("content/basics/update.md", body.encode())
    first = cli_process("check", "--update", "--no-cache", cwd=site.root)
    assert first.code == 0, first.out + first.err
    assert "updated 2 outputs in content/basics/update.md" in first.out
    assert (
        path.read_bytes()
        == body.replace("41\r\n", "42\r\nx\r\n")
        .replace("```\r\nEnd", "```\r\n\r\n```output\r\nnew\r\n```\r\nEnd")
        .encode()
    )
    second = cli_process("check", "--no-cache", cwd=site.root)
    assert second.code == 0, second.out + second.err
