"""One post's Markdown body → safe HTML, with highlighted code and verification marks.

The renderer only reads what the checker found (a :class:`PostResult`); it never runs
author code. Author HTML is escaped unless ``render.raw_html`` is on, and then the
whole body is sanitised with nh3 so no script, handler or ``javascript:`` URL survives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from types import MethodType
from typing import Any
from urllib.parse import urlsplit

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .links import resolve_link
from .markdown import parser, slugify
from .model import BlockKind, BlockResult, CodeBlock, Post, PostResult, Status

# Every id a post produces starts with this, so no heading can take the id of a
# page element (the search box, the sidebar) and break the page around it.
ID_PREFIX = "h-"
_SAFE_SCHEMES = ("http", "https", "mailto")
# The footnote plugin's ids: fn1 for a note, fnref1 (fnref1:1 when cited again) for its mark.
_FOOTNOTE_ID = re.compile(r"fn(?:ref)?\d+(?::\d+)?\Z")
_LANGUAGE = re.compile(r"[a-z0-9_+#.\-]{1,32}\Z")
_LEXER_NAMES = {"output": "", "text": ""}


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str  # with the prefix, ready for href="#…"
    text: str


@dataclass(frozen=True)
class Verdict:
    """How a post's runnable examples fared, for the page-level badge."""

    total: int
    passed: int
    skipped: int
    failed: int
    python: str | None

    @property
    def all_verified(self) -> bool:
        return self.total > 0 and self.passed == self.total


@dataclass(frozen=True)
class RenderedBody:
    html: str
    toc: tuple[TocEntry, ...]
    verdict: Verdict | None  # None when the code was not run (--no-check)


@dataclass(frozen=True)
class RenderInput:
    """What rendering one document needs besides the post itself.

    ``link_targets`` maps a document path (as in :attr:`Post.path`) to its page URL
    relative to the page being rendered, or to ``None`` when it is not published.
    """

    link_targets: Mapping[str, str | None]
    result: PostResult | None
    raw_html: bool = False


def render_post(post: Post, given: RenderInput) -> RenderedBody:
    """``post.body`` as HTML, with its table of contents and, when it was checked,
    the verdict over its examples."""
    md = parser(given.raw_html)
    env: dict[str, Any] = {}
    tokens = md.parse(post.body, env)
    results = _results(given.result)
    state = _State(post, given, results)
    env["pebbles"] = state
    html = _renderer().render(tokens, md.options, env)
    if given.raw_html:
        html = sanitise(html)
    return RenderedBody(html, tuple(state.toc), verdict_of(post, given.result))


def _results(result: PostResult | None) -> dict[int, BlockResult]:
    if result is None:
        return {}
    return {b.index: b for b in result.blocks if b.status is not Status.NOT_RUN}


def verdict_of(post: Post, result: PostResult | None) -> Verdict | None:
    """Counts over the examples a reader sees (hidden setup blocks are not shown);
    ``None`` when the code was not run."""
    results = _results(result)
    if result is None or not results:
        return None
    shown = [b for b in post.runnable_blocks if not b.options.hidden]
    statuses = [results[b.index].status for b in shown if b.index in results]
    return Verdict(
        total=len(shown),
        passed=statuses.count(Status.PASSED),
        skipped=statuses.count(Status.SKIPPED),
        failed=statuses.count(Status.FAILED),
        python=result.python,
    )


class _State:
    """Per-document lookups the render rules share through markdown-it's ``env``."""

    def __init__(self, post: Post, given: RenderInput, results: dict[int, BlockResult]) -> None:
        self.post = post
        self.given = given
        self.results = results
        self.blocks_by_line = {b.fence_line - post.body_line: b for b in post.blocks}
        self.anchors = {h.line - post.body_line: h.anchor for h in post.headings}
        # An output block belongs to the runnable block that states it.
        self.owners = {b.output_block: b for b in post.blocks if b.output_block is not None}
        self.toc: list[TocEntry] = []
        self.anchor = ""  # the heading being rendered


def _state(env: EnvType) -> _State:
    state: _State = env["pebbles"]
    return state


class _PostRenderer(RendererHTML):
    """markdown-it's HTML renderer with the site's rules for fences, headings and links."""

    def __init__(self) -> None:
        super().__init__()
        # The footnote plugin registers its rules on the shared parser's renderer;
        # borrow them, re-bound so they look their helpers up on this renderer.
        shared = parser().renderer
        assert isinstance(shared, RendererHTML)
        for name, rule in shared.rules.items():
            self.rules.setdefault(name, MethodType(getattr(rule, "__func__", rule), self))

    def fence(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        state = _state(env)
        block = state.blocks_by_line.get(token.map[0] if token.map else -1)
        if block is None:
            return _code_figure(token.content, "")
        owner = state.owners.get(block.index)
        if block.options.hidden or (owner is not None and owner.options.hidden):
            return ""
        if block.kind is BlockKind.OUTPUT:
            return _output_panel(block.source) + (_mark(owner, state) if owner else "")
        html = _code_figure(block.source, block.language)
        if block.runnable and block.output_block is None:
            html += _mark(block, state)
        return html

    def heading_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        state = _state(env)
        text = self.renderInlineAsText(tokens[idx + 1].children or [], options, env)
        line = token.map[0] if token.map else -1
        state.anchor = ID_PREFIX + state.anchors.get(line, slugify(text))
        if token.tag in ("h2", "h3"):
            state.toc.append(TocEntry(int(token.tag[1]), state.anchor, text))
        return f'<{token.tag} id="{escape(state.anchor)}">'

    def heading_close(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        # The anchor link comes after the text so a screen reader hears the heading first.
        anchor = escape(_state(env).anchor)
        link = f'<a class="heading-anchor" href="#{anchor}" aria-label="Link to this section">#</a>'
        return f"{link}</{tokens[idx].tag}>\n"

    def link_open(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        href = str(token.attrGet("href") or "")
        rewritten = _rewrite_href(href, _state(env))
        if rewritten is None:
            return '<a class="unpublished">'
        return f'<a href="{escape(rewritten)}">'

    def image(self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
        token = tokens[idx]
        src = str(token.attrGet("src") or "")
        alt = self.renderInlineAsText(token.children or [], options, env)
        if not _is_safe_url(src):
            return escape(alt)
        title = token.attrGet("title")
        extra = f' title="{escape(str(title))}"' if title else ""
        return f'<img src="{escape(src)}" alt="{escape(alt)}"{extra} loading="lazy">'

    def footnote_anchor_name(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return str(tokens[idx].meta["id"] + 1)


@lru_cache(maxsize=1)
def _renderer() -> _PostRenderer:
    return _PostRenderer()


def _rewrite_href(href: str, state: _State) -> str | None:
    """Page URL for a ``.md`` link, prefixed anchors, and nothing unsafe."""
    if href.startswith("#"):
        return _in_page(href[1:], state.post)
    resolved = resolve_link(state.post.path, href)
    if resolved is not None:
        path, anchor = resolved
        url = state.given.link_targets.get(path)
        if url is None:
            return None
        # The checker has made sure the anchor names one of the target's headings.
        return url + ("#" + ID_PREFIX + anchor if anchor else "")
    return href if _is_safe_url(href) else None


def _in_page(anchor: str, post: Post) -> str:
    """A heading's anchor gets the prefix, even one that starts like a footnote's
    id or the prefix itself; a footnote's or an already rendered id is kept."""
    if anchor in {h.anchor for h in post.headings} or not (
        anchor.startswith(ID_PREFIX) or _FOOTNOTE_ID.match(anchor)
    ):
        return "#" + ID_PREFIX + anchor
    return "#" + anchor


def _is_safe_url(url: str) -> bool:
    # markdown-it already refuses javascript:, vbscript:, file: and most data:
    # URLs; this allow-list is the second lock on the same door.
    scheme = urlsplit(url.strip()).scheme.lower()
    return not scheme or scheme in _SAFE_SCHEMES or url.startswith("data:image/")


# --- code -------------------------------------------------------------------------


def _code_figure(source: str, language: str) -> str:
    lang = language if _LANGUAGE.match(language) else ""
    label = "python" if lang == "pycon" else lang
    return (
        f'<figure class="code" data-lang="{escape(lang)}">'
        f'<div class="code-head"><span class="code-lang">{escape(label)}</span>'
        '<button type="button" class="copy-button" data-copy hidden>Copy</button></div>'
        f'<pre class="highlight"><code>{highlight(source, lang)}</code></pre></figure>\n'
    )


def _output_panel(text: str) -> str:
    return (
        '<figure class="output"><figcaption>Output</figcaption>'
        f"<pre><code>{escape(text.rstrip())}</code></pre></figure>\n"
    )


def _mark(block: CodeBlock, state: _State) -> str:
    result = state.results.get(block.index)
    if result is None:
        return ""
    python = state.given.result.python if state.given.result else None
    on = f" on Python {escape(python)}" if python else ""
    if result.status is Status.PASSED:
        stated = result.expected is not None or block.expected is not None
        words = f"output verified{on}" if stated else f"ran without errors{on}"
        return f'<p class="verdict verdict-passed"><span aria-hidden="true">✓</span> {words}</p>\n'
    if result.status is Status.SKIPPED:
        why = f": {escape(result.reason)}" if result.reason else ""
        return f'<p class="verdict verdict-skipped"><span aria-hidden="true">⤼</span> not run{why}</p>\n'
    why = f": {escape(result.reason)}" if result.reason else ""
    return f'<p class="verdict verdict-failed"><span aria-hidden="true">✗</span> check failed{why}</p>\n'


def highlight(source: str, language: str) -> str:
    """Pygments-highlighted, HTML-escaped ``source``; plain escaped text when no lexer fits."""
    lexer = _lexer(language)
    if lexer is None:
        return escape(source.rstrip("\n"))
    from pygments import highlight as pygmentize

    html: str = pygmentize(source, lexer, _formatter())
    return html.rstrip("\n")


@lru_cache(maxsize=64)
def _lexer(language: str) -> Any:
    name = _LEXER_NAMES.get(language, language)
    if not name:
        return None
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        # stripnl off: leading blank lines are part of what the author wrote.
        return get_lexer_by_name(name, stripnl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


# --- sanitising opted-in raw HTML ----------------------------------------------------


def sanitise(html: str) -> str:
    """Keep ordinary formatting tags and the renderer's own markup; drop the rest.

    Scripts, styles, SVG/MathML, event handlers, ``style`` (except table alignment)
    and non-http(s)/mailto URLs are removed; ids must carry the post prefix.
    """
    import nh3

    tags = set(nh3.ALLOWED_TAGS) | {"button", "section"}
    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = {"class", "id", "aria-hidden", "aria-label", "title", "hidden"}
    attributes.setdefault("a", set()).update({"href"})
    attributes.setdefault("img", set()).update({"loading"})
    attributes["figure"] = {"data-lang"}
    attributes["button"] = {"type", "data-copy"}
    attributes["th"] = attributes.get("th", set()) | {"style"}
    attributes["td"] = attributes.get("td", set()) | {"style"}
    return nh3.clean(
        html,
        tags=tags,
        attributes=attributes,
        attribute_filter=_keep_attribute,
        url_schemes=set(_SAFE_SCHEMES),
        filter_style_properties={"text-align"},
        link_rel=None,
    )


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "id" and not value.startswith((ID_PREFIX, "fn")):
        return None
    return value
