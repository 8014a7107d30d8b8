"""Output matching rules from AUTHORING.md, and diffs numbered with .md lines."""

from __future__ import annotations

import pytest

from pebbles.matching import line_matches, outputs_match, unified_diff


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ("3\n", "3\n"),
        ("3", "3\n"),
        ("a  \nb\t\n", "a\nb\n"),
        ("a\nb\n", "a   \nb  \n"),
        ("a\n\n\n", "a\n"),
        ("a\n", "a\n\n\n"),
        ("", ""),
        ("", "\n\n"),
    ],
)
def test_trailing_whitespace_and_blank_lines_do_not_count(expected: str, actual: str) -> None:
    assert outputs_match(expected, actual)


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ("3\n", "4\n"),
        ("a\nb\n", "b\na\n"),
        ("\na\n", "a\n"),
        ("  a\n", "a\n"),
        ("a\n", "a\nb\n"),
        ("a\nb\n", "a\n"),
        ("", "x\n"),
    ],
)
def test_other_differences_fail(expected: str, actual: str) -> None:
    assert not outputs_match(expected, actual)


@pytest.mark.parametrize(
    "actual",
    ["start\nend\n", "start\n1\nend\n", "start\n1\n2\n3\nend\n", "start\nend\nend\n"],
)
def test_an_ellipsis_line_matches_any_run_of_lines(actual: str) -> None:
    assert outputs_match("start\n...\nend\n", actual)


@pytest.mark.parametrize("actual", ["start\n", "end\n", "start\nmiddle\n", "x\nstart\nend\n"])
def test_an_ellipsis_line_keeps_the_lines_around_it_anchored(actual: str) -> None:
    assert not outputs_match("start\n...\nend\n", actual)


def test_ellipsis_lines_place_middle_segments_in_order() -> None:
    expected = "...\nb\n...\nd\n...\n"
    assert outputs_match(expected, "a\nb\nc\nd\ne\n")
    assert outputs_match(expected, "b\nd\n")
    assert not outputs_match(expected, "d\nb\n")


def test_only_an_ellipsis_matches_anything() -> None:
    assert outputs_match("...\n", "")
    assert outputs_match("...\n", "anything\nat all\n")


@pytest.mark.parametrize(
    ("pattern", "line", "matches"),
    [
        ("took ... seconds", "took 0.25 seconds", True),
        ("took ... seconds", "took  seconds", True),
        ("took ... seconds", "took 1 minute", False),
        ("...done", "all done", True),
        ("start...", "start now", True),
        ("a...b...c", "a-x-b-y-c", True),
        ("a...b...c", "a-c-b", False),
        ("ab...ba", "aba", False),
        ("ab...ba", "abba", True),
        ("Loading...", "Loading...", True),
    ],
)
def test_inline_ellipsis_matches_any_text_within_a_line(
    pattern: str, line: str, matches: bool
) -> None:
    assert line_matches(pattern, line) is matches


def test_inline_ellipsis_does_not_cross_lines() -> None:
    assert not outputs_match("a ... b\n", "a x\ny b\n")


def test_memory_addresses_match_any_address() -> None:
    expected = "<__main__.Node object at 0x7f3a9c2e1d90>\n"
    assert outputs_match(expected, "<__main__.Node object at 0x7fe0120b5e50>\n")
    assert not outputs_match(expected, "<__main__.Leaf object at 0x7fe0120b5e50>\n")


def test_short_hex_numbers_are_values_not_addresses() -> None:
    assert not outputs_match("0xff\n", "0x100\n")
    assert outputs_match("0xff\n", "0xff\n")


def test_unordered_compares_lines_as_a_multiset() -> None:
    assert outputs_match("a\nb\nc\n", "c\na\nb\n", unordered=True)
    assert outputs_match("a\na\nb\n", "a\nb\na\n", unordered=True)
    assert not outputs_match("a\na\nb\n", "a\nb\nb\n", unordered=True)
    assert not outputs_match("a\nb\n", "a\nb\nc\n", unordered=True)
    assert not outputs_match("a\nb\nc\n", "a\nb\n", unordered=True)


def test_unordered_still_ignores_trailing_whitespace() -> None:
    assert outputs_match("b  \na\n\n", "a\nb\n", unordered=True)


def test_unordered_ellipsis_line_allows_extra_lines() -> None:
    assert outputs_match("done\n...\n", "x\ndone\ny\n", unordered=True)
    assert not outputs_match("done\n...\n", "x\ny\n", unordered=True)


def test_unordered_inline_wildcards_find_a_pairing_when_one_exists() -> None:
    # Pairing "...b" with "ab" first (greedy) would leave "a..." with nothing.
    assert outputs_match("...b\na...\n", "ab\ncb\n", unordered=True)
    assert not outputs_match("a...\na...\n", "ab\ncb\n", unordered=True)


def test_unordered_masks_addresses_too() -> None:
    assert outputs_match(
        "<T at 0x7f0000000001>\nok\n", "ok\n<T at 0x7f00deadbeef>\n", unordered=True
    )


def test_matching_large_outputs_does_not_backtrack() -> None:
    # A backtracking matcher (a regex built from the pattern) takes exponential
    # time on these; segment-by-segment matching finishes at once.
    lines = "x\n" * 50_000
    assert not outputs_match("...\nx\n...\nx\n...\nx\n...\ny\n", lines)
    assert outputs_match("...\nx\n...\nx\n...\n", lines)
    long_line = "a" * 200_000
    assert not line_matches("a...a...a...a...a...a...b", long_line)
    assert outputs_match("\n".join(["...", "x"] * 200) + "\n", lines)
    assert not outputs_match("x\n" * 49_999 + "y\n", lines, unordered=True)


def test_long_exact_runs_between_ellipses_are_found_without_rescanning() -> None:
    # Trying each start line and comparing a 2,000-line run would take 10^8 steps.
    lines = "x\n" * 50_000
    run = "x\n" * 2_000
    assert not outputs_match("...\n" + run + "y\n...\n", lines)
    assert outputs_match("...\n" + run + "...\n", lines)
    assert outputs_match("...\n" + run + "y\n...\n", lines + "y\n")


def test_middle_runs_must_match_whole_lines() -> None:
    assert not outputs_match("...\nbc\n...\n", "abc\nbcd\n")
    assert outputs_match("...\nb\nc\n...\n", "a\nb\nb\nc\nd\n")
    assert outputs_match("first\n...\nb\n...\nlast\n", "first\nb\nlast\n")
    assert not outputs_match("first\n...\nlast\n...\nlast\n", "first\nlast\n")


def test_diff_names_md_lines_of_the_expected_side() -> None:
    diff = unified_diff("a\nb\nc\n", "a\nB\nc\n", 14, "content/x.md")
    assert diff.splitlines() == [
        "--- expected (content/x.md:14)",
        "+++ actual",
        "@@ content/x.md:14 @@",
        " 14 | a",
        "-15 | b",
        "+   | B",
        " 16 | c",
    ]


def test_diff_hunks_start_at_the_md_line_of_their_first_line() -> None:
    expected = "".join(f"line {i}\n" for i in range(20))
    actual = expected.replace("line 15\n", "line fifteen\n")
    diff = unified_diff(expected, actual, 100, "p.md")
    assert "@@ p.md:112 @@" in diff
    assert "-115 | line 15" in diff
    assert "+    | line fifteen" in diff
    assert "line 3" not in diff


def test_diff_shows_missing_and_extra_lines() -> None:
    diff = unified_diff("a\nb\n", "a\n", 7, "p.md").splitlines()
    assert "-8 | b" in diff
    diff = unified_diff("a\n", "a\nextra\n", 7, "p.md").splitlines()
    assert "+  | extra" in diff


def test_diff_shows_a_matched_wildcard_as_context_not_as_a_change() -> None:
    expected = "line 0\n...\nline 4\ntotal 11\n"
    actual = "line 0\nline 1\nline 2\nline 3\nline 4\ntotal 10\n"
    assert unified_diff(expected, actual, 14, "p.md").splitlines() == [
        "--- expected (p.md:14)",
        "+++ actual",
        "@@ p.md:14 @@",
        " 14 | line 0",
        " 15 | ...",
        " 16 | line 4",
        "-17 | total 11",
        "+   | total 10",
    ]


def test_diff_leaves_out_hunks_whose_only_differences_are_matched_wildcards() -> None:
    expected = "".join(f"row {i}\n" for i in range(12)).replace("row 1\n", "row ...\n")
    actual = "".join(f"row {i}\n" for i in range(12)).replace("row 10\n", "row ten\n")
    diff = unified_diff(expected, actual, 1, "p.md").splitlines()
    assert [line for line in diff if line.startswith("@@")] == ["@@ p.md:8 @@"]
    assert "-11 | row 10" in diff and "+   | row ten" in diff
