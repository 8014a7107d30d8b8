"""Each output convention's reader, on Markdown written here: what it finds, where,
and what it leaves alone. Nothing runs in these tests."""

from __future__ import annotations

import textwrap

import pytest

from pebbles.analysis import analyse
from pebbles.claims import Analysis, Claim, UnitKind
from pebbles.conventions import NAMES, select
from pebbles.documents import parse_document
from pebbles.errors import UsageError

ALL = frozenset(NAMES)


def read(markdown: str, rules: frozenset[str] = ALL) -> Analysis:
    return analyse(parse_document(textwrap.dedent(markdown), "doc.md"), rules)


def stated(analysis: Analysis) -> list[tuple[str, int, str]]:
    return [(c.rule, c.line, c.text) for c in analysis.claims]


def only(analysis: Analysis) -> Claim:
    (claim,) = analysis.claims
    return claim


# --- print comments ------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "text", "accepted"),
    [
        ("42", "42", ()),
        ("'hello'", "hello", ("'hello'",)),
        ("True, because 5 > 3", "True", ("True, because 5 > 3",)),
        ("-> two words", "two words", ()),
        ("Output: [1, 2]", "[1, 2]", ()),
        ("1, 2", "1 2", ("1, 2", "(1, 2)")),
        ("ZeroDivisionError", "ZeroDivisionError", ()),
    ],
)
def test_print_comment_reads_values(comment: str, text: str, accepted: tuple[str, ...]) -> None:
    claim = only(read(f"```python\nprint(x)  # {comment}\n```\n"))
    assert (claim.rule, claim.line, claim.text, claim.accepted) == (
        "print-comment",
        2,
        text,
        accepted,
    )
    assert claim.strong and claim.certain
    assert claim.print_line == 2


@pytest.mark.parametrize("comment", ["str", "list[int]", "dict[str, int] | None", "int or float"])
def test_type_shorthand_is_read_only_as_a_possible_output(comment: str) -> None:
    claim = only(read(f"```python\nprint(type(x))  # {comment}\n```\n"))
    assert claim.text == comment
    assert not claim.certain and not claim.strong


def test_unquoted_text_is_an_uncertain_reading() -> None:
    claim = only(read("```python\nprint(greeting)  # Hello, World!\n```\n"))
    assert claim.text == "Hello, World!"
    assert not claim.certain and not claim.strong


def test_a_number_then_words_without_a_separator_is_weak() -> None:
    claim = only(read('```python\nprint(f"{pi:.2f}")  # 2 decimal places\n```\n'))
    assert (claim.text, claim.strong) == ("2", False)


def test_prints_in_loops_and_functions_are_skipped() -> None:
    analysis = read(
        """\
        ```python
        for i in range(3):
            print(i)  # 0
        def f():
            print("x")  # x
        ```
        """
    )
    assert analysis.claims == ()
    assert [s.reason.split(",")[0] for s in analysis.skips] == [
        "the print is inside a loop",
        "the print is inside a function",
    ]


def test_print_comments_can_be_switched_off() -> None:
    analysis = read("```python\nprint(1)  # 1\n```\n", ALL - {"print-comment"})
    assert analysis.claims == ()


# --- # Output: -----------------------------------------------------------------


def test_output_comment_with_commented_lines() -> None:
    analysis = read(
        """\
        ```python
        x = [3, 1]
        print(sorted(x))
        print(len(x))
        # Output:
        # [1, 3]
        # 2
        ```
        """
    )
    assert stated(analysis) == [("output-comment", 6, "[1, 3]\n2\n")]
    claim = only(analysis)
    covered = [analysis.units[i].line for i in claim.units]
    assert covered == [2, 3, 4]


def test_raw_output_lines_are_blanked_before_running() -> None:
    analysis = read(
        """\
        ```python
        print("Hello there")
        # Output:
        Hello there
        print(1 + 1)
        ```
        """
    )
    assert stated(analysis) == [("output-comment", 4, "Hello there\n")]
    sources = [u.source for u in analysis.units]
    assert sources == ['print("Hello there")\n', "print(1 + 1)\n"]
    assert not analysis.notes


def test_raw_output_that_reads_as_python_is_still_output() -> None:
    analysis = read("```python\nprint(6 * 7)\n# Output:\n42\n```\n")
    assert stated(analysis) == [("output-comment", 4, "42\n")]
    assert [u.source for u in analysis.units] == ["print(6 * 7)\n"]


def test_output_comment_on_one_line_with_a_version_label() -> None:
    inline = only(read("```python\nprint(d)\n# Output (Python 3.9+): {}\n```\n"))
    assert inline.text == "{}\n"
    assert inline.version is not None and inline.version.label == "Python 3.9+"
    under = only(read("```python\nprint(d)\n# Output (< 3.6):\n# {}\n```\n"))
    assert under.version is not None and under.version.label == "< 3.6"


# --- ==> and #> --------------------------------------------------------------------


def test_arrow_lines_raw_commented_and_trailing() -> None:
    analysis = read(
        """\
        ```python
        len("abc")
        ==> 3
        "ab" * 2
        # ==> 'abab'
        max(4, 9)  # ==> 9
        ```
        """
    )
    assert stated(analysis) == [
        ("arrow", 3, "3\n"),
        ("arrow", 5, "'abab'\n"),
        ("arrow", 6, "9\n"),
    ]
    kinds = [u.kind for u in analysis.units]
    assert kinds == [UnitKind.DISPLAY] * 3  # each value is shown, as at the prompt


def test_reprex_lines_state_the_statement_above() -> None:
    analysis = read(
        """\
        ```python
        setup = [1, 2]
        print(setup)
        #> [1, 2]
        print(len(setup))
        #> 2
        ```
        """
    )
    assert stated(analysis) == [("reprex", 4, "[1, 2]\n"), ("reprex", 6, "2\n")]
    first, second = analysis.claims
    assert [analysis.units[i].line for i in first.units] == [3]
    assert [analysis.units[i].line for i in first.alternative] == [2, 3]
    assert [analysis.units[i].line for i in second.units] == [5]


# --- transcripts ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["", "python", "pycon", "py", "ruby"])
def test_transcripts_in_any_fence(language: str) -> None:
    claim = only(read(f"```{language}\n>>> 6 * 7\n42\n```\n"))
    assert (claim.rule, claim.line, claim.text, claim.example) == ("transcript", 3, "42\n", 0)


def test_transcript_continuation_without_dots_and_comment_outputs() -> None:
    analysis = read(
        """\
        ```
        >>> for n in range(2):
                print(n)
        0
        1
        >>> total = sum([1, 2])
        >>> total
        # 3 (the sum)
        ```
        """
    )
    assert stated(analysis) == [("transcript", 4, "0\n1\n"), ("transcript", 8, "3\n")]
    (unit,) = analysis.units
    assert unit.source.split("\n")[:2] == [">>> for n in range(2):", "...         print(n)"]
    assert analysis.claims[1].accepted == ("3 (the sum)",)


def test_python_2_transcript_is_noted_and_labelled() -> None:
    analysis = read('```\n>>> print "hi"\nhi\n>>> 7 / 2\n3\n```\n')
    assert [n.code for n in analysis.notes] == ["not-runnable"]
    assert "Python 2" in analysis.notes[0].message
    runnable = [c for c in analysis.claims if c.units]
    assert [(c.text, c.version.label if c.version else None) for c in runnable] == [
        ("3\n", "Python 2")
    ]


# --- output blocks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("between", "language", "found"),
    [
        ("", "", True),
        ("", "text", True),
        ("", "sh", True),
        ("Output:\n\n", "python", True),
        ("When you run it, you should see:\n\n", "bash", True),
        ("", "python", False),
        ("Now install the package:\n\n", "bash", False),
        ("", "yaml", False),
    ],
)
def test_output_block_after_code(between: str, language: str, found: bool) -> None:
    analysis = read(f"```python\nprint('hi')\n```\n\n{between}```{language}\nhi\n```\n")
    outputs = [c for c in analysis.claims if c.rule == "output-block"]
    assert bool(outputs) is found


def test_unlabelled_shell_block_is_weak_and_shell_commands_are_not_output() -> None:
    weak = only(read("```python\nprint(1)\n```\n```sh\n1\n```\n"))
    assert not weak.strong
    commands = read("```python\nprint(1)\n```\n```bash\npip install requests\n```\n")
    assert commands.claims == ()


def test_first_line_label_and_command_line_are_not_output() -> None:
    labelled = only(read("```python\nprint(1)\n```\n```\nOutput (< 3.6):\n1\n```\n"))
    assert (labelled.line, labelled.text) == (6, "1\n")
    assert labelled.version is not None and labelled.version.label == "< 3.6"
    command = only(read("```python\nprint(1)\n```\n```console\n$ python one.py\n1\n```\n"))
    assert (command.line, command.text) == (6, "1\n")


def test_a_labelled_python_block_of_code_is_code() -> None:
    analysis = read(
        "```python\nx = 1\n```\n\nThis returns a new list:\n\n```python\ny = [x]\nprint(y)\n```\n"
    )
    assert analysis.claims == ()
    assert len(analysis.units) == 3


def test_notebook_display_of_the_last_expression() -> None:
    text = "```python\nvalues = [2, 1]\nsorted(values)\n```\n\n```\n[1, 2]\n```\n"
    claim = only(read(text))
    assert claim.all_rules == ("output-block", "notebook-display")
    assert [u.kind for u in read(text).units] == [UnitKind.SCRIPT, UnitKind.DISPLAY]
    plain = only(read(text, ALL - {"notebook-display"}))
    assert plain.all_rules == ("output-block",)


# --- what does not run ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("pip install requests", "invalid syntax"),
        ("def solve(data):\n    ...\n\nprint(solve([1]))  # 1", "exercise"),
        ("answer = ...  # your code\nprint(answer)  # 42", "exercise"),
        ('print "old"', "Python 2"),
    ],
)
def test_blocks_not_runnable_as_written_are_info(code: str, why: str) -> None:
    analysis = read(f"```python\n{code}\n```\n")
    assert [n.severity.value for n in analysis.notes] == ["info"]
    assert why in analysis.notes[0].message
    assert analysis.units == ()
    assert all(not c.units for c in analysis.claims)


def test_protocol_bodies_are_not_exercises() -> None:
    analysis = read(
        """\
        ```python
        from typing import Protocol

        class Greeter(Protocol):
            def greet(self) -> str: ...

        print(tuple[int, ...])  # tuple[int, ...]
        ```
        """
    )
    assert analysis.notes == ()
    assert len(analysis.units) == 3


def test_builtin_shadowing_and_unstable_output_are_marked() -> None:
    analysis = read(
        """\
        ```python
        import random
        len = 5
        roll = random.randint(1, 6)
        print(roll)  # 4
        ```
        """
    )
    shadows = [sorted(u.shadows) for u in analysis.units]
    assert shadows == [[], ["len"], [], []]
    assert [u.unstable for u in analysis.units] == [False, False, True, True]


def test_front_matter_is_skipped() -> None:
    claim = only(read("---\ntitle: x\n---\n```python\nprint(1)  # 1\n```\n"))
    assert claim.line == 5


# --- choosing conventions ---------------------------------------------------------------


def test_selecting_conventions() -> None:
    assert select(None) == ALL
    assert select("reprex,arrow") == {"reprex", "arrow"}
    assert select("-reprex,-arrow") == ALL - {"reprex", "arrow"}
    with pytest.raises(UsageError, match="did you mean 'reprex'"):
        select("reprexx")
    with pytest.raises(UsageError, match="not both"):
        select("reprex,-arrow")
