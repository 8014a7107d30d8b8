"""The search indexer is given only the marked part of each page, at the same path."""

from __future__ import annotations

from pathlib import Path

import pytest

from pebbles.model import Diagnostic
from pebbles.search_input import index_regions

PAGE = """<!doctype html><html lang="fr"><head><title>Une page</title></head><body>
<aside>{sidebar}</aside><main><article class="post" data-pagefind-body><h1>Titre</h1>
<article>nested</article><p>{text}</p></article><footer>foot</footer></main></body></html>
"""


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    for relative, text in {
        "posts/a/index.html": PAGE.format(
            sidebar="many links, data-pagefind-body " * 50, text="alpha"
        ),
        "posts/b/index.html": PAGE.format(sidebar="", text="beta"),
        "topics/x/index.html": "<html><body><p>no marker here</p></body></html>",
    }.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text, encoding="utf-8")
    return site


def test_the_indexer_sees_only_marked_regions_at_their_own_paths(tmp_path: Path) -> None:
    site, scratch = _site(tmp_path), tmp_path / "scratch"
    seen: dict[str, str] = {}

    def indexer(folder: Path) -> list[Diagnostic]:
        for page in folder.rglob("*.html"):
            seen[page.relative_to(folder).as_posix()] = page.read_text(encoding="utf-8")
        (folder / "idx").mkdir()
        (folder / "idx" / "index.js").write_text("index", encoding="utf-8")
        return []

    assert index_regions(site, scratch, indexer, "idx") == []
    assert sorted(seen) == ["posts/a/index.html", "posts/b/index.html"]
    slim = seen["posts/a/index.html"]
    assert "many links" not in slim and "foot" not in slim and "<aside>" not in slim
    assert "<article>nested</article><p>alpha</p></article></body>" in slim
    assert '<html lang="fr">' in slim and "<title>Une page</title>" in slim
    assert (site / "idx" / "index.js").read_text(encoding="utf-8") == "index"
    assert not scratch.exists()


def test_the_scratch_folder_goes_even_when_indexing_fails(tmp_path: Path) -> None:
    site, scratch = _site(tmp_path), tmp_path / "scratch"

    def broken(folder: Path) -> list[Diagnostic]:
        raise OSError("indexer vanished")

    with pytest.raises(OSError, match="vanished"):
        index_regions(site, scratch, broken, "idx")
    assert not scratch.exists()
    assert not (site / "idx").exists()
