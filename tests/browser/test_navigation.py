"""The sidebar: topic links, the Topics / Stepping Stones tabs, and the phone menu."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .conftest import FLAGSHIP, PHONE, NewContext


def test_clicking_a_topic_opens_it_highlighted(page: Page) -> None:
    page.goto("")
    page.locator("#sidebar-topics").get_by_role("link", name="Multithreading").click()
    expect(page).to_have_url(re.compile(r"/topics/multithreading/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Multithreading")
    current = page.locator("#sidebar-topics [aria-current='page']")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Multithreading")


def test_post_page_highlights_its_topic_and_itself(page: Page) -> None:
    page.goto(FLAGSHIP)
    topics = page.locator("#sidebar-topics")
    expect(topics.locator(".topic-link.is-current")).to_contain_text("Multithreading")
    expect(topics.locator("[aria-current='page']")).to_have_text(
        "Multithreading and Semaphores in Python"
    )


def test_every_topic_is_in_the_sidebar_once(page: Page) -> None:
    page.goto(FLAGSHIP)
    links = page.locator("#sidebar-topics .topic-link")
    expect(links).to_have_count(49)
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(set(hrefs)) == 49


def test_tabs_switch_between_topics_and_stepping_stones(page: Page) -> None:
    page.goto("")
    topics = page.locator("[data-tab-panel='topics']")
    stones = page.locator("[data-tab-panel='stones']")
    expect(topics).to_be_visible()
    expect(stones).to_be_hidden()
    page.get_by_role("tab", name="Stepping Stones").click()
    expect(stones).to_be_visible()
    expect(topics).to_be_hidden()
    expect(page.get_by_role("tab", name="Stepping Stones")).to_have_attribute(
        "aria-selected", "true"
    )
    # The hash link that works without JavaScript is not followed.
    assert "#" not in page.url


def test_tabs_answer_the_arrow_keys(page: Page) -> None:
    page.goto("")
    page.get_by_role("tab", name="Topics").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Stepping Stones")).to_be_focused()
    expect(page.locator("[data-tab-panel='stones']")).to_be_visible()


def test_chosen_tab_is_remembered_on_the_next_page(page: Page) -> None:
    page.goto("")
    page.get_by_role("tab", name="Stepping Stones").click()
    page.goto(FLAGSHIP)
    expect(page.locator("[data-tab-panel='stones']")).to_be_visible()


def test_phone_menu_opens_and_closes_the_sidebar(phone: Page) -> None:
    phone.goto(FLAGSHIP)
    button = phone.get_by_role("button", name="Topics menu")
    sidebar = phone.locator("#sidebar")
    expect(button).to_be_visible()
    expect(sidebar).to_be_hidden()
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(sidebar).to_be_visible()
    expect(sidebar.get_by_role("link", name="Folium Maps")).to_be_in_viewport()
    phone.keyboard.press("Escape")
    expect(sidebar).to_be_hidden()
    expect(button).to_be_focused()


def test_phone_menu_link_navigates_and_closes(phone: Page) -> None:
    phone.goto("")
    phone.get_by_role("button", name="Topics menu").click()
    phone.locator("#sidebar-topics").get_by_role("link", name="Decorators").click()
    expect(phone).to_have_url(re.compile(r"/topics/decorators/$"))
    expect(phone.locator("#sidebar")).to_be_hidden()


def test_desktop_has_no_menu_button(page: Page) -> None:
    page.goto("")
    expect(page.locator("[data-menu-toggle]")).to_be_hidden()
    expect(page.locator("#sidebar")).to_be_visible()


def test_without_javascript_the_sidebar_still_works(new_context: NewContext) -> None:
    page = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    page.goto(FLAGSHIP)
    # No menu button without JavaScript: a plain link jumps to the sidebar instead.
    expect(page.locator("[data-menu-toggle]")).to_be_hidden()
    page.get_by_role("link", name="Topics", exact=True).first.click()
    expect(page.locator("#sidebar")).to_be_in_viewport()
    # The tabs are in-page links; the stylesheet shows the linked panel.
    expect(page.locator("[data-tab-panel='topics']")).to_be_visible()
    page.locator("[data-tab='stones']").click()
    expect(page.locator("[data-tab-panel='stones']")).to_be_visible()
    expect(page.locator("[data-tab-panel='topics']")).to_be_hidden()
    expect(page.locator("[data-search]")).to_be_hidden()
