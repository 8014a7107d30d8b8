"""The ``pebbles`` command line: each verb is a prefix of the pipeline."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, standalone_cli
from .author_cli import register as register_authoring
from .cache import CACHE_DIR
from .check import Runner, check
from .config import find_site_root, load_config
from .errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, PebblesError, UsageError
from .model import CheckReport, RunRequest, SiteConfig
from .parse_cache import load_for_check
from .report import FORMATS, render
from .selection import narrow, parse_shard


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pebbles`` script; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "verb", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = args.handler(args)
        return code
    except PebblesError as err:
        for diagnostic in err.diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        print(f"pebbles: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("pebbles: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pebbles", description="Build a Python learning site and prove its code true."
    )
    parser.add_argument("--version", action="version", version=f"pebbles {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    check_cmd = verbs.add_parser("check", help="validate posts and run their code")
    check_cmd.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="posts or folders (default: all of content/; standalone: the working folder)",
    )
    _add_site_options(check_cmd)
    _add_check_options(check_cmd)
    check_cmd.add_argument(
        "--format",
        action="append",
        metavar="FORMAT[=FILE]",
        help=f"report format, one of {', '.join(FORMATS)}; repeat with =FILE to write several",
    )
    check_cmd.add_argument(
        "--changed-since",
        metavar="REF",
        help="only documents changed since the merge base of REF and HEAD, and those linking to them",
    )
    check_cmd.add_argument(
        "--shard",
        type=_shard,
        metavar="K/N",
        help="only the K-th of N stable, disjoint shares of the documents (one per CI machine)",
    )
    standalone_cli.add_options(check_cmd)
    check_cmd.set_defaults(handler=_cmd_check)

    build_cmd = verbs.add_parser("build", help="check everything, then render the site")
    _add_site_options(build_cmd)
    _add_check_options(build_cmd)
    build_cmd.add_argument(
        "--no-check", action="store_true", help="render without checking the code"
    )
    build_cmd.add_argument(
        "--out", type=Path, help="output folder (default: _site beside site.yml)"
    )
    build_cmd.add_argument(
        "--base-url",
        metavar="URL",
        help="the site's public address for canonical links, feed and sitemap (default: site.url)",
    )
    build_cmd.add_argument(
        "--file-urls",
        action="store_true",
        help="link to index.html files, so the site can be browsed straight from disk",
    )
    build_cmd.add_argument(
        "--no-search",
        action="store_true",
        help="skip the search index (a faster build, for previews)",
    )
    build_cmd.set_defaults(handler=_cmd_build)
    register_authoring(verbs, _add_site_options, _config)
    return parser


def _add_site_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--root", type=Path, help="the folder holding site.yml (default: found upwards)"
    )


def _add_check_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--no-run", action="store_true", help="validate only; do not run any code")
    cmd.add_argument(
        "-j",
        "--jobs",
        type=_positive,
        help="worker processes (default: site.yml, else two per CPU)",
    )
    cmd.add_argument(
        "--no-cache", action="store_true", help="ignore and do not write .pebbles-cache/"
    )
    cmd.add_argument(
        "--require-sandbox",
        action="store_true",
        help="fail instead of running code without bubblewrap",
    )
    cmd.add_argument(
        "--update", action="store_true", help="rewrite stated outputs to what the code prints"
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _shard(text: str) -> tuple[int, int]:
    try:
        return parse_shard(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


# --- helpers -------------------------------------------------------------------


def _config(args: argparse.Namespace) -> SiteConfig:
    root = args.root or find_site_root(Path.cwd())
    if root is None:
        raise UsageError("no site.yml found here or in any parent folder (use --root)")
    return load_config(Path(root))


def _request(args: argparse.Namespace) -> RunRequest:
    return RunRequest(
        jobs=args.jobs,
        use_cache=not args.no_cache,
        require_sandbox=args.require_sandbox,
        update=args.update,
        progress=sys.stderr.isatty() and not os.environ.get("CI"),
    )


def _runner(args: argparse.Namespace) -> Runner | None:
    if args.no_run:
        return None
    try:
        from .runner import run_posts
    except ImportError:
        return None
    return run_posts


def _outputs(formats: Sequence[str] | None) -> list[tuple[str, Path | None]]:
    chosen: list[tuple[str, Path | None]] = []
    for item in formats or ["text"]:
        name, _, target = item.partition("=")
        if name not in FORMATS:
            raise UsageError(f"unknown format '{name}'; choose from {', '.join(FORMATS)}")
        chosen.append((name, Path(target) if target else None))
    if sum(1 for _, target in chosen if target is None) > 1:
        raise UsageError("only one --format may go to standard output; give the others =FILE")
    return chosen


def _emit(report: CheckReport, outputs: list[tuple[str, Path | None]]) -> None:
    failed: list[str] = []
    for fmt, target in outputs:
        if target is None:
            colour = fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
            sys.stdout.write(render(report, fmt, colour=colour))
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render(report, fmt), encoding="utf-8")
        except OSError as err:  # the other reports are still written
            failed.append(f"cannot write the {fmt} report to {target}: {err.strerror or err}")
    if failed:
        raise UsageError("; ".join(failed))


# --- verbs ---------------------------------------------------------------------


def _cmd_check(args: argparse.Namespace) -> int:
    outputs = _outputs(args.format)
    if standalone_cli.wanted(args):
        return standalone_cli.run(args, _request(args), lambda report: _emit(report, outputs))
    config = _config(args)
    cache_dir = None if args.no_cache else config.root / CACHE_DIR
    loaded = load_for_check(config, args.paths, cache_dir=cache_dir, workers=os.cpu_count() or 1)
    if args.changed_since is not None or args.shard is not None:
        loaded, notes = narrow(loaded, args.changed_since, args.shard)
        for note in notes:
            print(f"pebbles: {note}", file=sys.stderr)
    report = check(loaded, _request(args), _runner(args))
    _emit(report, outputs)
    return EXIT_FINDINGS if report.has_errors else EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    # The renderer (Jinja2, the theme) is imported only by the verb that renders.
    from .build import BuildRequest, build_site, summary_line
    from .parse_cache import load_for_build
    from .theme import load_theme

    config = _config(args)
    if args.no_check:
        args.no_run = True
    cache_dir = None if args.no_cache else config.root / ".pebbles-cache"
    workers = args.jobs or config.check.jobs or os.cpu_count() or 1
    theme = load_theme(config)
    loaded = load_for_build(
        config, cache_dir=cache_dir, code_fingerprint=theme.fingerprint, workers=workers
    )
    report = check(loaded, _request(args), _runner(args))
    if report.has_errors:
        sys.stdout.write(render(report, "text", colour=sys.stdout.isatty()))
        print(
            "pebbles: build stopped: fix the errors above (the site was not written)",
            file=sys.stderr,
        )
        return EXIT_FINDINGS
    sys.stdout.write(render(report, "text").splitlines()[-1] + "\n")
    request = BuildRequest(
        out=args.out or config.root / "_site",
        cache_dir=cache_dir,
        workers=workers,
        base_url=args.base_url,
        file_urls=args.file_urls,
        search=not args.no_search,
    )
    result = build_site(loaded.site, None if args.no_check else report, theme, request)
    for diagnostic in result.diagnostics:
        print(diagnostic.format(), file=sys.stderr)
    if not result.ok:
        print("pebbles: build stopped: the previous site was left as it was", file=sys.stderr)
        return EXIT_FINDINGS
    print(summary_line(result))
    return EXIT_OK
