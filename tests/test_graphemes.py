import pytest

from pebbles.graphemes import graphemes, is_single_grapheme


@pytest.mark.parametrize(
    "text",
    [
        "λ",
        "🧵",
        "🗺️",  # with variation selector 16
        "🧗‍♂️",  # ZWJ sequence
        "👩‍👩‍👧‍👦",  # family ZWJ sequence
        "🇫🇷",  # regional-indicator flag
        "👍🏽",  # skin tone modifier
        "é",  # e + combining acute
        "1️⃣",  # keycap sequence
    ],
)
def test_one_visible_character_is_one_grapheme(text: str) -> None:
    assert is_single_grapheme(text)


@pytest.mark.parametrize("text", ["🧵🧵", "ab", "🇫🇷🇩🇪", "", " ", "λx", "🔥 "])
def test_more_or_less_than_one_character_is_rejected(text: str) -> None:
    assert not is_single_grapheme(text)


def test_graphemes_splits_a_zwj_sequence_from_its_neighbours() -> None:
    assert graphemes("a🧗‍♂️b") == ["a", "🧗‍♂️", "b"]
