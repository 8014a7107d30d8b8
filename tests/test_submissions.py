"""The submissions queue on disk, and `pebbles submissions list|accept|reject`."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pebbles.config import load_config
from pebbles.submissions import (
    META_FILE,
    POST_FILE,
    TEMP_PREFIX,
    Entry,
    find,
    listing,
    store,
    submission_id,
    sweep,
)

from .conftest import GOOD_POST, Result, Site

Cli = Callable[..., Result]
NOW = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def entry(slug: str = "adding-numbers", topic: str = "basics") -> Entry:
    return Entry(slug, topic, "Adding numbers", "Ada Example", "ada-example", {"status": "passed"})


def queued(site: Site, text: str = GOOD_POST, slug: str = "adding-numbers") -> str:
    submission, created = store(site.root / "submissions", text, entry(slug), NOW)
    assert created
    return submission.id


def test_a_stored_submission_is_the_text_and_its_metadata(site: Site) -> None:
    ident = queued(site)
    folder = site.root / "submissions" / ident
    assert sorted(p.name for p in folder.iterdir()) == [POST_FILE, META_FILE]
    assert (folder / POST_FILE).read_text(encoding="utf-8") == GOOD_POST
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    assert meta["id"] == ident == submission_id(GOOD_POST)
    assert meta["received"] == "2026-03-04T05:06:07+00:00"
    assert meta["author"] == {"name": "Ada Example", "github": "ada-example"}
    assert meta["check"] == {"status": "passed"}
    assert len(meta["content_hash"]) == 64


def test_the_same_text_twice_is_stored_once(site: Site) -> None:
    queue = site.root / "submissions"
    first, created = store(queue, GOOD_POST, entry(), NOW)
    again, created_again = store(queue, GOOD_POST, entry(), NOW + dt.timedelta(seconds=3))
    assert (created, created_again) == (True, False)
    assert again.id == first.id and again.received == first.received
    assert [s.id for s in listing(queue)] == [first.id]


def test_a_different_text_is_a_different_submission(site: Site) -> None:
    queue = site.root / "submissions"
    store(queue, GOOD_POST, entry(), NOW)
    store(queue, GOOD_POST + "\nMore.\n", entry(), NOW)
    assert len(listing(queue)) == 2


def test_leftovers_of_an_interrupted_write_are_invisible_and_swept(site: Site) -> None:
    queue = site.root / "submissions"
    ident = queued(site)
    half = queue / f"{TEMP_PREFIX}{'0' * 12}-dead"
    half.mkdir()
    (half / POST_FILE).write_text("half a po", encoding="utf-8")
    assert [s.id for s in listing(queue)] == [ident]
    assert sweep(queue) == 1
    assert sorted(p.name for p in queue.iterdir()) == [ident]


def test_list_shows_pending_submissions(site: Site, cli: Cli) -> None:
    ident = queued(site)
    result = cli("submissions", "list")
    assert result.code == 0
    assert ident in result.out and "basics/adding-numbers.md" in result.out
    assert "check: passed" in result.out and "by Ada Example" in result.out
    as_json = json.loads(cli("submissions", "list", "--json").out)
    assert [(s["id"], s["state"]) for s in as_json] == [(ident, "pending")]


def test_list_of_an_empty_queue_says_so(site: Site, cli: Cli) -> None:
    result = cli("submissions", "list")
    assert (result.code, result.out) == (0, "no pending submissions\n")


def test_accept_moves_the_post_into_content(site: Site, cli: Cli) -> None:
    ident = queued(site)
    result = cli("submissions", "accept", ident[:6])
    assert result.code == 0, result.err
    target = site.root / "content/basics/adding-numbers.md"
    assert target.read_text(encoding="utf-8") == GOOD_POST
    queue = site.root / "submissions"
    assert listing(queue) == []
    done = find(queue, ident)
    assert done is not None and done.state == "accepted"
    assert done.meta["path"] == "content/basics/adding-numbers.md"
    assert not (done.folder / POST_FILE).exists()
    assert cli("check", "--no-run").code == 0


def test_accept_never_replaces_a_post(site: Site, cli: Cli) -> None:
    ident = queued(site)
    mine = site.post("adding-numbers", "already here\n", topic="threads")
    result = cli("submissions", "accept", ident)
    assert result.code == 1
    assert "already exists" in result.err
    assert mine.read_text(encoding="utf-8") == "already here\n"
    assert not (site.root / "content/basics/adding-numbers.md").exists()
    assert [s.id for s in listing(site.root / "submissions")] == [ident]


def test_accept_of_a_submission_without_its_post_leaves_content_alone(site: Site, cli: Cli) -> None:
    ident = queued(site)
    (site.root / "submissions" / ident / POST_FILE).unlink()
    result = cli("submissions", "accept", ident)
    assert result.code == 1
    assert "is missing" in result.err
    assert not (site.root / "content/basics/adding-numbers.md").exists()
    assert [s.id for s in listing(site.root / "submissions")] == [ident]


def test_reject_moves_the_submission_aside_with_the_reason(site: Site, cli: Cli) -> None:
    ident = queued(site)
    result = cli("submissions", "reject", ident, "--reason", "duplicate of an existing pebble")
    assert result.code == 0, result.err
    queue = site.root / "submissions"
    done = find(queue, ident)
    assert done is not None and done.state == "rejected"
    assert done.folder == queue / "rejected" / ident
    assert done.meta["reason"] == "duplicate of an existing pebble"
    assert done.text() == GOOD_POST
    shown = cli("submissions", "list", "--state", "rejected")
    assert ident in shown.out


def test_a_decided_submission_cannot_be_decided_again(site: Site, cli: Cli) -> None:
    ident = queued(site)
    assert cli("submissions", "reject", ident).code == 0
    again = cli("submissions", "accept", ident)
    assert again.code == 1
    assert "it was already rejected" in again.err


@pytest.mark.parametrize("given", ["../../etc", "zz", "abc", "0123456789abc"])
def test_ids_that_are_not_ids_are_refused(site: Site, cli: Cli, given: str) -> None:
    queued(site)
    result = cli("submissions", "accept", given)
    assert result.code == 1
    assert "not a submission id" in result.err


def test_an_ambiguous_prefix_is_refused(site: Site, cli: Cli) -> None:
    first = queued(site)
    # The texts are fixed, so this search always ends at the same, early, n.
    text = next(
        text
        for n in range(1_000_000)
        if submission_id(text := GOOD_POST + f"\n{n}\n")[:4] == first[:4]
    )
    queued(site, text)
    result = cli("submissions", "accept", first[:4])
    assert result.code == 1 and "matches several" in result.err


def test_metadata_naming_an_unknown_topic_is_not_trusted(site: Site, cli: Cli) -> None:
    submission, _ = store(site.root / "submissions", GOOD_POST, entry(topic="nope"), NOW)
    result = cli("submissions", "accept", submission.id)
    assert result.code == 1 and "does not allow" in result.err
    assert not any((site.root / "content").rglob("*.md"))


def test_the_queue_folder_comes_from_site_yml(site: Site, cli: Cli) -> None:
    site.write("site.yml", (site.root / "site.yml").read_text() + "serve:\n  submissions: inbox\n")
    config = load_config(site.root)
    assert config.submissions_dir == site.root / "inbox"
    store(config.submissions_dir, GOOD_POST, entry(), NOW)
    assert "adding-numbers" in cli("submissions", "list").out
    assert isinstance(config.submissions_dir, Path)
