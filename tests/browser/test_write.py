"""The Write a Post page: preview, validation, draft, download, propose, leave warning."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Dialog, Locator, Page, expect

BODY = """## Counting words

Use a *Counter* and **print** the `most_common` items, see [the docs](https://docs.python.org/3/).

- first
- second

```python
print(1 + 1)
```
"""

CAPTURE_OPEN = """() => {
  window.__opened = null;
  window.open = (url) => { window.__opened = url; return null; };
}"""


def _field(page: Page, name: str) -> Locator:
    return page.locator(f"[data-write] [name={name}]")


def _fill(page: Page, body: str = BODY) -> None:
    _field(page, "title").fill('Counting with "Counter": a first look')
    _field(page, "emoji").fill("🧮")
    _field(page, "topic").select_option("collections-module")
    _field(page, "tags").fill("stdlib, counting")
    _field(page, "summary").fill("Count things in one line.")
    _field(page, "author").fill("Ada Example")
    _field(page, "github").fill("@ada-example")
    _field(page, "body").fill(body)


def _expected_markdown(body: str = BODY) -> str:
    return "\n".join(
        [
            "---",
            'title: "Counting with \\"Counter\\": a first look"',
            'emoji: "🧮"',
            'topic: "collections-module"',
            "author:",
            '  name: "Ada Example"',
            '  github: "ada-example"',
            f"date: {dt.date.today().isoformat()}",
            'summary: "Count things in one line."',
            'tags: ["stdlib", "counting"]',
            "---",
            "",
            body.rstrip(),
            "",
        ]
    )


def test_preview_renders_markdown_as_it_is_typed(page: Page) -> None:
    page.goto("write/")
    _fill(page)
    preview = page.locator("[data-write-preview]")
    expect(preview.locator("h1")).to_have_text('🧮 Counting with "Counter": a first look')
    expect(preview.locator("h2")).to_have_text("Counting words")
    expect(preview.locator("em")).to_have_text("Counter")
    expect(preview.locator("strong")).to_have_text("print")
    expect(preview.locator("p code")).to_have_text("most_common")
    expect(preview.locator("li")).to_have_text(["first", "second"])
    expect(preview.locator("pre code.language-python")).to_have_text("print(1 + 1)")
    expect(preview.get_by_role("link", name="the docs")).to_have_attribute(
        "href", "https://docs.python.org/3/"
    )


def test_preview_keeps_html_and_script_links_inert(page: Page) -> None:
    page.goto("write/")
    _field(page, "body").fill(
        "<script>__xss('preview-script')</script>\n\n"
        "<img src=x onerror=\"__xss('preview-img')\">\n\n"
        "[a](javascript:__xss('preview-link')) [b](JaVa\tScRiPt:__xss('preview-tab'))"
        " [c](data:text/html,hi) [d](relative/page/) ![e](javascript:__xss('preview-image'))"
    )
    preview = page.locator("[data-write-preview]")
    expect(preview).to_contain_text("<script>__xss('preview-script')</script>")
    expect(preview.locator("script, img, iframe")).to_have_count(0)
    hrefs = preview.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["relative/page/"]
    for link in preview.locator(".md-unsafe-link").all():
        link.click()
    assert page.evaluate("window.__xssFired") == []


def test_download_builds_front_matter_and_body(page: Page, tmp_path: Path) -> None:
    page.goto("write/")
    _fill(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download .md").click()
    download = info.value
    assert download.suggested_filename == "counting-with-counter-a-first-look.md"
    saved = tmp_path / "post.md"
    download.save_as(saved)
    assert saved.read_text(encoding="utf-8") == _expected_markdown()
    expect(page.locator("[data-write-status]")).to_contain_text("content/collections-module/")


def test_propose_opens_a_prefilled_github_new_file_page(page: Page) -> None:
    page.goto("write/")
    page.evaluate(CAPTURE_OPEN)
    _fill(page)
    page.get_by_role("button", name="Propose on GitHub").click()
    opened = urlsplit(str(page.evaluate("window.__opened")))
    assert (opened.scheme, opened.netloc, opened.path) == (
        "https",
        "github.com",
        "/pynfinity/pebbles/new/main",
    )
    query = parse_qs(opened.query)
    assert query["filename"] == ["content/collections-module/counting-with-counter-a-first-look.md"]
    assert query["value"] == [_expected_markdown()]


def test_propose_puts_the_file_under_the_sites_folder_in_its_repository(page: Page) -> None:
    page.goto("write/")
    page.evaluate(CAPTURE_OPEN)
    # As rendered for a site with `repo_dir: docs` in site.yml.
    page.evaluate("document.getElementById('write-form').setAttribute('data-repo-dir', 'docs')")
    _fill(page)
    page.get_by_role("button", name="Propose on GitHub").click()
    query = parse_qs(urlsplit(str(page.evaluate("window.__opened"))).query)
    assert query["filename"] == [
        "docs/content/collections-module/counting-with-counter-a-first-look.md"
    ]


def test_missing_fields_are_reported_not_downloaded(page: Page) -> None:
    page.goto("write/")
    page.evaluate(CAPTURE_OPEN)
    _field(page, "emoji").fill("🧮🧮")
    page.get_by_role("button", name="Propose on GitHub").click()
    status = page.locator("[data-write-status]")
    expect(status).to_contain_text("Give your pebble a title.")
    expect(status).to_contain_text("The emoji must be a single character.")
    expect(_field(page, "title")).to_have_attribute("aria-invalid", "true")
    expect(_field(page, "title")).to_be_focused()
    assert page.evaluate("window.__opened") is None


def test_draft_is_restored_after_a_reload(page: Page) -> None:
    page.goto("write/")
    _fill(page)
    page.reload()
    expect(_field(page, "title")).to_have_value('Counting with "Counter": a first look')
    expect(_field(page, "topic")).to_have_value("collections-module")
    expect(_field(page, "body")).to_have_value(BODY)
    expect(page.locator("[data-write-preview] h2")).to_have_text("Counting words")
    page.get_by_role("button", name="Discard draft").click()
    page.reload()
    expect(_field(page, "body")).to_have_value("")


def test_leaving_with_unsaved_text_asks_first(page: Page) -> None:
    page.goto("write/")
    _field(page, "body").click()
    page.keyboard.type("A lesson in progress")
    with page.expect_event("dialog") as shown:
        page.close(run_before_unload=True)
    dialog = shown.value
    assert dialog.type == "beforeunload"
    dialog.dismiss()  # stay on the page


def test_leaving_after_download_does_not_ask(page: Page) -> None:
    page.goto("write/")
    _field(page, "body").click()
    _fill(page)
    with page.expect_download():
        page.get_by_role("button", name="Download .md").click()
    dialogs: list[str] = []

    def answer(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", answer)
    page.goto("")
    assert dialogs == []


def test_topic_link_preselects_the_topic(page: Page) -> None:
    page.goto("write/?topic=decorators")
    expect(_field(page, "topic")).to_have_value("decorators")
    expect(page).to_have_url(re.compile(r"write/\?topic=decorators$"))


# Pebbles.renderMarkdown(text) -> the preview's HTML, for the cases the subset covers.
PREVIEW_CASES = {
    "# Title #": "<h1>Title</h1>",
    "a *b **c** d* e": "<p>a <em>b <strong>c</strong> d</em> e</p>",
    "snake_case_name and _em_": "<p>snake_case_name and <em>em</em></p>",
    "~~gone~~ \\*literal\\*": "<p><del>gone</del> *literal*</p>",
    "``a ` b``": "<p><code>a ` b</code></p>",
    "3. three\n4. four": '<ol start="3"><li>three</li><li>four</li></ol>',
    "- a\n  more\n- b": "<ul><li>a\nmore</li><li>b</li></ul>",
    "---": "<hr>",
    "> q\n> r": "<blockquote><p>q\nr</p></blockquote>",
    "```\nunclosed <b>": "<pre><code>unclosed &lt;b&gt;</code></pre>",
    "~~~py extra\nx = 1\n~~~": '<pre data-language="py"><code class="language-py">x = 1</code></pre>',
    "<https://x.org/a>": '<p><a href="https://x.org/a" rel="nofollow noopener noreferrer">https://x.org/a</a></p>',
    "[t](<a b.md> 'T')": '<p><a href="a b.md" rel="nofollow noopener noreferrer" title="T">t</a></p>',
    "[x](//evil.example/)": '<p><a href="//evil.example/" rel="nofollow noopener noreferrer">x</a></p>',
    "[x](\u0000javascript:alert(1))": '<p><span class="md-unsafe-link">x</span></p>',
    "<b onclick=x>&amp;</b>": "<p>&lt;b onclick=x&gt;&amp;amp;&lt;/b&gt;</p>",
}


def test_preview_renderer_cases(page: Page) -> None:
    page.goto("write/")
    rendered = page.evaluate(
        """cases => Object.fromEntries(Object.keys(cases).map(text => {
          const box = document.createElement("div");
          box.append(Pebbles.renderMarkdown(text));
          return [text, box.innerHTML];
        }))""",
        PREVIEW_CASES,
    )
    assert rendered == PREVIEW_CASES
