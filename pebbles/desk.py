"""The Write a Post desk: a draft read as a post, previewed with the real templates,
its code judged by the real runner, and turned into a submission.

Everything here treats the draft as hostile: its size is capped before parsing,
its file name is derived from its title (never taken from the request), and its
HTML comes from the same escaping renderer as the built site.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2

from .check import Runner
from .content import decode, display_path, parse_post
from .local_rules import LoadedRule
from .model import (
    BlockResult,
    CodeBlock,
    Diagnostic,
    Post,
    RunOutcome,
    RunRequest,
    Severity,
    Site,
    Status,
)
from .pages import BuildOptions, PageJob, context
from .scaffold import slug_for
from .site import assemble
from .submissions import Entry
from .theme import render
from .validate import validate_site

UNTITLED = "Untitled draft"


@dataclass(frozen=True)
class Snapshot:
    """What the desk reads from the last good build of the site."""

    site: Site
    env: jinja2.Environment
    rules: tuple[LoadedRule, ...]


@dataclass(frozen=True)
class Draft:
    """A draft read as a post. ``post`` is None when its header is unusable."""

    text: str
    post: Post | None
    problems: tuple[Diagnostic, ...]
    body_line: int  # the .md line where the Markdown body starts

    @property
    def ok(self) -> bool:
        return self.post is not None and not any(d.is_error for d in self.problems)


def read_draft(raw: str, snapshot: Snapshot) -> Draft:
    """Parse and validate a draft against the site, as ``pebbles check`` would."""
    config = snapshot.site.config
    data = raw.encode("utf-8", "surrogatepass")
    # JSON can carry a lone surrogate ("\ud800"), which no response can encode:
    # a draft that is not text is shown with replacement characters.
    shown = data.decode("utf-8", "replace")
    if len(data) > config.check.max_post_kib * 1024:
        message = (
            f"the post is {len(data) // 1024} KiB; the limit is {config.check.max_post_kib} KiB"
        )
        return Draft(shown, None, (_problem(1, "too-large", message),), 1)
    text, problems = decode(data, "draft.md")
    if text is None:
        return Draft(shown, None, tuple(problems), 1)
    first, problems = parse_post(text, "draft.md", "draft", config, is_guide=False)
    if first is None:
        # Read as a guide (title only), only to learn where the body starts.
        guess, _ = parse_post(text, "draft.md", "draft", config, is_guide=True)
        return Draft(text, None, tuple(problems), guess.body_line if guess else 1)
    slug = slug_for(first.meta.title) or f"pebble-{_digest(text)[:8]}"
    shown = display_path(config.content_dir / (first.meta.topic or "") / f"{slug}.md")
    post, problems = parse_post(text, shown, slug, config, is_guide=False)
    if post is None:
        return Draft(text, None, tuple(problems), first.body_line)
    site = replace(snapshot.site, posts=(*snapshot.site.posts, post))
    findings = validate_site(site, [post], snapshot.rules).get(post.path, [])
    ordered = sorted([*problems, *findings], key=lambda d: (d.line, d.col, d.code))
    return Draft(text, post, tuple(ordered), post.body_line)


def _problem(line: int, code: str, message: str) -> Diagnostic:
    return Diagnostic("draft.md", line, 1, Severity.ERROR, code, message)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- preview -----------------------------------------------------------------------


def preview_page(draft: Draft, snapshot: Snapshot, base_url: str) -> str:
    """The draft's page as the built site would show it, from the theme's post template.

    A draft whose header is not valid yet is shown as well as it can be: with its
    title when it has one, outside any topic.
    """
    post = draft.post or _loose_post(draft.text, snapshot)
    site = snapshot.site
    if post.meta.draft:
        post = replace(post, meta=replace(post.meta, draft=False))
    if draft.post is not None:
        site = replace(site, posts=(*site.posts, post))
    else:
        site = replace(site, guides=(*site.guides, post))
    data = assemble(site, None)
    doc = next(d for d in (*data.posts, *data.guides) if d.post is post)
    job = PageJob(doc.url, "post.html", "", post.meta.title, doc=doc, topic=data.topic_of(doc))
    options = BuildOptions(base_url=base_url)
    return render(snapshot.env, "post.html", context(job, data, options))


def _loose_post(text: str, snapshot: Snapshot) -> Post:
    config = snapshot.site.config
    post, _ = parse_post(
        text, display_path(config.guides_dir / "draft.md"), "draft", config, is_guide=True
    )
    if post is not None:
        return post
    fallback = "---\ntitle: " + _yaml_quoted(UNTITLED) + "\n---\n"
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") and "\n---\n" in text else text
    post, _ = parse_post(
        fallback + body,
        display_path(config.guides_dir / "draft.md"),
        "draft",
        config,
        is_guide=True,
    )
    assert post is not None, "a title-only header always parses"
    return post


def _yaml_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- check -------------------------------------------------------------------------


def run_check(
    draft: Draft, snapshot: Snapshot, runner: Runner, request: RunRequest
) -> dict[str, Any]:
    """Run the draft's code with the real runner (blocking) and report per block."""
    assert draft.post is not None, "only a draft that parsed can run"
    outcome = None
    if draft.post.runnable_blocks:
        outcome = runner([draft.post], snapshot.site.config, request).get(draft.post.path)
    return check_report(draft, outcome)


def check_report(draft: Draft, outcome: RunOutcome | None) -> dict[str, Any]:
    """JSON for the desk: each runnable block with its result and the findings on
    its lines (a mismatch carries its diff), and the findings about the rest."""
    post = draft.post
    findings = list(draft.problems) + (list(outcome.findings) if outcome else [])
    results = {b.index: b for b in outcome.blocks} if outcome else {}
    blocks = []
    claimed: set[int] = set()
    if post is not None:
        for block in post.runnable_blocks:
            last = _last_line(block, post.blocks)
            mine = [i for i, d in enumerate(findings) if block.fence_line <= d.line <= last]
            claimed.update(mine)
            blocks.append(_block_json(block, results.get(block.index), [findings[i] for i in mine]))
    ran = outcome is not None and any(b.status is not Status.NOT_RUN for b in outcome.blocks)
    nothing_to_run = post is not None and not post.runnable_blocks
    if any(d.is_error for d in findings):
        status = "failed"
    else:
        status = "passed" if ran or nothing_to_run else "not-run"
    return {
        "status": status,
        "python": outcome.python if outcome else None,
        "duration_s": round(outcome.duration_s, 3) if outcome else 0.0,
        "body_line": draft.body_line,
        "blocks": blocks,
        "findings": [finding_json(d) for i, d in enumerate(findings) if i not in claimed],
    }


def _last_line(block: CodeBlock, blocks: Sequence[CodeBlock]) -> int:
    """The block's own closing fence, or its output block's when it has one."""
    if block.output_block is not None:
        return blocks[block.output_block].end_line
    return block.end_line


def _block_json(
    block: CodeBlock, result: BlockResult | None, found: list[Diagnostic]
) -> dict[str, Any]:
    return {
        "index": block.index,
        "line": block.fence_line,
        "language": block.language,
        "status": (result.status if result else Status.NOT_RUN).value,
        "expected": result.expected
        if result
        else (block.expected.text if block.expected else None),
        "actual": result.actual if result else None,
        "reason": result.reason if result else None,
        "findings": [finding_json(d) for d in found],
    }


def finding_json(d: Diagnostic) -> dict[str, Any]:
    return {
        "line": d.line,
        "column": d.col,
        "severity": d.severity.value,
        "code": d.code,
        "message": d.message,
    }


def problems_json(draft: Draft) -> list[dict[str, Any]]:
    return [finding_json(d) for d in draft.problems]


# --- submit ------------------------------------------------------------------------


def entry_for(draft: Draft, check: dict[str, Any]) -> Entry:
    """The submission's metadata; slug and topic come from the parsed post."""
    post = draft.post
    assert post is not None and post.meta.topic is not None, "only a valid draft is submitted"
    author = post.meta.author
    return Entry(
        slug=post.slug,
        topic=post.meta.topic,
        title=post.meta.title,
        author=author.name if author else None,
        github=author.github if author else None,
        check={k: check[k] for k in ("status", "reason", "python", "blocks") if k in check},
    )


def target_path(draft: Draft) -> Path:
    """Where the post would go on acceptance (for telling the author)."""
    assert draft.post is not None
    return Path("content", draft.post.meta.topic or "", f"{draft.post.slug}.md")
