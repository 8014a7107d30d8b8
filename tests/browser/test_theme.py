"""Light and dark: the system's choice by default, the reader's choice remembered, no flash."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import FLAGSHIP, NewContext

# Records the theme at the moment <body> is parsed: that is the first paint's theme.
FIRST_PAINT = """
new MutationObserver(function (changes, observer) {
  if (document.body) {
    window.__themeAtBody = document.documentElement.getAttribute("data-theme");
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""


def _theme(page: Page) -> str | None:
    return page.locator("html").get_attribute("data-theme")


def _background(page: Page) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


def test_theme_follows_the_system_by_default(new_context: NewContext) -> None:
    dark = new_context(color_scheme="dark").new_page()
    light = new_context(color_scheme="light").new_page()
    dark.goto("")
    light.goto("")
    assert (_theme(dark), _theme(light)) == ("dark", "light")
    assert _background(dark) != _background(light)


def test_toggle_switches_and_is_remembered_across_reloads(new_context: NewContext) -> None:
    page = new_context(color_scheme="light").new_page()
    page.goto("")
    before = _background(page)
    toggle = page.locator("[data-theme-toggle]")
    toggle.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert _background(page) != before
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.goto(FLAGSHIP)
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")


def test_remembered_choice_beats_the_system(new_context: NewContext) -> None:
    page = new_context(color_scheme="dark").new_page()
    page.goto("")
    page.locator("[data-theme-toggle]").click()
    page.emulate_media(color_scheme="light")
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")


def test_theme_is_set_before_the_first_paint(new_context: NewContext) -> None:
    context = new_context(color_scheme="light")
    context.add_init_script(FIRST_PAINT)
    page = context.new_page()
    page.goto("")
    page.locator("[data-theme-toggle]").click()
    page.reload()
    assert page.evaluate("window.__themeAtBody") == "dark"


def test_system_changes_apply_while_nothing_is_chosen(new_context: NewContext) -> None:
    page = new_context(color_scheme="light").new_page()
    page.goto("")
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
