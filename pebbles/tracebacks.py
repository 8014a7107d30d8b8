"""Exceptions in stated and real output: authors shorten or paraphrase tracebacks,
so only the exception's type is compared."""

from __future__ import annotations

import builtins

HEADER = "Traceback (most recent call last):"
_ENDINGS = ("Error", "Exception", "Exit", "Interrupt", "Iteration", "Warning")
# The exceptions that say the example needs something the sandbox does not give
# (a package, a file, the network, a keyboard), not that the tutorial is wrong.
ENVIRONMENT = frozenset(
    {
        "ModuleNotFoundError",
        "ImportError",
        "FileNotFoundError",
        "FileExistsError",
        "IsADirectoryError",
        "NotADirectoryError",
        "PermissionError",
        "ConnectionError",
        "ConnectionRefusedError",
        "ConnectionResetError",
        "ConnectionAbortedError",
        "TimeoutError",
        "URLError",
        "HTTPError",
        "gaierror",
        "OSError",
        "EOFError",
        "KeyboardInterrupt",
        "SystemExit",
        "NoCredentialsError",
        "ConnectTimeout",
        "ConnectError",
        "OperationalError",
    }
)


def exception_name(line: str) -> str | None:
    """``ValueError`` from ``ValueError: bad`` or ``json.decoder.JSONDecodeError``."""
    head = line.strip().split(":", 1)[0].strip()
    if not head or " " in head:
        return None
    name = head.rsplit(".", 1)[-1]
    if name.isidentifier() and name[:1].isupper() and name.endswith(_ENDINGS):
        return name
    return None


def stated_exception(text: str) -> str | None:
    """The exception an author's stated output shows, if it shows one.

    A full traceback, doctest's shortened one, its last line alone, or a
    paraphrase such as ``ZeroDivisionError!`` all name the exception's type;
    ``Traceback …`` with no name says only that something was raised (``"*"``).
    """
    lines = [line for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        name = exception_name(line.rstrip("!. "))
        if name:
            return name
    return "*" if any(line.strip().startswith(HEADER) for line in lines) else None


def raised_exception(output: str) -> str | None:
    """The type of the exception a traceback in real output ends with."""
    at = output.find(HEADER)
    if at < 0:
        return None
    for line in reversed(output[at:].splitlines()):
        if line and not line.startswith(" "):
            name = exception_name(line)
            if name or line != HEADER:
                return name or line.split(":", 1)[0].strip()
    return None


def before_traceback(output: str) -> str:
    """What an example printed before it raised."""
    at = output.find(HEADER)
    return output if at < 0 else output[:at]


def same_kind(stated: str, raised: str) -> bool:
    """Does a stated exception fit the raised one? A built-in base class fits too."""
    raised_name = raised.rsplit(".", 1)[-1]
    if stated in ("*", raised_name):
        return True
    base = getattr(builtins, stated, None)
    child = getattr(builtins, raised_name, None)
    return (
        isinstance(base, type)
        and isinstance(child, type)
        and issubclass(base, BaseException)
        and issubclass(child, base)
    )


def may_be_kind(stated: str, raised: str) -> bool:
    """Could the raised exception still be a kind of the stated one?

    The checker never imports the tutorial's modules, so a built-in base class
    (``ValueError``) and a class from elsewhere (``json.JSONDecodeError``, which
    is one) cannot be told apart: the answer is "maybe", not "no".
    """
    raised_name = raised.rsplit(".", 1)[-1]
    return isinstance(getattr(builtins, stated, None), type) and not hasattr(builtins, raised_name)


def environmental(raised: str) -> bool:
    return raised.rsplit(".", 1)[-1] in ENVIRONMENT
