"""Site rule: titles read like headlines of this site.

A title starts with a capital letter or a digit, does not end with a full stop,
is not shouted in capitals, and does not repeat the emoji (the site shows it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pebbles.model import Diagnostic, Post, Severity, SiteConfig

SOFT_LIMIT = 80
# A module or function name may open a title in its own spelling: "asyncio: ...",
# "`zip()` and friends", "os.path in practice".
_CODE_WORD = re.compile(r"`|[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*|\(\)|:)")


def validate(post: Post, config: SiteConfig) -> Iterator[Diagnostic]:
    title = post.meta.title
    line = post.meta.line_of("title")

    def finding(code: str, message: str, severity: Severity = Severity.ERROR) -> Diagnostic:
        return Diagnostic(post.path, line, 1, severity, code, message)

    first = title[:1]
    if first and not (first.isupper() or first.isdigit() or _starts_with_code(title)):
        yield finding("title-style", f"title should start with a capital letter: '{title}'")
    if title.endswith(".") and not title.endswith("..."):
        yield finding("title-style", "title should not end with a full stop")
    letters = [c for c in title if c.isalpha()]
    if len(letters) >= 8 and all(c.isupper() for c in letters):
        yield finding("title-style", "title should not be written in capitals")
    if post.meta.emoji and post.meta.emoji in title:
        yield finding(
            "title-style", "title repeats the emoji; the site already shows it beside the title"
        )
    if len(title) > SOFT_LIMIT:
        yield finding(
            "title-length",
            f"title is {len(title)} characters; over {SOFT_LIMIT} it wraps in the sidebar and on cards",
            Severity.WARNING,
        )


def _starts_with_code(title: str) -> bool:
    return bool(_CODE_WORD.match(title))
