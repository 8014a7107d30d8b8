"""Printing a :class:`~pebbles.model.CheckReport`: text, JSON, JUnit XML, GitHub annotations,
and a Markdown summary for CI job pages."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from .model import CheckReport, Diagnostic, PostResult, Severity, Status

FORMATS = ("text", "json", "junit", "github", "summary")
JSON_VERSION = 1

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def render(report: CheckReport, fmt: str, *, colour: bool = False) -> str:
    """The report in ``fmt``; always ends with a newline."""
    if fmt == "json":
        return json.dumps(as_json(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "junit":
        return as_junit(report)
    if fmt == "github":
        return as_github(report)
    if fmt == "summary":
        return as_summary(report)
    return as_text(report, colour=colour)


def summary(report: CheckReport) -> dict[str, Any]:
    counts = {status: 0 for status in Status}
    for post in report.posts:
        counts[post.status] += 1
    return {
        "posts": len(report.posts),
        "passed": counts[Status.PASSED],
        "failed": counts[Status.FAILED],
        "skipped": counts[Status.SKIPPED],
        "blocks": sum(len(p.blocks) for p in report.posts),
        "duration_s": round(report.duration_s, 3),
    }


# --- text ----------------------------------------------------------------------


def format_diagnostic(diagnostic: Diagnostic, colour: bool = False) -> str:
    """``path:line:col: severity: message [code]``; further message lines indented."""
    if not colour:
        return diagnostic.format()
    word = diagnostic.severity.value
    painted = f"\x1b[{_COLOURS[diagnostic.severity]};1m{word}\x1b[0m"
    return diagnostic.format().replace(f": {word}: ", f": {painted}: ", 1)


def as_text(report: CheckReport, colour: bool = False) -> str:
    lines = [format_diagnostic(d, colour) for d in _ordered(report.all_diagnostics)]
    s = summary(report)
    mark = "✔" if not report.has_errors else "✘"
    tail = (
        f"{mark} {s['posts']} documents: {s['passed']} passed, {s['failed']} failed, "
        f"{s['skipped']} skipped · {s['blocks']} code blocks · {s['duration_s']:.2f}s"
    )
    errors = sum(1 for d in report.all_diagnostics if d.is_error)
    warnings = sum(1 for d in report.all_diagnostics if d.severity is Severity.WARNING)
    if errors or warnings:
        tail += f" · {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if colour:
        tail = f"\x1b[{'32' if not report.has_errors else '31'};1m{tail}\x1b[0m"
    return "\n".join([*lines, *_convention_table(report), tail]) + "\n"


_COUNT_COLUMNS = ("found", "confirmed", "wrong", "other", "skipped")


def _convention_table(report: CheckReport) -> list[str]:
    """Per output convention (standalone checks): what it found and what it confirmed."""
    if not report.conventions:
        return []
    width = max(len(c.name) for c in report.conventions) + 2
    rows = ["conventions".ljust(width) + "".join(f"{c:>11}" for c in _COUNT_COLUMNS)]
    for count in report.conventions:
        values = (getattr(count, column) for column in _COUNT_COLUMNS)
        rows.append(f"  {count.name}".ljust(width) + "".join(f"{v:>11}" for v in values))
    return rows


def _ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.path, d.line, d.col, d.code))


# --- json ----------------------------------------------------------------------


def as_json(report: CheckReport) -> dict[str, Any]:
    """The versioned report shape documented in README.md."""
    found: dict[str, Any] = {
        "version": JSON_VERSION,
        "summary": summary(report),
        "diagnostics": [_finding(d, with_path=True) for d in report.diagnostics],
        "posts": [_post_json(p) for p in report.posts],
    }
    if report.conventions:
        found["conventions"] = [asdict(count) for count in report.conventions]
    return found


def _finding(d: Diagnostic, with_path: bool = False) -> dict[str, Any]:
    found: dict[str, Any] = {"path": d.path} if with_path else {}
    found.update(
        code=d.code, severity=d.severity.value, line=d.line, column=d.col, message=d.message
    )
    return found


def _post_json(post: PostResult) -> dict[str, Any]:
    return {
        "path": post.path,
        "slug": post.slug,
        "status": post.status.value,
        "findings": [_finding(d, with_path=d.path != post.path) for d in post.findings],
        "blocks": [
            {
                "line": b.line,
                "language": b.language,
                "status": b.status.value,
                "expected": b.expected,
                "actual": b.actual,
                "duration_s": round(b.duration_s, 4),
            }
            for b in post.blocks
        ],
    }


# --- junit ---------------------------------------------------------------------


def as_junit(report: CheckReport) -> str:
    """One ``<testcase>`` per document; findings become ``<failure>`` elements."""
    s = summary(report)
    suite = ET.Element(
        "testsuite",
        name="pebbles",
        tests=str(s["posts"]),
        failures=str(s["failed"]),
        skipped=str(s["skipped"]),
        errors="0",
        time=f"{report.duration_s:.3f}",
    )
    for post in report.posts:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="pebbles",
            name=post.path,
            file=post.path,
            time=f"{post.duration_s:.3f}",
        )
        errors = [d for d in post.findings if d.is_error]
        if errors:
            failure = ET.SubElement(
                case, "failure", message=f"{errors[0].code}: {errors[0].message.splitlines()[0]}"
            )
            failure.text = "\n".join(d.format() for d in errors)
        elif post.status is Status.SKIPPED:
            reasons = {b.reason for b in post.blocks if b.reason}
            ET.SubElement(case, "skipped", message="; ".join(sorted(reasons)) or "skipped")
    for d in report.diagnostics:
        case = ET.SubElement(suite, "testcase", classname="pebbles", name=d.path, file=d.path)
        if d.is_error:
            failure = ET.SubElement(case, "failure", message=d.code)
            failure.text = d.format()
    ET.indent(suite)
    xml = ET.tostring(suite, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + _XML_INVALID.sub(_visible, xml) + "\n"


# Characters XML 1.0 cannot hold even escaped; a post's output may print any of them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# --- github --------------------------------------------------------------------


def escape_data(text: str) -> str:
    """Escape an annotation message per the workflow-command rules."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape an annotation property value (file, title): also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(report: CheckReport) -> str:
    """``::error file=…,line=…,col=…,title=…::message`` lines, then a plain summary."""
    lines = []
    for d in _ordered(report.all_diagnostics):
        level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}[
            d.severity
        ]
        props = f"file={escape_property(d.path)},line={d.line},col={d.col},title={escape_property('pebbles ' + d.code)}"
        lines.append(f"::{level} {props}::{escape_data(d.message)}")
    lines.append(as_text(report).rstrip("\n").splitlines()[-1])
    return "\n".join(lines) + "\n"


# --- summary -------------------------------------------------------------------

# GitHub caps a job summary at 1 MiB; past this many errors the rest are only counted.
SUMMARY_ROWS = 50
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def as_summary(report: CheckReport) -> str:
    """Markdown for a CI job page (``$GITHUB_STEP_SUMMARY``): a table of the counts,
    then one row per error."""
    s = summary(report)
    diagnostics = _ordered(report.all_diagnostics)
    errors = [d for d in diagnostics if d.is_error]
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING)
    lines = [
        f"### {'❌' if report.has_errors else '✅'} pebbles check",
        "",
        "| Documents | Passed | Failed | Skipped | Code blocks | Errors | Warnings | Time |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {s['posts']} | {s['passed']} | {s['failed']} | {s['skipped']} | {s['blocks']} "
        f"| {len(errors)} | {warnings} | {s['duration_s']:.2f} s |",
    ]
    if not report.posts:
        lines += ["", "Nothing to check."]
    if errors:
        lines += ["", "| Where | Problem |", "| --- | --- |"]
        lines += [
            f"| {_cell(d.path)}:{d.line} | {_cell(_first_line(d.message))} ({d.code}) |"
            for d in errors[:SUMMARY_ROWS]
        ]
    if len(errors) > SUMMARY_ROWS:
        lines += ["", f"… and {len(errors) - SUMMARY_ROWS} more errors: see the annotations."]
    return "\n".join(lines) + "\n"


def _first_line(text: str) -> str:
    return text.partition("\n")[0]


def _cell(text: str) -> str:
    """Text that stays literal inside a Markdown table cell."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
