"""Run the posts' code and judge it: the execution stage of the pipeline.

For each post: look in the cache; otherwise send it to a pool of sandboxed workers
(:mod:`pebbles.scheduler`), which run it in a fresh process (:mod:`pebbles.worker`,
:mod:`pebbles.session`); turn what they report into one execution per block
(:mod:`pebbles.executions`) and let :func:`pebbles.matching.judge_block` decide.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

from .cache import CACHE_DIR, RunCache, post_key
from .content import display_path
from .executions import from_report
from .expectations import parse_transcript
from .matching import judge_block
from .model import (
    BlockExecution,
    BlockKind,
    CodeBlock,
    Diagnostic,
    Post,
    RunOutcome,
    RunRequest,
    Severity,
    SiteConfig,
)
from .progress import Progress
from .protocol import BlockJob, ExampleJob, Job
from .sandbox import Sandbox, choose
from .scheduler import longest_first, run_jobs

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
_UNKNOWN_DURATION_S = 1.0  # posts never timed go early: they may be the slow ones
_UNCACHED = ("timeout", "killed")  # depend on the machine's load, not only on the code
# Posts that wait (sleep, subprocesses, files) leave their CPU to another worker's
# post; with one worker per CPU a cold run of the benchmark site idled for a fifth
# of its time.
WORKERS_PER_CPU = 2


@dataclass(frozen=True)
class Observed:
    """What one post's code did: an execution per runnable block, in order."""

    executions: tuple[BlockExecution, ...]
    duration_s: float


@dataclass(frozen=True)
class Observations:
    """Every post's :class:`Observed`, by path, and findings about the run itself."""

    posts: dict[str, Observed]
    warnings: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class _Planned:
    post: Post
    key: str
    job: Job | None  # None: nothing to run (every block is skipped)


def run_posts(
    posts: Sequence[Post], config: SiteConfig, request: RunRequest
) -> dict[str, RunOutcome]:
    """Run each post's code (or recall it from the cache) and judge every runnable block.

    Findings about the run as a whole (no sandbox) go with the first post.
    """
    seen = observe_posts(posts, config, request)
    outcomes = {p.path: _judge(p, seen.posts[p.path]) for p in posts}
    if seen.warnings and posts:
        first = outcomes[posts[0].path]
        findings = (*seen.warnings, *first.findings)
        outcomes[posts[0].path] = RunOutcome(first.blocks, findings, first.duration_s, first.python)
    return outcomes


def observe_posts(posts: Sequence[Post], config: SiteConfig, request: RunRequest) -> Observations:
    """What each post's code does when run (or what it did, from the cache)."""
    sandbox = choose(config.check.sandbox, request.require_sandbox)
    cache = RunCache(request.cache_dir or config.root / CACHE_DIR) if request.use_cache else None
    # Each post's output markers carry a nonce the post cannot guess beforehand.
    token = secrets.token_hex(8)
    planned = [_plan(n, post, config, sandbox, token) for n, post in enumerate(posts)]
    observed: dict[str, Observed] = {}
    to_run: list[_Planned] = []
    for item in planned:
        recalled = cache.load(item.key, item.post) if cache else None
        if recalled is not None:
            observed[item.post.path] = Observed(tuple(recalled[0]), recalled[1])
        elif item.job is None:
            observed[item.post.path] = Observed(_all_skipped(item.post), 0.0)
        else:
            to_run.append(item)
    progress = Progress(len(planned), live=request.progress)
    progress.from_cache(len(planned) - len(to_run))
    workers = _workers(request, config, len(to_run))
    if to_run:
        observed.update(_run(to_run, config, sandbox, cache, workers, progress))
    progress.close(workers if to_run else 0, sandbox.mode)
    unsafe = to_run and sandbox.mode == "none"
    return Observations(observed, (_no_sandbox(config, sandbox),) if unsafe else ())


def _plan(
    number: int, post: Post, config: SiteConfig, sandbox: Sandbox, run_token: str
) -> _Planned:
    check = config.check
    blocks = [
        _block_job(b, check.block_timeout) for b in post.runnable_blocks if b.options.skip is None
    ]
    job = Job(
        id=number,
        path=post.path,
        nonce=f"{run_token}{number}",
        post_timeout=check.post_timeout,
        output_limit=check.output_limit_kib * 1024,
        blocks=blocks,
    )
    return _Planned(post, post_key(post, check, sandbox.mode), job if blocks else None)


def _block_job(block: CodeBlock, default_timeout: float) -> BlockJob:
    transcript = block.kind is BlockKind.TRANSCRIPT
    examples = (
        [ExampleJob(source=e.source, line=e.line) for e in parse_transcript(block)]
        if transcript
        else []
    )
    return BlockJob(
        index=block.index,
        kind="compile" if block.options.compile else ("transcript" if transcript else "script"),
        source=block.source,
        line=block.line,
        timeout=block.options.timeout if block.options.timeout is not None else default_timeout,
        raises=block.options.raises,
        isolated=block.options.isolated,
        requires=list(block.options.requires),
        examples=examples,
    )


def _workers(request: RunRequest, config: SiteConfig, posts: int) -> int:
    wanted = request.jobs or config.check.jobs or WORKERS_PER_CPU * (os.cpu_count() or 1)
    return max(1, min(wanted, posts))


def _run(
    to_run: list[_Planned],
    config: SiteConfig,
    sandbox: Sandbox,
    cache: RunCache | None,
    workers: int,
    progress: Progress,
) -> dict[str, Observed]:
    known = cache.durations() if cache else {}
    by_path = {p.post.path: p for p in to_run}
    order = longest_first(list(by_path), known, _UNKNOWN_DURATION_S)
    jobs = [job for path in order if (job := by_path[path].job) is not None]
    by_id = {p.job["id"]: p for p in to_run if p.job is not None}

    def listen(event: str, job: Job | None) -> None:
        if job is None:
            progress.tick()
        elif event == "start":
            progress.start(job["path"])
        else:
            progress.finish(job["path"])

    base = tempfile.mkdtemp(prefix="pebbles-run-")
    try:
        settings = sandbox.worker_settings(config.check, base)
        reports = run_jobs(jobs, sandbox, settings, workers, base, listen)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    found: dict[str, Observed] = {}
    for number, report in reports.items():
        item = by_id[number]
        assert item.job is not None
        executions = from_report(item.post.runnable_blocks, item.job, report)
        found[item.post.path] = Observed(tuple(executions), report["elapsed"])
        if cache and not any(e.outcome in _UNCACHED for e in executions):
            cache.store(item.key, item.post, executions, report["elapsed"])
    if cache:
        cache.save()
        cache.record_durations({path: seen.duration_s for path, seen in found.items()})
    return found


def _all_skipped(post: Post) -> tuple[BlockExecution, ...]:
    return tuple(
        BlockExecution(b.index, "skipped", detail=b.options.skip) for b in post.runnable_blocks
    )


def _judge(post: Post, observed: Observed) -> RunOutcome:
    by_index = {e.index: e for e in observed.executions}
    results = []
    findings: list[Diagnostic] = []
    for block in post.runnable_blocks:
        result, found = judge_block(block, by_index[block.index], post.path)
        results.append(result)
        findings.extend(found)
    return RunOutcome(tuple(results), tuple(findings), observed.duration_s, PYTHON)


def _no_sandbox(config: SiteConfig, sandbox: Sandbox) -> Diagnostic:
    return Diagnostic(
        display_path(config.root / config.path),
        1,
        1,
        Severity.WARNING,
        "no-sandbox",
        f"post code ran WITHOUT a sandbox: {sandbox.reason}. Only resource limits and "
        "timeouts contained it; it could read or change anything you can. "
        "--require-sandbox makes this an error",
    )
