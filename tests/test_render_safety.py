"""Hostile Markdown stays inert: escaped by default, sanitised when raw HTML is on."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from pebbles.render import RenderInput, render_post
from tests.rendering import post_from

VECTORS = {
    "script tag": "<script>alert(1)</script>",
    "script block": "<script>\nalert(1)\n</script>\n",
    "img onerror": '<img src=x onerror="alert(1)">',
    "svg onload": "<svg onload=alert(1)><circle r=1 /></svg>",
    "svg script": "<svg><script>alert(1)</script></svg>",
    "iframe": '<iframe src="javascript:alert(1)"></iframe>',
    "javascript link": "[click](javascript:alert(1))",
    "mixed-case scheme": "[click](JaVaScRiPt:alert(1))",
    "entity-encoded scheme": "[click](&#106;avascript:alert(1))",
    "vbscript link": "[click](vbscript:msgbox(1))",
    "data html link": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "javascript image": "![pic](javascript:alert(1))",
    "javascript autolink": "<javascript:alert(1)>",
    "reference link": "[click][evil]\n\n[evil]: javascript:alert(1)\n",
    "html anchor": '<a href="javascript:alert(1)">click</a>',
    "event attribute": '<div onclick="alert(1)" onmouseover=alert(2)>hover</div>',
    "style tag": "<style>body{display:none}</style>",
    "form": '<form action="https://evil.example"><input name=x></form>',
    "object": '<object data="javascript:alert(1)"></object>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "math": '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "id clobbering": '<div id="search-input">x</div><a name="sidebar">y</a>',
}
_BAD_TAGS = {
    "script",
    "svg",
    "iframe",
    "object",
    "embed",
    "style",
    "form",
    "input",
    "meta",
    "math",
    "base",
    "link",
}
_PAGE_IDS = {"search-input", "sidebar", "main"}


class _Audit(HTMLParser):
    """Collects every way a fragment could run code or take over a page element."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BAD_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            text = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name in ("href", "src", "action", "data", "xlink:href") and text.startswith(
                ("javascript:", "vbscript:", "data:text")
            ):
                self.problems.append(f"{tag} {name}={text}")
            if name in ("id", "name") and text in _PAGE_IDS:
                self.problems.append(f"{tag} {name}={text}")


def _problems(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.problems


def _render(markdown: str, raw_html: bool) -> str:
    return render_post(post_from(f"\n{markdown}\n"), RenderInput({}, None, raw_html=raw_html)).html


@pytest.mark.parametrize("name", VECTORS)
def test_vector_is_inert_by_default(name: str) -> None:
    assert _problems(_render(VECTORS[name], raw_html=False)) == []


@pytest.mark.parametrize("name", VECTORS)
def test_vector_is_inert_with_raw_html_enabled(name: str) -> None:
    assert _problems(_render(VECTORS[name], raw_html=True)) == []


def test_raw_html_is_escaped_text_by_default() -> None:
    html = _render("<kbd>Ctrl</kbd> <script>alert(1)</script>", raw_html=False)
    assert "&lt;kbd&gt;Ctrl&lt;/kbd&gt;" in html
    assert "&lt;script&gt;" in html


def test_opted_in_raw_html_keeps_harmless_formatting() -> None:
    html = _render(
        "<kbd>Ctrl</kbd> and <details><summary>More</summary>text</details>", raw_html=True
    )
    assert "<kbd>Ctrl</kbd>" in html
    assert "<details><summary>More</summary>text</details>" in html


def test_sanitising_keeps_the_renderers_own_markup() -> None:
    markdown = "## Title\n\n```python\nprint(1)\n```\n\n| a |\n|--:|\n| 1 |\n"
    # nh3 writes boolean attributes as name="", which means the same.
    assert _render(markdown, raw_html=True).replace('=""', "") == _render(markdown, raw_html=False)


def test_a_safe_link_survives() -> None:
    html = _render(
        "[docs](https://docs.python.org/3/) and [mail](mailto:a@example.org)", raw_html=False
    )
    assert 'href="https://docs.python.org/3/"' in html
    assert 'href="mailto:a@example.org"' in html


def test_links_only_use_web_schemes() -> None:
    html = _render(
        "[app](intent://scan#Intent;end) and [file](ftp://example.org/x)", raw_html=False
    )
    assert "href" not in html
    assert "app" in html and "file" in html
