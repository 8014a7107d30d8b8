"""The submissions queue: posts sent from the Write a Post desk, waiting for review.

Each submission is a folder ``<queue>/<id>/`` holding ``post.md`` and
``submission.json``. It is written whole in a hidden temporary folder, flushed to
disk, and renamed into place, so a reader (or a restart after a crash) sees a
complete submission or none. The id is derived from the text's hash, so sending
the same text twice stores it once. Rejected ones move to ``rejected/``, accepted
ones to ``accepted/`` (their post moves into ``content/``).
"""

from __future__ import annotations

import datetime as _dt
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .content import is_slug
from .errors import UsageError
from .model import SiteConfig

POST_FILE = "post.md"
META_FILE = "submission.json"
REJECTED = "rejected"
ACCEPTED = "accepted"
PENDING = "pending"
STATES = (PENDING, REJECTED, ACCEPTED)
META_VERSION = 1
ID_LENGTH = 12
ID_PREFIX_MIN = 4
TEMP_PREFIX = ".tmp-"
_ID = re.compile(rf"[0-9a-f]{{{ID_LENGTH}}}\Z")
_ID_PREFIX = re.compile(rf"[0-9a-f]{{{ID_PREFIX_MIN},{ID_LENGTH}}}\Z")


class SubmissionError(UsageError):
    """A maintainer's command cannot be carried out as asked (exit code 1)."""

    exit_code = 1


@dataclass(frozen=True)
class Entry:
    """What is known about a post before it is stored; the store adds id, hash and time."""

    slug: str  # derived and validated by the server, never taken from the client
    topic: str
    title: str
    author: str | None = None
    github: str | None = None
    check: Mapping[str, Any] = field(default_factory=dict)  # the Check result, as JSON


@dataclass(frozen=True)
class Submission:
    id: str
    state: str  # pending | rejected | accepted
    folder: Path
    meta: Mapping[str, Any]

    @property
    def slug(self) -> str:
        return str(self.meta["slug"])

    @property
    def topic(self) -> str:
        return str(self.meta["topic"])

    @property
    def title(self) -> str:
        return str(self.meta["title"])

    @property
    def received(self) -> str:
        return str(self.meta["received"])

    @property
    def check_status(self) -> str:
        check = self.meta.get("check") or {}
        return str(check.get("status", "not-run"))

    def text(self) -> str:
        return (self.folder / POST_FILE).read_text(encoding="utf-8")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def submission_id(text: str) -> str:
    return content_hash(text)[:ID_LENGTH]


# --- storing -----------------------------------------------------------------------


def store(queue: Path, text: str, entry: Entry, now: _dt.datetime) -> tuple[Submission, bool]:
    """Store ``text`` durably; returns the submission and whether it is new.

    The same text stored again (a double click, a retried request) returns the
    first submission, in whatever state a maintainer has put it since.
    """
    digest = content_hash(text)
    ident = digest[:ID_LENGTH]
    existing = find(queue, ident)
    if existing is not None:
        return _same_text(existing, digest), False
    queue.mkdir(parents=True, exist_ok=True)
    meta = {
        "version": META_VERSION,
        "id": ident,
        "received": now.astimezone(_dt.UTC).isoformat(timespec="seconds"),
        "slug": entry.slug,
        "topic": entry.topic,
        "title": entry.title,
        "author": {"name": entry.author, "github": entry.github} if entry.author else None,
        "content_hash": digest,
        "bytes": len(text.encode("utf-8")),
        "check": dict(entry.check),
    }
    temp = queue / f"{TEMP_PREFIX}{ident}-{secrets.token_hex(4)}"
    temp.mkdir()
    try:
        _write_synced(temp / POST_FILE, text)
        _write_synced(temp / META_FILE, _dumps(meta))
        _fsync_dir(temp)
        os.rename(temp, queue / ident)
    except OSError as err:
        shutil.rmtree(temp, ignore_errors=True)
        # Renaming onto a folder that is already there fails: the same text was
        # stored meanwhile by a concurrent request, and that copy stands.
        if err.errno in (errno.EEXIST, errno.ENOTEMPTY):
            raced = find(queue, ident)
            if raced is not None:
                return _same_text(raced, digest), False
        raise
    _fsync_dir(queue)
    return Submission(ident, PENDING, queue / ident, meta), True


def _same_text(found: Submission, digest: str) -> Submission:
    if found.meta.get("content_hash") != digest:
        raise SubmissionError(f"submission {found.id} has the same id but different text")
    return found


def _dumps(meta: Mapping[str, Any]) -> str:
    return json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _write_synced(path: Path, text: str) -> None:
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` survive power loss, not just a crash."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sweep(queue: Path) -> int:
    """Remove temporary folders left by writes that never finished (a killed server).

    Only call this when no other process is writing to ``queue``.
    """
    removed = 0
    for folder in (queue, queue / REJECTED, queue / ACCEPTED):
        if folder.is_dir():
            for leftover in folder.glob(f"{TEMP_PREFIX}*"):
                shutil.rmtree(leftover, ignore_errors=True)
                removed += 1
    return removed


# --- reading -----------------------------------------------------------------------


def _state_folder(queue: Path, state: str) -> Path:
    return queue if state == PENDING else queue / state


def find(queue: Path, ident: str) -> Submission | None:
    """The submission with exactly this id, in any state."""
    if not _ID.match(ident):
        return None
    for state in STATES:
        found = _read(_state_folder(queue, state) / ident, state)
        if found is not None:
            return found
    return None


def _read(folder: Path, state: str) -> Submission | None:
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("id") != folder.name:
        return None
    return Submission(folder.name, state, folder, meta)


def listing(queue: Path, state: str = PENDING) -> list[Submission]:
    """Submissions in ``state``, oldest first."""
    folder = _state_folder(queue, state)
    if not folder.is_dir():
        return []
    found = [_read(child, state) for child in folder.iterdir() if _ID.match(child.name)]
    return sorted((s for s in found if s is not None), key=lambda s: (s.received, s.id))


def resolve(queue: Path, given: str, state: str = PENDING) -> Submission:
    """The ``state`` submission named by an id or a unique prefix of one (≥ 4 digits)."""
    wanted = given.strip().lower()
    if not _ID_PREFIX.match(wanted):
        raise SubmissionError(f"'{given}' is not a submission id (see 'pebbles submissions list')")
    matches = [s for s in listing(queue, state) if s.id.startswith(wanted)]
    if not matches:
        other = find(queue, wanted) if len(wanted) == ID_LENGTH else None
        where = f"; it was already {other.state}" if other else ""
        raise SubmissionError(f"no {state} submission '{given}'{where}")
    if len(matches) > 1:
        ids = ", ".join(s.id for s in matches)
        raise SubmissionError(f"'{given}' matches several submissions: {ids}")
    return matches[0]


# --- a maintainer's decision -------------------------------------------------------


def accept(config: SiteConfig, given: str, now: _dt.datetime) -> tuple[Submission, Path]:
    """Move the post into ``content/<topic>/<slug>.md``; never replaces a file."""
    queue = config.submissions_dir
    found = resolve(queue, given)
    topic, slug = found.topic, found.slug
    # The metadata was written by the server, but it sits on disk: check it again.
    if config.topic(topic) is None or not is_slug(slug):
        raise SubmissionError(
            f"submission {found.id} names topic '{topic}' and slug '{slug}', which this site does not allow"
        )
    target = config.content_dir / topic / f"{slug}.md"
    taken = target if target.exists() else next(config.content_dir.rglob(f"{slug}.md"), None)
    if taken is not None:
        raise SubmissionError(
            f"{_shown(config, taken)} already exists; not replacing it (reject the submission, or rename it by hand)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    _move_no_replace(found.folder / POST_FILE, target)
    _fsync_dir(target.parent)
    meta = {**found.meta, "accepted": _stamp(now), "path": _shown(config, target)}
    moved = _decide(queue, found, ACCEPTED, meta)
    return moved, target


def reject(config: SiteConfig, given: str, reason: str, now: _dt.datetime) -> Submission:
    """Move a pending submission to ``rejected/``, noting why."""
    queue = config.submissions_dir
    found = resolve(queue, given)
    meta = {**found.meta, "rejected": _stamp(now), "reason": reason}
    return _decide(queue, found, REJECTED, meta)


def _decide(queue: Path, found: Submission, state: str, meta: Mapping[str, Any]) -> Submission:
    """Rewrite the metadata in place (atomically), then move the folder."""
    scratch = found.folder / f"{TEMP_PREFIX}{META_FILE}"
    scratch.unlink(missing_ok=True)
    _write_synced(scratch, _dumps(meta))
    os.replace(scratch, found.folder / META_FILE)
    _fsync_dir(found.folder)
    into = _state_folder(queue, state)
    into.mkdir(exist_ok=True)
    os.rename(found.folder, into / found.id)
    _fsync_dir(into)
    _fsync_dir(queue)
    return Submission(found.id, state, into / found.id, meta)


def _move_no_replace(source: Path, target: Path) -> None:
    """Like rename, but fails when ``target`` exists (a link is made or refused whole)."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise SubmissionError(f"{target} already exists; not replacing it") from None
    except FileNotFoundError:
        raise SubmissionError(f"{source} is missing; nothing to accept") from None
    except OSError:
        # Another file system, or one without hard links: copy, refusing to replace.
        # Read first, so a source that cannot be read leaves no empty post behind.
        text = source.read_text(encoding="utf-8")
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    source.unlink()


def _stamp(now: _dt.datetime) -> str:
    return now.astimezone(_dt.UTC).isoformat(timespec="seconds")


def _shown(config: SiteConfig, path: Path) -> str:
    try:
        return path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return str(path)
