"""Turn what a worker reported about one post into a BlockExecution per block.

The session's events say how each finished block ended; the markers in the
captured streams say which output belongs to which block; and for the block that
was running when the process stopped, the worker's exit status and the reason it
was stopped explain what happened. Everything here comes from inside the sandbox,
so each field is checked before it is believed.
"""

from __future__ import annotations

import signal
from typing import Any

from .model import BlockExecution, CodeBlock
from .protocol import Job, Report, block_tag, example_tag, split_stream

_OUTCOMES = {"ok", "error", "timeout", "memory", "skipped", "compiled", "killed"}
_SIGNAL_WORDS: dict[int, str] = {
    signal.SIGKILL: "killed by SIGKILL",
    signal.SIGXCPU: "stopped by SIGXCPU: it used up its CPU time (check.post_timeout)",
    signal.SIGSEGV: "crashed with a segmentation fault (SIGSEGV)",
    signal.SIGABRT: "aborted (SIGABRT)",
}


def from_report(blocks: tuple[CodeBlock, ...], job: Job, report: Report) -> list[BlockExecution]:
    """One execution per runnable block of the post, in order."""
    out, out_tail = split_stream(report["stdout"], job["nonce"])
    err, err_tail = split_stream(report["stderr"], job["nonce"])
    sent = {b["index"]: b for b in job["blocks"]}
    ends: dict[int, dict[str, Any]] = {}
    started: list[int] = []
    for event in report["events"]:
        block = event.get("block")
        if event.get("ev") == "start" and isinstance(block, int):
            started.append(block)
        elif event.get("ev") == "end" and isinstance(block, int):
            ends[block] = event
    in_flight = next((i for i in reversed(started) if i not in ends), None)
    if not started and job["blocks"]:
        in_flight = job["blocks"][0]["index"]  # it stopped before it could say anything
    found: list[BlockExecution] = []
    reason: str | None = None  # why the blocks without events did not run
    for block in blocks:
        if block.options.skip is not None:
            found.append(BlockExecution(block.index, "skipped", detail=block.options.skip))
            continue
        examples = len(sent[block.index]["examples"]) if block.index in sent else 0
        end = ends.get(block.index)
        finished = _finished(block, end, out, err, examples) if end is not None else None
        if finished is not None:
            found.append(finished)
            if finished.outcome not in ("ok", "skipped", "compiled"):
                reason = f"not run: the block at line {block.line} failed"
        elif block.index == in_flight or end is not None:
            spent = report["elapsed"] - sum(e.duration_s for e in found)
            found.append(_interrupted(block, job, report, out, out_tail, err_tail, spent, examples))
            reason = f"not run: the post stopped during the block at line {block.line}"
        else:
            found.append(BlockExecution(block.index, "not-run", detail=reason))
    return found


def _finished(
    block: CodeBlock, end: dict[str, Any], out: dict[str, str], err: dict[str, str], examples: int
) -> BlockExecution | None:
    """The execution an ``end`` event describes, or ``None`` if the event is malformed."""
    outcome = end.get("outcome")
    prints = end.get("prints", [])
    if outcome not in _OUTCOMES or not isinstance(prints, list):
        return None
    if not all(_is_print(p) for p in prints):
        return None
    shown = [out.get(example_tag(block.index, n), "") for n in range(examples)]
    return BlockExecution(
        index=block.index,
        outcome=str(outcome),
        stdout="".join(shown) + out.get(block_tag(block.index), ""),
        stderr=err.get(block_tag(block.index), ""),
        error=_text(end.get("error")),
        error_line=end.get("error_line") if isinstance(end.get("error_line"), int) else None,
        traceback=_text(end.get("traceback")),
        prints=tuple((line, text) for line, text in prints),
        examples=tuple(shown) if examples else (),
        duration_s=float(end["duration"]) if isinstance(end.get("duration"), int | float) else 0.0,
        detail=_text(end.get("detail")),
    )


def _interrupted(
    block: CodeBlock,
    job: Job,
    report: Report,
    out: dict[str, str],
    out_tail: str,
    err_tail: str,
    spent: float,
    examples: int,
) -> BlockExecution:
    """The block that was running when its process stopped: say why it stopped."""
    outcome, detail = _why_stopped(block, job, report)
    shown = [out.get(example_tag(block.index, n), "") for n in range(examples)]
    shown = [text for text in shown if text] + ([out_tail] if examples and out_tail else [])
    return BlockExecution(
        index=block.index,
        outcome=outcome,
        stdout="".join(shown) if examples else out_tail,
        stderr=err_tail,
        examples=tuple(shown),
        duration_s=max(spent, 0.0),
        detail=detail,
    )


def _why_stopped(block: CodeBlock, job: Job, report: Report) -> tuple[str, str]:
    stopped = report["stopped"]
    timeout = next((b["timeout"] for b in job["blocks"] if b["index"] == block.index), 0.0)
    if stopped == "timeout":
        return "timeout", (
            f"still running after its {timeout:g} s timeout and did not stop when asked; killed "
            "(raise the limit with timeout=SECONDS)"
        )
    if stopped == "post-timeout":
        return (
            "timeout",
            f"the post used up its {job['post_timeout']:g} s (check.post_timeout); killed",
        )
    if stopped == "output-limit":
        kib = job["output_limit"] // 1024
        return (
            "output-limit",
            f"printed more than {kib} KiB (check.output_limit_kib); stopped there",
        )
    if stopped is not None and stopped.startswith("worker"):
        return "killed", (
            f"the sandboxed worker running this post {stopped.removeprefix('worker ')} "
            "during this block (does the code kill its parent process?)"
        )
    number = report["signal"]
    if number is not None:
        words = _SIGNAL_WORDS.get(number, f"killed by signal {number} ({_signal_name(number)})")
        return "killed", f"the post's process was {words} during this block"
    status = report["exit_status"]
    return "killed", f"the post's process exited with status {status} in the middle of this block"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown"


def _is_print(item: object) -> bool:
    return (
        isinstance(item, list)
        and len(item) == 2
        and isinstance(item[0], int)
        and isinstance(item[1], str)
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
