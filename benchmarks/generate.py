"""Write a synthetic site of N posts for the checker benchmarks.

    python benchmarks/generate.py N OUT_DIR

The mix is fixed by each post's number, so two runs with the same N write the
same bytes: most posts pass (output blocks, print comments, transcripts), one in
ten states a wrong output, and one in fifty sleeps briefly to stand for a slow
example. Every block is self-contained, so tools that run blocks one by one
(pytest-codeblocks, pytest-markdown-docs) can run the same files.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

SITE_YML = """\
site:
  name: Benchmark
  hero: "Benchmark site"
  tagline: "Synthetic posts"
  url: "https://bench.example.org/"
  repo: "https://github.com/example/bench"
levels:
  - {slug: beginner, title: First steps}
topics:
  - {slug: bench, title: Bench, emoji: "⏱️", level: beginner}
"""

SLOW_SECONDS = 0.05


def post_kind(number: int) -> str:
    """Which kind of post number ``number`` is; the mix the docstring describes."""
    if number % 50 == 7:
        return "slow"
    if number % 10 == 3:
        return "failing"
    return ("output", "comments", "transcript")[number % 3]


def post_text(number: int) -> str:
    """The Markdown of post ``number``."""
    kind = post_kind(number)
    head = (
        f"---\ntitle: Synthetic post {number}\nemoji: 🧪\ntopic: bench\n---\n\n"
        f"# Post {number}\n\nA {kind} example with a little prose around its code.\n\n"
    )
    return head + _BODIES[kind](number) + "\nThat is all for this one.\n"


def _output(number: int) -> str:
    words = [f"w{number}-{i}" for i in range(5)]
    return (
        "```python\n"
        f"words = {words!r}\n"
        "counts = {w: len(w) for w in words}\n"
        "for word in sorted(counts):\n"
        "    print(word, counts[word])\n"
        "```\n\n```output\n" + "".join(f"{w} {len(w)}\n" for w in sorted(words)) + "```\n\n"
        "```python\n"
        f"total = sum(range({number}))\n"
        "print(total)\n"
        "```\n\n```output\n"
        f"{sum(range(number))}\n"
        "```\n"
    )


def _comments(number: int) -> str:
    return (
        "```python\n"
        f"n = {number}\n"
        "print(n * 2)  # " + str(number * 2) + "\n"
        f"print('post-{number}'.upper())  # -> POST-{number}\n"
        "print(sorted({3, 1, 2}))  # [1, 2, 3]\n"
        "```\n"
    )


def _transcript(number: int) -> str:
    return (
        "```pycon\n"
        f">>> values = list(range({number % 7 + 3}))\n"
        ">>> sum(values)\n"
        f"{sum(range(number % 7 + 3))}\n"
        ">>> max(values)\n"
        f"{number % 7 + 2}\n"
        "```\n\n"
        "```python\n"
        f"print('checked {number}')\n"
        "```\n\n```output\n"
        f"checked {number}\n"
        "```\n"
    )


def _failing(number: int) -> str:
    return f"```python\nprint({number} + 1)\n```\n\n```output\n{number + 2}\n```\n"


def _slow(number: int) -> str:
    return (
        "```python\n"
        "import time\n"
        f"time.sleep({SLOW_SECONDS})\n"
        f"print('woke up {number}')\n"
        "```\n\n```output\n"
        f"woke up {number}\n"
        "```\n"
    )


_BODIES = {
    "output": _output,
    "comments": _comments,
    "transcript": _transcript,
    "failing": _failing,
    "slow": _slow,
}


def generate(count: int, out: Path) -> Path:
    """Replace ``out`` with a site of ``count`` posts; returns its content folder."""
    if out.exists():
        shutil.rmtree(out)
    content = out / "content" / "bench"
    content.mkdir(parents=True)
    (out / "site.yml").write_text(SITE_YML, encoding="utf-8")
    for number in range(count):
        (content / f"post-{number:05d}.md").write_text(post_text(number), encoding="utf-8")
    return out / "content"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many posts")
    parser.add_argument("out", type=Path, help="site folder to (re)create")
    args = parser.parse_args()
    generate(args.count, args.out)
    kinds = [post_kind(n) for n in range(args.count)]
    mix = ", ".join(f"{kinds.count(k)} {k}" for k in _BODIES)
    print(f"wrote {args.count} posts to {args.out} ({mix})")


if __name__ == "__main__":
    main()
