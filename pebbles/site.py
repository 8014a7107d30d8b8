"""Assemble what the pages show: topics with their posts, levels, contributors, guides.

Pure data in, pure data out: the templates get these objects and nothing else.
Drafts are dropped here, so no page, feed or sitemap can mention one.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .links import resolve_link
from .model import CheckReport, Level, Post, PostResult, Site, Topic

# Where each kind of page lives; folders, so servers answer with their index.html.
HOME = ""
GUIDES = "guides/"
CONTRIBUTIONS = "contributions/"
STEPPING_STONES = "stepping-stones/"
WRITE = "write/"
NAV_URLS = {
    "home": HOME,
    "guides": GUIDES,
    "contributions": CONTRIBUTIONS,
    "stepping-stones": STEPPING_STONES,
    "write": WRITE,
}


def post_url(slug: str) -> str:
    """Posts live at ``posts/<slug>/``: slugs are unique site-wide, topics can change."""
    return f"posts/{slug}/"


def topic_url(slug: str) -> str:
    return f"topics/{slug}/"


def guide_url(slug: str) -> str:
    return f"{GUIDES}{slug}/"


@dataclass(frozen=True)
class Doc:
    """A published post or guide with its URL and check result."""

    post: Post
    url: str
    result: PostResult | None
    topic: Topic | None  # None for guides
    links: tuple[str, ...] = ()  # the documents its .md links point at (paths as in Post.path)


@dataclass(frozen=True)
class TopicEntry:
    topic: Topic
    url: str
    posts: tuple[Doc, ...]  # in reading order

    @property
    def count(self) -> int:
        return len(self.posts)


@dataclass(frozen=True)
class LevelEntry:
    level: Level
    topics: tuple[TopicEntry, ...]


@dataclass(frozen=True)
class Contributor:
    name: str
    github: str | None
    posts: tuple[Doc, ...]  # newest first


@dataclass(frozen=True)
class SiteData:
    site: Site
    topics: tuple[TopicEntry, ...]  # configured order
    levels: tuple[LevelEntry, ...]  # configured order; topics without a level last
    posts: tuple[Doc, ...]  # newest first
    guides: tuple[Doc, ...]  # by title
    contributors: tuple[Contributor, ...]  # most posts first
    urls: Mapping[str, str]  # document path (as in Post.path, posix) -> page URL
    root: str  # the site folder, resolved once

    def topic_of(self, doc: Doc) -> TopicEntry | None:
        for entry in self.topics:
            if doc.topic is not None and entry.topic.slug == doc.topic.slug:
                return entry
        return None

    def neighbours(self, doc: Doc) -> tuple[Doc | None, Doc | None]:
        """The posts before and after ``doc`` in its topic."""
        entry = self.topic_of(doc)
        if entry is None:
            return None, None
        at = entry.posts.index(doc)
        before = entry.posts[at - 1] if at > 0 else None
        after = entry.posts[at + 1] if at + 1 < len(entry.posts) else None
        return before, after


def assemble(site: Site, report: CheckReport | None) -> SiteData:
    """Group the published posts for the pages; ``report`` supplies block results."""
    results = {r.path: r for r in report.posts} if report else {}
    config = site.config
    by_topic: dict[str, list[Doc]] = {t.slug: [] for t in config.topics}
    docs: list[Doc] = []
    for post in site.posts:
        topic = config.topic(post.meta.topic or "")
        if post.meta.draft or topic is None:
            continue
        doc = Doc(post, post_url(post.slug), results.get(post.path), topic, _link_targets(post))
        docs.append(doc)
        by_topic[topic.slug].append(doc)
    topics = tuple(
        TopicEntry(t, topic_url(t.slug), tuple(sorted(by_topic[t.slug], key=_reading_order)))
        for t in config.topics
    )
    guides = tuple(
        sorted(
            (
                Doc(g, guide_url(g.slug), results.get(g.path), None, _link_targets(g))
                for g in site.guides
                if not g.meta.draft
            ),
            key=lambda d: d.post.meta.title.casefold(),
        )
    )
    newest = tuple(sorted(docs, key=_newest_first))
    urls = {Path(d.post.path).as_posix(): d.url for d in (*docs, *guides)}
    root = str(site.config.root.resolve())
    levels = _levels(site, topics)
    return SiteData(site, topics, levels, newest, guides, _contributors(newest), urls, root)


def _link_targets(post: Post) -> tuple[str, ...]:
    found = (resolve_link(post.path, link.target) for link in post.links)
    return tuple(dict.fromkeys(target[0] for target in found if target is not None))


def _reading_order(doc: Doc) -> tuple[bool, int, _dt.date, str]:
    meta = doc.post.meta
    return (meta.order is None, meta.order or 0, meta.date or _dt.date.max, meta.title.casefold())


def _newest_first(doc: Doc) -> tuple[bool, int, str]:
    date = doc.post.meta.date
    return (date is None, -(date.toordinal() if date else 0), doc.post.meta.title.casefold())


def _levels(site: Site, topics: tuple[TopicEntry, ...]) -> tuple[LevelEntry, ...]:
    levels = site.config.levels
    known = {lv.slug for lv in levels}
    grouped = [
        LevelEntry(lv, tuple(t for t in topics if t.topic.level == lv.slug)) for lv in levels
    ]
    rest = tuple(t for t in topics if t.topic.level not in known)
    if rest:
        grouped.append(LevelEntry(Level("more", "More topics", ""), rest))
    return tuple(grouped)


def _contributors(newest: tuple[Doc, ...]) -> tuple[Contributor, ...]:
    # One person may spell their name differently across posts; a GitHub handle,
    # when given, is the better key.
    grouped: dict[str, list[Doc]] = {}
    names: dict[str, tuple[str, str | None]] = {}
    for doc in newest:
        author = doc.post.meta.author
        if author is None:
            continue
        key = f"@{author.github.casefold()}" if author.github else author.name.casefold()
        grouped.setdefault(key, []).append(doc)
        names.setdefault(key, (author.name, author.github))
    people = [Contributor(*names[key], tuple(found)) for key, found in grouped.items()]
    return tuple(sorted(people, key=lambda c: (-len(c.posts), c.name.casefold())))
