"""Reading Bot API parameters the way the real server accepts them.

PTB (HTTPXRequest) sends form fields: strings as they are, everything else JSON-encoded, and switches to
multipart/form-data when a file is uploaded. Other clients send a JSON body or a query string. The server
receives only strings from forms, so it knows by the parameter's name how to read it; we do the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tgemulator.objects import bad_request

__all__ = ["UploadPart", "coerce_params", "describe_params", "read_params"]

_INT_PARAMS = frozenset(
    {
        "chat_id", "from_chat_id", "message_id", "user_id", "offset", "limit", "timeout",
        "reply_to_message_id", "cache_time", "max_connections", "duration", "width", "height",
        "message_thread_id", "until_date", "live_period", "heading", "proximity_alert_radius",
        "direct_messages_topic_id",
    }
)  # fmt: skip
_FLOAT_PARAMS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_BOOL_PARAMS = frozenset(
    {
        "disable_notification", "protect_content", "show_alert", "drop_pending_updates", "is_personal",
        "allow_sending_without_reply", "disable_web_page_preview", "has_spoiler", "allow_paid_broadcast",
        "disable_content_type_detection", "show_caption_above_media", "revoke_messages", "only_if_banned",
        "supports_streaming", "is_big",
    }
)  # fmt: skip
_JSON_PARAMS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "reply_parameters", "link_preview_options",
        "allowed_updates", "commands", "scope", "results", "media", "button", "message_ids", "reaction",
        "menu_button", "rights", "suggested_post_parameters",
    }
)  # fmt: skip


@dataclass
class UploadPart:
    """A file part of a multipart request."""

    filename: str | None
    data: bytes
    content_type: str | None


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            what = "reply keyboard markup" if name == "reply_markup" else name
            raise bad_request(f"can't parse {what} JSON object") from None
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value  # "@channelusername" for chat_id; handlers report what is wrong
    if name in _FLOAT_PARAMS:
        try:
            return float(value)
        except ValueError:
            return value
    if name in _BOOL_PARAMS:
        return value.lower() in ("true", "1")
    return value


def coerce_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Typed parameters from strings, by parameter name; raises ApiError 400 on malformed JSON."""
    return {name: _coerce(name, value) for name, value in raw.items()}


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadPart]]:
    """Query string, then JSON / urlencoded / multipart body; file parts are returned apart."""
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, UploadPart] = {}
    if request.method == "POST" and request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            raw.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = UploadPart(value.filename, value.file.read(), value.content_type)
                else:
                    raw[name] = value
    return coerce_params(raw), files


def describe_params(params: dict[str, Any], files: dict[str, UploadPart]) -> dict[str, Any]:
    """What is recorded for a call: the parameters, with uploaded files summarised (not their bytes)."""
    described = dict(params)
    for name, part in files.items():
        described[name] = {"filename": part.filename, "size": len(part.data), "content_type": part.content_type}
    return described
