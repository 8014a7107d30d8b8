"""--update: stated outputs rewritten in place, every other byte kept."""

from __future__ import annotations

from pathlib import Path

from pebbles.config import parse_config
from pebbles.content import decode, parse_post
from pebbles.matching import judge_block
from pebbles.model import BlockExecution, Diagnostic, Post, RunOutcome, Severity
from pebbles.update import updated_text, write_updates

from .conftest import SITE_YML

HEAD = "---\ntitle: Updating\nemoji: 🔁\ntopic: basics\n---\n"


def parse(raw: bytes, path: str = "post.md") -> Post:
    config, problems = parse_config(SITE_YML, Path("."), "site.yml")
    assert config is not None and not problems
    text, _ = decode(raw, path)
    assert text is not None
    post, problems = parse_post(text, path, "post", config, is_guide=False)
    assert post is not None and not [d for d in problems if d.is_error], problems
    return post


def run(post: Post, *executions: BlockExecution) -> RunOutcome:
    """What the runner would return: each execution judged for real."""
    blocks = {b.index: b for b in post.blocks}
    results, findings = [], []
    for execution in executions:
        result, found = judge_block(blocks[execution.index], execution, post.path)
        results.append(result)
        findings.extend(found)
    return RunOutcome(tuple(results), tuple(findings), 0.0)


def ok(index: int, stdout: str = "", **fields: object) -> BlockExecution:
    return BlockExecution(index, "ok", stdout=stdout, **fields)  # type: ignore[arg-type]


def update(raw: bytes, *executions: BlockExecution) -> bytes:
    post = parse(raw)
    text = updated_text(raw.decode("utf-8"), post, run(post, *executions))
    return text.encode("utf-8")


def test_a_wrong_output_block_is_rewritten_and_nothing_else_changes() -> None:
    raw = (
        HEAD + "Prose with trailing spaces   \n\n```python\nprint(1)\nprint(2)\n```\n\n"
        "```output\n1\n3\n```\nafter\n"
    ).encode()
    assert update(raw, ok(0, "1\n2\n")) == raw.replace(b"1\n3\n```", b"1\n2\n```")


def test_crlf_line_ends_and_a_bom_survive() -> None:
    lf = HEAD + "Some text  \n\n```python\nprint('new')\n```\n\n```output\nold\n```\nend"
    raw = b"\xef\xbb\xbf" + lf.replace("\n", "\r\n").encode()
    assert update(raw, ok(0, "new\n")) == raw.replace(b"old\r\n", b"new\r\n")


def test_outputs_that_match_are_left_alone_even_with_wildcards() -> None:
    raw = (HEAD + "```python\nprint(object())\n```\n\n```output\n<object ...>\n```\n").encode()
    assert update(raw, ok(0, "<object object at 0x7f0011223344>\n")) == raw


def test_a_block_that_crashed_is_not_rewritten() -> None:
    raw = (HEAD + "```python\nprint(1)\nint('x')\n```\n\n```output\n2\n```\n").encode()
    crashed = BlockExecution(
        0,
        "error",
        stdout="1\n",
        error="ValueError",
        error_line=8,
        traceback="Traceback (most recent call last):\nValueError: x\n",
    )
    assert update(raw, crashed) == raw


def test_a_printing_block_without_stated_output_gets_an_output_block() -> None:
    raw = (HEAD + "```python\nprint('hi')\n```\nNext paragraph.\n").encode()
    assert (
        update(raw, ok(0, "hi\n"))
        == (HEAD + "```python\nprint('hi')\n```\n\n```output\nhi\n```\nNext paragraph.\n").encode()
    )


def test_hidden_and_silent_blocks_get_no_output_block() -> None:
    raw = (HEAD + "```python hidden\nprint('setup')\n```\n\n```python\nx = 1\n```\n").encode()
    assert update(raw, ok(0, "setup\n"), ok(1, "")) == raw


def test_an_indented_fence_keeps_its_indent() -> None:
    raw = (
        HEAD
        + "Indented fences:\n\n   ```python\n   print(5)\n   ```\n\n   ```output\n   4\n   ```\n"
    ).encode()
    assert update(raw, ok(0, "5\n")) == raw.replace(b"   4\n", b"   5\n")


def test_only_the_wrong_transcript_lines_change() -> None:
    raw = (HEAD + "```pycon\n>>> x = 2   \n>>> x * 3\n5\n>>> x + 1\n3\n```\n").encode()
    updated = update(raw, ok(0, examples=("", "6\n", "3\n")))
    assert updated == raw.replace(b"\n5\n", b"\n6\n")


def test_print_comments_are_rewritten_in_the_authors_form() -> None:
    code = (
        "```python\n"
        "n = 41\n"
        "print(n)  # 40\n"
        "print('Bo')  # 'Al'\n"
        "print('a b')  # -> a c\n"
        "print(n, n)  # Output: 0 0\n"
        "print('x y')  # 7\n"
        "```\n"
    )
    raw = (HEAD + code).encode()
    first = 7  # .md line of `n = 41`
    prints = (
        (first + 1, "41\n"),
        (first + 2, "Bo\n"),
        (first + 3, "a b\n"),
        (first + 4, "41 41\n"),
        (first + 5, "x y\n"),
    )
    updated = update(raw, ok(0, prints=prints)).decode()
    assert updated == HEAD + code.replace("# 40", "# 41").replace("# 'Al'", "# 'Bo'").replace(
        "# -> a c", "# -> a b"
    ).replace("# Output: 0 0", "# Output: 41 41").replace("# 7", "# -> x y")


def test_write_updates_rewrites_the_file_and_turns_fixed_mismatches_into_notes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "post.md"
    raw = (HEAD + "```python\nprint(2)\n```\n\n```output\n1\n```\n").encode()
    path.write_bytes(raw)
    post = parse(raw, str(path))
    outcome = write_updates(post, run(post, ok(0, "2\n")))
    assert path.read_bytes() == raw.replace(b"\n1\n", b"\n2\n")
    assert not [d for d in outcome.findings if d.is_error]
    assert [(d.code, d.severity) for d in outcome.findings] == [
        ("output-mismatch", Severity.INFO),
        ("updated", Severity.INFO),
    ]
    assert outcome.findings[-1].message == f"updated 1 output in {path}"
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]


def test_a_file_edited_during_the_check_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    raw = (HEAD + "```python\nprint(2)\n```\n\n```output\n1\n```\n").encode()
    path.write_bytes(raw)
    post = parse(raw, str(path))
    path.write_bytes(raw + b"\nA new paragraph.\n")
    outcome = write_updates(post, run(post, ok(0, "2\n")))
    assert path.read_bytes() == raw + b"\nA new paragraph.\n"
    errors: list[Diagnostic] = [d for d in outcome.findings if d.is_error]
    assert [d.code for d in errors] == ["output-mismatch"]
    assert outcome.findings[-1].severity is Severity.WARNING
