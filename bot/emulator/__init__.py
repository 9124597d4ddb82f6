"""Local Telegram Bot API emulator: the real PTB Application talks to it over HTTP on 127.0.0.1.

Used by end-to-end tests, `hopthu demo` and benchmarks; see docs/ARCHITECTURE.md ("Emulator").
"""

from bot.emulator.faults import FaultInjector, FaultKind, FaultRule
from bot.emulator.markup import EntityParseError, FormattedText, parse_formatted
from bot.emulator.objects import ApiError, Chat, ChatEvent, RecordedCall, SentFile, StoredMessage, User, tiny_png
from bot.emulator.ratelimit import RateLimitChecker, RateLimits, Violation
from bot.emulator.render import DEFAULT_LABELS, render_message
from bot.emulator.server import BotApiEmulator

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
