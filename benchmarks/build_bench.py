"""How fast `pebbles build --no-check` renders a site, against `mkdocs build`.

    python benchmarks/build_bench.py [--sizes 1000 2000 5000] [--mkdocs-sizes 1000]

For each N it writes N generated posts (49 topics, headings, lists, a table, two
Python blocks with stated output, a shell block, links between posts) to
benchmarks/_work/build-N/, then times, in one run on this machine:

- a cold `pebbles build --no-check` (no _site/, no .pebbles-cache/),
- a no-op rebuild of the same, unchanged site,
- a cold `mkdocs build` (default theme, default search plugin) of the very same
  Markdown files, from its own virtualenv under benchmarks/_work/.

It prints the times, pebbles' time per post across the sizes (linearity), the
speed-up over mkdocs and the no-op rebuild as a share of the cold build.
Targets (issue #5): >= 10x mkdocs at N=1000, N=5000 in <= 10 s, no-op < 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work"
MKDOCS_VENV = WORK / "mkdocs-venv"
TOPICS = 49


def site_yml() -> str:
    topics = "\n".join(
        f'  - {{slug: topic-{t}, title: Topic {t}, emoji: "🧩", level: {("start", "middle", "top")[t % 3]}}}'
        for t in range(TOPICS)
    )
    return (
        "site:\n  name: Bench\n  hero: Benchmark\n  tagline: Generated posts\n"
        "  url: https://bench.example.org/\n  repo: https://github.com/example/bench\n"
        'nav:\n  - {title: Guides, emoji: "📚", page: guides}\n'
        '  - {title: Pebbles & Contributions, emoji: "🌍", page: contributions}\n'
        '  - {title: Write a Post, emoji: "✍️", page: write}\n'
        "levels:\n  - {slug: start, title: Start}\n  - {slug: middle, title: Middle}\n"
        "  - {slug: top, title: Top}\n"
        f"topics:\n{topics}\n"
    )


def post_text(number: int) -> str:
    """A post the size of a typical pebble; the same bytes for the same number."""
    topic = number % TOPICS
    sibling = number - TOPICS
    link = f"See also [an earlier post](post-{sibling}.md).\n\n" if sibling >= 0 else ""
    values = [number % 7 + i for i in range(5)]
    return f"""---
title: Generated post number {number}
emoji: "🧪"
topic: topic-{topic}
author: {{name: Author {number % 23}, github: author-{number % 23}}}
date: 2025-{number % 12 + 1:02d}-{number % 28 + 1:02d}
summary: A generated lesson about values, loops and small tables.
tags: [generated, bench]
---

Every lesson starts with a short paragraph that says what the reader will learn,
with some *emphasis*, a bit of `inline code` and a [link](https://docs.python.org/3/).
{link}## Building a list

Lists keep their order and can hold anything:

- make one with square brackets
- add to it with `append`
- read it back with a loop

```python
values = {values!r}
doubled = [v * 2 for v in values]
print(doubled)
```

```output
{[v * 2 for v in values]!r}
```

## Summing up

| step | what happens |
|------|--------------|
| 1 | make the list |
| 2 | add the numbers |

```python
total = sum(values)
print("total:", total)
```

```output
total: {sum(values)}
```

## Trying it yourself

```bash
python3 lesson_{number}.py
```

> Change a number and run it again: the output follows.
"""


def write_site(n: int) -> Path:
    root = WORK / f"build-{n}"
    shutil.rmtree(root, ignore_errors=True)
    (root / "content").mkdir(parents=True)
    (root / "site.yml").write_text(site_yml(), encoding="utf-8")
    for number in range(n):
        folder = root / "content" / f"topic-{number % TOPICS}"
        folder.mkdir(exist_ok=True)
        (folder / f"post-{number}.md").write_text(post_text(number), encoding="utf-8")
    return root


@dataclass(frozen=True)
class Timing:
    wall: float  # what a user waits
    cpu: float  # user + system time of the command and its children: steady under load

    def __str__(self) -> str:
        return f"{self.wall:6.2f}s ({self.cpu:5.2f} cpu)"


def timed(command: list[str], cwd: Path) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def pebbles_cold(root: Path, *flags: str) -> Timing:
    for leftover in (root / "_site", root / ".pebbles-cache"):
        shutil.rmtree(leftover, ignore_errors=True)
    return pebbles_again(root, *flags)


def pebbles_again(root: Path, *flags: str) -> Timing:
    return timed([sys.executable, "-m", "pebbles", "build", "--no-check", *flags], root)


def mkdocs_cold(root: Path, search: bool) -> Timing:
    """mkdocs' default build has its search plugin on; ``plugins: []`` turns it off."""
    config = root / "mkdocs.yml"
    base = "site_name: Bench\ndocs_dir: content\nsite_dir: mkdocs_site\n"
    config.write_text(base + ("" if search else "plugins: []\n"), encoding="utf-8")
    shutil.rmtree(root / "mkdocs_site", ignore_errors=True)
    return timed([str(MKDOCS_VENV / "bin" / "mkdocs"), "build", "--quiet"], root)


def ensure_mkdocs() -> None:
    """mkdocs lives in its own virtualenv so its dependencies never meet pebbles'."""
    if (MKDOCS_VENV / "bin" / "mkdocs").exists():
        return
    subprocess.run([sys.executable, "-m", "venv", str(MKDOCS_VENV)], check=True)
    pip = [str(MKDOCS_VENV / "bin" / "python"), "-m", "pip", "install", "-q", "mkdocs"]
    subprocess.run(pip, check=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables; the exit code is 0 unless a build fails."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--mkdocs-sizes", type=int, nargs="*", default=[1000])
    args = parser.parse_args(argv)
    if args.mkdocs_sizes:
        ensure_mkdocs()
    print(f"site build benchmark · {os.cpu_count()} CPUs · Python {sys.version.split()[0]}")
    print("times are wall clock, with CPU seconds (user + system, all processes) in brackets")
    print(
        f"{'posts':>6} {'cold build':>20} {'per post':>9} {'no-op rebuild':>20} {'no-search build':>20}"
    )
    per_post: dict[int, float] = {}
    pairs: list[str] = []
    for n in sorted(args.sizes):
        root = write_site(n)
        cold = pebbles_cold(root)
        noop = pebbles_again(root)
        bare = pebbles_cold(root, "--no-search")
        per_post[n] = cold.wall / n
        print(f"{n:>6} {cold!s:>20} {per_post[n] * 1000:7.2f}ms {noop!s:>20} {bare!s:>20}")
        print(f"{'':>6} no-op / cold: {noop.wall / cold.wall:.1%} of the wall time")
        if n in args.mkdocs_sizes:
            for label, mine, theirs in (
                ("with search", cold, mkdocs_cold(root, search=True)),
                ("without search", bare, mkdocs_cold(root, search=False)),
            ):
                pairs.append(
                    f"N={n} {label}: mkdocs {theirs} vs pebbles {mine}: "
                    f"{theirs.wall / mine.wall:.1f}x wall, {theirs.cpu / mine.cpu:.1f}x cpu"
                )
    smallest, largest = min(per_post), max(per_post)
    if largest != smallest:
        growth = per_post[largest] / per_post[smallest]
        print(f"linearity: wall time per post at N={largest} is {growth:.2f}x that at N={smallest}")
    for line in pairs:
        print(f"speed-up over mkdocs build (default theme), {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
