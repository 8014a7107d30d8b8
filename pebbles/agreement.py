"""When a stated output agrees with the real one, under the readings tutorials need.

AUTHORING.md's matching first (``...``, addresses, trailing space), then what
hand-written output does without being wrong: spacing that carries no meaning,
literals written another way (quotes, set order, a value wrapped over lines), a
repr-quoted string for the plain text. And, for text that may not be output at
all, how much it looks like output.
"""

from __future__ import annotations

import ast
import difflib
import re

from .matching import line_matches, normalise, outputs_match

SIMILAR = 0.6  # difflib ratio above which unreadable text is "nearly" the output
_NEAR = 0.8  # ... above which it is plainly meant as the output


def agrees(expected: str, actual: str, *, unordered: bool = False) -> bool:
    """Does ``actual`` fit the ``expected`` text under any reading the rules allow?

    AUTHORING.md's matching (``...``, addresses, trailing space), then: spacing
    that carries no meaning is ignored (see :func:`_spaced`), and lines
    that are Python literals compare as values (quotes, spacing, set order), with
    a repr-quoted string matching the plain text; a value wrapped over several
    lines by hand matches the one line Python prints.
    """
    if outputs_match(expected, actual, unordered=unordered):
        return True
    want, got = normalise(expected), normalise(actual)
    if [_spaced(w) for w in want] == [_spaced(g) for g in got]:
        return True
    if len(want) == len(got) and all(_same_line(w, g) for w, g in zip(want, got, strict=True)):
        return True
    if len(want) != len(got) and _same_line(" ".join(want), " ".join(got)):
        return True  # one value, wrapped over lines by hand as pprint would
    return unordered and len(want) == len(got) and sorted(want) == sorted(got)


# NumPy 2 shows scalars as ``np.int64(5)`` where NumPy 1 (and most tutorials) show ``5``.
_NUMPY_SCALAR = re.compile(r"\bnp\.(?:u?int|float|complex|bool|str_|bytes_)\w*\((.*?)\)")
_AROUND_PUNCTUATION = re.compile(r"\s*([\[\](),])\s*")


def _spaced(line: str) -> str:
    """A line with spacing that carries no meaning taken out: runs of spaces (a table
    that lost its alignment), spaces inside brackets and around commas (NumPy pads
    its arrays), and NumPy 2's scalar wrappers."""
    line = _NUMPY_SCALAR.sub(r"\1", line)
    return _AROUND_PUNCTUATION.sub(r"\1", " ".join(line.split()))


def _same_line(want: str, got: str) -> bool:
    if line_matches(want, got):
        return True
    a, b = _literal(want), _literal(got)
    if a is not _NOTHING and b is not _NOTHING:
        return _canonical(a) == _canonical(b)
    return (isinstance(a, str) and a == got) or (isinstance(b, str) and b == want)


_NOTHING = object()


def _literal(text: str) -> object:
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _NOTHING


def _canonical(value: object) -> object:
    """A value with its types spelled out, so ``1`` and ``1.0`` stay different."""
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_canonical(v) for v in value))
    if isinstance(value, set | frozenset):
        return (type(value).__name__, frozenset(_canonical(v) for v in value))
    if isinstance(value, dict):
        # Dictionaries print in insertion order, so their order is part of the output.
        return ("dict", tuple((_canonical(k), _canonical(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def value_like(text: str) -> bool:
    """Every line is a Python literal: no prose reads like that."""
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and all(_literal(line) is not _NOTHING for line in lines)


def prose(text: str) -> bool:
    """Sentences, not output: several plain words and nothing a program would print."""
    words = text.split()
    plain = [w for w in words if w.strip(".,;:!?'\"()").isalpha()]
    return len(plain) >= 4 and len(plain) >= 0.8 * len(words) and not value_like(text)


def similar(expected: str, actual: str, threshold: float = SIMILAR) -> bool:
    ratio = difflib.SequenceMatcher(None, expected.strip(), actual.strip()).ratio()
    return ratio >= threshold


def near(expected: str, actual: str) -> bool:
    """One line that differs from the output by a letter or two: plainly meant as it.

    A single word (``# float`` for ``float64``) is more likely a label than a slip.
    """
    shown = expected.strip()
    one_line = "\n" not in shown and "\n" not in actual.strip()
    word = shown.isidentifier()
    return one_line and not word and not prose(shown) and similar(shown, actual, _NEAR)
