"""Browser tests: the real site, built once, served on loopback, driven in Debian's chromium.

The site is this repository's own ``site.yml`` and ``content/`` plus the posts in
``tests/fixtures/browser/`` (XSS probes), built with ``pebbles build --no-check``
into a temporary folder shared by all xdist workers. Each worker starts one
chromium and one loopback HTTP server; each test gets a fresh browser context, so
storage, permissions and service workers never leak between tests.

Every page a test opens is watched: a console error, an uncaught exception or a
fired XSS probe fails the test at teardown.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Page,
        sync_playwright,
    )

    HAVE_PLAYWRIGHT = True
except ImportError:  # pragma: no cover - CI installs it with the test extra
    HAVE_PLAYWRIGHT = False

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "browser"
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("PEBBLES_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FLAGSHIP = "posts/multithreading-and-semaphores/"
SUB_PATH = "/sub/"

# Runs before any page script: every way an injected script could announce itself
# lands in window.__xssFired, which the page fixture checks.
PROBE = """
window.__xssFired = [];
window.__xss = function (tag) { window.__xssFired.push(String(tag)); };
["alert", "confirm", "prompt"].forEach(function (name) {
  window[name] = function (message) { window.__xssFired.push(name + ":" + message); };
});
"""


def _missing() -> str | None:
    if not HAVE_PLAYWRIGHT:
        return "playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM} (apt-get install chromium, or set PEBBLES_CHROMIUM)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the built site in headless chromium")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing()
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


# --- the site -----------------------------------------------------------------------


def _build(root: Path) -> Path:
    """Copy the repository's site plus the fixture posts to ``root`` and build it."""
    shutil.copy(REPO / "site.yml", root / "site.yml")
    shutil.copytree(REPO / "content", root / "content")
    for post in FIXTURES.rglob("*.md"):
        target = root / "content" / post.relative_to(FIXTURES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(post, target)
    out = root / "_site"
    command = [
        sys.executable,
        "-m",
        "pebbles",
        "build",
        "--no-check",
        "--root",
        str(root),
        "--out",
        str(out),
    ]
    done = subprocess.run(
        command, cwd=root, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        pytest.fail(f"pebbles build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return out


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site, built by whichever xdist worker gets the lock first."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / "browser-site"
    with open(shared / "browser-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "_site" / "index.html").is_file():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir()
            _build(root)
    return root / "_site"


class _Http(ThreadingHTTPServer):
    """A static file server whose ``overrides`` let a test swap a file's bytes."""

    def __init__(self, directory: Path) -> None:
        super().__init__(("127.0.0.1", 0), partial(_Handler, directory=str(directory)))
        self.overrides: dict[str, bytes] = {}

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The browser drops connections it no longer needs (a page navigated
        # away mid-download); that is not a server fault worth printing.
        pass


_TYPES = {
    ".js": "text/javascript",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
}


class _Handler(SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        # The same site also answers under /sub/, as if deployed to a sub-path.
        if path.startswith(SUB_PATH):
            path = path[len(SUB_PATH) - 1 :]
        return super().translate_path(path)

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        text = str(path)
        if text.endswith("/"):  # a folder URL answers with its index.html
            return "text/html"
        return _TYPES.get(Path(text).suffix) or super().guess_type(path)

    def do_GET(self) -> None:
        assert isinstance(self.server, _Http)
        path = self.path.split("?")[0]
        body = self.server.overrides.get(path)
        if body is None:
            super().do_GET()
            return
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Server:
    url: str  # ends with "/"
    root: Path
    overrides: dict[str, bytes] = field(default_factory=dict)


@pytest.fixture(scope="session")
def server(site_dir: Path) -> Iterator[Server]:
    """The built site on 127.0.0.1 at an ephemeral port, in a background thread."""
    httpd = _Http(site_dir)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}/", site_dir, httpd.overrides)
    finally:
        httpd.shutdown()
        httpd.server_close()


# --- the browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless chromium per xdist worker."""
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Watched:
    """Problems seen on a context's pages."""

    errors: list[str] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        self.pages.append(page)
        page.on("console", lambda m: self._console(page, m))
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: uncaught: {e}"))

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{page.url}: console: {message.text}")

    def fired(self) -> list[str]:
        found: list[str] = []
        for page in self.pages:
            if not page.is_closed():
                found += page.evaluate("window.__xssFired || []")
        return found


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, server: Server) -> Iterator[NewContext]:
    """Make browser contexts on the site; their pages are watched and checked at the end."""
    made: list[tuple[BrowserContext, Watched]] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        # The worker precaches the theme on every fresh context; only the tests
        # about it (and the page-kind sweep) pay for that.
        options.setdefault("service_workers", "block")
        context = browser.new_context(base_url=server.url, **options)
        context.set_default_timeout(10_000)
        context.add_init_script(PROBE)
        watched = Watched()
        context.on("page", watched.watch)
        made.append((context, watched))
        return context

    yield make
    problems = []
    for context, watched in made:
        problems += watched.errors + [f"XSS probe fired: {tag}" for tag in watched.fired()]
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def context(new_context: NewContext) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def live_page(new_context: NewContext) -> Page:
    """A page whose context lets the site's service worker run."""
    return new_context(service_workers="allow").new_page()


@pytest.fixture
def phone(new_context: NewContext) -> Page:
    return new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    ).new_page()
