"""Python version labels on stated output: "Output (< 3.6)", "Python 2", "3.8+".

A label is read from one short string (a paragraph before an output block, the
first line of that block, or an ``# Output (...)`` comment). Output stated for
another version is reported as version-specific, never as wrong.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

_NUMBER = r"(\d+)(?:\.(\d+))?"
_COMPARISON = re.compile(r"(<=|>=|<|>|==|≤|≥)\s*(?:python\s*)?" + _NUMBER, re.IGNORECASE)
_PLUS = re.compile(r"(?:python\s*)?" + _NUMBER + r"\s*\+", re.IGNORECASE)
_WORDED = re.compile(
    r"python\s*"
    + _NUMBER
    + r"(?:\s*(?:and|or|&)\s*(later|newer|above|up|earlier|older|below|before))?",
    re.IGNORECASE,
)
_PREPOSITION = re.compile(
    r"(before|prior to|until|up to|since|from|after)\s+(?:python\s*)?" + _NUMBER, re.IGNORECASE
)
_LATER = ("later", "newer", "above", "up")


@dataclass(frozen=True)
class Versions:
    """Python versions ``low <= v < high``, as ``(major, minor)`` pairs."""

    low: tuple[int, int]
    high: tuple[int, int]
    label: str

    def includes(self, version: tuple[int, int]) -> bool:
        return self.low <= version < self.high


def read_label(text: str) -> Versions | None:
    """The version range a label names, or ``None`` when it names none."""
    named = "python" in text.lower()
    found = _first_version(_COMPARISON, text, 2, named)
    if found:
        return _compared(found.group(1), _pair(found.group(2), found.group(3)), found.group(0))
    found = _PLUS.search(text)
    if found and found.group(2) is not None:
        return Versions(_pair(found.group(1), found.group(2)), (99, 0), found.group(0))
    found = _first_version(_PREPOSITION, text, 2, named)
    if found:
        word = found.group(1).lower()
        version = _pair(found.group(2), found.group(3))
        operator = ">" if word == "after" else ">=" if word in ("since", "from") else "<"
        return _compared(operator, version, found.group(0))
    found = _WORDED.search(text)
    if found:
        version = _pair(found.group(1), found.group(2))
        direction = found.group(3)
        if direction:
            operator = ">=" if direction.lower() in _LATER else "<="
            return _compared(operator, version, found.group(0))
        if found.group(2) is None:
            return Versions((version[0], 0), (version[0] + 1, 0), found.group(0))
        return Versions(version, _next(version), found.group(0))
    return None


def _first_version(
    pattern: re.Pattern[str], text: str, major: int, named: bool
) -> re.Match[str] | None:
    """The first match whose number reads as a Python version: "< 3.6", or "< 3" in a
    label that says "Python"; not the "after 5" of "Output after 5 epochs"."""
    for found in pattern.finditer(text):
        if found.group(major) in ("2", "3") and (named or found.group(major + 1) is not None):
            return found
    return None


def _pair(major: str, minor: str | None) -> tuple[int, int]:
    return int(major), int(minor) if minor is not None else 0


def _next(version: tuple[int, int]) -> tuple[int, int]:
    return version[0], version[1] + 1


def _compared(operator: str, version: tuple[int, int], label: str) -> Versions:
    if operator == "<":
        return Versions((0, 0), version, label)
    if operator in ("<=", "≤"):
        return Versions((0, 0), _next(version), label)
    if operator == ">":
        return Versions(_next(version), (99, 0), label)
    if operator in (">=", "≥"):
        return Versions(version, (99, 0), label)
    return Versions(version, _next(version), label)


def running() -> tuple[int, int]:
    """The Python that runs the code: the checker's own (the sandbox reuses it)."""
    return sys.version_info[0], sys.version_info[1]
