"""Local Telegram Bot API emulator: the real PTB Application talks to it over HTTP on 127.0.0.1.

Used by end-to-end tests, `hopthu demo` and benchmarks; see docs/ARCHITECTURE.md ("Emulator").

    async with BotApiEmulator() as emu:
        app = ApplicationBuilder().token(emu.token).base_url(emu.base_url).base_file_url(emu.base_file_url).build()
        ...  # add handlers, start polling (or webhook)
        lan = emu.user(1001, "Lan", "Nguyễn")
        await emu.send_text(lan, "/start")
        menu = await emu.wait_for_message(lan, contains="Chào")
        query_id = await emu.click_button(lan, None, menu["message_id"], "Góp ý")
        emu.inject("429", "sendMessage", retry_after=1)   # the next sendMessage is refused once

Messages are Bot API dicts as a client would receive them (HTML already parsed into text + entities).
"""

from tgemulator.faults import FaultInjector, FaultKind, FaultRule
from tgemulator.markup import EntityParseError, FormattedText, parse_formatted
from tgemulator.objects import ApiError, Chat, ChatEvent, RecordedCall, SentFile, StoredMessage, User, tiny_png
from tgemulator.ratelimit import RateLimitChecker, RateLimits, Violation
from tgemulator.render import DEFAULT_LABELS, render_message
from tgemulator.server import BotApiEmulator

__all__ = [
    "DEFAULT_LABELS",
    "ApiError",
    "BotApiEmulator",
    "Chat",
    "ChatEvent",
    "EntityParseError",
    "FaultInjector",
    "FaultKind",
    "FaultRule",
    "FormattedText",
    "RateLimitChecker",
    "RateLimits",
    "RecordedCall",
    "SentFile",
    "StoredMessage",
    "User",
    "Violation",
    "parse_formatted",
    "render_message",
    "tiny_png",
]
