"""`pebbles serve` as a real process: rebuild on change, live-reload events, and a
broken build that keeps the last good site while the browser is told file:line."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from .desk_site import Served, draft, make_site, start_server, stop_server

READ_TIMEOUT_S = 30.0


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = start_server(make_site(tmp_path / "site"), "--no-check")
    yield server
    stop_server(server)


def build_events(client: httpx2.Client, url: str) -> Iterator[dict[str, Any]]:
    """Each ``build`` event of the server's event stream, as it arrives."""
    with client.stream("GET", url + "__pebbles/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[len("event: ") :]
            elif line.startswith("data: ") and kind == "build":
                yield json.loads(line[len("data: ") :])


def test_editing_a_post_rebuilds_and_tells_open_pages(served: Served) -> None:
    post = served.root / "content/basics/an-existing-pebble.md"
    with httpx2.Client(timeout=READ_TIMEOUT_S) as client:
        page = served.url + "posts/an-existing-pebble/"
        assert "Sums are the first thing" in client.get(page).text
        events = build_events(client, served.url)
        first = next(events)
        assert first["ok"] is True
        post.write_text(draft("An existing pebble", "Now about products.\n"), encoding="utf-8")
        after = next(events)
        assert after["ok"] is True and after["version"] > first["version"]
        fresh = client.get(page).text
        assert "Now about products." in fresh and "Sums are the first thing" not in fresh
        assert '<script src="/__pebbles/live.js" defer></script>' in fresh


def test_a_new_post_appears_without_a_restart(served: Served) -> None:
    with httpx2.Client(timeout=READ_TIMEOUT_S) as client:
        events = build_events(client, served.url)
        next(events)
        target = served.root / "content/threads/joining-threads.md"
        target.parent.mkdir()
        target.write_text(draft("Joining threads", topic="threads"), encoding="utf-8")
        assert next(events)["ok"] is True
        assert client.get(served.url + "posts/joining-threads/").status_code == 200


def test_a_broken_build_is_reported_with_file_and_line_and_the_old_site_stays(
    served: Served,
) -> None:
    post = served.root / "content/basics/an-existing-pebble.md"
    good = post.read_text(encoding="utf-8")
    page = served.url + "posts/an-existing-pebble/"
    with httpx2.Client(timeout=READ_TIMEOUT_S) as client:
        events = build_events(client, served.url)
        next(events)
        post.write_text(good.replace('topic: "basics"', 'topic: "basix"'), encoding="utf-8")
        broken = next(events)
        assert broken["ok"] is False
        (problem,) = broken["problems"]
        assert problem["path"].endswith("content/basics/an-existing-pebble.md")
        assert (problem["line"], problem["code"]) == (4, "unknown-topic")
        assert "did you mean 'basics'" in problem["message"]
        still = client.get(page)
        assert still.status_code == 200 and "Sums are the first thing" in still.text
        health = client.get(served.url + "api/health").json()
        assert health["build"]["ok"] is False
        post.write_text(good, encoding="utf-8")
        assert next(events)["ok"] is True


def test_a_broken_site_yml_is_reported_and_fixing_it_recovers(served: Served) -> None:
    config = served.root / "site.yml"
    good = config.read_text(encoding="utf-8")
    with httpx2.Client(timeout=READ_TIMEOUT_S) as client:
        events = build_events(client, served.url)
        next(events)
        config.write_text(good + "surprise: 1\n", encoding="utf-8")
        broken = next(events)
        assert broken["ok"] is False
        assert [(p["path"], p["code"]) for p in broken["problems"]] == [("site.yml", "unknown-key")]
        assert client.get(served.url).status_code == 200
        config.write_text(good, encoding="utf-8")
        assert next(events)["ok"] is True


def test_a_template_error_points_at_the_template_line(served: Served, tmp_path: Path) -> None:
    bundled = Path(__file__).resolve().parents[1] / "renderer"
    # A copy of the theme with one broken template, moved into place in one step
    # so that no build sees half a theme; the site's own renderer/ wins.
    staged = tmp_path / "theme"
    shutil.copytree(bundled, staged)
    broken = staged / "templates" / "404.html"
    broken.write_text(broken.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    with httpx2.Client(timeout=READ_TIMEOUT_S) as client:
        events = build_events(client, served.url)
        next(events)
        staged.rename(served.root / "renderer")
        state = next(events)
        assert state["ok"] is False
        (problem,) = state["problems"]
        assert problem["path"] == "renderer/templates/404.html"
        lines = (served.root / problem["path"]).read_text(encoding="utf-8").splitlines()
        assert lines[problem["line"] - 1] == "{% if %}"
        assert client.get(served.url).status_code == 200
