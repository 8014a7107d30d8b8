"""A real git repository around a test site, for the ``--changed-since`` tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

# Commits need an identity, and the machine's own git configuration must not leak in.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Pebbles Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Pebbles Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


class GitRepo:
    """``git`` in one folder, with the test identity."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        for name, value in GIT_ENV.items():
            monkeypatch.setenv(name, value)
        self("init", "-q", "-b", "main")

    def __call__(self, *args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.root, capture_output=True, text=True, check=True
        )
        return done.stdout

    def commit(self, message: str) -> None:
        self("add", "-A")
        self("commit", "-q", "--allow-empty", "-m", message)
