"""Chat latency of questions: from a question message arriving at the Bot API emulator to the bot's
answer being sent to it, for the real bot and for a bare echo bot on the same emulator, in one run.

    python benchmarks/chat_latency.py [--questions 500] [--seed 5] [--warmup 20]

Both bots are real python-telegram-bot Applications long-polling the local emulator over HTTP, so the
ratio isolates what answering costs on top of PTB and the transport: the draft look-up, the search,
the question/feedback decision, the question log (SQLite in a temporary file, the default deployment)
and building the answer and its buttons. Questions are sent as free text, one at a time, each by one
of a few citizens, drawn with replacement from tests/data/questions.yaml (answerable and not). The
clock starts just before the emulator queues the update and stops when the emulator stores the bot's
first message in that chat (the answer, or its first part).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.app import build_application, install_token_redaction, start_bot, stop_bot  # noqa: E402
from bot.texts import citizen as TCit  # noqa: E402
from knowledge.loader import load_knowledge_base  # noqa: E402
from knowledge.search import SearchIndex  # noqa: E402
from storage import Store  # noqa: E402
from tests.bot_fixtures import harness_config  # noqa: E402
from tgemulator import BotApiEmulator, ChatEvent, User  # noqa: E402

QUESTIONS = ROOT / "tests" / "data" / "questions.yaml"
TOKEN = "123456789:BENCHMARK-token_abcdefghijklmnopqrs"
CITIZENS = 8


class FirstReply:
    """Times the first bot message in a chat after `expect(chat)`; fed by the emulator's listener."""

    def __init__(self) -> None:
        self._waiting: dict[int, asyncio.Future[tuple[float, dict[str, Any]]]] = {}

    def expect(self, chat_id: int) -> asyncio.Future[tuple[float, dict[str, Any]]]:
        future: asyncio.Future[tuple[float, dict[str, Any]]] = asyncio.get_running_loop().create_future()
        self._waiting[chat_id] = future
        return future

    def __call__(self, event: ChatEvent) -> None:
        if event.kind != "new" or not event.from_bot:
            return
        future = self._waiting.pop(event.chat_id, None)
        if future is not None and not future.done():
            future.set_result((time.perf_counter(), event.message))


async def measure(emulator: BotApiEmulator, watcher: FirstReply, users: list[User], texts: list[str],
                  ) -> tuple[list[float], list[dict[str, Any]]]:
    """Send each text (round-robin over users), wait for the first reply; latencies in ms."""
    latencies: list[float] = []
    replies: list[dict[str, Any]] = []
    for i, text in enumerate(texts):
        user = users[i % len(users)]
        future = watcher.expect(user.id)
        started = time.perf_counter()
        await emulator.send_text(user, None, text)
        finished, message = await asyncio.wait_for(future, timeout=30)
        latencies.append((finished - started) * 1000.0)
        replies.append(message)
        await emulator.wait_idle(quiet=0.0)  # the rest of a split answer, before the next question
    return latencies, replies


def echo_application(emulator: BotApiEmulator) -> Application:  # type: ignore[type-arg]
    """The baseline: a minimal PTB Application with one MessageHandler that echoes the text."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        await message.reply_text(message.text)

    app = (ApplicationBuilder().token(emulator.token).base_url(emulator.base_url)
           .base_file_url(emulator.base_file_url).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100.0 * (len(ordered) - 1))))
    return ordered[index]


def row(name: str, values: list[float]) -> str:
    return (f"{name:<22}{percentile(values, 50):>9.2f}{percentile(values, 90):>9.2f}"
            f"{percentile(values, 99):>9.2f}{statistics.fmean(values):>9.2f}")


async def run_phase(emulator: BotApiEmulator, app: Application, watcher: FirstReply,  # type: ignore[type-arg]
                    users: list[User], warmup: list[str], texts: list[str],
                    start: Callable[[Application], Awaitable[None]],  # type: ignore[type-arg]
                    ) -> tuple[list[float], list[dict[str, Any]]]:
    await start(app)
    try:
        await measure(emulator, watcher, users, warmup)
        return await measure(emulator, watcher, users, texts)
    finally:
        await stop_bot(app)


async def main(count: int, seed: int, warmup_count: int) -> None:
    labelled = yaml.safe_load(QUESTIONS.read_text("utf-8"))["questions"]
    rng = random.Random(seed)
    texts = [rng.choice(labelled)["q"] for _ in range(count)]
    warmup = [rng.choice(labelled)["q"] for _ in range(warmup_count)]
    kb = load_knowledge_base()
    index = SearchIndex(kb)
    install_token_redaction(TOKEN)

    emulator = BotApiEmulator(token=TOKEN)
    await emulator.start()
    watcher = FirstReply()
    emulator.add_listener(watcher)
    try:
        async def start_polling(app: Application) -> None:  # type: ignore[type-arg]
            await start_bot(app, poll_timeout=10)

        echo_users = [emulator.user(9000 + i, f"Echo {i}") for i in range(CITIZENS)]
        echo_ms, _ = await run_phase(emulator, echo_application(emulator), watcher, echo_users, warmup, texts,
                                     start_polling)

        with tempfile.TemporaryDirectory() as tmp:
            store = Store(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}")
            await store.open()
            try:
                config = harness_config()
                app = build_application(config, store, kb, index, token=emulator.token,
                                        base_url=emulator.base_url, base_file_url=emulator.base_file_url)
                bot_users = [emulator.user(8000 + i, f"Dân {i}") for i in range(CITIZENS)]
                bot_ms, replies = await run_phase(emulator, app, watcher, bot_users, warmup, texts, start_polling)
            finally:
                await store.close()
    finally:
        await emulator.stop()

    offered = sum(1 for m in replies if m.get("text") == TCit.FREE_TEXT_OFFER)
    unsure = sum(1 for m in replies if "chưa chắc" in (m.get("text") or ""))
    answered = len(replies) - offered - unsure
    print("Chat latency: question message queued at the emulator -> bot's first answer message stored there")
    print(f"{count} questions drawn (seed {seed}) from {QUESTIONS.relative_to(ROOT)}, sent as free text one at a "
          f"time by {CITIZENS} citizens; {warmup_count} warm-up messages first; long polling over HTTP; "
          "SQLite in a temporary file")
    print(f"{'':<22}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'mean ms':>9}")
    print(row("bare echo handler", echo_ms))
    print(row("questions bot", bot_ms))
    print(f"{'ratio (bot / echo)':<22}{percentile(bot_ms, 50) / percentile(echo_ms, 50):>9.2f}"
          f"{percentile(bot_ms, 90) / percentile(echo_ms, 90):>9.2f}"
          f"{percentile(bot_ms, 99) / percentile(echo_ms, 99):>9.2f}"
          f"{statistics.fmean(bot_ms) / statistics.fmean(echo_ms):>9.2f}")
    print(f"replies: {answered} answers, {unsure} 'not sure', {offered} offered as feedback")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=20)
    options = parser.parse_args()
    asyncio.run(main(options.questions, options.seed, options.warmup))
