"""A standalone document's code cut into runnable units, and the claims tied to them.

First each fence gets its role (script, transcript, the output of the code before
it, or other); then each script is cut at its top-level statements so that every
stated output names exactly the code it speaks for. Nothing runs here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import pairwise

from .claims import Analysis, Claim, Example, Marker, Scope, Skip, Unit, UnitKind
from .conventions import (
    NOTEBOOK_DISPLAY,
    OUTPUT_BLOCK,
    PRINT_COMMENT,
    TRANSCRIPT,
)
from .conventions.markers import Scan, scan_markers
from .conventions.outputblocks import OutputBlock, read_output_block
from .conventions.printcomments import print_comment_markers, read_comment
from .conventions.transcripts import (
    compile_problem,
    is_python2,
    is_transcript,
    parse_examples,
    runner_source,
)
from .documents import Document, Fence
from .model import Diagnostic, Severity
from .pysource import (
    CHANCE_MODULES,
    Statement,
    bound_names,
    chance_modules,
    comments,
    parse_module,
    placeholder,
    seeds_randomness,
    shadowed_builtins,
    shown_expression,
    starts_work,
    statements,
    syntax_problem,
    unordered,
    unstable,
    used_names,
)
from .tracebacks import stated_exception
from .versions import Versions

SCRIPT_LANGUAGES = frozenset({"python", "py", "python3", "py3", "ipython", "ipython3"})
PYTHON_2 = Versions((2, 0), (3, 0), "Python 2")


class Role(StrEnum):
    SCRIPT = "script"
    TRANSCRIPT = "transcript"
    OUTPUT = "output"
    OTHER = "other"


@dataclass
class _Plan:
    role: Role
    scan: Scan | None = None
    outputs: list[tuple[Fence, OutputBlock]] = field(default_factory=list)
    states: int | None = None  # output fences: the script fence they state


def analyse(document: Document, rules: frozenset[str]) -> Analysis:
    """Units and claims of ``document`` under the enabled ``rules``."""
    plans = _roles(document, rules)
    builder = _Builder(document, rules)
    for fence in document.fences:
        plan = plans[fence.index]
        if plan.role is Role.SCRIPT:
            assert plan.scan is not None
            builder.script(fence, plan.scan, plan.outputs)
        elif plan.role is Role.TRANSCRIPT:
            builder.transcript(fence)
    return builder.result()


def roles(document: Document, rules: frozenset[str]) -> dict[int, Role]:
    """What each fence is, by index (for ``--explain``)."""
    return {index: plan.role for index, plan in _roles(document, rules).items()}


def _roles(document: Document, rules: frozenset[str]) -> dict[int, _Plan]:
    plans: dict[int, _Plan] = {}
    for fence in document.fences:
        if TRANSCRIPT in rules and is_transcript(fence.source):
            plans[fence.index] = _Plan(Role.TRANSCRIPT)
            continue
        code = _code_before(fence, plans)
        if OUTPUT_BLOCK in rules and code is not None:
            stated = plans[code]
            assert stated.scan is not None
            end_label = stated.scan.label_at_end
            chained = plans[fence.follows or 0].role is Role.OUTPUT
            block = read_output_block(fence, labelled=end_label is not None and not chained)
            # A second output block states the same code only for another Python
            # ("Output (< 3.6):"); otherwise it shows something else.
            if block is not None and (block.version is not None or not chained):
                if block.version is None and end_label is not None and not chained:
                    block = replace(block, version=end_label.version)
                stated.outputs.append((fence, block))
                plans[fence.index] = _Plan(Role.OUTPUT, states=code)
                continue
        if fence.language in SCRIPT_LANGUAGES:
            plans[fence.index] = _Plan(Role.SCRIPT, scan_markers(fence.source, fence.line, rules))
        else:
            plans[fence.index] = _Plan(Role.OTHER)
    return plans


def _code_before(fence: Fence, plans: dict[int, _Plan]) -> int | None:
    """The script fence whose output ``fence`` may show (through earlier output fences)."""
    if fence.follows is None:
        return None
    before = plans[fence.follows]
    if before.role is Role.SCRIPT:
        return fence.follows
    return before.states if before.role is Role.OUTPUT else None


@dataclass
class _Builder:
    document: Document
    rules: frozenset[str]
    units: list[Unit] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)
    unrunnable: dict[str, int] = field(default_factory=dict)
    tainted: set[str] = field(default_factory=set)  # names holding unstable values
    shuffled: set[str] = field(default_factory=set)  # names holding unordered values
    chance: set[str] = field(default_factory=lambda: set(CHANCE_MODULES))  # unseeded generators
    seeded: bool = False

    def result(self) -> Analysis:
        return Analysis(
            self.document,
            tuple(self.units),
            tuple(sorted(self.claims, key=lambda c: (c.line, c.col))),
            tuple(self.skips),
            tuple(self.notes),
            dict(self.unrunnable),
        )

    # --- scripts ----------------------------------------------------------------

    def script(self, fence: Fence, scan: Scan, outputs: list[tuple[Fence, OutputBlock]]) -> None:
        self.skips.extend(scan.skips)
        problem = syntax_problem(scan.source)
        if problem is not None:
            row, message = problem
            why = (
                "Python 2 code"
                if is_python2(message)
                else f"{message} at line {fence.line + row - 1}"
            )
            self._not_runnable(fence, row, why, _loose_names(scan.source))
            self._unchecked(fence, list(scan.markers), outputs)
            return
        tree = parse_module(scan.source)
        markers = list(scan.markers)
        if PRINT_COMMENT in self.rules:
            found, skipped = print_comment_markers(tree, comments(scan.source), fence.line)
            markers.extend(found)
            self.skips.extend(skipped)
        stub = placeholder(tree)
        if stub is not None:
            message = "'...' stands for code the reader writes (an exercise)"
            self._not_runnable(fence, stub, message, bound_names(tree.body))
            self._unchecked(fence, markers, outputs)
            return
        found_statements = statements(tree)
        if found_statements:
            self._cut(fence, scan.source, found_statements, markers, outputs)

    def _cut(
        self,
        fence: Fence,
        source: str,
        found: list[Statement],
        markers: list[Marker],
        outputs: list[tuple[Fence, OutputBlock]],
    ) -> None:
        """The block's units, then its claims, each naming the units it speaks for."""
        placed: list[tuple[Marker, int]] = []
        for marker in markers:
            at = next((k for k, s in enumerate(found) if s.first <= marker.row <= s.last), None)
            if at is None:
                self.skips.append(Skip(marker.rule, marker.line, "not under any statement"))
            else:
                placed.append((marker, at))
        notebook = NOTEBOOK_DISPLAY in self.rules
        last = len(found) - 1
        shown: set[int] = set()
        spans: list[tuple[Marker, tuple[int, int], tuple[int, int]]] = []
        for marker, at in placed:
            start = max((k + 1 for _, k in placed if k < at), default=0)
            whole, own = (start, at), (at, at)
            spans.append(
                (marker, *((whole, own) if marker.scope is Scope.SEGMENT else (own, whole)))
            )
            wants_display = marker.display and (marker.scope is Scope.STATEMENT or notebook)
            if wants_display and shown_expression(found[at].node):
                shown.add(at)
        display_last = notebook and bool(outputs) and shown_expression(found[last].node)
        if display_last:
            shown.add(last)
        # A unit per statement, so a failing one takes no setup with it; but code
        # that starts threads or processes runs in as few units as the claims allow.
        starts = set(range(len(found)))
        if starts_work([s.node for s in found]):
            starts = {0} | shown | {d + 1 for d in shown}
            for _, first, second in spans:
                starts |= {first[0], first[1] + 1, second[0], second[1] + 1}
        unit_of = self._units(fence, source, found, shown, sorted(s for s in starts if s <= last))

        def covering(span: tuple[int, int]) -> tuple[int, ...]:
            return tuple(dict.fromkeys(unit_of[span[0] : span[1] + 1]))

        for marker, primary, other in spans:
            displayed = primary[1] in shown and marker.display
            extra = (NOTEBOOK_DISPLAY,) if displayed and marker.scope is Scope.SEGMENT else ()
            hidden = tuple(unit_of[k] for k in shown if primary[0] <= k < primary[1])
            self._claim(
                Claim(
                    rule=marker.rule,
                    line=marker.line,
                    col=marker.col,
                    text=marker.text,
                    fence=fence.index,
                    units=covering(primary),
                    accepted=marker.accepted,
                    alternative=covering(other) if other != primary else (),
                    strong=marker.strong,
                    certain=marker.certain,
                    version=marker.version,
                    print_line=(
                        fence.line + marker.print_row - 1 if marker.print_row is not None else None
                    ),
                    rules=(marker.rule, *extra),
                    hidden=hidden,
                )
            )
        everything = covering((0, last))
        # Output shown after code whose earlier lines state their own output may
        # show only the rest, as an '# Output:' at the end of the block would.
        rest = max((k + 1 for _, k in placed), default=0)
        unstated = covering((rest, last)) if 0 < rest <= last else ()
        for output_fence, block in outputs:
            extra = (NOTEBOOK_DISPLAY,) if display_last else ()
            # A script shows no value at its end: the output may leave it out.
            hidden = tuple(unit_of[k] for k in shown)
            claim = self._output_claim(fence, output_fence, block, everything, extra, hidden)
            self._claim(replace(claim, alternative=unstated))

    def _units(
        self,
        fence: Fence,
        source: str,
        found: list[Statement],
        shown: set[int],
        starts: list[int],
    ) -> list[int]:
        """A unit per run of statements from each start; each statement's unit index."""
        rows = source.removesuffix("\n").split("\n")
        unit_of: list[int] = []
        for first, end in pairwise([*starts, len(found)]):
            group = found[first:end]
            top, bottom = group[0].first, group[-1].last
            text = rows[top - 1 : bottom]
            examples: tuple[Example, ...] = ()
            if first in shown:
                kind = UnitKind.DISPLAY
                examples = (Example("\n".join(text) + "\n", tuple(range(1, len(text) + 1)), "", 0),)
                unit_source = runner_source(len(text), list(examples))
            else:
                kind, unit_source = UnitKind.SCRIPT, "\n".join(text) + "\n"
            nodes = [s.node for s in group]
            index = self._add_unit(fence, kind, unit_source, top, bottom, nodes, examples)
            unit_of.extend([index] * len(group))
        return unit_of

    def _add_unit(
        self,
        fence: Fence,
        kind: UnitKind,
        source: str,
        top: int,
        bottom: int,
        nodes: list[ast.stmt],
        examples: tuple[Example, ...],
    ) -> int:
        binds = bound_names(nodes)
        if seeds_randomness(nodes):
            self.seeded = True  # from here on, chance repeats itself
            self.chance.clear()
        elif not self.seeded:
            self.chance.update(chance_modules(nodes))
        is_unstable = unstable(nodes, frozenset(self.tainted), frozenset(self.chance))
        if is_unstable:
            self.tainted.update(binds)
        is_unordered = unordered(nodes, frozenset(self.shuffled))
        if is_unordered:
            self.shuffled.update(binds)
        unit = Unit(
            index=len(self.units),
            fence=fence.index,
            kind=kind,
            source=source,
            line=fence.line + top - 1,
            last_line=fence.line + bottom - 1,
            binds=binds,
            uses=used_names(nodes),
            shadows=shadowed_builtins(nodes),
            unstable=is_unstable,
            unordered=is_unordered,
            examples=examples,
        )
        self.units.append(unit)
        return unit.index

    def _output_claim(
        self,
        code: Fence,
        fence: Fence,
        block: OutputBlock,
        units: tuple[int, ...],
        extra: tuple[str, ...],
        hidden: tuple[int, ...],
    ) -> Claim:
        return Claim(
            rule=OUTPUT_BLOCK,
            line=block.line,
            col=1,
            text=block.text,
            fence=code.index,
            units=units,
            strong=block.strong,
            version=block.version,
            optional=not block.labelled,
            rules=(OUTPUT_BLOCK, *extra),
            hidden=hidden,
        )

    def _claim(self, claim: Claim) -> None:
        """Keep ``claim``; a stated exception lets the session carry on past it."""
        self.claims.append(claim)
        raised = stated_exception(claim.text)
        if raised and raised != "*" and claim.units:
            unit = self.units[claim.units[-1]]
            if unit.kind is UnitKind.SCRIPT:
                self.units[unit.index] = replace(unit, raises=raised)

    def _not_runnable(self, fence: Fence, row: int, why: str, names: frozenset[str]) -> None:
        self.unrunnable.update(dict.fromkeys(names, fence.line + row - 1))
        self.notes.append(
            Diagnostic(
                self.document.path,
                fence.line + row - 1,
                1,
                Severity.INFO,
                "not-runnable",
                f"not runnable as written ({why}); the block is skipped",
            )
        )

    def _unchecked(
        self, fence: Fence, markers: list[Marker], outputs: list[tuple[Fence, OutputBlock]]
    ) -> None:
        """Claims of a block that cannot run: found, but not checked."""
        for marker in markers:
            self.claims.append(
                Claim(marker.rule, marker.line, marker.col, marker.text, fence.index, ())
            )
        for output_fence, block in outputs:
            self.claims.append(self._output_claim(fence, output_fence, block, (), (), ()))

    # --- transcripts --------------------------------------------------------------

    def transcript(self, fence: Fence) -> None:
        examples = parse_examples(fence.source)
        runnable = [e for e in examples if e.compiles or stated_exception(e.want) == "SyntaxError"]
        broken = [e for e in examples if e not in runnable]
        problems = [compile_problem(e.source) or "" for e in broken]
        # Python 2 syntax anywhere says the whole session is Python 2, output included.
        legacy = PYTHON_2 if any(is_python2(p) for p in problems) else None
        if broken:
            count = len(broken)
            why = "Python 2 code" if legacy else f"not valid Python 3: {problems[0]}"
            self.notes.append(
                Diagnostic(
                    self.document.path,
                    fence.line + broken[0].rows[0] - 1,
                    1,
                    Severity.INFO,
                    "not-runnable",
                    f"{count} example{'s' * (count != 1)} not runnable as written ({why}); skipped",
                )
            )
        for example in broken:
            # What it would define is missing later: a NameError for it is a consequence.
            names = _loose_names(example.source)
            self.unrunnable.update(dict.fromkeys(names, fence.line + example.rows[0] - 1))
            if example.want:
                line = fence.line + example.want_row - 1
                self.claims.append(Claim(TRANSCRIPT, line, 1, example.want, fence.index, ()))
        if not runnable:
            return
        rows = len(fence.source.removesuffix("\n").split("\n"))
        nodes = [node for e in runnable for node in _parsed(e.source)]
        index = self._add_unit(
            fence,
            UnitKind.TRANSCRIPT,
            runner_source(rows, runnable),
            1,
            rows,
            nodes,
            tuple(runnable),
        )
        for number, example in enumerate(runnable):
            line = fence.line + example.want_row - 1
            if not example.want.strip():
                continue
            claim = Claim(
                rule=TRANSCRIPT,
                line=line,
                col=1,
                text=example.want,
                fence=fence.index,
                units=(index,),
                example=number,
                certain=not example.commented,
                version=legacy,
            )
            if example.commented and example.want.count("\n") == 1:
                # '# value' under the prompt reads like a print comment: '# 3 (three)'.
                reading = read_comment(example.want.strip())
                if isinstance(reading, str):
                    self.skips.append(Skip(TRANSCRIPT, line, reading))
                    continue
                claim = replace(
                    claim,
                    text=reading.text + "\n",
                    accepted=reading.accepted,
                    strong=reading.strong,
                    certain=reading.certain,
                )
            self.claims.append(claim)


def _parsed(source: str) -> list[ast.stmt]:
    try:
        return parse_module(source).body
    except (SyntaxError, ValueError):
        return []


def _loose_names(source: str) -> frozenset[str]:
    """Names a block that does not parse would bind, read one line at a time."""
    names: set[str] = set()
    for row in source.split("\n"):
        if not row or row[0].isspace():
            continue
        words = row.replace("(", " ").replace(":", " ").split()
        if len(words) > 1 and words[0] in ("def", "class"):
            names.add(words[1])
        elif len(words) > 2 and words[:2] == ["async", "def"]:
            names.add(words[2])
        else:
            names.update(bound_names(_parsed(row)) or _assigned_names(row))
    return frozenset(name for name in names if name.isidentifier())


def _assigned_names(row: str) -> frozenset[str]:
    """``x`` from ``x = <your number>``: an assignment whose value does not parse."""
    left, equals, right = row.partition("=")
    if not equals or right.startswith("=") or left.endswith(("<", ">", "!")):
        return frozenset()
    return bound_names(_parsed(left + "= None"))
