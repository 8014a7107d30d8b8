from pebbles.fences import parse_info
from pebbles.model import BlockKind


def test_plain_python_runs_with_no_options() -> None:
    info = parse_info("python")
    assert info.kind is BlockKind.SCRIPT
    assert info.options.timeout is None and not info.problems


def test_py_is_an_alias_and_options_are_parsed() -> None:
    info = parse_info('py timeout=5 unordered requires=numpy,pandas skip="needs a GPU"')
    assert info.language == "python"
    assert info.options.timeout == 5.0
    assert info.options.unordered
    assert info.options.requires == ("numpy", "pandas")
    assert info.options.skip == "needs a GPU"


def test_a_python_block_starting_with_a_prompt_is_a_transcript() -> None:
    assert parse_info("python", ">>> 1 + 1").kind is BlockKind.TRANSCRIPT
    assert parse_info("pycon").kind is BlockKind.TRANSCRIPT


def test_output_and_text_output_state_expected_output() -> None:
    assert parse_info("output").kind is BlockKind.OUTPUT
    assert parse_info("text output").kind is BlockKind.OUTPUT
    assert parse_info("text").kind is BlockKind.OTHER


def test_unknown_option_is_reported_with_a_suggestion_and_its_offset() -> None:
    info = parse_info("python timeot=3")
    (problem,) = info.problems
    assert problem.code == "unknown-option"
    assert "did you mean 'timeout'" in problem.message
    assert problem.offset == len("python ")


def test_bad_option_values_are_reported() -> None:
    codes = [
        p.code
        for p in parse_info("python timeout=-1 raises=1x hidden=yes unordered unordered").problems
    ]
    assert codes == ["bad-option", "bad-option", "bad-option", "duplicate-option"]


def test_other_languages_never_run_and_keep_their_words() -> None:
    info = parse_info("bash title=run.sh")
    assert info.kind is BlockKind.OTHER and not info.problems
