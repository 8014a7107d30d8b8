"""A long-lived process inside the sandbox that forks one fresh child per post.

Starting an interpreter costs tens of milliseconds; forking a warm one costs about
one. So the runner starts a few workers per run (each behind its own bubblewrap),
and each worker, for every post it is sent, forks a child that drops to a fresh
user id and resource limits, runs the post (:mod:`pebbles.session`) and exits. The
worker reads the child's stdout, stderr and event pipes, enforces the deadlines and
the output cap with ``SIGKILL``, sweeps up every process the post left behind, and
answers with one :class:`~pebbles.protocol.Report`.

The worker never runs author code itself, and is single-threaded, so forking it is
safe. It speaks one JSON line per message on its stdin and stdout.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import resource
import select
import signal
import sys
import time
from typing import Any, NoReturn

from . import session
from .protocol import Job, Limits, Report, WorkerSettings

_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_LIBC = ctypes.CDLL(None, use_errno=True)
_READ_SIZE = 1 << 16
# Fresh user ids for posts come from a range no real account uses, so that
# RLIMIT_NPROC counts only that post's processes and the post cannot signal the
# worker (which keeps running as root, without most capabilities).
_UID_RANGE = (1_000_000_000, 2_000_000_000)
_DRAIN_SECONDS = 1.0


def main() -> None:
    """Serve jobs from stdin until it closes."""
    settings: WorkerSettings = json.loads(sys.stdin.buffer.readline())
    # The launcher put pebbles' parent folder first on the path; posts should not see it.
    home = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path[:] = [entry for entry in sys.path if entry != home]
    _become_subreaper()
    _share_font_cache(settings["workdir_base"])
    # Objects that exist now are never collected; children that would otherwise
    # touch them in a collection would copy their pages for nothing.
    gc.freeze()
    _answer({"ready": True, "python": list(sys.version_info[:3])})
    for line in sys.stdin.buffer:
        job: Job = json.loads(line)
        _answer(dict(run_job(job, settings)))


def run_job(job: Job, settings: WorkerSettings) -> Report:
    """Fork a child for ``job``, watch it to the end, and clean up after it."""
    workdir = os.path.join(settings["workdir_base"], f"post-{job['id']}-{job['nonce']}")
    ctrl_r, ctrl_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    started = time.monotonic()
    worker = os.getpid()
    pid = os.fork()
    if pid == 0:
        for fd in (ctrl_r, out_r, err_r):
            os.close(fd)
        _child(job, settings, workdir, ctrl_w, out_w, err_w, worker)
    for fd in (ctrl_w, out_w, err_w):
        os.close(fd)
    watch = _Watch(job, settings, pid, ctrl_r, out_r, err_r)
    stopped = watch.follow()
    _kill_group(pid)
    _, status = os.waitpid(pid, 0)
    _sweep(settings["kill_all"])
    watch.drain()
    _remove(workdir)
    for fd in (ctrl_r, out_r, err_r):
        os.close(fd)
    return Report(
        id=job["id"],
        events=watch.events,
        stdout=bytes(watch.out).decode("utf-8", "replace"),
        stderr=bytes(watch.err).decode("utf-8", "replace"),
        exit_status=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        stopped=stopped,
        elapsed=time.monotonic() - started,
    )


class _Watch:
    """Reads a child's pipes until it ends, breaks a deadline or prints too much."""

    def __init__(
        self, job: Job, settings: WorkerSettings, pid: int, ctrl: int, out: int, err: int
    ) -> None:
        self.grace = settings["grace"]
        self.limit = job["output_limit"]
        self.post_deadline = time.monotonic() + job["post_timeout"] + self.grace
        self.block_deadline: float | None = None
        self.events: list[dict[str, Any]] = []
        self.out = bytearray()
        self.err = bytearray()
        self.pending = bytearray()
        self.sinks = {ctrl: self._on_ctrl, out: self._on_out, err: self._on_err}
        self.poll = select.poll()
        for fd in self.sinks:
            self.poll.register(fd, select.POLLIN)
        self.pidfd = os.pidfd_open(pid)
        self.poll.register(self.pidfd, select.POLLIN)

    def follow(self) -> str | None:
        """Watch until the child exits; why it was stopped early, if it was."""
        try:
            while True:
                now = time.monotonic()
                deadline = min(self.post_deadline, self.block_deadline or self.post_deadline)
                if now >= deadline:
                    return "timeout" if deadline != self.post_deadline else "post-timeout"
                for fd, _ in self.poll.poll(max(deadline - now, 0) * 1000):
                    if fd == self.pidfd:
                        return None
                    self._read(fd)
                if len(self.out) + len(self.err) > self.limit:
                    return "output-limit"
        finally:
            self.poll.unregister(self.pidfd)
            os.close(self.pidfd)

    def drain(self) -> None:
        """Read what is left in the pipes now that every writer is gone."""
        until = time.monotonic() + _DRAIN_SECONDS
        while self.sinks and time.monotonic() < until:
            ready = self.poll.poll(_DRAIN_SECONDS * 1000)
            if not ready:
                break
            for fd, _ in ready:
                self._read(fd)
        del self.out[self.limit :]

    def _read(self, fd: int) -> None:
        data = os.read(fd, _READ_SIZE)
        if not data:
            self.poll.unregister(fd)
            del self.sinks[fd]
            return
        self.sinks[fd](data)

    def _on_out(self, data: bytes) -> None:
        if len(self.out) + len(self.err) <= self.limit:
            self.out += data

    def _on_err(self, data: bytes) -> None:
        if len(self.out) + len(self.err) <= self.limit:
            self.err += data

    def _on_ctrl(self, data: bytes) -> None:
        self.pending += data
        *lines, rest = self.pending.split(b"\n")
        self.pending = bytearray(rest)
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # the post wrote on our pipe; its own report suffers, no one else's
            if isinstance(event, dict):
                self.events.append(event)
                self._on_event(event)

    def _on_event(self, event: dict[str, Any]) -> None:
        if event.get("ev") == "start" and isinstance(event.get("timeout"), int | float):
            self.block_deadline = time.monotonic() + event["timeout"] + self.grace
        elif event.get("ev") == "end":
            self.block_deadline = None


def _child(
    job: Job, settings: WorkerSettings, workdir: str, ctrl: int, out: int, err: int, worker: int
) -> NoReturn:
    """The post's process: fresh session, identity, limits, folder and streams."""
    try:
        os.setsid()
        _become_subreaper()
        if settings["switch_user"]:
            uid = _fresh_uid()
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        # Without a PID namespace, nothing else ends a post whose worker died.
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != worker:
            os._exit(0)  # the worker died before the signal was armed
        _limit(settings["limits"])
        os.mkdir(workdir, 0o700)
        os.chdir(workdir)
        os.environ["HOME"] = workdir
        os.environ["TMPDIR"] = workdir
        os.environ.pop("PWD", None)  # bubblewrap sets it; posts get only ENVIRONMENT
        sys.path[:] = [workdir, *(entry for entry in sys.path if entry)]  # as for a script there
        _plumb(ctrl, out, err)
        session.run(job, 3, own_uid=settings["switch_user"])
        os._exit(0)
    except BaseException as exc:  # a failure before any post code ran is a worker bug
        os.write(2, f"pebbles worker: {type(exc).__name__}: {exc}\n".encode())
        os._exit(70)


def _fresh_uid() -> int:
    low, high = _UID_RANGE
    return low + int.from_bytes(os.urandom(8), "little") % (high - low)


def _remove(folder: str) -> None:
    """Delete a post's folder: most are empty, and one rmdir is all they need."""
    try:
        os.rmdir(folder)
    except FileNotFoundError:
        return  # the post deleted it
    except OSError:
        import shutil  # only for folders the post filled: it would weigh on every fork

        shutil.rmtree(folder, ignore_errors=True)


def _plumb(ctrl: int, out: int, err: int) -> None:
    """stdin from /dev/null, stdout and stderr to the pipes, events on fd 3, nothing else."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.dup2(ctrl, 3)
    os.closerange(4, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    # Line buffering gives the order a terminal shows when Python and C code
    # (or a subprocess) write to the same stream.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    sys.stderr.reconfigure(line_buffering=True)  # type: ignore[union-attr]


def _limit(limits: Limits) -> None:
    for which, value in (
        (resource.RLIMIT_AS, limits["memory_bytes"]),
        (resource.RLIMIT_CPU, limits["cpu_seconds"]),
        (resource.RLIMIT_FSIZE, limits["file_bytes"]),
        (resource.RLIMIT_NOFILE, limits["open_files"]),
        (resource.RLIMIT_NPROC, limits["processes"]),
        (resource.RLIMIT_CORE, 0),
    ):
        if value < 0:
            continue  # not limited: see pebbles.sandbox
        _, hard = resource.getrlimit(which)
        cap = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (cap, cap))


def _share_font_cache(base: str) -> None:
    """One matplotlib cache per worker: building its font list takes most of a
    second, and a fresh HOME per post would rebuild it for every post. The folder
    is sticky, so no post can change what another post's user id wrote there."""
    folder = os.path.join(base, ".matplotlib")
    os.makedirs(folder, exist_ok=True)
    os.chmod(folder, 0o1777)
    os.environ["MPLCONFIGDIR"] = folder


def _become_subreaper() -> None:
    """Orphans of this process's descendants are re-parented here, not to init,
    so nothing a post starts can slip out of the sweep."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def _prctl(option: int, value: int) -> None:
    if _LIBC.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)


def _sweep(kill_all: bool) -> None:
    """Kill and reap every process still running below this worker."""
    while kids := _children():
        if kill_all:
            _kill_everyone()
        for pid in kids:
            _kill_group(pid)
        for pid in kids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _kill_everyone() -> None:
    # Inside the worker's own PID namespace this reaches every process but the
    # namespace's init and the worker itself.
    with contextlib.suppress(ProcessLookupError):
        os.kill(-1, signal.SIGKILL)


def _children() -> list[int]:
    if session.childless():
        return []
    with open(f"/proc/self/task/{os.getpid()}/children") as handle:
        return [int(pid) for pid in handle.read().split()]


def _answer(message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    view = memoryview(data)
    while view:
        view = view[os.write(1, view) :]


if __name__ == "__main__":
    main()
