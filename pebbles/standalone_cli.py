"""The command-line side of standalone checks: ``--standalone``, ``--conventions``,
``--list-conventions`` and ``--explain`` on ``pebbles check``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .config import find_site_root
from .conventions import describe, select
from .errors import EXIT_FINDINGS, EXIT_OK, UsageError
from .model import CheckReport, RunRequest

if TYPE_CHECKING:
    from .sessions import Execute

Emit = Callable[[CheckReport], None]
# Site-only options, and the words that say why they do not apply.
_SITE_ONLY = (
    ("changed_since", "--changed-since"),
    ("shard", "--shard"),
    ("update", "--update"),
    ("root", "--root"),
)


def add_options(check_cmd: argparse.ArgumentParser) -> None:
    """The standalone options of ``pebbles check``."""
    check_cmd.add_argument(
        "--standalone",
        action="store_true",
        help="check any Markdown files, without a site: every .md under PATH is a document "
        "(the default when no site.yml is found)",
    )
    check_cmd.add_argument(
        "--conventions",
        metavar="RULES",
        help="output conventions to read: --conventions=a,b for only those, "
        "--conventions=-a,-b for all but those (default: all; see --list-conventions)",
    )
    check_cmd.add_argument(
        "--list-conventions",
        action="store_true",
        help="list the output conventions standalone checks understand, and exit",
    )
    check_cmd.add_argument(
        "--explain",
        type=Path,
        metavar="FILE",
        help="show which stated outputs FILE has, where, and by which convention; runs nothing",
    )


def wanted(args: argparse.Namespace) -> bool:
    """Is this a standalone check (asked for, or no site.yml above the working folder)?"""
    if args.standalone or args.list_conventions or args.explain is not None:
        return True
    return args.root is None and find_site_root(Path.cwd()) is None


def run(args: argparse.Namespace, request: RunRequest, emit: Emit) -> int:
    """Handle ``pebbles check`` in standalone mode; returns the exit code."""
    if args.list_conventions:
        sys.stdout.write(describe())
        return EXIT_OK
    rules = select(args.conventions)
    if args.explain is not None:
        return _explain(args.explain, rules)
    for attribute, option in _SITE_ONLY:
        if getattr(args, attribute, None):
            raise UsageError(f"{option} needs a site; it does not apply to standalone checks")
    # Imported here: a site's check (the common case) never needs the standalone engine.
    from .standalone import check_standalone, standalone_config

    targets = args.paths or [Path.cwd()]
    report = check_standalone(
        targets, rules, standalone_config(Path.cwd()), request, None if args.no_run else _engine()
    )
    emit(report)
    return EXIT_FINDINGS if report.has_errors else EXIT_OK


def _explain(path: Path, rules: frozenset[str]) -> int:
    from .explain import explain
    from .standalone import read_analyses

    if not path.is_file() or path.suffix.lower() not in (".md", ".markdown"):
        raise UsageError(f"--explain needs a Markdown file; {path} is not one")
    analyses, problems = read_analyses([path], rules)
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    for analysis in analyses:
        sys.stdout.write(explain(analysis, rules))
    return EXIT_FINDINGS if any(p.is_error for p in problems) else EXIT_OK


def _engine() -> Execute:
    from .runner import observe_posts

    return observe_posts
