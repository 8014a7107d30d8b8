"""Code blocks parsed from real Markdown, for unit tests of the judging stages."""

from __future__ import annotations

import textwrap

from pebbles.content import parse_body
from pebbles.model import CodeBlock, FrontMatter

BODY_LINE = 5  # as if four lines of front matter came first


def blocks_of(markdown: str) -> list[CodeBlock]:
    """The runnable blocks of a post body, with .md lines counted from BODY_LINE."""
    meta = FrontMatter(title="Test", emoji="🧪", topic="basics")
    body = parse_body(textwrap.dedent(markdown), BODY_LINE, "post.md", meta)
    assert not body.diagnostics, body.diagnostics
    return [block for block in body.blocks if block.runnable]


def block_of(markdown: str) -> CodeBlock:
    """The only runnable block of a post body."""
    (block,) = blocks_of(markdown)
    return block
