"""The standalone session model, with a stand-in engine that records every session
it is asked to run: which units run together, what is replayed, when a fresh
session starts."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

from pebbles.analysis import analyse
from pebbles.claims import Analysis
from pebbles.conventions import NAMES
from pebbles.documents import parse_document
from pebbles.model import BlockExecution, Post, RunRequest, SiteConfig
from pebbles.runner import Observations, Observed
from pebbles.sessions import MAX_SESSIONS, run_documents
from pebbles.standalone import standalone_config


class Engine:
    """Runs nothing: a block whose source says ``boom`` raises, others pass; a
    session stops at the first block that raises, as the real engine does."""

    def __init__(self) -> None:
        self.sessions: list[list[str]] = []

    def __call__(
        self, posts: Sequence[Post], config: SiteConfig, request: RunRequest
    ) -> Observations:
        seen: dict[str, Observed] = {}
        for post in posts:
            self.sessions.append([b.source.strip() for b in post.blocks])
            executions: list[BlockExecution] = []
            stopped = False
            for block in post.blocks:
                if stopped:
                    executions.append(BlockExecution(block.index, "not-run"))
                elif "boom" in block.source:
                    executions.append(BlockExecution(block.index, "error", error="RuntimeError"))
                    stopped = True
                else:
                    executions.append(BlockExecution(block.index, "ok"))
            seen[post.path] = Observed(tuple(executions), 0.0)
        return Observations(seen)


def document(markdown: str) -> Analysis:
    return analyse(parse_document(textwrap.dedent(markdown), "doc.md"), frozenset(NAMES))


def run(analysis: Analysis) -> tuple[Engine, dict[int, str]]:
    engine = Engine()
    ran, _ = run_documents([analysis], standalone_config(Path(".")), RunRequest(), engine)
    outcomes = {i: e.outcome for i, e in ran["doc.md"].executions.items()}
    return engine, outcomes


def test_one_session_when_nothing_fails() -> None:
    engine, outcomes = run(document("```python\na = 1\nb = a\n```\n\n```python\nc = b\n```\n"))
    assert engine.sessions == [["a = 1", "b = a", "c = b"]]
    assert outcomes == {0: "ok", 1: "ok", 2: "ok"}


def test_after_a_failure_a_fresh_session_replays_what_ran_cleanly() -> None:
    engine, outcomes = run(
        document(
            """\
            ```python
            a = 1
            boom = b = 2
            c = 3
            ```

            ```python
            d = a + c
            ```
            """
        )
    )
    assert engine.sessions == [
        ["a = 1", "boom = b = 2", "c = 3", "d = a + c"],
        ["a = 1", "c = 3", "d = a + c"],
    ]
    assert outcomes == {0: "ok", 1: "error", 2: "ok", 3: "ok"}


def test_a_block_that_rebinds_a_builtin_ends_its_session_and_is_not_replayed() -> None:
    engine, _ = run(
        document(
            """\
            ```python
            base = 10
            ```

            ```python
            len = 5
            shown = len
            ```

            ```python
            size = len("abc")
            ```
            """
        )
    )
    assert engine.sessions == [
        ["base = 10", "len = 5", "shown = len"],
        ["base = 10", 'size = len("abc")'],
    ]


def test_a_document_that_keeps_failing_stops_with_a_note() -> None:
    lines = "\n".join(f"boom{n} = {n}" for n in range(MAX_SESSIONS + 3))
    engine = Engine()
    analysis = document(f"```python\n{lines}\n```\n")
    ran, _ = run_documents([analysis], standalone_config(Path(".")), RunRequest(), engine)
    assert len(engine.sessions) == MAX_SESSIONS
    (note,) = ran["doc.md"].notes
    assert (note.line, note.code) == (MAX_SESSIONS + 2, "too-many-failures")


def test_documents_run_side_by_side_in_rounds() -> None:
    engine = Engine()
    first = analyse(parse_document("```python\nboom = 1\nx = 2\n```\n", "a.md"), frozenset(NAMES))
    second = analyse(parse_document("```python\ny = 3\n```\n", "b.md"), frozenset(NAMES))
    ran, _ = run_documents([first, second], standalone_config(Path(".")), RunRequest(), engine)
    assert engine.sessions == [["boom = 1", "x = 2"], ["y = 3"], ["x = 2"]]
    assert sorted(ran) == ["a.md", "b.md"]


def test_code_that_needs_what_failed_code_would_define_is_not_run() -> None:
    engine, outcomes = run(
        document(
            """\
            ```python
            data = boom()
            total = sum(data)
            size = len(data)
            data = [1, 2]
            again = len(data)
            ```
            """
        )
    )
    everything = ["data = boom()", "total = sum(data)", "size = len(data)", "data = [1, 2]"]
    assert engine.sessions == [
        [*everything, "again = len(data)"],
        ["data = [1, 2]", "again = len(data)"],
    ]
    assert outcomes == {0: "error", 1: "not-run", 2: "not-run", 3: "ok", 4: "ok"}


def test_names_from_blocks_that_cannot_run_are_missing_from_there_on() -> None:
    engine, outcomes = run(
        document(
            """\
            ```python
            helper = 1
            first = helper
            ```

            ```python
            def helper(:
                pass
            ```

            ```python
            second = helper
            ```
            """
        )
    )
    assert engine.sessions == [["helper = 1", "first = helper"]]
    assert outcomes == {0: "ok", 1: "ok", 2: "not-run"}
