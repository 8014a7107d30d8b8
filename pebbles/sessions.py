"""The session model for standalone documents: how units run, and when afresh.

A document's units run in order in one session (shared globals), as its reader
would type them: examples build on earlier ones. One broken example must not
turn the rest into false failures, so a *fresh* session starts

- after a unit that fails (an exception nobody stated, a timeout, a crash), and
- after a unit that rebinds a builtin (``len = 5``, ``list = [...]``),

and the fresh session first replays, silently, every earlier unit that ran
cleanly and rebinds no builtin. Later examples keep their setup; only what the
failed unit would have defined is missing (the judge calls the resulting
``NameError`` a consequence, not a finding). Each session is one sandboxed
process of the execution engine; the documents' sessions run in parallel, in
rounds, so a document with several failures takes several rounds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .claims import Analysis, Unit, UnitKind
from .model import (
    BlockExecution,
    BlockKind,
    BlockOptions,
    CodeBlock,
    Diagnostic,
    FrontMatter,
    Post,
    RunRequest,
    Severity,
    SiteConfig,
)
from .runner import Observations
from .tracebacks import same_kind

# The execution engine's observe_posts: runs posts, judges nothing.
Execute = Callable[[Sequence[Post], SiteConfig, RunRequest], Observations]

MAX_SESSIONS = 25  # per document; past this, its remaining units are not run
FAILED = ("error", "timeout", "killed", "memory", "output-limit")  # outcomes that end a session


@dataclass(frozen=True)
class Ran:
    """What happened to one document's units."""

    executions: dict[int, BlockExecution]  # by unit index; absent: never ran
    duration_s: float = 0.0
    notes: tuple[Diagnostic, ...] = ()  # why some units never ran


@dataclass
class _Progress:
    analysis: Analysis
    pending: list[int]
    replay: list[int] = field(default_factory=list)
    executions: dict[int, BlockExecution] = field(default_factory=dict)
    sessions: int = 0
    duration_s: float = 0.0
    lost: dict[str, int] = field(default_factory=dict)  # name -> line of the code that failed
    dormant: list[tuple[int, str]] = field(default_factory=list)  # unrunnable blocks, ahead


def run_documents(
    analyses: Sequence[Analysis], config: SiteConfig, request: RunRequest, execute: Execute
) -> tuple[dict[str, Ran], tuple[Diagnostic, ...]]:
    """Run every document's units under the session model above."""
    progress = [_start(a) for a in analyses if a.units]
    warnings: dict[Diagnostic, None] = {}
    for state in progress:
        _prune(state)
    while active := [p for p in progress if p.pending and p.sessions < MAX_SESSIONS]:
        planned = [(p, _next_session(p)) for p in active]
        posts = [_post(p.analysis, p.replay, taken) for p, taken in planned]
        observed = execute(posts, config, request)
        warnings.update(dict.fromkeys(observed.warnings))
        for (state, taken), post in zip(planned, posts, strict=True):
            seen = observed.posts[post.path]
            state.duration_s += seen.duration_s
            state.sessions += 1
            _absorb(state, taken, list(seen.executions[len(state.replay) :]))
            _prune(state)
    results = {
        p.analysis.document.path: Ran(p.executions, p.duration_s, _left_over(p)) for p in progress
    }
    return results, tuple(warnings)


def _left_over(state: _Progress) -> tuple[Diagnostic, ...]:
    """Say so when a document failed too often for the rest of it to run."""
    if not state.pending:
        return ()
    first = state.analysis.units[state.pending[0]]
    return (
        Diagnostic(
            state.analysis.document.path,
            first.line,
            1,
            Severity.INFO,
            "too-many-failures",
            f"not run from here on: the examples above failed {state.sessions} times "
            f"(each failure starts a fresh session, up to {MAX_SESSIONS})",
        ),
    )


def _start(analysis: Analysis) -> _Progress:
    """A document before its first session: what its unrunnable blocks would bind is
    lost from where they stand on."""
    dormant = sorted((line, name) for name, line in analysis.unrunnable.items())
    return _Progress(analysis, [u.index for u in analysis.units], dormant=dormant)


def _prune(state: _Progress) -> None:
    """Leave out the pending units that need a name only failed code would have bound.

    Running them would only fail again with a ``NameError`` (and cost a session
    each); they are recorded as not run, and what they bind is lost in turn. A
    unit that binds a lost name again brings it back.
    """
    units = state.analysis.units
    kept: list[int] = []
    for index in state.pending:
        unit = units[index]
        while state.dormant and state.dormant[0][0] < unit.line:
            line, name = state.dormant.pop(0)
            state.lost[name] = line
        needed = sorted((unit.uses - unit.binds) & state.lost.keys())
        if needed:
            line = state.lost[needed[0]]
            words = f"needs {needed[0]!r}, which the code at line {line} did not define"
            state.executions[index] = BlockExecution(index, "not-run", detail=words)
            state.lost.update(dict.fromkeys(unit.binds, line))
        else:
            for name in unit.binds:
                state.lost.pop(name, None)
            kept.append(index)
    state.pending = kept


def _next_session(state: _Progress) -> list[int]:
    """The pending units this session runs: up to the end of a block that rebinds a builtin.

    The rest of that block still sees its own ``len = 5``; later blocks do not.
    """
    units = state.analysis.units
    taken: list[int] = []
    for position, index in enumerate(state.pending):
        taken.append(index)
        following = state.pending[position + 1] if position + 1 < len(state.pending) else None
        fence = units[index].fence
        leaving = following is None or units[following].fence != fence
        if leaving and _shadowing(state.analysis, fence):
            break
    return taken


def _shadowing(analysis: Analysis, fence: int) -> frozenset[str]:
    """The builtins a block rebinds."""
    return frozenset(name for u in analysis.units if u.fence == fence for name in u.shadows)


def _absorb(state: _Progress, taken: list[int], executions: list[BlockExecution]) -> None:
    """Record what the session did; leave what it did not reach for the next one.

    Only units that ended cleanly are replayed later: one that raised, even as
    stated, would stop the replay; and no unit of a block that rebinds a builtin.
    """
    units = state.analysis.units
    reached = 0
    for index, execution in zip(taken, executions, strict=True):
        if execution.outcome == "not-run":
            break
        reached += 1
        state.executions[index] = execution
        unit = units[index]
        if execution.outcome in FAILED:
            state.lost.update(dict.fromkeys(unit.binds, unit.line))
            if not _expected(unit, execution):
                break
            continue
        if not _shadowing(state.analysis, unit.fence):
            state.replay.append(index)
    done = set(taken[:reached])
    # Nothing new ran only when a replayed unit failed this time: stop, not loop.
    state.pending = [i for i in state.pending if i not in done] if reached else []


def _expected(unit: Unit, execution: BlockExecution) -> bool:
    """An exception a claim stated: the session carried on past it."""
    return (
        execution.outcome == "error"
        and unit.raises is not None
        and execution.error is not None
        and same_kind(unit.raises, execution.error)
    )


def _post(analysis: Analysis, replay: list[int], taken: list[int]) -> Post:
    """One session as a post the execution engine runs: replayed units, then new ones."""
    document = analysis.document
    blocks = tuple(
        _block(position, analysis.units[index]) for position, index in enumerate([*replay, *taken])
    )
    return Post(
        path=document.path,
        slug=Path(document.path).stem,
        is_guide=False,
        meta=FrontMatter(title=Path(document.path).stem, emoji=None, topic=None),
        body="",
        body_line=1,
        blocks=blocks,
        links=(),
        headings=(),
        content_hash=document.content_hash,
    )


def _block(position: int, unit: Unit) -> CodeBlock:
    kind = BlockKind.SCRIPT if unit.kind is UnitKind.SCRIPT else BlockKind.TRANSCRIPT
    return CodeBlock(
        index=position,
        language="python" if kind is BlockKind.SCRIPT else "pycon",
        info="",
        kind=kind,
        options=BlockOptions(raises=unit.raises),
        source=unit.source,
        line=unit.line,
        fence_line=unit.line - 1,
        end_line=unit.last_line + 1,
    )
