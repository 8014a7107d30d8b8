"""The desk's HTTP API against the real app (Starlette's TestClient), on real sites."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from pebbles.guard import RateLimiter
from pebbles.model import Post, RunOutcome, RunRequest, SiteConfig
from pebbles.runner import run_posts
from pebbles.submissions import META_FILE, POST_FILE, listing

from .desk_site import FAILING, Desk, desk_app, draft, make_site, needs_sandbox, poll


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """One built site for the tests that store nothing."""
    root = make_site(tmp_path_factory.mktemp("shared") / "site")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        with desk_app(root) as app:
            yield app


@pytest.fixture
def reader(shared: Desk, monkeypatch: pytest.MonkeyPatch) -> Desk:
    # Paths in messages are shown relative to the working directory, as in the CLI.
    monkeypatch.chdir(shared.root)
    return shared


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    """A site of its own, for tests that store submissions."""
    root = make_site(tmp_path / "site")
    monkeypatch.chdir(root)
    with desk_app(root) as app:
        yield app


def site_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra_yml: str, jobs: int = 2
) -> Path:
    root = make_site(tmp_path / "site", extra_yml, jobs)
    monkeypatch.chdir(root)
    return root


def queue_of(root: Path) -> list[Path]:
    folder = root / "submissions"
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


# --- pages --------------------------------------------------------------------------


def test_pages_carry_live_reload_and_only_the_write_page_the_token(reader: Desk) -> None:
    home = reader.client.get("/")
    assert home.status_code == 200
    assert '<script src="/__pebbles/live.js" defer></script>' in home.text
    assert "test-token" not in home.text
    write = reader.client.get("/write/")
    assert '<meta name="pebbles-desk" content="test-token">' in write.text
    assert "/__pebbles/desk.js" in write.text
    assert write.headers["cache-control"] == "no-store"


def test_static_files_are_served_untouched_and_paths_cannot_escape(reader: Desk) -> None:
    css = reader.client.get("/static/css/site.css")
    assert css.status_code == 200 and "live.js" not in css.text
    assert reader.client.get("/../site.yml").status_code == 404
    assert reader.client.get("/%2e%2e/site.yml").status_code == 404
    assert reader.client.get("/__pebbles/..%2fserver.py").status_code == 404


def test_health_says_the_desk_is_there(reader: Desk) -> None:
    health = reader.client.get("/api/health").json()
    assert health["desk"] is True
    assert health["build"]["ok"] is True
    assert health["checks"] == {"running": 0, "waiting": 0}


# --- preview ------------------------------------------------------------------------


def test_preview_renders_the_post_page_with_the_site_template(reader: Desk) -> None:
    status, answer = reader.call("/api/preview", draft("Adding things up"))
    assert status == 200
    page = str(answer["page"])
    assert "<title>Adding things up · Testsite</title>" in page
    assert 'class="post-body"' in page and "<h1>" in page
    assert "sum" in page and "<figure" in page
    assert answer["problems"] == []
    assert answer["body_line"] == 10


def test_preview_escapes_html_in_the_draft(reader: Desk) -> None:
    hostile = draft(
        'Escaping <img src=x onerror="alert(1)">',
        '<script>alert("body")</script>\n\n[click](javascript:alert(1))\n',
    )
    _, answer = reader.call("/api/preview", hostile)
    page = str(answer["page"])
    assert '<script>alert("body")</script>' not in page
    assert "&lt;script&gt;" in page
    assert '<img src=x onerror="alert(1)">' not in page
    assert 'href="javascript:' not in page


def test_preview_of_an_unfinished_header_still_shows_the_body(reader: Desk) -> None:
    unfinished = draft("Half done", topic="").replace('emoji: "➕"\n', "")
    status, answer = reader.call("/api/preview", unfinished)
    assert status == 200
    assert "Sums are the first thing" in str(answer["page"])
    codes = {p["code"] for p in answer["problems"]}  # type: ignore[attr-defined]
    assert "missing-key" in codes


# --- check --------------------------------------------------------------------------


@needs_sandbox
def test_check_runs_the_draft_and_reports_each_block(reader: Desk) -> None:
    status, report = reader.call("/api/check", draft())
    assert status == 200, report
    assert report["status"] == "passed"
    (block,) = report["blocks"]  # type: ignore[misc]
    assert block["status"] == "passed" and block["actual"] == "6\n"
    assert block["line"] == 12


@needs_sandbox
def test_check_of_a_wrong_output_shows_the_diff_at_md_lines(reader: Desk) -> None:
    status, report = reader.call("/api/check", draft("Wrong sums", FAILING))
    assert status == 200
    assert report["status"] == "failed"
    (block,) = report["blocks"]  # type: ignore[misc]
    assert block["status"] == "failed"
    (finding,) = block["findings"]
    assert finding["code"] == "output-mismatch"
    assert "-17 | 5" in finding["message"] and "+   | 4" in finding["message"]


def test_check_refuses_to_run_without_a_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_with(tmp_path, monkeypatch, "  sandbox: none\n")
    with desk_app(root) as desk:
        status, answer = desk.call("/api/check", draft())
        assert status == 503
        assert "--allow-unsandboxed" in str(answer["error"])
        assert desk.client.get("/api/health").json()["check"] is False


def test_allow_unsandboxed_lets_check_run_without_a_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_with(tmp_path, monkeypatch, "  sandbox: none\n")
    with desk_app(root, allow_unsandboxed=True) as desk:
        status, report = desk.call("/api/check", draft())
        assert (status, report["status"]) == (200, "passed")


def test_a_full_check_queue_answers_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = site_with(tmp_path, monkeypatch, "  sandbox: none\nserve:\n  check_queue: 1\n", jobs=1)
    release = threading.Event()

    def held(
        posts: Sequence[Post], config: SiteConfig, request: RunRequest
    ) -> dict[str, RunOutcome]:
        release.wait(timeout=30)
        return run_posts(posts, config, request)

    with desk_app(root, runner=held, allow_unsandboxed=True) as desk:
        answers: list[int] = []

        def check(title: str) -> None:
            answers.append(desk.call("/api/check", draft(title))[0])

        threads = [threading.Thread(target=check, args=(f"Sum number {n}",)) for n in range(2)]
        for thread in threads:
            thread.start()
        checks = lambda: desk.client.get("/api/health").json()["checks"]  # noqa: E731
        poll(lambda: checks() == {"running": 1, "waiting": 1}, 20, "one check running, one waiting")
        status, answer = desk.call("/api/check", draft("One too many"))
        assert status == 503 and "busy" in str(answer["error"])
        release.set()
        for thread in threads:
            thread.join(timeout=30)
        assert answers == [200, 200]


# --- submit -------------------------------------------------------------------------


@needs_sandbox
def test_submit_stores_the_post_and_its_metadata(desk: Desk) -> None:
    text = draft("Adding things up")
    status, answer = desk.call("/api/submit", text)
    assert status == 201, answer
    assert answer["path"] == "content/basics/adding-things-up.md"
    (folder,) = queue_of(desk.root)
    assert folder.name == answer["id"]
    assert (folder / POST_FILE).read_text(encoding="utf-8") == text
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    assert meta["slug"] == "adding-things-up" and meta["topic"] == "basics"
    assert meta["author"] == {"name": "Ada Example", "github": "ada-example"}
    assert meta["check"]["status"] == "passed"


@needs_sandbox
def test_submitting_twice_stores_once(desk: Desk) -> None:
    first = desk.call("/api/submit", draft())
    second = desk.call("/api/submit", draft())
    assert (first[0], second[0]) == (201, 200)
    assert first[1]["id"] == second[1]["id"] and second[1]["created"] is False
    assert len(queue_of(desk.root)) == 1


def test_a_draft_with_problems_is_not_stored(desk: Desk) -> None:
    status, answer = desk.call("/api/submit", draft("An existing pebble"))
    assert status == 422
    assert [p["code"] for p in answer["problems"]] == ["duplicate-slug"]  # type: ignore[attr-defined]
    assert queue_of(desk.root) == []


@needs_sandbox
def test_a_draft_whose_check_fails_is_not_stored(desk: Desk) -> None:
    status, answer = desk.call("/api/submit", draft("Wrong sums", FAILING))
    assert status == 422
    assert answer["check"]["status"] == "failed"  # type: ignore[index]
    assert queue_of(desk.root) == []


@needs_sandbox
def test_the_file_name_comes_from_the_title_never_from_the_request(desk: Desk) -> None:
    sent = {"markdown": draft("../../etc/passwd"), "path": "/etc/passwd", "slug": "../x"}
    response = desk.client.post(
        "/api/submit",
        content=json.dumps(sent),
        headers={"X-Pebbles-Token": desk.token, "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["path"] == "content/basics/etc-passwd.md"
    (submission,) = listing(desk.root / "submissions")
    assert submission.slug == "etc-passwd"


# --- guards -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"X-Pebbles-Token": ""}, 403),
        ({"X-Pebbles-Token": "guessed"}, 403),
        ({"Origin": "http://evil.example"}, 403),
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({"Content-Type": "text/plain"}, 415),
    ],
)
def test_writes_without_the_token_or_from_elsewhere_are_refused(
    reader: Desk, headers: dict[str, str], status: int
) -> None:
    got, answer = reader.call("/api/submit", draft(), **headers)
    assert got == status, answer
    assert queue_of(reader.root) == []


def test_same_origin_requests_are_let_through(reader: Desk) -> None:
    status, _ = reader.call("/api/preview", draft(), Origin="http://testserver")
    assert status == 200


def test_a_foreign_host_name_is_refused(reader: Desk) -> None:
    response = reader.client.get("/write/", headers={"Host": "rebound.example"})
    assert response.status_code == 400


def test_a_request_that_is_not_a_draft_is_refused(reader: Desk) -> None:
    headers = {"X-Pebbles-Token": reader.token, "Content-Type": "application/json"}
    for body in ("not json", "[1, 2]", '{"markdown": 3}', "[" * 100_000):
        assert reader.client.post("/api/preview", content=body, headers=headers).status_code == 400


def test_a_draft_with_a_lone_surrogate_is_previewed_and_refused(reader: Desk) -> None:
    headers = {"X-Pebbles-Token": reader.token, "Content-Type": "application/json"}
    body = json.dumps({"markdown": draft("Broken") + "\ud800"})  # JSON may escape one
    preview = reader.client.post("/api/preview", content=body, headers=headers)
    assert preview.status_code == 200
    assert [p["code"] for p in preview.json()["problems"]] == ["not-utf8"]
    submitted = reader.client.post("/api/submit", content=body, headers=headers)
    assert submitted.status_code == 422
    assert queue_of(reader.root) == []


def test_requests_over_the_size_limit_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_with(tmp_path, monkeypatch, "serve:\n  max_request_kib: 2\n")
    with desk_app(root) as desk:
        big = draft(body="x" * 4096)
        status = desk.client.post(
            "/api/submit",
            content=json.dumps({"markdown": big}),
            headers={"X-Pebbles-Token": desk.token, "Content-Type": "application/json"},
        ).status_code
        assert status == 413
        assert desk.call("/api/preview", draft())[0] == 200
        assert queue_of(root) == []


def test_each_client_has_a_request_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = site_with(tmp_path, monkeypatch, "serve:\n  rate_limit: 3\n")
    with desk_app(root) as desk:
        assert [desk.call("/api/preview", draft())[0] for _ in range(3)] == [200, 200, 200]
        response = desk.client.post(
            "/api/preview",
            content=json.dumps({"markdown": draft()}),
            headers={"X-Pebbles-Token": desk.token, "Content-Type": "application/json"},
        )
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) >= 1


def test_the_rate_limiter_refills_and_keeps_clients_apart() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=2, clock=lambda: now[0])
    assert [limiter.take("a"), limiter.take("a")] == [0.0, 0.0]
    assert limiter.take("a") == pytest.approx(30.0)
    assert limiter.take("b") == 0.0
    now[0] = 30.0
    assert limiter.take("a") == 0.0
    assert limiter.take("a") > 0


def test_without_a_sandbox_a_post_is_stored_unchecked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_with(tmp_path, monkeypatch, "  sandbox: none\n")
    with desk_app(root) as desk:
        status, answer = desk.call("/api/submit", draft())
        assert (status, answer["check"]) == (201, "not-run")
        (submission,) = listing(root / "submissions")
        assert submission.meta["check"]["status"] == "not-run"
        assert "--allow-unsandboxed" in submission.meta["check"]["reason"]
