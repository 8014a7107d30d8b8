"""``pebbles check --changed-since REF`` against real git histories."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from .ci_repo import GitRepo
from .conftest import Result, Site

Cli = Callable[..., Result]


def post(title: str, body: str = "") -> str:
    return f"---\ntitle: {title}\nemoji: 🧱\ntopic: basics\n---\n\n# {title}\n\n{body}\n"


@pytest.fixture
def repo(site: Site, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """The test site with three posts committed on ``main``, on a ``feature`` branch."""
    site.post("alpha", post("Alpha"))
    site.post("beta", post("Beta", "See [gamma](gamma.md#gamma)."))
    site.post("gamma", post("Gamma"))
    site.write("renderer/templates/page.html", "<main>{{ body }}</main>\n")
    git = GitRepo(site.root, monkeypatch)
    git.commit("base")
    git("checkout", "-q", "-b", "feature")
    return git


def checked(cli: Cli, *args: str) -> tuple[Result, list[str]]:
    """Run the check with a JSON report and return the documents it covered."""
    result = cli("check", "--no-run", "--format", "json", *args)
    return result, [p["path"] for p in json.loads(result.out)["posts"]]


def test_an_added_post_is_the_only_one_checked(site: Site, repo: GitRepo, cli: Cli) -> None:
    site.post("delta", post("Delta"))
    repo.commit("add delta")
    result, paths = checked(cli, "--changed-since", "main")
    assert paths == ["content/basics/delta.md"]
    assert result.code == 0
    assert "checking 1 document changed since main" in result.err


def test_a_modified_post_is_checked(site: Site, repo: GitRepo, cli: Cli) -> None:
    site.post("alpha", post("Alpha", "More words."))
    repo.commit("edit alpha")
    assert checked(cli, "--changed-since", "main")[1] == ["content/basics/alpha.md"]


def test_uncommitted_and_untracked_posts_count_as_changed(
    site: Site, repo: GitRepo, cli: Cli
) -> None:
    site.post("alpha", post("Alpha", "Not committed yet."))
    site.post("epsilon", post("Epsilon"))
    paths = checked(cli, "--changed-since", "main")[1]
    assert paths == ["content/basics/alpha.md", "content/basics/epsilon.md"]


def test_a_renamed_post_is_checked_under_its_new_name_with_the_posts_linking_to_it(
    repo: GitRepo, cli: Cli
) -> None:
    repo("mv", "content/basics/gamma.md", "content/basics/gamma-rays.md")
    repo.commit("rename gamma")
    result, paths = checked(cli, "--changed-since", "main")
    assert paths == ["content/basics/beta.md", "content/basics/gamma-rays.md"]
    assert "1 linking to a changed file" in result.err
    beta = json.loads(result.out)["posts"][0]
    assert [(f["code"], f["line"]) for f in beta["findings"]] == [("broken-link", 9)]
    assert result.code == 1


def test_a_deleted_post_is_not_checked_but_the_posts_linking_to_it_are(
    repo: GitRepo, cli: Cli
) -> None:
    repo("rm", "-q", "content/basics/gamma.md")
    repo.commit("delete gamma")
    result, paths = checked(cli, "--changed-since", "main")
    assert paths == ["content/basics/beta.md"]
    assert result.code == 1
    assert "broken-link" in result.out


def test_an_edited_post_rechecks_the_anchors_pointing_into_it(
    site: Site, repo: GitRepo, cli: Cli
) -> None:
    site.post("gamma", post("Gamma rays"))
    repo.commit("retitle gamma: its #gamma anchor is gone")
    result, paths = checked(cli, "--changed-since", "main")
    assert paths == ["content/basics/beta.md", "content/basics/gamma.md"]
    assert "broken-anchor" in result.out


def test_a_change_to_site_yml_checks_everything(site: Site, repo: GitRepo, cli: Cli) -> None:
    config = site.root / "site.yml"
    config.write_text(config.read_text(encoding="utf-8") + "# tweak\n", encoding="utf-8")
    repo.commit("touch the config")
    result, paths = checked(cli, "--changed-since", "main")
    assert len(paths) == 3
    assert "site.yml changed since main" in result.err


def test_a_change_to_a_validator_checks_everything(site: Site, repo: GitRepo, cli: Cli) -> None:
    site.write("validators/quiet.py", "def validate(post, config):\n    return []\n")
    repo.commit("add a rule")
    assert len(checked(cli, "--changed-since", "main")[1]) == 3


def test_a_theme_only_change_has_nothing_to_check(site: Site, repo: GitRepo, cli: Cli) -> None:
    site.write("renderer/templates/page.html", "<main class=wide>{{ body }}</main>\n")
    repo.commit("restyle")
    result = cli(
        "check",
        "--no-run",
        "--changed-since",
        "main",
        "--format",
        "json=report.json",
        "--format",
        "junit=report.xml",
    )
    assert result.code == 0
    assert "nothing to check: only the theme (renderer/) changed since main" in result.err
    assert result.out == ""
    assert json.loads((site.root / "report.json").read_text())["posts"] == []
    assert ET.parse(site.root / "report.xml").getroot().get("tests") == "0"


def test_only_the_pull_requests_own_changes_count_not_its_base_branchs(
    site: Site, repo: GitRepo, cli: Cli
) -> None:
    site.post("delta", post("Delta"))
    repo.commit("feature adds delta")
    repo("checkout", "-q", "main")
    site.post("zeta", post("Zeta"))
    repo.commit("main moves on")
    repo("checkout", "-q", "feature")
    assert checked(cli, "--changed-since", "main")[1] == ["content/basics/delta.md"]


def test_paths_and_changed_since_combine(site: Site, repo: GitRepo, cli: Cli) -> None:
    site.post("delta", post("Delta"))
    site.post("threads-intro", post("Threads"), topic="threads")
    repo.commit("two new posts")
    result, paths = checked(cli, "content/threads", "--changed-since", "main")
    assert paths == ["content/threads/threads-intro.md"]
    result, paths = checked(cli, "content/basics/alpha.md", "--changed-since", "main")
    assert paths == []
    assert "nothing to check: none of the given paths changed since main" in result.err


def test_an_unknown_ref_is_a_usage_error(repo: GitRepo, cli: Cli) -> None:
    result = cli("check", "--no-run", "--changed-since", "origin/nowhere")
    assert result.code == 2
    assert "unknown git ref 'origin/nowhere'" in result.err
    assert "fetch-depth: 0" in result.err


def test_outside_a_git_repository_is_a_usage_error(site: Site, cli: Cli) -> None:
    site.post("alpha", post("Alpha"))
    result = cli("check", "--no-run", "--changed-since", "main")
    assert result.code == 2
    assert "is not inside a git repository" in result.err


def test_a_site_in_a_subfolder_of_the_repository(
    tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    site.post("alpha", post("Alpha"))
    git = GitRepo(tmp_path, monkeypatch)
    (tmp_path / "README.md").write_text("the repository\n", encoding="utf-8")
    git.commit("base")
    site.post("beta", post("Beta"))
    (tmp_path / "README.md").write_text("the repository, edited\n", encoding="utf-8")
    git.commit("beta, and a change outside the site")
    assert checked(cli, "--changed-since", "HEAD~1")[1] == ["content/basics/beta.md"]
