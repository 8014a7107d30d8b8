"""Expected output stated inside code: ``>>>`` transcripts and ``print(x)  # 42`` comments.

An ```` ```output ```` block is found by the Markdown parser; the two forms here live in
the code itself, so they are read with Python's own ``tokenize`` and ``ast``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

from .model import CodeBlock

PROMPT = ">>>"
CONTINUATION = "..."
# doctest's marker for an empty line inside an example's output, which would
# otherwise end the example.
BLANKLINE = "<BLANKLINE>"

_ARROW = "->"
_OUTPUT_LABEL = "output:"
# Comments that look like a stated output but are not in a form pebbles reads.
# They get a warning so the author learns the accepted spelling instead of
# believing the line is checked.
_LOOKS_LIKE_OUTPUT = re.compile(r"(=>|==>|→|⇒|(out|prints?|outputs?|result)\s*[:=])", re.I)


@dataclass(frozen=True)
class TranscriptExample:
    """One ``>>>`` statement of a transcript and the output shown under it.

    ``source`` has the prompts stripped and ``...`` continuation lines joined, ready
    to compile in ``'single'`` mode; ``want`` is the shown output (``""`` when none).
    """

    source: str
    line: int  # .md line of the ">>>"
    want: str
    want_line: int  # .md line of the first output line (the line after the source if none)
    indent: str = ""  # the prompt's indentation, which the output lines share


@dataclass(frozen=True)
class CommentExpectation:
    """``print(...)  # text``: what that one print call should write."""

    line: int  # .md line where the print call starts (what the runner records)
    comment_line: int  # .md line holding the comment
    col: int  # 1-based column of the "#"
    text: str  # the expected text, as an author would read it
    accepted: tuple[str, ...]  # every text that counts as a match (see comment_expectations)
    form: str  # "literal" | "string" | "arrow" | "label": how --update writes it back


@dataclass(frozen=True)
class CommentWarning:
    """A comment that cannot be checked, and why."""

    line: int
    col: int
    message: str


# --- transcripts -------------------------------------------------------------


def parse_transcript(block: CodeBlock) -> list[TranscriptExample]:
    """Split a ``pycon`` block into examples the way :mod:`doctest` does.

    An example starts at a ``>>>`` line, takes the ``...`` lines that follow as
    continuation, and its output runs to the next prompt or blank line (write
    ``<BLANKLINE>`` for an empty output line). Text before the first prompt is
    ignored, like the prose between doctest examples.
    """
    lines = block.source.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    examples: list[TranscriptExample] = []
    i = 0
    while i < len(lines):
        indent, body = _prompt(lines[i], PROMPT)
        if body is None:
            i += 1
            continue
        start = i
        source = [body]
        i += 1
        while i < len(lines):
            rest = _strip_indent(lines[i], indent)
            continuation = _prompt(rest, CONTINUATION)[1] if rest is not None else None
            if continuation is None:
                break
            source.append(continuation)
            i += 1
        want_start = i
        want: list[str] = []
        while i < len(lines) and lines[i].strip() and _prompt(lines[i], PROMPT)[1] is None:
            shown = _strip_indent(lines[i], indent)
            shown = lines[i].lstrip() if shown is None else shown
            want.append("" if shown.rstrip() == BLANKLINE else shown)
            i += 1
        if not "".join(source).strip() and not want:
            continue  # a bare prompt, as a REPL shows when Enter is pressed: nothing runs
        examples.append(
            TranscriptExample(
                source="\n".join(source) + "\n",
                line=block.line + start,
                want="\n".join(want) + "\n" if want else "",
                want_line=block.line + want_start,
                indent=indent,
            )
        )
    return examples


def _prompt(line: str, marker: str) -> tuple[str, str | None]:
    """``(indent, code)`` when ``line`` starts with ``marker`` (after spaces)."""
    stripped = line.lstrip(" ")
    indent = line[: len(line) - len(stripped)]
    if stripped == marker or stripped.rstrip() == marker:
        return indent, ""
    if stripped.startswith(marker + " "):
        return indent, stripped[len(marker) + 1 :]
    return indent, None


def _strip_indent(line: str, indent: str) -> str | None:
    return line[len(indent) :] if line.startswith(indent) else None


# --- print comments ----------------------------------------------------------


def comment_expectations(
    block: CodeBlock,
) -> tuple[list[CommentExpectation], list[CommentWarning]]:
    """Trailing comments on ``print(...)`` lines that state that print's output.

    A comment counts when its text is a Python literal (``# 42``, ``# [1, 2]``,
    ``# 'Ada'``) or starts with ``->`` or ``Output:`` (the rest is the text). For a
    literal, the print may write ``str()`` of the value or the comment exactly as
    written: ``print(name)  # 'Ada'`` accepts ``Ada`` (what print really writes)
    and ``'Ada'`` (the repr an author may be thinking of). Any other comment is
    prose and is left alone, unless it looks like an output marker it does not
    follow (``# => 42``), which is a warning. A stated print that can run more than
    once or not at all in a known order (in a loop, comprehension, function or
    lambda), or a line with two prints, is a warning too: never silently matched.
    Code that does not parse yields nothing; running it reports the syntax error.
    """
    try:
        tree = ast.parse(block.source)
        comments = _comments(block.source)
    except (SyntaxError, tokenize.TokenError, ValueError):
        return [], []
    prints = _print_calls(tree)
    found: list[CommentExpectation] = []
    warnings: list[CommentWarning] = []
    for row, (col, text) in sorted(comments.items()):
        md_line = block.line + row - 1
        calls = prints.get(row, [])
        if not calls:
            continue
        stated = _read_comment(text)
        if stated is None:
            if _LOOKS_LIKE_OUTPUT.match(text):
                warnings.append(
                    CommentWarning(
                        md_line,
                        col + 1,
                        f"comment '# {text}' looks like a stated output but is not checked; "
                        f"write '# -> {_after_marker(text)}' or a Python literal",
                    )
                )
            continue
        if len(calls) > 1:
            warnings.append(
                CommentWarning(
                    md_line, col + 1, "two print calls on one line; the comment cannot say which"
                )
            )
            continue
        start, repeated = calls[0]
        if repeated:
            warnings.append(
                CommentWarning(
                    md_line,
                    col + 1,
                    f"this print is inside {repeated}, so it may print any number of times; "
                    "state its output in an ```output block instead",
                )
            )
            continue
        shown, accepted, form = stated
        found.append(
            CommentExpectation(block.line + start - 1, md_line, col + 1, shown, accepted, form)
        )
    return found, warnings


def _comments(source: str) -> dict[int, tuple[int, str]]:
    """Trailing comments by source row: ``row -> (0-based col, text after '# ')``."""
    found: dict[int, tuple[int, str]] = {}
    code_rows: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            row, col = token.start
            if row in code_rows:
                found[row] = (col, token.string[1:].strip())
        elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            code_rows.update(range(token.start[0], token.end[0] + 1))
    return found


def _print_calls(tree: ast.AST) -> dict[int, list[tuple[int, str | None]]]:
    """``print(...)`` calls keyed by their last row: ``(first row, repeating construct)``.

    The comment sits at the end of the call (a call may span lines); the runner
    records the row where the call starts.
    """
    found: dict[int, list[tuple[int, str | None]]] = {}

    def visit(node: ast.AST, repeated: str | None) -> None:
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "print"
        ):
            last = node.end_lineno or node.lineno
            found.setdefault(last, []).append((node.lineno, repeated))
        inner = _REPEATING.get(type(node), repeated) if repeated is None else repeated
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, None)
    return found


_REPEATING: dict[type[ast.AST], str] = {
    ast.For: "a loop",
    ast.AsyncFor: "a loop",
    ast.While: "a loop",
    ast.FunctionDef: "a function",
    ast.AsyncFunctionDef: "a function",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
}


def _read_comment(text: str) -> tuple[str, tuple[str, ...], str] | None:
    """``(shown text, accepted texts, form)`` when the comment states an output."""
    if text.startswith(_ARROW):
        rest = text[len(_ARROW) :].strip()
        return rest, (rest,), "arrow"
    if text.lower().startswith(_OUTPUT_LABEL):
        rest = text[len(_OUTPUT_LABEL) :].strip()
        return rest, (rest,), "label"
    if not text:
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if isinstance(value, str):
        return value, tuple(dict.fromkeys((value, text))), "string"
    return str(value), tuple(dict.fromkeys((str(value), text))), "literal"


def _after_marker(text: str) -> str:
    match = _LOOKS_LIKE_OUTPUT.match(text)
    return text[match.end() :].strip() if match else text
