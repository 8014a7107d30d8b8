"""What the runner, its sandboxed workers and their sessions say to each other.

Every message is one line of JSON, so nothing that crosses the sandbox wall is
ever unpickled. The shapes are typed dicts: the runner builds a :class:`Job`, a
worker answers with a :class:`Report`, and inside the worker the session streams
``start``/``end`` events for each block. The session marks where each block's
output ends by writing a :func:`marker` to stdout and stderr, so the runner can
split the captured streams without trusting the session to stay alive.
"""

from __future__ import annotations

from typing import Any, TypedDict


class ExampleJob(TypedDict):
    source: str
    line: int


class BlockJob(TypedDict):
    index: int
    kind: str  # "script" | "transcript" | "compile"
    source: str
    line: int
    timeout: float
    raises: str | None
    isolated: bool
    requires: list[str]
    examples: list[ExampleJob]


class Job(TypedDict):
    id: int
    path: str
    nonce: str
    post_timeout: float
    output_limit: int  # bytes of stdout + stderr for the whole post
    blocks: list[BlockJob]


class Limits(TypedDict):
    """Resource limits a worker applies to each post's process."""

    memory_bytes: int
    cpu_seconds: int
    file_bytes: int
    open_files: int
    processes: int


class WorkerSettings(TypedDict):
    workdir_base: str
    switch_user: bool  # give each post a fresh uid (root inside bubblewrap)
    kill_all: bool  # the worker owns a PID namespace, so kill(-1) is safe
    grace: float  # seconds past a deadline before the hard kill
    limits: Limits


class Report(TypedDict):
    id: int
    events: list[dict[str, Any]]
    stdout: str
    stderr: str
    exit_status: int | None
    signal: int | None
    stopped: str | None  # "timeout" | "post-timeout" | "output-limit"
    elapsed: float


def marker(nonce: str, tag: str) -> str:
    """The text a session writes after a segment of output; ``tag`` names the segment."""
    return f"\x00pebbles:{nonce}:{tag}\x00"


def block_tag(index: int) -> str:
    return f"b{index}"


def example_tag(index: int, example: int) -> str:
    return f"b{index}e{example}"


def split_stream(text: str, nonce: str) -> tuple[dict[str, str], str]:
    """Segments of captured output by tag, and the text after the last marker."""
    first, *rest = text.split(marker(nonce, "")[:-1])
    segments: dict[str, str] = {}
    pending = first
    for piece in rest:
        tag, end, after = piece.partition("\x00")
        if not end:  # a marker cut off by the output limit
            break
        segments[tag] = pending
        pending = after
    return segments, pending
