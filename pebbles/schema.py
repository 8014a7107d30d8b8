"""Typed reading of :mod:`yamlstrict` trees, collecting diagnostics as it goes."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from .model import Diagnostic, Severity
from .suggest import did_you_mean
from .yamlstrict import YEntry, YNode

_TYPE_NAMES = {"map": "a mapping", "seq": "a list", "scalar": "a single value"}


class Reader:
    """Reads values out of a YAML tree for one file, recording every problem."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []

    def error(self, line: int, col: int, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, col, Severity.ERROR, code, message))

    def mapping(
        self,
        node: YNode,
        where: str,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
        unknown_code: str = "unknown-key",
    ) -> dict[str, YEntry]:
        """The entries of a mapping, reporting unknown and missing keys."""
        if node.kind != "map":
            self.error(node.line, node.col, "wrong-type", f"{where} must be a mapping")
            return {}
        entries: dict[str, YEntry] = node.value
        allowed = (*required, *optional)
        for key, entry in entries.items():
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                self.error(
                    entry.key_line,
                    entry.key_col,
                    unknown_code,
                    f"unknown key '{key}' in {where}{hint}",
                )
        for key in required:
            if key not in entries:
                self.error(
                    node.line, node.col, "missing-key", f"{where} is missing required key '{key}'"
                )
        return {k: v for k, v in entries.items() if k in allowed}

    def _scalar(self, entry: YEntry, name: str, kinds: tuple[type, ...], what: str) -> object:
        node = entry.node
        value = node.value
        ok = node.kind == "scalar" and isinstance(value, kinds)
        if ok and bool not in kinds and isinstance(value, bool):
            ok = False
        if not ok:
            got = _TYPE_NAMES[node.kind] if node.kind != "scalar" else _describe(value)
            self.error(node.line, node.col, "wrong-type", f"'{name}' must be {what}, not {got}")
            return None
        return value

    def text(self, entry: YEntry, name: str, max_len: int | None = None) -> str | None:
        value = self._scalar(entry, name, (str,), "text")
        if not isinstance(value, str):
            return None
        if not value.strip():
            self.error(
                entry.node.line, entry.node.col, "empty-value", f"'{name}' must not be empty"
            )
            return None
        if max_len is not None and len(value) > max_len:
            self.error(
                entry.node.line,
                entry.node.col,
                "too-long",
                f"'{name}' is {len(value)} characters long; the limit is {max_len}",
            )
        return value

    def integer(self, entry: YEntry, name: str, minimum: int | None = None) -> int | None:
        value = self._scalar(entry, name, (int,), "a whole number")
        if not isinstance(value, int):
            return None
        if minimum is not None and value < minimum:
            self.error(
                entry.node.line, entry.node.col, "out-of-range", f"'{name}' must be ≥ {minimum}"
            )
            return None
        return value

    def number(self, entry: YEntry, name: str) -> float | None:
        value = self._scalar(entry, name, (int, float), "a number")
        if not isinstance(value, int | float):
            return None
        if not math.isfinite(value):
            self.error(
                entry.node.line, entry.node.col, "out-of-range", f"'{name}' must be a finite number"
            )
            return None
        if value <= 0:
            self.error(
                entry.node.line, entry.node.col, "out-of-range", f"'{name}' must be positive"
            )
            return None
        return float(value)

    def boolean(self, entry: YEntry, name: str) -> bool | None:
        value = self._scalar(entry, name, (bool,), "true or false")
        return value if isinstance(value, bool) else None

    def date(self, entry: YEntry, name: str) -> dt.date | None:
        value = self._scalar(entry, name, (dt.date,), "an ISO date (YYYY-MM-DD)")
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else None

    def text_list(self, entry: YEntry, name: str) -> tuple[str, ...]:
        node = entry.node
        if node.kind != "seq":
            self.error(node.line, node.col, "wrong-type", f"'{name}' must be a list")
            return ()
        items: list[str] = []
        for item in node.value:
            if item.kind != "scalar" or not isinstance(item.value, str | int | float):
                self.error(item.line, item.col, "wrong-type", f"items of '{name}' must be text")
            else:
                items.append(str(item.value))
        return tuple(items)


def _describe(value: object) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dt.date):
        return "a date"
    return f"'{value}'"
