"""The search index: Pagefind over the built pages, failures as warnings."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pebbles import search
from pebbles.model import Severity
from pebbles.search import build_search_index

PAGE = """<!doctype html><html lang="en"><head><title>{title}</title></head><body>
<nav>Sidebar Lambda Functions Multithreading Pickle</nav>
<main><article data-pagefind-body><h1>{title}</h1>
<h2 id="h-x">Section<a class="heading-anchor" href="#h-x">#</a></h2>
<p>{text}</p>
<figure class="code"><div class="code-head"><button class="copy-button">Copy</button></div>
<pre><code>print("hi")</code></pre></figure></article></main></body></html>
"""


def _page(site: Path, relative: str, title: str, text: str) -> None:
    path = site / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAGE.format(title=title, text=text), encoding="utf-8")


def _records(site: Path) -> list[dict[str, object]]:
    """Decode the index's page fragments (gzip, a signature, then JSON)."""
    found = []
    for path in sorted((site / "pagefind" / "fragment").iterdir()):
        raw = gzip.decompress(path.read_bytes())
        found.append(json.loads(raw[raw.index(b"{") :]))
    return found


@pytest.fixture
def built(tmp_path: Path) -> Path:
    site = tmp_path / "_site"
    _page(site, "posts/threads/index.html", "Semaphores", "A semaphore caps concurrency.")
    _page(site, "posts/lists/index.html", "Lists", "Comprehensions build lists.")
    (site / "about.html").write_text("<html><body><p>no body mark</p></body></html>")
    return site


def test_index_is_written_beside_the_pages(built: Path) -> None:
    assert build_search_index(built) == []
    assert (built / "pagefind" / "pagefind.js").is_file()


def test_only_marked_articles_are_indexed(built: Path) -> None:
    build_search_index(built)
    urls = sorted(str(record["url"]) for record in _records(built))
    assert urls == ["/posts/lists/", "/posts/threads/"]


def test_page_chrome_is_left_out_of_the_text(built: Path) -> None:
    build_search_index(built)
    threads = next(r for r in _records(built) if r["url"] == "/posts/threads/")
    content = str(threads["content"])
    assert "semaphore caps concurrency" in content
    for chrome in ("Sidebar", "Copy", "#"):
        assert chrome not in content


def test_a_previous_index_is_replaced(built: Path) -> None:
    stale = built / "pagefind" / "fragment" / "removed-post.pf_fragment"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    build_search_index(built)
    assert not stale.exists()


def test_missing_pagefind_is_a_warning(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "pagefind_binary", lambda: None)
    [warning] = build_search_index(built)
    assert warning.severity is Severity.WARNING
    assert "pip install 'pagefind[extended]'" in warning.message


def test_failing_pagefind_is_a_warning(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "pagefind_binary", lambda: Path("/bin/false"))
    [warning] = build_search_index(built)
    assert warning.severity is Severity.WARNING
    assert warning.message.startswith("search index not built")
