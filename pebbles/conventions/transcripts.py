"""``>>>`` transcripts as tutorials write them, not only as doctest would.

A fence of any language (or none) whose first line is a ``>>>`` prompt is a
transcript. Continuation lines may carry ``...`` or not (an unfinished statement
takes the lines that finish it), output may be written as ``# value`` lines, and
commentary may follow the output; the judge decides what of it to compare.
"""

from __future__ import annotations

import ast
import codeop
import warnings

from ..claims import Example
from ..pysource import TOO_DEEP

PROMPT = ">>>"
CONTINUATION = "..."
# Keywords that continue a compound statement at the prompt's own indentation.
_CLAUSES = ("else", "elif", "except", "finally", "case", "@")


def is_transcript(source: str) -> bool:
    """Does the block open with a ``>>>`` prompt?"""
    for row in source.split("\n"):
        if row.strip():
            return _prompt(row)[1] is not None
    return False


def parse_examples(source: str) -> list[Example]:
    """Each prompt's statement and the lines shown under it, in order."""
    rows = source.removesuffix("\n").split("\n")
    examples: list[Example] = []
    i = 0
    while i < len(rows):
        indent, code = _prompt(rows[i])
        if code is None or not code.strip():
            i += 1
            continue
        taken = [i + 1]
        lines = [code]
        i += 1
        while i < len(rows):
            more = _continuation(rows[i], indent, lines)
            if more is None:
                break
            lines.append(more)
            taken.append(i + 1)
            i += 1
        want_row = i + 1
        shown: list[str] = []
        while i < len(rows) and rows[i].strip() and _prompt(rows[i])[1] is None:
            row = rows[i]
            shown.append(row[len(indent) :] if row.startswith(indent) else row.lstrip())
            i += 1
        examples.append(_example(lines, tuple(taken), shown, want_row))
    return examples


def _example(lines: list[str], rows: tuple[int, ...], shown: list[str], want_row: int) -> Example:
    commented = bool(shown) and all(line.lstrip().startswith("#") for line in shown)
    if commented:
        shown = [_uncomment(line) for line in shown]
    source = "\n".join(lines) + "\n"
    return Example(
        source=source,
        rows=rows,
        want="".join(line.rstrip() + "\n" for line in shown),
        want_row=want_row,
        commented=commented,
        compiles=_compiles(source),
    )


def _prompt(row: str) -> tuple[str, str | None]:
    """``(indent, code)`` when ``row`` is a ``>>>`` prompt."""
    stripped = row.lstrip()
    indent = row[: len(row) - len(stripped)]
    if stripped.rstrip() == PROMPT:
        return indent, ""
    if stripped.startswith(PROMPT + " ") or stripped.startswith(PROMPT + "\t"):
        return indent, stripped[len(PROMPT) + 1 :]
    return indent, None


def _continuation(row: str, indent: str, lines: list[str]) -> str | None:
    """The code ``row`` adds to an unfinished statement, or ``None`` when it adds none."""
    stripped = row.lstrip()
    if stripped.rstrip() == CONTINUATION:
        return ""
    if stripped.startswith(CONTINUATION + " "):
        return stripped[len(CONTINUATION) + 1 :]
    if not row.strip() or _prompt(row)[1] is not None:
        return None
    state = _state("\n".join(lines))
    if state == "complete" or state == "invalid":
        return None
    own = row[len(indent) :] if row.startswith(indent) else stripped
    if state == "open":
        return own
    # A finished compound statement waits only for its blank line: take indented
    # body lines and its further clauses, not the output after it.
    if own[:1].isspace() or own.startswith(_CLAUSES):
        return own
    return None


def _state(source: str) -> str:
    """``complete``, ``invalid``, ``open`` (brackets, backslash) or ``compound``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if codeop.compile_command(source, symbol="single") is not None:
                return "complete"
            finished = codeop.compile_command(source + "\n", symbol="single")
        except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError):
            return "invalid"
    return "compound" if finished is not None else "open"


def _compiles(source: str) -> bool:
    return compile_problem(source) is None


def compile_problem(source: str) -> str | None:
    """Why an example does not compile at the prompt, or ``None`` when it does."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(source, "<example>", "single", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        except SyntaxError as err:
            return err.msg
        except (ValueError, OverflowError) as err:
            return str(err)
        except (RecursionError, MemoryError):
            return TOO_DEEP
    return None


def is_python2(message: str) -> bool:
    """Python's own hint for a print or exec statement: the code is Python 2."""
    return message.startswith("Missing parentheses in call to")


def _uncomment(line: str) -> str:
    text = line.lstrip()[1:]
    return text[1:] if text.startswith(" ") else text


def runner_source(row_count: int, examples: list[Example]) -> str:
    """The transcript as the runner reads it: prompts and ``...`` lines only.

    Every other row is blank, so each example keeps its ``.md`` line and the
    runner's doctest-style reader sees exactly these examples.
    """
    rows = [""] * row_count
    for example in examples:
        for position, (row, code) in enumerate(
            zip(example.rows, example.source.removesuffix("\n").split("\n"), strict=True)
        ):
            marker = PROMPT if position == 0 else CONTINUATION
            rows[row - 1] = f"{marker} {code}".rstrip()
    return "\n".join(rows) + "\n"
