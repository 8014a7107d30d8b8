"""Which pages the site has, what each one's template is given, and when it is stale.

Every page gets a key: a hash of exactly the data its HTML depends on (plus the
theme and pebbles' own code). An unchanged key means the old file is still right.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from .render import RenderInput, Verdict, render_post, verdict_of
from .site import (
    CONTRIBUTIONS,
    GUIDES,
    HOME,
    NAV_URLS,
    STEPPING_STONES,
    WRITE,
    Doc,
    SiteData,
    TopicEntry,
)
from .theme import Theme, relative, root_prefix

RECENT = 8  # posts on the home page
# The sidebar lists the current topic's posts around the current one, at most this
# many: every page carries the sidebar, so a longer list would make the whole
# site grow with the square of the number of posts.
SIDEBAR_POSTS = 12
FEED_SIZE = 20


@dataclass(frozen=True)
class BuildOptions:
    base_url: str  # absolute, ends with "/": canonical URLs, feed and sitemap
    file_urls: bool = False  # link to index.html files so the site opens from disk


@dataclass(frozen=True)
class PageJob:
    """One output file produced by a template. ``url`` is site-relative."""

    url: str
    template: str
    key: str
    title: str
    doc: Doc | None = None
    topic: TopicEntry | None = None

    @property
    def path(self) -> str:
        return self.url + "index.html" if self.url == "" or self.url.endswith("/") else self.url

    @property
    def is_post(self) -> bool:
        return self.doc is not None


def base_url(configured: str) -> str:
    """The site URL with exactly one trailing slash."""
    return configured.rstrip("/") + "/"


def plan(data: SiteData, theme: Theme, options: BuildOptions) -> list[PageJob]:
    """Every page of the site, each with its key."""
    common = _hash(theme.fingerprint, repr(options), _common_fingerprint(data))
    cards = {d.post.path: _card_fingerprint(d) for d in (*data.posts, *data.guides)}
    everything = _hash(*(cards[d.post.path] for t in data.topics for d in t.posts))
    newest = _hash(*(cards[d.post.path] for d in data.posts))
    guides = _hash(*(cards[d.post.path] for d in data.guides))
    name = data.site.config.brand.name

    def job(url: str, template: str, title: str, *parts: str, **about: Any) -> PageJob:
        return PageJob(url, template, _hash(common, url, template, *parts), title, **about)

    jobs = [
        job(HOME, "index.html", name, _hash(*(cards[d.post.path] for d in data.posts[:RECENT]))),
        job(STEPPING_STONES, "stepping-stones.html", "Stepping Stones", everything),
        job(CONTRIBUTIONS, "contributions.html", "Pebbles & Contributions", newest),
        job(GUIDES, "guides.html", "Guides", guides),
        job(WRITE, "write.html", "Write a Post"),
        job("404.html", "404.html", "Page not found"),
        job(
            "feed.xml",
            "feed.xml",
            name,
            _hash(*(cards[d.post.path] for d in data.posts[:FEED_SIZE])),
        ),
        job("sitemap.xml", "sitemap.xml", name, everything, guides),
        job("robots.txt", "robots.txt", name),
        job("manifest.webmanifest", "manifest.webmanifest", name),
        job("offline.html", "offline.html", "Offline"),
    ]
    for entry in data.topics:
        siblings = _hash(*(cards[d.post.path] for d in entry.posts))
        jobs.append(job(entry.url, "topic.html", entry.topic.title, siblings, topic=entry))
        for doc in entry.posts:
            jobs.append(
                job(
                    doc.url,
                    "post.html",
                    doc.post.meta.title,
                    _doc_fingerprint(doc, data),
                    siblings,
                    doc=doc,
                    topic=entry,
                )
            )
    for doc in data.guides:
        jobs.append(
            job(doc.url, "post.html", doc.post.meta.title, _doc_fingerprint(doc, data), doc=doc)
        )
    return jobs


def context(job: PageJob, data: SiteData, options: BuildOptions) -> dict[str, Any]:
    """What the job's template is given; renders the Markdown body of a post page."""
    config = data.site.config
    brand = config.brand
    base = base_url(options.base_url)
    # The 404 and offline pages are served at whatever URL was asked for, so only
    # links from the site's root path work there.
    served_anywhere = job.url in ("404.html", "offline.html")
    root = (urlsplit(base).path or "/") if served_anywhere else root_prefix(job.url)
    description = brand.description
    if job.doc is not None and job.doc.post.meta.summary:
        description = job.doc.post.meta.summary
    values: dict[str, Any] = {
        "site": data,
        "brand": brand,
        "nav": [
            {"title": n.title, "emoji": n.emoji, "url": NAV_URLS[n.page], "page": n.page}
            for n in config.nav
        ],
        "root": root,
        "file_urls": options.file_urls,
        "base_url": base,
        "page": {
            "url": job.url,
            "title": job.title,
            "description": description,
            "canonical": base + job.url,
            "kind": job.template.split(".")[0],
        },
        "current_topic": job.topic.topic.slug if job.topic else "",
        "current_post": job.doc.post.slug if job.doc else "",
        "sidebar": _sidebar_window(job),
        "recent": data.posts[:RECENT],
        "feed_posts": data.posts[:FEED_SIZE],
        "verdict": verdict_of,
        # Atom needs a date even for undated posts; a fixed one keeps builds reproducible.
        "feed_updated": next(
            (d.post.meta.date.isoformat() for d in data.posts if d.post.meta.date), "2000-01-01"
        ),
    }
    if job.topic is not None:
        values["entry"] = job.topic
        values["level"] = next((lv.level for lv in data.levels if job.topic in lv.topics), None)
    if job.doc is not None:
        values.update(_article(job.doc, data, root, options))
    return values


def _sidebar_window(job: PageJob) -> dict[str, Any]:
    """The slice of the current topic's posts the sidebar shows, and how many it skips."""
    posts = job.topic.posts if job.topic else ()
    if len(posts) <= SIDEBAR_POSTS:
        return {"posts": posts, "before": 0, "after": 0}
    at = posts.index(job.doc) if job.doc in posts else 0
    start = max(0, min(at - SIDEBAR_POSTS // 2, len(posts) - SIDEBAR_POSTS))
    stop = start + SIDEBAR_POSTS
    return {"posts": posts[start:stop], "before": start, "after": len(posts) - stop}


def _article(doc: Doc, data: SiteData, root: str, options: BuildOptions) -> dict[str, Any]:
    urls = data.urls
    targets = {
        path: relative(root, urls[path], file_urls=options.file_urls) if path in urls else None
        for path in doc.links
    }
    body = render_post(doc.post, RenderInput(targets, doc.result, data.site.config.render.raw_html))
    before, after = data.neighbours(doc)
    return {
        "doc": doc,
        # Safe to mark: built from escaped tokens, and sanitised when raw HTML is on.
        "body": Markup(body.html),
        "toc": body.toc,
        "examples": body.verdict,
        "prev": before,
        "next": after,
        "edit_url": _edit_url(doc, data),
    }


def _edit_url(doc: Doc, data: SiteData) -> str:
    config = data.site.config
    repo = config.brand.repo.rstrip("/")
    if not repo:
        return ""
    # String arithmetic, not Path.resolve(): this runs once per post on every build.
    inside = os.path.relpath(os.path.join(os.getcwd(), doc.post.path), data.root)
    if inside.startswith(".."):
        return ""
    in_repo = posixpath.join(config.brand.repo_dir, Path(inside).as_posix())
    return f"{repo}/edit/{config.brand.branch}/{in_repo}"


# --- fingerprints -----------------------------------------------------------------


def _hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def _common_fingerprint(data: SiteData) -> str:
    """What every page shows: brand, navigation, the sidebar's topics and counts."""
    config = data.site.config
    sidebar = [(t.topic, t.count) for t in data.topics]
    levels = [(lv.level, [t.topic.slug for t in lv.topics]) for lv in data.levels]
    return _hash(
        repr(config.brand), repr(config.nav), repr(sidebar), repr(levels), repr(config.render)
    )


def _card_fingerprint(doc: Doc) -> str:
    """What a list of posts shows about one post."""
    meta = doc.post.meta
    return _hash(
        doc.post.path,
        doc.post.slug,
        repr(
            (
                meta.title,
                meta.emoji,
                meta.topic,
                meta.author,
                meta.date,
                meta.summary,
                meta.tags,
                meta.order,
            )
        ),
        repr(_verdict_counts(verdict_of(doc.post, doc.result))),
    )


def _verdict_counts(verdict: Verdict | None) -> tuple[int, int, int, int, str | None] | None:
    if verdict is None:
        return None
    return (verdict.total, verdict.passed, verdict.skipped, verdict.failed, verdict.python)


def _doc_fingerprint(doc: Doc, data: SiteData) -> str:
    """A post page: its text, what the checker found, and where its links point."""
    links = sorted((path, data.urls.get(path, "")) for path in doc.links)
    result = doc.result
    # Durations change on every run and are not shown, so they are not part of the key.
    shown = (
        (result.python, [(b.index, b.status, b.reason, b.expected is None) for b in result.blocks])
        if result
        else None
    )
    return _hash(
        doc.post.path, doc.post.content_hash, repr(shown), repr(links), _edit_url(doc, data)
    )
