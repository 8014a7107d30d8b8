"""The Write a Post desk's HTTP API: preview, check and submit a draft.

Every write passes the guards first (token, origin, content type, rate). Checks
run in the real runner, at most ``jobs`` at once with a bounded queue behind
them; the same text checked twice, or while it runs, is run once.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import functools
import json
import os
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .check import Runner
from .desk import (
    Draft,
    Snapshot,
    check_report,
    entry_for,
    preview_page,
    problems_json,
    read_draft,
    run_check,
    target_path,
)
from .errors import PebblesError
from .guard import RateLimiter, refuse_write, retry_after
from .model import RunRequest, ServeSettings
from .rebuild import Builder, Hub, state_json
from .sandbox import SandboxError, choose
from .submissions import store

CHECK_MEMORY = 256  # check results remembered by content hash, so Submit after Check is instant


@dataclass
class Desk:
    """The desk's moving parts, shared by its request handlers."""

    builder: Builder
    hub: Hub
    runner: Runner
    token: str
    allow_unsandboxed: bool
    settings: ServeSettings
    limiter: RateLimiter
    jobs: int  # checks that run at once; more wait in a queue of settings.check_queue
    slots: asyncio.Semaphore
    clock: Callable[[], _dt.datetime] = lambda: _dt.datetime.now(_dt.UTC)
    pending: int = 0  # checks running or waiting for a slot
    running: int = 0
    results: OrderedDict[str, dict[str, Any]] = field(default_factory=OrderedDict)
    inflight: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)


class Busy(Exception):
    """Every check slot is taken and the queue is full."""


def new_desk(builder: Builder, runner: Runner, *, token: str, allow_unsandboxed: bool) -> Desk:
    """The desk over ``builder``'s site; limits come from its site.yml as first built."""
    snapshot = builder.snapshot
    config = snapshot.site.config if snapshot else None
    settings = config.serve if config else ServeSettings()
    jobs = (config.check.jobs if config else None) or os.cpu_count() or 1
    return Desk(
        builder=builder,
        hub=Hub(builder.state),
        runner=runner,
        token=token,
        allow_unsandboxed=allow_unsandboxed,
        settings=settings,
        limiter=RateLimiter(settings.rate_limit),
        jobs=jobs,
        slots=asyncio.Semaphore(jobs),
    )


def desk_routes(desk: Desk) -> list[Route]:
    """The API's routes; request bodies are capped at ``serve.max_request_kib``."""
    limit = desk.settings.max_request_kib * 1024
    return [
        Route("/api/health", functools.partial(_health, desk=desk)),
        Route("/api/preview", _api(desk, _preview), methods=["POST"], max_body_size=limit),
        Route("/api/check", _api(desk, _check), methods=["POST"], max_body_size=limit),
        Route("/api/submit", _api(desk, _submit), methods=["POST"], max_body_size=limit),
    ]


def _api(
    desk: Desk,
    handler: Callable[[Request, Desk, dict[str, Any]], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        refused = _refused(request, desk)
        if refused is not None:
            return refused
        try:
            payload = json.loads(await request.body())
        except (ValueError, RecursionError):  # RecursionError: nested too deep
            return _error(400, "the request is not JSON")
        if not isinstance(payload, dict) or not isinstance(payload.get("markdown"), str):
            return _error(400, 'send {"markdown": "..."}')
        return await handler(request, desk, payload)

    return endpoint


# --- guarding the desk -------------------------------------------------------------


def _refused(request: Request, desk: Desk) -> Response | None:
    refusal = refuse_write(request, desk.token)
    if refusal is not None:
        return _error(refusal.status, refusal.message)
    client = request.client.host if request.client else "unknown"
    wait = desk.limiter.take(client)
    if wait:
        return _error(429, "too many requests; wait a little", {"Retry-After": retry_after(wait)})
    if desk.builder.snapshot is None:
        return _error(503, "the site has not built yet; see the errors in the terminal")
    return None


def _error(
    status: int, message: str, headers: dict[str, str] | None = None, **more: Any
) -> JSONResponse:
    return JSONResponse({"error": message, **more}, status_code=status, headers=headers)


async def _health(request: Request, desk: Desk) -> Response:
    problem = await _sandbox_problem(desk)
    return JSONResponse(
        {
            "desk": True,
            "check": problem is None,
            "reason": problem,
            "build": state_json(desk.hub.state),
            "checks": {"running": desk.running, "waiting": desk.pending - desk.running},
        }
    )


async def _sandbox_problem(desk: Desk) -> str | None:
    """Why drafts may not run here, or None. Without bubblewrap they run only when
    the server was started with --allow-unsandboxed."""
    snapshot = desk.builder.snapshot
    if snapshot is None:
        return "the site has not built yet"
    setting = snapshot.site.config.check.sandbox

    def probe() -> str | None:
        try:
            choose(setting, not desk.allow_unsandboxed)
        except SandboxError as err:
            return f"{err}; drafts are hostile code, so Check is off (start 'pebbles serve --allow-unsandboxed' to run them anyway)"
        return None

    result: str | None = await anyio.to_thread.run_sync(probe)
    return result


# --- the three desk actions --------------------------------------------------------


async def _read(desk: Desk, payload: dict[str, Any]) -> tuple[Draft, Snapshot]:
    snapshot = desk.builder.snapshot
    assert snapshot is not None, "checked by _refused"
    draft = await anyio.to_thread.run_sync(read_draft, payload["markdown"], snapshot)
    return draft, snapshot


async def _preview(request: Request, desk: Desk, payload: dict[str, Any]) -> Response:
    draft, snapshot = await _read(desk, payload)
    page = await anyio.to_thread.run_sync(preview_page, draft, snapshot, str(request.base_url))
    return JSONResponse(
        {"page": page, "problems": problems_json(draft), "body_line": draft.body_line}
    )


async def _check(request: Request, desk: Desk, payload: dict[str, Any]) -> Response:
    draft, snapshot = await _read(desk, payload)
    if draft.post is None:
        return JSONResponse(check_report(draft, None), status_code=422)
    problem = await _sandbox_problem(desk)
    if problem is not None:
        return _error(503, problem)
    result = await _checked_or_refused(desk, draft, snapshot)
    return result if isinstance(result, Response) else JSONResponse(result)


async def _checked_or_refused(
    desk: Desk, draft: Draft, snapshot: Snapshot
) -> dict[str, Any] | Response:
    try:
        return await _checked(desk, draft, snapshot)
    except Busy:
        return _error(503, "every check slot is busy; try again in a moment", {"Retry-After": "2"})
    except PebblesError as err:
        # Raised before any code ran: the sandbox went away since it was probed, say.
        return _error(503, str(err))


async def _checked(desk: Desk, draft: Draft, snapshot: Snapshot) -> dict[str, Any]:
    """The draft's check result: remembered, joined while it runs, or run in a slot."""
    assert draft.post is not None
    # The same text can judge differently once the site changes (a link's target
    # appears), so a result is good for the build it was made against.
    key = f"{desk.hub.state.version}:{draft.post.content_hash}"
    if key in desk.results:
        desk.results.move_to_end(key)
        return desk.results[key]
    if key in desk.inflight:
        return await asyncio.shield(desk.inflight[key])
    if desk.pending >= desk.jobs + desk.settings.check_queue:
        raise Busy
    future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    desk.inflight[key] = future
    desk.pending += 1
    try:
        async with desk.slots:
            desk.running += 1
            try:
                request = RunRequest(
                    jobs=1, use_cache=False, require_sandbox=not desk.allow_unsandboxed
                )
                result = await anyio.to_thread.run_sync(
                    run_check, draft, snapshot, desk.runner, request
                )
            finally:
                desk.running -= 1
    except BaseException as err:
        future.set_exception(err)
        future.exception()  # retrieved here, so an unjoined failure is not logged as lost
        raise
    finally:
        desk.pending -= 1
        del desk.inflight[key]
    future.set_result(result)
    desk.results[key] = result
    while len(desk.results) > CHECK_MEMORY:
        desk.results.popitem(last=False)
    return result


async def _submit(request: Request, desk: Desk, payload: dict[str, Any]) -> Response:
    draft, snapshot = await _read(desk, payload)
    if not draft.ok:
        return _error(
            422, "fix the problems first", problems=problems_json(draft), body_line=draft.body_line
        )
    problem = await _sandbox_problem(desk)
    if problem is None:
        checked = await _checked_or_refused(desk, draft, snapshot)
        if isinstance(checked, Response):
            return checked
        if checked["status"] == "failed":
            return _error(422, "the check failed; fix the examples first", check=checked)
        result = checked
    else:
        # Nothing runs without a sandbox; the maintainer's `pebbles check` will.
        result = {"status": "not-run", "reason": problem}
    entry = entry_for(draft, result)
    queue = snapshot.site.config.submissions_dir
    submission, created = await anyio.to_thread.run_sync(
        store, queue, draft.text, entry, desk.clock()
    )
    body = {
        "id": submission.id,
        "created": created,
        "state": submission.state,
        "path": target_path(draft).as_posix(),
        "check": result["status"],
    }
    return JSONResponse(body, status_code=201 if created else 200)
