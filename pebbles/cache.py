"""Remember what each post's code did, so an unchanged post is judged, not re-run.

An entry is keyed by everything that can change what the code does: its blocks'
source and options, the Python version, the versions of the packages it imports,
the limits it runs under and the engine's own version. It stores the observed
executions, never verdicts, so editing prose or a stated output re-judges from
the cache. Line numbers are stored too: when prose above a block grows or shrinks,
the recorded ``.md`` lines are moved along instead of running the code again.

All entries live in one JSON file, ``runs.json``, read once per run and written
once at its end: a thousand entry files cost a cold run more than its judging
did. The file is replaced atomically (a temporary file renamed into place), so no
run sees half of it; runs that end together merge their entries under a lock, so
none is lost. Anything unreadable or malformed is ignored and rewritten.
"""

from __future__ import annotations

import fcntl
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
_ENTRIES = "runs.json"
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
        self.entries: dict[str, Any] | None = None  # as read, on the first load
        self.fresh: dict[str, Any] = {}  # stored by this run, written by save()

    def load(self, key: str, post: Post) -> tuple[list[BlockExecution], float] | None:
        """The executions stored for ``key``, moved to ``post``'s current lines."""
        if self.entries is None:
            self.entries = self._read()
        try:
            return _restore(self.entries[key], key, post)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

    def store(
        self, key: str, post: Post, executions: list[BlockExecution], duration: float
    ) -> None:
        """Keep ``executions`` for ``key``, to be written by :meth:`save`."""
        self.fresh[key] = {
            "engine": engine(),
            "key": key,
            "path": post.path,
            "lines": [b.line for b in post.runnable_blocks],
            "duration_s": duration,
            # vars(): the fields are plain values; asdict() would deep-copy each one.
            "executions": [vars(e) for e in executions],
        }

    def save(self) -> None:
        """Merge this run's entries into the file; a cache that cannot be written is skipped.

        An entry this run replaced (same post, other code) is dropped, so the file
        holds about one entry per post however often posts are edited.
        """
        if not self.fresh:
            return
        replaced = {entry["path"] for entry in self.fresh.values()}
        try:
            make_cache_dir(self.root)
            with (self.root / "runs.lock").open("a") as lock:
                # Held from read to rename: two runs ending together keep both runs' entries.
                fcntl.flock(lock, fcntl.LOCK_EX)
                kept = {
                    key: entry
                    for key, entry in self._read().items()
                    if isinstance(entry, dict) and entry.get("path") not in replaced
                }
                self._write(self.root / _ENTRIES, {**kept, **self.fresh})
        except OSError:
            return

    def _read(self) -> dict[str, Any]:
        try:
            found = json.loads((self.root / _ENTRIES).read_bytes())
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

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
            try:
                make_cache_dir(self.root)
                self._write(self.root / "durations.json", {**self.durations(), **measured})
            except OSError:
                return

    def _write(self, path: Path, data: Any) -> None:
        # dumps, not dump: only a one-shot encode uses json's C encoder.
        text = json.dumps(data).encode()
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(text)
            os.replace(temporary, path)
        except OSError:
            os.unlink(temporary)
            raise


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
