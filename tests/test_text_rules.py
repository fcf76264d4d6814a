"""rucher.text: the one set of rules for text coming in."""

from __future__ import annotations

import pytest

from rucher import text
from rucher.errors import Invalid


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "x\ud800", "\udfff"])
def test_nul_and_lone_surrogates_cannot_be_stored(value: str) -> None:
    assert text.problem(value) is not None
    with pytest.raises(Invalid):
        text.require(value)
    with pytest.raises(Invalid):
        text.clean(value)


@pytest.mark.parametrize("value", ["", " ", "\u202e\u200b\ufeff", "\u3164", "\t\n\u00a0\u2028"])
def test_invisible_only_text_is_empty(value: str) -> None:
    assert text.is_blank(value)
    with pytest.raises(Invalid):
        text.clean(value)


def test_clean_strips_invisible_ends_and_keeps_the_inside() -> None:
    assert text.clean("\u200b Bonjour 👨\u200d👩 !\ufeff ") == "Bonjour 👨\u200d👩 !"
    assert text.clean("😀") == "😀"  # an astral character is not a surrogate pair in Python
    with pytest.raises(Invalid):
        text.clean("abcd", limit=3)
    with pytest.raises(Invalid):
        text.require(42)


def test_scrub_repairs_for_importers() -> None:
    assert text.scrub("a\x00b\ud800c") == "ab\ufffdc"
    assert text.scrub("déjà") == "déjà"
