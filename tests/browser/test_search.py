"""The header search box over the Pagefind index."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

FLAGSHIP_TITLE = "Multithreading and Semaphores in Python"


def _search(page: Page, words: str) -> None:
    box = page.get_by_role("combobox", name="Search the pebbles")
    box.click()
    box.fill(words)


def test_semaphore_finds_the_flagship_post(page: Page) -> None:
    page.goto("")
    _search(page, "semaphore")
    results = page.locator(".search-results a")
    expect(results.first).to_be_visible()
    expect(results.filter(has_text=FLAGSHIP_TITLE)).to_have_count(1)
    expect(page.get_by_role("status").filter(has_text="semaphore")).to_contain_text("result")


def test_choosing_a_result_opens_the_post(page: Page) -> None:
    page.goto("topics/decorators/")
    _search(page, "semaphore")
    page.locator(".search-results a", has_text=FLAGSHIP_TITLE).click()
    expect(page).to_have_url(re.compile(r"/posts/multithreading-and-semaphores/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(FLAGSHIP_TITLE)


def test_keyboard_picks_a_result(page: Page) -> None:
    page.goto("")
    page.keyboard.press("/")
    expect(page.get_by_role("combobox", name="Search the pebbles")).to_be_focused()
    page.keyboard.type("semaphore")
    expect(page.locator(".search-results a").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    chosen = page.locator(".search-results a[aria-selected='true']")
    expect(chosen).to_have_count(1)
    href = chosen.get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(str(href)) + "$"))


def test_hits_are_marked_in_the_excerpt(page: Page) -> None:
    page.goto("")
    _search(page, "semaphore")
    first = page.locator(".search-results a", has_text=FLAGSHIP_TITLE)
    expect(first.locator("mark").first).to_contain_text(re.compile("semaphore", re.I))


def test_no_match_says_so(page: Page) -> None:
    # Pagefind falls back to shorter prefixes, so a Latin nonsense word still
    # matches something; no word here starts with this letter.
    page.goto("")
    _search(page, "ъъъъ")
    expect(page.get_by_role("status").filter(has_text="ъъъъ")).to_contain_text("No pebbles match")
    expect(page.locator(".search-results")).to_be_hidden()


def test_sidebar_words_do_not_match_every_page(page: Page) -> None:
    # "Folium" is in every page's sidebar; only the Folium post's text has it.
    page.goto("")
    _search(page, "folium")
    results = page.locator(".search-results a")
    expect(results.first).to_be_visible()
    assert results.count() <= 3


def test_escape_closes_the_results(page: Page) -> None:
    page.goto("")
    _search(page, "semaphore")
    expect(page.locator(".search-results")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".search-results")).to_be_hidden()
