"""What the runner says while it works: a live line on a terminal, little elsewhere.

On a terminal, one line is redrawn in place with the counts and the slowest post
still running. In CI (the ``CI`` variable is set) a live line would only litter the
log, so one plain summary line is printed at the end. Anywhere else, nothing.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

_REDRAW_S = 0.1


class Progress:
    """Counts posts as they start and finish, and shows them as asked."""

    def __init__(self, total: int, *, live: bool, stream: TextIO | None = None) -> None:
        self.total = total
        self.live = live
        self.plain = not live and bool(os.environ.get("CI"))
        self.stream = stream or sys.stderr
        self.done = 0
        self.cached = 0
        self.running: dict[str, float] = {}
        self.started = time.monotonic()
        self.drawn = 0.0
        self.width = 0

    def from_cache(self, count: int) -> None:
        self.cached += count
        self.done += count

    def start(self, path: str) -> None:
        self.running[path] = time.monotonic()
        self._draw()

    def finish(self, path: str) -> None:
        self.running.pop(path, None)
        self.done += 1
        self._draw(force=self.done == self.total)

    def tick(self) -> None:
        self._draw()

    def close(self, workers: int, sandbox: str) -> None:
        """Clear the live line; in CI, say what the run did in one line."""
        if self.live and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
        if self.plain:
            ran = self.total - self.cached
            self.stream.write(
                f"pebbles: ran {ran} post{'s' * (ran != 1)} on {workers} worker"
                f"{'s' * (workers != 1)} ({sandbox}) in {time.monotonic() - self.started:.1f}s; "
                f"{self.cached} from cache\n"
            )
            self.stream.flush()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.live or (not force and now - self.drawn < _REDRAW_S):
            return
        self.drawn = now
        line = f"pebbles: {self.done}/{self.total} posts"
        if self.running:
            path, since = min(self.running.items(), key=lambda item: item[1])
            line += f" · {len(self.running)} running · slowest {path} {now - since:.1f}s"
        self.width = max(self.width, len(line))
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
