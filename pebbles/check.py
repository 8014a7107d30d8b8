"""The checking half of the pipeline: read, parse, validate, run, report."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .content import discover, display_path, load_post
from .local_rules import load_rules
from .model import (
    BlockResult,
    CheckReport,
    Diagnostic,
    Post,
    PostResult,
    RunOutcome,
    RunRequest,
    Site,
    SiteConfig,
    Status,
)
from .update import write_updates
from .validate import validate_site

Runner = Callable[[Sequence[Post], SiteConfig, RunRequest], dict[str, RunOutcome]]


@dataclass(frozen=True)
class Loaded:
    """Every document read from disk, and which of them this run is about."""

    site: Site
    selected: tuple[str, ...]  # display paths, posts and guides
    file_problems: dict[str, list[Diagnostic]] = field(default_factory=dict)


def load_site(config: SiteConfig, targets: Sequence[Path] = ()) -> Loaded:
    """Parse the whole site; ``targets`` narrows what is reported, not what is read."""
    found = discover(config)
    chosen = discover(config, targets) if targets else found
    problems: dict[str, list[Diagnostic]] = {}
    posts: list[Post] = []
    guides: list[Post] = []
    for paths, is_guide, into in ((found.posts, False, posts), (found.guides, True, guides)):
        for path in paths:
            post, diagnostics = load_post(path, config, is_guide=is_guide)
            problems[display_path(path)] = diagnostics
            if post is not None:
                into.append(post)
    selected = tuple(display_path(p) for p in (*chosen.posts, *chosen.guides))
    site_wide = found.diagnostics + (chosen.diagnostics if targets else ())
    site = Site(config, tuple(posts), tuple(guides), tuple(dict.fromkeys(site_wide)))
    return Loaded(site, selected, problems)


def check(loaded: Loaded, request: RunRequest, runner: Runner | None) -> CheckReport:
    """Validate the selected documents and, with a ``runner``, run their code."""
    started = time.perf_counter()
    config = loaded.site.config
    rules, rule_problems = load_rules(config.validators_dir)
    documents = {p.path: p for p in (*loaded.site.posts, *loaded.site.guides)}
    selected_posts = [documents[path] for path in loaded.selected if path in documents]
    findings = validate_site(loaded.site, selected_posts, rules)
    to_run = [p for p in selected_posts if p.runnable_blocks]
    outcomes = runner(to_run, config, request) if runner and to_run else {}
    if request.update:
        outcomes = {path: write_updates(documents[path], o) for path, o in outcomes.items()}
    results = []
    for path in loaded.selected:
        post = documents.get(path)
        problems = loaded.file_problems.get(path, []) + findings.get(path, [])
        results.append(_post_result(path, post, problems, outcomes.get(path)))
    return CheckReport(
        posts=tuple(results),
        diagnostics=tuple(loaded.site.diagnostics) + rule_problems,
        duration_s=time.perf_counter() - started,
    )


def _post_result(
    path: str, post: Post | None, problems: list[Diagnostic], outcome: RunOutcome | None
) -> PostResult:
    if outcome is not None:
        blocks = outcome.blocks
        problems = problems + list(outcome.findings)
    else:
        blocks = _not_run(post)
    findings = tuple(sorted(problems, key=lambda d: (d.line, d.col, d.code)))
    if any(d.is_error for d in findings):
        status = Status.FAILED
    elif blocks and all(b.status is Status.SKIPPED for b in blocks):
        status = Status.SKIPPED
    else:
        status = Status.PASSED
    return PostResult(
        path=path,
        slug=post.slug if post else Path(path).stem,
        status=status,
        findings=findings,
        blocks=blocks,
        duration_s=outcome.duration_s if outcome else 0.0,
        python=outcome.python if outcome else None,
    )


def _not_run(post: Post | None) -> tuple[BlockResult, ...]:
    if post is None:
        return ()
    return tuple(
        BlockResult(
            index=b.index,
            line=b.line,
            language=b.language,
            status=Status.NOT_RUN,
            expected=b.expected.text if b.expected else None,
        )
        for b in post.runnable_blocks
    )
