"""`pebbles check` on plain Markdown tutorials, end to end: real files, the real
entry point, the real sandboxed engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Result, Site

Cli = Callable[..., Result]


@pytest.fixture
def docs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty folder with no site.yml above it, as the working directory."""
    folder = tmp_path / "tutorials"
    folder.mkdir()
    monkeypatch.chdir(folder)
    yield folder


def write(folder: Path, name: str, markdown: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(markdown), encoding="utf-8")
    return path


def findings(result: Result) -> list[tuple[int, str, str]]:
    """``(line, severity, code)`` of every finding in a JSON report."""
    report = json.loads(result.out)
    return [
        (f["line"], f["severity"], f["code"]) for post in report["posts"] for f in post["findings"]
    ]


def conventions(result: Result) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in json.loads(result.out)["conventions"]}


EVERY_CONVENTION = """\
# Every convention once right, once wrong

```python
print(2 + 2)  # 4
print(2 * 3)  # 7
```

```
>>> [1, 2] + [3]
[1, 2, 3]
>>> len("four")
5
```

```python
print("ok")
# Output:
# ok
print(10 // 3)
# Output:
# 3.3
```

```python
len("abc")
# ==> 3
"a" * 2
# ==> 'aaa'
```

```python
print(sorted([2, 1]))
#> [1, 2]
print(max([2, 1]))
#> 1
```

```python
print("first")
```

```
first
```

```python
print("second")
```

Output:

```
2nd
```

```python
values = [3, 1, 2]
sorted(values)
```

```
[1, 2, 3]
```

```python
min(values)
```

```
3
```
"""


def test_every_convention_finds_and_confirms_and_reports_at_the_md_line(
    docs: Path, cli: Cli
) -> None:
    write(docs, "all.md", EVERY_CONVENTION)
    result = cli("check", "--no-cache", "--format", "json")
    assert result.code == 1, result.out
    errors = [(line, code) for line, severity, code in findings(result) if severity == "error"]
    assert errors == [
        (5, "output-mismatch"),
        (12, "output-mismatch"),
        (21, "output-mismatch"),
        (28, "output-mismatch"),
        (35, "output-mismatch"),
        (53, "output-mismatch"),
        (70, "output-mismatch"),
    ]
    counts = conventions(result)
    found = {name: (c["found"], c["confirmed"], c["wrong"]) for name, c in counts.items()}
    assert found == {
        "print-comment": (2, 1, 1),
        "transcript": (2, 1, 1),
        "output-comment": (2, 1, 1),
        "arrow": (2, 1, 1),
        "reprex": (2, 1, 1),
        "output-block": (4, 2, 2),
        "notebook-display": (2, 1, 1),
    }


def test_errors_say_what_the_text_says_and_what_the_code_prints(docs: Path, cli: Cli) -> None:
    write(docs, "one.md", "```python\nprint(2 * 3)  # 7\n```\n")
    result = cli("check", "--no-cache")
    assert result.code == 1
    assert (
        "one.md:2:15: error: print-comment: the text says '7', the code prints '6' "
        "[output-mismatch]" in result.out
    )
    table = result.out.splitlines()[-9:-1]
    assert table[0].split() == ["conventions", "found", "confirmed", "wrong", "other", "skipped"]
    assert table[1].split() == ["print-comment", "1", "0", "1", "0", "0"]


def test_multi_line_mismatch_is_a_diff_numbered_with_md_lines(docs: Path, cli: Cli) -> None:
    write(docs, "two.md", "```python\nprint('a')\nprint('b')\n```\n\n```\na\nc\n```\n")
    result = cli("check", "--no-cache")
    assert "two.md:7:1: error: output-block: the stated output differs" in result.out
    assert "-8 | c" in result.out and "+  | b" in result.out


def test_without_site_yml_check_is_standalone_and_front_matter_optional(
    docs: Path, cli: Cli
) -> None:
    write(docs, "plain.md", "# Plain\n\n```python\nprint('hi')  # hi\n```\n")
    write(
        docs, "sub/with-header.md", "---\ntitle: Any: thing\n---\n```python\nprint(1)  # 1\n```\n"
    )
    result = cli("check", "--no-cache")
    assert result.code == 0, result.out
    assert "2 documents: 2 passed" in result.out


def test_standalone_flag_inside_a_site(site: Site, cli: Cli) -> None:
    notes = site.write("notes/tutorial.md", "```python\nprint(3)  # 4\n```\n")
    result = cli("check", "--standalone", "--no-cache", str(notes))
    assert result.code == 1
    assert "notes/tutorial.md:2:11: error: print-comment" in result.out


def test_a_failing_example_does_not_cascade(docs: Path, cli: Cli) -> None:
    write(
        docs,
        "cascade.md",
        """\
        ```python
        prices = {"tea": 2}
        basket = Basket(prices)
        ```

        ```python
        print(basket.total())  # 2
        ```

        ```python
        print(prices["tea"])  # 2
        print(prices["tea"] * 3)  # 5
        ```
        """,
    )
    result = cli("check", "--no-cache", "--format", "json")
    assert findings(result) == [
        (3, "warning", "uncaught-exception"),
        (12, "error", "output-mismatch"),
    ]
    counts = conventions(result)["print-comment"]
    assert (counts["found"], counts["confirmed"], counts["wrong"], counts["other"]) == (3, 1, 1, 1)


def test_a_block_that_shadows_a_builtin_does_not_leak(docs: Path, cli: Cli) -> None:
    write(
        docs,
        "shadow.md",
        """\
        ```python
        list = [1, 2]
        print(list)  # [1, 2]
        ```

        ```python
        print(list("ab"))  # ['a', 'b']
        ```
        """,
    )
    result = cli("check", "--no-cache", "--format", "json")
    assert result.code == 0, result.out
    assert findings(result) == []
    assert conventions(result)["print-comment"]["confirmed"] == 2


def test_a_block_that_patches_the_builtins_module_does_not_leak(docs: Path, cli: Cli) -> None:
    write(
        docs,
        "patch.md",
        """\
        ```python
        import builtins
        builtins.len = lambda thing: 42
        print(len("ab"))  # 42
        ```

        ```python
        print(len("ab"))  # 2
        ```
        """,
    )
    result = cli("check", "--no-cache", "--format", "json")
    assert result.code == 0, result.out
    assert findings(result) == []
    assert conventions(result)["print-comment"]["confirmed"] == 2


def test_output_stated_for_another_python_is_information(docs: Path, cli: Cli) -> None:
    write(
        docs,
        "versions.md",
        """\
        ```python
        print(7 / 2)
        ```

        Output (Python 2.7):

        ```
        3
        ```

        Output (3.8+):

        ```
        3
        ```
        """,
    )
    result = cli("check", "--no-cache", "--format", "json")
    assert findings(result) == [(8, "info", "version-specific"), (14, "error", "output-mismatch")]


def test_a_count_in_an_output_label_is_not_a_python_version(docs: Path, cli: Cli) -> None:
    write(
        docs,
        "epochs.md",
        """\
        ```python
        print(sum(range(5)))
        ```

        Output after 5 epochs:

        ```
        99
        ```
        """,
    )
    result = cli("check", "--no-cache", "--format", "json")
    assert result.code == 1, result.out
    assert findings(result) == [(8, "error", "output-mismatch")]


def test_chance_and_the_clock_are_information(docs: Path, cli: Cli) -> None:
    write(
        docs,
        "chance.md",
        """\
        ```python
        import random
        print(random.randint(1, 1000))  # 7
        random.seed(3)
        print(sorted([2, 1]))  # [1, 2]
        ```
        """,
    )
    result = cli("check", "--no-cache", "--format", "json")
    assert findings(result) == [(3, "info", "varying-output")]


def test_code_that_cannot_run_here_is_information(docs: Path, cli: Cli) -> None:
    write(
        docs,
        "setup.md",
        """\
        ```python
        pip install fancy-lib
        ```

        ```python
        import fancy_lib_that_is_not_there
        print(fancy_lib_that_is_not_there.VERSION)  # 1.0
        ```

        ```python
        answer = input("Name? ")
        ```
        """,
    )
    result = cli("check", "--no-cache", "--format", "json")
    assert result.code == 0, result.out
    assert findings(result) == [
        (2, "info", "not-runnable"),
        (6, "info", "needs-environment"),
        (11, "info", "needs-environment"),
    ]


MAIN_GUARD = """\
```python
import sys

def main():
    print("hi")
    return 0

if __name__ == "__main__":
    sys.exit(main())
```

Output:

```
{output}
```
"""


@pytest.mark.parametrize(
    ("output", "found"), [("hi", []), ("bye", [(15, "error", "output-mismatch")])]
)
def test_a_script_ending_in_sys_exit_0_has_its_output_checked(
    docs: Path, cli: Cli, output: str, found: list[tuple[int, str, str]]
) -> None:
    write(docs, "main.md", MAIN_GUARD.format(output=output))
    result = cli("check", "--no-cache", "--format", "json")
    assert findings(result) == found
    assert result.code == (1 if found else 0), result.out


def test_code_too_deeply_nested_to_parse_is_not_runnable(docs: Path, cli: Cli) -> None:
    # CPython's parser raises RecursionError or MemoryError here, not SyntaxError.
    sum_of_ones = "+".join(["1"] * 200_000)
    negated = "-" * 100_000 + "1"
    write(docs, "script.md", f"```python\nx = {sum_of_ones}\nprint(1)  # 1\n```\n")
    write(docs, "session.md", f"```\n>>> y = {negated}\n>>> print(2)\n2\n```\n")
    result = cli("check", "--no-cache", "--format", "json")
    assert result.code == 0, result.out
    assert findings(result) == [(2, "info", "not-runnable"), (2, "info", "not-runnable")]


def test_a_name_from_a_placeholder_that_cannot_run_is_not_a_wrong_output(
    docs: Path, cli: Cli
) -> None:
    write(
        docs,
        "exercise.md",
        """\
        ```python
        answer = <your number>
        ```

        ```python
        print(answer)  # 42
        ```

        ```
        >>> guess = <your guess>
        >>> size = 3
        >>> size
        3
        >>> guess
        7
        ```
        """,
    )
    result = cli("check", "--no-cache", "--format", "json")
    assert result.code == 0, result.out
    assert ("error", "output-mismatch") not in [(s, c) for _, s, c in findings(result)]
    assert (14, "info", "depends-on-failure") in findings(result)


def test_prose_comments_are_never_errors(docs: Path, cli: Cli) -> None:
    write(
        docs,
        "prose.md",
        """\
        ```python
        words = ["a", "b"]
        print(len(words))  # counts the words in the list
        print(type(words))  # list
        ```
        """,
    )
    result = cli("check", "--no-cache", "--format", "json")
    assert result.code == 0
    assert findings(result) == []
    assert conventions(result)["print-comment"]["skipped"] == 2


def test_conventions_can_be_switched_off(docs: Path, cli: Cli) -> None:
    write(docs, "off.md", "```python\nprint(1)  # 2\nprint(1)\n#> 3\n```\n")
    result = cli("check", "--no-cache", "--conventions=-print-comment", "--format", "json")
    assert findings(result) == [(4, "error", "output-mismatch")]
    assert "print-comment" not in conventions(result)


def test_explain_shows_what_was_found_where_and_runs_nothing(docs: Path, cli: Cli) -> None:
    write(
        docs,
        "explain.md",
        """\
        ```python
        import os
        print(os.getpid())  # 12
        print(type(1))  # int
        len = 5
        ```

        ```
        >>> 2 + 2
        4
        ```
        """,
    )
    result = cli("check", "--explain", "explain.md")
    assert result.code == 0
    assert result.out.splitlines()[1:] == [
        "  line 1: ```python — script, runs as 4 units",
        "    line 3: print-comment states '12' for the print on line 3",
        "    line 4: print-comment states 'int' for the print on line 4 "
        "[may be prose: read as output only if it matches]",
        "    line 5: rebinds len; later blocks run in a fresh session",
        "  line 8: ```untagged — >>> transcript",
        "    line 10: transcript states '4' for the >>> example on line 9",
        "  3 stated outputs found (print-comment 2, transcript 1); 0 skipped",
    ]


def test_list_conventions(docs: Path, cli: Cli) -> None:
    result = cli("check", "--list-conventions")
    assert result.code == 0
    names = [line for line in result.out.splitlines() if line and not line[0].isspace()]
    assert names == [
        "print-comment",
        "transcript",
        "output-comment",
        "arrow",
        "reprex",
        "output-block",
        "notebook-display",
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--conventions", "reprexx"), "did you mean 'reprex'"),
        (("--shard", "1/2"), "--shard needs a site"),
        (("--explain", "missing.md"), "needs a Markdown file"),
        (("--explain", "."), "needs a Markdown file"),
        (("--explain", "notes.txt"), "needs a Markdown file"),
    ],
)
def test_usage_errors_exit_2(docs: Path, cli: Cli, args: tuple[str, ...], words: str) -> None:
    write(docs, "notes.txt", "Not Markdown.\n")
    result = cli("check", *args)
    assert result.code == 2
    assert words in result.err


def test_virtual_environments_and_hidden_folders_are_not_documents(docs: Path, cli: Cli) -> None:
    wrong = "```python\nprint(1)  # 2\n```\n"
    write(docs, "guide.md", "# Only prose here\n")
    write(docs, "venv/pyvenv.cfg", "home = /usr/bin\n")
    write(docs, "venv/lib/package/README.md", wrong)
    write(docs, "node_modules/thing/README.md", wrong)
    write(docs, ".github/notes.md", wrong)
    result = cli("check", "--no-cache")
    assert result.code == 0, result.out
    assert "1 documents" in result.out


def test_no_run_reads_but_does_not_run(docs: Path, cli: Cli) -> None:
    write(docs, "wrong.md", "```python\nprint(1)  # 2\n```\n")
    result = cli("check", "--no-run", "--format", "json")
    assert result.code == 0
    assert conventions(result)["print-comment"] == {
        "name": "print-comment",
        "found": 1,
        "confirmed": 0,
        "wrong": 0,
        "other": 1,
        "skipped": 0,
    }


def test_a_file_over_the_limit_names_no_site_setting(docs: Path, cli: Cli) -> None:
    write(docs, "huge.md", "```python\nprint(1)  # 1\n```\n" + "x" * 2_000_000)
    result = cli("check", "--no-run")
    assert result.code == 1
    assert "huge.md:1:1: error: file is 1953 KiB; the limit is 1024 KiB [too-large]" in result.out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_called_md_is_reported_not_read(docs: Path) -> None:
    write(docs, "wrong.md", "```python\nprint(1)  # 2\n```\n")
    os.mkfifo(docs / "pipe.md")
    done = subprocess.run(
        [sys.executable, "-m", "pebbles", "check", "--no-run", "."],
        cwd=docs,
        capture_output=True,
        text=True,
        timeout=30,  # reading the pipe would block for ever
    )
    assert done.returncode == 1, done.stderr
    assert "pipe.md:1:1: error: cannot read: not a regular file [unreadable]" in done.stdout
