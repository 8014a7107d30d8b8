"""The Write a Post desk in chromium, against a real `pebbles serve` process:
type a post, see the server's preview, check it (passing and failing), submit it,
and find the draft again after a reload."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from pebbles.submissions import listing

from ..desk_site import (
    FAILING,
    PASSING,
    Served,
    make_site,
    needs_sandbox,
    start_server,
    stop_server,
)
from .conftest import DESKTOP


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = start_server(make_site(tmp_path_factory.mktemp("desk") / "site"), "--no-check")
    yield server
    stop_server(server)


@pytest.fixture
def desk_page(browser: Browser, served: Served) -> Iterator[Page]:
    context = browser.new_context(base_url=served.url, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    # The browser logs every 4xx answer; a refused draft is an answer the tests expect.
    answered = "Failed to load resource: the server responded with a status of 422"
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and answered not in m.text else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("write/")
    yield page
    context.close()
    assert not errors, errors


def write_post(page: Page, title: str, body: str) -> None:
    page.fill("#write-title", title)
    page.fill("#write-emoji", "➕")
    page.select_option("#write-topic", "basics")
    page.fill("#write-author", "Ada Example")
    page.fill("#write-body", body)


@needs_sandbox
def test_write_preview_check_submit_and_find_the_draft_again(
    desk_page: Page, served: Served
) -> None:
    page = desk_page
    write_post(page, "Adding things up", PASSING)

    preview = page.frame_locator("[data-desk-preview]")
    expect(preview.locator("h1")).to_contain_text("Adding things up")
    expect(preview.locator(".post-body figure.code")).to_have_count(1)
    expect(preview.locator(".post-body")).to_contain_text("Sums are the first thing")

    page.click("[data-desk-check]")
    results = page.locator("[data-desk-results]")
    expect(results).to_have_attribute("data-status", "passed")
    expect(results.locator("[data-block-status=passed]")).to_have_count(1)

    page.fill("#write-body", FAILING)
    page.click("[data-desk-check]")
    expect(results).to_have_attribute("data-status", "failed")
    failed = results.locator("[data-block-status=failed]")
    expect(failed).to_have_count(1)
    # Lines are the Lesson box's own: the fence is its line 3, the stated "5" line 8.
    expect(failed.locator(".desk-block-head")).to_contain_text("lesson line 3 · python · failed")
    expect(failed.locator(".desk-where")).to_have_text("lesson line 8: ")
    diff = results.locator(".desk-diff")
    expect(diff).to_contain_text("| 5")
    expect(diff).to_contain_text("| 4")

    page.fill("#write-body", PASSING)
    page.click("[data-desk-submit]")
    expect(page.locator("[data-write-status]")).to_contain_text("Submitted for review as")
    (stored,) = [s for s in listing(served.root / "submissions") if s.slug == "adding-things-up"]
    assert "sum([1, 2, 3])" in stored.text()
    assert results.get_attribute("data-submitted") == stored.id

    page.reload()
    expect(page.locator("#write-title")).to_have_value("Adding things up")
    assert "sum([1, 2, 3])" in page.input_value("#write-body")
    expect(page.frame_locator("[data-desk-preview]").locator("h1")).to_contain_text(
        "Adding things up"
    )


def test_leaving_with_unsaved_text_asks_first(desk_page: Page) -> None:
    page = desk_page
    seen: list[str] = []

    def answer(dialog: Dialog) -> None:
        seen.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    write_post(page, "Half a thought", "Not finished.\n")
    page.evaluate("() => { window.location.href = '../'; }")
    expect(page.locator("#write-title")).to_have_value("Half a thought")
    assert seen == ["beforeunload"]


def test_a_draft_with_problems_is_shown_and_not_sent(desk_page: Page, served: Served) -> None:
    page = desk_page
    write_post(page, "Broken link", "See [this](missing.md).\n")
    notes = page.locator("[data-desk-problems]")
    expect(notes).to_contain_text("missing.md")
    page.click("[data-desk-submit]")
    expect(page.locator("[data-write-status]")).to_contain_text("fix the problems first")
    assert "broken-link" not in [s.slug for s in listing(served.root / "submissions")]
    assert json.loads(page.evaluate("() => JSON.stringify(localStorage.length)")) >= 1
