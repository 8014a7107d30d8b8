"""Build the site again whenever its sources change, for ``pebbles serve``.

A build runs the same stages as ``pebbles build`` (parse cache, run cache and page
reuse make it incremental) into a private folder. When it fails, the problems are
kept for the browser's overlay and the last good site stays in place.
"""

from __future__ import annotations

import asyncio
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import anyio
import jinja2
import watchfiles

from .build import BuildRequest, build_site
from .check import Runner, check
from .config import CONFIG_NAME, load_config
from .content import display_path
from .desk import Snapshot
from .errors import PebblesError
from .local_rules import load_rules
from .model import Diagnostic, RunRequest, Severity
from .parse_cache import load_for_build
from .theme import THEME_DIR, environment, load_theme

CACHE_DIR = ".pebbles-cache"
SOURCE_DIRS = ("content", THEME_DIR, "validators")


@dataclass(frozen=True)
class BuildState:
    """The outcome of the latest build. ``version`` changes whenever open pages
    should react: the site changed (reload) or the build failed (overlay)."""

    version: int
    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    summary: str


def state_json(state: BuildState) -> dict[str, Any]:
    """What pages and the desk are told about a build."""
    return {
        "version": state.version,
        "ok": state.ok,
        "summary": state.summary,
        "problems": [
            {"path": d.path, "line": d.line, "column": d.col, "code": d.code, "message": d.message}
            for d in state.diagnostics
        ],
    }


class Builder:
    """Builds ``root``'s site into ``out``; call :meth:`build` from one thread at a time."""

    def __init__(self, root: Path, out: Path, *, runner: Runner | None, base_url: str) -> None:
        self.root = root
        self.out = out
        self.runner = runner
        self.base_url = base_url
        self.snapshot: Snapshot | None = None
        self.state = BuildState(0, False, (), "not built yet")
        self._fingerprint = ""
        self._env: jinja2.Environment | None = None

    def build(self) -> BuildState:
        started = time.perf_counter()
        try:
            problems, summary = self._build()
        except PebblesError as err:
            problems = list(err.diagnostics) or [_note(self.root / CONFIG_NAME, str(err))]
            summary = str(err)
        except Exception as err:  # a bug in a theme or in pebbles must not stop the server
            problems, summary = [_crash(err)], f"the build crashed: {type(err).__name__}"
        errors = tuple(_shown(d) for d in problems if d.is_error)
        previous = self.state
        if errors:
            self.state = BuildState(previous.version + 1, False, errors, summary)
        elif summary or not previous.ok:
            took = time.perf_counter() - started
            self.state = BuildState(previous.version + 1, True, (), f"{summary} in {took:.2f}s")
        return self.state

    def _build(self) -> tuple[list[Diagnostic], str]:
        """Problems, and what changed ("" when the site stayed the same)."""
        config = load_config(self.root)
        theme = load_theme(config)
        cache = config.root / CACHE_DIR
        workers = config.check.jobs or os.cpu_count() or 1
        loaded = load_for_build(
            config, cache_dir=cache, code_fingerprint=theme.fingerprint, workers=workers
        )
        report = check(loaded, RunRequest(jobs=workers), self.runner)
        if report.has_errors:
            return list(report.all_diagnostics), "the site has errors"
        request = BuildRequest(
            out=self.out, cache_dir=cache, workers=workers, base_url=self.base_url
        )
        result = build_site(loaded.site, report if self.runner else None, theme, request)
        if not result.ok:
            return list(result.diagnostics), "the site could not be written"
        if theme.fingerprint != self._fingerprint or self._env is None:
            self._env, self._fingerprint = environment(theme), theme.fingerprint
        rules, _ = load_rules(config.validators_dir)
        self.snapshot = Snapshot(loaded.site, self._env, rules)
        if result.unchanged:
            return [], ""
        return [], f"rebuilt: {result.rendered} pages rendered"


def _note(path: Path, message: str) -> Diagnostic:
    return Diagnostic(display_path(path), 1, 1, Severity.ERROR, "build", message)


def _shown(d: Diagnostic) -> Diagnostic:
    """The problem with its path relative to where the server runs, as the CLI shows it."""
    return replace(d, path=display_path(Path(d.path)))


def _crash(err: Exception) -> Diagnostic:
    """An unexpected error, placed where it points: the template line for a Jinja2
    error (its syntax error, or the innermost template frame), else the code line."""
    if isinstance(err, jinja2.TemplateSyntaxError) and err.filename:
        return Diagnostic(
            err.filename, err.lineno, 1, Severity.ERROR, "template", err.message or str(err)
        )
    frames = traceback.extract_tb(err.__traceback__)
    templates = [f for f in frames if f.filename.endswith((".html", ".xml", ".txt"))]
    where = (templates or frames)[-1] if frames else None
    message = f"{type(err).__name__}: {err}"
    if where is None:
        return Diagnostic(CONFIG_NAME, 1, 1, Severity.ERROR, "crash", message)
    return Diagnostic(where.filename, where.lineno or 1, 1, Severity.ERROR, "crash", message)


# --- watching ------------------------------------------------------------------------


class Hub:
    """Hands the latest :class:`BuildState` to every open page's event stream."""

    def __init__(self, state: BuildState) -> None:
        self.state = state
        self._changed = asyncio.Event()

    def publish(self, state: BuildState) -> None:
        self.state = state
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        """Until the next publish, or ``timeout`` seconds."""
        with anyio.move_on_after(timeout):
            await self._changed.wait()


def source_filter(root: Path) -> Callable[[watchfiles.Change, str], bool]:
    """Changes that matter: site.yml and anything under the source folders."""
    ignored = watchfiles.DefaultFilter()
    config = (root / CONFIG_NAME).resolve()
    folders = [(root / name).resolve() for name in SOURCE_DIRS]

    def wanted(change: watchfiles.Change, path: str) -> bool:
        if not ignored(change, path):
            return False
        where = Path(path).resolve()
        return where == config or any(where == f or f in where.parents for f in folders)

    return wanted


async def watch(
    builder: Builder, hub: Hub, stop: asyncio.Event, on_build: Callable[[BuildState], None]
) -> None:
    """Rebuild after each burst of changes until ``stop`` is set.

    Source folders are watched recursively and the site root on its own (for
    site.yml and for a source folder appearing or going), never the whole root:
    it may hold a virtualenv with tens of thousands of folders.
    """
    dirty = asyncio.Event()
    restart = asyncio.Event()

    async def sources() -> None:
        while not stop.is_set():
            restart.clear()
            folders = [builder.root / n for n in SOURCE_DIRS if (builder.root / n).is_dir()]
            if not folders:
                await _first(stop, restart)
                continue
            wanted = source_filter(builder.root)
            async for _ in watchfiles.awatch(
                *folders, watch_filter=wanted, stop_event=_Either(stop, restart), step=50
            ):
                dirty.set()

    async def top() -> None:
        names = {CONFIG_NAME, *SOURCE_DIRS}
        async for changes in watchfiles.awatch(
            builder.root,
            watch_filter=lambda _, path: Path(path).name in names,
            recursive=False,
            stop_event=stop,
            step=50,
        ):
            if any(Path(path).name != CONFIG_NAME for _, path in changes):
                restart.set()
            dirty.set()

    async def rebuild() -> None:
        while not stop.is_set():
            await _first(stop, dirty)
            if stop.is_set():
                return
            dirty.clear()
            before = builder.state.version
            state = await anyio.to_thread.run_sync(builder.build)
            if state.version != before:
                hub.publish(state)
                on_build(state)

    async with anyio.create_task_group() as group:
        group.start_soon(sources)
        group.start_soon(top)
        group.start_soon(rebuild)
        await stop.wait()
        group.cancel_scope.cancel()


class _Either:
    """Set when either event is: what watchfiles polls to know when to stop."""

    def __init__(self, one: asyncio.Event, other: asyncio.Event) -> None:
        self.one, self.other = one, other

    def is_set(self) -> bool:
        return self.one.is_set() or self.other.is_set()

    def set(self) -> None:
        # watchfiles sets its stop event when its task is cancelled; a restart
        # is the harmless one of the two to set.
        self.other.set()


async def _first(*events: asyncio.Event) -> None:
    """Until any of ``events`` is set."""
    async with anyio.create_task_group() as group:
        for event in events:

            async def waiter(e: asyncio.Event = event) -> None:
                await e.wait()
                group.cancel_scope.cancel()

            group.start_soon(waiter)
