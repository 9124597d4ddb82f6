"""Plain-text rendering of a message and its keyboards, for `hopthu demo` and for test failure output."""

from __future__ import annotations

import datetime as dtm
from collections.abc import Mapping
from typing import Any

__all__ = ["DEFAULT_LABELS", "render_message"]

# Markers for non-text content; `hopthu demo` may pass Vietnamese ones from bot/texts.
DEFAULT_LABELS: Mapping[str, str] = {
    "photo": "🖼 photo",
    "document": "📄",
    "voice": "🎤 voice",
    "audio": "🎵 audio",
    "video": "🎬 video",
    "animation": "🎞 animation",
    "sticker": "sticker",
    "location": "📍",
    "contact": "👤",
    "forwarded": "↪ forwarded from",
    "reply": "↩ reply to",
    "edited": "(edited)",
}


def _button(button: Mapping[str, Any]) -> str:
    text = str(button.get("text", ""))
    if "url" in button:
        text += " ↗"
    elif "switch_inline_query" in button or "switch_inline_query_current_chat" in button:
        text += " @"
    elif button.get("request_contact"):
        text += " ☎"
    elif button.get("request_location"):
        text += " 📍"
    return f"[ {text} ]"


def _keyboard(rows: list[list[Any]]) -> list[str]:
    lines = []
    for row in rows:
        buttons = [_button(b if isinstance(b, Mapping) else {"text": b}) for b in row]
        lines.append(" ".join(buttons))
    return lines


def _origin(origin: Mapping[str, Any]) -> str:
    kind = origin.get("type")
    if kind == "user":
        user = origin.get("sender_user", {})
        return " ".join(x for x in (user.get("first_name"), user.get("last_name")) if x)
    if kind == "hidden_user":
        return str(origin.get("sender_user_name", ""))
    chat = origin.get("chat") or origin.get("sender_chat") or {}
    return str(chat.get("title", kind))


def render_message(
    msg: Mapping[str, Any],
    *,
    reply_keyboard: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] = DEFAULT_LABELS,
    show_header: bool = True,
) -> str:
    """Render one Bot API message dict as terminal text: header, content, inline keyboard rows.

    `reply_keyboard` is the chat's current reply keyboard (see BotApiEmulator.reply_keyboard), shown
    under the message with a ⌨ marker because Telegram shows it in place of the phone's keyboard.
    """
    lines: list[str] = []
    if show_header:
        sender = msg.get("from", {})
        who = "🤖 " + sender.get("first_name", "bot") if sender.get("is_bot") else sender.get("first_name", "?")
        when = dtm.datetime.fromtimestamp(int(msg.get("date", 0))).strftime("%H:%M")
        header = f"{who} · {when} · #{msg.get('message_id')}"
        if msg.get("edit_date"):
            header += f" {labels['edited']}"
        lines.append(header)
    if "forward_origin" in msg:
        lines.append(f"{labels['forwarded']} {_origin(msg['forward_origin'])}")
    if "reply_to_message" in msg:
        replied = msg["reply_to_message"]
        quoted = (replied.get("text") or replied.get("caption") or "").splitlines()
        lines.append(f"{labels['reply']} #{replied.get('message_id')}: {quoted[0] if quoted else ''}")
    if "photo" in msg:
        biggest = msg["photo"][-1]
        lines.append(f"{labels['photo']} {biggest.get('width')}x{biggest.get('height')}")
    if "document" in msg:
        doc = msg["document"]
        lines.append(f"{labels['document']} {doc.get('file_name', 'file')} ({doc.get('file_size', 0)} B)")
    for kind in ("voice", "audio", "video", "animation"):
        if kind in msg:
            lines.append(f"{labels[kind]} {msg[kind].get('duration', 0)}s")
    if "sticker" in msg:
        lines.append(f"{labels['sticker']} {msg['sticker'].get('emoji', '')}")
    if "location" in msg:
        loc = msg["location"]
        lines.append(f"{labels['location']} {loc.get('latitude')}, {loc.get('longitude')}")
    if "contact" in msg:
        contact = msg["contact"]
        lines.append(f"{labels['contact']} {contact.get('first_name', '')} {contact.get('phone_number', '')}")
    body = msg.get("text") if "text" in msg else msg.get("caption")
    if body:
        lines.append(str(body))
    markup = msg.get("reply_markup") or {}
    lines.extend(_keyboard(markup.get("inline_keyboard", [])))
    if reply_keyboard and reply_keyboard.get("keyboard"):
        lines.extend(f"⌨ {row}" for row in _keyboard(reply_keyboard["keyboard"]))
    return "\n".join(lines)
