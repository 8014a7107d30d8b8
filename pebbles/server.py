"""``pebbles serve``: the built site with live reload, plus the desk's API.

Starlette routes the requests (the desk's are in :mod:`pebbles.desk_api`) and
uvicorn speaks HTTP. Pages are served from the
last good build with two things added in serve mode only: the live-reload script
on every page, and the desk's script and session token on the Write a Post page.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import socket
import sys
from collections.abc import AsyncIterator, Callable
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
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from .check import Runner
from .desk_api import Desk, desk_routes, new_desk
from .errors import EXIT_OK
from .guard import TOKEN_META, allowed_hosts, new_token
from .rebuild import Builder, BuildState, state_json, watch
from .site import WRITE
from .submissions import sweep

ASSETS = Path(__file__).resolve().parent / "assets"
CLIENT_FILES = {"live.js": "text/javascript", "desk.js": "text/javascript", "desk.css": "text/css"}
KEEPALIVE_S = 15.0


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
    desk = new_desk(builder, runner, token=token, allow_unsandboxed=allow_unsandboxed)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        async with anyio.create_task_group() as group:
            if watching:
                group.start_soon(watch, builder, desk.hub, stop, on_build)
            yield
            stop.set()

    routes = [
        *desk_routes(desk),
        Route("/__pebbles/events", functools.partial(_events, desk=desk)),
        Route("/__pebbles/{name}", _client_file),
        Mount("/", SiteFiles(builder.out, token)),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=hosts)]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


# --- live reload -------------------------------------------------------------------


async def _events(request: Request, desk: Desk) -> Response:
    """Server-sent events: the build state now, then after every build."""

    async def stream() -> AsyncIterator[str]:
        yield "retry: 1000\n\n"
        sent = -1
        while True:
            state = desk.hub.state
            if state.version != sent:
                sent = state.version
                yield f"event: build\ndata: {json.dumps(state_json(state))}\n\n"
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
