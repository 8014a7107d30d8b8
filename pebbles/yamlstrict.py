"""A strict YAML reader that keeps line numbers.

Aliases, anchors and explicit tags are refused (no alias bombs, no object
construction), duplicate keys are errors, and every node remembers where it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


class YamlProblem(Exception):
    """Invalid or refused YAML at a 1-based ``line``/``col``."""

    def __init__(self, line: int, col: int, code: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.col = col
        self.code = code
        self.message = message


@dataclass(frozen=True)
class YNode:
    """A YAML value with its position. ``value`` is a plain Python value for
    scalars, ``dict[str, YEntry]`` for mappings and ``list[YNode]`` for sequences."""

    kind: str  # "scalar" | "map" | "seq"
    value: Any
    line: int
    col: int


@dataclass(frozen=True)
class YEntry:
    key_line: int
    key_col: int
    node: YNode


# libyaml's C parser when present: the pure-Python one is most of a post's parse time.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_references(text: str) -> None:
    """Scan the event stream for aliases, anchors and explicit tags before composing,
    so an alias bomb is refused before any node is built."""
    loader = _Loader(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            mark = event.start_mark
            where = (mark.line + 1, mark.column + 1)
            if isinstance(event, yaml.AliasEvent):
                raise YamlProblem(*where, "yaml-alias", "YAML aliases (*name) are not allowed")
            if getattr(event, "anchor", None):
                raise YamlProblem(*where, "yaml-alias", "YAML anchors (&name) are not allowed")
            tag = getattr(event, "tag", None)
            # Untagged nodes carry None; a lone "!" only forces a plain string.
            if tag is not None and tag != "!":
                raise YamlProblem(*where, "yaml-tag", f"explicit YAML tags ({tag}) are not allowed")
    finally:
        loader.dispose()


def load(text: str, line_offset: int = 0) -> YNode | None:
    """Parse one YAML document. Lines are reported as ``line + line_offset``.

    Returns ``None`` for an empty document; raises :class:`YamlProblem`.
    """
    loader = _Loader(text)
    try:
        _refuse_references(text)
        root = loader.get_single_node()
        return None if root is None else _convert(loader, root, line_offset)
    except YamlProblem as problem:
        problem.line += line_offset
        raise
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = (mark.line + 1 if mark else 1) + line_offset
        col = mark.column + 1 if mark else 1
        what = (err.problem or err.context or "invalid YAML").strip()
        raise YamlProblem(line, col, "yaml-syntax", f"YAML syntax error: {what}") from None
    except yaml.YAMLError as err:
        raise YamlProblem(1 + line_offset, 1, "yaml-syntax", f"YAML error: {err}") from None
    except RecursionError:
        raise YamlProblem(1 + line_offset, 1, "yaml-syntax", "YAML nested too deeply") from None
    finally:
        loader.dispose()


def _convert(loader: Any, node: yaml.Node, offset: int) -> YNode:
    line, col = node.start_mark.line + 1 + offset, node.start_mark.column + 1
    if isinstance(node, yaml.MappingNode):
        entries: dict[str, YEntry] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1 + offset
            key_col = key_node.start_mark.column + 1
            # load() adds the offset to a problem's line, so raise with the raw line.
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(
                    key_line - offset, key_col, "yaml-key", "mapping keys must be plain text"
                )
            key = str(loader.construct_object(key_node))
            if key in entries:
                raise YamlProblem(
                    key_line - offset,
                    key_col,
                    "duplicate-key",
                    f"duplicate key '{key}' (first set on line {entries[key].key_line})",
                )
            entries[key] = YEntry(key_line, key_col, _convert(loader, value_node, offset))
        return YNode("map", entries, line, col)
    if isinstance(node, yaml.SequenceNode):
        return YNode("seq", [_convert(loader, item, offset) for item in node.value], line, col)
    try:
        value = loader.construct_object(node)
    except ValueError:
        # Looks like a timestamp but is no real date (2026-02-30): keep the text, so
        # the schema reports it where it is and a text field simply accepts it.
        value = node.value
    return YNode("scalar", value, line, col)
