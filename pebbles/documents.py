"""Standalone documents: any Markdown file, read as its fenced code blocks.

Outside a Pebbles site there is no front matter to rely on and no ``content/``
folder: every ``.md`` file under the given paths is a document, and what matters
is each fence, its language, and what stands between it and the fence before it
(an ``Output:`` paragraph, say), all read from the markdown-it token stream.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from markdown_it.token import Token

from .content import display_path, read_text
from .frontmatter import split
from .markdown import parser
from .model import Diagnostic, Severity

# Tokens that may stand between a fence and the fence before it without
# separating them: one short paragraph (the "Output:" line) and its text.
_LABEL_TOKENS = ("paragraph_open", "inline", "paragraph_close")


@dataclass(frozen=True)
class Fence:
    """One fenced code block. Lines are 1-based ``.md`` lines."""

    index: int
    language: str  # first word of the info string, lower-cased; "" when untagged
    info: str
    source: str
    line: int  # line of the first source line
    fence_line: int
    end_line: int  # line of the closing fence (or the last line if unclosed)
    follows: (
        int | None
    )  # index of the fence just before, when only a paragraph or nothing lies between
    label: str  # that paragraph's text ("" when the two fences are adjacent)

    @property
    def lines(self) -> list[str]:
        """Source lines without the final newline's empty line."""
        return self.source.removesuffix("\n").split("\n") if self.source else []


@dataclass(frozen=True)
class Document:
    path: str
    fences: tuple[Fence, ...]
    content_hash: str


def find_documents(targets: Sequence[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """Every ``.md`` file under ``targets`` (files or folders), once each, in order.

    Hidden files and folders, virtual environments and installed packages are
    left out; a symbolic link loop is reported and not walked.
    """
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for target in targets:
        if target.is_dir():
            files.extend(_walk(target, problems))
        elif not target.exists():
            problems.append(_problem(target, "not-found", "no such file or folder"))
        elif target.suffix.lower() not in (".md", ".markdown"):
            problems.append(_problem(target, "not-markdown", "not a Markdown (.md) file"))
        else:
            files.append(target)
    unique = {path.resolve(): path for path in files}
    return sorted(unique.values(), key=display_path), problems


def _problem(path: Path, code: str, message: str) -> Diagnostic:
    return Diagnostic(display_path(path), 1, 1, Severity.ERROR, code, message)


def _walk(top: Path, problems: list[Diagnostic]) -> Iterable[Path]:
    seen: set[tuple[int, int]] = set()
    for folder, dirnames, filenames in os.walk(top, followlinks=True):
        info = os.stat(folder)
        if (info.st_dev, info.st_ino) in seen:
            problems.append(
                Diagnostic(
                    display_path(Path(folder)),
                    1,
                    1,
                    Severity.WARNING,
                    "symlink-loop",
                    "symbolic link loop; folder skipped",
                )
            )
            dirnames.clear()
            continue
        seen.add((info.st_dev, info.st_ino))
        dirnames[:] = sorted(d for d in dirnames if not _tooling(Path(folder, d)))
        for name in sorted(filenames):
            if name.lower().endswith((".md", ".markdown")) and not name.startswith("."):
                path = Path(folder, name)
                if path.exists():
                    yield path


_TOOLING = frozenset({"node_modules", "site-packages", "__pycache__"})


def _tooling(folder: Path) -> bool:
    """Hidden folders, virtual environments and installed packages hold no tutorials."""
    return (
        folder.name.startswith(".") or folder.name in _TOOLING or (folder / "pyvenv.cfg").is_file()
    )


def load_document(path: Path, max_bytes: int) -> tuple[Document | None, list[Diagnostic]]:
    """Read and parse one file; unreadable or oversized files are diagnostics."""
    shown = display_path(path)
    text, problems = read_text(path, shown, max_bytes, setting=None)  # no site.yml to set it
    if text is None:
        return None, problems
    return parse_document(text, shown), []


def parse_document(text: str, path: str) -> Document:
    """The fences of ``text``; a YAML front matter, when there is one, is skipped."""
    parts = split(text)
    body, body_line = (parts.body, parts.body_line) if parts.yaml_text is not None else (text, 1)
    tokens = parser().parse(body)
    fences: list[Fence] = []
    between: list[Token] = []
    for token in tokens:
        if token.type != "fence" or token.map is None:
            between.append(token)
            continue
        follows, label = _after_previous(fences, between)
        fence_line = body_line + token.map[0]
        fences.append(
            Fence(
                index=len(fences),
                language=(token.info.split() or [""])[0].lower(),
                info=token.info,
                source=token.content,
                line=fence_line + 1,
                fence_line=fence_line,
                end_line=body_line + token.map[1] - 1,
                follows=follows,
                label=label,
            )
        )
        between = []
    return Document(path, tuple(fences), hashlib.sha256(text.encode("utf-8")).hexdigest())


def _after_previous(fences: list[Fence], between: list[Token]) -> tuple[int | None, str]:
    """Does this fence come right after the previous one, and with what words between?"""
    if not fences:
        return None, ""
    if not between:
        return fences[-1].index, ""
    kinds = [token.type for token in between]
    if tuple(kinds) == _LABEL_TOKENS:
        return fences[-1].index, between[1].content.strip()
    return None, ""
