"""Callback data: short, typed, and parsed defensively.

Telegram gives us back whatever string a client sends, so every button press is parsed here into a
known shape or rejected; handlers then re-check ownership against the database (a well-formed but
forged payload is refused there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64
_SAFE = re.compile(r"^[a-z0-9_:-]{1,64}$")

# Prefixes: one letter per area so payloads stay far under Telegram's 64-byte limit.
MENU = "m"        # m:<action>
FLOW = "g"        # g:<step>[:<arg>]           the feedback flow
OFFER = "o"       # o:yes|no                   free text offered as feedback
COMMITTEE = "c"   # c:<action>:<submission>[:<arg>]
CITIZEN = "p"     # p:<action>:<submission>[:<arg>]   reply / rate from a notification
DELETE = "x"      # x:yes|no                   /xoadulieu confirmation
QUESTION = "q"    # q:<action>:<arg>...        questions, browsing, votes (bot.handlers.questions)


@dataclass(frozen=True)
class Callback:
    prefix: str
    action: str
    args: tuple[str, ...]

    def int_arg(self, index: int) -> int | None:
        try:
            value = int(self.args[index])
        except (IndexError, ValueError):
            return None
        return value if value >= 0 else None

    def arg(self, index: int) -> str | None:
        return self.args[index] if index < len(self.args) else None


def make(prefix: str, action: str, *args: object) -> str:
    data = ":".join([prefix, action, *(str(a) for a in args)])
    if len(data.encode()) > MAX_CALLBACK_BYTES or not _SAFE.match(data):
        raise ValueError(f"callback data not allowed: {data!r}")
    return data


def submission_in_buttons(markup: object, prefix: str, action: str | None = None) -> int | None:
    """The submission id a message's own buttons act on (e.g. the card's `c:ack:<id>`), or None.

    Lets a reply to that message be threaded even before its message id was recorded."""
    for row in getattr(markup, "inline_keyboard", None) or ():
        for button in row:
            data = parse(getattr(button, "callback_data", None))
            if data is not None and data.prefix == prefix and (action is None or data.action == action):
                sid = data.int_arg(0)
                if sid is not None:
                    return sid
    return None


def parse(data: str | None) -> Callback | None:
    """None for anything that is not a payload this bot could have produced."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES or not _SAFE.match(data):
        return None
    parts = data.split(":")
    if len(parts) < 2 or not parts[1]:
        return None
    return Callback(parts[0], parts[1], tuple(parts[2:]))
