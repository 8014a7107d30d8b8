"""Comparing stated output with real output, and showing the difference.

The rules are AUTHORING.md's: trailing whitespace and trailing blank lines do not
count; a line ``...`` stands for any run of lines; ``...`` inside a line stands for
any text; memory addresses match any address; ``unordered`` compares lines as a
multiset. Every rule runs in time close to linear in the output's size: wildcards
are matched segment by segment, leftmost first, never by backtracking.
"""

from __future__ import annotations

import bisect
import difflib
import re
import sys
from collections import Counter

from .expectations import (
    BLANKLINE,
    CommentExpectation,
    comment_expectations,
    parse_transcript,
)
from .model import BlockExecution, BlockKind, BlockResult, CodeBlock, Diagnostic, Severity, Status

ELLIPSIS = "..."
# Addresses as Python shows them, `<Node object at 0x7f3a9c2e1d90>`. Shorter hex
# numbers (`hex(255)` is `0xff`) are real values and must match exactly.
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
_ANY_ADDRESS = "0x<address>"
_CONTEXT = 3


def normalise(text: str) -> list[str]:
    """Lines without trailing whitespace, trailing blank lines dropped, addresses masked."""
    lines = [_ADDRESS.sub(_ANY_ADDRESS, line.rstrip()) for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def outputs_match(expected: str, actual: str, *, unordered: bool = False) -> bool:
    """Does ``actual`` output satisfy the ``expected`` text an author wrote?"""
    want = normalise(expected)
    got = normalise(actual)
    if unordered:
        return _multiset_match(want, got)
    return _sequence_match(want, got)


def line_matches(pattern: str, line: str) -> bool:
    """One normalised line against one pattern line with inline ``...`` wildcards."""
    if ELLIPSIS not in pattern:
        return pattern == line
    parts = pattern.split(ELLIPSIS)
    head, *middle, tail = parts
    if len(head) + len(tail) > len(line) or not line.startswith(head) or not line.endswith(tail):
        return False
    position, end = len(head), len(line) - len(tail)
    for part in middle:
        found = line.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _is_gap(pattern: str) -> bool:
    return pattern.strip() == ELLIPSIS


def _sequence_match(want: list[str], got: list[str]) -> bool:
    """Pattern lines against output lines; ``...`` lines split the pattern into segments.

    The first segment is anchored at the start and the last at the end; the ones in
    between are placed leftmost, which is optimal for wildcards of any length.
    """
    segments: list[list[str]] = [[]]
    for pattern in want:
        if _is_gap(pattern):
            segments.append([])
        else:
            segments[-1].append(pattern)
    if len(segments) == 1:
        return len(want) == len(got) and all(map(line_matches, want, got))
    head, *middle, tail = segments
    if len(head) + len(tail) > len(got):
        return False
    if not _fits(head, got, 0) or not _fits(tail, got, len(got) - len(tail)):
        return False
    position, end = len(head), len(got) - len(tail)
    finder = _SegmentFinder(got)
    for segment in middle:
        found = finder.find(segment, position, end)
        if found < 0:
            return False
        position = found + len(segment)
    return True


def _fits(segment: list[str], got: list[str], at: int) -> bool:
    return all(line_matches(p, got[at + i]) for i, p in enumerate(segment))


class _SegmentFinder:
    """Leftmost placement of a run of pattern lines inside the output lines.

    A run without inline wildcards is found with ``str.find`` over the joined
    output, which stays linear however the lines repeat; only runs with inline
    ``...`` are tried line by line.
    """

    def __init__(self, got: list[str]) -> None:
        self.got = got
        self.text = "\n" + "\n".join(got) + "\n"
        self.starts: list[int] = []  # offset of the "\n" before each line
        offset = 0
        for line in got:
            self.starts.append(offset)
            offset += len(line) + 1
        self.starts.append(offset)

    def find(self, segment: list[str], start: int, end: int) -> int:
        if not segment:
            return start
        if not any(ELLIPSIS in p for p in segment):
            needle = "\n" + "\n".join(segment) + "\n"
            at = self.text.find(needle, self.starts[start], self.starts[end] + 1)
            return -1 if at < 0 else bisect.bisect_left(self.starts, at)
        for at in range(start, end - len(segment) + 1):
            if _fits(segment, self.got, at):
                return at
        return -1


def _multiset_match(want: list[str], got: list[str]) -> bool:
    """Every pattern line pairs with its own output line; ``...`` lines allow extras.

    Literal lines pair with equal lines first (any equal line is as good as another);
    the lines with inline wildcards are then paired by augmenting paths, so a greedy
    choice can never wrongly fail.
    """
    allow_extra = any(_is_gap(p) for p in want)
    patterns = [p for p in want if not _is_gap(p)]
    left = Counter(got)
    wild: list[str] = []
    for pattern in patterns:
        if ELLIPSIS in pattern:
            wild.append(pattern)
        elif left[pattern] > 0:
            left[pattern] -= 1
        else:
            return False
    remaining = list(left.elements())
    if len(wild) > len(remaining):
        return False
    if _max_pairs(wild, remaining) < len(wild):
        return False
    return allow_extra or len(remaining) == len(wild)


def _max_pairs(patterns: list[str], lines: list[str]) -> int:
    """Size of a maximum matching between patterns and the lines each one matches."""
    options = [[j for j, line in enumerate(lines) if line_matches(p, line)] for p in patterns]
    owner: dict[int, int] = {}
    paired = 0
    for root in range(len(patterns)):
        # Iterative depth-first search for an augmenting path from `root`.
        parent: dict[int, tuple[int, int | None]] = {}  # line -> (pattern, previous line)
        stack: list[tuple[int, int | None]] = [(root, None)]
        seen: set[int] = set()
        free_line: int | None = None
        while stack and free_line is None:
            pattern, via = stack.pop()
            for line in options[pattern]:
                if line in seen:
                    continue
                seen.add(line)
                parent[line] = (pattern, via)
                if line not in owner:
                    free_line = line
                    break
                stack.append((owner[line], line))
        if free_line is None:
            continue
        line_or_none: int | None = free_line
        while line_or_none is not None:
            pattern, previous = parent[line_or_none]
            owner[line_or_none] = pattern
            line_or_none = previous
        paired += 1
    return paired


def unified_diff(expected: str, actual: str, expected_line: int, path: str) -> str:
    """A unified diff whose expected side is numbered with its ``.md`` lines.

    Hunk headers name the ``.md`` line where the hunk starts (``@@ post.md:14 @@``),
    and each expected line carries its own line number, so a reader can jump
    straight to the text to fix.
    """
    want = [line.rstrip() for line in expected.splitlines()]
    got = [line.rstrip() for line in actual.splitlines()]
    while want and not want[-1]:
        want.pop()
    while got and not got[-1]:
        got.pop()
    width = len(str(expected_line + max(len(want), 1)))
    blank = " " * width
    out = [f"--- expected ({path}:{expected_line})", "+++ actual"]
    matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
    for group in matcher.get_grouped_opcodes(_CONTEXT):
        hunk: list[str] = []
        for tag, i1, i2, j1, j2 in group:
            # difflib compares text; a run whose patterns (``...``, addresses) match
            # what was printed there is not a difference, so it is shown as context.
            if tag == "equal" or _sequence_match(want[i1:i2], got[j1:j2]):
                hunk.extend(f" {expected_line + i:>{width}} | {want[i]}" for i in range(i1, i2))
                continue
            hunk.extend(f"-{expected_line + i:>{width}} | {_shown(want[i])}" for i in range(i1, i2))
            hunk.extend(f"+{blank} | {_shown(got[j])}" for j in range(j1, j2))
        if any(line[0] in "-+" for line in hunk):
            out.append(f"@@ {path}:{expected_line + group[0][1]} @@")
            out.extend(hunk)
    return "\n".join(out)


def _shown(line: str) -> str:
    """A differing line with invisible characters spelled out (``\\xa0``, ``\\u200b``),
    so two lines that look the same show where they differ."""
    if line.isprintable():
        return line
    return "".join(c if c.isprintable() or c == "\t" else repr(c)[1:-1] for c in line)


# --- judging one block ---------------------------------------------------------

_TRACEBACK_HEADER = "Traceback (most recent call last):"
_SHOWN_TRACEBACK_LINES = 6
_LIMIT_FAILURES = {
    "timeout": ("timeout", "the block did not finish in time; raise it with timeout=SECONDS"),
    "killed": ("killed", "the process running the block was killed"),
    "output-limit": ("output-limit", "the block printed more than the output limit"),
    "memory": ("memory-limit", "the block used more memory than the limit"),
}


def judge_block(
    block: CodeBlock, execution: BlockExecution, path: str
) -> tuple[BlockResult, list[Diagnostic]]:
    """Turn what the runner saw into a verdict and diagnostics at ``.md`` lines.

    ``execution.outcome`` is one of those documented on
    :class:`~pebbles.model.BlockExecution`; an unknown one is a bug in the runner.
    """
    outcome = execution.outcome
    if outcome == "skipped":
        reason = execution.detail or block.options.skip or "skipped"
        return _result(block, execution, Status.SKIPPED, reason=reason), []
    if outcome == "not-run":
        return _result(block, execution, Status.NOT_RUN, reason=execution.detail), []
    if outcome == "compiled":
        return _result(block, execution, Status.PASSED, reason="syntax checked only"), []
    if outcome in _LIMIT_FAILURES:
        code, words = _LIMIT_FAILURES[outcome]
        message = execution.detail or words
        found = [_error(path, block.line, 1, code, message)]
        return _result(block, execution, Status.FAILED, reason=message), found
    if outcome not in ("ok", "error"):
        raise ValueError(f"unknown block outcome {outcome!r}")
    expected: str | None
    if block.kind is BlockKind.TRANSCRIPT:
        expected, actual, found = _judge_transcript(block, execution, path)
    else:
        expected, actual, found = _judge_script(block, execution, path)
    errors = [d for d in found if d.is_error]
    status = Status.FAILED if errors else Status.PASSED
    summary = errors[0].message.split("\n", 1)[0] if errors else None
    return _result(block, execution, status, expected, actual, summary), found


def _result(
    block: CodeBlock,
    execution: BlockExecution,
    status: Status,
    expected: str | None = None,
    actual: str | None = None,
    reason: str | None = None,
) -> BlockResult:
    if expected is None and block.expected is not None:
        expected = block.expected.text
    return BlockResult(
        index=block.index,
        line=block.line,
        language=block.language,
        status=status,
        expected=expected,
        actual=execution.stdout if actual is None else actual,
        duration_s=execution.duration_s,
        reason=reason,
    )


def _error(path: str, line: int, col: int, code: str, message: str) -> Diagnostic:
    return Diagnostic(path, line, col, Severity.ERROR, code, message)


def _judge_script(
    block: CodeBlock, execution: BlockExecution, path: str
) -> tuple[str | None, str, list[Diagnostic]]:
    found = _exception_findings(block, execution, path)
    stdout = execution.stdout
    if block.expected is not None:
        stated = block.expected
        actual = _as_shown(stated.text, stdout, execution)
        if not outputs_match(stated.text, actual, unordered=block.options.unordered):
            found.append(_mismatch(path, stated.line, stated.text, actual))
        return stated.text, actual, found
    comments, warnings = comment_expectations(block)
    found.extend(
        Diagnostic(path, w.line, w.col, Severity.WARNING, "ambiguous-expectation", w.message)
        for w in warnings
    )
    if not comments:
        return None, stdout, found
    printed = _printed_by_line(execution)
    found.extend(_judge_comments(comments, printed, execution.outcome, path))
    # Expected and actual line up one line per stated print, so a report (and
    # --update) can pair each comment with what its print really wrote.
    expected = "".join(c.text + "\n" for c in comments)
    actual = "".join(_one_print(c, printed) + "\n" for c in comments)
    return expected, actual, found


def _printed_by_line(execution: BlockExecution) -> dict[int, list[str]]:
    written: dict[int, list[str]] = {}
    for line, text in execution.prints:
        written.setdefault(line, []).append(text.removesuffix("\n"))
    return written


def _one_print(comment: CommentExpectation, printed: dict[int, list[str]]) -> str:
    """What the comment's print wrote, or the comment's own text when that is unknown."""
    texts = printed.get(comment.line, [])
    return texts[0] if len(texts) == 1 else comment.text


def _exception_findings(block: CodeBlock, execution: BlockExecution, path: str) -> list[Diagnostic]:
    """Did the block end the way its ``raises=`` option (or its absence) says?"""
    wanted = block.options.raises
    raised = execution.error if execution.outcome == "error" else None
    line = execution.error_line or block.line
    if wanted is None and raised is None:
        return []
    if wanted is None:
        return [_error(path, line, 1, "exception", _exception_message(execution))]
    if raised is None:
        return [
            _error(
                path,
                block.line,
                1,
                "missing-exception",
                f"the block should raise {wanted} (raises={wanted}) but ended normally",
            )
        ]
    if _same_exception(wanted, raised):
        return []
    return [
        _error(
            path,
            line,
            1,
            "raises-mismatch",
            f"expected {wanted} (raises={wanted}); got {_exception_message(execution)}",
        )
    ]


def _exception_message(execution: BlockExecution) -> str:
    lines = (execution.traceback or "").rstrip("\n").split("\n")
    last = _exception_lines(execution.traceback or "")
    head = last[0] if last else (execution.error or "an exception")
    shown = lines[-_SHOWN_TRACEBACK_LINES:] if execution.traceback else []
    return "\n".join([f"uncaught {head}", *shown])


def _same_exception(wanted: str, raised: str) -> bool:
    """Does the raised class fit ``raises=``? Names compare by their last part, so
    ``json.JSONDecodeError`` fits ``json.decoder.JSONDecodeError``; a subclass fits
    its base (``raises=ValueError`` fits a ``JSONDecodeError``) when the raised class
    is one this process already has loaded. The checker never imports a module a
    post names: that would run code outside the sandbox.
    """
    wanted_name = wanted.rsplit(".", 1)[-1]
    kind = _loaded_exception(raised)
    if kind is None:
        return wanted_name == raised.rsplit(".", 1)[-1]
    return any(base.__name__ == wanted_name for base in kind.__mro__)


def _loaded_exception(name: str) -> type[BaseException] | None:
    module, _, qualname = name.rpartition(".")
    owner: object = sys.modules.get(module or "builtins")
    for part in qualname.split("."):
        owner = getattr(owner, part, None)
    if isinstance(owner, type) and issubclass(owner, BaseException):
        return owner
    return None


def _exception_lines(traceback: str) -> list[str]:
    """The closing ``Name: message`` part of a formatted traceback."""
    lines = traceback.rstrip("\n").split("\n")
    start = 0
    for i, line in enumerate(lines):
        if line.startswith("  File ") or line == _TRACEBACK_HEADER:
            start = i + 1
            while start < len(lines) and lines[start].startswith("    "):
                start += 1
    return [line for line in lines[start:] if line.strip()] if traceback.strip() else []


def _as_shown(stated: str, stdout: str, execution: BlockExecution) -> str:
    """The real output in the shape the author chose to state it.

    When the block ended with an exception, the stated output may show it the
    way the interpreter does: the whole traceback, doctest's ``Traceback (most
    recent call last):`` + ``...`` + last line, or just the last line.
    """
    if execution.outcome != "error" or not execution.traceback:
        return stdout
    shown = stdout if not stdout or stdout.endswith("\n") else stdout + "\n"
    if _TRACEBACK_HEADER in stated:
        return shown + execution.traceback
    last = _exception_lines(execution.traceback)
    if last and last[0].split(":", 1)[0] in stated:
        return shown + "\n".join(last) + "\n"
    return stdout


def _mismatch(path: str, line: int, expected: str, actual: str) -> Diagnostic:
    return _error(
        path,
        line,
        1,
        "output-mismatch",
        "output differs from the stated output\n" + unified_diff(expected, actual, line, path),
    )


def _judge_comments(
    comments: list[CommentExpectation],
    printed: dict[int, list[str]],
    outcome: str,
    path: str,
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for comment in comments:
        texts = printed.get(comment.line, [])
        if len(texts) > 1:
            found.append(
                Diagnostic(
                    path,
                    comment.comment_line,
                    comment.col,
                    Severity.WARNING,
                    "ambiguous-expectation",
                    f"this line printed {len(texts)} times, so its comment cannot be checked",
                )
            )
            continue
        if not texts:
            if outcome == "ok":
                found.append(
                    _error(
                        path,
                        comment.comment_line,
                        comment.col,
                        "output-mismatch",
                        f"this print never ran; the comment says {comment.text!r}",
                    )
                )
            continue
        text = texts[0]
        if not any(outputs_match(accepted, text) for accepted in comment.accepted):
            found.append(
                _error(
                    path,
                    comment.comment_line,
                    comment.col,
                    "output-mismatch",
                    f"printed {text!r}, but the comment says {comment.text!r}",
                )
            )
    return found


def _judge_transcript(
    block: CodeBlock, execution: BlockExecution, path: str
) -> tuple[str, str, list[Diagnostic]]:
    """Each example against its own output; ``actual`` is the transcript as it ran.

    Examples that matched keep their text (and their ``...``), so the actual
    transcript differs from the written one only where an example is wrong.
    """
    examples = parse_transcript(block)
    found = _exception_findings(block, execution, path)
    rows = block.source.split("\n")
    # Right to left, so replacing one example's lines keeps earlier rows in place.
    for example, got in reversed(list(zip(examples, execution.examples, strict=False))):
        actual = _example_as_shown(example.want, got)
        if outputs_match(example.want, actual, unordered=block.options.unordered):
            continue
        found.append(_mismatch(path, example.want_line, example.want, actual))
        start = example.want_line - block.line
        shown = [line.rstrip() or BLANKLINE for line in normalise_ends(actual)]
        rows[start : start + len(example.want.splitlines())] = [
            example.indent + line for line in shown
        ]
    found.sort(key=lambda d: d.line)
    return block.source, "\n".join(rows), found


def normalise_ends(text: str) -> list[str]:
    """Lines of ``text`` without trailing blank lines (kept leading ones)."""
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _example_as_shown(want: str, got: str) -> str:
    """An example that raised, trimmed to its last line when that is all ``want`` shows."""
    at = got.find(_TRACEBACK_HEADER)
    if at < 0 or _TRACEBACK_HEADER in want:
        return got
    return got[:at] + "\n".join(_exception_lines(got[at:])) + "\n"
