"""Links between posts: relative ``.md`` paths that must point at real documents."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .model import Diagnostic, Link, Post, Severity


def resolve_link(post_path: str, target: str) -> tuple[str, str] | None:
    """``(normalised .md path, anchor)`` for a link to a document, else ``None``."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.endswith(".md"):
        return None
    joined = posixpath.normpath(
        posixpath.join(posixpath.dirname(Path(post_path).as_posix()), unquote(parts.path))
    )
    return joined, parts.fragment


def check_links(documents: Iterable[Post], sources: Iterable[Post]) -> list[Diagnostic]:
    """Every ``.md`` link in ``sources`` must resolve to one of ``documents``
    (and to one of its heading anchors, when the link names one)."""
    by_path = {Path(p.path).as_posix(): p for p in documents}
    found: list[Diagnostic] = []
    for post in sources:
        for link in post.links:
            problem = _link_problem(link, post, by_path)
            if problem is not None:
                code, message = problem
                found.append(
                    Diagnostic(post.path, link.line, link.col, Severity.ERROR, code, message)
                )
    return found


def _link_problem(link: Link, post: Post, by_path: dict[str, Post]) -> tuple[str, str] | None:
    """``(code, message)`` when ``link`` does not lead to a document (or its anchor)."""
    resolved = resolve_link(post.path, link.target)
    if resolved is None:
        return None
    path, anchor = resolved
    target = by_path.get(path)
    if target is None:
        why = "is not a post or guide of this site" if Path(path).is_file() else "does not exist"
        return "broken-link", f"link target '{unquote(link.target)}' {why}"
    if anchor and anchor not in {h.anchor for h in target.headings}:
        return "broken-anchor", f"'{target.path}' has no heading with anchor '#{anchor}'"
    return None
