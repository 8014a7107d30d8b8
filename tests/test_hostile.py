"""Hostile posts: the run survives, the other post still passes, the report says
what happened at the right ``.md`` line.

Each test checks a hostile post next to a good one with the real ``pebbles check``.
Limits are small (``timeout=1``) so the suite stays quick; no test depends on
timing beyond "it ends".
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from .conftest import Site
from .running import FIRST_LINE, GOOD, Checked, Cli, check, needs_bwrap, write_posts

L = FIRST_LINE


def survive(site: Site, cli: Cli, body: str) -> Checked:
    """Check a hostile post beside a good one; the good one must pass."""
    write_posts(site, hostile=body, good=GOOD)
    checked = check(site, cli)
    assert checked.code == 1, checked.text
    assert checked.post("good")["status"] == "passed", checked.text
    assert checked.post("hostile")["status"] == "failed", checked.text
    return checked


def block(code: str, options: str = "") -> str:
    return f"```python {options}\n{code}```\n"


def test_an_endless_loop_times_out_at_its_line(site: Site, cli: Cli) -> None:
    checked = survive(site, cli, block("x = 0\nwhile True: x += 1\n", "timeout=1"))
    (error,) = checked.errors("hostile")
    assert error.startswith(f"{L}:1: error: still running after its 1 s timeout at line {L + 1}")
    assert error.endswith("[timeout]")


def test_a_very_long_sleep_times_out(site: Site, cli: Cli) -> None:
    checked = survive(site, cli, block("import time\ntime.sleep(10**6)\n", "timeout=1"))
    (error,) = checked.errors("hostile")
    assert f"timeout at line {L + 1}" in error and "[timeout]" in error


def test_code_that_ignores_the_timeout_is_killed(site: Site, cli: Cli) -> None:
    code = "import time\nwhile True:\n    try:\n        time.sleep(100)\n    except BaseException:\n        pass\n"
    checked = survive(site, cli, block(code, "timeout=1"))
    (error,) = checked.errors("hostile")
    assert "did not stop when asked; killed" in error and "[timeout]" in error


@needs_bwrap
def test_a_fork_bomb_hits_the_process_limit(site: Site, cli: Cli) -> None:
    checked = survive(site, cli, block("import os\nwhile True:\n    os.fork()\n", "timeout=5"))
    (error,) = checked.errors("hostile")
    assert error.startswith(f"{L + 2}:1: error: uncaught BlockingIOError"), error


def test_killing_the_parent_process_is_contained(site: Site, cli: Cli) -> None:
    checked = survive(site, cli, block("import os\nos.kill(os.getppid(), 9)\n"))
    (error,) = checked.errors("hostile")
    # In the sandbox the post cannot signal its worker; without one it kills it,
    # and the run replaces the worker and carries on.
    assert "PermissionError" in error or "worker running this post died" in error


def test_killing_its_own_process_group_is_reported(site: Site, cli: Cli) -> None:
    checked = survive(site, cli, block("import os\nos.killpg(0, 9)\n") + "\n" + block("print(1)\n"))
    (error,) = checked.errors("hostile")
    assert (
        error
        == f"{L}:1: error: the post's process was killed by SIGKILL during this block [killed]"
    )
    assert checked.statuses("hostile") == ["failed", "not-run"]


DAEMON = """\
import os, time
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        with open("daemon.pid", "w") as f:
            f.write(str(os.getpid()))
        time.sleep(10**6)
    os._exit(0)
os.waitpid(pid, 0)
while not os.path.exists("daemon.pid") or not open("daemon.pid").read():
    time.sleep(0.01)
"""

DAEMON_GONE = """\
daemon = int(open("daemon.pid").read())
print("daemon still running:", os.path.exists(f"/proc/{daemon}"))
"""


def test_a_daemonised_grandchild_is_killed_when_the_block_ends(site: Site, cli: Cli) -> None:
    body = block(DAEMON, "timeout=5") + "\n" + block(DAEMON_GONE)
    body += "\n```output\ndaemon still running: False\n```\n"
    write_posts(site, daemon=body, good=GOOD)
    checked = check(site, cli)
    assert checked.code == 0, checked.text
    assert checked.statuses("daemon") == ["passed", "passed"]


def test_writing_a_huge_file_hits_the_file_size_limit(site: Site, cli: Cli) -> None:
    code = "chunk = b'x' * 2**20\nwith open('big', 'wb') as f:\n    for _ in range(10 * 1024):\n        f.write(chunk)\n"
    checked = survive(site, cli, block(code))
    (error,) = checked.errors("hostile")
    assert error.startswith(f"{L + 3}:1: error: uncaught OSError: [Errno 27] File too large")


def test_printing_a_gigabyte_hits_the_output_limit(site: Site, cli: Cli) -> None:
    code = "import sys\nchunk = 'x' * 2**20\nfor _ in range(1024):\n    sys.stdout.write(chunk)\n"
    checked = survive(site, cli, block(code))
    (error,) = checked.errors("hostile")
    assert error == (
        f"{L}:1: error: printed more than 1024 KiB (check.output_limit_kib); stopped there "
        "[output-limit]"
    )
    actual = checked.post("hostile")["blocks"][0]["actual"]
    assert 0 < len(actual) <= 1024 * 1024


def test_allocating_fifty_gigabytes_hits_the_memory_limit(site: Site, cli: Cli) -> None:
    checked = survive(site, cli, block("blob = bytearray(50 * 2**30)\n"))
    (error,) = checked.errors("hostile")
    assert error.startswith(f"{L}:1: error: ran out of memory (MemoryError)")
    assert error.endswith("[memory-limit]")


SNOOP = """\
import glob
secret = {secret!r}
found = secret in repr(dict(os.environ))
for path in glob.glob("/proc/*/environ"):
    try:
        found = found or secret.encode() in open(path, "rb").read()
    except OSError:
        pass
print("secret found:", found)
"""


@needs_bwrap
def test_the_checkers_environment_is_invisible(
    site: Site, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = f"hunter2-{uuid.uuid4()}"
    monkeypatch.setenv("PEBBLES_TEST_SECRET", secret)
    body = (
        block("import os\n" + SNOOP.format(secret=secret))
        + "\n```output\nsecret found: False\n```\n"
    )
    write_posts(site, snoop=body)
    checked = check(site, cli)
    assert checked.code == 0, checked.text


NETWORK = """\
import errno, socket
def attempt(host, port):
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return "connected"
    except OSError as err:
        return errno.errorcode.get(err.errno, type(err).__name__)
print("loopback:", attempt("127.0.0.1", {port}))
print("outside:", attempt("192.0.2.1", 80))
"""


@needs_bwrap
def test_there_is_no_network_not_even_loopback(site: Site, cli: Cli) -> None:
    with socket.socket() as server:  # a real listener on the host's loopback
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        expected = "loopback: ECONNREFUSED\noutside: ENETUNREACH\n"
        body = block(NETWORK.format(port=port)) + f"\n```output\n{expected}```\n"
        write_posts(site, network=body)
        checked = check(site, cli)
    assert checked.code == 0, checked.text


ESCAPE = """\
import os
for target in {targets!r}:
    try:
        with open(target, "w") as f:
            f.write("escaped")
    except OSError:
        pass
"""


@needs_bwrap
def test_writes_to_the_repository_and_home_do_not_reach_the_host(site: Site, cli: Cli) -> None:
    name = f"pebbles-escape-{uuid.uuid4()}"
    targets = [site.root / name, site.root / "content" / name, Path.home() / name]
    code = ESCAPE.format(targets=[str(t) for t in targets])
    code += f"with open(os.path.expanduser('~/{name}'), 'w') as f:\n    f.write('kept inside')\n"
    write_posts(site, escape=block(code))
    checked = check(site, cli)
    assert checked.code == 0, checked.text
    assert not [t for t in targets if t.exists()]


def test_sys_exit_is_an_error_at_its_line(site: Site, cli: Cli) -> None:
    checked = survive(site, cli, block("import sys\nsys.exit(3)\n") + "\n" + block("print(1)\n"))
    (error,) = checked.errors("hostile")
    assert error.startswith(f"{L + 1}:1: error: uncaught SystemExit: 3")
    assert checked.statuses("hostile") == ["failed", "not-run"]


def test_os_exit_in_the_middle_of_a_block_is_reported(site: Site, cli: Cli) -> None:
    checked = survive(site, cli, block("import os\nprint('before')\nos._exit(0)\n"))
    (error,) = checked.errors("hostile")
    assert error == (
        f"{L}:1: error: the post's process exited with status 0 in the middle of this block [killed]"
    )
    assert checked.post("hostile")["blocks"][0]["actual"] == "before\n"


def test_system_exit_in_a_thread_ends_only_that_thread(site: Site, cli: Cli) -> None:
    code = "import sys, threading\nt = threading.Thread(target=sys.exit, args=(4,))\nt.start()\nt.join()\nprint('main goes on')\n"
    body = block(code) + "\n```output\nmain goes on\n```\n\n" + block("print('next block')\n")
    write_posts(site, threaded=body)
    checked = check(site, cli)
    assert checked.code == 0, checked.text
    assert checked.statuses("threaded") == ["passed", "passed"]


def test_deleting_the_working_folder_fails_only_later_blocks(site: Site, cli: Cli) -> None:
    body = (
        block("import os, shutil\nshutil.rmtree(os.getcwd())\n") + "\n" + block("open('x', 'w')\n")
    )
    checked = survive(site, cli, body)
    (error,) = checked.errors("hostile")
    assert error.startswith(f"{L + 5}:1: error: uncaught FileNotFoundError")


def test_unbounded_recursion_is_an_error_at_the_recursive_line(site: Site, cli: Cli) -> None:
    checked = survive(site, cli, block("def dive(n):\n    return dive(n + 1)\ndive(0)\n"))
    (error,) = checked.errors("hostile")
    assert error.startswith(f"{L + 1}:1: error: ")
    assert "RecursionError: maximum recursion depth exceeded" in checked.text


def test_closing_stdout_breaks_only_the_print_after_it(site: Site, cli: Cli) -> None:
    body = block("import os\nos.close(1)\nprint('lost')\n") + "\n" + block("print('back')\n")
    checked = survive(site, cli, body)
    (error,) = checked.errors("hostile")
    assert error.startswith(f"{L + 2}:1: error: uncaught OSError: [Errno 9] Bad file descriptor")
    assert "session.py" not in checked.text  # the checker's own frames are not shown


def test_the_checker_process_is_untouched(site: Site, cli: Cli) -> None:
    before = os.getpgrp(), os.getpid(), sorted(os.environ)
    survive(site, cli, block("import os, signal\nos.killpg(os.getpgid(0), signal.SIGTERM)\n"))
    assert (os.getpgrp(), os.getpid(), sorted(os.environ)) == before
