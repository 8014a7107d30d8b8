"""A one-topic site and a way to parse a Markdown body into a post, for render tests."""

from __future__ import annotations

from pathlib import Path

from pebbles.content import parse_post
from pebbles.model import Brand, Post, SiteConfig, Topic

CONFIG = SiteConfig(
    root=Path("."),
    brand=Brand("Site", "", "", "", "", "https://example.org/", "", "main", "en"),
    nav=(),
    levels=(),
    topics=(Topic("basics", "Basics", "🧱", ""),),
)


def post_from(body: str, slug: str = "one") -> Post:
    """``body`` under minimal front matter, parsed as content/basics/<slug>.md."""
    text = f"---\ntitle: One\nemoji: 🧱\ntopic: basics\n---\n{body}"
    post, problems = parse_post(text, f"content/basics/{slug}.md", slug, CONFIG, is_guide=False)
    assert post is not None, problems
    return post
