"""How well ``pebbles check --standalone`` reads real-world tutorial conventions.

    python benchmarks/tutorials_eval.py [--corpus DIR] [--truth FILE] [--json]

Runs the standalone check (all conventions, the real sandboxed engine) over a
corpus of tutorials whose stated outputs were classed by hand (``truth.json``:
wrong, correct, or unverifiable here) and prints

- precision: of the errors reported, how many are real wrong outputs;
- recall: of the real wrong outputs, how many are reported as errors;
- acceptance: of the correct stated outputs, how many were confirmed;
- the same precision and recall for a naive baseline measured in the same run,
  which calls every stated output that differs from the real output an error
  (no version labels, no varying output, no prose, no weak readings).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "tests" / "fixtures" / "tutorials"

from pebbles.conventions import NAMES  # noqa: E402
from pebbles.model import RunRequest, Severity  # noqa: E402
from pebbles.runner import observe_posts  # noqa: E402
from pebbles.sessions import run_documents  # noqa: E402
from pebbles.standalone import (  # noqa: E402
    count_conventions,
    read_analyses,
    standalone_config,
)
from pebbles.verdicts import Verdict, judge_document  # noqa: E402
from pebbles.versions import running  # noqa: E402

Where = tuple[str, int]


@dataclass(frozen=True)
class Scores:
    errors: int
    true_errors: int
    wrong: int
    found: int

    @property
    def precision(self) -> float:
        return self.true_errors / self.errors if self.errors else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.wrong if self.wrong else 1.0


def evaluate(corpus: Path, truth_file: Path) -> dict[str, Any]:
    """Run the check over ``corpus`` and score it against ``truth_file``."""
    truth = json.loads(truth_file.read_text(encoding="utf-8"))["documents"]
    wrong = {(name, item["line"]) for name, doc in truth.items() for item in doc["wrong"]}
    correct = {(name, line) for name, doc in truth.items() for line in doc["correct"]}
    unverifiable = {
        (name, item["line"]) for name, doc in truth.items() for item in doc["unverifiable"]
    }
    rules = frozenset(NAMES)
    started = time.perf_counter()
    analyses, _ = read_analyses([corpus], rules)
    config = standalone_config(corpus)
    request = RunRequest(use_cache=False)
    ran, _ = run_documents(analyses, config, request, observe_posts)
    judged = [(a, judge_document(a, ran.get(a.document.path), running())) for a in analyses]
    seconds = time.perf_counter() - started

    def where(path: str, line: int) -> Where:
        return str(Path(path).resolve().relative_to(corpus.resolve())), line

    errors: set[Where] = set()
    warned: set[Where] = set()
    confirmed: set[Where] = set()
    naive: set[Where] = set()
    for analysis, judgement in judged:
        path = analysis.document.path
        for finding in judgement.findings:
            if finding.severity is Severity.ERROR:
                errors.add(where(path, finding.line))
            elif finding.severity is Severity.WARNING:
                warned.add(where(path, finding.line))
        for item in judgement.judged:
            spot = where(path, item.claim.line)
            if item.verdict is Verdict.CONFIRMED:
                confirmed.add(spot)
            elif item.verdict is not Verdict.UNCHECKED:
                naive.add(spot)
    ours = Scores(len(errors), len(errors & wrong), len(wrong), len(wrong & errors))
    baseline = Scores(len(naive), len(naive & wrong), len(wrong), len(wrong & naive))
    counts = count_conventions(judged, rules)
    return {
        "documents": len(analyses),
        "stated_outputs": {
            "wrong": len(wrong),
            "correct": len(correct),
            "unverifiable": len(unverifiable),
        },
        "precision": round(ours.precision, 4),
        "recall": round(ours.recall, 4),
        "acceptance": round(len(correct & confirmed) / len(correct), 4) if correct else 1.0,
        "errors": ours.errors,
        "false_errors": sorted(f"{p}:{n}" for p, n in errors - wrong),
        "missed": sorted(f"{p}:{n}" for p, n in wrong - errors),
        "missed_but_warned": sorted(f"{p}:{n}" for p, n in (wrong - errors) & warned),
        "correct_not_confirmed": sorted(f"{p}:{n}" for p, n in correct - confirmed),
        "errors_on_unverifiable": sorted(f"{p}:{n}" for p, n in errors & unverifiable),
        "baseline": {
            "precision": round(baseline.precision, 4),
            "recall": round(baseline.recall, 4),
            "errors": baseline.errors,
        },
        "conventions": {c.name: {"found": c.found, "confirmed": c.confirmed} for c in counts},
        "seconds": round(seconds, 2),
    }


def _print(result: dict[str, Any]) -> None:
    stated = result["stated_outputs"]
    base = result["baseline"]
    print(
        f"{result['documents']} tutorials · {stated['wrong']} wrong, {stated['correct']} correct, "
        f"{stated['unverifiable']} unverifiable stated outputs · {result['seconds']:.1f}s"
    )
    print(f"{'':22}{'pebbles':>10}{'naive':>10}{'ratio':>8}")
    for name in ("precision", "recall"):
        ratio = result[name] / base[name] if base[name] else float("inf")
        print(f"{name:22}{result[name]:>10.1%}{base[name]:>10.1%}{ratio:>8.2f}")
    print(f"{'errors reported':22}{result['errors']:>10}{base['errors']:>10}")
    print(f"{'acceptance':22}{result['acceptance']:>10.1%}")
    for key in ("false_errors", "missed", "missed_but_warned", "correct_not_confirmed"):
        if result[key]:
            print(f"{key.replace('_', ' ')}: {', '.join(result[key])}")
    print("per convention (found / confirmed):")
    for name, count in result["conventions"].items():
        print(f"  {name:20}{count['found']:>5} /{count['confirmed']:>4}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--truth", type=Path, help="default: CORPUS/truth.json")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    result = evaluate(args.corpus, args.truth or args.corpus / "truth.json")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
