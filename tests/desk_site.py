"""Drafts, sites and servers for the tests of ``pebbles serve`` and its desk."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from pebbles.check import Runner
from pebbles.rebuild import Builder
from pebbles.runner import run_posts
from pebbles.sandbox import bwrap_problem
from pebbles.server import create_app

from .conftest import SITE_YML

PASSING = """\
Sums are the first thing everyone adds up.

```python
total = sum([1, 2, 3])
print(total)
```

```output
6
```
"""

FAILING = """\
This one states the wrong answer.

```python
print(2 + 2)
```

```output
5
```
"""

needs_sandbox = pytest.mark.skipif(
    bwrap_problem() is not None, reason=f"bubblewrap is not usable here: {bwrap_problem()}"
)


def draft(title: str = "Adding things up", body: str = PASSING, topic: str = "basics") -> str:
    """A post as the Write a Post page sends it."""
    header = [
        "---",
        f"title: {json.dumps(title)}",
        'emoji: "➕"',
        f"topic: {json.dumps(topic)}",
        "author:",
        '  name: "Ada Example"',
        '  github: "ada-example"',
        "date: 2026-01-02",
        "---",
        "",
    ]
    return "\n".join(header) + body


def make_site(root: Path, extra_yml: str = "", jobs: int = 2) -> Path:
    """A site folder with one published post, so the build has a page of each kind.

    ``extra_yml`` is appended to the shared test site.yml, whose last section is
    ``check:``; indented lines therefore add check settings.
    """
    (root / "content" / "basics").mkdir(parents=True)
    config = SITE_YML.replace("  jobs: 2\n", f"  jobs: {jobs}\n") + extra_yml
    (root / "site.yml").write_text(config, encoding="utf-8")
    (root / "content" / "basics" / "an-existing-pebble.md").write_text(
        draft("An existing pebble"), encoding="utf-8"
    )
    return root


@dataclass
class Desk:
    client: TestClient
    token: str
    root: Path

    def call(self, path: str, markdown: str, **headers: str) -> tuple[int, dict[str, object]]:
        sent = {"X-Pebbles-Token": self.token, "Content-Type": "application/json", **headers}
        response = self.client.post(path, content=json.dumps({"markdown": markdown}), headers=sent)
        return response.status_code, response.json()


@contextmanager
def desk_app(
    root: Path, runner: Runner = run_posts, allow_unsandboxed: bool = False
) -> Iterator[Desk]:
    """The real app over a freshly built site, without the file watcher."""
    builder = Builder(
        root, root / ".pebbles-cache" / "serve", runner=run_posts, base_url="http://testserver/"
    )
    state = builder.build()
    assert state.ok, state.diagnostics
    app = create_app(
        builder,
        runner,
        token="test-token",
        hosts=["testserver"],
        allow_unsandboxed=allow_unsandboxed,
        watching=False,
    )
    with TestClient(app) as client:
        yield Desk(client, "test-token", root)


# --- a real server in its own process ----------------------------------------------


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    root: Path
    log: Path

    def token(self) -> str:
        import urllib.request

        with urllib.request.urlopen(self.url + "write/", timeout=10) as response:
            page = response.read().decode()
        found = re.search(r'name="pebbles-desk" content="([^"]+)"', page)
        assert found, page[:500]
        return found.group(1)


def start_server(root: Path, *args: str, deadline_s: float = 60.0) -> Served:
    """``pebbles serve --port 0`` as a subprocess; returns once it says where it listens."""
    log = root.parent / f"serve-{os.getpid()}-{time.monotonic_ns()}.log"
    handle = log.open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "pebbles", "serve", "--port", "0", *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=handle,
        text=True,
    )
    assert process.stdout is not None
    url = _wait_for_address(process, deadline_s, log)
    return Served(process, url, root, log)


def _wait_for_address(process: subprocess.Popen[str], deadline_s: float, log: Path) -> str:
    assert process.stdout is not None
    give_up = time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise AssertionError(f"pebbles serve exited early:\n{log.read_text()}")
        found = re.search(r"serving (http://\S+/)", line)
        if found:
            return found.group(1)
    process.kill()
    raise AssertionError(f"pebbles serve did not start in {deadline_s}s:\n{log.read_text()}")


def stop_server(served: Served) -> None:
    if served.process.poll() is None:
        served.process.terminate()
        try:
            served.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait()
    if served.process.stdout is not None:
        served.process.stdout.close()


def poll(condition: Callable[[], bool], deadline_s: float, what: str) -> None:
    """Wait for ``condition`` to hold, checking often, failing after ``deadline_s``."""
    give_up = time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {deadline_s}s waiting for {what}")
