"""bot/format.py: what citizens type is cleaned without breaking what they meant."""

from __future__ import annotations

import pytest

from bot.format import clean_text


@pytest.mark.parametrize(
    "sequence",
    [
        "👨\u200d👩\u200d👧",  # family: man, woman, girl
        "🏳\ufe0f\u200d🌈",  # rainbow flag: VS16 before the joiner
        "🏃\u200d♀\ufe0f",  # woman running: a BMP sign after the joiner
        "❤\ufe0f\u200d🔥",  # heart on fire
        "🧑🏽\u200d💻",  # skin tone modifier before the joiner
        "1\ufe0f\u20e3",  # keycap one
    ],
)
def test_emoji_sequences_reach_officials_whole(sequence: str) -> None:
    text = f"Gia đình tôi {sequence} bị ngập nước"
    assert clean_text(text) == text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("ad\u200dmin", "admin"),  # a joiner between letters hides nothing we want
        ("\u200d👩 đầu dòng", "👩 đầu dòng"),  # a joiner with nothing to join
        ("👩\u200d đuôi", "👩 đuôi"),
        ("GY-\u202eABC123", "GY-ABC123"),  # bidi override
        ("09\u200b12\u2060345678", "0912345678"),
        ("a\ufeffb\u200cc\u200ed", "abcd"),
    ],
)
def test_invisible_characters_still_go(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
