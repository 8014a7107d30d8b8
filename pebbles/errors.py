"""The one exception family that maps to exit codes; everything else is a bug."""

from __future__ import annotations

from .model import Diagnostic

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class PebblesError(Exception):
    """A problem the user must fix before anything can run (exit code 2)."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, diagnostics: tuple[Diagnostic, ...] = ()) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics


class ConfigError(PebblesError):
    """``site.yml`` is missing or invalid."""


class UsageError(PebblesError):
    """The command line asks for something impossible."""
