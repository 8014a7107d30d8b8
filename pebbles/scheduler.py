"""A pool of sandboxed workers that run posts in parallel, longest first.

Each worker takes one job at a time. A worker that dies (a post killed it, or the
kernel did) or stops answering costs only the post it was running: that post is
reported as lost and a fresh worker takes over the remaining jobs.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from .protocol import Job, Report, WorkerSettings
from .sandbox import Sandbox, SandboxError

_READ_SIZE = 1 << 16
_TICK_S = 0.25  # how often the pool looks at the clock while waiting
_STARTUP_S = 30.0  # a worker that is not ready by then will not be
_SLACK_S = 5.0  # beyond a post's own deadline before the pool gives up on a worker
_MAX_RESTARTS_IN_A_ROW = 3

Listener = Callable[[str, Job | None], None]  # ("start" | "done", job) or ("tick", None)


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    started: float
    buffer: bytearray = field(default_factory=bytearray)
    ready: bool = False
    job: Job | None = None
    since: float = 0.0


def longest_first(keys: Sequence[str], known: dict[str, float], unknown: float) -> list[str]:
    """``keys`` by last known duration, longest first; ``unknown`` stands in for the rest.

    Starting the longest posts first keeps one slow post from running alone at the
    end while the other workers idle.
    """
    return sorted(keys, key=lambda key: -known.get(key, unknown))


def run_jobs(
    jobs: Sequence[Job],
    sandbox: Sandbox,
    settings: WorkerSettings,
    size: int,
    workdir_base: str,
    listener: Listener | None = None,
) -> dict[int, Report]:
    """Run every job on at most ``size`` workers; reports by job id.

    ``jobs`` should already be in the order to start them (longest first).
    """
    pool = _Pool(sandbox, settings, workdir_base, listener)
    try:
        return pool.run(list(jobs), max(1, min(size, len(jobs))))
    finally:
        pool.close()


class _Pool:
    def __init__(
        self, sandbox: Sandbox, settings: WorkerSettings, base: str, listener: Listener | None
    ) -> None:
        self.sandbox = sandbox
        self.settings = settings
        self.base = base
        self.listener = listener or (lambda event, job: None)
        self.selector = selectors.DefaultSelector()
        self.workers: list[_Worker] = []
        self.reports: dict[int, Report] = {}
        self.queue: list[Job] = []
        self.failed_starts = 0

    def run(self, jobs: list[Job], size: int) -> dict[int, Report]:
        self.queue = jobs[::-1]  # pop() from the end takes the first job
        for _ in range(size):
            self._start_worker()
        while self.queue or any(w.job for w in self.workers):
            for worker in self.workers:
                if worker.ready and worker.job is None and self.queue:
                    self._assign(worker, self.queue.pop())
            for key, _ in self.selector.select(_TICK_S):
                self._read(key.data)
            self._watch_clock()
            self.listener("tick", None)
        return self.reports

    def close(self) -> None:
        # Tell every worker first, so they all wind down at once.
        for worker in self.workers:
            assert worker.process.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                worker.process.stdin.close()
        for worker in list(self.workers):
            self._stop(worker)
        self.selector.close()

    # --- workers -----------------------------------------------------------------

    def _start_worker(self) -> None:
        command, env = self.sandbox.worker_command(self.base)
        log = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the worker stops
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            cwd=self.base,
            start_new_session=True,  # so the pool can kill the worker and its bwrap as one
        )
        assert process.stdin is not None and process.stdout is not None
        worker = _Worker(process, log, time.monotonic())
        self.workers.append(worker)
        self.selector.register(process.stdout, selectors.EVENT_READ, worker)
        self._send(worker, dict(self.settings))

    def _assign(self, worker: _Worker, job: Job) -> None:
        worker.job = job
        worker.since = time.monotonic()
        self.listener("start", job)
        self._send(worker, dict(job))

    def _send(self, worker: _Worker, message: dict[str, Any]) -> None:
        assert worker.process.stdin is not None
        try:
            worker.process.stdin.write((json.dumps(message) + "\n").encode())
            worker.process.stdin.flush()
        except BrokenPipeError:
            pass  # the worker is gone; its stdout says so next

    def _read(self, worker: _Worker) -> None:
        assert worker.process.stdout is not None
        data = os.read(worker.process.stdout.fileno(), _READ_SIZE)
        if not data:
            self._lost(worker, "died")
            return
        worker.buffer += data
        while (end := worker.buffer.find(b"\n")) >= 0:
            line = bytes(worker.buffer[:end])
            del worker.buffer[: end + 1]
            self._on_message(worker, json.loads(line))

    def _on_message(self, worker: _Worker, message: dict[str, Any]) -> None:
        if not worker.ready:
            worker.ready = bool(message.get("ready"))
            self.failed_starts = 0
            return
        job = worker.job
        assert job is not None and message.get("id") == job["id"]
        worker.job = None
        self._finish(job, Report(**message))  # type: ignore[typeddict-item]

    def _finish(self, job: Job, report: Report) -> None:
        self.reports[job["id"]] = report
        self.listener("done", job)

    def _watch_clock(self) -> None:
        now = time.monotonic()
        for worker in list(self.workers):
            if not worker.ready and now - worker.started > _STARTUP_S:
                self._lost(worker, "never started")
            elif worker.job is not None:
                allowed = worker.job["post_timeout"] + 2 * self.settings["grace"] + _SLACK_S
                if now - worker.since > allowed:
                    self._lost(worker, "stopped answering")

    def _lost(self, worker: _Worker, how: str) -> None:
        """A worker is gone: report its post, and start another if there is work."""
        job, was_ready = worker.job, worker.ready
        why = _tail(worker)
        self._stop(worker)
        if not was_ready:
            self.failed_starts += 1
            if self.failed_starts >= _MAX_RESTARTS_IN_A_ROW:
                raise SandboxError(f"could not start a worker: {why}")
        if job is not None:
            elapsed = time.monotonic() - worker.since
            self._finish(job, _lost_report(job, how, worker.process.returncode, elapsed))
        if self.queue:
            self._start_worker()

    def _stop(self, worker: _Worker) -> None:
        self.workers.remove(worker)
        assert worker.process.stdout is not None and worker.process.stdin is not None
        self.selector.unregister(worker.process.stdout)
        with contextlib.suppress(BrokenPipeError):
            worker.process.stdin.close()
        if worker.job is not None or not worker.ready:
            _kill_session(worker.process)
        try:
            worker.process.wait(timeout=_STARTUP_S)
        except subprocess.TimeoutExpired:
            _kill_session(worker.process)
            worker.process.wait()
        worker.process.stdout.close()
        worker.log.close()


def _tail(worker: _Worker) -> str:
    """The last line a stopped worker wrote to stderr, to explain why it stopped."""
    worker.log.seek(0)
    text = worker.log.read().decode("utf-8", "replace").strip()
    return text.splitlines()[-1] if text else "it exited without a word"


def _kill_session(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _lost_report(job: Job, how: str, status: int | None, elapsed: float) -> Report:
    return Report(
        id=job["id"],
        events=[],
        stdout="",
        stderr="",
        exit_status=status if status is not None and status >= 0 else None,
        signal=-status if status is not None and status < 0 else None,
        stopped=f"worker {how}",
        elapsed=elapsed,
    )
