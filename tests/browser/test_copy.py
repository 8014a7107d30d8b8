"""Copy buttons on code blocks put the code, exactly, on the clipboard."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page, expect

from .conftest import FLAGSHIP, NewContext


def _clipboard_page(new_context: NewContext) -> tuple[BrowserContext, Page]:
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    return context, context.new_page()


def test_copy_button_copies_the_block_source(new_context: NewContext) -> None:
    _, page = _clipboard_page(new_context)
    page.goto(FLAGSHIP)
    figure = page.locator("figure.code").first
    button = figure.get_by_role("button", name="Copy code")
    expect(button).to_be_visible()
    source = figure.locator("pre code").inner_text()
    button.click()
    expect(button).to_have_text("Copied!")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == source.rstrip("\n")
    assert "import threading" in copied or "import time" in copied


def test_copy_falls_back_without_the_clipboard_api(new_context: NewContext) -> None:
    context, page = _clipboard_page(new_context)
    # An older browser: no async clipboard, only execCommand("copy").
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', { value: undefined });")
    page.goto(FLAGSHIP)
    page.evaluate(
        """() => {
          window.__copied = null;
          document.addEventListener('copy', () => {
            window.__copied = document.getSelection().toString();
          });
        }"""
    )
    figure = page.locator("figure.code").first
    figure.get_by_role("button", name="Copy code").click()
    expect(figure.get_by_role("button", name="Copy code")).to_have_text("Copied!")
    assert page.evaluate("window.__copied") == figure.locator("pre code").inner_text().rstrip("\n")


def test_pages_without_javascript_hide_the_copy_buttons(new_context: NewContext) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(FLAGSHIP)
    expect(page.locator("figure.code button[data-copy]").first).to_be_hidden()


def test_transcript_is_copied_without_prompts_or_results(new_context: NewContext) -> None:
    _, page = _clipboard_page(new_context)
    page.goto("posts/small-functions-with-lambda/")
    figure = page.locator("figure.code", has_text=">>> square = lambda n: n * n")
    figure.get_by_role("button", name="Copy code").click()
    copied = str(page.evaluate("navigator.clipboard.readText()"))
    assert copied.splitlines()[:2] == ["square = lambda n: n * n", "square(7)"]
    assert ">>>" not in copied and "49" not in copied.splitlines()
