"""The worker pool: lost workers are replaced, results do not depend on the number
of workers, the longest posts start first, and progress is shown as asked."""

from __future__ import annotations

import io
import sys

import pytest

from pebbles.progress import Progress
from pebbles.sandbox import Sandbox
from pebbles.scheduler import longest_first

from .conftest import Site
from .running import GOOD, Cli, check, write_posts

SLEEPY = (
    "```python\nimport time\ntime.sleep(0.05)\nprint('{name}')\n```\n\n```output\n{name}\n```\n"
)


def use_sandbox(site: Site, mode: str) -> None:
    text = (site.root / "site.yml").read_text()
    (site.root / "site.yml").write_text(text.replace("check:\n", f"check:\n  sandbox: {mode}\n"))


def test_a_post_that_kills_its_worker_costs_only_itself(site: Site, cli: Cli) -> None:
    use_sandbox(site, "none")  # inside bubblewrap the post may not signal its worker
    killer = "```python\nimport os\nos.kill(os.getppid(), 9)\n```\n"
    write_posts(site, **{"a-killer": killer, "b-good": GOOD, "c-good": GOOD, "d-good": GOOD})
    checked = check(site, cli, "--jobs", "1")
    assert checked.code == 1
    (error,) = checked.errors("a-killer")
    assert "the sandboxed worker running this post died during this block" in error
    for slug in ("b-good", "c-good", "d-good"):
        assert checked.post(slug)["status"] == "passed", checked.text


def test_results_do_not_depend_on_the_number_of_workers(site: Site, cli: Cli) -> None:
    posts = {f"post-{n}": SLEEPY.format(name=f"post {n}") for n in range(5)}
    posts["broken"] = "```python\nprint('a')\n```\n\n```output\nb\n```\n"
    write_posts(site, **posts)

    def outcome(jobs: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
        report = check(site, cli, "--no-cache", "--jobs", jobs).report
        return [
            (p["path"], p["status"], [(b["status"], b["actual"]) for b in p["blocks"]])
            for p in report["posts"]
        ]

    assert outcome("1") == outcome("3")


def test_the_longest_posts_start_first_and_unknown_ones_early() -> None:
    known = {"quick": 0.1, "slow": 9.0, "medium": 2.0}
    order = longest_first(["quick", "new", "slow", "medium"], known, unknown=1.0)
    assert order == ["slow", "medium", "new", "quick"]


def test_progress_draws_one_live_line_and_clears_it() -> None:
    stream = io.StringIO()
    progress = Progress(3, live=True, stream=stream)
    progress.from_cache(1)
    progress.start("content/a.md")
    progress.finish("content/a.md")
    progress.start("content/b.md")
    progress.finish("content/b.md")
    progress.close(2, "bwrap")
    text = stream.getvalue()
    assert "\n" not in text
    drawn = [line for line in text.split("\r") if line.strip()]
    assert drawn[0].startswith("pebbles: 1/3 posts · 1 running · slowest content/a.md")
    assert drawn[-1].startswith("pebbles: 3/3 posts")
    assert text.endswith(" \r")  # the line is blanked out at the end


def test_progress_in_ci_is_one_plain_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    stream = io.StringIO()
    progress = Progress(3, live=False, stream=stream)
    progress.from_cache(2)
    progress.start("content/a.md")
    progress.finish("content/a.md")
    progress.close(1, "bwrap")
    assert stream.getvalue().startswith("pebbles: ran 1 post on 1 worker (bwrap) in ")
    assert stream.getvalue().endswith("s; 2 from cache\n")


def test_progress_elsewhere_says_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    stream = io.StringIO()
    progress = Progress(1, live=False, stream=stream)
    progress.start("content/a.md")
    progress.finish("content/a.md")
    progress.close(1, "bwrap")
    assert stream.getvalue() == ""


def test_workers_that_cannot_start_stop_the_run_with_their_reason(
    site: Site, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = [sys.executable, "-c", "import sys; sys.exit('worker: no luck here')"]
    monkeypatch.setattr(Sandbox, "worker_command", lambda self, base: (failing, {}))
    write_posts(site, good=GOOD)
    result = cli("check")
    assert result.code == 2
    assert result.err.strip() == "pebbles: error: could not start a worker: worker: no luck here"
