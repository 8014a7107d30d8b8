"""Immutable data passed between the pipeline's stages.

Every stage takes and returns these frozen dataclasses; nothing here does I/O.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    """How bad a finding is. Only errors make a check fail."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, located in a file. ``line`` and ``col`` are 1-based."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str

    def format(self) -> str:
        """``path:line:col: severity: message [code]``; further message lines
        (a diff, say) follow indented, so the first line stays clickable."""
        first, *more = self.message.split("\n")
        head = f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {first} [{self.code}]"
        return "\n".join([head, *("    " + line for line in more)])

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


# --- site configuration ----------------------------------------------------


@dataclass(frozen=True)
class Brand:
    name: str
    hero: str
    tagline: str
    footer: str
    description: str
    url: str
    repo: str
    branch: str
    language: str
    repo_dir: str = ""  # the site's folder inside its repository ("" = the root)


@dataclass(frozen=True)
class NavLink:
    title: str
    emoji: str
    page: str


@dataclass(frozen=True)
class Level:
    slug: str
    title: str
    description: str


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    emoji: str
    level: str
    runnable: bool = True
    description: str = ""


@dataclass(frozen=True)
class CheckSettings:
    jobs: int | None = None  # None: two per CPU (pebbles.runner.WORKERS_PER_CPU)
    block_timeout: float = 10.0
    post_timeout: float = 60.0
    max_post_kib: int = 256
    output_limit_kib: int = 1024
    memory_mb: int = 2048
    sandbox: str = "auto"  # auto | bwrap | none


@dataclass(frozen=True)
class RenderSettings:
    raw_html: bool = False


@dataclass(frozen=True)
class ServeSettings:
    """``pebbles serve`` and its Write a Post desk."""

    submissions: str = "submissions"  # queue folder, relative to the site root
    max_request_kib: int = 512  # a draft is at most max_post_kib, plus JSON escaping
    rate_limit: int = 60  # desk requests per minute per client address
    check_queue: int = 16  # checks that may wait for a free worker before "busy"


@dataclass(frozen=True)
class SiteConfig:
    """The parsed ``site.yml``. ``root`` is the folder that holds it."""

    root: Path
    brand: Brand
    nav: tuple[NavLink, ...]
    levels: tuple[Level, ...]
    topics: tuple[Topic, ...]
    check: CheckSettings = field(default_factory=CheckSettings)
    render: RenderSettings = field(default_factory=RenderSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    path: str = "site.yml"

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def guides_dir(self) -> Path:
        return self.content_dir / "guides"

    @property
    def validators_dir(self) -> Path:
        return self.root / "validators"

    @property
    def submissions_dir(self) -> Path:
        return self.root / self.serve.submissions

    def topic(self, slug: str) -> Topic | None:
        for topic in self.topics:
            if topic.slug == slug:
                return topic
        return None


# --- posts -------------------------------------------------------------------


@dataclass(frozen=True)
class BlockOptions:
    """Options from a fence's info string (or a post's ``check:`` defaults).

    ``None``/empty means "not set", so post defaults and block options can be merged.
    """

    skip: str | None = None
    compile: bool = False
    raises: str | None = None
    timeout: float | None = None
    unordered: bool = False
    isolated: bool = False
    hidden: bool = False
    requires: tuple[str, ...] = ()

    def merged_over(self, defaults: BlockOptions) -> BlockOptions:
        """These options, with anything unset taken from ``defaults``."""
        return BlockOptions(
            skip=self.skip if self.skip is not None else defaults.skip,
            compile=self.compile or defaults.compile,
            raises=self.raises if self.raises is not None else defaults.raises,
            timeout=self.timeout if self.timeout is not None else defaults.timeout,
            unordered=self.unordered or defaults.unordered,
            isolated=self.isolated or defaults.isolated,
            hidden=self.hidden or defaults.hidden,
            requires=tuple(dict.fromkeys(defaults.requires + self.requires)),
        )


class BlockKind(StrEnum):
    SCRIPT = "script"  # python / py: runs
    TRANSCRIPT = "transcript"  # pycon or a ">>> " python block: runs statement by statement
    OUTPUT = "output"  # expected output of the runnable block before it
    OTHER = "other"  # highlighted, never run


@dataclass(frozen=True)
class Expectation:
    """Expected stdout of one runnable block, and where it was stated."""

    text: str
    line: int  # .md line of the first expected line
    origin: str  # "output-block" | "comment" | "transcript"


@dataclass(frozen=True)
class CodeBlock:
    """A fenced code block. ``line`` is the .md line of its first source line."""

    index: int
    language: str  # lower-cased, normalised ("py" -> "python")
    info: str  # the raw fence info string
    kind: BlockKind
    options: BlockOptions  # already merged over the post's check defaults
    source: str
    line: int
    fence_line: int
    end_line: int  # line of the closing fence (or last line if unclosed)
    expected: Expectation | None = None
    output_block: int | None = None  # index of the ```output block that states `expected`

    @property
    def runnable(self) -> bool:
        return self.kind in (BlockKind.SCRIPT, BlockKind.TRANSCRIPT)


@dataclass(frozen=True)
class Author:
    name: str
    github: str | None = None


@dataclass(frozen=True)
class FrontMatter:
    title: str
    emoji: str | None
    topic: str | None
    author: Author | None = None
    date: _dt.date | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    order: int | None = None
    draft: bool = False
    check: BlockOptions = field(default_factory=BlockOptions)
    key_lines: tuple[tuple[str, int], ...] = ()  # (key, .md line) of each header key

    def line_of(self, key: str) -> int:
        """The .md line where ``key`` is set in the header (1 when absent)."""
        return next((line for name, line in self.key_lines if name == key), 1)


@dataclass(frozen=True)
class Link:
    target: str  # as written
    line: int
    col: int


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str
    line: int


@dataclass(frozen=True)
class Post:
    """A parsed post or guide. ``path`` is relative to the site root when possible."""

    path: str
    slug: str
    is_guide: bool
    meta: FrontMatter
    body: str  # Markdown after the front matter
    body_line: int  # .md line number of the body's first line
    blocks: tuple[CodeBlock, ...]
    links: tuple[Link, ...]
    headings: tuple[Heading, ...]
    content_hash: str

    @property
    def runnable_blocks(self) -> tuple[CodeBlock, ...]:
        return tuple(b for b in self.blocks if b.runnable)


@dataclass(frozen=True)
class Site:
    """Everything read from disk: config, posts and guides, and what was wrong."""

    config: SiteConfig
    posts: tuple[Post, ...]
    guides: tuple[Post, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


# --- check results -----------------------------------------------------------


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"


@dataclass(frozen=True)
class BlockResult:
    """What happened when one runnable block ran."""

    index: int  # CodeBlock.index
    line: int
    language: str
    status: Status
    expected: str | None = None
    actual: str | None = None
    duration_s: float = 0.0
    reason: str | None = None  # skip reason or failure summary


@dataclass(frozen=True)
class PostResult:
    path: str
    slug: str
    status: Status
    findings: tuple[Diagnostic, ...]
    blocks: tuple[BlockResult, ...]
    duration_s: float = 0.0
    python: str | None = None  # "3.11" when the code ran


@dataclass(frozen=True)
class ConventionCount:
    """How one output convention fared in a standalone check (``--standalone``)."""

    name: str
    found: int = 0  # stated outputs the rule read
    confirmed: int = 0  # ... that the code's real output matched
    wrong: int = 0  # ... reported as errors
    other: int = 0  # ... version-specific, varying, doubtful, or whose code could not run
    skipped: int = 0  # comments and text the rule looked at and did not read as output


@dataclass(frozen=True)
class CheckReport:
    posts: tuple[PostResult, ...]
    diagnostics: tuple[Diagnostic, ...]  # site-wide ones (config, discovery)
    duration_s: float
    conventions: tuple[ConventionCount, ...] = ()  # standalone checks only

    @property
    def all_diagnostics(self) -> tuple[Diagnostic, ...]:
        found = list(self.diagnostics)
        for post in self.posts:
            found.extend(post.findings)
        return tuple(found)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.all_diagnostics)


@dataclass(frozen=True)
class RunRequest:
    """How to run code: the command line's choices, over site.yml's ``check``."""

    jobs: int | None = None
    use_cache: bool = True
    cache_dir: Path | None = None
    require_sandbox: bool = False
    update: bool = False  # rewrite stated outputs in place
    progress: bool = False  # live progress on a terminal


@dataclass(frozen=True)
class RunOutcome:
    """The runner's answer for one post."""

    blocks: tuple[BlockResult, ...]
    findings: tuple[Diagnostic, ...]
    duration_s: float
    python: str | None = None


@dataclass(frozen=True)
class BlockExecution:
    """What the sandboxed session observed while running one block.

    Produced by the runner (the only code that executes author code) and judged by
    :func:`pebbles.matching.judge_block`, which turns it into a :class:`BlockResult`.
    ``outcome`` is one of: ``ok``, ``error`` (an exception ended the block),
    ``timeout``, ``killed`` (a signal), ``output-limit``, ``memory``, ``skipped``
    (``skip=`` or a missing ``requires=``), ``not-run`` (an earlier failure stopped
    the session) or ``compiled`` (``compile`` option: syntax only).
    """

    index: int  # CodeBlock.index
    outcome: str
    stdout: str = ""
    stderr: str = ""
    error: str | None = None  # exception class name as raised, e.g. "ValueError"
    error_line: int | None = None  # .md line of the innermost frame in this post
    traceback: str | None = None  # formatted with .md paths and line numbers
    prints: tuple[tuple[int, str], ...] = ()  # (.md line of a print call, what it wrote)
    examples: tuple[str, ...] = ()  # transcripts: each example's output, in order
    duration_s: float = 0.0
    detail: str | None = None  # human words for timeout / killed / skipped / limits
