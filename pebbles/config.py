"""Load ``site.yml`` strictly: every problem is a diagnostic with its line."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from .errors import ConfigError
from .graphemes import is_single_grapheme
from .model import (
    Brand,
    CheckSettings,
    Diagnostic,
    Level,
    NavLink,
    RenderSettings,
    ServeSettings,
    SiteConfig,
    Topic,
)
from .schema import Reader
from .suggest import did_you_mean
from .yamlstrict import YamlProblem, YEntry, YNode, load

CONFIG_NAME = "site.yml"
NAV_PAGES = ("guides", "contributions", "write", "stepping-stones", "home")
SANDBOX_MODES = ("auto", "bwrap", "none")

_BRAND_REQUIRED = ("name",)
_BRAND_OPTIONAL = (
    "hero",
    "tagline",
    "footer",
    "description",
    "url",
    "repo",
    "branch",
    "language",
    "repo_dir",
)
_CHECK_KEYS = (
    "jobs",
    "block_timeout",
    "post_timeout",
    "max_post_kib",
    "output_limit_kib",
    "memory_mb",
    "sandbox",
)
_SERVE_KEYS = ("submissions", "max_request_kib", "rate_limit", "check_queue")
# The queue folder must not be a place the build reads: a pending submission
# would otherwise be published (content/) or executed (validators/) unreviewed.
_SOURCE_FOLDERS = ("content", "renderer", "validators")


def find_site_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds a ``site.yml``."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def load_config(root: Path) -> SiteConfig:
    """Read ``root/site.yml``; raise :class:`ConfigError` listing every problem."""
    path = root / CONFIG_NAME
    shown = os.path.relpath(path) if path.is_absolute() else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{shown}: no site configuration found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{shown}: cannot read: {err}") from None
    config, diagnostics = parse_config(text, root, shown)
    if config is None or diagnostics:
        raise ConfigError(f"{shown}: invalid site configuration", tuple(diagnostics))
    return config


def parse_config(text: str, root: Path, shown: str) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """Parse config text; returns the config (None when unusable) and all problems."""
    reader = Reader(shown)
    try:
        tree = load(text)
    except YamlProblem as problem:
        reader.error(problem.line, problem.col, problem.code, problem.message)
        return None, reader.diagnostics
    if tree is None:
        reader.error(1, 1, "empty-config", "site.yml is empty")
        return None, reader.diagnostics
    top = reader.mapping(
        tree,
        "site.yml",
        required=("site", "topics"),
        optional=("nav", "levels", "check", "render", "serve"),
    )
    if "site" not in top or "topics" not in top:
        return None, reader.diagnostics
    brand = _brand(reader, top["site"])
    levels = _levels(reader, top.get("levels"))
    topics = _topics(reader, top["topics"], {lv.slug for lv in levels})
    config = SiteConfig(
        root=root,
        brand=brand,
        nav=_nav(reader, top.get("nav")),
        levels=levels,
        topics=topics,
        check=_check(reader, top.get("check")),
        render=_render(reader, top.get("render")),
        serve=_serve(reader, top.get("serve")),
        path=shown,
    )
    return config, reader.diagnostics


def _brand(reader: Reader, entry: YEntry) -> Brand:
    fields = reader.mapping(entry.node, "site", _BRAND_REQUIRED, _BRAND_OPTIONAL)
    values = {key: reader.text(value, key) or "" for key, value in fields.items()}
    name = values.get("name") or "Pebbles"
    return Brand(
        name=name,
        hero=values.get("hero", ""),
        tagline=values.get("tagline", ""),
        footer=values.get("footer", f"Created with ❤️ by {name}"),
        description=values.get("description", ""),
        url=values.get("url", "/"),
        repo=values.get("repo", ""),
        branch=values.get("branch", "main"),
        language=values.get("language", "en"),
        repo_dir=_repo_dir(reader, fields.get("repo_dir"), values.get("repo_dir", "")),
    )


def _repo_dir(reader: Reader, entry: YEntry | None, value: str) -> str:
    """The site's folder inside its repository, as a clean relative POSIX path."""
    parts = [part for part in value.replace("\\", "/").split("/") if part not in ("", ".")]
    if entry is not None and (value.startswith("/") or ".." in parts):
        reader.error(
            entry.node.line,
            entry.node.col,
            "bad-value",
            f"repo_dir must be a folder inside the repository, like 'docs', not '{value}'",
        )
        return ""
    return "/".join(parts)


def _items(reader: Reader, entry: YEntry | None, name: str) -> list[YNode]:
    if entry is None:
        return []
    if entry.node.kind != "seq":
        reader.error(entry.node.line, entry.node.col, "wrong-type", f"'{name}' must be a list")
        return []
    items: list[YNode] = entry.node.value
    return items


def _emoji(reader: Reader, entry: YEntry | None) -> str:
    if entry is None:
        return ""
    value = reader.text(entry, "emoji") or ""
    if value and not is_single_grapheme(value):
        reader.error(
            entry.node.line, entry.node.col, "emoji", f"emoji must be one character, got '{value}'"
        )
    return value


def _nav(reader: Reader, entry: YEntry | None) -> tuple[NavLink, ...]:
    links: list[NavLink] = []
    for node in _items(reader, entry, "nav"):
        fields = reader.mapping(node, "a nav link", ("title", "page"), ("emoji",))
        page_entry = fields.get("page")
        page = reader.text(page_entry, "page") if page_entry else None
        if page_entry and page and page not in NAV_PAGES:
            reader.error(
                page_entry.node.line,
                page_entry.node.col,
                "unknown-page",
                f"unknown page '{page}'; choose one of {', '.join(NAV_PAGES)}",
            )
        title = reader.text(fields["title"], "title") if "title" in fields else None
        if title and page:
            links.append(NavLink(title, _emoji(reader, fields.get("emoji")), page))
    return tuple(links)


def _levels(reader: Reader, entry: YEntry | None) -> tuple[Level, ...]:
    levels: list[Level] = []
    for node in _items(reader, entry, "levels"):
        fields = reader.mapping(node, "a level", ("slug", "title"), ("description",))
        slug = reader.text(fields["slug"], "slug") if "slug" in fields else None
        title = reader.text(fields["title"], "title") if "title" in fields else None
        description = (
            reader.text(fields["description"], "description") if "description" in fields else ""
        )
        if slug and title:
            levels.append(Level(slug, title, description or ""))
    return tuple(levels)


def _topics(reader: Reader, entry: YEntry, level_slugs: set[str]) -> tuple[Topic, ...]:
    topics: list[Topic] = []
    seen: dict[str, int] = {}
    for node in _items(reader, entry, "topics"):
        fields = reader.mapping(
            node, "a topic", ("slug", "title", "emoji"), ("level", "runnable", "description")
        )
        slug = reader.text(fields["slug"], "slug") if "slug" in fields else None
        title = reader.text(fields["title"], "title", max_len=120) if "title" in fields else None
        emoji = _emoji(reader, fields.get("emoji"))
        level = ""
        if "level" in fields:
            level = reader.text(fields["level"], "level") or ""
            if level and level_slugs and level not in level_slugs:
                hint = did_you_mean(level, level_slugs)
                reader.error(
                    fields["level"].node.line,
                    fields["level"].node.col,
                    "unknown-level",
                    f"unknown level '{level}'{hint}",
                )
        runnable = reader.boolean(fields["runnable"], "runnable") if "runnable" in fields else True
        description = (
            reader.text(fields["description"], "description") if "description" in fields else ""
        )
        if slug is None or title is None or not emoji:
            continue
        if slug in seen:
            reader.error(
                fields["slug"].node.line,
                fields["slug"].node.col,
                "duplicate-slug",
                f"topic slug '{slug}' is already used on line {seen[slug]}",
            )
            continue
        seen[slug] = fields["slug"].node.line
        topics.append(Topic(slug, title, emoji, level, runnable is not False, description or ""))
    return tuple(topics)


def _check(reader: Reader, entry: YEntry | None) -> CheckSettings:
    if entry is None:
        return CheckSettings()
    fields = reader.mapping(entry.node, "check", optional=_CHECK_KEYS)
    defaults = CheckSettings()
    jobs: int | None = None
    if "jobs" in fields and fields["jobs"].node.value != "auto":
        jobs = reader.integer(fields["jobs"], "jobs", minimum=1)
    sandbox = defaults.sandbox
    if "sandbox" in fields:
        sandbox = reader.text(fields["sandbox"], "sandbox") or sandbox
        if sandbox not in SANDBOX_MODES:
            node = fields["sandbox"].node
            reader.error(
                node.line,
                node.col,
                "bad-value",
                f"sandbox must be one of {', '.join(SANDBOX_MODES)}",
            )
            sandbox = defaults.sandbox

    def num(key: str, default: float) -> float:
        return (reader.number(fields[key], key) or default) if key in fields else default

    def whole(key: str, default: int) -> int:
        return (
            (reader.integer(fields[key], key, minimum=1) or default) if key in fields else default
        )

    return CheckSettings(
        jobs=jobs,
        block_timeout=num("block_timeout", defaults.block_timeout),
        post_timeout=num("post_timeout", defaults.post_timeout),
        max_post_kib=whole("max_post_kib", defaults.max_post_kib),
        output_limit_kib=whole("output_limit_kib", defaults.output_limit_kib),
        memory_mb=whole("memory_mb", defaults.memory_mb),
        sandbox=sandbox,
    )


def _render(reader: Reader, entry: YEntry | None) -> RenderSettings:
    if entry is None:
        return RenderSettings()
    fields = reader.mapping(entry.node, "render", optional=("raw_html",))
    raw = reader.boolean(fields["raw_html"], "raw_html") if "raw_html" in fields else False
    return RenderSettings(raw_html=bool(raw))


def _serve(reader: Reader, entry: YEntry | None) -> ServeSettings:
    if entry is None:
        return ServeSettings()
    fields = reader.mapping(entry.node, "serve", optional=_SERVE_KEYS)
    defaults = ServeSettings()
    submissions = defaults.submissions
    if "submissions" in fields:
        node = fields["submissions"].node
        folder = reader.text(fields["submissions"], "submissions")
        problem = _submissions_problem(folder) if folder else None
        if problem:
            reader.error(node.line, node.col, "bad-value", problem)
        elif folder:
            submissions = folder

    def whole(key: str, default: int) -> int:
        if key not in fields:
            return default
        return reader.integer(fields[key], key, minimum=1) or default

    return ServeSettings(
        submissions=submissions,
        max_request_kib=whole("max_request_kib", defaults.max_request_kib),
        rate_limit=whole("rate_limit", defaults.rate_limit),
        check_queue=whole("check_queue", defaults.check_queue),
    )


def _submissions_problem(folder: str) -> str | None:
    path = PurePosixPath(folder)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return "submissions must be a folder inside the site, like 'submissions'"
    if path.parts[0] in _SOURCE_FOLDERS:
        return f"submissions must not be inside {path.parts[0]}/: the build reads that folder"
    return None
