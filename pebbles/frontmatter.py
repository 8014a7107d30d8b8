"""Front matter: the YAML header of a post, read strictly per AUTHORING.md."""

from __future__ import annotations

from dataclasses import dataclass

from .fences import ALL_OPTIONS, options_from_mapping
from .graphemes import graphemes, is_single_grapheme
from .model import Author, BlockOptions, Diagnostic, FrontMatter
from .schema import Reader
from .suggest import did_you_mean
from .yamlstrict import YamlProblem, YEntry, load

POST_REQUIRED = ("title", "emoji", "topic")
GUIDE_REQUIRED = ("title",)
OPTIONAL = ("author", "date", "summary", "tags", "order", "draft", "check")
TITLE_MAX = 120


@dataclass(frozen=True)
class Split:
    """A document cut into its YAML header and Markdown body."""

    yaml_text: str | None
    body: str
    body_line: int  # 1-based line where the body starts
    problem: tuple[int, str, str] | None  # (line, code, message)


def split(text: str) -> Split:
    """Separate the ``---`` header. ``text`` must already use ``\\n`` line ends."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return Split(
            None, text, 1, (1, "no-front-matter", "post must start with '---' front matter")
        )
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() in ("---", "..."):
            yaml_text = "\n".join(lines[1 : number - 1])
            return Split(yaml_text, "\n".join(lines[number:]), number + 1, None)
    return Split(
        None,
        "",
        len(lines),
        (1, "unclosed-front-matter", "front matter opened on line 1 is never closed with '---'"),
    )


def parse_front_matter(
    yaml_text: str, path: str, *, is_guide: bool, topics: tuple[str, ...]
) -> tuple[FrontMatter | None, list[Diagnostic]]:
    """Validate the header; the body starts after it, so YAML line 1 is file line 2."""
    reader = Reader(path)
    try:
        tree = load(yaml_text, line_offset=1)
    except YamlProblem as problem:
        reader.error(problem.line, problem.col, problem.code, problem.message)
        return None, reader.diagnostics
    if tree is None:
        reader.error(
            1, 1, "empty-front-matter", "front matter is empty; a post needs title, emoji and topic"
        )
        return None, reader.diagnostics
    required = GUIDE_REQUIRED if is_guide else POST_REQUIRED
    optional = (("emoji", "topic") if is_guide else ()) + OPTIONAL
    fields = reader.mapping(tree, "front matter", required, optional)
    title = reader.text(fields["title"], "title", max_len=TITLE_MAX) if "title" in fields else None
    emoji = _emoji(reader, fields["emoji"]) if "emoji" in fields else None
    topic = _topic(reader, fields["topic"], topics) if "topic" in fields and not is_guide else None
    meta = FrontMatter(
        title=title or "",
        emoji=emoji,
        topic=topic,
        author=_author(reader, fields["author"]) if "author" in fields else None,
        date=reader.date(fields["date"], "date") if "date" in fields else None,
        summary=reader.text(fields["summary"], "summary") if "summary" in fields else None,
        tags=reader.text_list(fields["tags"], "tags") if "tags" in fields else (),
        order=reader.integer(fields["order"], "order") if "order" in fields else None,
        draft=bool(reader.boolean(fields["draft"], "draft")) if "draft" in fields else False,
        check=_check(reader, fields["check"]) if "check" in fields else BlockOptions(),
        key_lines=tuple((key, entry.key_line) for key, entry in fields.items()),
    )
    if title is None or (not is_guide and (emoji is None or topic is None)):
        return None, reader.diagnostics
    return meta, reader.diagnostics


def _emoji(reader: Reader, entry: YEntry) -> str | None:
    value = reader.text(entry, "emoji")
    if value is None:
        return None
    if not is_single_grapheme(value):
        count = len(graphemes(value))
        reader.error(
            entry.node.line,
            entry.node.col,
            "emoji",
            f"emoji must be exactly one character; '{value}' is {count}",
        )
        return None
    return value


def _topic(reader: Reader, entry: YEntry, topics: tuple[str, ...]) -> str | None:
    value = reader.text(entry, "topic")
    if value is None:
        return None
    if value not in topics:
        reader.error(
            entry.node.line,
            entry.node.col,
            "unknown-topic",
            f"unknown topic '{value}'{did_you_mean(value, topics)}; topics are listed in site.yml",
        )
        return None
    return value


def _author(reader: Reader, entry: YEntry) -> Author | None:
    node = entry.node
    if node.kind == "scalar":
        name = reader.text(entry, "author")
        return Author(name) if name else None
    fields = reader.mapping(node, "author", ("name",), ("github",))
    name = reader.text(fields["name"], "author name") if "name" in fields else None
    github = reader.text(fields["github"], "github") if "github" in fields else None
    if github is not None:
        github = github.lstrip("@")
        if not _is_handle(github):
            reader.error(
                fields["github"].node.line,
                fields["github"].node.col,
                "bad-value",
                f"'{github}' is not a GitHub user name",
            )
            github = None
    return Author(name, github) if name else None


def _is_handle(name: str) -> bool:
    return 0 < len(name) <= 39 and all(c.isascii() and (c.isalnum() or c == "-") for c in name)


def _check(reader: Reader, entry: YEntry) -> BlockOptions:
    fields = reader.mapping(
        entry.node, "check", optional=ALL_OPTIONS, unknown_code="unknown-option"
    )
    plain: dict[str, object] = {}
    for key, value in fields.items():
        node = value.node
        items = node.value if node.kind == "seq" else [node]
        # Only requires= takes several values, and only plain ones (YAML lists of names).
        nested = node.kind == "map" or any(item.kind != "scalar" for item in items)
        if nested or (node.kind == "seq" and key != "requires"):
            want = "a module name or a list of them" if key == "requires" else "one value"
            reader.error(node.line, node.col, "wrong-type", f"'{key}' in check must be {want}")
        else:
            plain[key] = [item.value for item in items] if node.kind == "seq" else node.value
    options, problems = options_from_mapping(plain)
    for key, code, message in problems:
        reader.error(fields[key].node.line, fields[key].node.col, code, message)
    return options
