"""Output stated under the code inside the block: ``# Output:``, ``#> …`` and ``==> …``.

``# Output:`` may be followed by one ``# line`` per output line or by the raw
output lines themselves; raw lines (and raw ``==>`` lines) are not Python, so they
are blanked before the code runs, keeping every other line on its ``.md`` line.
Which code a marker speaks for is decided later, from the row it follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..claims import Marker, Scope, Skip
from ..pysource import Comment, bare_values, comments, parses
from ..versions import Versions, read_label
from . import ARROW, OUTPUT_COMMENT, REPREX

# Read from one comment's text only, never from the Markdown around it.
_LABEL = re.compile(
    r"#+\s*(?:expected\s+)?(?:output|outputs|out|result|prints|stdout)\b\s*"
    r"(?P<label>\([^)]*\)|(?:in|for|on|with)\s+python[^:]*)?\s*(?::\s*(?P<rest>.*))?\Z",
    re.IGNORECASE,
)
_ARROWS = ("==>", "=>")
_REPREX = "#>"


@dataclass(frozen=True)
class Scan:
    source: str  # the block with raw output rows blanked
    markers: tuple[Marker, ...]
    skips: tuple[Skip, ...]
    label_at_end: Marker | None  # an '# Output:' ending the block, whose output is the next fence


def scan_markers(source: str, first_line: int, rules: frozenset[str]) -> Scan:
    """Find the markers of the enabled rules and blank the raw rows they own."""
    block = _Block.read(source, first_line, rules)
    markers: list[Marker] = []
    skips: list[Skip] = []
    end_label: Marker | None = None
    number = 1
    while number <= len(block.rows):
        kind = block.kind(number)
        if kind is None:
            number += 1
            continue
        taken, found = block.label(number) if kind == OUTPUT_COMMENT else block.run(number, kind)
        if isinstance(found, Skip):
            skips.append(found)
        elif found.text:
            markers.append(found)
        else:
            end_label = found
        number += taken
    markers.extend(block.trailing_arrows())
    return Scan(block.text, tuple(markers), tuple(skips), end_label)


@dataclass(frozen=True)
class _Block:
    """A block's rows, which of them are raw output, comments or code."""

    rows: list[str]
    first_line: int
    rules: frozenset[str]
    blanked: frozenset[int]  # raw rows, removed before the code runs
    raw: dict[int, list[int]]  # label row -> the raw output rows under it
    own_comments: dict[int, Comment]  # comments alone on their row
    trailing: list[Comment]  # comments after code
    code_rows: list[int]

    @classmethod
    def read(cls, source: str, first_line: int, rules: frozenset[str]) -> _Block:
        rows = source.removesuffix("\n").split("\n")
        blanked: set[int] = set()
        raw: dict[int, list[int]] = {}
        for number, row in enumerate(rows, start=1):
            if ARROW in rules and row.lstrip().startswith(_ARROWS):
                blanked.add(number)
            if OUTPUT_COMMENT in rules and _label(row) is not None and not _label_rest(row):
                raw[number] = _raw_rows(rows, number)
                blanked.update(raw[number])
        cleaned = [("" if n in blanked else row) for n, row in enumerate(rows, start=1)]
        found = comments("\n".join(cleaned) + "\n")
        own = {c.row: c for c in found if not c.trailing}
        code = [
            n
            for n, row in enumerate(cleaned, start=1)
            if row.strip() and n not in own and n not in blanked
        ]
        trailing = [c for c in found if c.trailing]
        return cls(rows, first_line, rules, frozenset(blanked), raw, own, trailing, code)

    @property
    def text(self) -> str:
        """The block as it runs: raw output rows blank, every row on its line."""
        kept = ["" if n in self.blanked else row for n, row in enumerate(self.rows, start=1)]
        return "\n".join(kept) + "\n"

    def kind(self, number: int) -> str | None:
        mine = number in self.own_comments or number in self.blanked
        return _kind(self.rows[number - 1].strip(), mine, self.rules)

    def above(self, number: int) -> int | None:
        """The last code row before ``number``: the code a marker there speaks for."""
        earlier = [n for n in self.code_rows if n < number]
        return earlier[-1] if earlier else None

    def label(self, number: int) -> tuple[int, Marker | Skip]:
        """An ``# Output:`` row and what follows it; an empty marker when the block
        ends there (its output is then the next fence)."""
        stripped = self.rows[number - 1].strip()
        taken, texts, first = _label_body(self.rows, number, self.raw, self.own_comments)
        anchor = self.above(number)
        line = self.first_line + number - 1
        version = _version(stripped)
        if not texts and number + taken - 1 >= (self.code_rows[-1] if self.code_rows else 0):
            return taken, Marker(
                OUTPUT_COMMENT, anchor or 0, line, 1, "", scope=Scope.SEGMENT, version=version
            )
        if anchor is None:
            return taken, Skip(OUTPUT_COMMENT, line, "no code above it")
        if not texts:
            return taken, Skip(OUTPUT_COMMENT, line, "no output under it")
        text = "\n".join(texts) + "\n"
        where = self.first_line + first - 1
        return taken, Marker(
            OUTPUT_COMMENT, anchor, where, 1, text, scope=Scope.SEGMENT, version=version
        )

    def run(self, number: int, kind: str) -> tuple[int, Marker | Skip]:
        """Consecutive ``#>`` or ``==>`` rows under a statement."""
        taken = _run_length(self.rows, number, kind, self.rules)
        texts = [
            _after_marker(self.rows[n - 1].strip(), kind) for n in range(number, number + taken)
        ]
        anchor = self.above(number)
        line = self.first_line + number - 1
        if anchor is None:
            return taken, Skip(kind, line, "no code above it")
        return taken, Marker(kind, anchor, line, 1, "\n".join(texts) + "\n")

    def trailing_arrows(self) -> list[Marker]:
        """``expression  # ==> value`` on the statement's own row."""
        found = []
        for comment in self.trailing:
            said = comment.text.lstrip("#").strip()
            if ARROW in self.rules and said.startswith(_ARROWS):
                line = self.first_line + comment.row - 1
                text = _after_marker(said, ARROW) + "\n"
                found.append(Marker(ARROW, comment.row, line, comment.col + 1, text))
        return found


def _kind(stripped: str, is_comment_or_raw: bool, rules: frozenset[str]) -> str | None:
    """Which marker a whole row is, if any (only real comments and blanked rows count)."""
    if not is_comment_or_raw:
        return None
    if REPREX in rules and stripped.startswith(_REPREX):
        return REPREX
    if ARROW in rules and stripped.lstrip("#").strip().startswith(_ARROWS):
        return ARROW
    if OUTPUT_COMMENT in rules and _label(stripped) is not None:
        return OUTPUT_COMMENT
    return None


def _label(row: str) -> re.Match[str] | None:
    stripped = row.strip()
    return _LABEL.match(stripped) if stripped.startswith("#") else None


def _label_rest(row: str) -> str:
    found = _label(row)
    return (found.group("rest") or "").strip() if found else ""


def _version(stripped: str) -> Versions | None:
    found = _label(stripped)
    label = found.group("label") if found else None
    return read_label(label) if label else None


def _raw_rows(rows: list[str], label_row: int) -> list[int]:
    """Rows of raw output under an ``# Output:`` comment (not Python, so not code).

    The output runs to the next blank row; past it, rows that are no real code
    (they do not parse, or are only bare names and literals) are output too.
    """
    taken: list[int] = []
    number = label_row + 1
    while number <= len(rows) and rows[number - 1].strip():
        row = rows[number - 1].strip()
        if row.startswith(("#", *_ARROWS)) or (parses(row) and not bare_values(row)):
            # A comment, an arrow or a real statement ends the output.
            return taken
        taken.append(number)
        number += 1
    if not taken:
        return taken
    rest = list(range(number, len(rows) + 1))
    text = "\n".join(rows[n - 1] for n in rest)
    if rest and text.strip() and (not parses(text) or bare_values(text)):
        taken.extend(n for n in rest if rows[n - 1].strip())
    return taken


def _label_body(
    rows: list[str], number: int, raw: dict[int, list[int]], own_comments: dict[int, Comment]
) -> tuple[int, list[str], int]:
    """``(rows taken, output lines, first output row)`` for the label on ``number``."""
    rest = _label_rest(rows[number - 1])
    if rest:
        return 1, [rest], number
    if raw.get(number):
        under = raw[number]
        texts = [rows[n - 1].rstrip() for n in range(under[0], under[-1] + 1)]
        return under[-1] - number + 1, texts, under[0]
    texts = []
    following = number + 1
    while following <= len(rows) and following in own_comments:
        stripped = rows[following - 1].strip()
        if _label(stripped) is not None or stripped.startswith(_REPREX):
            break
        texts.append(_uncomment(stripped))
        following += 1
    return following - number, texts, number + 1


def _run_length(rows: list[str], number: int, kind: str, rules: frozenset[str]) -> int:
    """How many rows from ``number`` on are the same kind of marker."""
    taken = 1
    while number + taken <= len(rows):
        stripped = rows[number + taken - 1].strip()
        if _kind(stripped, True, rules) != kind or (kind == ARROW and not _is_arrow(stripped)):
            break
        taken += 1
    return taken


def _is_arrow(stripped: str) -> bool:
    return stripped.lstrip("#").strip().startswith(_ARROWS)


def _after_marker(stripped: str, kind: str) -> str:
    if kind == REPREX:
        return _one_space(stripped[len(_REPREX) :])
    text = stripped.lstrip("#").strip()
    for arrow in _ARROWS:
        if text.startswith(arrow):
            return text[len(arrow) :].strip()
    return text


def _uncomment(stripped: str) -> str:
    return _one_space(stripped[1:]).rstrip()


def _one_space(text: str) -> str:
    return text[1:] if text.startswith(" ") else text
