"""``print(x)  # 42``: a trailing comment on a print line states what it writes.

Authors write the value bare (``# 42``), as a repr (``# 'hello'`` for a printed
``hello``), with an arrow or label (``# -> 42``, ``# Output: 42``), followed by an
explanation (``# True, because 5 > 3``), as type shorthand (``# str``) or as prose.
A value, a repr or a labelled text is a claim. Unquoted text and type shorthand
may be the output or not: they are read as output only if the print writes
exactly that (or, for text, nearly that), and otherwise as prose.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..claims import Marker, Scope, Skip
from ..pysource import Comment, is_print
from ..tracebacks import exception_name
from . import PRINT_COMMENT

# Words that introduce the printed text inside a comment. After an arrow or a
# colon the rest is the output whatever it says; after a bare word ("prints 42")
# only a value is, since "prints the total" is prose.
_LEADS = ("->", "→", "output:", "outputs:", "out:", "prints:", "result:", "gives:")
_SOFT_LEADS = ("prints ", "outputs ", "output ", "gives ", "shows ")
_LONGEST = 200  # characters; longer comments are prose
# Punctuation that separates a value from the explanation after it.
_SEPARATORS = (",", ";", "(", " - ", " – ", " — ", "--", ":", " because", " since", " as ")
_TYPE_WORDS = frozenset(
    {
        "str",
        "string",
        "int",
        "integer",
        "float",
        "bool",
        "boolean",
        "list",
        "dict",
        "tuple",
        "set",
        "frozenset",
        "bytes",
        "bytearray",
        "complex",
        "object",
        "type",
        "nonetype",
        "range",
        "generator",
        "iterator",
        "iterable",
        "function",
        "callable",
        "number",
        "any",
        "optional",
        "union",
        "sequence",
        "mapping",
        "array",
        "ndarray",
        "dataframe",
        "series",
        "tensor",
    }
)
_REPEATING = (
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


@dataclass(frozen=True)
class Reading:
    """How a comment's text reads as output."""

    text: str  # the output it states
    accepted: tuple[str, ...]  # other spellings that count
    strong: bool  # a mismatch is an error
    certain: bool  # a mismatch cannot be prose


def print_comment_markers(
    tree: ast.Module, found: list[Comment], first_line: int
) -> tuple[list[Marker], list[Skip]]:
    """Claims from trailing comments on rows that end a ``print(...)`` call."""
    prints = _print_rows(tree)
    markers: list[Marker] = []
    skips: list[Skip] = []
    for comment in found:
        calls = prints.get(comment.row)
        if not comment.trailing or not calls:
            continue
        text = comment.text.lstrip("#").strip()
        if text.startswith(("==>", "=>", "#>")):
            continue  # the arrow and reprex rules read these
        line = first_line + comment.row - 1
        reading = read_comment(text)
        if isinstance(reading, str):
            skips.append(Skip(PRINT_COMMENT, line, reading))
            continue
        if len(calls) > 1:
            skips.append(Skip(PRINT_COMMENT, line, "two print calls on one line"))
            continue
        start, repeated = calls[0]
        if repeated:
            skips.append(Skip(PRINT_COMMENT, line, f"the print is inside {repeated}"))
            continue
        markers.append(
            Marker(
                PRINT_COMMENT,
                row=comment.row,
                line=line,
                col=comment.col + 1,
                text=reading.text,
                accepted=reading.accepted,
                scope=Scope.STATEMENT,
                strong=reading.strong,
                certain=reading.certain,
                display=False,
                print_row=start,
            )
        )
    return markers, skips


def _print_rows(tree: ast.Module) -> dict[int, list[tuple[int, str | None]]]:
    """Print calls by the row where they end: ``(first row, repeating construct)``."""
    found: dict[int, list[tuple[int, str | None]]] = {}

    def visit(node: ast.AST, repeated: str | None) -> None:
        if is_print(node):
            assert isinstance(node, ast.Call)
            found.setdefault(node.end_lineno or node.lineno, []).append((node.lineno, repeated))
        if repeated is None and isinstance(node, _REPEATING):
            repeated = _repeating_words(node)
        for child in ast.iter_child_nodes(node):
            visit(child, repeated)

    visit(tree, None)
    return found


def _repeating_words(node: ast.AST) -> str:
    if isinstance(node, ast.For | ast.AsyncFor | ast.While):
        return "a loop, so it may print any number of times"
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return "a function, so it prints only when called"
    return "a comprehension, so it may print any number of times"


def read_comment(text: str) -> Reading | str:
    """A comment's text as stated output, or the reason it is not one."""
    if not text:
        return "empty comment"
    if len(text) > _LONGEST:
        return "prose"
    lowered = text.lower()
    for lead in _LEADS:
        rest = text[len(lead) :].strip()
        if lowered.startswith(lead) and rest:
            return _as_value(rest) or Reading(rest, (), strong=True, certain=True)
    for lead in _SOFT_LEADS:
        value = _as_value(text[len(lead) :].strip()) if lowered.startswith(lead) else None
        if value is not None:
            return value
    if _is_type_shorthand(text):
        # ``# str`` names a type, not what print writes; it counts only when the
        # print writes exactly that (``print(type(x).__name__)  # str``).
        return Reading(text, (), strong=False, certain=False)
    exception = _exception_name(text)
    if exception:
        return Reading(exception, (), strong=True, certain=True)
    if text.startswith("<class '") and text.endswith("'>"):
        return Reading(text, (), strong=True, certain=True)
    value = _as_value(text)
    if value is not None:
        return value
    explained = _value_then_words(text)
    if explained is not None:
        return explained
    # Unquoted text may be the output (``# Hello, World!``) or prose: it counts
    # when it matches, and is read as prose when it does not.
    return Reading(text, (), strong=False, certain=False)


def _as_value(text: str) -> Reading | None:
    value = _literal(text)
    if value is _NOT_LITERAL:
        return None
    spellings = [text]
    if isinstance(value, str):
        shown = value
    elif isinstance(value, tuple) and not text.lstrip().startswith("("):
        # "# 1, 2" on print(a, b): print writes "1 2"; the tuple is another reading.
        shown = " ".join(str(item) for item in value)
        spellings.append(str(value))
    else:
        shown = str(value)
    return Reading(shown, tuple(dict.fromkeys(s for s in spellings if s != shown)), True, True)


_NOT_LITERAL = object()


def _literal(text: str) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _NOT_LITERAL


def _value_then_words(text: str) -> Reading | None:
    """``True, because 5 > 3``: the longest leading value that an explanation follows.

    Only an explicit separator counts as strong; ``3 apples`` may be the whole
    printed text or a value and a word, so it is a weak, uncertain reading.
    """
    best: tuple[int, object, bool] | None = None
    for cut in range(len(text) - 1, 0, -1):
        head, tail = text[:cut].rstrip(), text[cut:]
        separated = tail.startswith(_SEPARATORS)
        if not (separated or tail.startswith(" ")) or not any(c.isalpha() for c in tail):
            continue
        value = _literal(head)
        if value is not _NOT_LITERAL and not isinstance(value, tuple):
            best = (cut, value, separated)
            break
    if best is None:
        return None
    cut, value, separated = best
    head = text[:cut].rstrip()
    shown = value if isinstance(value, str) else str(value)
    accepted = tuple(dict.fromkeys(s for s in (head, text) if s != shown))
    return Reading(shown, accepted, strong=separated, certain=separated)


def _is_type_shorthand(text: str) -> bool:
    """``str``, ``list[int]``, ``dict[str, int] | None``, ``int or float``."""
    candidate = text.replace(" or ", " | ")
    try:
        tree = ast.parse(candidate, mode="eval")
    except SyntaxError:
        return False
    names = [n for n in ast.walk(tree.body) if isinstance(n, ast.Name)]
    allowed = (ast.Name, ast.Subscript, ast.BinOp, ast.BitOr, ast.Tuple, ast.Load, ast.Constant)
    if not names or not all(isinstance(n, allowed) for n in ast.walk(tree.body)):
        return False
    return all(n.id.lower() in _TYPE_WORDS or n.id[:1].isupper() for n in names) and any(
        n.id.lower() in _TYPE_WORDS for n in names
    )


def _exception_name(text: str) -> str | None:
    """``ZeroDivisionError``, ``raises KeyError``, ``TypeError: can't add``."""
    words = text.split(maxsplit=1)
    if words and words[0].lower() in ("raises", "raise", "error:"):
        text = words[1] if len(words) > 1 else ""
    return exception_name(text.rstrip("!. "))
