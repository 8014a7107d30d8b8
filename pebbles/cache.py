"""Remember what each post's code did, so an unchanged post is judged, not re-run.

An entry is keyed by everything that can change what the code does: its blocks'
source and options, the Python version, the versions of the packages it imports,
the limits it runs under and the engine's own version. It stores the observed
executions, never verdicts, so editing prose or a stated output re-judges from
the cache. Line numbers are stored too: when prose above a block grows or shrinks,
the recorded ``.md`` lines are moved along instead of running the code again.

Entries are single JSON files written atomically (a temporary file renamed into
place), so concurrent runs cannot see half an entry; anything unreadable or
malformed is ignored and rewritten.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import sys
import tempfile
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from . import __version__
from .model import BlockExecution, CheckSettings, CodeBlock, Post

CACHE_DIR = ".pebbles-cache"
# Like pytest's cache: git (and so --changed-since) never sees the folder.
_GITIGNORE = "# Made by pebbles: caches belong to this machine only.\n*\n"
# The modules that decide what a post's code observes: editing any of them (or
# upgrading pebbles) must invalidate every entry.
_ENGINE_MODULES = ("protocol", "session", "worker", "sandbox", "executions", "cache")
# Where output and tracebacks name a line of a post: 'File "post.md", line 12',
# 'post.md:12: UserWarning' (warnings), and the runner's own "at line 12".
_LINE_MENTION = re.compile(r'((?:File "([^"]+)", line )|(?:(\S+\.md):)|\bat line )(\d+)')
_IMPORT = re.compile(r"^[ \t]*(?:from|import)[ \t]+([A-Za-z_]\w*)", re.MULTILINE)
_FIELDS = {f.name for f in fields(BlockExecution)}


@functools.cache
def engine() -> str:
    """pebbles' version and a digest of the code that runs posts."""
    digest = hashlib.sha256(__version__.encode())
    for name in _ENGINE_MODULES:
        digest.update((Path(__file__).parent / f"{name}.py").read_bytes())
    return f"{__version__}+{digest.hexdigest()[:16]}"


def post_key(post: Post, check: CheckSettings, sandbox: str) -> str:
    """A digest of everything that decides what ``post``'s code does when run."""
    blocks = [[b.kind.value, b.source, vars(b.options)] for b in post.runnable_blocks]
    modules = sorted(
        {m for b in post.runnable_blocks for m in _IMPORT.findall(b.source)}
        | {name.split(".")[0] for b in post.runnable_blocks for name in b.options.requires}
    )
    material = {
        "engine": engine(),
        "python": sys.version,
        "machine": platform.machine(),
        "sandbox": sandbox,
        "limits": vars(check),
        "path": post.path,
        "blocks": blocks,
        "packages": {m: _version_of(m) for m in modules if m not in sys.stdlib_module_names},
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return dict(importlib.metadata.packages_distributions())


def _version_of(module: str) -> str:
    names = _distributions().get(module)
    if not names:
        return "-"  # not installed, or not from a distribution
    versions = []
    for name in sorted(set(names)):
        try:
            versions.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name}==?")
    return ",".join(versions)


def make_cache_dir(root: Path) -> None:
    """Create the cache folder (and its parents) with a .gitignore that ignores it all."""
    root.mkdir(parents=True, exist_ok=True)
    ignore = root / ".gitignore"
    if not ignore.exists():
        ignore.write_text(_GITIGNORE, encoding="utf-8")


class RunCache:
    """Entries under ``root`` (normally ``.pebbles-cache/`` in the site's folder)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folders: set[Path] = set()  # made during this run

    def load(self, key: str, post: Post) -> tuple[list[BlockExecution], float] | None:
        """The executions stored for ``key``, moved to ``post``'s current lines."""
        try:
            entry = json.loads((self._entry(key)).read_text(encoding="utf-8"))
            return _restore(entry, key, post)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def store(
        self, key: str, post: Post, executions: list[BlockExecution], duration: float
    ) -> None:
        """Keep ``executions`` for ``key``; a cache that cannot be written is skipped."""
        entry = {
            "engine": engine(),
            "key": key,
            "lines": [b.line for b in post.runnable_blocks],
            "duration_s": duration,
            # vars(): the fields are plain values; asdict() would deep-copy each one.
            "executions": [vars(e) for e in executions],
        }
        self._write(self._entry(key), entry)

    def durations(self) -> dict[str, float]:
        """How long each post took the last time it ran, by path."""
        try:
            found = json.loads((self.root / "durations.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(found, dict):
            return {}
        return {k: float(v) for k, v in found.items() if isinstance(v, int | float)}

    def record_durations(self, measured: dict[str, float]) -> None:
        if measured:
            self._write(self.root / "durations.json", {**self.durations(), **measured})

    def _entry(self, key: str) -> Path:
        return Path(f"{self.root}/runs/{key[:2]}/{key}.json")

    def _write(self, path: Path, data: Any) -> None:
        # dumps, not dump: only a one-shot encode uses json's C encoder.
        text = json.dumps(data).encode()
        try:
            if path.parent not in self.folders:
                make_cache_dir(self.root)
                path.parent.mkdir(parents=True, exist_ok=True)
                self.folders.add(path.parent)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(handle, "wb") as out:
                out.write(text)
            os.replace(temporary, path)
        except OSError:
            return


def _restore(
    entry: dict[str, Any], key: str, post: Post
) -> tuple[list[BlockExecution], float] | None:
    blocks = post.runnable_blocks
    stored = entry["executions"]
    old_lines = entry["lines"]
    if entry["engine"] != engine() or entry["key"] != key:
        return None
    if len(stored) != len(blocks) or len(old_lines) != len(blocks):
        return None
    move = _LineMover(post.path, old_lines, blocks)
    found = [
        move.execution(_execution(data, b.index)) for b, data in zip(blocks, stored, strict=True)
    ]
    return found, float(entry["duration_s"])


def _execution(data: dict[str, Any], index: int) -> BlockExecution:
    """An execution from its JSON form; anything out of shape raises."""
    if set(data) != _FIELDS:
        raise ValueError("not an execution")

    def text(name: str) -> str | None:
        value = data[name]
        if value is None or isinstance(value, str):
            return value
        raise TypeError(name)

    error_line = data["error_line"]
    return BlockExecution(
        index=index,
        outcome=text("outcome") or "",
        stdout=text("stdout") or "",
        stderr=text("stderr") or "",
        error=text("error"),
        error_line=None if error_line is None else int(error_line),
        traceback=text("traceback"),
        prints=tuple((int(line), str(said)) for line, said in data["prints"]),
        examples=tuple(str(shown) for shown in data["examples"]),
        duration_s=float(data["duration_s"]),
        detail=text("detail"),
    )


class _LineMover:
    """Maps ``.md`` lines recorded when a post ran to where those lines are now."""

    def __init__(self, path: str, old_lines: list[int], blocks: tuple[CodeBlock, ...]) -> None:
        self.path = path
        self.spans = [
            (int(old), int(old) + b.source.count("\n") + 1, b.line - int(old))
            for old, b in zip(old_lines, blocks, strict=True)
        ]

    def line(self, line: int) -> int:
        for first, last, shift in self.spans:
            if first <= line < last:
                return line + shift
        return line

    def text(self, text: str | None) -> str | None:
        if text is None:
            return None

        def moved(found: re.Match[str]) -> str:
            named = found.group(2) or found.group(3)
            if named is not None and named != self.path:
                return found.group(0)  # a line of some other file
            return found.group(1) + str(self.line(int(found.group(4))))

        return _LINE_MENTION.sub(moved, text)

    def execution(self, e: BlockExecution) -> BlockExecution:
        if all(shift == 0 for _, _, shift in self.spans):
            return e
        return replace(
            e,
            stdout=self.text(e.stdout) or "",
            stderr=self.text(e.stderr) or "",
            error_line=self.line(e.error_line) if e.error_line is not None else None,
            traceback=self.text(e.traceback),
            prints=tuple((self.line(line), text) for line, text in e.prints),
            examples=tuple(self.text(x) or "" for x in e.examples),
            detail=self.text(e.detail),
        )
