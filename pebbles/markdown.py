"""The one Markdown parser configuration, shared by checking and rendering."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
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


@lru_cache(maxsize=1)
def block_parser() -> MarkdownIt:
    """The same rules without inline parsing, for checking: code blocks and headings
    are block-level, and inline parsing (most of the cost) is done only where a
    paragraph could hold a link (see :func:`parse_inline`)."""
    md = MarkdownIt("commonmark", {"html": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.disable("inline")
    return md


def parse_inline(md: MarkdownIt, token: Token, env: dict[str, Any]) -> list[Token]:
    """Inline tokens of one block-level ``inline`` token parsed by :func:`block_parser`."""
    children: list[Token] = []
    md.inline.parse(token.content, md, env, children)
    return children


_NOT_WORD = re.compile(r"[^\w\- ]+")


def slugify(text: str) -> str:
    """A readable, URL-safe anchor from heading text (emoji and punctuation dropped)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _NOT_WORD.sub("", text).strip()
    return re.sub(r"[\s\-]+", "-", text).strip("-") or "section"
