"""Judging stated outputs: which differences are real, and which readings are too
unsure to be errors. The executions are written here, as the engine reports them."""

from __future__ import annotations

import textwrap

import pytest

from pebbles.agreement import agrees
from pebbles.analysis import analyse
from pebbles.conventions import NAMES
from pebbles.documents import parse_document
from pebbles.model import BlockExecution
from pebbles.sessions import Ran
from pebbles.verdicts import Verdict, judge_document


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ("a ... z\n", "a b c z\n"),
        ("<Dog object at 0x7f3b2c1d5e80>\n", "<Dog object at 0x55d0c0ffee11>\n"),
        ("{'a': 1, 'b': [1, 2]}\n", '{"a": 1, "b": [1,2]}\n'),
        ("{'red', 'blue'}\n", "{'blue', 'red'}\n"),
        ("'hello'\n", "hello\n"),
        ("hello\n", "'hello'\n"),
        ("[ 1  4  9 16]\n", "[1 4 9 16]\n"),
        ("array([3, 12])\n", "array([ 3, 12])\n"),
        ("5\n", "np.int64(5)\n"),
        ("[[0, 7],\n [1, 2]]\n", "[[0, 7], [1, 2]]\n"),
        ("name    age\nAda     36\n", "name age\nAda  36\n"),
    ],
)
def test_readings_that_agree(expected: str, actual: str) -> None:
    assert agrees(expected, actual)


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ("3\n", "3.0\n"),
        ("{'b': 1, 'a': 2}\n", "{'a': 2, 'b': 1}\n"),
        ("0.3\n", "0.30000000000000004\n"),
        ("1 2\n", "12\n"),
        ("red\ngreen\n", "green\nred\n"),
    ],
)
def test_differences_that_count(expected: str, actual: str) -> None:
    assert not agrees(expected, actual)


def test_line_order_is_free_only_where_the_code_is_unordered() -> None:
    assert agrees("red\ngreen\n", "green\nred\n", unordered=True)


def judged(markdown: str, *executions: BlockExecution) -> list[tuple[int, Verdict]]:
    analysis = analyse(parse_document(textwrap.dedent(markdown), "doc.md"), frozenset(NAMES))
    ran = Ran({e.index: e for e in executions})
    result = judge_document(analysis, ran, (3, 11))
    return [(j.claim.line, j.verdict) for j in result.judged]


def test_an_exception_that_may_be_a_subclass_is_a_warning_not_an_error() -> None:
    markdown = "```python\nimport json\njson.loads('[1,]')\n```\n\n```\nValueError: bad\n```\n"
    found = judged(
        markdown,
        BlockExecution(0, "ok"),
        BlockExecution(
            1,
            "ok",
            stdout="Traceback (most recent call last):\n  ...\njson.decoder.JSONDecodeError: x\n",
            examples=(
                "Traceback (most recent call last):\n  ...\njson.decoder.JSONDecodeError: x\n",
            ),
        ),
    )
    assert found == [(7, Verdict.DOUBTFUL)]


def test_built_in_exceptions_are_compared_by_type() -> None:
    markdown = "```\n>>> {}['k']\nKeyError: 'k'\n>>> [][0]\nKeyError: 0\n```\n"
    index_error = "Traceback (most recent call last):\n  ...\nIndexError: list index out of range\n"
    key_error = "Traceback (most recent call last):\n  ...\nKeyError: 'k'\n"
    found = judged(markdown, BlockExecution(0, "ok", examples=(key_error, index_error)))
    assert found == [(3, Verdict.CONFIRMED), (5, Verdict.WRONG)]


def test_missing_packages_leave_claims_unchecked() -> None:
    markdown = "```python\nimport nowhere\nprint(nowhere.x)  # 1\n```\n"
    found = judged(
        markdown,
        BlockExecution(
            0,
            "error",
            error="ModuleNotFoundError",
            traceback="Traceback (most recent call last):\nModuleNotFoundError: No module named 'x'\n",
        ),
        BlockExecution(
            1,
            "error",
            error="NameError",
            traceback="Traceback (most recent call last):\nNameError: name 'nowhere' is not defined\n",
        ),
    )
    assert found == [(3, Verdict.UNCHECKED)]


def test_a_near_miss_in_plain_text_is_an_error_and_a_far_one_is_prose() -> None:
    markdown = "```python\nprint(a)  # Hello, World\nprint(b)  # the greeting\n```\n"
    found = judged(
        markdown,
        BlockExecution(0, "ok", stdout="Hello, world\n", prints=((2, "Hello, world\n"),)),
        BlockExecution(1, "ok", stdout="Hi\n", prints=((3, "Hi\n"),)),
    )
    assert found == [(2, Verdict.WRONG), (3, Verdict.PROSE)]


def test_a_print_that_ran_twice_is_not_judged() -> None:
    markdown = "```python\nif True:\n    print(1)  # 1\n```\n"
    twice = ((3, "1\n"), (3, "1\n"))
    found = judged(markdown, BlockExecution(0, "ok", stdout="1\n1\n", prints=twice))
    assert found == [(3, Verdict.UNCHECKED)]
