"""`pebbles check` on odd but valid Markdown and odd code: real files, the real CLI."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from .conftest import Result, Site

Cli = Callable[..., Result]

HEADER = "---\ntitle: Edges\nemoji: 🧱\ntopic: basics\n---\n"


@pytest.mark.parametrize(
    ("body", "output_line"),
    [
        ("- step one\n\n  ```python\n  print(1)\n  ```\n\n  ```output\n  2\n  ```\n", 13),
        ("> ```python\n> print(1)\n> ```\n>\n> ```output\n> 2\n> ```\n", 11),
    ],
    ids=["list-item", "blockquote"],
)
def test_an_output_block_after_code_in_the_same_container_states_its_output(
    site: Site, cli: Cli, body: str, output_line: int
) -> None:
    site.post("nested", HEADER + body)
    result = cli("check")
    assert result.code == 1, result.out
    assert "[orphan-output]" not in result.out
    assert f"content/basics/nested.md:{output_line}:1: error: output differs" in result.out
    assert "+   | 1" in result.out


def test_check_requires_accepts_a_yaml_list_of_modules(site: Site, cli: Cli) -> None:
    header = HEADER.replace(
        "topic: basics\n", "topic: basics\ncheck:\n  requires: [json, nope_xyz]\n"
    )
    site.post("needs", header + "```python\nprint(1)\n```\n")
    result = cli("check")
    assert result.code == 0, result.out
    assert "YNode" not in result.out
    assert "1 skipped" in result.out


def test_check_options_given_as_a_mapping_or_a_list_are_wrong_types(site: Site, cli: Cli) -> None:
    header = HEADER.replace(
        "topic: basics\n", "topic: basics\ncheck:\n  requires: {a: 1}\n  raises: [ValueError]\n"
    )
    site.post("nested", header + "```python\nprint(1)\n```\n")
    result = cli("check")
    assert result.code == 1, result.out
    assert (
        "content/basics/nested.md:6:13: error: 'requires' in check must be a module name or a list of them [wrong-type]"
        in result.out
    )
    assert (
        "content/basics/nested.md:7:11: error: 'raises' in check must be one value [wrong-type]"
        in result.out
    )
    assert "YNode" not in result.out


def test_a_bare_prompt_in_a_transcript_runs_nothing_as_in_the_repl(site: Site, cli: Cli) -> None:
    site.post("repl", HEADER + "```pycon\n>>> x = 2\n>>>\n>>> x\n2\n>>>\n```\n")
    result = cli("check")
    assert result.code == 0, result.out
    assert "1 passed" in result.out


def test_junit_stays_well_formed_when_the_code_writes_control_characters(
    site: Site, cli: Cli
) -> None:
    site.post("noisy", HEADER + '```python\nraise ValueError("bad\\x00b\\x1b[31mred\\x07")\n```\n')
    result = cli("check", "--format", "junit")
    assert result.code == 1
    failure = ET.fromstring(result.out).find("testcase/failure")
    assert failure is not None and failure.text is not None
    assert "ValueError: bad\\x00b\\x1b[31mred\\x07" in failure.text


def test_a_diff_spells_out_characters_that_look_alike_or_are_invisible(
    site: Site, cli: Cli
) -> None:
    code = '```python\nprint("a\\xa0b")\nprint("c\\u200bd")\n```\n\n```output\na b\ncd\n```\n'
    site.post("lookalike", HEADER + code)
    result = cli("check")
    assert result.code == 1
    assert "-12 | a b\n    -13 | cd\n    +   | a\\xa0b\n    +   | c\\u200bd\n" in result.out


def test_an_impossible_date_is_a_diagnostic_not_a_crash(site: Site, cli: Cli) -> None:
    header = HEADER.replace("topic: basics\n", "topic: basics\ndate: 2026-02-30\n")
    site.post("leap", header.replace("title: Edges", "title: 2026-02-31") + "Text.\n")
    result = cli("check")
    assert result.code == 1, result.out
    assert (
        "content/basics/leap.md:5:7: error: 'date' must be an ISO date (YYYY-MM-DD), "
        "not '2026-02-30' [wrong-type]"
    ) in result.out
    assert "title" not in result.out


@pytest.mark.parametrize("value", [".nan", ".inf"])
def test_a_timeout_that_is_not_a_finite_number_is_a_config_error(
    site: Site, cli: Cli, value: str
) -> None:
    config = site.root / "site.yml"
    config.write_text(config.read_text().replace("block_timeout: 5", f"block_timeout: {value}"))
    site.post("fine", HEADER + "```python\nprint(1)\n```\n")
    result = cli("check")
    assert result.code == 2
    assert "'block_timeout' must be a finite number [out-of-range]" in result.out + result.err


def test_broken_links_are_reported_where_their_target_is_written(site: Site, cli: Cli) -> None:
    body = "Intro line.\nSee [a](café.md), [b](<sp ace.md>)\nand [c][ref].\n\n[ref]: gone.md\n"
    site.post("links", HEADER + body)
    result = cli("check", "--no-run")
    assert result.code == 1
    found = [line for line in result.out.splitlines() if "[broken-link]" in line]
    assert found == [
        "content/basics/links.md:7:9: error: link target 'café.md' does not exist [broken-link]",
        "content/basics/links.md:7:24: error: link target 'sp ace.md' does not exist [broken-link]",
        "content/basics/links.md:10:8: error: link target 'gone.md' does not exist [broken-link]",
    ]


def test_update_keeps_a_blockquote_around_the_outputs_it_writes(site: Site, cli: Cli) -> None:
    quoted = "> ```python\n> print('q')\n> ```\n>\n> ```output\n> z\n> ```\n"
    bare = "\n> ```python\n> print('new')\n> ```\n"
    path = site.post("quoted", HEADER + quoted + bare)
    assert cli("check", "--update").code == 0
    assert path.read_text(encoding="utf-8") == HEADER + quoted.replace("> z", "> q") + bare + (
        ">\n> ```output\n> new\n> ```\n"
    )
    assert cli("check").code == 0


def test_a_report_file_that_cannot_be_written_is_a_usage_error(site: Site, cli: Cli) -> None:
    site.post("fine", HEADER + "Text.\n")
    result = cli("check", "--no-run", "--format", f"json={site.root}", "--format", "text")
    assert result.code == 2
    assert "1 passed" in result.out
    assert f"pebbles: error: cannot write the json report to {site.root}: Is a directory" in (
        result.err
    )


def test_check_skip_false_runs_the_blocks(site: Site, cli: Cli) -> None:
    header = HEADER.replace("topic: basics\n", "topic: basics\ncheck:\n  skip: false\n")
    site.post("runs", header + "```python\nprint(1)\n```\n\n```output\n2\n```\n")
    result = cli("check")
    assert result.code == 1, result.out
    assert "0 skipped" in result.out
    assert "[output-mismatch]" in result.out
