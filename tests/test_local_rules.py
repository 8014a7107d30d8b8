"""Site-local rules: the two shipped in validators/ and the loader itself."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from .conftest import GOOD_POST, Result, Site

Cli = Callable[..., Result]
REPO_VALIDATORS = Path(__file__).resolve().parents[1] / "validators"


def with_repo_rules(site: Site) -> None:
    shutil.copytree(
        REPO_VALIDATORS, site.root / "validators", ignore=shutil.ignore_patterns("__pycache__")
    )


def errors(result: Result) -> list[str]:
    return [
        line for line in result.out.splitlines() if ": error: " in line or ": warning: " in line
    ]


def test_title_in_lower_case_is_flagged_on_the_title_line(site: Site, cli: Cli) -> None:
    with_repo_rules(site)
    site.post("adding", GOOD_POST.replace("title: Adding numbers", "title: adding numbers."))
    assert errors(cli("check", "--no-run")) == [
        "content/basics/adding.md:2:1: error: title should start with a capital letter: 'adding numbers.' [title-style]",
        "content/basics/adding.md:2:1: error: title should not end with a full stop [title-style]",
    ]


def test_a_module_name_may_open_a_title(site: Site, cli: Cli) -> None:
    with_repo_rules(site)
    site.post("adding", GOOD_POST.replace("title: Adding numbers", "title: 'asyncio: many waits'"))
    assert errors(cli("check", "--no-run")) == []


def test_a_post_without_runnable_code_is_an_error_unless_its_topic_is_not_runnable(
    site: Site, cli: Cli
) -> None:
    with_repo_rules(site)
    prose = GOOD_POST.split("# Adding")[0] + "Just words.\n\n```bash\nls\n```\n"
    site.post("words", prose)
    site.post("commits", prose.replace("topic: basics", "topic: git"), topic="git")
    assert errors(cli("check", "--no-run")) == [
        "content/basics/words.md:4:1: error: a 'Basics' pebble needs at least one ```python example that runs [no-runnable-example]"
    ]


def test_a_printing_example_without_stated_output_is_a_warning(site: Site, cli: Cli) -> None:
    with_repo_rules(site)
    site.post("adding", GOOD_POST.replace("```output\n3\n```\n", ""))
    result = cli("check", "--no-run")
    assert result.code == 0
    assert errors(result) == [
        "content/basics/adding.md:12:1: warning: this example prints but states no output; add an ```output block after it [no-stated-output]"
    ]


def test_a_custom_rule_is_loaded_by_path_and_its_findings_reported(site: Site, cli: Cli) -> None:
    site.write(
        "validators/needs_summary.py",
        "from pebbles.model import Diagnostic, Severity\n"
        "def validate(post, config):\n"
        "    if post.meta.summary is None:\n"
        "        yield Diagnostic(post.path, 1, 1, Severity.ERROR, 'summary', 'add a summary')\n",
    )
    site.post("adding", GOOD_POST)
    result = cli("check", "--no-run")
    assert result.code == 1
    assert errors(result) == ["content/basics/adding.md:1:1: error: add a summary [summary]"]


def test_a_crashing_rule_is_reported_at_its_own_line(site: Site, cli: Cli) -> None:
    site.write("validators/broken.py", "def validate(post, config):\n    return 1 / 0\n")
    site.post("adding", GOOD_POST)
    (line,) = errors(cli("check", "--no-run"))
    assert line.startswith(
        "validators/broken.py:2:1: error: rule 'broken' failed on content/basics/adding.md: ZeroDivisionError"
    )


def test_a_rule_file_that_does_not_import_is_reported(site: Site, cli: Cli) -> None:
    site.write("validators/typo.py", "import nonexistent_module_xyz\n")
    result = cli("check", "--no-run")
    assert result.code == 1
    assert "validators/typo.py:1:1: error: cannot load rule: ModuleNotFoundError" in result.out


def test_helper_files_starting_with_underscore_are_not_rules(site: Site, cli: Cli) -> None:
    site.write("validators/_shared.py", "X = 1\n")
    site.post("adding", GOOD_POST)
    assert cli("check", "--no-run").code == 0


def test_a_rule_that_returns_none_has_no_findings(site: Site, cli: Cli) -> None:
    site.write("validators/quiet.py", "def validate(post, config):\n    return None\n")
    site.post("adding", GOOD_POST)
    assert cli("check", "--no-run").code == 0
