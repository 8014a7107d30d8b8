"""Outputs stated inside code: >>> transcripts and print comments."""

from __future__ import annotations

from pebbles.expectations import comment_expectations, parse_transcript

from .blocks import BODY_LINE, block_of

# In a body parsed at BODY_LINE, a fence on the body's first line puts the
# block's first source line at BODY_LINE + 1.
FIRST = BODY_LINE + 1


def test_transcript_examples_carry_their_md_lines() -> None:
    block = block_of(
        """\
        ```pycon
        >>> total = 2 + 3
        >>> total
        5
        >>> print("a")
        a
        ```
        """
    )
    examples = parse_transcript(block)
    assert [(e.source, e.line, e.want, e.want_line) for e in examples] == [
        ("total = 2 + 3\n", FIRST, "", FIRST + 1),
        ("total\n", FIRST + 1, "5\n", FIRST + 2),
        ('print("a")\n', FIRST + 3, "a\n", FIRST + 4),
    ]


def test_continuation_lines_join_the_statement() -> None:
    block = block_of(
        """\
        ```pycon
        >>> for n in range(2):
        ...     print(n)
        ...
        0
        1
        ```
        """
    )
    (example,) = parse_transcript(block)
    assert example.source == "for n in range(2):\n    print(n)\n\n"
    assert example.want == "0\n1\n"
    assert example.want_line == FIRST + 3


def test_output_ends_at_a_blank_line_and_text_after_it_is_ignored() -> None:
    block = block_of(
        """\
        ```pycon
        >>> 1 + 1
        2

        that was easy
        >>> 2 * 2
        4
        ```
        """
    )
    examples = parse_transcript(block)
    assert [e.want for e in examples] == ["2\n", "4\n"]


def test_blankline_marker_stands_for_an_empty_output_line() -> None:
    block = block_of(
        """\
        ```pycon
        >>> print("a\\n\\nb")
        a
        <BLANKLINE>
        b
        ```
        """
    )
    (example,) = parse_transcript(block)
    assert example.want == "a\n\nb\n"


def test_ellipsis_after_output_starts_is_output_not_continuation() -> None:
    block = block_of(
        """\
        ```pycon
        >>> list(range(100))
        [0, 1,
        ...
        ```
        """
    )
    (example,) = parse_transcript(block)
    assert example.source == "list(range(100))\n"
    assert example.want == "[0, 1,\n...\n"


def test_python_block_starting_with_a_prompt_is_a_transcript() -> None:
    block = block_of(
        """\
        ```python
        >>> "ab" * 2
        'abab'
        ```
        """
    )
    (example,) = parse_transcript(block)
    assert example.want == "'abab'\n"


def comments(code: str) -> tuple[list[tuple[int, str, tuple[str, ...], str]], list[str]]:
    block = block_of(f"```python\n{code}```\n")
    found, warnings = comment_expectations(block)
    return (
        [(c.line - FIRST + 1, c.text, c.accepted, c.form) for c in found],
        [w.message for w in warnings],
    )


def test_a_literal_comment_states_the_print_output() -> None:
    found, warnings = comments("total = 40 + 2\nprint(total)  # 42\n")
    assert found == [(2, "42", ("42",), "literal")]
    assert warnings == []


def test_a_container_literal_accepts_str_of_the_value_and_the_text_as_written() -> None:
    found, _ = comments("print([1,2])  # [1,2]\n")
    assert found == [(1, "[1, 2]", ("[1, 2]", "[1,2]"), "literal")]


def test_a_quoted_string_accepts_the_bare_text_and_its_repr() -> None:
    found, _ = comments("name = 'Ada'\nprint(name)  # 'Ada'\n")
    assert found == [(2, "Ada", ("Ada", "'Ada'"), "string")]


def test_arrow_and_output_label_take_the_rest_of_the_comment() -> None:
    found, _ = comments(
        "print('hi there')  # -> hi there\nprint(3, 4)  # Output: 3 4\nprint(5)  # output:5\n"
    )
    assert found == [
        (1, "hi there", ("hi there",), "arrow"),
        (2, "3 4", ("3 4",), "label"),
        (3, "5", ("5",), "label"),
    ]


def test_prose_comments_are_not_expectations_and_not_warned() -> None:
    found, warnings = comments(
        "print(1)  # prints the total\nprint(2)  # (y, x)\nprint(3)  # noqa\nx = 4  # 4\n"
    )
    assert found == []
    assert warnings == []


def test_a_comment_that_looks_like_output_but_is_not_read_is_warned() -> None:
    found, warnings = comments("print(1)  # => 1\n")
    assert found == []
    assert warnings == [
        "comment '# => 1' looks like a stated output but is not checked; "
        "write '# -> 1' or a Python literal"
    ]


def test_comments_on_their_own_line_are_ignored() -> None:
    found, _ = comments("# 42\nprint(42)\n")
    assert found == []


def test_a_stated_print_in_a_loop_is_ambiguous() -> None:
    found, warnings = comments("for i in range(3):\n    print(i)  # 0\n")
    assert found == []
    assert len(warnings) == 1 and "inside a loop" in warnings[0]


def test_a_stated_print_in_a_function_or_comprehension_is_ambiguous() -> None:
    found, warnings = comments("def show():\n    print(1)  # 1\n[print(x) for x in 'ab']  # None\n")
    assert found == []
    assert ["inside a function" in w for w in warnings] == [True, False]
    assert "inside a comprehension" in warnings[1]


def test_two_prints_on_one_line_are_ambiguous() -> None:
    found, warnings = comments("print(1); print(2)  # 2\n")
    assert found == []
    assert warnings == ["two print calls on one line; the comment cannot say which"]


def test_a_print_spanning_lines_is_recorded_at_its_first_line() -> None:
    found, _ = comments("print(\n    1 + 1,\n)  # 2\n")
    block_line = FIRST
    assert found == [(1, "2", ("2",), "literal")]
    block = block_of("```python\nprint(\n    1 + 1,\n)  # 2\n```\n")
    (expectation,), _ = comment_expectations(block)
    assert (expectation.line, expectation.comment_line) == (block_line, block_line + 2)


def test_code_that_does_not_parse_states_nothing() -> None:
    assert comments("print(1  # 1\n") == ([], [])
