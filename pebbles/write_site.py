"""Write the site atomically and incrementally.

The new site is assembled in a temporary folder beside the target and swapped in
only when everything succeeded, so a failed build leaves the previous site exactly
as it was, and files of removed pages simply are not there any more. Pages whose
key matches the last build are hard-linked from the previous site instead of being
rendered again; the rest are rendered, in several processes when there are many.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import secrets
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .errors import UsageError
from .model import Diagnostic, Severity, SiteConfig
from .pages import BuildOptions, PageJob, context
from .render import highlight
from .site import SiteData
from .theme import THEME_DIR, Theme, environment, render

MANIFEST_VERSION = 1
TEMP_PREFIX = ".pebbles-tmp-"
# Below this many pages, starting worker processes costs more than it saves.
PARALLEL_MIN_PAGES = 64

AfterStep = Callable[[Path], list[Diagnostic]]


@dataclass(frozen=True)
class Output:
    """A file of the site: rendered from ``job`` or copied from ``source``."""

    path: str  # relative, with "/" separators
    key: str
    job: PageJob | None = None
    source: Path | None = None


@dataclass(frozen=True)
class WriteResult:
    out: Path
    files: int
    rendered: int  # pages rendered this time
    posts_rendered: int  # of which posts and guides
    unchanged: bool  # nothing to do: the previous site was already this one
    diagnostics: tuple[Diagnostic, ...]
    duration_s: float

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def outputs(jobs: Sequence[PageJob], theme: Theme) -> list[Output]:
    """The rendered pages plus the theme's static files."""
    found = [Output(job.path, job.key, job=job) for job in jobs]
    found += [
        Output(f"static/{name}", digest, source=theme.static / name)
        for name, digest in theme.assets.items()
    ]
    return found


def write_site(
    files: Sequence[Output],
    data: SiteData,
    theme: Theme,
    options: BuildOptions,
    *,
    out: Path,
    manifest: Path | None,
    workers: int,
    after: Sequence[AfterStep] = (),
    after_key: str = "",
) -> WriteResult:
    """Produce ``files`` in ``out``; ``manifest`` (None: no reuse) remembers the keys.

    ``after`` steps work over the finished pages; ``after_key`` names what they
    depend on beyond the pages, so a change there is not mistaken for a no-op.
    """
    started = time.perf_counter()
    check_target(out, data.site.config)
    previous, previous_after = _read_manifest(manifest, out)
    wanted = {f.path: f.key for f in files}
    unchanged = previous == wanted and previous_after == after_key
    if unchanged and all((out / path).is_file() for path in wanted):
        return WriteResult(out, len(files), 0, 0, True, (), time.perf_counter() - started)
    temp = out.parent / f"{TEMP_PREFIX}{out.name}-{secrets.token_hex(4)}"
    temp.mkdir(parents=True)
    try:
        folders: set[Path] = set()
        todo = [
            f
            for f in files
            if not (previous.get(f.path) == f.key and _reuse(out / f.path, temp / f.path, folders))
        ]
        for item in todo:
            if item.source is not None:
                _ensure_parent(temp / item.path, folders)
                shutil.copyfile(item.source, temp / item.path)
        pages = [f.job for f in todo if f.job is not None]
        diagnostics = _render_all(pages, data, theme, options, temp, workers)
        if not diagnostics:
            diagnostics = [d for step in after for d in step(temp)]
        if any(d.is_error for d in diagnostics):
            shutil.rmtree(temp, ignore_errors=True)
        else:
            _swap(temp, out)
            _write_manifest(manifest, out, wanted, after_key)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    posts = sum(1 for job in pages if job.is_post)
    return WriteResult(
        out, len(files), len(pages), posts, False, tuple(diagnostics), time.perf_counter() - started
    )


def check_target(out: Path, config: SiteConfig) -> None:
    """Refuse to replace a folder that holds the sources or was not built by pebbles."""
    target = out.resolve()
    root = config.root.resolve()
    # The theme's templates folder holds an index.html, so the "is it a built site"
    # test below would not protect it.
    sources = [
        folder.resolve() for folder in (config.content_dir, root / THEME_DIR, config.validators_dir)
    ]
    inside = any(target == folder or folder in target.parents for folder in sources)
    if target == root or target in root.parents or inside:
        raise UsageError(f"refusing to build into {out}: it holds the site's sources")
    if target.exists() and not target.is_dir():
        raise UsageError(f"refusing to build into {out}: it is a file")
    if target.is_dir() and any(target.iterdir()) and not (target / "index.html").is_file():
        raise UsageError(
            f"refusing to replace {out}: it is not empty and has no index.html, so it is not a built site"
        )


# --- reuse and the manifest ---------------------------------------------------------


def _read_manifest(manifest: Path | None, out: Path) -> tuple[dict[str, str], str | None]:
    if manifest is None or not out.is_dir():
        return {}, None
    try:
        saved = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, None
    if not isinstance(saved, dict) or saved.get("version") != MANIFEST_VERSION:
        return {}, None
    files, after = saved.get("files"), saved.get("after")
    if not isinstance(files, dict) or not isinstance(after, str):
        return {}, None
    return files, after


def _write_manifest(manifest: Path | None, out: Path, files: dict[str, str], after: str) -> None:
    if manifest is None:
        return
    manifest.parent.mkdir(parents=True, exist_ok=True)
    scratch = manifest.with_name(f"{manifest.name}.{secrets.token_hex(4)}")
    payload = {
        "version": MANIFEST_VERSION,
        "out": str(out.resolve()),
        "files": files,
        "after": after,
    }
    scratch.write_text(json.dumps(payload, sort_keys=True), encoding="utf-8")
    os.replace(scratch, manifest)


def _reuse(old: Path, new: Path, folders: set[Path]) -> bool:
    """Hard-link an unchanged file into the new site (copy where links are refused)."""
    if not old.is_file():
        return False
    _ensure_parent(new, folders)
    try:
        os.link(old, new)
    except OSError:
        shutil.copyfile(old, new)
    return True


def _ensure_parent(path: Path, folders: set[Path]) -> None:
    if path.parent not in folders:
        path.parent.mkdir(parents=True, exist_ok=True)
        folders.add(path.parent)


def _swap(new: Path, out: Path) -> None:
    """Put ``new`` where ``out`` is. Two renames: the old site stays whole until the second."""
    if not out.exists():
        new.rename(out)
        return
    old = out.parent / f"{TEMP_PREFIX}{out.name}-old-{secrets.token_hex(4)}"
    out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


# --- rendering ------------------------------------------------------------------------

# Worker processes are forked after this is set, so they inherit the site data
# instead of receiving thousands of posts through a pipe.
_WORK: tuple[list[PageJob], SiteData, Theme, BuildOptions, Path] | None = None


def _render_all(
    pages: list[PageJob],
    data: SiteData,
    theme: Theme,
    options: BuildOptions,
    temp: Path,
    workers: int,
) -> list[Diagnostic]:
    global _WORK
    if (
        len(pages) < PARALLEL_MIN_PAGES
        or workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        problems = _render_range(pages, data, theme, options, temp, 0, len(pages))
    else:
        # One page of each template first, here: the workers then inherit compiled
        # templates and loaded lexers instead of each paying for them again.
        firsts = sorted({job.template: i for i, job in reversed(list(enumerate(pages)))}.values())
        problems = [
            p for i in firsts for p in _render_range(pages, data, theme, options, temp, i, i + 1)
        ]
        for language in sorted(
            {b.language for job in pages if job.doc for b in job.doc.post.blocks}
        ):
            highlight("", language)
        rest = [job for i, job in enumerate(pages) if i not in set(firsts)]
        _WORK = (rest, data, theme, options, temp)
        try:
            # Several slices per worker, so one slow slice does not leave a core idle.
            step = max(1, len(rest) // (workers * 4))
            starts = range(0, len(rest), step)
            stops = [min(start + step, len(rest)) for start in starts]
            with ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("fork")
            ) as pool:
                problems += [p for part in pool.map(_render_inherited, starts, stops) for p in part]
        finally:
            _WORK = None
    # A broken template breaks every page that uses it: say so once per template.
    unique = dict.fromkeys(problems)
    return [
        Diagnostic(str(theme.templates / name), line, 1, Severity.ERROR, "theme-error", message)
        for name, line, message in unique
    ]


Problem = tuple[str, int, str]  # template name, line, message: plain data, so it pickles


def _render_inherited(start: int, stop: int) -> list[Problem]:
    assert _WORK is not None, "worker started without inherited work"
    return _render_range(*_WORK, start, stop)


def _render_range(
    pages: list[PageJob],
    data: SiteData,
    theme: Theme,
    options: BuildOptions,
    temp: Path,
    start: int,
    stop: int,
) -> list[Problem]:
    env = _environment(theme)
    folders: set[Path] = set()
    problems: list[Problem] = []
    for job in pages[start:stop]:
        target = temp / job.path
        _ensure_parent(target, folders)
        try:
            html = render(env, job.template, context(job, data, options))
        except jinja2.TemplateError as err:
            line = getattr(err, "lineno", None) or 1
            problems.append(
                (getattr(err, "name", None) or job.template, line, f"{type(err).__name__}: {err}")
            )
            continue
        target.write_text(html, encoding="utf-8")
    return problems


_ENVIRONMENTS: dict[str, jinja2.Environment] = {}


def _environment(theme: Theme) -> jinja2.Environment:
    """One Jinja2 environment per process and theme, so templates compile once."""
    if theme.fingerprint not in _ENVIRONMENTS:
        _ENVIRONMENTS[theme.fingerprint] = environment(theme)
    return _ENVIRONMENTS[theme.fingerprint]
