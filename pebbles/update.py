"""``--update``: rewrite a post's stated outputs to what its code really printed.

Only the text of ```` ```output ```` blocks, ``>>>`` transcripts and ``# 42``
print comments changes; every other byte of the file (line ends, a BOM, trailing
spaces elsewhere) is kept. Planning the edits is pure; :func:`write_updates` is
the one function that touches the disk.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .content import decode
from .expectations import CommentExpectation, comment_expectations
from .matching import outputs_match
from .model import (
    BlockKind,
    BlockResult,
    CodeBlock,
    Diagnostic,
    Post,
    RunOutcome,
    Severity,
    Status,
)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_MISMATCH = "output-mismatch"


@dataclass(frozen=True)
class Edit:
    """Replace ``count`` lines starting at .md line ``first`` (``count=0`` inserts)."""

    first: int
    count: int
    lines: tuple[str, ...]
    fixes: tuple[int, ...] = ()  # .md lines of the mismatches this edit resolves


def plan_updates(post: Post, outcome: RunOutcome) -> list[Edit]:
    """The edits that make each wrong or missing stated output say what ran.

    A block is only touched when output mismatches are its only errors: a block
    that crashed or timed out has no trustworthy output to write down. A passing
    block that printed but states nothing gets a new ```` ```output ```` block.
    """
    body = post.body.split("\n")
    results = {r.index: r for r in outcome.blocks}
    edits: list[Edit] = []
    for block in post.runnable_blocks:
        result = results.get(block.index)
        if result is None or result.actual is None:
            continue
        errors = [d for d in outcome.findings if d.is_error and _belongs(d, block, post)]
        if any(d.code != _MISMATCH for d in errors):
            continue
        edits.extend(_plan_block(post, body, block, result, errors))
    return edits


def apply_edits(original_text: str, edits: Sequence[Edit]) -> str:
    """``original_text`` (line ends and BOM as on disk) with ``edits`` applied.

    New lines take the line end of the line they replace or follow, so a CRLF
    file stays CRLF.
    """
    lines = _LINE.findall(original_text)
    for edit in sorted(edits, key=lambda e: e.first, reverse=True):
        at = edit.first - 1
        near = lines[at] if at < len(lines) else (lines[-1] if lines else "\n")
        end = _line_end(near) or _line_end(lines[at - 1] if at > 0 else "") or "\n"
        if at >= len(lines) and lines and not _line_end(lines[-1]):
            lines[-1] += end
        lines[at : at + edit.count] = [line + end for line in edit.lines]
    return "".join(lines)


def updated_text(original_text: str, post: Post, outcome: RunOutcome) -> str:
    """The file's text with every stated output rewritten to the real one."""
    return apply_edits(original_text, plan_updates(post, outcome))


def write_updates(post: Post, outcome: RunOutcome) -> RunOutcome:
    """Rewrite ``post``'s file in place (atomically) and say so in the findings.

    The mismatches that were fixed become notes; a file that changed on disk
    since it was read is left alone with a warning.
    """
    edits = plan_updates(post, outcome)
    if not edits:
        return outcome
    path = Path(post.path)
    data = path.read_bytes()
    text, _ = decode(data, post.path)
    if text is None or _digest(text) != post.content_hash:
        note = _note(post, Severity.WARNING, "file changed while it was checked; not updated")
        return replace(outcome, findings=(*outcome.findings, note))
    _replace_file(path, apply_edits(data.decode("utf-8"), edits).encode("utf-8"))
    fixed = {line for edit in edits for line in edit.fixes}
    findings = tuple(_fixed(d, fixed) for d in outcome.findings)
    plural = "s" * (len(edits) != 1)
    note = _note(post, Severity.INFO, f"updated {len(edits)} output{plural} in {post.path}")
    return replace(outcome, findings=(*findings, note))


# --- planning ---------------------------------------------------------------------


def _plan_block(
    post: Post, body: list[str], block: CodeBlock, result: BlockResult, errors: list[Diagnostic]
) -> list[Edit]:
    actual = result.actual or ""
    if block.expected is not None and block.output_block is not None:
        stated = post.blocks[block.output_block]
        if not errors or outputs_match(stated.source, actual, unordered=block.options.unordered):
            return []
        return _refill(post, body, stated, actual, errors)
    if block.kind is BlockKind.TRANSCRIPT:
        return _transcript_edits(post, body, block, actual, errors) if errors else []
    if result.expected is not None:
        return _comment_edits(post, body, block, result, errors)
    if result.status is Status.PASSED and actual.strip() and not block.options.hidden:
        return _new_output_block(post, body, block, actual)
    return []


def _refill(
    post: Post, body: list[str], block: CodeBlock, text: str, errors: list[Diagnostic]
) -> list[Edit]:
    """New contents for a fenced block, indented like its fence."""
    fence = _closed_fence(post, body, block)
    if fence is None:
        return []
    indent, marker = fence
    lines = _text_lines(text)
    if any(line.lstrip().startswith(marker) for line in lines):
        return []  # the output itself would close the fence
    count = block.end_line - block.fence_line - 1
    new = tuple(indent + line for line in lines)
    return [Edit(block.fence_line + 1, count, new, tuple(d.line for d in errors))]


def _transcript_edits(
    post: Post, body: list[str], block: CodeBlock, actual: str, errors: list[Diagnostic]
) -> list[Edit]:
    """Only the output lines that changed; the rest of the transcript stays as written.

    The judge's ``actual`` is the transcript with each wrong example's output
    replaced, so lining it up with the source finds exactly those lines.
    """
    fence = _closed_fence(post, body, block)
    if fence is None:
        return []
    written = block.source.split("\n")
    ran = actual.split("\n")
    fixes = tuple(d.line for d in errors)
    matcher = difflib.SequenceMatcher(None, written, ran, autojunk=False)
    return [
        Edit(block.line + i1, i2 - i1, tuple(fence[0] + line for line in ran[j1:j2]), fixes)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _closed_fence(post: Post, body: list[str], block: CodeBlock) -> tuple[str, str] | None:
    """``(prefix, marker)`` of a block's fence, or None when it is never closed.

    The prefix is what the block's lines start with: the fence's indentation and,
    inside a blockquote, its ``>`` marks.
    """
    fence = _body_line(post, body, block.fence_line)
    start = len(fence) - len(fence.lstrip(" \t>"))
    stripped = fence[start:]
    marker = stripped[: len(stripped) - len(stripped.lstrip(stripped[:1]))]
    closing = _body_line(post, body, block.end_line).lstrip(" \t>")
    if block.end_line == block.fence_line or not marker or not closing.startswith(marker):
        return None
    return fence[:start], marker


def _new_output_block(post: Post, body: list[str], block: CodeBlock, text: str) -> list[Edit]:
    fence = _closed_fence(post, body, block)
    if fence is None:
        return []
    indent, marker = fence
    lines = _text_lines(text)
    while any(line.lstrip().startswith(marker) for line in lines):
        marker += marker[0]
    # The blank line between the blocks stays inside a blockquote (">"), or it would end it.
    gap = indent.rstrip()
    new = (gap, indent + marker + "output", *(indent + line for line in lines), indent + marker)
    return [Edit(block.end_line + 1, 0, new)]


def _comment_edits(
    post: Post, body: list[str], block: CodeBlock, result: BlockResult, errors: list[Diagnostic]
) -> list[Edit]:
    comments, _ = comment_expectations(block)
    printed = (result.actual or "").split("\n")[: len(comments)]
    wrong = {d.line for d in errors}
    if len((result.actual or "").splitlines()) != len(comments):
        return []  # a commented print wrote several lines; a comment cannot hold them
    edits = []
    for comment, text in zip(comments, printed, strict=True):
        if comment.comment_line not in wrong or text == comment.text:
            continue
        line = _body_line(post, body, comment.comment_line)
        at = _hash_column(line, block, comment)
        if at is None:
            continue
        new = line[:at] + "# " + _comment_text(comment, text)
        edits.append(Edit(comment.comment_line, 1, (new,), (comment.comment_line,)))
    return edits


def _hash_column(line: str, block: CodeBlock, comment: CommentExpectation) -> int | None:
    """Where the comment's ``#`` is in the file's line (the block may be indented)."""
    source_line = block.source.split("\n")[comment.comment_line - block.line]
    at = len(line) - len(source_line) + comment.col - 1
    return at if 0 <= at < len(line) and line[at] == "#" else None


def _comment_text(comment: CommentExpectation, text: str) -> str:
    """The new comment in the form the author used, when that form can hold it."""
    if comment.form == "string":
        return repr(text)
    if comment.form == "label":
        return f"Output: {text}"
    if comment.form == "literal" and _is_plain_literal(text):
        return text
    return f"-> {text}"


def _is_plain_literal(text: str) -> bool:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return not isinstance(value, str) and str(value) == text


def _belongs(diagnostic: Diagnostic, block: CodeBlock, post: Post) -> bool:
    last = block.end_line
    if block.output_block is not None:
        last = post.blocks[block.output_block].end_line
    return block.fence_line <= diagnostic.line <= last


def _body_line(post: Post, body: list[str], md_line: int) -> str:
    at = md_line - post.body_line
    return body[at] if 0 <= at < len(body) else ""


def _text_lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _line_end(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


# --- writing ----------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _replace_file(path: Path, data: bytes) -> None:
    """Write beside the file, then rename over it: readers never see half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _fixed(diagnostic: Diagnostic, fixed: set[int]) -> Diagnostic:
    """An output mismatch that an edit resolved becomes a note."""
    if diagnostic.code != _MISMATCH or not diagnostic.is_error or diagnostic.line not in fixed:
        return diagnostic
    first = diagnostic.message.split("\n", 1)[0]
    return replace(diagnostic, severity=Severity.INFO, message=f"updated: {first}")


def _note(post: Post, severity: Severity, message: str) -> Diagnostic:
    return Diagnostic(post.path, 1, 1, severity, "updated", message)
