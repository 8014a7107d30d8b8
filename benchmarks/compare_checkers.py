"""Time ``pebbles check`` against pytest-codeblocks and pytest-markdown-docs.

    python benchmarks/compare_checkers.py [--sizes 200 1000]

For each size the same synthetic posts (benchmarks/generate.py) are checked by
every tool in this one run, so the ratios compare like with like on this machine.
The two anchors live in their own virtual environment under benchmarks/_work/
(created on first use with pip), never in the project's. They are timed serially
(their default) and with pytest-xdist on every core. Note what each one does: the
anchors only run the Python blocks; pebbles also checks every stated output, runs
transcripts and print comments, and runs each post sandboxed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
import venv
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

WORK = Path(__file__).resolve().parent / "_work"
ANCHOR_VENV = WORK / "anchors-venv"
ANCHOR_PACKAGES = ("pytest", "pytest-xdist", "pytest-codeblocks", "pytest-markdown-docs")


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: float
    exit_code: int
    summary: str


def anchor_python() -> Path:
    """The anchors' interpreter, installing them the first time."""
    python = ANCHOR_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {ANCHOR_VENV} with {', '.join(ANCHOR_PACKAGES)} …", flush=True)
        venv.create(ANCHOR_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *ANCHOR_PACKAGES], check=True)
    return python


def timed(label: str, command: list[str], cwd: Path) -> Timing:
    """Run ``command`` once; wall time from start to exit."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return Timing(label, seconds, done.returncode, lines[-1].strip("= ") if lines else "")


def measure(count: int, anchors: Path | None) -> list[Timing]:
    """Every tool on one freshly generated site of ``count`` posts."""
    site = WORK / f"site-{count}"
    generate(count, site)
    # An empty ini file stops pytest from picking up the repository's own settings.
    (site / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    cores = str(os.cpu_count() or 1)
    timings: list[Timing] = []
    if anchors is not None:
        base = [str(anchors), "-m", "pytest", "-q", "-p", "no:cacheprovider", "content"]
        for flag, name in (
            ("--codeblocks", "pytest-codeblocks"),
            ("--markdown-docs", "pytest-markdown-docs"),
        ):
            timings.append(timed(name, [*base, flag], site))
            timings.append(timed(f"{name} -n {cores}", [*base, flag, "-n", cores], site))
    pebbles = [sys.executable, "-m", "pebbles", "check", "--root", str(site)]
    shutil.rmtree(site / ".pebbles-cache", ignore_errors=True)
    timings.append(timed("pebbles check (cold cache)", pebbles, site))
    timings.append(timed("pebbles check --no-cache", [*pebbles, "--no-cache"], site))
    timings.append(timed("pebbles check (warm cache)", pebbles, site))
    _edit_one_post(site)
    timings.append(timed("pebbles check (warm, 1 post edited)", pebbles, site))
    return timings


def _edit_one_post(site: Path) -> None:
    """Change the code (not just the prose) of one post, so it must run again."""
    post = site / "content" / "bench" / "post-00000.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("sum(range(0))", "sum(range(0)) + 0"), encoding="utf-8")


def report(count: int, timings: list[Timing]) -> str:
    """A table with each time as a ratio to the pebbles cold-cache run."""
    base = next(t for t in timings if t.label == "pebbles check (cold cache)").seconds
    width = max(len(t.label) for t in timings)
    lines = [
        f"N={count} posts · {os.cpu_count()} CPUs · {platform.machine()} · "
        f"Python {platform.python_version()}",
        f"{'tool':<{width}}  {'seconds':>8}  {'÷ pebbles cold':>14}  exit  last line",
    ]
    for t in timings:
        ratio = t.seconds / base if base else float("nan")
        lines.append(
            f"{t.label:<{width}}  {t.seconds:8.2f}  {ratio:13.2f}×  {t.exit_code:>4}  {t.summary[:70]}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument(
        "--no-anchors", action="store_true", help="time pebbles only (no pip, no network)"
    )
    args = parser.parse_args(argv)
    WORK.mkdir(exist_ok=True)
    anchors = None if args.no_anchors else anchor_python()
    for count in args.sizes:
        print(report(count, measure(count, anchors)), end="\n\n", flush=True)


if __name__ == "__main__":
    main()
