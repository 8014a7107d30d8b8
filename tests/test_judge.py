"""judge_block: every runner outcome becomes a verdict and diagnostics at .md lines."""

from __future__ import annotations

import pytest

from pebbles.matching import judge_block
from pebbles.model import BlockExecution, Diagnostic, Severity, Status

from .blocks import BODY_LINE, block_of, blocks_of

PATH = "content/basics/post.md"
FIRST = BODY_LINE + 1

WITH_OUTPUT = """\
```python
print("a")
print("b")
```

```output
a
b
```
"""
# The output block's fence is on body line 6, so its text starts on the next one.
OUTPUT_LINE = BODY_LINE + 6


def codes(found: list[Diagnostic]) -> list[tuple[str, int, Severity]]:
    return [(d.code, d.line, d.severity) for d in found]


def test_matching_output_passes() -> None:
    block = block_of(WITH_OUTPUT)
    result, found = judge_block(block, BlockExecution(block.index, "ok", stdout="a\nb\n"), PATH)
    assert result.status is Status.PASSED
    assert (result.expected, result.actual) == ("a\nb\n", "a\nb\n")
    assert found == []


def test_wrong_output_fails_at_the_output_blocks_line_with_a_diff() -> None:
    block = block_of(WITH_OUTPUT)
    result, found = judge_block(block, BlockExecution(block.index, "ok", stdout="a\nc\n"), PATH)
    assert result.status is Status.FAILED
    assert codes(found) == [("output-mismatch", OUTPUT_LINE, Severity.ERROR)]
    message = found[0].message
    assert f"-{OUTPUT_LINE + 1} | b" in message
    assert "+   | c" in message
    assert f"@@ {PATH}:{OUTPUT_LINE} @@" in message


def test_unordered_option_reaches_the_matcher() -> None:
    block = block_of(WITH_OUTPUT.replace("```python", "```python unordered"))
    result, _ = judge_block(block, BlockExecution(block.index, "ok", stdout="b\na\n"), PATH)
    assert result.status is Status.PASSED


def test_a_block_with_no_stated_output_passes_when_it_runs() -> None:
    block = block_of("```python\nprint('anything')\n```\n")
    result, found = judge_block(block, BlockExecution(block.index, "ok", stdout="x\n"), PATH)
    assert result.status is Status.PASSED and found == []


TRACEBACK = (
    "Traceback (most recent call last):\n"
    f'  File "{PATH}", line {FIRST + 1}, in <module>\n'
    '    int("x")\n'
    "ValueError: invalid literal for int() with base 10: 'x'\n"
)


def error(index: int, stdout: str = "", name: str = "ValueError") -> BlockExecution:
    return BlockExecution(
        index,
        "error",
        stdout=stdout,
        error=name,
        error_line=FIRST + 1,
        traceback=TRACEBACK.replace("ValueError", name),
    )


def test_an_uncaught_exception_fails_at_its_line_with_the_traceback() -> None:
    block = block_of("```python\nprint('start')\nint('x')\n```\n")
    result, found = judge_block(block, error(block.index, "start\n"), PATH)
    assert result.status is Status.FAILED
    assert codes(found) == [("exception", FIRST + 1, Severity.ERROR)]
    first, *rest = found[0].message.split("\n")
    assert first == "uncaught ValueError: invalid literal for int() with base 10: 'x'"
    assert '    int("x")' in rest


def test_raises_accepts_the_named_exception() -> None:
    block = block_of("```python raises=ValueError\nint('x')\n```\n")
    result, found = judge_block(block, error(block.index), PATH)
    assert result.status is Status.PASSED and found == []


@pytest.mark.parametrize(
    ("wanted", "raised"),
    [
        ("json.JSONDecodeError", "json.decoder.JSONDecodeError"),
        ("LookupError", "KeyError"),
        ("Exception", "ZeroDivisionError"),
        ("ValueError", "json.decoder.JSONDecodeError"),
        ("NotFound", "__main__.NotFound"),
    ],
)
def test_raises_accepts_dotted_names_and_builtin_subclasses(wanted: str, raised: str) -> None:
    block = block_of(f"```python raises={wanted}\nint('x')\n```\n")
    result, _ = judge_block(block, error(block.index, name=raised), PATH)
    assert result.status is Status.PASSED


def test_a_subclass_from_a_module_the_checker_has_not_loaded_is_not_guessed() -> None:
    block = block_of("```python raises=ValueError\nimport strange\n```\n")
    result, found = judge_block(block, error(block.index, name="strange.StrangeError"), PATH)
    assert result.status is Status.FAILED
    assert [d.code for d in found] == ["raises-mismatch"]


def test_raises_with_another_exception_is_a_mismatch() -> None:
    block = block_of("```python raises=KeyError\nint('x')\n```\n")
    result, found = judge_block(block, error(block.index), PATH)
    assert result.status is Status.FAILED
    assert codes(found) == [("raises-mismatch", FIRST + 1, Severity.ERROR)]
    assert found[0].message.startswith(
        "expected KeyError (raises=KeyError); got uncaught ValueError"
    )


def test_raises_without_an_exception_is_missing_exception() -> None:
    block = block_of("```python raises=ValueError\nint('1')\n```\n")
    result, found = judge_block(block, BlockExecution(block.index, "ok"), PATH)
    assert result.status is Status.FAILED
    assert codes(found) == [("missing-exception", FIRST, Severity.ERROR)]


@pytest.mark.parametrize(
    "stated",
    [
        "start\n" + TRACEBACK,
        "start\nTraceback (most recent call last):\n  ...\nValueError: invalid literal for int() with base 10: 'x'\n",
        "start\nValueError: invalid literal for int() with base 10: 'x'\n",
        "start\nValueError: invalid literal ...\n",
        "start\n",
    ],
)
def test_a_raising_blocks_output_may_show_its_traceback(stated: str) -> None:
    block = block_of(
        f"```python raises=ValueError\nprint('start')\nint('x')\n```\n\n```output\n{stated}```\n"
    )
    result, found = judge_block(block, error(block.index, "start\n"), PATH)
    assert found == []
    assert result.status is Status.PASSED


def test_a_raising_blocks_wrong_message_is_an_output_mismatch() -> None:
    stated = "Traceback (most recent call last):\n  ...\nValueError: something else\n"
    block = block_of(f"```python raises=ValueError\nint('x')\n```\n\n```output\n{stated}```\n")
    result, found = judge_block(block, error(block.index), PATH)
    assert result.status is Status.FAILED
    assert [d.code for d in found] == ["output-mismatch"]
    assert "+   | ValueError: invalid literal for int() with base 10: 'x'" in found[0].message


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        ("timeout", "timeout"),
        ("killed", "killed"),
        ("output-limit", "output-limit"),
        ("memory", "memory-limit"),
    ],
)
def test_limits_fail_at_the_blocks_first_line(outcome: str, code: str) -> None:
    block = block_of(WITH_OUTPUT)
    execution = BlockExecution(block.index, outcome, detail="stopped after 5 s")
    result, found = judge_block(block, execution, PATH)
    assert result.status is Status.FAILED
    assert codes(found) == [(code, FIRST, Severity.ERROR)]
    assert found[0].message == "stopped after 5 s"
    assert result.reason == "stopped after 5 s"


def test_limits_without_detail_still_explain_themselves() -> None:
    block = block_of(WITH_OUTPUT)
    _, found = judge_block(block, BlockExecution(block.index, "timeout"), PATH)
    assert "timeout=SECONDS" in found[0].message


def test_skipped_blocks_keep_their_reason() -> None:
    block = block_of('```python skip="needs a GPU"\nimport torch\n```\n')
    result, found = judge_block(block, BlockExecution(block.index, "skipped"), PATH)
    assert (result.status, result.reason, found) == (Status.SKIPPED, "needs a GPU", [])


def test_not_run_blocks_report_nothing_themselves() -> None:
    block = block_of(WITH_OUTPUT)
    execution = BlockExecution(block.index, "not-run", detail="an earlier block failed")
    result, found = judge_block(block, execution, PATH)
    assert (result.status, result.expected, found) == (Status.NOT_RUN, "a\nb\n", [])


def test_compile_only_blocks_pass_without_output_checks() -> None:
    block = block_of(WITH_OUTPUT.replace("```python", "```python compile"))
    result, found = judge_block(block, BlockExecution(block.index, "compiled"), PATH)
    assert result.status is Status.PASSED and found == []


def test_an_unknown_outcome_is_a_runner_bug() -> None:
    block = block_of(WITH_OUTPUT)
    with pytest.raises(ValueError, match="unknown block outcome"):
        judge_block(block, BlockExecution(block.index, "exploded"), PATH)


# --- comment expectations ---------------------------------------------------------

COMMENTED = """\
```python
total = 40 + 2
print(total)  # 42
name = "Ada"
print(name)  # 'Ada'
```
"""


def test_print_comments_pass_when_each_line_printed_its_text() -> None:
    block = block_of(COMMENTED)
    execution = BlockExecution(
        block.index, "ok", stdout="42\nAda\n", prints=((FIRST + 1, "42\n"), (FIRST + 3, "Ada\n"))
    )
    result, found = judge_block(block, execution, PATH)
    assert found == []
    assert result.status is Status.PASSED
    assert result.expected == result.actual == "42\nAda\n"


def test_a_wrong_print_fails_at_its_comment() -> None:
    block = block_of(COMMENTED)
    execution = BlockExecution(
        block.index, "ok", prints=((FIRST + 1, "41\n"), (FIRST + 3, "Ada\n"))
    )
    result, found = judge_block(block, execution, PATH)
    assert result.status is Status.FAILED
    assert [(d.code, d.line, d.col) for d in found] == [("output-mismatch", FIRST + 1, 15)]
    assert found[0].message == "printed '41', but the comment says '42'"
    assert (result.expected, result.actual) == ("42\nAda\n", "41\nAda\n")


def test_a_stated_print_that_never_ran_fails() -> None:
    block = block_of(COMMENTED)
    execution = BlockExecution(block.index, "ok", prints=((FIRST + 3, "Ada\n"),))
    _, found = judge_block(block, execution, PATH)
    assert [(d.code, d.line) for d in found] == [("output-mismatch", FIRST + 1)]
    assert "never ran" in found[0].message


def test_a_line_that_printed_twice_is_a_warning_not_an_error() -> None:
    block = block_of(COMMENTED)
    execution = BlockExecution(
        block.index, "ok", prints=((FIRST + 1, "42\n"), (FIRST + 1, "42\n"), (FIRST + 3, "Ada\n"))
    )
    result, found = judge_block(block, execution, PATH)
    assert result.status is Status.PASSED
    assert codes(found) == [("ambiguous-expectation", FIRST + 1, Severity.WARNING)]


def test_a_stated_print_in_a_loop_is_warned_and_never_matched() -> None:
    block = block_of("```python\nfor i in range(2):\n    print(i)  # 0\n```\n")
    execution = BlockExecution(block.index, "ok", prints=((FIRST + 1, "0\n"), (FIRST + 1, "1\n")))
    result, found = judge_block(block, execution, PATH)
    assert result.status is Status.PASSED
    assert codes(found) == [("ambiguous-expectation", FIRST + 1, Severity.WARNING)]


def test_an_output_block_wins_over_print_comments() -> None:
    block = block_of("```python\nprint(1)  # 2\n```\n\n```output\n1\n```\n")
    execution = BlockExecution(block.index, "ok", stdout="1\n", prints=((FIRST, "1\n"),))
    result, found = judge_block(block, execution, PATH)
    assert result.status is Status.PASSED and found == []


# --- transcripts -------------------------------------------------------------------

TRANSCRIPT = """\
```pycon
>>> x = 6
>>> x * 7
42
>>> print("hi")
hi
```
"""


def test_a_transcript_passes_when_every_example_shows_its_output() -> None:
    block = block_of(TRANSCRIPT)
    execution = BlockExecution(block.index, "ok", examples=("", "42\n", "hi\n"))
    result, found = judge_block(block, execution, PATH)
    assert (result.status, found) == (Status.PASSED, [])
    assert result.expected == result.actual == block.source


def test_a_transcripts_actual_text_shows_each_wrong_example_as_it_ran() -> None:
    block = block_of(TRANSCRIPT)
    execution = BlockExecution(block.index, "ok", examples=("", "41\n\n7\n", "hi\n"))
    result, _ = judge_block(block, execution, PATH)
    assert result.actual == block.source.replace("42\n", "41\n<BLANKLINE>\n7\n")


def test_each_wrong_example_fails_at_its_own_output_line() -> None:
    block = block_of(TRANSCRIPT)
    execution = BlockExecution(block.index, "ok", examples=("", "41\n", "ho\n"))
    result, found = judge_block(block, execution, PATH)
    assert result.status is Status.FAILED
    assert codes(found) == [
        ("output-mismatch", FIRST + 2, Severity.ERROR),
        ("output-mismatch", FIRST + 4, Severity.ERROR),
    ]
    assert f"-{FIRST + 2} | 42" in found[0].message


def test_a_transcript_example_may_show_only_the_exception_line() -> None:
    block = block_of('```pycon\n>>> int("x")\nValueError: bad\n```\n')
    got = 'Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\nValueError: bad\n'
    result, found = judge_block(block, BlockExecution(block.index, "ok", examples=(got,)), PATH)
    assert (result.status, found) == (Status.PASSED, [])


def test_a_transcript_that_stops_on_an_exception_reports_it() -> None:
    blocks = blocks_of(TRANSCRIPT)
    execution = BlockExecution(
        blocks[0].index,
        "error",
        examples=("",),
        error="NameError",
        error_line=FIRST + 1,
        traceback="Traceback (most recent call last):\nNameError: name 'x' is not defined\n",
    )
    result, found = judge_block(blocks[0], execution, PATH)
    assert result.status is Status.FAILED
    assert codes(found) == [("exception", FIRST + 1, Severity.ERROR)]
