"""Which documents one run reports on: those a git change touches (``--changed-since``)
and one CI machine's share of them (``--shard K/N``).

Both only narrow :attr:`Loaded.selected`; the whole site is still parsed, so links
and slugs are checked against every document, not just the selected ones.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .check import Loaded
from .config import CONFIG_NAME
from .errors import UsageError
from .model import Post, SiteConfig

# Files at the site root that pin the libraries posts import: a new pandas can change
# what a post prints, so a change to them re-checks everything.
DEPENDENCY_FILES = ("pyproject.toml", "requirements*.txt", "constraints*.txt")

_HINT = "in CI, check out with full history (actions/checkout with fetch-depth: 0)"


@dataclass(frozen=True)
class FileChange:
    """One line of ``git diff --name-status``, as absolute paths."""

    status: str  # A added, M modified, D deleted, R renamed (new name in ``path``)
    path: Path
    old: Path | None = None  # the previous name of a renamed file


@dataclass(frozen=True)
class Selection:
    """The documents a change touches, and a sentence saying why."""

    everything: bool
    paths: frozenset[Path]  # resolved paths; ignored when ``everything``
    reason: str

    def keep(self, shown: Iterable[str]) -> tuple[str, ...]:
        """The display paths in ``shown`` that this selection includes."""
        return tuple(p for p in shown if self.everything or Path(p).resolve() in self.paths)


# --- --changed-since -------------------------------------------------------------


def changed_since(config: SiteConfig, ref: str, documents: Sequence[Post]) -> Selection:
    """The documents to re-check after the changes made since ``ref``.

    The base is the merge base of ``ref`` and ``HEAD`` (what a pull request adds,
    not what its base branch gained meanwhile). Uncommitted and untracked files
    count as changes, so the same command works on a contributor's machine.
    """
    base, changes = git_changes(config.root, ref)
    return select(config.root.resolve(), changes, documents, f"since {ref} ({base[:10]})")


def git_changes(root: Path, ref: str) -> tuple[str, list[FileChange]]:
    """``(merge-base commit, changes)`` between that commit and the work tree."""
    if ref.startswith("-"):
        raise UsageError(f"--changed-since: '{ref}' is not a git ref")
    top_text = _git(
        root, "rev-parse", "--show-toplevel", failure=f"{root} is not inside a git repository"
    )
    top = Path(os.fsdecode(top_text).strip()).resolve()
    commit = _text(
        _git(
            top,
            "rev-parse",
            "--verify",
            "--quiet",
            f"{ref}^{{commit}}",
            failure=f"unknown git ref '{ref}'; {_HINT}",
        )
    )
    base = _text(
        _git(
            top, "merge-base", commit, "HEAD", failure=f"'{ref}' and HEAD share no history; {_HINT}"
        )
    )
    diff = _git(
        top,
        "diff",
        "--name-status",
        "-z",
        "-M",
        "--no-ext-diff",
        "--no-relative",
        base,
        "--",
        failure="git diff failed",
    )
    untracked = _git(
        top, "ls-files", "-z", "--others", "--exclude-standard", failure="git ls-files failed"
    )
    changes = parse_name_status(diff, top)
    changes += [FileChange("A", top / os.fsdecode(name)) for name in untracked.split(b"\0") if name]
    return base, changes


def parse_name_status(output: bytes, top: Path) -> list[FileChange]:
    """Parse ``git diff --name-status -z`` output into changes under ``top``."""
    fields = [os.fsdecode(f) for f in output.split(b"\0")]
    changes: list[FileChange] = []
    position = 0
    while position < len(fields) and fields[position]:
        status = fields[position][0]
        if status in "RC":
            old, new = top / fields[position + 1], top / fields[position + 2]
            # A copy leaves its source untouched: only the new file is a change.
            changes.append(FileChange("R", new, old) if status == "R" else FileChange("A", new))
            position += 3
        else:
            changes.append(
                FileChange(status if status in "AD" else "M", top / fields[position + 1])
            )
            position += 2
    return changes


def select(
    root: Path, changes: Sequence[FileChange], documents: Sequence[Post], since: str
) -> Selection:
    """Pure part of :func:`changed_since`: map changed files to documents.

    - ``site.yml``, anything in ``validators/`` or a dependency file → everything;
    - an added, modified or renamed ``.md`` under ``content/`` → that document
      (a deleted one has nothing left to check);
    - any changed, deleted or renamed file → the documents linking to it, since the
      link, or an anchor into it, may now be broken;
    - ``renderer/`` and files outside the site → nothing: the check never reads them.
    """
    content, validators = root / "content", root / "validators"
    touched: set[Path] = set()
    chosen: set[Path] = set()
    for change in changes:
        for path in (change.path, change.old):
            if path is None:
                continue
            path = path.resolve()
            if (
                path == root / CONFIG_NAME
                or _within(path, validators)
                or _is_dependency_file(path, root)
            ):
                return Selection(
                    True,
                    frozenset(),
                    f"{path.relative_to(root)} changed {since}: checking everything",
                )
            touched.add(path)
        new = change.path.resolve()
        if change.status != "D" and new.suffix == ".md" and _within(new, content):
            chosen.add(new)
    linking = {Path(d.path).resolve() for d in documents if _links_into(d, touched)} - chosen
    chosen |= linking
    return Selection(False, frozenset(chosen), _reason(chosen, len(linking), touched, root, since))


def _reason(chosen: set[Path], linking: int, touched: set[Path], root: Path, since: str) -> str:
    if chosen:
        total = f"{len(chosen)} document{'s' * (len(chosen) != 1)}"
        if not linking:
            return f"checking {total} changed {since}"
        return f"checking {total}: {len(chosen) - linking} changed {since}, {linking} linking to a changed file"
    if not touched:
        return f"nothing to check: no file changed {since}"
    if all(_within(p, root / "renderer") for p in touched):
        return f"nothing to check: only the theme (renderer/) changed {since}"
    return f"nothing to check: no post or guide changed {since}"


def _within(path: Path, folder: Path) -> bool:
    return folder in path.parents


def _is_dependency_file(path: Path, root: Path) -> bool:
    return path.parent == root and any(fnmatch.fnmatch(path.name, p) for p in DEPENDENCY_FILES)


def _links_into(document: Post, targets: set[Path]) -> bool:
    here = Path(document.path).parent
    for link in document.links:
        parts = urlsplit(link.target)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        if (here / unquote(parts.path)).resolve() in targets:
            return True
    return False


def _git(cwd: Path, *args: str, failure: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("--changed-since needs git, which is not installed") from None
    if done.returncode != 0:
        detail = os.fsdecode(done.stderr).strip().splitlines()
        raise UsageError(
            f"--changed-since: {failure}" + (f" (git: {detail[-1]})" if detail else "")
        )
    return done.stdout


def _text(output: bytes) -> str:
    return os.fsdecode(output).strip()


# --- --shard ---------------------------------------------------------------------


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` → ``(K, N)`` with ``1 <= K <= N``; anything else is a ValueError."""
    k_text, slash, n_text = text.partition("/")
    if not slash or not k_text.strip().isdigit() or not n_text.strip().isdigit():
        raise ValueError(f"'{text}' is not K/N, e.g. 2/4 for the second of four shards")
    k, n = int(k_text), int(n_text)
    if not 1 <= k <= n:
        raise ValueError(f"'{text}': K must be between 1 and N")
    return k, n


def post_cost(post: Post | None) -> int:
    """How long a document takes to check, in rough units: one per runnable block, plus one.

    Taken from the content alone, never from a local cache of timings: every shard
    of a CI run computes the split on its own machine, and the shards only cover the
    site exactly once if they all see the same costs.
    """
    if post is None:
        return 1
    return 1 + sum(1 for b in post.blocks if b.runnable and b.options.skip is None)


def shard(paths: Sequence[str], k: int, n: int, costs: Mapping[str, float]) -> tuple[str, ...]:
    """The ``k``-th of ``n`` disjoint shards that together hold every path.

    Longest-first greedy: each path, costliest first (ties by path), goes to the
    least loaded shard (ties to the lowest number). Same inputs, same split.
    """
    loads = [0.0] * n
    mine: list[str] = []
    for path in sorted(set(paths), key=lambda p: (-costs.get(p, 1), p)):
        lightest = min(range(n), key=lambda b: (loads[b], b))
        loads[lightest] += costs.get(path, 1)
        if lightest == k - 1:
            mine.append(path)
    return tuple(sorted(mine))


# --- both, for the CLI -----------------------------------------------------------


def narrow(
    loaded: Loaded, since: str | None, part: tuple[int, int] | None
) -> tuple[Loaded, list[str]]:
    """``loaded`` reporting only on what ``--changed-since`` and ``--shard`` keep,
    plus one line per narrowing saying what it kept (for standard error)."""
    documents = (*loaded.site.posts, *loaded.site.guides)
    selected = loaded.selected
    notes: list[str] = []
    if since is not None:
        chosen = changed_since(loaded.site.config, since, documents)
        selected = chosen.keep(selected)
        if not selected and not chosen.reason.startswith("nothing to check"):
            notes.append(f"nothing to check: none of the given paths changed since {since}")
        else:
            notes.append(chosen.reason)
    if part is not None:
        by_path = {d.path: d for d in documents}
        costs = {p: float(post_cost(by_path.get(p))) for p in selected}
        k, n = part
        total = len(selected)
        share = set(shard(selected, k, n, costs))
        selected = tuple(p for p in selected if p in share)
        notes.append(f"shard {k}/{n}: {len(selected)} of {total} documents")
    return replace(loaded, selected=selected), notes
