"""The table of Bot API methods the emulator answers, and the checks several method groups share.

Each method module registers its handlers with `@api("name")`; the server looks a request's method up in
API_METHODS and calls the attribute of that name on the one emulator object.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tgemulator.markup import (
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    EntityParseError,
    FormattedText,
    parse_formatted,
)
from tgemulator.objects import bad_request

__all__ = ["API_METHODS", "LOCAL_HOSTS", "SENDING_METHODS", "api", "format_text"]

# lower-cased name -> (canonical name, attribute)
API_METHODS: dict[str, tuple[str, str]] = {}
# Methods that put messages into a chat: what Telegram's sending limits count.
SENDING_METHODS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendVoice", "sendAudio", "sendVideo", "sendAnimation",
        "sendSticker", "sendLocation", "sendContact", "sendMediaGroup", "copyMessage", "forwardMessage",
    }
)  # fmt: skip
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def api(name: str) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """Register a handler under its Bot API name (Telegram matches method names case-insensitively)."""

    def register(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        API_METHODS[name.lower()] = (name, fn.__name__)
        return fn

    return register


def format_text(text: Any, parse_mode: Any, entities: Any, *, caption: bool = False) -> FormattedText:
    """Text or caption as Telegram stores it; Telegram's refusal when it cannot be parsed or is too long."""
    try:
        result = parse_formatted(str(text), parse_mode, entities if isinstance(entities, list) else None)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
    if len(result.text) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return result
