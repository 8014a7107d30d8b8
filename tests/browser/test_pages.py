"""Every kind of page loads cleanly, fits a phone, and is photographed for review.

Screenshots go to test-artifacts/screenshots/ (not committed): home, topic and
post at desktop (1280×900) and phone (390×844) sizes, plus the post in dark mode.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import ARTIFACTS, DESKTOP, FLAGSHIP, PHONE, NewContext

PAGE_KINDS = {
    "home": "",
    "topic": "topics/multithreading/",
    "post": FLAGSHIP,
    "guides": "guides/",
    "guide": "guides/writing-your-first-pebble/",
    "stepping-stones": "stepping-stones/",
    "contributions": "contributions/",
    "write": "write/",
    "not-found": "404.html",
    "offline": "offline.html",
}
PHOTOGRAPHED = ("home", "topic", "post")


def test_every_kind_of_page_loads_cleanly(live_page: Page) -> None:
    # The fixture fails the test on any console error or uncaught exception,
    # naming the page; the service worker runs, as for a reader.
    for url in PAGE_KINDS.values():
        live_page.goto(url)
        expect(live_page.locator("h1").first).to_be_visible()
        expect(live_page.locator("[data-search]")).to_be_visible()
        # Let the asynchronous start-up (the worker's registration) finish too.
        live_page.evaluate("navigator.serviceWorker.ready")


def test_every_kind_of_page_fits_a_phone_screen(phone: Page) -> None:
    sideways = {}
    for kind, url in PAGE_KINDS.items():
        phone.goto(url)
        overflow = phone.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            sideways[kind] = overflow
    assert sideways == {}, f"pages scroll sideways at 390px wide (px): {sideways}"


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots(new_context: NewContext, size: str, viewport: dict[str, int]) -> None:
    page = new_context(
        viewport=viewport, is_mobile=size == "phone", color_scheme="light"
    ).new_page()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for kind in PHOTOGRAPHED:
        page.goto(PAGE_KINDS[kind])
        shot = ARTIFACTS / f"{kind}-{size}.png"
        page.screenshot(path=shot)
        assert shot.stat().st_size > 10_000
    page.emulate_media(color_scheme="dark")
    page.goto(FLAGSHIP)
    page.screenshot(path=ARTIFACTS / f"post-{size}-dark.png")
