"""The ways tutorial authors state what their code prints, as named, switchable rules.

Each rule has its own module; this one names them, says what each reads, and
turns a ``--conventions`` choice into the set of rules to apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from ..suggest import did_you_mean


@dataclass(frozen=True)
class Convention:
    name: str
    summary: str
    example: str


PRINT_COMMENT = "print-comment"
TRANSCRIPT = "transcript"
OUTPUT_COMMENT = "output-comment"
ARROW = "arrow"
REPREX = "reprex"
OUTPUT_BLOCK = "output-block"
NOTEBOOK_DISPLAY = "notebook-display"

CONVENTIONS = (
    Convention(
        PRINT_COMMENT,
        "a trailing comment on a print line is what that print writes: a bare value, "
        "a repr-quoted string, '-> text', or a value then an explanation after a comma "
        "or dash; plain text and type shorthand ('# str') count only when they are what "
        "is printed, and are otherwise prose",
        "print(6 * 7)  # 42",
    ),
    Convention(
        TRANSCRIPT,
        ">>> sessions in any fence (tagged or not): output under the prompt, also "
        "written as '# value'; continuation lines with or without '...'; commentary "
        "after the output; a traceback, however shortened, is compared by exception type",
        ">>> 6 * 7\n42",
    ),
    Convention(
        OUTPUT_COMMENT,
        "'# Output:' then one '# line' per output line, or then the raw output lines "
        "(removed before the code runs); '# Output: value' on one line",
        "print('hi')\n# Output:\n# hi",
    ),
    Convention(
        ARROW,
        "'==> value' (or '# ==> value') under a statement, or after it on the same line: "
        "what it prints, or the value of a bare expression",
        "len('abc')\n# ==> 3",
    ),
    Convention(
        REPREX,
        "'#> line' comments under a statement: what it prints (the reprex style)",
        "print([1, 2])\n#> [1, 2]",
    ),
    Convention(
        OUTPUT_BLOCK,
        "a fence right after the code (untagged, text, output, console, sh, bash, or "
        "python when labelled) is the code's whole output; a label such as 'Output:' or "
        "'Output (< 3.6):' may stand before it or open it",
        "```python\nprint('hi')\n```\n```\nhi\n```",
    ),
    Convention(
        NOTEBOOK_DISPLAY,
        "a bare expression that ends the code before a stated output is displayed, "
        "like a notebook cell's last line",
        "```python\n[1, 2] * 2\n```\n```\n[1, 2, 1, 2]\n```",
    ),
)

NAMES = tuple(c.name for c in CONVENTIONS)


def select(spec: str | None) -> frozenset[str]:
    """The rules a ``--conventions`` value asks for.

    ``None`` or ``all``: every rule. ``a,b``: only those. ``-a,-b``: all but those.
    A plain name and a ``-name`` cannot be mixed, which would be ambiguous.
    """
    if spec is None or spec.strip() == "all":
        return frozenset(NAMES)
    items = [item.strip() for item in spec.split(",") if item.strip()]
    if not items:
        raise UsageError("--conventions needs rule names; see --list-conventions")
    removing = [item.startswith("-") for item in items]
    if any(removing) and not all(removing):
        raise UsageError(
            "--conventions takes either names to use (a,b) or names to leave out (-a,-b), not both"
        )
    names = [item.lstrip("-+") for item in items]
    for name in names:
        if name not in NAMES:
            raise UsageError(
                f"unknown convention '{name}'{did_you_mean(name, NAMES)}; see --list-conventions"
            )
    if all(removing):
        return frozenset(NAMES) - frozenset(names)
    return frozenset(names)


def describe() -> str:
    """The list ``pebbles check --list-conventions`` prints."""
    lines = []
    for convention in CONVENTIONS:
        lines.append(f"{convention.name}")
        lines.append(f"    {convention.summary}")
        example = convention.example.replace("\n", "\n        ")
        lines.append(f"    e.g.  {example}")
    return "\n".join(lines) + "\n"
