"""The built site works unchanged when deployed under a sub-path (here /sub/)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import FLAGSHIP, SUB_PATH, Server


def test_navigation_search_and_worker_work_from_a_sub_path(live_page: Page, server: Server) -> None:
    page = live_page
    page.goto(SUB_PATH.lstrip("/"))
    page.locator("#sidebar-topics").get_by_role("link", name="Multithreading").click()
    expect(page).to_have_url(re.compile(r"/sub/topics/multithreading/$"))
    box = page.get_by_role("combobox", name="Search the pebbles")
    box.click()
    box.fill("semaphore")
    result = page.locator(".search-results a", has_text="Multithreading and Semaphores")
    expect(result).to_have_attribute("href", SUB_PATH + FLAGSHIP)
    result.click()
    expect(page).to_have_url(server.url + SUB_PATH.lstrip("/") + FLAGSHIP)
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == server.url + SUB_PATH.lstrip("/")
