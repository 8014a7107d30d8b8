"""Start a new post from a template: ``pebbles new``.

The template holds a runnable example and the output it prints, so a fresh post
passes ``pebbles check`` before the author has changed a word.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .content import is_slug as _is_url_name
from .content import parse_post
from .errors import UsageError
from .graphemes import is_single_grapheme
from .local_rules import apply_rules, load_rules
from .model import Diagnostic, SiteConfig, Topic

SLUG_MAX = 60
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


class PostExists(UsageError):
    """The post's file, or another post with its slug, already exists (exit code 1)."""

    exit_code = 1


@dataclass(frozen=True)
class NewPost:
    """What ``pebbles new`` was told; ``slug`` is derived from the title when empty."""

    title: str
    topic: str
    emoji: str = ""  # empty: the topic's emoji
    author: str = ""
    github: str = ""
    slug: str = ""


def slug_for(title: str) -> str:
    """The file name a title gets: ASCII words joined by hyphens ("" when none are left).

    Accents are folded ("Café" -> "cafe"); other scripts have no ASCII spelling and
    are dropped. The Write a Post page derives names the same way.
    """
    folded = unicodedata.normalize("NFKD", title)
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    slug = _NOT_SLUG.sub("-", ascii_only.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def is_slug(text: str) -> bool:
    return _is_url_name(text) and len(text) <= SLUG_MAX


def find_topic(config: SiteConfig, wanted: str) -> Topic:
    """The topic named by slug or (case-insensitively) by title; else a usage error
    that suggests the nearest names."""
    key = wanted.strip()
    for topic in config.topics:
        if key == topic.slug or key.casefold() == topic.title.casefold():
            return topic
    raise UsageError(f"unknown topic '{wanted}'{_suggestions(config, key)}")


def _near_topics(config: SiteConfig, wanted: str) -> list[Topic]:
    """Up to three topics whose slug or title is close to ``wanted``."""
    names = {t.slug: t for t in config.topics}
    names.update({t.title.casefold(): t for t in config.topics})
    close = difflib.get_close_matches(wanted.casefold(), list(names), n=6, cutoff=0.5)
    # Words of a title also count: "threads" should find "Multithreading".
    close += [t.slug for t in config.topics if wanted.casefold() in t.title.casefold()]
    found: list[Topic] = []
    for name in close:
        if names[name] not in found:
            found.append(names[name])
    return found[:3]


def _suggestions(config: SiteConfig, wanted: str) -> str:
    found = _near_topics(config, wanted) if wanted else []
    if not found:
        return "; see the topics in site.yml"
    return " (did you mean " + " or ".join(f"'{t.slug}'" for t in found) + "?)"


def post_text(post: NewPost, topic: Topic, today: _dt.date) -> str:
    """The new file's text. Header values are YAML double-quoted (JSON strings are
    valid ones), so a title with ':' or '#' stays a title."""
    header = [
        "---",
        f"title: {_quoted(post.title)}",
        f"emoji: {_quoted(post.emoji or topic.emoji)}",
        f"topic: {topic.slug}",
    ]
    if post.author or post.github:
        header += ["author:", f"  name: {_quoted(post.author or post.github)}"]
        if post.github:
            header.append(f"  github: {_quoted(post.github)}")
    header += [f"date: {today.isoformat()}", "---", "", ""]
    return "\n".join(header) + (_RUNNABLE_BODY if topic.runnable else _SHOWN_BODY)


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


_RUNNABLE_BODY = """\
Say in a sentence or two what this pebble teaches and when a reader needs it.

## 🧪 A first example

Every `python` block below runs when the site is checked, and the `output`
block right after it states what it prints. Replace this example with yours.

```python
stones = ["pebble", "rock", "boulder"]
for stone in stones:
    print(f"{stone}: {len(stone)} letters")
```

```output
pebble: 6 letters
rock: 4 letters
boulder: 7 letters
```

## ✅ Summary

- One line for each thing the reader should remember.
"""

_SHOWN_BODY = """\
Say in a sentence or two what this pebble teaches and when a reader needs it.

## 🧪 A first example

This topic's examples are shown, not run, so a `bash` block is fine here.
Replace it with yours.

```bash
echo "one pebble at a time"
```

## ✅ Summary

- One line for each thing the reader should remember.
"""


def create_post(config: SiteConfig, post: NewPost, today: _dt.date) -> Path:
    """Write ``content/<topic>/<slug>.md``; never replaces a file.

    Raises :class:`UsageError` for a bad title, emoji, slug or topic (the
    diagnostics say which) and :class:`PostExists` when the name is taken.
    """
    topic = find_topic(config, post.topic)
    title = post.title.strip()
    if not title:
        raise UsageError("the title must not be empty")
    emoji = post.emoji.strip()
    if emoji and not is_single_grapheme(emoji):
        raise UsageError(f"the emoji must be one character, got '{emoji}'")
    slug = post.slug or slug_for(title)
    if not is_slug(slug):
        hint = "choose one with --slug" if not post.slug else "use lower-case words and hyphens"
        raise UsageError(f"cannot name the file '{slug}.md': {hint}")
    post = NewPost(title, topic.slug, emoji, post.author.strip(), post.github.strip().lstrip("@"))
    target = config.content_dir / topic.slug / f"{slug}.md"
    text = post_text(post, topic, today)
    _refuse_if_taken(config, slug, target)
    problems = _problems(text, target, slug, config)
    if problems:
        raise UsageError("the new post would not pass 'pebbles check'", tuple(problems))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # "x" creates the file or fails: a post that appears meanwhile is kept.
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise PostExists(f"{_shown(target)} already exists; not replacing it") from None
    return target


def _refuse_if_taken(config: SiteConfig, slug: str, target: Path) -> None:
    if target.exists():
        raise PostExists(f"{_shown(target)} already exists; not replacing it")
    if config.content_dir.is_dir():
        for other in config.content_dir.rglob(f"{slug}.md"):
            raise PostExists(
                f"the slug '{slug}' is already used by {_shown(other)}; slugs are unique "
                "site-wide (choose another title or --slug)"
            )


def _problems(text: str, target: Path, slug: str, config: SiteConfig) -> list[Diagnostic]:
    """Errors the template would raise with these values, site rules included."""
    shown = _shown(target)
    post, problems = parse_post(text, shown, slug, config, is_guide=False)
    if post is not None:
        rules, rule_problems = load_rules(config.validators_dir)
        problems += list(rule_problems) + apply_rules(rules, post, config)
    return [d for d in problems if d.is_error]


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
