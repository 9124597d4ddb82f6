"""Tracking codes such as `GY-7K3F9Q`: short, random, and easy to read aloud or copy from paper.

The alphabet leaves out characters people confuse (0/O, 1/I/L, U/V); 29⁶ ≈ 6·10⁸ codes, so a
collision is rare — and the store retries on one (the code column is unique). Codes are random rather
than sequential so that they reveal nothing about how many submissions a commune gets and cannot be
guessed to peek at someone else's (lookups are owner-only anyway).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 6
DEFAULT_PREFIX = "GY"

_SEPARATORS = re.compile(r"[\s\-_.:/#]+")


def new_code(prefix: str = DEFAULT_PREFIX, length: int = CODE_LENGTH) -> str:
    """A fresh random code, e.g. "GY-7K3F9Q"."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return f"{prefix}-{body}"


def parse_code(text: str, prefix: str = DEFAULT_PREFIX, length: int = CODE_LENGTH) -> str | None:
    """The canonical code typed by a person ("gy 7k3f9q", "GY-7K3F9Q", "7k3f9q"), or None if it cannot be one."""
    compact = _SEPARATORS.sub("", text or "").upper()
    if compact.startswith(prefix.upper()) and len(compact) == len(prefix) + length:
        compact = compact[len(prefix) :]
    if len(compact) != length or any(ch not in ALPHABET for ch in compact):
        return None
    return f"{prefix}-{compact}"


def find_code(text: str, prefix: str = DEFAULT_PREFIX, length: int = CODE_LENGTH) -> str | None:
    """The first code mentioned inside a longer text ("mã GY-7K3F9Q của tôi"), or None."""
    pattern = rf"\b{re.escape(prefix)}[\s\-_]?([{ALPHABET}]{{{length}}})\b"
    match = re.search(pattern, (text or "").upper())
    return f"{prefix}-{match.group(1)}" if match else None
