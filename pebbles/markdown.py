"""The one Markdown parser configuration, shared by checking and rendering."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin


@lru_cache(maxsize=2)
def parser(raw_html: bool = False) -> MarkdownIt:
    """CommonMark + tables + strikethrough + footnotes. Raw HTML is off unless asked for.

    Linkify and typographer stay off so the tokens match what authors typed.
    """
    md = MarkdownIt("commonmark", {"html": raw_html})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    return md


_NOT_WORD = re.compile(r"[^\w\- ]+")


def slugify(text: str) -> str:
    """A readable, URL-safe anchor from heading text (emoji and punctuation dropped)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _NOT_WORD.sub("", text).strip()
    return re.sub(r"[\s\-]+", "-", text).strip("-") or "section"
