"""Grapheme clusters: what a reader sees as one character."""

from __future__ import annotations

import regex

_CLUSTER = regex.compile(r"\X")


def graphemes(text: str) -> list[str]:
    """Split ``text`` into extended grapheme clusters (UAX #29)."""
    found: list[str] = _CLUSTER.findall(text)
    return found


def is_single_grapheme(text: str) -> bool:
    """True when ``text`` is exactly one visible character (ZWJ emoji, flags and λ count as one)."""
    return len(graphemes(text)) == 1 and not text.isspace()
