"""Site-local validation rules: plain ``validators/*.py`` files loaded by path.

A rule file defines::

    def validate(post: pebbles.model.Post, config: pebbles.model.SiteConfig)
        -> Iterable[pebbles.model.Diagnostic]

It is given every parsed post and guide and returns (or yields) its findings.
Files starting with ``_`` are helpers and are not loaded as rules.
"""

from __future__ import annotations

import importlib.util
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .content import display_path
from .model import Diagnostic, Post, Severity, SiteConfig

Rule = Callable[[Post, SiteConfig], Iterable[Diagnostic]]


@dataclass(frozen=True)
class LoadedRule:
    name: str
    path: str
    func: Rule


def load_rules(folder: Path) -> tuple[tuple[LoadedRule, ...], tuple[Diagnostic, ...]]:
    """Import every rule file in ``folder`` under a private module name."""
    rules: list[LoadedRule] = []
    problems: list[Diagnostic] = []
    if not folder.is_dir():
        return (), ()
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        shown = display_path(path)
        try:
            module = _import(path)
        except Exception as err:  # a broken rule file is the site's problem, not a crash
            problems.append(_crash(shown, path, err, "rule-load-error", "cannot load rule"))
            continue
        func = getattr(module, "validate", None)
        if not callable(func):
            problems.append(
                Diagnostic(
                    shown,
                    1,
                    1,
                    Severity.ERROR,
                    "rule-load-error",
                    "rule file defines no validate(post, config) function",
                )
            )
            continue
        rules.append(LoadedRule(path.stem, shown, func))
    return tuple(rules), tuple(problems)


def apply_rules(rules: Iterable[LoadedRule], post: Post, config: SiteConfig) -> list[Diagnostic]:
    """Run each rule on one post; a rule that raises is reported, not fatal."""
    found: list[Diagnostic] = []
    for rule in rules:
        try:
            # A rule with nothing to say may simply return None.
            result = list(rule.func(post, config) or ())
        except Exception as err:
            found.append(
                _crash(
                    rule.path,
                    Path(rule.path),
                    err,
                    "rule-crashed",
                    f"rule '{rule.name}' failed on {post.path}",
                )
            )
            continue
        for item in result:
            if isinstance(item, Diagnostic):
                found.append(item)
            else:
                found.append(
                    Diagnostic(
                        rule.path,
                        1,
                        1,
                        Severity.ERROR,
                        "rule-bad-result",
                        f"rule '{rule.name}' returned {type(item).__name__}, not Diagnostic",
                    )
                )
    return found


def _import(path: Path) -> ModuleType:
    name = f"_pebbles_site_rule_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _crash(shown: str, path: Path, err: Exception, code: str, what: str) -> Diagnostic:
    line = 1
    for frame in traceback.extract_tb(err.__traceback__):
        if Path(frame.filename).resolve() == path.resolve() and frame.lineno:
            line = frame.lineno
    return Diagnostic(shown, line, 1, Severity.ERROR, code, f"{what}: {type(err).__name__}: {err}")
