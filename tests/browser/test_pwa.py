"""The installable web app: install prompt, service worker, offline pages, updates, kill switch."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import FLAGSHIP, Server

INSTALL_TEXT = "Install Pynfinity — Add to home screen for the best experience"

# Chromium only fires beforeinstallprompt for a site that meets its install
# criteria after some engagement; the test stands in for the browser.
OFFER_INSTALL = """() => {
  const event = new Event("beforeinstallprompt", { cancelable: true });
  event.prompt = () => { window.__prompted = true; return Promise.resolve(); };
  event.userChoice = Promise.resolve({ outcome: "accepted", platform: "web" });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}"""

CONTROLLED = "navigator.serviceWorker.controller !== null"


@pytest.fixture
def page(live_page: Page) -> Page:
    """Every test here runs with the service worker allowed."""
    return live_page


def _install_banner(page: Page) -> Locator:
    return page.get_by_role("region", name="Install the app")


def _controlled(page: Page) -> None:
    """Wait until the service worker has taken over the page."""
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function(CONTROLLED)


def test_install_prompt_appears_when_the_browser_offers(page: Page) -> None:
    page.goto("")
    expect(_install_banner(page)).to_have_count(0)
    assert page.evaluate(OFFER_INSTALL) is True  # the browser's own infobar is held back
    banner = _install_banner(page)
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(INSTALL_TEXT)


def test_install_button_opens_the_browser_prompt(page: Page) -> None:
    page.goto("")
    page.evaluate(OFFER_INSTALL)
    _install_banner(page).get_by_role("button", name="Install").click()
    expect(_install_banner(page)).to_have_count(0)
    assert page.evaluate("window.__prompted") is True


def test_dismissed_prompt_stays_dismissed_after_reload(page: Page) -> None:
    page.goto("")
    page.evaluate(OFFER_INSTALL)
    _install_banner(page).get_by_role("button", name="Dismiss").click()
    expect(_install_banner(page)).to_have_count(0)
    page.evaluate("sessionStorage.clear()")  # a new visit, not just a new page
    page.reload()
    page.evaluate(OFFER_INSTALL)
    page.goto(FLAGSHIP)
    page.evaluate(OFFER_INSTALL)
    expect(_install_banner(page)).to_have_count(0)


def test_prompt_shows_once_per_visit(page: Page) -> None:
    page.goto("")
    page.evaluate(OFFER_INSTALL)
    expect(_install_banner(page)).to_be_visible()
    page.goto(FLAGSHIP)
    page.evaluate(OFFER_INSTALL)
    expect(_install_banner(page)).to_have_count(0)


def test_service_worker_registers_for_the_whole_site(page: Page, server: Server) -> None:
    page.goto(FLAGSHIP)
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == server.url
    script = page.evaluate("navigator.serviceWorker.ready.then(r => r.active.scriptURL)")
    assert script == server.url + "sw.js"


def test_manifest_is_linked_and_its_icons_exist(page: Page, server: Server) -> None:
    page.goto("")
    href = page.locator("link[rel=manifest]").evaluate("link => link.href")
    response = page.request.get(href)
    assert response.ok
    manifest = json.loads(response.text())
    assert manifest["name"] == "Pynfinity"
    for icon in manifest["icons"]:
        assert page.request.get(server.url + icon["src"]).headers["content-type"] == "image/png"


def test_pages_seen_before_work_offline(page: Page) -> None:
    page.goto("")
    _controlled(page)
    page.goto(FLAGSHIP)
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Multithreading and Semaphores")
    expect(page.locator("link[rel=stylesheet]").first).to_be_attached()
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"


def test_unseen_pages_offline_show_the_offline_page(page: Page) -> None:
    page.goto("")
    _controlled(page)
    page.context.set_offline(True)
    page.goto("topics/dockerfiles/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")


def test_online_pages_are_never_served_from_the_cache(page: Page, server: Server) -> None:
    page.goto("")
    _controlled(page)
    page.goto(FLAGSHIP)
    fresh = (
        (server.root / FLAGSHIP / "index.html").read_bytes().replace(b"</h1>", b" (edited)</h1>", 1)
    )
    server.overrides["/" + FLAGSHIP] = fresh
    try:
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_contain_text("(edited)")
    finally:
        server.overrides.clear()


@pytest.fixture
def new_worker(server: Server) -> Iterator[bytes]:
    """The worker script as built; tests serve changed copies of it for a while."""
    built = (server.root / "sw.js").read_bytes()
    yield built
    server.overrides.clear()


def _serve_worker(server: Server, built: bytes, **facts: object) -> None:
    first, rest = built.split(b"\n", 1)
    build = json.loads(first.removeprefix(b"var BUILD = ").removesuffix(b";"))
    build.update(facts)
    server.overrides["/sw.js"] = b"var BUILD = " + json.dumps(build).encode() + b";\n" + rest


def test_new_version_waits_for_the_reader(page: Page, server: Server, new_worker: bytes) -> None:
    page.goto(FLAGSHIP)
    _controlled(page)
    _serve_worker(server, new_worker, version="next-build")
    page.evaluate("window.__sameDocument = true")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    banner = page.get_by_role("region", name="Update available")
    expect(banner).to_contain_text("A new version of Pynfinity is available.")
    # Nothing changes under the reader until they ask for it.
    assert page.evaluate("window.__sameDocument") is True
    banner.get_by_role("button", name="Reload").click()
    page.wait_for_function("window.__sameDocument === undefined")
    _controlled(page)
    names = page.evaluate("caches.keys()")
    assert "pebbles-static-next-build" in names
    assert not [n for n in names if n.startswith("pebbles-") and "next-build" not in n]


def test_kill_switch_unregisters_and_clears_caches(
    page: Page, server: Server, new_worker: bytes
) -> None:
    page.goto("")
    _controlled(page)
    assert page.evaluate("caches.keys()")
    _serve_worker(server, new_worker, kill=True)
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_function("navigator.serviceWorker.getRegistrations().then(r => r.length === 0)")
    page.wait_for_function(
        "caches.keys().then(names => !names.some(n => n.startsWith('pebbles-')))"
    )
