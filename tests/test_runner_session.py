"""How one post's blocks run: one namespace as ``__main__``, ``.md`` line numbers,
captured output, block options, and what happens after a failure."""

from __future__ import annotations

import textwrap

import pytest

from pebbles.check import load_site
from pebbles.config import load_config
from pebbles.model import BlockExecution, RunRequest
from pebbles.runner import observe_posts

from .conftest import Site
from .running import FIRST_LINE, HEADER, Cli, check, write_posts

L = FIRST_LINE


def observe(site: Site, body: str) -> tuple[BlockExecution, ...]:
    """What the engine saw while running a post, before any judging."""
    path = site.post("observed", HEADER + textwrap.dedent(body))
    config = load_config(site.root)
    (post,) = [p for p in load_site(config).site.posts if p.slug == "observed"]
    seen = observe_posts([post], config, RunRequest(use_cache=False))
    assert path.exists()
    return seen.posts[post.path].executions


def py(code: str, options: str = "", output: str | None = None) -> str:
    block = f"```python {options}\n{textwrap.dedent(code)}```\n"
    if output is not None:
        block += f"\n```output\n{textwrap.dedent(output)}```\n"
    return block + "\n"


# --- one namespace, registered as __main__ ----------------------------------------


def test_blocks_share_one_namespace(site: Site, cli: Cli) -> None:
    body = py("total = 40\n") + py("total += 2\nprint(total)\n", output="42\n")
    write_posts(site, shared=body)
    assert check(site, cli).code == 0


def test_functions_defined_in_a_post_pickle_and_go_to_worker_processes(
    site: Site, cli: Cli
) -> None:
    code = """\
    import multiprocessing, pickle, sys
    def square(n):
        return n * n
    print(pickle.loads(pickle.dumps(square)) is square, sys.modules["__main__"].square is square)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        print(pool.map(square, range(5)))
    """
    write_posts(site, pool=py(code, output="True True\n[0, 1, 4, 9, 16]\n"))
    checked = check(site, cli)
    assert checked.code == 0, checked.text


def test_a_traceback_names_the_md_lines_of_every_block_it_passes(site: Site, cli: Cli) -> None:
    body = py("def halve(n):\n    return n / 0\n") + py("halve(3)\n")
    write_posts(site, trace=body)
    checked = check(site, cli)
    (error,) = checked.errors("trace")
    assert error.startswith(f"{L + 1}:1: error: uncaught ZeroDivisionError: division by zero")
    assert f'File "content/basics/trace.md", line {L + 5}, in <module>' in checked.text
    assert f'File "content/basics/trace.md", line {L + 1}, in halve' in checked.text
    assert "return n / 0" in checked.text  # the source line is quoted from the post


def test_a_syntax_error_is_reported_at_its_md_line(site: Site, cli: Cli) -> None:
    write_posts(site, syntax=py("x = 1\nif x\n    print(x)\n"))
    (error,) = check(site, cli).errors("syntax")
    assert error.startswith(f"{L + 1}:1: error: uncaught SyntaxError")


def test_top_level_await_runs(site: Site, cli: Cli) -> None:
    code = "import asyncio\nawait asyncio.sleep(0)\nprint(await asyncio.gather(asyncio.sleep(0, 'a'), asyncio.sleep(0, 'b')))\n"
    write_posts(site, waiting=py(code, output="['a', 'b']\n"))
    checked = check(site, cli)
    assert checked.code == 0, checked.text


# --- output ----------------------------------------------------------------------


def test_output_is_captured_at_the_file_descriptor_level_in_order(site: Site, cli: Cli) -> None:
    code = """\
    import ctypes, os, subprocess
    print("python")
    os.write(1, b"raw fd\\n")
    subprocess.run(["echo", "child process"], check=True)
    libc = ctypes.CDLL(None)
    libc.puts(b"C library")
    libc.fflush(None)
    print("python again")
    """
    expected = "python\nraw fd\nchild process\nC library\npython again\n"
    write_posts(site, fds=py(code, output=expected))
    checked = check(site, cli)
    assert checked.code == 0, checked.text


def test_stdout_and_stderr_are_kept_per_block(site: Site) -> None:
    first, second = observe(
        site,
        py("import sys\nprint('out 1')\nprint('err 1', file=sys.stderr)\n")
        + py("print('out 2')\nsys.stderr.write('err 2\\n')\n"),
    )
    assert (first.stdout, first.stderr) == ("out 1\n", "err 1\n")
    assert (second.stdout, second.stderr) == ("out 2\n", "err 2\n")


def test_print_calls_are_recorded_by_the_md_line_that_made_them(site: Site) -> None:
    (seen,) = observe(
        site,
        py(
            "def shout(word):\n    print(word.upper())\nprint('a', 'b', sep='-')\nshout('hi')\nprint('x', file=open('f', 'w'))\n"
        ),
    )
    assert seen.prints == ((L + 2, "a-b\n"), (L + 1, "HI\n"))
    assert seen.stdout == "a-b\nHI\n"


def test_print_comments_are_checked(site: Site, cli: Cli) -> None:
    body = py("total = 6 * 7\nprint(total)  # 42\nprint('Ada')  # 'Bob'\n")
    write_posts(site, comments=body)
    checked = check(site, cli)
    (error,) = checked.errors("comments")
    assert error.startswith(f"{L + 2}:")
    assert "'Bob'" in error


def test_threads_a_block_leaves_running_are_joined_before_the_next_block(
    site: Site, cli: Cli
) -> None:
    code = """\
    import threading, time
    def late():
        time.sleep(0.2)
        print("late")
    threading.Thread(target=late).start()
    """
    body = py(code, output="late\n") + py("print('second')\n", output="second\n")
    write_posts(site, threads=body)
    checked = check(site, cli)
    assert checked.code == 0, checked.text


def test_a_thread_that_never_ends_is_a_timeout_that_names_it(site: Site, cli: Cli) -> None:
    code = "import threading, time\nthreading.Thread(target=time.sleep, args=(60,), name='sleepy').start()\n"
    write_posts(site, stuck=py(code, "timeout=1"))
    (error,) = check(site, cli).errors("stuck")
    assert "waiting for thread 'sleepy' it started" in error and "[timeout]" in error


# --- transcripts -------------------------------------------------------------------


def test_a_transcript_runs_each_statement_and_echoes_expressions(site: Site) -> None:
    body = "```pycon\n>>> x = 2\n>>> x * 21\n42\n>>> print('hi')\nhi\n>>> 1 / 0\nTraceback (most recent call last):\n  ...\nZeroDivisionError: division by zero\n```\n"
    (seen,) = observe(site, body)
    assert seen.outcome == "ok"
    assert seen.examples[:3] == ("", "42\n", "hi\n")
    assert seen.examples[3].startswith("Traceback (most recent call last):\n")
    assert seen.examples[3].endswith("ZeroDivisionError: division by zero\n")


def test_a_wrong_transcript_output_fails_at_its_line(site: Site, cli: Cli) -> None:
    write_posts(site, transcript="```pycon\n>>> 6 * 7\n41\n>>> 'fine'\n'fine'\n```\n")
    checked = check(site, cli)
    (error,) = checked.errors("transcript")
    assert error.startswith(f"{L + 1}:1: error: output differs")


# --- options -------------------------------------------------------------------------


def test_isolated_blocks_do_not_see_the_shared_namespace(site: Site, cli: Cli) -> None:
    body = py("secret = 1\n") + py("print(secret)\n", "isolated")
    write_posts(site, isolated=body)
    (error,) = check(site, cli).errors("isolated")
    assert error.startswith(f"{L + 4}:1: error: uncaught NameError")


def test_compile_only_checks_syntax_and_runs_nothing(site: Site, cli: Cli) -> None:
    body = py("raise SystemExit('ran')\n", "compile") + py("if True\n", "compile")
    write_posts(site, compiled=body)
    checked = check(site, cli)
    assert checked.statuses("compiled") == ["passed", "failed"]
    (error,) = checked.errors("compiled")
    assert error.startswith(f"{L + 4}:1: error: uncaught SyntaxError")


def test_missing_requirements_skip_the_block_with_the_reason(site: Site) -> None:
    (seen, after) = observe(
        site, py("print(1)\n", "requires=pebbles_no_such_package") + py("print(2)\n")
    )
    assert (seen.outcome, seen.detail) == (
        "skipped",
        "requires pebbles_no_such_package, which is not installed",
    )
    assert (after.outcome, after.stdout) == ("ok", "2\n")


def test_skip_never_runs_the_block(site: Site, cli: Cli) -> None:
    body = py("raise SystemExit\n", 'skip="needs a GPU"') + py("print(1)\n", output="1\n")
    write_posts(site, skipping=body)
    checked = check(site, cli)
    assert checked.code == 0, checked.text
    assert checked.statuses("skipping") == ["skipped", "passed"]


def test_an_expected_exception_lets_the_post_go_on(site: Site, cli: Cli) -> None:
    body = py("import json\njson.loads('{')\n", "raises=json.JSONDecodeError")
    body += py("print('after')\n", output="after\n")
    write_posts(site, raising=body)
    checked = check(site, cli)
    assert checked.code == 0, checked.text


def test_after_an_unexpected_error_later_blocks_are_not_run(site: Site, cli: Cli) -> None:
    body = py("print('one')\n", output="one\n") + py("{}['missing']\n") + py("print('three')\n")
    write_posts(site, broken=body)
    checked = check(site, cli)
    assert checked.statuses("broken") == ["passed", "failed", "not-run"]


def test_hidden_blocks_run(site: Site, cli: Cli) -> None:
    body = py("greeting = 'hello'\n", "hidden") + py("print(greeting)\n", output="hello\n")
    write_posts(site, hidden=body)
    assert check(site, cli).code == 0


def test_the_post_timeout_bounds_all_blocks_together(site: Site, cli: Cli) -> None:
    text = (site.root / "site.yml").read_text().replace("post_timeout: 20", "post_timeout: 1")
    (site.root / "site.yml").write_text(text)
    body = py("import time\ntime.sleep(0.6)\n", "timeout=5") + py("time.sleep(0.6)\n", "timeout=5")
    write_posts(site, slow=body)
    checked = check(site, cli)
    (error,) = checked.errors("slow")
    assert error == (
        f"{L + 5}:1: error: the post used up its 1 s (check.post_timeout) at line {L + 5}; "
        "raise check.post_timeout in site.yml [timeout]"
    )


@pytest.mark.parametrize("library", ["matplotlib"])
def test_plotting_libraries_work_in_the_sandbox(site: Site, cli: Cli, library: str) -> None:
    pytest.importorskip(library)
    code = "import matplotlib.pyplot as plt\nplt.plot([1, 2], [3, 4])\nplt.savefig('plot.png')\nimport os\nprint(os.path.getsize('plot.png') > 0)\n"
    # The import alone can take seconds while the rest of the suite loads both
    # CPUs; this test is about what the sandbox allows, not about speed.
    write_posts(site, plot=py(code, f"requires={library} timeout=60", output="True\n"))
    checked = check(site, cli)
    assert checked.code == 0, checked.text


def test_the_json_report_has_real_block_results(site: Site, cli: Cli) -> None:
    write_posts(site, real=py("print('x' * 3)\n", output="xxx\n") + py("1 / 0\n"))
    checked = check(site, cli)
    first, second = checked.post("real")["blocks"]
    assert (first["status"], first["expected"], first["actual"]) == ("passed", "xxx\n", "xxx\n")
    assert first["duration_s"] >= 0 and second["status"] == "failed"


def test_compile_checks_each_statement_of_a_transcript(site: Site, cli: Cli) -> None:
    body = "```pycon compile\n>>> import os\n>>> os.remove('/')\n>>> if True\n```\n"
    write_posts(site, transcript=body)
    checked = check(site, cli)
    (error,) = checked.errors("transcript")
    assert error.startswith(f"{L + 2}:1: error: uncaught SyntaxError")
