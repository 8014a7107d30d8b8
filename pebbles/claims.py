"""The standalone document model: what a tutorial claims its code prints.

A document's runnable code is cut into *units* (runs of top-level statements,
one bare expression to display, or one ``>>>`` transcript) so that every
*claim* (a stated output) names exactly the units whose output it states. A
*marker* is a claim found inside a block of code before it is tied to units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .documents import Document
from .model import Diagnostic
from .versions import Versions


class Scope(StrEnum):
    STATEMENT = "statement"  # the statement the marker sits on or under
    SEGMENT = "segment"  # everything since the previous stated output in the block


class UnitKind(StrEnum):
    SCRIPT = "script"  # statements run as a module
    DISPLAY = "display"  # one bare expression, run like the prompt so its value is shown
    TRANSCRIPT = "transcript"  # a >>> session, one example at a time


@dataclass(frozen=True)
class Marker:
    """A stated output found inside a code block."""

    rule: str
    row: int  # 1-based source row of the code it states (its last row)
    line: int  # .md line of the stated text
    col: int
    text: str  # the expected output, markers removed
    accepted: tuple[str, ...] = ()  # other texts that also count as a match
    scope: Scope = Scope.STATEMENT
    strong: bool = True  # a mismatch is an error, not a warning
    certain: bool = True  # False: the text may be prose; a mismatch then reads it as prose
    version: Versions | None = None  # the Python versions the output is stated for
    display: bool = True  # a bare expression at ``row`` is shown, as a prompt would
    print_row: int | None = None  # print comments: the row where the print call starts


@dataclass(frozen=True)
class Example:
    """One ``>>>`` statement of a transcript and what is shown under it."""

    source: str  # prompts removed, ready to compile in 'single' mode
    rows: tuple[int, ...]  # source rows (1-based in the block) holding its code
    want: str  # the shown output, comment markers removed
    want_row: int  # row of the first shown line (the row after the code when none)
    commented: bool = False  # the output was written as '# value' lines
    compiles: bool = True


@dataclass(frozen=True)
class Unit:
    """A piece of one block that runs as one runner block."""

    index: int
    fence: int
    kind: UnitKind
    source: str  # what the runner compiles; one row per .md line, from ``line`` on
    line: int
    last_line: int
    binds: frozenset[str] = frozenset()
    uses: frozenset[str] = frozenset()
    shadows: frozenset[str] = frozenset()
    unstable: bool = False  # its output depends on the clock, chance or the machine
    unordered: bool = False  # it may print its lines in another order each run
    raises: str | None = None  # an exception a claim says it raises (the session carries on)
    examples: tuple[Example, ...] = ()


@dataclass(frozen=True)
class Claim:
    """A stated output tied to the units whose output it states."""

    rule: str
    line: int
    col: int
    text: str
    fence: int
    units: tuple[int, ...]  # empty when the code could not run as written
    accepted: tuple[str, ...] = ()
    alternative: tuple[int, ...] = ()  # a second reading of which units it speaks for
    example: int | None = None  # transcripts: which example of the unit
    strong: bool = True
    certain: bool = True
    version: Versions | None = None
    print_line: int | None = None  # print comments: the .md line of the print call
    optional: bool = False  # when the code prints nothing, the text was not its output
    hidden: tuple[int, ...] = ()  # display units whose shown value the output may leave out
    rules: tuple[str, ...] = ()  # every rule that took part, the finder first

    @property
    def all_rules(self) -> tuple[str, ...]:
        return self.rules or (self.rule,)


@dataclass(frozen=True)
class Skip:
    """Something that looked like a stated output but is not read as one, and why."""

    rule: str
    line: int
    reason: str


@dataclass(frozen=True)
class Analysis:
    document: Document
    units: tuple[Unit, ...] = ()
    claims: tuple[Claim, ...] = ()
    skips: tuple[Skip, ...] = ()
    notes: tuple[Diagnostic, ...] = ()  # blocks not runnable as written, and the like
    unrunnable: dict[str, int] = field(default_factory=dict)  # names such blocks bind -> line
