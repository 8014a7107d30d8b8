"""The CI files: the workflow, the composite action and the pre-commit hook parse, and
every command they run exists (parsed by the real ``pebbles`` argument parser, or run)."""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from pebbles.cli import _parser
from pebbles.report import FORMATS

from .conftest import GOOD_POST, Site

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / ".github" / "workflows" / "pebbles.yml"
ACTION = REPO / "action.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"

# Sample values for the expressions the workflow passes to its scripts; an expression
# missing here fails the test, so a new one is looked at rather than ignored.
EXPRESSIONS = {
    "github.base_ref": "main",
    "matrix.shard": "2",
    "needs.plan.outputs.total": "4",
}
BROKEN_POST = "---\ntitle: Broken\nemoji: 🧱\ntopic: basic\n---\n\nNo code here.\n"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def workflow() -> dict[Any, Any]:
    data: dict[Any, Any] = load(WORKFLOW)
    # YAML 1.1 reads the key `on` as the boolean true.
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps() -> Iterator[tuple[str, dict[str, Any], dict[str, str]]]:
    """``(job name, step, environment)`` for every step of the workflow."""
    data = workflow()
    for name, job in data["jobs"].items():
        for step in job["steps"]:
            env = {**data.get("env", {}), **job.get("env", {}), **step.get("env", {})}
            yield name, step, {key: _expand(str(value)) for key, value in env.items()}


def _expand(text: str) -> str:
    return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", lambda m: EXPRESSIONS[m.group(1)], text)


def commands(script: str, env: Mapping[str, str]) -> Iterator[list[str]]:
    """Each command line of a shell script as words, with ``$VARS`` filled in."""
    script = re.sub(
        r"\$\{?([A-Za-z_]\w*)\}?", lambda m: env.get(m.group(1), f"/runner/{m.group(1)}"), script
    )
    for line in script.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        while words:
            end = next((i for i, w in enumerate(words) if w in ("&&", "||", ";", "|")), len(words))
            yield words[:end]
            words = words[end + 1 :]


def pebbles_invocations() -> list[tuple[str, argparse.Namespace]]:
    found = []
    for job, step, env in steps():
        for words in commands(step.get("run", ""), env):
            if words and Path(words[0]).name == "pebbles":
                found.append((job, parse(words[1:])))
    return found


def parse(argv: list[str]) -> argparse.Namespace:
    try:
        args = _parser().parse_args(argv)
    except SystemExit:
        pytest.fail(f"not a valid pebbles command: pebbles {shlex.join(argv)}")
    for item in getattr(args, "format", None) or []:
        assert item.partition("=")[0] in FORMATS, item
    return args


# --- the workflow ----------------------------------------------------------------


def test_the_workflow_runs_on_pull_requests_and_pushes_to_main_only() -> None:
    triggers = workflow()["on"]
    assert set(triggers) == {"pull_request", "push"}
    assert triggers["push"] == {"branches": ["main"]}


def test_the_workflow_has_a_read_only_token_and_no_secrets() -> None:
    data = workflow()
    assert data["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in data["jobs"].values())
    assert "secrets." not in WORKFLOW.read_text(encoding="utf-8")


def test_every_pebbles_command_in_the_workflow_exists() -> None:
    used = pebbles_invocations()
    assert {job for job, _ in used} == {"changed", "shard", "build"}
    for _, args in used:
        assert args.verb in ("check", "build")


def test_pull_requests_check_the_changes_against_the_base_branch() -> None:
    [(_, args)] = [(job, args) for job, args in pebbles_invocations() if job == "changed"]
    assert args.changed_since == "origin/main"
    assert args.require_sandbox
    assert "github" in args.format
    assert {f.partition("=")[0] for f in args.format} == {"github", "junit", "json", "summary"}
    assert "summary=/runner/GITHUB_STEP_SUMMARY" in args.format


def test_pull_requests_fetch_the_history_the_merge_base_needs() -> None:
    checkouts = [
        step
        for job, step, _ in steps()
        if job == "changed" and step.get("uses", "").startswith("actions/checkout@")
    ]
    assert checkouts[0]["with"]["fetch-depth"] == 0


def test_the_junit_report_is_uploaded_even_when_the_check_fails() -> None:
    uploads = [
        step
        for job, step, _ in steps()
        if job == "changed" and step.get("uses", "").startswith("actions/upload-artifact@")
    ]
    assert "pebbles-junit.xml" in uploads[0]["with"]["path"]
    assert uploads[0]["if"] == "${{ !cancelled() }}"


def test_the_sharded_check_uses_the_matrix_value() -> None:
    [(_, args)] = [(job, args) for job, args in pebbles_invocations() if job == "shard"]
    assert args.shard == (2, 4)


def test_the_make_targets_the_workflow_uses_exist() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for _, step, env in steps():
        for words in commands(step.get("run", ""), env):
            if words and words[0] == "make":
                target, *assignments = words[1:]
                assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
                for variable in (a.partition("=")[0] for a in assignments):
                    assert re.search(rf"^{variable} [:?]?=", makefile, re.MULTILINE), variable


def plan(tmp_path: Path, posts: int, threshold: int) -> dict[str, str]:
    """Run the workflow's planning script over ``posts`` posts; return its outputs."""
    [step] = [s for job, s, _ in steps() if job == "plan" and "run" in s]
    for number in range(posts):
        (tmp_path / "content" / "topic").mkdir(parents=True, exist_ok=True)
        (tmp_path / "content" / "topic" / f"post-{number}.md").write_text("x", encoding="utf-8")
    (tmp_path / "content" / "guides").mkdir()
    (tmp_path / "content" / "guides" / "guide.md").write_text("x", encoding="utf-8")
    outputs = tmp_path / "outputs"
    env = {**os.environ, "GITHUB_OUTPUT": str(outputs), "SHARD_ABOVE": str(threshold)}
    env["SHARDS"] = str(workflow()["env"]["SHARDS"])
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, check=True)
    lines = outputs.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_a_small_site_is_checked_in_one_job(tmp_path: Path) -> None:
    assert plan(tmp_path, posts=3, threshold=3) == {"total": "1", "shards": "[1]"}


def test_a_site_past_the_threshold_is_split_into_shards(tmp_path: Path) -> None:
    outputs = plan(tmp_path, posts=4, threshold=3)
    assert json.loads(outputs["shards"]) == [1, 2, 3, 4]
    assert outputs["total"] == "4"


# --- the composite action --------------------------------------------------------


def action_script() -> tuple[str, dict[str, str]]:
    """The action's check step: its script and its environment, inputs at their defaults."""
    action = load(ACTION)
    [step] = [s for s in action["runs"]["steps"] if s.get("name") == "pebbles check"]
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    env = {
        key: re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: defaults[m.group(1)], value)
        for key, value in step["env"].items()
    }
    return step["run"], env


def test_the_action_is_composite_and_uses_only_declared_inputs() -> None:
    text = ACTION.read_text(encoding="utf-8")
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert set(re.findall(r"inputs\.([\w-]+)", text)) == set(action["inputs"])
    for wanted in ("paths", "changed-since", "format", "python-version", "require-sandbox"):
        assert wanted in action["inputs"]


def run_action(site: Site, tmp_path: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    script, env = action_script()
    for name, value in inputs.items():
        env[name] = value
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    summary = tmp_path / "step-summary.md"
    full_env = {**os.environ, **env, "PATH": path, "GITHUB_STEP_SUMMARY": str(summary)}
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=site.root,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_actions_command_line_is_valid(site: Site, tmp_path: Path) -> None:
    # A stand-in `pebbles` records its arguments; the real parser then reads them.
    recorder = tmp_path / "bin" / "pebbles"
    recorder.parent.mkdir()
    recorder.write_text(
        f"#!{sys.executable}\nimport json, sys\nprint(json.dumps(sys.argv[1:]))\n",
        encoding="utf-8",
    )
    recorder.chmod(0o755)
    script, env = action_script()
    env |= {"CHANGED_SINCE": "origin/main", "SHARD": "1/2", "PEBBLES_PATHS": "content/a content/b"}
    bin_path = f"{recorder.parent}{os.pathsep}{os.environ['PATH']}"
    env |= {"PATH": bin_path, "GITHUB_STEP_SUMMARY": "/runner/summary.md"}
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=site.root,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    args = parse(json.loads(done.stdout))
    assert args.verb == "check"
    assert args.changed_since == "origin/main"
    assert args.shard == (1, 2)
    assert args.require_sandbox
    assert args.format == ["github", "summary=/runner/summary.md"]
    assert args.paths == [Path("content/a"), Path("content/b")]


def test_the_action_checks_a_site_for_real(site: Site, tmp_path: Path) -> None:
    site.post("fine", "---\ntitle: Fine\nemoji: 🧱\ntopic: basics\n---\n\nJust prose.\n")
    site.post("broken", BROKEN_POST)
    done = run_action(site, tmp_path, REQUIRE_SANDBOX="false")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(
        "::error file=content/basics/broken.md,line=4,col=8,title=pebbles unknown-topic::"
    )
    summary = (tmp_path / "step-summary.md").read_text(encoding="utf-8")
    assert "| 2 | 1 | 1 |" in summary
    assert "content/basics/broken.md:4" in summary


# --- the pre-commit hook ---------------------------------------------------------


def test_the_hook_matches_posts_only() -> None:
    [hook] = load(HOOKS)
    assert hook["id"] == "pebbles-check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    pattern = re.compile(hook["files"])
    assert pattern.search("content/basics/adding.md")
    assert pattern.search("content/guides/start-here.md")
    for other in ("README.md", "content/basics/data.csv", "docs/content/x.md"):
        assert not pattern.search(other), other


def test_the_hook_checks_exactly_the_files_it_is_given(site: Site) -> None:
    [hook] = load(HOOKS)
    site.post("adding", GOOD_POST)
    site.post("broken", BROKEN_POST)
    site.post("untouched", BROKEN_POST.replace("Broken", "Untouched"))
    # What pre-commit runs: the entry, the user's args (here --no-run), the staged files.
    argv = [*shlex.split(hook["entry"]), "--no-run", "content/basics/adding.md"]
    argv.append("content/basics/broken.md")
    pebbles = Path(sys.executable).parent / argv[0]
    done = subprocess.run(
        [str(pebbles), *argv[1:]], cwd=site.root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    errors = [line for line in done.stdout.splitlines() if ": error: " in line]
    assert [e.split(":")[0] for e in errors] == ["content/basics/broken.md"]
    assert "2 documents" in done.stdout
