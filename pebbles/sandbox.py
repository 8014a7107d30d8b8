"""Where post code runs: the bubblewrap command line, its environment and limits.

With bubblewrap, each worker gets new PID, network, IPC and UTS namespaces (no
network at all), read-only views of ``/usr``, the Python installation and the
pebbles package, and a size-limited tmpfs as ``/tmp``; the host's home, the
repository, ``/tmp`` and environment stay out of sight. Run as root, the worker
keeps only the capabilities it needs to give each post a fresh unprivileged user
id (see :mod:`pebbles.worker`); otherwise bubblewrap makes a user namespace.
Without bubblewrap, posts still get resource limits and are killed by process
group, and the run says loudly that nothing else contains them.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import PebblesError
from .model import CheckSettings
from .protocol import Limits, WorkerSettings

# Everything a post sees of the environment; HOME and TMPDIR are set per post.
ENVIRONMENT = {
    "PYTHONHASHSEED": "0",
    "TZ": "UTC",
    "LANG": "C.UTF-8",
    "PATH": "/usr/bin:/bin",
    "MPLBACKEND": "Agg",
    "PYTHONDONTWRITEBYTECODE": "1",
}
SANDBOX_TMP = "/tmp"
TMPFS_BYTES = 512 * 1024 * 1024
SHM_BYTES = 64 * 1024 * 1024
FILE_BYTES = 64 * 1024 * 1024
OPEN_FILES = 1024
PROCESSES = 256  # processes and threads of one post
CPU_MARGIN_S = 5  # CPU seconds beyond the post's wall-clock limit
GRACE_S = 1.0  # after a deadline, how long the session has to report before SIGKILL
UNLIMITED = -1

_SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# Read by the dynamic loader, by symlinks under /usr/bin, and by TLS and font code.
_ETC = ("/etc/alternatives", "/etc/ld.so.cache", "/etc/ssl", "/etc/fonts", "/etc/mime.types")
# Root in the sandbox keeps just enough to switch each post to a fresh user id,
# signal and remove what the post leaves behind.
_ROOT_CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_KILL", "CAP_DAC_OVERRIDE", "CAP_FOWNER")
_PACKAGE_DIR = Path(__file__).resolve().parent


class SandboxError(PebblesError):
    """Post code cannot run as safely as the configuration or command line demands."""


@dataclass(frozen=True)
class Sandbox:
    """How this run contains post code: ``mode`` is ``bwrap`` or ``none``."""

    mode: str
    reason: str | None = None  # why there is no sandbox

    @property
    def as_root(self) -> bool:
        return self.mode == "bwrap" and os.geteuid() == 0

    def worker_settings(self, check: CheckSettings, workdir_base: str) -> WorkerSettings:
        """What every worker of this run is told before its first job."""
        return WorkerSettings(
            workdir_base=SANDBOX_TMP if self.mode == "bwrap" else workdir_base,
            switch_user=self.as_root,
            kill_all=self.mode == "bwrap",
            grace=GRACE_S,
            limits=limits_for(check, contained=self.mode == "bwrap"),
        )

    def worker_command(self, workdir_base: str) -> tuple[list[str], dict[str, str]]:
        """The command line and environment that start one worker."""
        python = [sys.executable, "-c", _launcher()]
        if self.mode != "bwrap":
            return python, {**ENVIRONMENT, "HOME": workdir_base}
        # bwrap's own process (PID 1 inside) keeps the environment it was started
        # with, and /proc/1/environ is readable there: give it nothing worth reading.
        return bwrap_command(python, self.as_root), {"PATH": ENVIRONMENT["PATH"]}


def limits_for(check: CheckSettings, *, contained: bool) -> Limits:
    """Resource limits for one post's process.

    Outside a sandbox, RLIMIT_NPROC would count every process of the user running
    the checker, so it is left alone there.
    """
    return Limits(
        memory_bytes=check.memory_mb * 1024 * 1024,
        cpu_seconds=math.ceil(check.post_timeout) + CPU_MARGIN_S,
        file_bytes=FILE_BYTES,
        open_files=OPEN_FILES,
        processes=PROCESSES if contained else UNLIMITED,
    )


def choose(setting: str, required: bool) -> Sandbox:
    """The sandbox for this run, from ``check.sandbox`` and ``--require-sandbox``."""
    if setting == "none":
        if required:
            raise SandboxError("--require-sandbox was given, but site.yml sets check.sandbox: none")
        return Sandbox("none", "site.yml sets check.sandbox: none")
    problem = bwrap_problem()
    if problem is None:
        return Sandbox("bwrap")
    if setting == "bwrap" or required:
        why = "check.sandbox is 'bwrap'" if setting == "bwrap" else "--require-sandbox was given"
        raise SandboxError(f"{why}, but bubblewrap cannot be used: {problem}")
    return Sandbox("none", problem)


@functools.cache
def bwrap_problem() -> str | None:
    """Why bubblewrap cannot run here, or ``None`` when it can (asked once per process)."""
    if shutil.which("bwrap") is None:
        return "bwrap is not installed (Debian/Ubuntu: apt install bubblewrap)"
    true = shutil.which("true") or "/usr/bin/true"
    command = bwrap_command([true], os.geteuid() == 0)
    try:
        done = subprocess.run(
            command,
            env={"PATH": ENVIRONMENT["PATH"]},
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bwrap did not start: {err}"
    if done.returncode != 0:
        return f"bwrap failed: {done.stderr.strip() or f'exit status {done.returncode}'}"
    return None


def bwrap_command(command: list[str], as_root: bool) -> list[str]:
    """``bwrap`` options that contain ``command``, then ``command`` itself."""
    if as_root:
        isolation = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
        isolation += ["--unshare-cgroup-try", "--cap-drop", "ALL"]
        for cap in _ROOT_CAPS:
            isolation += ["--cap-add", cap]
    else:
        isolation = ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    args = ["bwrap", *isolation, "--die-with-parent", "--new-session", "--hostname", "pebbles"]
    args.append("--clearenv")
    for name, value in ENVIRONMENT.items():
        args += ["--setenv", name, value]
    args += ["--setenv", "HOME", SANDBOX_TMP]
    args += _filesystem()
    return [*args, "--chdir", SANDBOX_TMP, "--", *command]


def _filesystem() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for path in _SYSTEM_LINKS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in _ETC:
        args += ["--ro-bind-try", path, path]
    args += ["--proc", "/proc", "--dev", "/dev"]
    # multiprocessing's locks and queues are POSIX semaphores, which live in /dev/shm.
    args += ["--size", str(SHM_BYTES), "--perms", "1777", "--tmpfs", "/dev/shm"]
    # The private /tmp goes first: a checkout (and its venv) may itself live under
    # /tmp, and the read-only binds below must land on top of the tmpfs, not under it.
    args += ["--size", str(TMPFS_BYTES), "--perms", "1777", "--tmpfs", SANDBOX_TMP]
    python = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, sys.exec_prefix)}
    wanted = sorted(python | {str(_PACKAGE_DIR)})
    bound = [
        p for p in wanted if not any(_inside(p, other) for other in [*wanted, "/usr"] if other != p)
    ]
    made: set[str] = set()
    for path in bound:
        for parent in reversed(Path(path).parents[:-1]):
            # Directories bubblewrap would create on the way are private to root;
            # a post running under its own user id must be able to walk through.
            if str(parent) not in made:
                made.add(str(parent))
                args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", path, path]
    return args


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _launcher() -> str:
    """Python code that imports the worker from this very package and starts it."""
    return (
        f"import sys; sys.path.insert(0, {str(_PACKAGE_DIR.parent)!r}); "
        "from pebbles.worker import main; main()"
    )
