"""What post code can see and do inside the sandbox, and how the run behaves without one."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import pebbles
from pebbles import session, worker
from pebbles.sandbox import bwrap_problem

from .conftest import Site
from .running import GOOD, Cli, check, needs_bwrap, write_posts

REMOUNT = """\
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
MS_REMOUNT, MS_BIND = 32, 4096
for target in (b"/", b"/usr"):
    failed = libc.mount(None, target, None, MS_REMOUNT | MS_BIND, None) != 0
    print(target.decode(), errno.errorcode[ctypes.get_errno()] if failed else "remounted")
status = open("/proc/self/status").read()
print([line.split()[1] for line in status.splitlines() if line.startswith("CapEff")])
"""


@needs_bwrap
def test_root_inside_the_sandbox_cannot_remount_anything(site: Site, cli: Cli) -> None:
    # Without --cap-drop ALL, root in bubblewrap can remount /usr read-write and
    # write through to the host; with it, every capability is gone.
    expected = "/ EPERM\n/usr EPERM\n['0000000000000000']\n"
    write_posts(site, remount=f"```python\n{REMOUNT}```\n\n```output\n{expected}```\n")
    checked = check(site, cli)
    assert checked.code == 0, checked.text


VIEW = """\
import os
print("repository:", os.path.exists({repo!r}))
print("host tmp file:", os.path.exists({host_file!r}))
print("pebbles package:", os.path.exists({package!r}))
print("/tmp:", sorted(name for name in os.listdir("/tmp") if not name.startswith("post-")))
"""


@needs_bwrap
def test_the_sandbox_shows_neither_the_repository_nor_the_hosts_tmp(
    site: Site, cli: Cli, tmp_path: Path
) -> None:
    host_file = tmp_path / f"visible-{uuid.uuid4()}"
    host_file.write_text("host")
    package = Path(pebbles.__file__).parent
    code = VIEW.format(
        repo=str(package.parent / "pyproject.toml"),
        host_file=str(host_file),
        package=str(package / "session.py"),
    )
    # A checkout under /tmp shows up only as the folder holding its read-only binds.
    bound_in_tmp = {
        Path(os.path.realpath(p)).relative_to("/tmp").parts[0]
        for p in (sys.prefix, str(package))
        if os.path.realpath(p).startswith("/tmp/")
    }
    listing = sorted({".matplotlib", *bound_in_tmp})
    expected = f"repository: False\nhost tmp file: False\npebbles package: True\n/tmp: {listing}\n"
    write_posts(site, view=f"```python\n{code}```\n\n```output\n{expected}```\n")
    checked = check(site, cli)
    assert checked.code == 0, checked.text


ENVIRONMENT = """\
import os, time
print(sorted(os.environ))
print(os.environ["HOME"] == os.getcwd() == os.environ["TMPDIR"])
print(os.environ["PYTHONHASHSEED"], os.environ["TZ"], time.strftime("%Z"), os.environ["LANG"])
print(hash("pebbles"))
"""


def test_posts_get_a_small_deterministic_environment(site: Site, cli: Cli) -> None:
    seeded = subprocess.run(
        [sys.executable, "-c", "print(hash('pebbles'))"],
        env={"PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = ["HOME", "LANG", "MPLBACKEND", "MPLCONFIGDIR", "PATH"]
    names += ["PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED", "TMPDIR", "TZ"]
    expected = f"{names}\nTrue\n0 UTC UTC C.UTF-8\n{seeded}"
    write_posts(site, env=f"```python\n{ENVIRONMENT}```\n\n```output\n{expected}```\n")
    checked = check(site, cli)
    assert checked.code == 0, checked.text


def test_each_post_gets_a_fresh_working_folder(site: Site, cli: Cli) -> None:
    leave = "```python\nopen('note.txt', 'w').write('left behind')\n```\n"
    look = "```python\nimport os\nprint(os.path.exists('note.txt'))\n```\n\n```output\nFalse\n```\n"
    write_posts(site, first=leave, second=look, third=leave.replace("note", "other"))
    checked = check(site, cli, "--jobs", "1")
    assert checked.code == 0, checked.text


def test_a_posts_folder_is_removed_full_empty_or_gone(tmp_path: Path) -> None:
    full, empty = tmp_path / "full", tmp_path / "empty"
    (full / "inner").mkdir(parents=True)
    (full / "inner" / "note.txt").write_text("left behind")
    empty.mkdir()
    for folder in (full, empty, tmp_path / "gone"):
        worker._remove(str(folder))
    assert list(tmp_path.iterdir()) == []


def test_the_worker_leaves_modules_with_fork_hooks_or_weight_to_the_posts() -> None:
    # threading and random re-initialise in every forked child; inspect and shutil
    # only make the heap each fork copies bigger. A post that needs them imports them.
    code = "import sys, pebbles.worker; print(sorted({'threading', 'random', 'inspect', 'shutil'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_session_knows_inspects_coroutine_flag() -> None:
    assert session.CO_COROUTINE == inspect.CO_COROUTINE


# --- without bubblewrap ----------------------------------------------------------


@pytest.fixture
def no_bwrap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A PATH on which there is no bwrap."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    bwrap_problem.cache_clear()
    yield
    bwrap_problem.cache_clear()


def sandbox_setting(site: Site, mode: str) -> None:
    text = (site.root / "site.yml").read_text()
    (site.root / "site.yml").write_text(text.replace("check:\n", f"check:\n  sandbox: {mode}\n"))


@pytest.mark.usefixtures("no_bwrap")
def test_without_bwrap_posts_run_with_a_loud_warning(site: Site, cli: Cli) -> None:
    write_posts(site, good=GOOD)
    checked = check(site, cli)
    assert checked.code == 0, checked.text
    assert (
        "site.yml:1:1: warning: post code ran WITHOUT a sandbox: bwrap is not installed"
        in checked.text
    )
    assert checked.text.rstrip().endswith("1 warning")


@pytest.mark.usefixtures("no_bwrap")
def test_require_sandbox_refuses_to_run_without_bwrap(site: Site, cli: Cli) -> None:
    write_posts(site, good=GOOD)
    result = cli("check", "--require-sandbox")
    assert result.code == 2
    assert result.err.strip() == (
        "pebbles: error: --require-sandbox was given, but bubblewrap cannot be used: "
        "bwrap is not installed (Debian/Ubuntu: apt install bubblewrap)"
    )


@pytest.mark.usefixtures("no_bwrap")
def test_asking_for_bwrap_in_site_yml_without_bwrap_is_an_error(site: Site, cli: Cli) -> None:
    sandbox_setting(site, "bwrap")
    write_posts(site, good=GOOD)
    result = cli("check")
    assert result.code == 2
    assert "check.sandbox is 'bwrap', but bubblewrap cannot be used" in result.err


def test_sandbox_none_in_site_yml_warns(site: Site, cli: Cli) -> None:
    sandbox_setting(site, "none")
    write_posts(site, good=GOOD)
    checked = check(site, cli)
    assert checked.code == 0, checked.text
    assert "WITHOUT a sandbox: site.yml sets check.sandbox: none" in checked.text


def test_sandbox_none_with_require_sandbox_is_an_error(site: Site, cli: Cli) -> None:
    sandbox_setting(site, "none")
    write_posts(site, good=GOOD)
    result = cli("check", "--require-sandbox")
    assert result.code == 2
    assert "--require-sandbox was given, but site.yml sets check.sandbox: none" in result.err


def test_no_warning_when_nothing_ran(site: Site, cli: Cli) -> None:
    sandbox_setting(site, "none")
    write_posts(site, skipped='```python skip="needs a GPU"\nprint(1)\n```\n')
    checked = check(site, cli)
    assert checked.code == 0, checked.text
    assert "warning" not in checked.text


@needs_bwrap
def test_the_sandbox_is_used_when_bwrap_works(site: Site, cli: Cli) -> None:
    write_posts(site, good=GOOD)
    checked = check(site, cli, "--require-sandbox")
    assert checked.code == 0, checked.text
    assert "warning" not in checked.text
