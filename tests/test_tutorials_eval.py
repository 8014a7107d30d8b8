"""The tutorial corpus benchmark, as a test: the standalone check must stay
precise (no invented failures), find most real wrong outputs, and accept
correct ones."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def load_eval() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "tutorials_eval", ROOT / "benchmarks" / "tutorials_eval.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# The main corpus was written alongside the rules; the held-out one after them.
@pytest.mark.parametrize("corpus", ["tutorials", "tutorials-heldout"])
def test_corpus_precision_recall_and_acceptance(corpus: str) -> None:
    folder = FIXTURES / corpus
    result = load_eval().evaluate(folder, folder / "truth.json")
    assert result["false_errors"] == []
    assert result["errors_on_unverifiable"] == []
    assert result["precision"] >= 0.95
    assert result["recall"] >= 0.85
    assert result["acceptance"] >= 0.95
    # What the standalone rules add over a checker that calls every difference an error.
    assert result["baseline"]["precision"] < result["precision"]
