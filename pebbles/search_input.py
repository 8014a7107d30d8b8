"""Hand the search indexer only what it indexes: each page's ``data-pagefind-body`` part.

Pagefind reads every byte of every page, and most of a page's bytes are the
sidebar, which it then ignores. Writing each indexed region into a small page of
its own, at the same relative path, gives the indexer the same text and the same
URLs for a third of the reading. Pages without the marker are left out, as
Pagefind leaves them out anyway once any page has one.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from .model import Diagnostic

MARKER = "data-pagefind-body"
_TAG_NAME = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_LANG = re.compile(r'<html\b[^>]*\blang="([^"]*)"')
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)

Indexer = Callable[[Path], list[Diagnostic]]


def index_regions(site: Path, scratch: Path, indexer: Indexer, output: str) -> list[Diagnostic]:
    """Write the marked regions of ``site``'s pages under ``scratch``, index them with
    ``indexer``, and move the index it writes (``scratch/output``) into ``site``."""
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        for page in site.rglob("*.html"):
            slim = _slim(page.read_text(encoding="utf-8"))
            if slim is not None:
                target = scratch / page.relative_to(site)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(slim, encoding="utf-8")
        found = indexer(scratch)
        if (scratch / output).is_dir():
            shutil.move(scratch / output, site / output)
        return found
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _slim(html: str) -> str | None:
    region = _region(html)
    if region is None:
        return None
    lang = _LANG.search(html)
    title = _TITLE.search(html)
    return (
        f'<!doctype html><html lang="{lang.group(1) if lang else ""}"><head><meta charset="utf-8">'
        f"<title>{title.group(1) if title else ''}</title></head><body>{region}</body></html>\n"
    )


def _region(html: str) -> str | None:
    """The marked element with everything inside it (nested same-name tags matched)."""
    # A plain search, then back to the tag's "<": a regex over every tag of a
    # page would cost more than the indexing it saves.
    marker = html.find(MARKER)
    # The words may also stand in text (a post about Pagefind); only inside a tag,
    # where the last "<" comes after the last ">", are they the attribute.
    while marker >= 0 and html.rfind("<", 0, marker) < html.rfind(">", 0, marker):
        marker = html.find(MARKER, marker + len(MARKER))
    start = html.rfind("<", 0, marker)
    name = _TAG_NAME.match(html, start) if marker >= 0 and start >= 0 else None
    if name is None:
        return None
    tags = re.compile(rf"<(/?){name.group(1)}\b[^>]*>", re.IGNORECASE)
    depth = 0
    for tag in tags.finditer(html, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return html[start : tag.end()]
    return None
