"""Safe text for Telegram: clean what citizens type, escape it for HTML, split long messages.

All messages go out with parse_mode HTML, so every string that came from a user passes through
`esc` exactly once, at the point where it is put into a template.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

TELEGRAM_LIMIT = 4096
CAPTION_LIMIT = 1024

# Zero-width characters and bidi controls: invisible, and right-to-left overrides can disguise a
# tracking code or a phone number on an official's screen. The zero-width joiner (U+200D) is the one
# exception inside an emoji sequence (👨‍👩‍👧 is three emoji joined by two of them): there it stays, between
# an emoji (or the VS16 U+FE0F / skin tone that ends one) and the next emoji.
_EMOJI = "\u00a9\u00ae\u203c-\u3299\ufe0f\U0001f000-\U0001faff"
_INVISIBLE = re.compile(
    "[\u061c\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
    f"|(?<![{_EMOJI}])\u200d|\u200d(?![{_EMOJI}])"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str | None) -> str:
    """What a citizen typed, normalised to NFC, without control or invisible characters."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", _CONTROL.sub("", text))
    return _BLANK_LINES.sub("\n\n", text).strip()


def esc(value: object) -> str:
    """Escape for parse_mode HTML."""
    return html.escape(str(value), quote=False)


def fmt_time(moment: datetime | None, tz: ZoneInfo) -> str:
    if moment is None:
        return "—"
    if moment.tzinfo is None:  # stored as UTC without zone (SQLite)
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M")


def fmt_date(moment: datetime | None, tz: ZoneInfo) -> str:
    if moment is None:
        return "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(tz).strftime("%d/%m/%Y")


def truncate(text: str, limit: int, marker: str = "…") -> str:
    return text if len(text) <= limit else text[: limit - len(marker)] + marker


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split at paragraph, then line, then word boundaries so no part exceeds `limit`.

    Templates keep HTML tags within one line, so cutting at line boundaries never breaks a tag.
    """
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if current and len(current) + len(piece) > limit:
            parts.append(current.rstrip())
            current = ""
        current += piece
    if current.strip():
        parts.append(current.rstrip())
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    pieces: list[str] = []
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            if cut <= 0 or "<" in line[cut:limit]:
                cut = limit
                amp = line.rfind("&", cut - 10, cut)  # never cut inside an entity like &amp;
                if amp != -1 and ";" not in line[amp:cut]:
                    cut = amp
            pieces.append(line[:cut])
            line = line[cut:]
        pieces.append(line)
    return pieces
