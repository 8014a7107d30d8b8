"""``pebbles serve``: the built site, live reload, and the Write a Post desk's API.

Starlette routes the requests and uvicorn speaks HTTP. Pages are served from the
last good build with two things added in serve mode only: the live-reload script
on every page, and the desk's script and session token on the Write a Post page.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import functools
import json
import os
import socket
import sys
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

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
from .errors import EXIT_OK
from .guard import TOKEN_META, RateLimiter, allowed_hosts, new_token, refuse_write, retry_after
from .model import RunRequest, ServeSettings
from .rebuild import Builder, BuildState, Hub, watch
from .sandbox import SandboxError, choose
from .site import WRITE
from .submissions import store, sweep

ASSETS = Path(__file__).resolve().parent / "assets"
CLIENT_FILES = {"live.js": "text/javascript", "desk.js": "text/javascript", "desk.css": "text/css"}
KEEPALIVE_S = 15.0
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


def create_app(
    builder: Builder,
    runner: Runner,
    *,
    token: str,
    hosts: list[str],
    allow_unsandboxed: bool = False,
    watching: bool = True,
    on_build: Callable[[BuildState], None] = lambda state: None,
) -> Starlette:
    """The ASGI app. ``builder`` must have built once; ``watching`` starts the watcher."""
    snapshot = builder.snapshot
    config = snapshot.site.config if snapshot else None
    settings = config.serve if config else ServeSettings()
    jobs = (config.check.jobs if config else None) or os.cpu_count() or 1
    desk = Desk(
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
    limit = settings.max_request_kib * 1024

    def api(
        handler: Callable[[Request, Desk, dict[str, Any]], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            refused = _refused(request, desk)
            if refused is not None:
                return refused
            try:
                payload = json.loads(await request.body())
            except ValueError:
                return _error(400, "the request is not JSON")
            if not isinstance(payload, dict) or not isinstance(payload.get("markdown"), str):
                return _error(400, 'send {"markdown": "..."}')
            return await handler(request, desk, payload)

        return endpoint

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        async with anyio.create_task_group() as group:
            if watching:
                group.start_soon(watch, builder, desk.hub, stop, on_build)
            yield
            stop.set()

    routes = [
        Route("/api/health", functools.partial(_health, desk=desk)),
        Route("/api/preview", api(_preview), methods=["POST"], max_body_size=limit),
        Route("/api/check", api(_check), methods=["POST"], max_body_size=limit),
        Route("/api/submit", api(_submit), methods=["POST"], max_body_size=limit),
        Route("/__pebbles/events", functools.partial(_events, desk=desk)),
        Route("/__pebbles/{name}", _client_file),
        Mount("/", SiteFiles(builder.out, token)),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts)]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


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
            "build": _state_json(desk.hub.state),
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
    try:
        result = await _checked(desk, draft, snapshot)
    except Busy:
        return _error(503, "every check slot is busy; try again in a moment", {"Retry-After": "2"})
    return JSONResponse(result)


async def _checked(desk: Desk, draft: Draft, snapshot: Snapshot) -> dict[str, Any]:
    """The draft's check result: remembered, joined while it runs, or run in a slot."""
    assert draft.post is not None
    key = draft.post.content_hash
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
        try:
            result = await _checked(desk, draft, snapshot)
        except Busy:
            return _error(
                503, "every check slot is busy; try again in a moment", {"Retry-After": "2"}
            )
        if result["status"] == "failed":
            return _error(422, "the check failed; fix the examples first", check=result)
    else:
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


# --- live reload -------------------------------------------------------------------


def _state_json(state: BuildState) -> dict[str, Any]:
    return {
        "version": state.version,
        "ok": state.ok,
        "summary": state.summary,
        "problems": [
            {"path": d.path, "line": d.line, "column": d.col, "code": d.code, "message": d.message}
            for d in state.diagnostics
        ],
    }


async def _events(request: Request, desk: Desk) -> Response:
    """Server-sent events: the build state now, then after every build."""

    async def stream() -> AsyncIterator[str]:
        yield "retry: 1000\n\n"
        sent = -1
        while True:
            state = desk.hub.state
            if state.version != sent:
                sent = state.version
                yield f"event: build\ndata: {json.dumps(_state_json(state))}\n\n"
            else:
                yield ": still here\n\n"
            await desk.hub.wait(KEEPALIVE_S)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


async def _client_file(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in CLIENT_FILES:
        return Response("not found", status_code=404)
    return FileResponse(
        ASSETS / name, media_type=CLIENT_FILES[name], headers={"Cache-Control": "no-store"}
    )


class SiteFiles(StaticFiles):
    """The built site, with the serve-mode scripts added to every HTML page."""

    def __init__(self, out: Path, token: str) -> None:
        super().__init__(directory=out, html=True, check_dir=False)
        self.out = out
        self.token = token

    async def check_config(self) -> None:
        """The folder appears with the first good build; until then a placeholder is served."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not self.out.is_dir():
            return HTMLResponse(inject(_NOT_BUILT, desk=False, token=self.token), status_code=503)
        response = await super().get_response(path, scope)
        if isinstance(response, FileResponse) and str(response.path).endswith(".html"):
            page = Path(response.path)
            text = await anyio.Path(page).read_text(encoding="utf-8")
            desk = page == self.out.resolve() / WRITE / "index.html"
            return HTMLResponse(
                inject(text, desk=desk, token=self.token),
                status_code=response.status_code,
                headers={"Cache-Control": "no-store"},
            )
        return response

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        # Pages are rewritten on the way out, so "not modified" must never be said of them.
        if str(full_path).endswith(".html"):
            return FileResponse(full_path, status_code=status_code, stat_result=stat_result)
        return super().file_response(full_path, stat_result, scope, status_code)


_NOT_BUILT = "<!doctype html><html><head><title>Not built yet</title></head><body><p>The site has not built yet: see the problems shown here or in the terminal.</p></body></html>"


def inject(html: str, *, desk: bool, token: str) -> str:
    """Add the serve-mode tags before ``</head>``; the token only on the desk's page."""
    tags = '<script src="/__pebbles/live.js" defer></script>\n'
    if desk:
        tags += (
            f'<meta name="{TOKEN_META}" content="{token}">\n'
            '<link rel="stylesheet" href="/__pebbles/desk.css">\n'
            '<script src="/__pebbles/desk.js" defer></script>\n'
        )
    at = html.lower().find("</head>")
    return html[:at] + tags + html[at:] if at >= 0 else tags + html


# --- running -----------------------------------------------------------------------


def serve(
    root: Path, host: str, port: int, *, run_code: bool, allow_unsandboxed: bool, out: Path
) -> int:
    """Build, then serve until interrupted. Prints the address once it is listening."""
    from .runner import run_posts

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    base = f"http://{shown_host}:{bound}/"
    builder = Builder(root, out, runner=run_posts if run_code else None, base_url=base)
    _report(builder.build())
    if builder.snapshot is not None:
        swept = sweep(builder.snapshot.site.config.submissions_dir)
        if swept:
            print(
                f"pebbles: removed {swept} unfinished submission write(s) left by a crash",
                file=sys.stderr,
            )
    app = create_app(
        builder,
        run_posts,
        token=new_token(),
        hosts=allowed_hosts(host, bound),
        allow_unsandboxed=allow_unsandboxed,
        on_build=_report,
    )
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="on")
    server = uvicorn.Server(config)
    # Listening before saying so: whoever reads the address may connect at once.
    sock.listen(128)
    print(f"pebbles: serving {base} (Write a Post: {base}{WRITE}) · Ctrl+C to stop", flush=True)
    asyncio.run(server.serve(sockets=[sock]))
    return EXIT_OK


def _report(state: BuildState) -> None:
    if state.ok:
        print(f"pebbles: {state.summary}", flush=True)
        return
    for problem in state.diagnostics:
        print(problem.format(), file=sys.stderr)
    print(
        f"pebbles: {state.summary}; still serving the last good site", file=sys.stderr, flush=True
    )
