"""Telegram's parse modes, parsed the way the real server does (after tdlib's MessageEntity.cpp).

The emulator turns a formatted text into the plain text and entities a client would see, and refuses
what Telegram refuses with the same wording, so escaping bugs in the bot fail in tests, not in production.
Offsets are in UTF-16 code units like the Bot API's; error positions are UTF-8 byte offsets like tdlib's.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_CAPTION_LENGTH",
    "MAX_TEXT_LENGTH",
    "EntityParseError",
    "FormattedText",
    "parse_formatted",
    "utf16_len",
]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

_HTML_TAGS = {
    "a": "text_link",
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
# The only named entities Telegram decodes; any other "&name;" stays literal text.
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_SPECIAL = re.compile(r"[<&]")
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_TYPES = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


class EntityParseError(ValueError):
    """The text does not parse in its parse mode; str(self) is tdlib's reason (without the prefix)."""


@dataclass
class FormattedText:
    """Plain text plus Bot API entity dicts, as a Telegram client receives a message."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of every Bot API entity offset."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def parse_formatted(text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None) -> FormattedText:
    """Parse `text` in `parse_mode` ("HTML", "MarkdownV2", "Markdown" or None) and trim it like Telegram.

    Raises EntityParseError with Telegram's reason for a text the real server refuses.
    """
    mode = (parse_mode or "").lower()
    if mode == "html":
        result = _parse_html(text)
    elif mode == "markdownv2":
        result = _parse_markdown_v2(text)
    elif mode == "markdown":
        result = _parse_markdown_legacy(text)
    elif mode == "":
        result = FormattedText(text, [dict(e) for e in entities or []])
    else:
        raise EntityParseError(f'Unsupported parse_mode "{parse_mode}"')
    return _trim(result)


def _trim(result: FormattedText) -> FormattedText:
    """Telegram strips leading and trailing whitespace and shifts the entities accordingly."""
    stripped = result.text.strip()
    if stripped == result.text:
        return result
    lead = utf16_len(result.text[: len(result.text) - len(result.text.lstrip())])
    total = utf16_len(stripped)
    entities = []
    for entity in result.entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)


class _Builder:
    """Accumulates plain text and tracks the UTF-16 position for entity offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.pos += utf16_len(chunk)

    def entity(self, type_: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append({"type": type_, "offset": start, "length": self.pos - start, **extra})

    def result(self) -> FormattedText:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return FormattedText("".join(self.parts), self.entities)


def _decode_html_entity(text: str, i: int) -> tuple[str, int] | None:
    """Decode "&lt;", "&#60;", "&#x3C;" ... at text[i]; None leaves "&" as a literal, like tdlib."""
    end = text.find(";", i + 1, i + 12)
    if end == -1:
        return None
    name = text[i + 1 : end]
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name], end + 1
    try:
        if name.startswith(("#x", "#X")):
            return chr(int(name[2:], 16)), end + 1
        if name.startswith("#"):
            return chr(int(name[1:])), end + 1
    except (ValueError, OverflowError):
        return None
    return None


@dataclass
class _OpenTag:
    tag: str
    start: int
    attrs: dict[str, str]


def _parse_html(text: str) -> FormattedText:
    out = _Builder()
    stack: list[_OpenTag] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_html_entity(text, i)
            if decoded is not None:
                out.add(decoded[0])
                i = decoded[1]
                continue
        if ch != "<":
            special = _HTML_SPECIAL.search(text, i + 1)  # plain text runs to the next tag or entity
            end = special.start() if special else n
            out.add(text[i:end])
            i = end
            continue
        begin = i
        if i + 1 >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i + 1] != "/":
            i += 1
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}')
            attrs, i = _parse_html_attributes(text, i, tag, begin)
            if tag == "span" and attrs.get("class") != "tg-spoiler":
                raise EntityParseError('Tag "span" must have class "tg-spoiler"')
            stack.append(_OpenTag(tag, out.pos, attrs))
            continue
        if not stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
        i += 2
        name_start = i
        while i < n and not text[i].isspace() and text[i] != ">":
            i += 1
        end_tag = text[name_start:i].lower()
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
        i += 1
        top = stack[-1]
        if end_tag and end_tag != top.tag:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                f'expected "</{top.tag}>", found "</{end_tag}>"'
            )
        stack.pop()
        _close_html_entity(out, top, stack)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return out.result()


def _parse_html_attributes(text: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Read `name="value"` pairs up to ">"; unknown attributes are ignored like Telegram does."""
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] == ">":
            return attrs, i + 1
        name_start = i
        while i < n and not text[i].isspace() and text[i] not in "=>":
            i += 1
        name = text[name_start:i].lower()
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != "=":
            if i < n and text[i] == ">" and name in ("expandable",):
                attrs[name] = ""
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {_byte_offset(text, begin)}"
            )
        i += 1
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] in "'\"":
            quote = text[i]
            end = text.find(quote, i + 1)
            if end == -1:
                raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            raw = text[i + 1 : end]
            i = end + 1
        else:
            value_start = i
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            raw = text[value_start:i]
        attrs[name] = html.unescape(raw)


def _close_html_entity(out: _Builder, top: _OpenTag, stack: list[_OpenTag]) -> None:
    type_ = _HTML_TAGS[top.tag]
    if top.tag == "a":
        href = top.attrs.get("href", "")
        match = re.fullmatch(r"tg://user\?id=(\d+)", href)
        if match:
            out.entity("text_mention", top.start, user={"id": int(match.group(1)), "is_bot": False, "first_name": ""})
        elif href:
            out.entity("text_link", top.start, url=href)
        return
    if top.tag == "code" and stack and stack[-1].tag == "pre":
        language = top.attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].attrs["language"] = language[len("language-") :]
            return
    if top.tag == "pre" and top.attrs.get("language"):
        out.entity("pre", top.start, language=top.attrs["language"])
        return
    if top.tag == "blockquote" and "expandable" in top.attrs:
        out.entity("expandable_blockquote", top.start)
        return
    if top.tag == "tg-emoji":
        out.entity("custom_emoji", top.start, custom_emoji_id=top.attrs.get("emoji-id", ""))
        return
    out.entity(type_, top.start)


@dataclass
class _MdOpen:
    marker: str
    type_: str
    start: int
    byte_offset: int


def _parse_markdown_v2(text: str) -> FormattedText:
    out = _Builder()
    stack: list[_MdOpen] = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            at_line_start = False
            continue
        if ch not in _MDV2_RESERVED:
            out.add(ch)
            at_line_start = ch == "\n"
            i += 1
            continue
        begin = i
        if ch == ">" and at_line_start:
            # blockquote line: accepted, the quote entity itself is not tracked
            i += 1
            at_line_start = False
            continue
        at_line_start = False
        if ch == "`":
            i = _md_code(text, i, out)
            continue
        if ch == "[":
            stack.append(_MdOpen("[", "text_link", out.pos, _byte_offset(text, begin)))
            i += 1
            continue
        if ch == "]" and stack and stack[-1].marker == "[":
            top = stack.pop()
            if i + 1 >= n or text[i + 1] != "(":
                # "[text]" without a URL is kept as plain text by Telegram
                i += 1
                continue
            end = i + 2
            url_chars: list[str] = []
            while end < n and text[end] != ")":
                if text[end] == "\\" and end + 1 < n:
                    url_chars.append(text[end + 1])
                    end += 2
                    continue
                url_chars.append(text[end])
                end += 1
            if end >= n:
                raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(text, i + 1)}")
            out.entity("text_link", top.start, url="".join(url_chars))
            i = end + 1
            continue
        marker = ch
        if ch == "_" and text.startswith("__", i):
            marker = "__"
        elif ch == "|":
            if not text.startswith("||", i):
                raise EntityParseError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")
            marker = "||"
        if marker in _MDV2_TYPES:
            if stack and stack[-1].marker == marker:
                top = stack.pop()
                out.entity(top.type_, top.start)
            elif any(o.marker == marker for o in stack):
                top = stack[-1]
                raise EntityParseError(
                    f"Can't find end of {_MDV2_NAMES[top.type_]} entity at byte offset {top.byte_offset}"
                )
            else:
                stack.append(_MdOpen(marker, _MDV2_TYPES[marker], out.pos, _byte_offset(text, begin)))
            i += len(marker)
            continue
        raise EntityParseError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")
    if stack:
        top = stack[-1]
        raise EntityParseError(f"Can't find end of {_MDV2_NAMES[top.type_]} entity at byte offset {top.byte_offset}")
    return out.result()


def _md_code(text: str, i: int, out: _Builder) -> int:
    """Inline code or a ``` block: only "`" and "\\" are special inside."""
    n = len(text)
    begin = i
    is_pre = text.startswith("```", i)
    i += 3 if is_pre else 1
    language = ""
    if is_pre:
        line_end = text.find("\n", i)
        if line_end != -1 and re.fullmatch(r"[\w+#-]*", text[i:line_end]):
            language = text[i:line_end]
            i = line_end + 1
    start = out.pos
    closing = "```" if is_pre else "`"
    while i < n:
        if text[i] == "\\" and i + 1 < n:
            out.add(text[i + 1])
            i += 2
            continue
        if text.startswith(closing, i):
            if language:
                out.entity("pre", start, language=language)
            else:
                out.entity("pre" if is_pre else "code", start)
            return i + len(closing)
        out.add(text[i])
        i += 1
    kind = "Pre" if is_pre else "Code"
    raise EntityParseError(f"Can't find end of {kind} entity at byte offset {_byte_offset(text, begin)}")


def _parse_markdown_legacy(text: str) -> FormattedText:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting, no escaping rules."""
    out = _Builder()
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if ch in "*_`[":
            begin = i
            if ch == "`" and text.startswith("```", i):
                end = text.find("```", i + 3)
                if end == -1:
                    raise EntityParseError(
                        f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
                    )
                start = out.pos
                out.add(text[i + 3 : end])
                out.entity("pre", start)
                i = end + 3
                continue
            closing = "]" if ch == "[" else ch
            end = text.find(closing, i + 1)
            if end == -1:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
                )
            start = out.pos
            out.add(text[i + 1 : end])
            if ch == "[":
                if end + 1 < n and text[end + 1] == "(":
                    url_end = text.find(")", end + 2)
                    if url_end != -1:
                        out.entity("text_link", start, url=text[end + 2 : url_end])
                        i = url_end + 1
                        continue
                i = end + 1
                continue
            out.entity({"*": "bold", "_": "italic", "`": "code"}[ch], start)
            i = end + 1
            continue
        out.add(ch)
        i += 1
    return out.result()
