"""The theme: a folder of Jinja2 templates and static assets, and the Jinja2 setup.

A site uses its own ``renderer/`` folder when it has one, else the theme that ships
with pebbles. Templates get plain data; author text is only ever a value in the
context, never template source, so ``{{ … }}`` in a post is just text.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .model import SiteConfig
from .site import TopicEntry, topic_url

THEME_DIR = "renderer"
# The theme's service worker is a template the web-app step completes, not an asset.
WORKER_TEMPLATE = "sw.js"
_BUNDLED = Path(__file__).resolve().parent.parent / THEME_DIR
_CODE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Theme:
    folder: Path
    assets: Mapping[str, str]  # path under static/ -> short hash of its bytes
    fingerprint: str  # changes whenever any template, asset or pebbles module does

    @property
    def templates(self) -> Path:
        return self.folder / "templates"

    @property
    def static(self) -> Path:
        return self.folder / "static"


def load_theme(config: SiteConfig) -> Theme:
    """The site's ``renderer/`` if it has templates, else the bundled theme."""
    own = config.root / THEME_DIR
    folder = own if (own / "templates").is_dir() else _BUNDLED
    static = _hashes(folder / "static")
    whole = hashlib.sha256()
    for group in (_hashes(folder / "templates"), static, _hashes(_CODE, "*.py")):
        for name, digest in sorted(group.items()):
            whole.update(f"{name}\0{digest}\n".encode())
    assets = {name: digest for name, digest in static.items() if name != WORKER_TEMPLATE}
    return Theme(folder, assets, whole.hexdigest())


def _hashes(folder: Path, pattern: str = "**/*") -> dict[str, str]:
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.glob(pattern)):
        if path.is_file() and not path.name.startswith("."):
            found[path.relative_to(folder).as_posix()] = hashlib.sha256(
                path.read_bytes()
            ).hexdigest()[:12]
    return found


def environment(theme: Theme) -> jinja2.Environment:
    """Autoescaping everywhere and StrictUndefined, so a typo in a template fails the build."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(theme.templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals.update(
        href=_href,
        asset=_asset,
        theme_assets=theme.assets,
        topic_url=topic_url,
        topic_link=_memoised_topic_link(env),
        fragment=_memoised_fragment(env),
    )
    env.filters["nice_date"] = nice_date
    return env


def _memoised_topic_link(env: jinja2.Environment) -> Any:
    """``topic_link(entry, current, here)``: one sidebar link, rendered once per input.

    ``current`` highlights the topic of the page; ``here`` also marks the link as
    the page itself (aria-current), which only the topic's own page is.

    Every page lists every topic twice, so this is most of the work of a page; the
    memo key holds everything the snippet reads, so a hit is always the same HTML.
    """
    memo: dict[tuple[object, ...], Markup] = {}

    @jinja2.pass_context
    def topic_link(
        context: jinja2.runtime.Context, entry: TopicEntry, current: bool, here: bool = False
    ) -> Markup:
        root, file_urls = context["root"], context["file_urls"]
        key = (root, file_urls, entry.topic, entry.url, entry.count, current, here)
        if key not in memo:
            values = {
                "entry": entry,
                "current": current,
                "here": here,
                "root": root,
                "file_urls": file_urls,
            }
            memo[key] = Markup(env.get_template("_topic_link.html").render(values))
        return memo[key]

    return topic_link


def _memoised_fragment(env: jinja2.Environment) -> Any:
    """``fragment(name)``: a sub-template rendered once per site, page depth and topic.

    Only for fragments that read nothing but ``site``, ``root``, ``file_urls`` and
    ``current_topic``; each entry holds its site, so a new build (``pebbles serve``
    keeps the environment) never sees an old fragment. Only the latest site's
    fragments are kept: the desk renders every preview with a site of its own, and
    remembering them all would grow the server with every request.
    """
    memo: dict[tuple[object, ...], tuple[object, Markup]] = {}
    latest: list[object] = [None]

    @jinja2.pass_context
    def fragment(context: jinja2.runtime.Context, name: str) -> Markup:
        site = context["site"]
        if latest[0] is not site:
            latest[0] = site
            memo.clear()
        names = ("root", "file_urls", "current_topic")
        key = (name, *(context[n] for n in names))
        held = memo.get(key)
        if held is None or held[0] is not site:
            values = {"site": site, **{n: context[n] for n in names}}
            held = (site, Markup(env.get_template(name).render(values)))
            memo[key] = held
        return held[1]

    return fragment


@jinja2.pass_context
def _href(context: jinja2.runtime.Context, url: str) -> str:
    """A site-relative page URL as seen from the page being rendered."""
    return relative(context["root"], url, file_urls=context["file_urls"])


@jinja2.pass_context
def _asset(context: jinja2.runtime.Context, path: str) -> str:
    """A static file's URL with its content hash, so no cache keeps a stale copy;
    a typo fails the build instead of shipping a broken link."""
    assets: Mapping[str, str] = context["theme_assets"]
    if path not in assets:
        raise jinja2.TemplateRuntimeError(f"the theme has no static file '{path}'")
    return f"{context['root']}static/{path}?v={assets[path]}"


def nice_date(day: _dt.date) -> str:
    """``5 January 2026``: unambiguous for readers everywhere."""
    return f"{day.day} {day:%B %Y}"


def relative(root: str, url: str, *, file_urls: bool) -> str:
    """``root`` + ``url``; folder URLs end in ``index.html`` when browsing from disk."""
    if file_urls and (url == "" or url.endswith("/")):
        url += "index.html"
    return root + url


def root_prefix(page_url: str) -> str:
    """``../`` once per folder between a page and the site root (``./`` at the root)."""
    depth = page_url.count("/")
    return "../" * depth or "./"


def render(env: jinja2.Environment, template: str, context: Mapping[str, Any]) -> str:
    """One template rendered with ``context``."""
    return env.get_template(template).render(context)
