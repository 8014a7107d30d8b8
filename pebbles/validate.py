"""Checks that need more than one post: unique slugs, links, site-local rules."""

from __future__ import annotations

from collections.abc import Sequence

from .links import check_links
from .local_rules import LoadedRule, apply_rules
from .model import Diagnostic, Post, Severity, Site


def duplicate_slugs(documents: Sequence[Post], kind: str) -> list[Diagnostic]:
    """Slugs are file names and must be unique, since they become URLs."""
    first: dict[str, Post] = {}
    found: list[Diagnostic] = []
    for post in documents:
        other = first.setdefault(post.slug, post)
        if other is not post:
            found.append(
                Diagnostic(
                    post.path,
                    1,
                    1,
                    Severity.ERROR,
                    "duplicate-slug",
                    f"{kind} slug '{post.slug}' is already used by {other.path}",
                )
            )
    return found


def validate_site(
    site: Site, selected: Sequence[Post], rules: Sequence[LoadedRule]
) -> dict[str, list[Diagnostic]]:
    """Findings per post path for the ``selected`` posts, judged against the whole site."""
    findings: dict[str, list[Diagnostic]] = {post.path: [] for post in selected}
    wanted = set(findings)
    everything = [*site.posts, *site.guides]
    site_wide = duplicate_slugs(site.posts, "post") + duplicate_slugs(site.guides, "guide")
    site_wide += check_links(everything, selected)
    for diagnostic in site_wide:
        if diagnostic.path in wanted:
            findings[diagnostic.path].append(diagnostic)
    for post in selected:
        findings[post.path].extend(apply_rules(rules, post, site.config))
    return findings
