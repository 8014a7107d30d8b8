"""`pebbles check` on odd but valid Markdown and odd code: real files, the real CLI."""

from __future__ import annotations

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
