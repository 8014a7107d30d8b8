"""A fence right after the code that shows the code's whole output.

Tutorials tag it ``sh`` (most), nothing, ``text``, ``console``, ``bash``, ``py`` or
``python``; put "Output:" (perhaps "Output (< 3.6):") in a paragraph before it or
as its first line; or open it with the command that ran the script. A fence
tagged as code counts only when labelled, and one tagged as shell only when its
lines are not shell commands; an unlabelled shell fence is a weak claim whose
mismatch is a warning, since it may be something else the author showed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..documents import Fence
from ..pysource import bare_values, parses
from ..versions import Versions, read_label

PLAIN = frozenset(
    {"", "text", "txt", "plain", "plaintext", "output", "out", "stdout", "none", "nohighlight"}
)
SHELL = frozenset({"sh", "shell", "bash", "zsh", "console", "shell-session", "terminal"})
CODE = frozenset({"python", "py", "python3", "py3"})
_OUTPUT_TAGS = frozenset({"output", "out", "stdout"})
_OUTPUT_WORDS = frozenset(
    {
        "output",
        "outputs",
        "prints",
        "printed",
        "print",
        "result",
        "results",
        "display",
        "displays",
        "displayed",
        "shows",
        "see",
        "gives",
        "produces",
        "returns",
        "console",
        "stdout",
        "yields",
        "run",
        "running",
        "ends",
    }
)
_LONG_LABEL = 40  # words; a longer paragraph is prose about something else
# One line of the block, read on its own: an "Output:"-style first line.
_FIRST_LINE = re.compile(
    r"#*\s*(?:expected\s+)?(?:output|outputs|out|result|stdout)\b\s*(?P<label>\([^)]*\))?\s*:?\s*\Z",
    re.IGNORECASE,
)
_PROMPTS = ("$ ", "% ", "> ", "PS> ", "C:\\> ")
_COMMANDS = frozenset(
    {
        "pip",
        "pip3",
        "python",
        "python3",
        "py",
        "cd",
        "ls",
        "mkdir",
        "export",
        "git",
        "conda",
        "curl",
        "wget",
        "sudo",
        "apt",
        "apt-get",
        "brew",
        "npm",
        "docker",
        "source",
        "echo",
        "uv",
        "poetry",
        "pytest",
        "streamlit",
        "uvicorn",
        "flask",
        "jupyter",
        "cat",
        "touch",
        "rm",
        "cp",
        "mv",
        "chmod",
        "set",
    }
)


@dataclass(frozen=True)
class OutputBlock:
    """The stated output a fence holds, and how sure the reading is."""

    line: int  # .md line of the first output line
    text: str
    strong: bool
    version: Versions | None
    labelled: bool  # a label says it is output; otherwise it is only where output goes


def read_output_block(fence: Fence, labelled: bool) -> OutputBlock | None:
    """``fence`` read as the output of the code just before it, or ``None``.

    ``labelled``: the code itself ended with an empty ``# Output:`` comment.
    """
    language = fence.language
    if language not in PLAIN | SHELL | CODE:
        return None
    lines = fence.lines
    first_line = fence.line
    version = read_label(fence.label) if fence.label else None
    # "Output:" (or a fence tagged output) says it plainly; "this prints" less so.
    plainly = labelled or language in _OUTPUT_TAGS or _names_output(fence.label)
    said = plainly or _says_output(fence.label)
    if lines and _FIRST_LINE.match(lines[0].strip()):
        marker = _FIRST_LINE.match(lines[0].strip())
        assert marker is not None
        if marker.group("label"):
            version = read_label(marker.group("label")) or version
        lines, first_line, said, plainly = lines[1:], first_line + 1, True, True
    elif lines and _runs_python(lines[0]) and len(lines) > 1:
        lines, first_line, said = lines[1:], first_line + 1, True
    if fence.label and (not said or _other_program(fence.label)):
        return None
    if (not said and language in CODE) or (not plainly and _commands(lines)):
        return None
    # "This returns a new string:" before a python fence introduces more code;
    # only a plain "Output:" makes code-looking text output.
    if language in CODE and not plainly and not _not_code(lines):
        return None
    text = "".join(line + "\n" for line in lines)
    strong = said or language in PLAIN
    return OutputBlock(first_line, text, strong, version, said)


def _says_output(label: str) -> bool:
    words = re.findall(r"[a-z]+", label.lower())
    if not words or len(words) > _LONG_LABEL:
        return False
    return "output" in words or (
        bool(set(words) & _OUTPUT_WORDS) and (label.rstrip().endswith(":") or len(words) <= 12)
    )


# Tools whose output a tutorial shows after the code they were run on.
_TOOLS = frozenset({"mypy", "pytest", "pylint", "flake8", "ruff", "black", "pyright", "bandit"})


def _other_program(label: str) -> bool:
    """ "Running `mypy` on it prints:" introduces that tool's output, not the code's."""
    return bool(set(re.findall(r"[a-z0-9]+", label.lower())) & _TOOLS)


def _names_output(label: str) -> bool:
    """``Output:``, ``Expected output (3.8+):``, or a notebook's ``Out[3]:``."""
    words = re.findall(r"[a-z]+", label.lower())
    if words == ["out"]:
        return True
    return 0 < len(words) <= _LONG_LABEL and bool({"output", "outputs"} & set(words))


def _not_code(lines: list[str]) -> bool:
    """Text that is not Python, or only values (what a python-tagged output holds)."""
    text = "".join(line + "\n" for line in lines)
    return not parses(text) or bare_values(text)


def _runs_python(line: str) -> bool:
    """``$ python app.py``: the command that produced the output below it."""
    words = _command_words(line)
    return bool(words) and words[0] in ("python", "python3", "py") and len(words) > 1


def _commands(lines: list[str]) -> bool:
    """Are these shell commands rather than what a program printed?"""
    code = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not code:
        return False
    first = code[0].lstrip()
    words = _command_words(first)
    return first.startswith(_PROMPTS) or (bool(words) and words[0] in _COMMANDS)


def _command_words(line: str) -> list[str]:
    stripped = line.strip()
    for prompt in _PROMPTS:
        if stripped.startswith(prompt):
            stripped = stripped[len(prompt) :]
            break
    return stripped.split()
