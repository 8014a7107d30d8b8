"""The authoring verbs: ``pebbles new``, ``pebbles serve`` and ``pebbles submissions``.

:func:`register` adds them to the main parser in :mod:`pebbles.cli`.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import find_site_root
from .errors import EXIT_OK, UsageError
from .model import SiteConfig
from .scaffold import NewPost, create_post, find_topic
from .submissions import STATES, Submission, accept, listing, reject

ConfigOf = Callable[[argparse.Namespace], SiteConfig]
Ask = Callable[[str], str]


def register(
    verbs: Any, add_site_options: Callable[[argparse.ArgumentParser], None], config_of: ConfigOf
) -> None:
    """Add the authoring verbs; ``config_of`` reads site.yml the way every verb does."""
    new = verbs.add_parser(
        "new",
        help="start a post from a template (asks for what is missing on a terminal)",
    )
    add_site_options(new)
    new.add_argument("--title", help="the post's title")
    new.add_argument("--topic", help="a topic slug or title from site.yml")
    new.add_argument("--emoji", help="one character (default: the topic's emoji)")
    new.add_argument("--author", help="your name")
    new.add_argument("--github", help="your GitHub handle")
    new.add_argument("--slug", help="the file name without .md (default: from the title)")
    new.set_defaults(handler=lambda args: _cmd_new(args, config_of(args)))

    served = verbs.add_parser(
        "serve", help="build, serve with live reload, and open the Write a Post desk"
    )
    served.add_argument(
        "--root", type=Path, help="the folder holding site.yml (default: found upwards)"
    )
    served.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    served.add_argument(
        "--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)"
    )
    served.add_argument(
        "--no-check", action="store_true", help="build the site without running its code"
    )
    served.add_argument(
        "--allow-unsandboxed",
        action="store_true",
        help="let the desk's Check run drafts without bubblewrap (only on a machine you can lose)",
    )
    served.set_defaults(handler=_cmd_serve)

    queue = verbs.add_parser("submissions", help="review posts sent from the Write a Post desk")
    add_site_options(queue)
    actions = queue.add_subparsers(dest="action", metavar="ACTION", required=True)
    shown = actions.add_parser("list", help="list submissions, oldest first")
    shown.add_argument("--state", choices=STATES, default="pending", help="default: pending")
    shown.add_argument("--json", action="store_true", help="print JSON instead of a table")
    taken = actions.add_parser("accept", help="move a submission's post into content/")
    taken.add_argument("id", help="a submission id, or a unique prefix of one")
    refused = actions.add_parser("reject", help="move a submission to rejected/")
    refused.add_argument("id", help="a submission id, or a unique prefix of one")
    refused.add_argument("--reason", default="", help="why, kept with the submission")
    queue.set_defaults(handler=lambda args: _cmd_submissions(args, config_of(args)))


# --- pebbles new ---------------------------------------------------------------------


def _cmd_new(args: argparse.Namespace, config: SiteConfig) -> int:
    fields = {name: getattr(args, name) or "" for name in ("title", "topic", "emoji", "author")}
    fields.update(github=args.github or "", slug=args.slug or "")
    if sys.stdin.isatty():
        fields = ask_missing(fields, config, input)
    missing = [f"--{name}" for name in ("title", "topic") if not fields[name].strip()]
    if missing:
        raise UsageError(
            f"missing {' and '.join(missing)} (not on a terminal, so nothing is asked)"
        )
    path = create_post(config, NewPost(**fields), _dt.date.today())
    print(f"created {path.relative_to(config.root).as_posix()}")
    print(f"next: write your lesson, then run 'pebbles check {path.relative_to(config.root)}'")
    return EXIT_OK


def ask_missing(fields: dict[str, str], config: SiteConfig, ask: Ask) -> dict[str, str]:
    """Prompt for each value not given as a flag; a topic is asked until it is known."""
    answers = dict(fields)
    while not answers["title"].strip():
        answers["title"] = ask("Title: ")
    while True:
        wanted = answers["topic"].strip() or ask("Topic (slug or title): ").strip()
        try:
            topic = find_topic(config, wanted)
        except UsageError as err:
            print(f"  {err}", file=sys.stderr)
            answers["topic"] = ""
            continue
        answers["topic"] = topic.slug
        break
    if not answers["emoji"]:
        answers["emoji"] = ask(f"Emoji [{topic.emoji}]: ").strip()
    if not answers["author"]:
        answers["author"] = ask("Your name (optional): ").strip()
    if not answers["github"] and answers["author"]:
        answers["github"] = ask("GitHub handle (optional): ").strip()
    return answers


# --- pebbles serve -------------------------------------------------------------------


def _cmd_serve(args: argparse.Namespace) -> int:
    from .rebuild import CACHE_DIR
    from .server import serve

    # Only the root is found here: a broken site.yml is shown in the browser,
    # and serving goes on so that fixing it is seen at once.
    root = args.root or find_site_root(Path.cwd())
    if root is None:
        raise UsageError("no site.yml found here or in any parent folder (use --root)")
    out = Path(root) / CACHE_DIR / "serve"
    return serve(
        Path(root),
        args.host,
        args.port,
        run_code=not args.no_check,
        allow_unsandboxed=args.allow_unsandboxed,
        out=out,
    )


# --- pebbles submissions -----------------------------------------------------------


def _cmd_submissions(args: argparse.Namespace, config: SiteConfig) -> int:
    now = _dt.datetime.now(_dt.UTC)
    if args.action == "list":
        found = listing(config.submissions_dir, args.state)
        if args.json:
            print(json.dumps([_as_json(s) for s in found], ensure_ascii=False, indent=2))
        else:
            _print_table(found, args.state)
        return EXIT_OK
    if args.action == "accept":
        done, target = accept(config, args.id, now)
        print(f"accepted {done.id}: {target.relative_to(config.root).as_posix()}")
        print("next: review the post, run 'pebbles check', and commit it")
        return EXIT_OK
    done = reject(config, args.id, args.reason.strip(), now)
    print(f"rejected {done.id}: moved to {done.folder.relative_to(config.root).as_posix()}")
    return EXIT_OK


def _as_json(found: Submission) -> dict[str, Any]:
    return {"state": found.state, **found.meta}


def _print_table(found: list[Submission], state: str) -> None:
    if not found:
        print(f"no {state} submissions")
        return
    for item in found:
        author = item.meta.get("author") or {}
        by = f" by {author.get('name')}" if author.get("name") else ""
        print(
            f"{item.id}  {item.received}  {item.topic}/{item.slug}.md  "
            f"check: {item.check_status}  {item.title}{by}"
        )
