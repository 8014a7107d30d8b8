"""`pebbles check` end to end: real files, the real entry point, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from .conftest import GOOD_POST, Result, Site

Cli = Callable[..., Result]


def header(**fields: str) -> str:
    values = {"title": "A title", "emoji": "🧱", "topic": "basics", **fields}
    lines = [f"{key}: {value}" for key, value in values.items() if value != "<omit>"]
    return "---\n" + "\n".join(lines) + "\n---\n\n```python\nprint(1)\n```\n\n```output\n1\n```\n"


def only_error(result: Result) -> str:
    errors = [line for line in result.out.splitlines() if ": error: " in line]
    assert len(errors) == 1, result.out
    assert "Traceback" not in result.out + result.err
    return errors[0]


def test_the_command_line_loads_neither_the_renderer_nor_the_standalone_engine() -> None:
    # Every `pebbles check` pays for what the command line imports before it starts.
    heavy = "{'jinja2', 'pebbles.build', 'pebbles.theme', 'pebbles.standalone', 'pebbles.explain'}"
    code = f"import sys, pebbles.cli; print(sorted({heavy} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_valid_site_exits_zero(site: Site, cli: Cli) -> None:
    site.post("adding", GOOD_POST)
    result = cli("check", "--no-run")
    assert result.code == 0, result.out
    assert "1 documents: 1 passed" in result.out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "# no header\n",
            "content/basics/bad.md:1:1: error: post must start with '---' front matter [no-front-matter]",
        ),
        (
            "---\n---\nbody\n",
            "content/basics/bad.md:1:1: error: front matter is empty; a post needs title, emoji and topic [empty-front-matter]",
        ),
        (
            "---\ntitle: x\n",
            "content/basics/bad.md:1:1: error: front matter opened on line 1 is never closed with '---' [unclosed-front-matter]",
        ),
        ("---\ntitle: [oops\n---\n", "content/basics/bad.md:3:1: error: YAML syntax error"),
        (
            "---\ntitle: &a x\nemoji: *a\n---\n",
            "content/basics/bad.md:2:8: error: YAML anchors (&name) are not allowed [yaml-alias]",
        ),
        ("---\ntitle: !!python/object:os.system x\n---\n", "[yaml-tag]"),
        (
            header(title="One\ntitle: Two"),
            "content/basics/bad.md:3:1: error: duplicate key 'title' (first set on line 2) [duplicate-key]",
        ),
        (
            header(title="[1, 2]"),
            "content/basics/bad.md:2:8: error: 'title' must be text, not a list [wrong-type]",
        ),
        (
            header(topic="thread"),
            "content/basics/bad.md:4:8: error: unknown topic 'thread' (did you mean 'threads'?); topics are listed in site.yml [unknown-topic]",
        ),
        (
            header(emoji="🧱🧱"),
            "content/basics/bad.md:3:8: error: emoji must be exactly one character; '🧱🧱' is 2 [emoji]",
        ),
        (
            header(title='""'),
            "content/basics/bad.md:2:8: error: 'title' must not be empty [empty-value]",
        ),
        (
            header(titel="x"),
            "content/basics/bad.md:5:1: error: unknown key 'titel' in front matter (did you mean 'title'?) [unknown-key]",
        ),
        (
            header(date="yesterday"),
            "content/basics/bad.md:5:7: error: 'date' must be an ISO date (YYYY-MM-DD), not 'yesterday' [wrong-type]",
        ),
        (
            header(emoji="<omit>"),
            "content/basics/bad.md:2:1: error: front matter is missing required key 'emoji' [missing-key]",
        ),
        (header(title="x" * 121), "[too-long]"),
    ],
)
def test_each_bad_header_gives_one_located_error(
    site: Site, cli: Cli, text: str, expected: str
) -> None:
    site.post("bad", text)
    result = cli("check", "--no-run")
    assert result.code == 1
    assert expected in only_error(result)


def test_alias_bomb_is_refused_at_once(site: Site, cli: Cli) -> None:
    bomb = (
        "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
            for i in range(9)
        )
        + "---\n"
    )
    site.post("bomb", bomb)
    assert "[yaml-alias]" in only_error(cli("check", "--no-run"))


def test_non_utf8_file_names_the_line_and_column(site: Site, cli: Cli) -> None:
    site.post("latin", header().encode("utf-8") + b"caf\xe9\n")
    line = only_error(cli("check", "--no-run"))
    assert line.startswith("content/basics/latin.md:14:4: error: not valid UTF-8 (byte 0xe9)")


def test_bom_and_crlf_files_are_accepted(site: Site, cli: Cli) -> None:
    site.post("windows", ("\ufeff" + GOOD_POST.replace("\n", "\r\n")).encode("utf-8"))
    result = cli("check", "--no-run", "--format", "json")
    assert result.code == 0, result.out
    (post,) = json.loads(result.out)["posts"]
    assert post["blocks"][0]["line"] == 13
    assert post["blocks"][0]["expected"] == "3\n"


def test_a_huge_file_is_rejected_without_reading_it(site: Site, cli: Cli) -> None:
    path = site.post("huge", "")
    with path.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024)
    assert (
        "content/basics/huge.md:1:1: error: file is 10240 KiB; the limit is 256 KiB"
        in only_error(cli("check", "--no-run"))
    )


def test_symlink_loop_under_content_is_reported(site: Site, cli: Cli) -> None:
    site.post("adding", GOOD_POST)
    os.symlink("..", site.root / "content" / "basics" / "loop")
    result = cli("check", "--no-run")
    assert result.code == 1
    assert (
        "content/basics/loop:1:1: error: symbolic link loop; folder skipped [symlink-loop]"
        in result.out
    )


def test_a_post_outside_content_is_refused(site: Site, cli: Cli) -> None:
    outside = site.write("elsewhere/post.md", GOOD_POST)
    result = cli("check", "--no-run", str(outside))
    assert result.code == 1
    assert (
        "elsewhere/post.md:1:1: error: not inside the content folder content [outside-content]"
        in result.out
    )


def test_only_the_named_post_is_reported(site: Site, cli: Cli) -> None:
    site.post("adding", GOOD_POST)
    site.post("bad", "nope\n")
    result = cli("check", "--no-run", "content/basics/adding.md")
    assert result.code == 0 and "1 documents" in result.out


def test_a_targeted_check_still_reads_the_posts_it_links_to(site: Site, cli: Cli) -> None:
    site.post("adding", GOOD_POST + "\nSee [the other one](other.md).\n")
    site.post("other", GOOD_POST)
    result = cli("check", "--no-run", "content/basics/adding.md")
    assert result.code == 0 and "1 documents" in result.out, result.out


def test_a_post_edited_after_a_check_is_read_again(site: Site, cli: Cli) -> None:
    site.post("adding", GOOD_POST)
    assert cli("check", "--no-run").code == 0
    assert (site.root / ".pebbles-cache" / "parsed-check.pickle").exists()
    site.post("adding", GOOD_POST.replace("emoji: ➕\n", ""))
    assert "emoji" in only_error(cli("check", "--no-run"))


def test_the_cache_folder_asks_git_to_ignore_it(site: Site, cli: Cli) -> None:
    site.post("adding", GOOD_POST)
    cli("check", "--no-run")
    assert (site.root / ".pebbles-cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_unknown_block_option_points_at_the_fence(site: Site, cli: Cli) -> None:
    site.post("opts", GOOD_POST.replace("```python\n", "```python timout=3\n"))
    assert only_error(cli("check", "--no-run")).startswith(
        "content/basics/opts.md:12:11: error: unknown block option 'timout' (did you mean 'timeout'?)"
    )


def test_broken_link_between_posts_is_an_error(site: Site, cli: Cli) -> None:
    site.post(
        "adding", GOOD_POST + "\nSee [the next one](../threads/missing.md) and [home](adding.md).\n"
    )
    assert only_error(cli("check", "--no-run")).startswith(
        "content/basics/adding.md:21:20: error: link target '../threads/missing.md' does not exist [broken-link]"
    )


def test_duplicate_slugs_across_topics_are_an_error(site: Site, cli: Cli) -> None:
    site.post("adding", GOOD_POST)
    site.post("adding", GOOD_POST.replace("topic: basics", "topic: threads"), topic="threads")
    assert "[duplicate-slug]" in only_error(cli("check", "--no-run"))


def test_invalid_site_config_exits_two(site: Site, cli: Cli) -> None:
    site.write("site.yml", "site:\n  nme: X\ntopics: []\n")
    result = cli("check", "--no-run")
    assert result.code == 2
    assert (
        "site.yml:2:3: error: unknown key 'nme' in site (did you mean 'name'?) [unknown-key]"
        in result.err
    )


def test_building_without_a_site_config_exits_two(tmp_path, monkeypatch, cli: Cli) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = cli("build")
    assert result.code == 2 and "no site.yml found" in result.err


def test_unknown_format_is_a_usage_error(site: Site, cli: Cli) -> None:
    assert cli("check", "--format", "xml").code == 2


# --- report formats ----------------------------------------------------------------


def test_json_report_has_the_documented_shape(site: Site, cli: Cli) -> None:
    site.post("adding", GOOD_POST)
    site.post("broken", header(topic="nope"))
    result = cli("check", "--no-run", "--format", "json")
    report = json.loads(result.out)
    assert report["version"] == 1
    assert set(report["summary"]) == {
        "posts",
        "passed",
        "failed",
        "skipped",
        "blocks",
        "duration_s",
    }
    assert (report["summary"]["posts"], report["summary"]["failed"]) == (2, 1)
    by_slug = {p["slug"]: p for p in report["posts"]}
    good = by_slug["adding"]
    assert good["status"] == "passed" and good["path"] == "content/basics/adding.md"
    assert good["blocks"] == [
        {
            "line": 13,
            "language": "python",
            "status": "not-run",
            "expected": "3\n",
            "actual": None,
            "duration_s": 0.0,
        }
    ]
    (finding,) = by_slug["broken"]["findings"]
    assert finding == {
        "code": "unknown-topic",
        "severity": "error",
        "line": 4,
        "column": 8,
        "message": "unknown topic 'nope'; topics are listed in site.yml",
    }


def test_junit_report_parses_and_marks_failures(site: Site, cli: Cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    site.post("adding", GOOD_POST)
    site.post("broken", header(emoji="xy"))
    target = tmp_path / "out" / "junit.xml"
    result = cli("check", "--no-run", "--format", "text", "--format", f"junit={target}")
    assert result.code == 1
    suite = ET.parse(target).getroot()
    assert suite.tag == "testsuite" and suite.get("tests") == "2" and suite.get("failures") == "1"
    failures = suite.findall("./testcase/failure")
    assert len(failures) == 1 and "emoji" in (failures[0].text or "")


def test_github_annotations_point_at_the_line(site: Site, cli: Cli) -> None:
    site.post("broken", header(topic="thread"))
    result = cli("check", "--no-run", "--format", "github")
    first = result.out.splitlines()[0]
    assert first == (
        "::error file=content/basics/broken.md,line=4,col=8,title=pebbles unknown-topic::"
        "unknown topic 'thread' (did you mean 'threads'?); topics are listed in site.yml"
    )


def test_the_process_entry_point_works(site: Site, cli_process: Callable[..., Result]) -> None:
    site.post("adding", GOOD_POST)
    result = cli_process("check", "--no-run", cwd=site.root)
    assert result.code == 0, result.err
    assert result.out.startswith("✔ 1 documents: 1 passed")


def test_links_to_a_missing_heading_anchor_are_errors_and_real_ones_pass(
    site: Site, cli: Cli
) -> None:
    site.post("adding", GOOD_POST)
    site.post(
        "linking",
        GOOD_POST + "\nSee [adding](adding.md#adding) and [nowhere](adding.md#subtracting).\n",
    )
    assert only_error(cli("check", "--no-run")) == (
        "content/basics/linking.md:21:46: error: 'content/basics/adding.md' has no heading "
        "with anchor '#subtracting' [broken-anchor]"
    )


def test_a_missing_path_is_reported_as_missing_wherever_it_points(site: Site, cli: Cli) -> None:
    result = cli("check", "--no-run", "../nowhere/post.md")
    assert only_error(result) == "../nowhere/post.md:1:1: error: no such file or folder [not-found]"


def test_a_prompt_without_a_space_is_a_located_warning(site: Site, cli: Cli) -> None:
    transcript = "```pycon\n>>> 1 + 1\n2\n>>>2 * 3\n6\n>>> print('......')\n......\n```\n"
    site.post("session", GOOD_POST.split("# Adding")[0] + transcript)
    result = cli("check", "--no-run")
    assert result.code == 0
    warnings = [line for line in result.out.splitlines() if ": warning: " in line]
    assert warnings == [
        "content/basics/session.md:13:4: warning: put a space after '>>>': as written this "
        "line is read as output, not run [prompt-space]"
    ]
