"""The submissions queue under load and through a crash, against real `pebbles serve`
processes on loopback. Every acknowledged submission must be on disk, once, whole."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest

from pebbles.submissions import META_FILE, POST_FILE, TEMP_PREFIX, listing

from .desk_site import Served, draft, make_site, needs_sandbox, poll, start_server, stop_server

LOAD_YML = "serve:\n  rate_limit: 10000\n  check_queue: 100\n"
SUBMISSIONS = 50
DOUBLE_CLICKS = 10  # of the submissions repeat an earlier text
CHECKS = 20


def shown_only(number: int) -> str:
    """A post in a topic whose examples are shown, not run: storing it is all the work."""
    body = f"Step {number} of a long walk.\n\n```bash\ngit log --oneline -{number}\n```\n"
    return draft(f"Git step number {number}", body, topic="git")


def runnable(number: int) -> str:
    body = f"Counting to {number}.\n\n```python\nprint({number} + 1)\n```\n\n```output\n{number + 1}\n```\n"
    return draft(f"Counting to {number}", body)


def assert_intact(queue: Path, acknowledged: dict[str, str]) -> None:
    """Each acknowledged id is stored exactly once with exactly the text sent, and
    no submission folder holds a partial file."""
    stored = {s.id: s for s in listing(queue)}
    assert set(acknowledged) <= set(stored)
    for ident, text in acknowledged.items():
        assert stored[ident].text() == text
    for folder in (p for p in queue.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if folder.name in ("rejected", "accepted"):
            continue
        assert sorted(p.name for p in folder.iterdir()) == [POST_FILE, META_FILE], folder
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        text = (folder / POST_FILE).read_text(encoding="utf-8")
        assert meta["content_hash"] == hashlib.sha256(text.encode()).hexdigest()
        assert meta["id"] == folder.name


@pytest.fixture
def load_server(tmp_path: Path) -> Iterator[Served]:
    server = start_server(make_site(tmp_path / "site", LOAD_YML), "--no-check")
    yield server
    stop_server(server)


@needs_sandbox
def test_fifty_submissions_and_twenty_checks_at_once(load_server: Served) -> None:
    # Submissions whose code is only shown load the queue; the checks load the sandbox.
    texts = [shown_only(n) for n in range(SUBMISSIONS - DOUBLE_CLICKS)]
    texts += texts[:DOUBLE_CLICKS]
    headers = {"X-Pebbles-Token": load_server.token(), "Content-Type": "application/json"}

    async def fire() -> tuple[list[httpx2.Response], list[httpx2.Response]]:
        limits = httpx2.Limits(max_connections=SUBMISSIONS + CHECKS)
        async with httpx2.AsyncClient(
            base_url=load_server.url, timeout=120, limits=limits
        ) as client:

            async def send(path: str, text: str) -> httpx2.Response:
                return await client.post(path, json={"markdown": text}, headers=headers)

            submits = [send("api/submit", text) for text in texts]
            checks = [send("api/check", runnable(1000 + n)) for n in range(CHECKS)]
            answers = await asyncio.wait_for(asyncio.gather(*submits, *checks), timeout=180)
            return answers[:SUBMISSIONS], answers[SUBMISSIONS:]

    submitted, checked = asyncio.run(fire())
    assert [r.status_code for r in checked] == [200] * CHECKS
    assert all(r.json()["status"] == "passed" for r in checked)
    assert sorted({r.status_code for r in submitted}) == [200, 201]
    ids = [r.json()["id"] for r in submitted]
    assert [r.status_code for r in submitted].count(201) == SUBMISSIONS - DOUBLE_CLICKS
    assert ids[-DOUBLE_CLICKS:] == ids[:DOUBLE_CLICKS]
    queue = load_server.root / "submissions"
    assert_intact(queue, dict(zip(ids, texts, strict=True)))
    assert len(listing(queue)) == SUBMISSIONS - DOUBLE_CLICKS


def test_a_killed_server_loses_no_acknowledged_submission(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", LOAD_YML)
    server = start_server(root, "--no-check")
    url, token = server.url, server.token()
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def submit(number: int) -> None:
        if stop.is_set():
            return
        text = shown_only(number)
        try:
            response = httpx2.post(
                url + "api/submit",
                json={"markdown": text},
                headers={"X-Pebbles-Token": token},
                timeout=30,
            )
        except httpx2.HTTPError:
            return  # in flight when the server died: never acknowledged
        if response.status_code in (200, 201):
            with lock:
                acknowledged[response.json()["id"]] = text

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(submit, n) for n in range(400)]
        poll(lambda: len(acknowledged) >= 25, 60, "25 acknowledged submissions")
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        stop.set()
        for future in futures:
            future.result(timeout=60)
    stop_server(server)
    queue = root / "submissions"
    with lock:
        sent = dict(acknowledged)
    assert len(sent) >= 25
    assert_intact(queue, sent)
    # A restart clears what the killed process was half-way through writing.
    again = start_server(root, "--no-check")
    try:
        assert not [p for p in queue.iterdir() if p.name.startswith(TEMP_PREFIX)]
        assert_intact(queue, sent)
    finally:
        stop_server(again)
