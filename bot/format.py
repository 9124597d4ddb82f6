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


def telegram_length(message: str) -> int:
    """A message's length as Telegram limits it: the text after HTML parsing, in UTF-16 code units."""
    return _utf16(html.unescape(_TAG.sub("", message)))


def split_message(text: str, limit: int = TELEGRAM_LIMIT, *, first_limit: int | None = None) -> list[str]:
    """`text` (HTML) as messages of at most `limit` (the first: `first_limit`), measured as Telegram does.

    Cuts fall on a paragraph, else a line, else a space in the second half of a message, else between two
    characters; never inside a tag, an entity or an emoji sequence. A tag open at a cut is closed at the
    end of one message and opened again at the start of the next, so every part is valid on its own.
    """
    budget = first_limit or limit
    if 2 * len(text) <= budget or telegram_length(text) <= budget:
        return [text]
    tokens = _tokens(text)
    parts: list[str] = []
    start, reopen = 0, []
    while start < len(tokens):
        end, stack = _cut(tokens, start, budget, reopen)
        body = "".join(t.raw for t in tokens[start:end]).rstrip()
        closing = "".join(f"</{name}>" for name, _ in reversed(stack))
        part = "".join(opening for _, opening in reopen) + body + closing
        if body:
            parts.append(part)
        start, reopen, budget = end, stack, limit
        while start < len(tokens) and tokens[start].kind == "text" and tokens[start].raw.isspace():
            start += 1
    return parts


class _Token:
    """A tag (length 0), an entity, or one character of text; `size` in UTF-16 units once parsed."""

    __slots__ = ("kind", "name", "raw", "size")

    def __init__(self, raw: str, kind: str, size: int, name: str = "") -> None:
        self.raw, self.kind, self.size, self.name = raw, kind, size, name


_TAG = re.compile(r"<[^<>]*>")
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|.", re.DOTALL)
# Not to be separated from the character before them: they continue an emoji or a letter.
_CONTINUING = re.compile("[\u0300-\u036f\u200d\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")


def _utf16(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        if m.group(2):
            tokens.append(_Token(raw, "close" if m.group(1) else "open", 0, m.group(2).lower()))
        else:
            tokens.append(_Token(raw, "text", _utf16(html.unescape(raw))))
    return tokens


def _cut(tokens: list[_Token], start: int, budget: int,
         reopen: list[tuple[str, str]]) -> tuple[int, list[tuple[str, str]]]:
    """Where the message starting at `start` ends, and the tags still open there.

    Candidates are the ends of text tokens (not before a continuing mark, not after a joiner), ranked
    paragraph 3 > line 2 > space 1 > anywhere 0; the best rank in the message's second half wins."""
    stack = list(reopen)
    size, index = 0, start
    best: dict[int, tuple[int, list[tuple[str, str]]]] = {}  # rank -> latest candidate in the second half
    latest: tuple[int, list[tuple[str, str]]] | None = None
    while index < len(tokens):
        token = tokens[index]
        if token.kind == "text" and size + token.size > budget:
            break
        size += token.size
        if token.kind == "open":
            stack.append((token.name, token.raw))
        elif token.kind == "close" and stack and stack[-1][0] == token.name:
            stack.pop()
        index += 1
        after = tokens[index] if index < len(tokens) else None
        if token.kind != "text" or token.raw == "\u200d" or (
                after is not None and after.kind == "text" and _CONTINUING.match(after.raw)):
            continue
        rank = {"\n": 2, " ": 1}.get(token.raw, 0)
        if rank == 2 and index - 2 >= start and tokens[index - 2].raw == "\n":
            rank = 3
        latest = (index, list(stack))
        if 2 * size >= budget:
            best[rank] = latest
    else:
        return len(tokens), stack
    for rank in (3, 2, 1, 0):
        if rank in best:
            return best[rank]
    if latest is not None:
        return latest
    return max(index, start + 1), stack  # nothing fits (a budget below one character): one token
