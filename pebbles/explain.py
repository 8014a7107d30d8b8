"""``pebbles check --explain FILE``: which stated outputs were found where, and by which rule.

Nothing runs: this shows how a document is read, fence by fence, so an author
can see why a line is (or is not) checked before running anything.
"""

from __future__ import annotations

from collections import Counter

from .analysis import Role, roles
from .claims import Analysis, Claim
from .conventions import NAMES

_SHOWN = 60  # characters of a stated output quoted in the listing


def explain(analysis: Analysis, rules: frozenset[str]) -> str:
    """The listing for one analysed document."""
    document = analysis.document
    role_of = roles(document, rules)
    enabled = ", ".join(name for name in NAMES if name in rules) or "none"
    lines = [f"{document.path}  (conventions: {enabled})"]
    by_fence: dict[int, list[Claim]] = {}
    for claim in analysis.claims:
        by_fence.setdefault(claim.fence, []).append(claim)
    notes = {note.line: note for note in analysis.notes}
    skips = analysis.skips
    for fence in document.fences:
        role = role_of[fence.index]
        tag = fence.language or "untagged"
        units = [u for u in analysis.units if u.fence == fence.index]
        lines.append(f"  line {fence.fence_line}: ```{tag} — {_role_words(role, len(units))}")
        entries: list[tuple[int, str]] = [
            (line, notes[line].message)
            for line in range(fence.line, fence.end_line + 1)
            if line in notes
        ]
        entries += [
            (
                unit.line,
                f"rebinds {', '.join(sorted(unit.shadows))}; later blocks run in a fresh session",
            )
            for unit in units
            if unit.shadows
        ]
        entries += [(c.line, _claim_words(c, analysis)) for c in by_fence.get(fence.index, [])]
        entries += [
            (s.line, f"skipped ({s.rule}): {s.reason}")
            for s in skips
            if fence.line <= s.line <= fence.end_line
        ]
        lines.extend(
            f"    line {line}: {words}" for line, words in sorted(entries, key=lambda e: e[0])
        )
    lines.append("  " + _totals(analysis))
    return "\n".join(lines) + "\n"


def _role_words(role: Role, units: int) -> str:
    if role is Role.SCRIPT:
        return f"script, runs as {units} unit{'s' * (units != 1)}" if units else "script"
    if role is Role.TRANSCRIPT:
        return ">>> transcript" if units else ">>> transcript, not runnable"
    if role is Role.OUTPUT:
        return "output of the code before it"
    return "not run"


def _claim_words(claim: Claim, analysis: Analysis) -> str:
    rules = " + ".join(claim.all_rules)
    text = claim.text.rstrip("\n")
    first = text.split("\n", 1)[0]
    quoted = repr(first if len(first) <= _SHOWN else first[:_SHOWN] + "…")
    more = text.count("\n")
    if more:
        quoted += f" (+{more} line{'s' * (more != 1)})"
    flags = []
    if claim.version is not None:
        flags.append(f"for {claim.version.label}")
    if not claim.certain:
        flags.append("may be prose: read as output only if it matches")
    elif not claim.strong:
        flags.append("weak: a mismatch is a warning")
    if claim.optional:
        flags.append("not output if the code prints nothing")
    tail = f" [{'; '.join(flags)}]" if flags else ""
    if not claim.units:
        return f"{rules} states {quoted}; not checked, its code cannot run{tail}"
    units = [analysis.units[i] for i in claim.units]
    top, bottom = units[0].line, units[-1].last_line
    where = f"line {top}" if top == bottom else f"lines {top}–{bottom}"
    if claim.example is not None:
        example = units[0].examples[claim.example]
        where = f"the >>> example on line {units[0].line + example.rows[0] - 1}"
    elif claim.print_line is not None:
        where = f"the print on line {claim.print_line}"
    return f"{rules} states {quoted} for {where}{tail}"


def _totals(analysis: Analysis) -> str:
    counts = Counter(rule for claim in analysis.claims for rule in claim.all_rules)
    found = ", ".join(f"{name} {counts[name]}" for name in NAMES if counts[name])
    skipped = len(analysis.skips)
    return (
        f"{len(analysis.claims)} stated output{'s' * (len(analysis.claims) != 1)} found"
        + (f" ({found})" if found else "")
        + f"; {skipped} skipped"
    )
