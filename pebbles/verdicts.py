"""Judging a standalone document: each claim against what its code really printed.

The judge never invents a failure. A claim is an error only when the text
plainly states an output, its code ran, and the output differs in a way no
reading of the text explains. Output stated for another Python version, or
depending on the clock or chance, is information; a text that may be prose is
skipped when it does not match, or a warning when it nearly does; and code that
could not run here (a missing package, file or network, or an earlier failure)
leaves its claims unchecked, each reason reported once, as information.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .agreement import agrees, near, prose, similar, value_like
from .claims import Analysis, Claim, Unit, UnitKind
from .conventions import PRINT_COMMENT, TRANSCRIPT
from .matching import unified_diff
from .model import BlockExecution, Diagnostic, Severity
from .pysource import bound_names, parse_module
from .sessions import FAILED, Ran
from .tracebacks import (
    HEADER,
    before_traceback,
    environmental,
    exception_name,
    may_be_kind,
    raised_exception,
    same_kind,
    stated_exception,
)

_NAME_ERROR = "NameError"


class Verdict(StrEnum):
    CONFIRMED = "confirmed"
    WRONG = "wrong"  # an error
    DOUBTFUL = "doubtful"  # a warning: a weak reading that does not match
    VERSION_SPECIFIC = "version-specific"  # stated for another Python
    VARYING = "varying"  # depends on the clock, chance or the machine
    UNCHECKED = "unchecked"  # its code could not run here
    PROSE = "prose"  # not an output after all


@dataclass(frozen=True)
class Judged:
    claim: Claim
    verdict: Verdict
    actual: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Judgement:
    judged: tuple[Judged, ...]
    findings: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class _Failure:
    """Why a unit (or one transcript example) did not produce checkable output."""

    kind: str  # "environment" | "cascade" | "unfinished" | "plain"
    name: str | None  # the exception's type
    line: int
    summary: str  # the traceback's last line, or the engine's words


def judge_document(analysis: Analysis, ran: Ran | None, python: tuple[int, int]) -> Judgement:
    """Verdicts for every claim of ``analysis`` and the diagnostics they give."""
    path = analysis.document.path
    executions = ran.executions if ran else {}
    failures = _failures(analysis, executions)
    judged: list[Judged] = []
    findings: list[Diagnostic] = [*analysis.notes, *(ran.notes if ran else ())]
    for claim in analysis.claims:
        verdict = _judge(claim, analysis.units, executions, failures, python)
        judged.append(verdict)
        found = _finding(verdict, path)
        if found is not None:
            findings.append(found)
    findings.extend(_unexplained(analysis, failures, judged, path))
    return Judgement(tuple(judged), tuple(sorted(set(findings), key=_order)))


def _order(diagnostic: Diagnostic) -> tuple[int, int, str]:
    return diagnostic.line, diagnostic.col, diagnostic.code


# --- why code did not run ------------------------------------------------------------


def _failures(
    analysis: Analysis, executions: dict[int, BlockExecution]
) -> dict[tuple[int, int | None], _Failure]:
    """Failures by ``(unit, example)``; an example is ``None`` for a whole unit.

    Names bound by failed or unrunnable code are *lost*: a later ``NameError``
    for one of them is a consequence of that failure, not a finding.
    """
    lost = set(analysis.unrunnable)
    found: dict[tuple[int, int | None], _Failure] = {}
    for unit in analysis.units:
        execution = executions.get(unit.index)
        if execution is None or execution.outcome in ("not-run", "skipped"):
            lost.update(unit.binds)
            continue
        if unit.kind is not UnitKind.SCRIPT:
            # A displayed expression is its unit's only example, judged as the unit.
            whole = unit.kind is UnitKind.DISPLAY
            for number, shown in enumerate(execution.examples):
                failure = _example_failure(unit, number, shown, lost)
                if failure is not None:
                    found[(unit.index, None if whole else number)] = failure
                    if number < len(unit.examples):
                        lost.update(_binds(unit.examples[number].source))
        if execution.outcome in FAILED:
            if not _clean_exit(execution):
                found[(unit.index, None)] = _unit_failure(unit, execution, lost)
            lost.update(unit.binds)
    return found


def _clean_exit(execution: BlockExecution) -> bool:
    """``sys.exit(0)`` or ``exit()``: the script ended as it meant to (``if __name__ ==
    "__main__": sys.exit(main())``), so what it printed is checked like any output.
    The session still ends there, and what the unit defines is not carried on."""
    return execution.error == "SystemExit" and _last_line(execution.traceback or "") in _CLEAN_EXITS


_CLEAN_EXITS = ("SystemExit", "SystemExit: 0", "SystemExit: None")


def _unit_failure(unit: Unit, execution: BlockExecution, lost: set[str]) -> _Failure:
    line = execution.error_line or unit.line
    if execution.outcome != "error":
        return _Failure("unfinished", None, line, execution.detail or execution.outcome)
    summary = _last_line(execution.traceback or "") or (execution.error or "an exception")
    return _Failure(_classify(execution.error or "", summary, lost), execution.error, line, summary)


def _example_failure(unit: Unit, number: int, shown: str, lost: set[str]) -> _Failure | None:
    raised = raised_exception(shown)
    if raised is None:
        return None
    example = unit.examples[number] if number < len(unit.examples) else None
    line = unit.line + example.rows[0] - 1 if example else unit.line
    summary = _last_line(shown[shown.find(HEADER) :])
    return _Failure(_classify(raised, summary, lost), raised, line, summary)


def _classify(raised: str, summary: str, lost: set[str]) -> str:
    if environmental(raised):
        return "environment"
    if raised.rsplit(".", 1)[-1] == _NAME_ERROR and _missing_name(summary) in lost:
        return "cascade"
    return "plain"


def _missing_name(summary: str) -> str | None:
    """``x`` from ``NameError: name 'x' is not defined``."""
    quoted = summary.split("'")
    return quoted[1] if len(quoted) >= 3 else None


def _binds(source: str) -> frozenset[str]:
    try:
        return bound_names(parse_module(source).body)
    except (SyntaxError, ValueError):
        return frozenset()


def _last_line(traceback: str) -> str:
    lines = [line for line in traceback.strip().splitlines() if line and not line[0].isspace()]
    return lines[-1].strip() if lines else ""


# --- one claim ---------------------------------------------------------------------------


def _judge(
    claim: Claim,
    units: tuple[Unit, ...],
    executions: dict[int, BlockExecution],
    failures: dict[tuple[int, int | None], _Failure],
    python: tuple[int, int],
) -> Judged:
    if not claim.units:
        return Judged(claim, Verdict.UNCHECKED, reason="its code is not runnable as written")
    ran = [executions.get(index) for index in claim.units]
    if any(e is None or e.outcome in ("not-run", "skipped") for e in ran):
        return Judged(claim, Verdict.UNCHECKED, reason="its code did not run")
    stated = _stated_exception(claim)
    failure = _failure_of(claim, failures)
    if failure is not None:
        return _judge_failure(claim, failure, stated, _printed(claim, executions))
    candidates = _candidates(claim, units, executions)
    if candidates is None:
        return Judged(claim, Verdict.UNCHECKED, reason="the print ran more than once")
    shuffled = any(units[i].unordered for i in claim.units)
    wanted = _readings(claim)
    if any(agrees(w, c, unordered=shuffled) for w in wanted for c in candidates):
        return Judged(claim, Verdict.CONFIRMED, candidates[0])
    if stated is not None:
        # A traceback the code prints itself (logging, traceback.print_exc) matched above.
        reason = f"the text says {stated} is raised; nothing was"
        return Judged(claim, Verdict.WRONG, candidates[0], reason)
    return _mismatch(claim, units, candidates[0], python)


def _failure_of(claim: Claim, failures: dict[tuple[int, int | None], _Failure]) -> _Failure | None:
    if claim.example is not None:
        return failures.get((claim.units[0], claim.example)) or failures.get((claim.units[0], None))
    return next((failures[(i, None)] for i in claim.units if (i, None) in failures), None)


def _judge_failure(claim: Claim, failure: _Failure, stated: str | None, printed: str) -> Judged:
    if stated is not None and failure.name is not None and same_kind(stated, failure.name):
        before = _before_exception(claim.text)
        if not before.strip() or agrees(before, before_traceback(printed)):
            return Judged(claim, Verdict.CONFIRMED, failure.summary)
    if failure.kind != "plain":
        return Judged(claim, Verdict.UNCHECKED, failure.summary, _failure_words(failure))
    actual = _with_exception(before_traceback(printed), failure.summary)
    if stated is not None and failure.name is not None and may_be_kind(stated, failure.name):
        return Judged(claim, Verdict.DOUBTFUL, actual, f"{failure.name} may be a kind of {stated}")
    if stated is not None:
        return Judged(
            claim, Verdict.WRONG, actual, f"the text says {stated}; got {failure.summary}"
        )
    if not (claim.strong and (claim.certain or value_like(claim.text))):
        return Judged(claim, Verdict.DOUBTFUL, actual, f"the code raised {failure.summary}")
    return Judged(
        claim,
        Verdict.WRONG,
        actual,
        f"line {failure.line} raised {failure.summary} before the stated output",
    )


def _mismatch(
    claim: Claim, units: tuple[Unit, ...], actual: str, python: tuple[int, int]
) -> Judged:
    if claim.optional and not actual.strip():
        return Judged(
            claim, Verdict.PROSE, actual, "the code prints nothing, so this is not its output"
        )
    if claim.version is not None and not claim.version.includes(python):
        return Judged(claim, Verdict.VERSION_SPECIFIC, actual, f"stated for {claim.version.label}")
    if any(units[i].unstable for i in (*claim.units, *claim.alternative)):
        return Judged(claim, Verdict.VARYING, actual, "depends on the clock, chance or the machine")
    nearly = near(claim.text, actual)
    certain = claim.certain or value_like(claim.text) or nearly
    if not certain:
        if prose(claim.text) or not similar(claim.text, actual):
            return Judged(claim, Verdict.PROSE, actual, "reads as prose, not as output")
        return Judged(claim, Verdict.DOUBTFUL, actual, "looks like the output but differs")
    if claim.rule == TRANSCRIPT and not actual.strip() and prose(claim.text):
        return Judged(claim, Verdict.PROSE, actual, "commentary, not output")
    if not (claim.strong or nearly):
        return Judged(claim, Verdict.DOUBTFUL, actual, "may be the output, and differs")
    return Judged(claim, Verdict.WRONG, actual, "differs")


# --- what the code printed -----------------------------------------------------------


def _printed(claim: Claim, executions: dict[int, BlockExecution]) -> str:
    first = executions[claim.units[0]]
    if claim.example is not None:
        return first.examples[claim.example] if claim.example < len(first.examples) else ""
    return "".join(executions[i].stdout for i in claim.units)


def _candidates(
    claim: Claim, units: tuple[Unit, ...], executions: dict[int, BlockExecution]
) -> list[str] | None:
    """Readings of what the claimed code printed, the plainest first.

    ``None`` when a print comment's print ran more than once.
    """
    if claim.example is not None:
        shown = _printed(claim, executions)
        stderr = executions[claim.units[0]].stderr
        return [shown, *([shown + stderr, stderr + shown] if stderr else [])]
    if claim.rule == PRINT_COMMENT and claim.print_line is not None:
        calls = [
            text
            for index in claim.units
            for line, text in executions[index].prints
            if line == claim.print_line
        ]
        if len(calls) > 1:
            return None
        if calls:
            return [calls[0]]
    readings: list[str] = []
    for displayed in (True, False):
        for group in (claim.units, claim.alternative):
            if not group:
                continue
            out = "".join(_shown(executions[i], displayed or i not in claim.hidden) for i in group)
            err = "".join(executions[i].stderr for i in group)
            readings.extend([out, *([out + err, err + out] if err else [])])
    return list(dict.fromkeys(readings))


def _shown(execution: BlockExecution, displayed: bool) -> str:
    """A unit's output, with or without the value a displayed expression showed.

    What the expression printed on the way came through ``print`` and was recorded;
    the value shown after it is what remains.
    """
    if displayed:
        return execution.stdout
    printed = "".join(text for _, text in execution.prints)
    return printed if execution.stdout.startswith(printed) else execution.stdout


def _readings(claim: Claim) -> list[str]:
    """The claim's text and the other ways of reading it that count."""
    found = [claim.text, *claim.accepted]
    if claim.rule == TRANSCRIPT:
        lines = claim.text.splitlines()
        while len(lines) > 1 and _commentary(lines[-1]):
            lines.pop()
            found.append("".join(line + "\n" for line in lines))
        found.append("".join(_without_comment(line) + "\n" for line in lines))
    return list(dict.fromkeys(found))


def _commentary(line: str) -> bool:
    return line.lstrip().startswith("#") or prose(line)


def _without_comment(line: str) -> str:
    """``[1, 2]  # the list`` → ``[1, 2]`` (two spaces before the ``#``, as authors write)."""
    at = line.find("  #")
    return line[:at].rstrip() if at > 0 else line


# --- exceptions in stated output ------------------------------------------------------


def _stated_exception(claim: Claim) -> str | None:
    for text in (claim.text, *claim.accepted):
        found = stated_exception(text)
        if found is not None:
            return found
    return None


def _before_exception(text: str) -> str:
    """The stated lines before a stated traceback or exception line."""
    kept: list[str] = []
    for line in text.splitlines():
        if line.startswith(HEADER) or exception_name(line):
            break
        kept.append(line)
    return "".join(line + "\n" for line in kept)


def _with_exception(printed: str, summary: str) -> str:
    shown = printed if not printed or printed.endswith("\n") else printed + "\n"
    return shown + summary + "\n"


def _failure_words(failure: _Failure) -> str:
    if failure.kind == "environment":
        return f"needs what the sandbox does not have: {failure.summary}"
    if failure.kind == "cascade":
        return f"depends on code that could not run: {failure.summary}"
    return f"did not finish: {failure.summary}"


# --- diagnostics --------------------------------------------------------------------------


def _finding(judged: Judged, path: str) -> Diagnostic | None:
    claim = judged.claim
    actual = judged.actual if judged.actual is not None else ""
    rule = claim.rule
    if judged.verdict is Verdict.WRONG:
        message = f"{rule}: {_difference(claim, actual, path, judged.reason)}"
        return Diagnostic(path, claim.line, claim.col, Severity.ERROR, "output-mismatch", message)
    if judged.verdict is Verdict.DOUBTFUL:
        message = f"{rule}: {judged.reason}, so it is not checked: " + _short(claim.text, actual)
        return Diagnostic(
            path, claim.line, claim.col, Severity.WARNING, "unverified-output", message
        )
    if judged.verdict is Verdict.VERSION_SPECIFIC:
        message = f"{rule}: output {judged.reason}; this Python prints " + _quoted(actual)
        return Diagnostic(path, claim.line, claim.col, Severity.INFO, "version-specific", message)
    if judged.verdict is Verdict.VARYING:
        message = f"{rule}: output {judged.reason}, so it is not compared; this run printed " + (
            _quoted(actual)
        )
        return Diagnostic(path, claim.line, claim.col, Severity.INFO, "varying-output", message)
    return None


def _difference(claim: Claim, actual: str, path: str, reason: str) -> str:
    """Expected against actual, as one line when both are one line, else as a diff."""
    one_line = len(claim.text.strip().splitlines()) <= 1 and len(actual.strip().splitlines()) <= 1
    if one_line:
        said = f"the text says {claim.text.strip()!r}, the code prints {actual.strip()!r}"
        return said if reason == "differs" else f"{said} ({reason})"
    head = "the stated output differs from what the code prints"
    if reason != "differs":
        head += f" ({reason})"
    return head + "\n" + unified_diff(claim.text, actual, claim.line, path)


def _short(expected: str, actual: str) -> str:
    return f"the text says {expected.strip()!r}, the code prints {actual.strip()!r}"


def _quoted(text: str) -> str:
    shown = text.strip()
    return repr(shown if len(shown) <= 200 else shown[:200] + "…")


def _unexplained(
    analysis: Analysis,
    failures: dict[tuple[int, int | None], _Failure],
    judged: list[Judged],
    path: str,
) -> list[Diagnostic]:
    """Failures no claim accounts for: each reported once, never as an error."""
    accounted = {
        (index, j.claim.example)
        for j in judged
        if j.verdict in (Verdict.CONFIRMED, Verdict.WRONG, Verdict.DOUBTFUL)
        for index in j.claim.units
    }
    found: list[Diagnostic] = []
    for (unit, example), failure in failures.items():
        if (unit, example) in accounted or (
            example is None and _explained_examples(unit, accounted)
        ):
            continue
        found.append(_failure_diagnostic(failure, path))
    return found


def _explained_examples(unit: int, accounted: set[tuple[int, int | None]]) -> bool:
    return any(index == unit for index, _ in accounted)


def _failure_diagnostic(failure: _Failure, path: str) -> Diagnostic:
    if failure.kind == "environment":
        return Diagnostic(
            path,
            failure.line,
            1,
            Severity.INFO,
            "needs-environment",
            f"{failure.summary}: this example needs something the sandbox does not have; "
            "it and the examples that depend on it are not checked",
        )
    if failure.kind == "cascade":
        return Diagnostic(
            path,
            failure.line,
            1,
            Severity.INFO,
            "depends-on-failure",
            f"{failure.summary}: the name comes from an example that could not run; not checked",
        )
    if failure.kind == "unfinished":
        return Diagnostic(
            path,
            failure.line,
            1,
            Severity.INFO,
            "did-not-finish",
            f"did not finish: {failure.summary}",
        )
    return Diagnostic(
        path,
        failure.line,
        1,
        Severity.WARNING,
        "uncaught-exception",
        f"raised {failure.summary}, and no stated output shows it (if the error is the "
        "point, show it in the output); examples that need what it defines are not checked",
    )
