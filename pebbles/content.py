"""Find posts under ``content/`` and parse each into a :class:`~pebbles.model.Post`."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from markdown_it.token import Token

from .fences import parse_info
from .frontmatter import parse_front_matter, split
from .markdown import block_parser, parse_inline, slugify
from .model import (
    BlockKind,
    BlockOptions,
    CodeBlock,
    Diagnostic,
    Expectation,
    FrontMatter,
    Heading,
    Link,
    Post,
    Severity,
    SiteConfig,
)

GUIDES = "guides"
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")


def is_slug(text: str) -> bool:
    """Lower-case words joined by hyphens: the only file names that become URLs."""
    return bool(_SLUG.match(text))


_OUTPUT_LABEL = re.compile(r"^\W*(expected\s+)?output\W*$", re.IGNORECASE)
_LABELLED_OUTPUT_LANGUAGES = ("text", "console", "")
_EXTERNAL = re.compile(r"^([a-z][a-z0-9+.\-]*:|//|#|/)", re.IGNORECASE)


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def _diag(
    path: str, line: int, col: int, code: str, message: str, severity: Severity = Severity.ERROR
) -> Diagnostic:
    return Diagnostic(path, line, col, severity, code, message)


# --- discovery ---------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    posts: tuple[Path, ...]
    guides: tuple[Path, ...]
    diagnostics: tuple[Diagnostic, ...]


def discover(config: SiteConfig, targets: Sequence[Path] = ()) -> Found:
    """All ``.md`` files under ``content/`` (or just ``targets``), guides apart.

    Symlinked folders are followed once; a loop is reported, never walked forever.
    """
    content = config.content_dir.resolve()
    diagnostics: list[Diagnostic] = []
    files: list[Path] = []
    for target in targets or (config.content_dir,):
        resolved = target.resolve()
        if not target.exists():
            diagnostics.append(
                _diag(display_path(target), 1, 1, "not-found", "no such file or folder")
            )
        elif not _is_within(resolved, content):
            diagnostics.append(
                _diag(
                    display_path(target),
                    1,
                    1,
                    "outside-content",
                    f"not inside the content folder {display_path(config.content_dir)}",
                )
            )
        elif resolved.is_dir():
            files.extend(_walk(target, diagnostics))
        elif target.suffix != ".md":
            diagnostics.append(
                _diag(display_path(target), 1, 1, "not-markdown", "posts are .md files")
            )
        else:
            files.append(target)
    guides_dir = config.guides_dir.resolve()
    unique = sorted({f.resolve(): f for f in files}.items())
    posts = tuple(f for real, f in unique if not _is_within(real, guides_dir))
    guides = tuple(f for real, f in unique if _is_within(real, guides_dir))
    return Found(posts, guides, tuple(diagnostics))


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _walk(top: Path, diagnostics: list[Diagnostic]) -> Iterable[Path]:
    seen: set[tuple[int, int]] = set()
    for folder, dirnames, filenames in os.walk(top, followlinks=True):
        info = os.stat(folder)
        key = (info.st_dev, info.st_ino)
        if key in seen:
            diagnostics.append(
                _diag(
                    display_path(Path(folder)),
                    1,
                    1,
                    "symlink-loop",
                    "symbolic link loop; folder skipped",
                )
            )
            dirnames.clear()
            continue
        seen.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            path = Path(folder, name)
            if name.endswith(".md") and not name.startswith("."):
                if path.exists():
                    yield path
                else:
                    diagnostics.append(
                        _diag(
                            display_path(path),
                            1,
                            1,
                            "broken-link",
                            "broken symbolic link",
                            Severity.WARNING,
                        )
                    )


# --- reading one file --------------------------------------------------------


def read_text(
    path: Path, shown: str, max_bytes: int, setting: str | None = "check.max_post_kib"
) -> tuple[str | None, list[Diagnostic]]:
    """Read UTF-8 text (BOM and CRLF accepted), refusing oversized files before reading them.

    ``setting`` names where the limit is set, if anywhere, for the message.
    """
    try:
        info = path.stat()
        # A named pipe or a device would block the read, or never end.
        if not stat.S_ISREG(info.st_mode):
            return None, [_diag(shown, 1, 1, "unreadable", "cannot read: not a regular file")]
        size = info.st_size
        if size > max_bytes:
            limit = f"the limit is {max_bytes // 1024} KiB" + (f" ({setting})" if setting else "")
            return None, [_diag(shown, 1, 1, "too-large", f"file is {size // 1024} KiB; {limit}")]
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as err:
        return None, [_diag(shown, 1, 1, "unreadable", f"cannot read: {err.strerror or err}")]
    return decode(data, shown)


def decode(data: bytes, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes → text with ``\\n`` line ends; a bad byte is reported at its line and column."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        return None, [
            _diag(
                shown,
                line,
                col,
                "not-utf8",
                f"not valid UTF-8 (byte 0x{data[err.start]:02x}); save the file as UTF-8",
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def load_post(
    path: Path, config: SiteConfig, *, is_guide: bool
) -> tuple[Post | None, list[Diagnostic]]:
    """Read and parse one file."""
    shown = display_path(path)
    text, problems = read_text(path, shown, config.check.max_post_kib * 1024)
    if text is None:
        return None, problems
    return parse_post(text, shown, path.stem, config, is_guide=is_guide)


def parse_post(
    text: str, shown: str, slug: str, config: SiteConfig, *, is_guide: bool
) -> tuple[Post | None, list[Diagnostic]]:
    """Parse a whole document (already decoded) into a Post and its problems."""
    diagnostics: list[Diagnostic] = []
    if not is_slug(slug):
        diagnostics.append(
            _diag(
                shown,
                1,
                1,
                "bad-slug",
                f"file name '{slug}.md' must be lower-case words joined by hyphens, like 'my-first-post.md'",
            )
        )
    parts = split(text)
    if parts.problem or parts.yaml_text is None:
        line, code, message = parts.problem or (1, "no-front-matter", "missing front matter")
        diagnostics.append(_diag(shown, line, 1, code, message))
        return None, diagnostics
    meta, problems = parse_front_matter(
        parts.yaml_text, shown, is_guide=is_guide, topics=tuple(t.slug for t in config.topics)
    )
    diagnostics.extend(problems)
    if meta is None:
        return None, diagnostics
    body = parse_body(parts.body, parts.body_line, shown, meta)
    diagnostics.extend(body.diagnostics)
    post = Post(
        path=shown,
        slug=slug,
        is_guide=is_guide,
        meta=meta,
        body=parts.body,
        body_line=parts.body_line,
        blocks=body.blocks,
        links=body.links,
        headings=body.headings,
        content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    return post, diagnostics


# --- the Markdown body -------------------------------------------------------


@dataclass(frozen=True)
class Body:
    blocks: tuple[CodeBlock, ...]
    links: tuple[Link, ...]
    headings: tuple[Heading, ...]
    diagnostics: tuple[Diagnostic, ...]


def parse_body(body: str, body_line: int, shown: str, meta: FrontMatter) -> Body:
    """Code blocks, links and headings from the markdown-it token stream."""
    md = block_parser()
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    source_lines = body.split("\n")
    blocks: list[CodeBlock] = []
    diagnostics: list[Diagnostic] = []
    links: list[Link] = []
    headings: list[Heading] = []
    anchors: dict[str, int] = {}
    for position, token in enumerate(tokens):
        if token.type == "fence" and token.map:
            label_before = _is_output_label(tokens, position)
            block = _fence_block(
                token, len(blocks), body_line, shown, meta.check, diagnostics, label_before
            )
            # Adjacent means the same container (top level, a list item, a quote).
            before = tokens[position - 1] if position else None
            adjacent = before is not None and before.type == "fence" and before.level == token.level
            block = _attach_expectation(block, blocks, adjacent, label_before, shown, diagnostics)
            diagnostics.extend(_cramped_prompts(block, shown))
            blocks.append(block)
        elif token.type == "heading_open" and token.map:
            text = tokens[position + 1].content
            anchor = slugify(text)
            anchors[anchor] = anchors.get(anchor, 0) + 1
            if anchors[anchor] > 1:
                anchor = f"{anchor}-{anchors[anchor]}"
            headings.append(Heading(int(token.tag[1]), text, anchor, body_line + token.map[0]))
        elif token.type == "inline" and token.map and "]" in token.content:
            # Only a "]" can close link text, so other paragraphs need no inline parse.
            links.extend(
                _links(parse_inline(md, token, env), token.map, source_lines, body_line, env)
            )
    return Body(tuple(blocks), tuple(links), tuple(headings), tuple(diagnostics))


def _is_output_label(tokens: list[Token], position: int) -> bool:
    """``Output:`` paragraph directly before a fence, right after a runnable fence."""
    if position < 4:
        return False
    before = tokens[position - 4 : position]
    return (
        before[0].type == "fence"
        and before[1].type == "paragraph_open"
        and before[2].type == "inline"
        and bool(_OUTPUT_LABEL.match(before[2].content.strip()))
    )


def _fence_block(
    token: Token,
    index: int,
    body_line: int,
    shown: str,
    defaults: BlockOptions,
    diagnostics: list[Diagnostic],
    label_before: bool,
) -> CodeBlock:
    assert token.map is not None
    fence_line = body_line + token.map[0]
    first = token.content.split("\n", 1)[0]
    info = parse_info(token.info, first)
    kind = info.kind
    if label_before and info.language in _LABELLED_OUTPUT_LANGUAGES:
        kind = BlockKind.OUTPUT
    for problem in info.problems:
        col = token.info.find(token.info.strip()) + problem.offset + len(token.markup) + 1
        diagnostics.append(_diag(shown, fence_line, col, problem.code, problem.message))
    options = (
        info.options.merged_over(defaults)
        if kind in (BlockKind.SCRIPT, BlockKind.TRANSCRIPT)
        else info.options
    )
    return CodeBlock(
        index=index,
        language=info.language if kind is not BlockKind.OUTPUT else "output",
        info=token.info,
        kind=kind,
        options=options,
        source=token.content,
        line=fence_line + 1,
        fence_line=fence_line,
        end_line=body_line + token.map[1] - 1,
    )


def _cramped_prompts(block: CodeBlock, shown: str) -> Iterable[Diagnostic]:
    """``>>>x`` in a transcript is read as output, not run: say so where it stands."""
    if block.kind is not BlockKind.TRANSCRIPT:
        return
    for offset, line in enumerate(block.source.split("\n")):
        stripped = line.lstrip()
        # Only ">>>": output such as "......" may legitimately start with dots.
        if stripped.startswith(">>>") and stripped[3:4] not in ("", " ", "\t", ">"):
            yield _diag(
                shown,
                block.line + offset,
                len(line) - len(stripped) + 4,
                "prompt-space",
                "put a space after '>>>': as written this line is read as output, not run",
                Severity.WARNING,
            )


def _attach_expectation(
    block: CodeBlock,
    earlier: list[CodeBlock],
    adjacent: bool,
    label_before: bool,
    shown: str,
    diagnostics: list[Diagnostic],
) -> CodeBlock:
    """An output block states the output of the runnable block right before it."""
    if block.kind is not BlockKind.OUTPUT:
        return block
    before = earlier[-1] if earlier else None
    if before is None or not before.runnable or not (adjacent or label_before):
        diagnostics.append(
            _diag(
                shown,
                block.fence_line,
                1,
                "orphan-output",
                "output block does not follow a python block; put it right after the code it belongs to",
            )
        )
        return block
    if before.expected is not None:
        diagnostics.append(
            _diag(
                shown,
                block.fence_line,
                1,
                "duplicate-output",
                f"block on line {before.fence_line} already has an output block",
            )
        )
        return block
    expected = Expectation(block.source, block.line, "output-block")
    earlier[-1] = replace(before, expected=expected, output_block=block.index)
    return block


def _links(
    children: list[Token],
    where: list[int],
    source_lines: list[str],
    body_line: int,
    env: dict[str, Any],
) -> Iterable[Link]:
    for child in children:
        if child.type != "link_open":
            continue
        href = str(child.attrs.get("href", ""))
        if not href or _EXTERNAL.match(href):
            continue
        # markdown-it percent-encodes the href (café.md → caf%C3%A9.md), and a
        # reference link's target is written on its definition's line.
        written = (href, unquote(href))
        spans = [where] + [
            ref["map"] for ref in env.get("references", {}).values() if ref.get("href") == href
        ]
        line, col = _find(written, spans, source_lines) or (where[0], 1)
        yield Link(href, body_line + line, col)


def _find(
    needles: tuple[str, ...], spans: list[list[int]], source_lines: list[str]
) -> tuple[int, int] | None:
    for start, end in spans:
        for offset in range(start, min(end, len(source_lines))):
            for needle in needles:
                found = source_lines[offset].find(needle)
                if found >= 0:
                    return offset, found + 1
    return None
