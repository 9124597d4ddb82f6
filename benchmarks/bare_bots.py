"""The two yardsticks of benchmarks/e2e.py: PTB bots with no database and no logic of ours.

* "echo": one reply per message — the framework's own limit on this machine;
* "flow": exactly the Bot API calls of the feedback flow — a reply with buttons to each message,
  answerCallbackQuery and a reply to each press, and after the last one a card to a group: 14 calls for
  the 8 updates of a flow, as ours. From the echo bot to it is what the flow's extra calls cost; from it
  to our bot, what our own code (database, handlers, rate limiter) costs.

Built in the benchmark's process (`--one-process`) or run in a process of their own, as our bot is:

    TELEGRAM_BOT_TOKEN=… HOPTHU_PROOF_BASE_URL=… python -m benchmarks.bare_bots echo|flow [httpx|aiohttp]

prints READY once polling, serves until SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, MessageHandler, TypeHandler, filters

from bot.app import settle_heap
from bot.transport import AiohttpRequest
from tests.test_proof_support import FastCitizen, Intent

KINDS = ("echo", "flow")
TRANSPORTS = ("httpx", "aiohttp")
FLOW_GROUP = -100_999_000_001
"""The group the bare flow bot sends its cards to; the benchmark registers it with the emulator."""
ECHO_POLL_INTERVAL = 0.0
"""PTB's default: the echo bot already gets its updates in batches (bot.app.POLL_INTERVAL says why ours
waits 10 ms); measured no faster with the pause."""


def build(kind: str, token: str, base_url: str, transport: str = "httpx") -> Application:  # type: ignore[type-arg]
    """PTB as it comes: same concurrency as ours, no database, no rate limiter; its own HTTP client
    (httpx), or with `transport="aiohttp"` ours (bot/transport.py), to see what that alone changes."""
    builder = ApplicationBuilder().token(token).base_url(base_url).concurrent_updates(64)
    if transport == "aiohttp":
        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest(pool_size=1))
    elif transport != "httpx":
        raise ValueError(f"unknown transport {transport!r}; one of {TRANSPORTS}")
    app = builder.build()
    if kind == "echo":
        app.add_handler(MessageHandler(filters.TEXT, _echo))
    elif kind == "flow":
        app.add_handler(TypeHandler(Update, _FlowSteps()))
    else:
        raise ValueError(f"unknown bare bot {kind!r}; one of {KINDS}")
    return app


async def start(app: Application) -> None:  # type: ignore[type-arg]
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=ECHO_POLL_INTERVAL, timeout=1)


async def stop(app: Application) -> None:  # type: ignore[type-arg]
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


async def _echo(update: Any, context: Any) -> None:
    await update.effective_message.reply_text(update.effective_message.text)


class _FlowSteps:
    """Each citizen's step counter; the reply is the prompt FastCitizen waits for at that step."""

    LABELS = (Intent("").kind, Intent("").topic, "Xong", "Gửi ẩn danh", "📨 Gửi")

    def __init__(self) -> None:
        self.steps: dict[int, int] = {}
        self.keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=str(i))]
                                              for i, label in enumerate(self.LABELS)])

    async def __call__(self, update: Update, context: Any) -> None:
        assert update.effective_user is not None and update.effective_chat is not None
        user = update.effective_user.id
        text = update.effective_message.text if update.effective_message else None
        done = 0 if text == "/gopy" else self.steps.get(user, 0)
        self.steps[user] = done + 1
        if update.callback_query is not None:
            await update.callback_query.answer()
        reply = FastCitizen.STEPS[done]
        if done == len(FastCitizen.STEPS) - 1:
            reply += ": GY-BARE01"
            await context.bot.send_message(FLOW_GROUP, f"Thẻ góp ý {user}")
        await update.effective_chat.send_message(reply, reply_markup=self.keyboard)


async def _serve(kind: str, transport: str) -> None:
    """The child side: as tests.test_proof_support serves our bot, READY once polling, until SIGTERM."""
    app = build(kind, os.environ["TELEGRAM_BOT_TOKEN"], os.environ["HOPTHU_PROOF_BASE_URL"], transport)
    halt = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, halt.set)
    await start(app)
    settle_heap()  # as our bot's process does
    print("READY", flush=True)
    await halt.wait()
    await stop(app)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    asyncio.run(_serve(arguments[0] if arguments else "", arguments[1] if len(arguments) > 1 else "httpx"))
