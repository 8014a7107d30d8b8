"""Live reload in chromium against a real `pebbles serve`: an edited post shows up
in the open tab by itself, and a broken build shows an overlay naming file:line
over the last good page until it is fixed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ..desk_site import Served, draft, make_site, start_server, stop_server
from .conftest import DESKTOP

POST = "content/basics/an-existing-pebble.md"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = start_server(make_site(tmp_path / "site"), "--no-check")
    yield server
    stop_server(server)


@pytest.fixture
def post_page(browser: Browser, served: Served) -> Iterator[Page]:
    context = browser.new_context(base_url=served.url, viewport=DESKTOP)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("posts/an-existing-pebble/")
    # live.js marks the page once the event stream has told it the current build.
    page.wait_for_selector("html[data-pebbles-build]", state="attached")
    yield page
    context.close()
    assert not errors, errors


def test_an_edited_post_updates_the_open_page(post_page: Page, served: Served) -> None:
    expect(post_page.locator(".post-body")).to_contain_text("Sums are the first thing")
    (served.root / POST).write_text(
        draft("An existing pebble", "Products now, not sums.\n"), encoding="utf-8"
    )
    expect(post_page.locator(".post-body")).to_contain_text("Products now, not sums.")


def test_a_broken_build_shows_an_overlay_until_it_is_fixed(post_page: Page, served: Served) -> None:
    post = served.root / POST
    good = post.read_text(encoding="utf-8")
    post.write_text(good.replace('topic: "basics"', 'topic: "basix"'), encoding="utf-8")
    overlay = post_page.locator("#pebbles-build-overlay")
    expect(overlay).to_be_visible()
    expect(overlay.locator(".pebbles-build-problem")).to_contain_text(
        "content/basics/an-existing-pebble.md:4:"
    )
    expect(overlay).to_contain_text("unknown topic 'basix'")
    expect(post_page.locator(".post-body")).to_contain_text("Sums are the first thing")
    post.write_text(good.replace("Sums are the first", "Sums were the first"), encoding="utf-8")
    expect(post_page.locator(".post-body")).to_contain_text("Sums were the first thing")
    expect(overlay).to_have_count(0)
