"""``pebbles check --standalone``: check any folder of Markdown tutorials, no site needed.

Every ``.md`` file under the given paths is a document; a front matter, if one
is there, is ignored. Each document is read with the enabled output conventions
(:mod:`pebbles.conventions`), run under the standalone session model
(:mod:`pebbles.sessions`) by the execution engine, and judged
(:mod:`pebbles.verdicts`) into the same report a site check produces, plus a
count per convention of what it found and what it confirmed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from .analysis import analyse
from .claims import Analysis
from .conventions import NAMES
from .documents import find_documents, load_document
from .model import (
    BlockResult,
    Brand,
    CheckReport,
    ConventionCount,
    Diagnostic,
    PostResult,
    RunRequest,
    SiteConfig,
    Status,
)
from .sessions import Execute, Ran, run_documents
from .verdicts import Judgement, Verdict, judge_document
from .versions import running

MAX_DOCUMENT_KIB = 1024  # tutorials run longer than posts
_OTHER = (Verdict.DOUBTFUL, Verdict.VERSION_SPECIFIC, Verdict.VARYING, Verdict.UNCHECKED)


def standalone_config(root: Path) -> SiteConfig:
    """A site configuration for code that belongs to no site: defaults only."""
    brand = Brand(
        name=root.name or "documents",
        hero="",
        tagline="",
        footer="",
        description="",
        url="",
        repo="",
        branch="main",
        language="en",
    )
    return SiteConfig(root=root, brand=brand, nav=(), levels=(), topics=())


def read_analyses(
    targets: Sequence[Path], rules: frozenset[str]
) -> tuple[list[Analysis], list[Diagnostic]]:
    """Every document under ``targets``, read with the enabled ``rules``."""
    files, problems = find_documents(targets)
    analyses: list[Analysis] = []
    for path in files:
        document, found = load_document(path, MAX_DOCUMENT_KIB * 1024)
        problems.extend(found)
        if document is not None:
            analyses.append(analyse(document, rules))
    return analyses, problems


def check_standalone(
    targets: Sequence[Path],
    rules: frozenset[str],
    config: SiteConfig,
    request: RunRequest,
    execute: Execute | None,
) -> CheckReport:
    """Read, run (unless ``execute`` is ``None``) and judge every document."""
    started = time.perf_counter()
    analyses, problems = read_analyses(targets, rules)
    ran: dict[str, Ran] = {}
    warnings: tuple[Diagnostic, ...] = ()
    if execute is not None:
        ran, warnings = run_documents(analyses, config, request, execute)
    python = running()
    judged = [(a, judge_document(a, ran.get(a.document.path), python)) for a in analyses]
    posts = tuple(_result(a, j, ran.get(a.document.path), python) for a, j in judged)
    return CheckReport(
        posts=posts,
        diagnostics=(*problems, *warnings),
        duration_s=time.perf_counter() - started,
        conventions=count_conventions(judged, rules),
    )


def count_conventions(
    judged: Sequence[tuple[Analysis, Judgement]], rules: frozenset[str]
) -> tuple[ConventionCount, ...]:
    """Per enabled rule: found, confirmed, wrong, other, skipped."""
    counts = {name: [0, 0, 0, 0, 0] for name in NAMES if name in rules}
    for analysis, judgement in judged:
        for skip in analysis.skips:
            if skip.rule in counts:
                counts[skip.rule][4] += 1
        for item in judgement.judged:
            for rule in item.claim.all_rules:
                if rule not in counts:
                    continue
                row = counts[rule]
                if item.verdict is Verdict.PROSE:
                    row[4] += 1
                    continue
                row[0] += 1
                row[1] += item.verdict is Verdict.CONFIRMED
                row[2] += item.verdict is Verdict.WRONG
                row[3] += item.verdict in _OTHER
    return tuple(ConventionCount(name, *values) for name, values in counts.items())


def _result(
    analysis: Analysis, judgement: Judgement, ran: Ran | None, python: tuple[int, int]
) -> PostResult:
    path = analysis.document.path
    findings = judgement.findings
    blocks = _blocks(analysis, judgement, ran)
    if any(d.is_error for d in findings):
        status = Status.FAILED
    elif not analysis.units or ran is None:
        status = Status.SKIPPED
    else:
        status = Status.PASSED
    return PostResult(
        path=path,
        slug=Path(path).stem,
        status=status,
        findings=findings,
        blocks=blocks,
        duration_s=ran.duration_s if ran else 0.0,
        python=f"{python[0]}.{python[1]}" if ran else None,
    )


def _blocks(analysis: Analysis, judgement: Judgement, ran: Ran | None) -> tuple[BlockResult, ...]:
    """One result per fence that holds code that ran (or was meant to)."""
    fences = {unit.fence for unit in analysis.units}
    wrong = {j.claim.fence for j in judgement.judged if j.verdict is Verdict.WRONG}
    results = []
    for fence in analysis.document.fences:
        if fence.index not in fences:
            continue
        executed = ran is not None and any(
            ran.executions[u.index].outcome != "not-run"
            for u in analysis.units
            if u.fence == fence.index and u.index in ran.executions
        )
        if fence.index in wrong:
            status = Status.FAILED
        else:
            status = Status.PASSED if executed else Status.NOT_RUN
        results.append(BlockResult(fence.index, fence.line, fence.language or "text", status))
    return tuple(results)
