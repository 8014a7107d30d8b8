"""Fence info strings: ```` ```python timeout=5 requires=numpy ```` → language + options."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import BlockKind, BlockOptions
from .suggest import did_you_mean

LANGUAGE_ALIASES = {"py": "python", "python3": "python", "py3": "python", "pycon": "pycon"}
OUTPUT_LANGUAGES = ("output",)
FLAG_OPTIONS = ("compile", "unordered", "isolated", "hidden")
VALUE_OPTIONS = ("skip", "raises", "timeout", "requires")
ALL_OPTIONS = FLAG_OPTIONS + VALUE_OPTIONS

# One word of the info string: key, key=value or key="quoted value".
_WORD = re.compile(r'([^\s=]+)(?:=("(?:[^"\\]|\\.)*"|\'[^\']*\'|\S*))?')
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_REQUIREMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")


@dataclass(frozen=True)
class OptionProblem:
    offset: int  # 0-based column inside the info string
    code: str
    message: str


@dataclass(frozen=True)
class FenceInfo:
    language: str
    kind: BlockKind
    options: BlockOptions
    problems: tuple[OptionProblem, ...]


def parse_info(info: str, first_line: str = "") -> FenceInfo:
    """Split a fence info string; ``first_line`` spots ``>>>`` transcripts in python blocks."""
    words = [(m.start(), m.group(1), m.group(2)) for m in _WORD.finditer(info)]
    if not words:
        return FenceInfo("", BlockKind.OTHER, BlockOptions(), ())
    raw_language = words[0][1].lower()
    if words[0][2] is not None:
        raw_language = ""
        words_for_options = words
    else:
        words_for_options = words[1:]
    language = LANGUAGE_ALIASES.get(raw_language, raw_language)
    if language in OUTPUT_LANGUAGES or (
        language == "text" and [w[1] for w in words_for_options] == ["output"]
    ):
        return FenceInfo("output", BlockKind.OUTPUT, BlockOptions(), ())
    if language == "pycon" or (language == "python" and first_line.startswith(">>>")):
        kind = BlockKind.TRANSCRIPT
    elif language == "python":
        kind = BlockKind.SCRIPT
    else:
        # Other languages never run, so their info words are the author's business.
        return FenceInfo(language, BlockKind.OTHER, BlockOptions(), ())
    options, problems = parse_options(words_for_options)
    return FenceInfo(language, kind, options, tuple(problems))


def parse_options(
    words: list[tuple[int, str, str | None]],
) -> tuple[BlockOptions, list[OptionProblem]]:
    """Turn ``(offset, key, raw value)`` words into :class:`BlockOptions`."""
    values: dict[str, object] = {}
    problems: list[OptionProblem] = []
    for offset, key, raw in words:
        value = _unquote(raw) if raw is not None else None
        problem = _apply(key, value, values)
        if problem:
            problems.append(OptionProblem(offset, *problem))
    return BlockOptions(**values), problems  # type: ignore[arg-type]


def options_from_mapping(
    mapping: dict[str, object],
) -> tuple[BlockOptions, list[tuple[str, str, str]]]:
    """Options given as YAML (a post's ``check:``); problems are ``(key, code, message)``."""
    values: dict[str, object] = {}
    problems: list[tuple[str, str, str]] = []
    for key, value in mapping.items():
        # `skip: false` means "do not skip", not a skip whose reason is "False".
        if isinstance(value, bool) and key in (*FLAG_OPTIONS, "skip"):
            if value:
                _apply(key, None, values)
            continue
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        text = None if value is None else str(value)
        problem = _apply(key, text, values)
        if problem:
            problems.append((key, *problem))
    return BlockOptions(**values), problems  # type: ignore[arg-type]


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        inner = raw[1:-1]
        return re.sub(r"\\(.)", r"\1", inner) if raw[0] == '"' else inner
    return raw


def _apply(key: str, value: str | None, into: dict[str, object]) -> tuple[str, str] | None:
    """Store one option; return ``(code, message)`` when it is wrong."""
    if key not in ALL_OPTIONS:
        return "unknown-option", f"unknown block option '{key}'{did_you_mean(key, ALL_OPTIONS)}"
    if key in into:
        return "duplicate-option", f"block option '{key}' is given twice"
    if key in FLAG_OPTIONS:
        if value is not None:
            return "bad-option", f"block option '{key}' takes no value"
        into[key] = True
        return None
    if key == "skip":
        into["skip"] = value if value else "skipped by the author"
        return None
    if not value:
        return "bad-option", f"block option '{key}' needs a value, like {key}=…"
    if key == "raises":
        if not _DOTTED.match(value):
            return "bad-option", f"raises= needs an exception name, not '{value}'"
        into["raises"] = value
    elif key == "timeout":
        try:
            seconds = float(value)
        except ValueError:
            seconds = -1.0
        if not 0 < seconds <= 3600:
            return "bad-option", f"timeout= needs seconds between 0 and 3600, not '{value}'"
        into["timeout"] = seconds
    else:
        names = tuple(n.strip() for n in value.split(",") if n.strip())
        bad = [n for n in names if not _REQUIREMENT.match(n)]
        if bad or not names:
            return "bad-option", f"requires= needs importable module names, not '{value}'"
        into["requires"] = names
    return None
