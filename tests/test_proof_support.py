"""Shared tools of the proof suite (tests/test_proof_*.py); this module holds no tests.

* `Ledger`: what was stored and what the committees and citizens actually received (counted in the
  emulator's chats, i.e. what people would see), so a test can assert "zero lost, zero duplicated".
* `ResilientCitizen` / `ack_until_done`: people who, like real ones, try again when the bot did not
  answer (a fault ate the reply): the only way to run the whole flow with faults on every request.
* `ErrorWatch`: every log record at ERROR (the application's error handler logs there), to assert
  that no exception escaped.
* `BotProcess`: the bot in a separate process (`python -m tests.test_proof_support`), so it can be
  killed with SIGKILL — a real crash, not a graceful stop.
* `fresh_database`: a new SQLite file or PostgreSQL database per test (PostgreSQL tests terminate
  connections and lock the database, so they must not share one).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import re
import signal
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from telegram.ext import Application

from bot.config import Config
from bot.texts import citizen as TCit
from bot.texts import committee as TC
from bot.texts.common import INTERNAL_ERROR, KIND_LABELS
from bot.transport import AiohttpRequest, Timeouts
from storage import Store
from storage.models import metadata, submissions
from storage.statuses import Kind
from tests.bot_fixtures import shown, step
from tests.databases import PG_ENV, admin_sql, pg_server_url, throwaway_database
from tgemulator import BotApiEmulator, User

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"GY-[A-Z0-9]{6}")
# "Hạn tiếp nhận:", the deadlines line: only the committee's card has it
CARD_MARK = shown(next(line for line in TC.CARD.split("\n") if "{due_ack}" in line))
# "Ý kiến GY-XXXXXX của bạn: Đã tiếp nhận." (after its icon): the code and the status a citizen was told
_NOTICE = re.escape(shown(TCit.STATUS_CHANGED.removeprefix("{icon} "), code="\x00", status="\x01"))
STATUS_NOTICE = re.compile(_NOTICE.replace("\x00", "(GY-[A-Z0-9]{6})").replace("\x01\\.", "([^.\n]+)"))
# what the citizen reads at each step of /gopy
STEP_KIND, STEP_PLACE, STEP_TOPIC, STEP_TEXT, STEP_IDENTITY, STEP_CONFIRM = (
    step(TCit.ASK_KIND), step(TCit.ASK_PLACE), step(TCit.ASK_TOPIC), step(TCit.ASK_TEXT), step(TCit.ASK_IDENTITY),
    step(TCit.CONFIRM))
TEXT_RECEIVED, TEXT_APPENDED = shown(TCit.TEXT_RECEIVED), shown(TCit.TEXT_APPENDED)
PHOTO_RECEIVED = shown(TCit.ATTACHMENT_RECEIVED, what=TCit.ATTACHMENT_WHAT["photo"])
SENT = shown(TCit.SENT)
PROOF_WORKER = {"poll_seconds": 0.05, "base_backoff": 0.05, "max_backoff": 0.5, "lease_seconds": 3.0}

__all__ = [
    "CODE",
    "BotProcess",
    "ErrorWatch",
    "FastCitizen",
    "Ledger",
    "ResilientCitizen",
    "Switchboard",
    "ack_until_done",
    "card_of",
    "drain_outbox",
    "fresh_database",
    "short_client_timeouts",
    "snapshot_tables",
    "wait_until",
]


# ------------------------------------------------------------------------------------------ waiting

async def wait_until(predicate: Callable[[], Awaitable[Any]], timeout: float = 30.0,  # noqa: ASYNC109
                     what: str = "condition", interval: float = 0.05) -> Any:
    """Poll an async predicate (e.g. on the database) until it is truthy; never a timed assertion."""
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached within {timeout}s (last value {value!r})")
        await asyncio.sleep(interval)


async def drain_outbox(store: Store, timeout: float = 60.0) -> dict[str, int]:  # noqa: ASYNC109
    """Wait until no outbox row is pending any more; returns the final counts."""
    async def done() -> dict[str, int] | None:
        counts = await store.outbox_counts()
        return counts if counts.get("pending", 0) == 0 else None

    return await wait_until(done, timeout, "an empty outbox", interval=0.1)


def short_client_timeouts(app: Application, seconds: float = 1.0) -> None:  # type: ignore[type-arg]
    """The bot's HTTP client gives up after `seconds` (PTB's default is 5 s), so an injected timeout
    costs a test one second. Only the request object of ordinary calls is touched, not getUpdates'."""
    request = app.bot.request
    assert isinstance(request, AiohttpRequest)
    request.timeouts = Timeouts(read=seconds, write=seconds, connect=seconds, pool=seconds, media_write=seconds)


# ------------------------------------------------------------------------------------------ ledger

def _visible(message: dict[str, Any]) -> str:
    return str(message.get("text") or message.get("caption") or "")


def card_of(message: dict[str, Any]) -> str | None:
    """The tracking code if this group message is a committee card, else None."""
    text = _visible(message)
    if CARD_MARK not in text:
        return None
    found = CODE.search(text.split("\n", 1)[0])
    return found.group(0) if found else None


@dataclass
class Ledger:
    """Per tracking code: rows stored, cards in committee groups, attachment copies, notifications."""

    stored: Counter[str] = field(default_factory=Counter)
    stored_by_user: Counter[int] = field(default_factory=Counter)
    cards: Counter[tuple[str, int]] = field(default_factory=Counter)  # (code, group chat)
    attachments: Counter[str] = field(default_factory=Counter)  # (code, index/total) captions
    notifications: Counter[tuple[str, str]] = field(default_factory=Counter)  # (code, status label)
    texts: dict[str, str] = field(default_factory=dict)
    outbox: dict[str, int] = field(default_factory=dict)

    @classmethod
    async def collect(cls, emulator: BotApiEmulator, store: Store, config: Config,
                      citizens: list[User] | None = None) -> Ledger:
        ledger = cls()
        async with store.engine.connect() as conn:
            rows = (await conn.execute(sa.text(
                "SELECT s.code, s.text, c.user_id FROM submissions s LEFT JOIN citizens c ON c.id = s.citizen_id"
            ))).all()
        for code, text, user_id in rows:
            ledger.stored[code] += 1
            ledger.texts[code] = text
            if user_id is not None:
                ledger.stored_by_user[int(user_id)] += 1
        for committee in config.committees.values():
            for message in emulator.bot_messages(committee.chat_id):
                code = card_of(message)
                if code is not None:
                    ledger.cards[(code, committee.chat_id)] += 1
                caption = _visible(message)
                if caption.startswith(TC.ATTACHMENT_CAPTION.split("{")[0]) and "/" in caption:
                    found = CODE.search(caption)
                    if found:
                        ledger.attachments[caption.split("\n")[0]] += 1
        for user in citizens or []:
            for message in emulator.bot_messages(user.id):
                text = _visible(message)
                found = STATUS_NOTICE.search(text)
                if found:
                    ledger.notifications[(found.group(1), found.group(2).strip())] += 1
        ledger.outbox = await store.outbox_counts()
        return ledger

    def cards_per_code(self) -> Counter[str]:
        per: Counter[str] = Counter()
        for (code, _chat), n in self.cards.items():
            per[code] += n
        return per

    def summary(self, label: str, codes: list[str], faults: int) -> str:
        per = self.cards_per_code()
        lost_cards = [c for c in codes if per[c] == 0]
        dup_cards = [c for c in codes if per[c] > 1]
        dup_rows = [c for c, n in self.stored.items() if n > 1]
        return (f"[{label}] faults injected={faults} submissions stored={sum(self.stored.values())} "
                f"(codes={len(self.stored)}, duplicated={len(dup_rows)}) cards={sum(per.values())} "
                f"(lost={len(lost_cards)}, duplicated={len(dup_cards)}) "
                f"attachment copies={sum(self.attachments.values())} "
                f"notifications={sum(self.notifications.values())} outbox={self.outbox}")


def is_clean_text(text: str) -> bool:
    """Stored content must be NFC, without control, zero-width or bidi-control characters — but for the
    zero-width joiner inside an emoji sequence (👨‍👩‍👧), between two symbols."""
    if unicodedata.normalize("NFC", text) != text:
        return False
    for at, char in enumerate(text):
        if char in "\n\t":
            continue
        if unicodedata.category(char) == "Cc":
            return False
        if char == "\u200d" and 0 < at < len(text) - 1 and _emoji_side(text[at - 1]) and _emoji_side(text[at + 1]):
            continue
        if char in "\u061c\u200b\u200c\u200d\u200e\u200f\u2060\ufeff" or "\u202a" <= char <= "\u202e" \
                or "\u2066" <= char <= "\u2069":
            return False
    return True


def _emoji_side(char: str) -> bool:
    """A symbol, or what ends an emoji (VS16, a skin tone modifier)."""
    return char == "\ufe0f" or unicodedata.category(char) in ("So", "Sk")


# ------------------------------------------------------------------------------------------ people

@dataclass
class Intent:
    """What a simulated citizen wants to send."""

    text: str
    kind: str = KIND_LABELS[Kind.GOP_Y]
    place: str = "nong ha"
    topic: str = "Đất đai, quy hoạch, xây dựng"
    photo: bool = False


class ResilientCitizen:
    """Goes through /gopy like a person whose messages sometimes get no answer: when nothing comes
    back within `patience` seconds (or the bot apologises), they ask again — /gopy resumes the draft
    before "Gửi" was pressed, /trangthai checks whether it went through after. Acts only on the
    newest prompt, so a late duplicate prompt never makes them type the content twice; and a prompt for
    the step they typed an answer to a moment ago (the bot answering a /gopy they sent while it was down)
    is one they have already answered — they wait for the reply instead of typing it all again."""

    def __init__(self, emulator: BotApiEmulator, user: User, intent: Intent, *, patience: float = 2.5,
                 deadline: float = 90.0) -> None:
        self.emu = emulator
        self.user = user
        self.intent = intent
        self.patience = patience
        self.deadline = deadline
        self.pressed_send = False
        self.sent_photo = False
        self.nudges = 0
        self.code: str | None = None
        self.typed: tuple[str, float] | None = None  # (step, when) of the last typed answer

    async def say(self, text: str) -> None:
        await self.emu.send_text(self.user, text)

    async def click(self, message: dict[str, Any], label: str) -> None:
        with contextlib.suppress(LookupError):  # the prompt has no such button (any more)
            await self.emu.click_button(self.user, None, message["message_id"], label)

    async def nudge(self) -> None:
        self.nudges += 1
        await self.say("/trangthai" if self.pressed_send else "/gopy")

    async def type_answer(self, step: str, text: str) -> None:
        if self.typed is not None and self.typed[0] == step and time.monotonic() - self.typed[1] < self.patience:
            return
        self.typed = (step, time.monotonic())
        await self.say(text)

    def _is_newest(self, message: dict[str, Any]) -> bool:
        newest = self.emu.last_bot_message(self.user.id)
        return newest is not None and newest["message_id"] == message["message_id"]

    async def run(self) -> str:
        """Returns the tracking code once the citizen has seen it (or found it with /trangthai)."""
        await self.say("/gopy")
        stop = time.monotonic() + self.deadline
        while time.monotonic() < stop:
            try:
                message = await self.emu.wait_for_message(self.user, None, timeout=self.patience)
            except TimeoutError:
                await self.nudge()
                continue
            text = _visible(message)
            found = CODE.search(text)
            if found and (SENT in text or shown(TCit.MY_SUBMISSIONS_HEADER) in text):
                self.code = found.group(0)
                return self.code
            if TCit.MY_SUBMISSIONS_EMPTY in text:
                await self.say("/gopy")
                continue
            if text.startswith(INTERNAL_ERROR[:30]):
                await self.nudge()
                continue
            if not self._is_newest(message):
                continue
            await self._answer_prompt(message, text)
        raise TimeoutError(f"citizen {self.user.id} got no tracking code within {self.deadline}s; chat:\n"
                           f"{self.emu.render_chat(self.user.id, last=8)}")

    async def _answer_prompt(self, message: dict[str, Any], text: str) -> None:
        intent = self.intent
        if STEP_KIND in text:
            await self.click(message, intent.kind)
        elif STEP_PLACE in text:
            await self.type_answer(STEP_PLACE, intent.place)
        elif STEP_TOPIC in text:
            await self.click(message, intent.topic)
        elif STEP_TEXT in text:
            await self.type_answer(STEP_TEXT, intent.text)
        elif TEXT_RECEIVED in text or TEXT_APPENDED in text or PHOTO_RECEIVED in text:
            if intent.photo and not self.sent_photo:
                self.sent_photo = True
                await self.emu.send_photo(self.user, caption="ảnh hiện trường")
            else:
                await self.click(message, TCit.BUTTON_DONE)
        elif STEP_IDENTITY in text:
            await self.click(message, TCit.BUTTON_ANONYMOUS)
        elif STEP_CONFIRM in text:
            self.pressed_send = True
            await self.click(message, TCit.BUTTON_SEND)


class Switchboard:
    """Each chat's new bot messages on its own queue, stamped with the time they arrived.

    `emulator.wait_for_message` re-checks every waiter on every change: fine for a test with a few
    people, quadratic with a thousand. This listener hands each message to its chat at once."""

    def __init__(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator
        self.queues: dict[int, asyncio.Queue[tuple[float, dict[str, Any]]]] = {}
        emulator.add_listener(self._on_event)

    def queue(self, chat: int) -> asyncio.Queue[tuple[float, dict[str, Any]]]:
        if chat not in self.queues:
            self.queues[chat] = asyncio.Queue()
        return self.queues[chat]

    def _on_event(self, event: Any) -> None:
        if event.kind == "new" and event.from_bot:
            self.queue(event.chat_id).put_nowait((time.perf_counter(), event.message))

    async def next(self, chat: int, contains: str, timeout: float = 60.0) -> tuple[float, dict[str, Any]]:  # noqa: ASYNC109
        """The next message in `chat` containing `contains` (earlier ones are skipped)."""
        queue = self.queue(chat)
        async with asyncio.timeout(timeout):
            while True:
                stamp, message = await queue.get()
                if contains in _visible(message):
                    return stamp, message


class FastCitizen:
    """The /gopy flow for load runs: one action per prompt, no retries (no faults are injected), and the
    time from each action to the bot's next message in the chat (the reply time a citizen feels)."""

    STEPS = (STEP_KIND, STEP_PLACE, STEP_TOPIC, STEP_TEXT, TEXT_RECEIVED, STEP_IDENTITY, STEP_CONFIRM, SENT)

    def __init__(self, board: Switchboard, user: User, intent: Intent, *, think: float = 0.0,
                 seed: int = 0) -> None:
        self.board = board
        self.emu = board.emulator
        self.user = user
        self.intent = intent
        self.think = think
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.updates = 0

    async def pause(self) -> None:
        """A person reads and types: `think` seconds on average (0 = a load generator)."""
        if self.think:
            await asyncio.sleep(self.rng.uniform(0.5 * self.think, 1.5 * self.think))

    async def _act(self, action: Callable[[], Awaitable[Any]], expect: str,
                   timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
        queue = self.board.queue(self.user.id)
        await self.pause()
        started = time.perf_counter()
        await action()
        self.updates += 1
        first: float | None = None
        async with asyncio.timeout(timeout):
            while True:
                stamp, message = await queue.get()
                first = first or stamp
                if expect in _visible(message):
                    self.latencies.append(first - started)
                    return message

    async def run(self, timeout: float = 120.0) -> str:  # noqa: ASYNC109
        emu, user, intent = self.emu, self.user, self.intent

        def press(message: dict[str, Any], label: str) -> Callable[[], Awaitable[Any]]:
            return lambda: emu.click_button(user, None, message["message_id"], label)

        def say(text: str) -> Callable[[], Awaitable[Any]]:
            return lambda: emu.send_text(user, text)

        prompt = await self._act(say("/gopy"), STEP_KIND, timeout)
        prompt = await self._act(press(prompt, intent.kind), STEP_PLACE, timeout)
        prompt = await self._act(say(intent.place), STEP_TOPIC, timeout)
        prompt = await self._act(press(prompt, intent.topic), STEP_TEXT, timeout)
        prompt = await self._act(say(intent.text), TEXT_RECEIVED, timeout)
        prompt = await self._act(press(prompt, TCit.BUTTON_DONE), STEP_IDENTITY, timeout)
        prompt = await self._act(press(prompt, TCit.BUTTON_ANONYMOUS), STEP_CONFIRM, timeout)
        done = await self._act(press(prompt, TCit.BUTTON_SEND), SENT, timeout)
        found = CODE.search(_visible(done))
        assert found is not None
        return found.group(0)


async def ack_until_done(emulator: BotApiEmulator, official: User, group: int, card_id: int,
                         patience: float = 2.5, deadline: float = 60.0) -> int:
    """An official presses "Tiếp nhận" until the bot confirms (or says it is already done); returns
    how many presses it took."""
    presses = 0
    stop = time.monotonic() + deadline
    while time.monotonic() < stop:
        card = emulator.message(group, card_id) or {}
        labels = [b.get("text", "") for row in (card.get("reply_markup") or {}).get("inline_keyboard", [])
                  for b in row]
        if not any(TC.BUTTON_ACK in label for label in labels):
            return presses  # the card was refreshed: it is acknowledged
        presses += 1
        query = await emulator.click_button(official, group, card_id, TC.BUTTON_ACK)
        try:
            answer = await emulator.wait_for_callback_answer(query, timeout=patience)
        except TimeoutError:
            continue
        text = str(answer.get("text") or "")
        if shown(TC.ACTION_DONE) in text or shown(TC.TRANSITION_REFUSED) in text:
            return presses
    raise TimeoutError(f"card {card_id} in {group} never acknowledged")


# ------------------------------------------------------------------------------------------ logs

class ErrorWatch(logging.Handler):
    """Collects log records (ERROR and above by default) from every logger while installed."""

    def __init__(self, level: int = logging.ERROR) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []
        self._formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        return "\n".join(self._formatter.format(r) for r in self.records)

    def errors(self, *prefixes: str) -> list[logging.LogRecord]:
        return [r for r in self.records if r.levelno >= logging.ERROR
                and (not prefixes or r.name.startswith(prefixes))]

    @contextlib.contextmanager
    def installed(self) -> Iterator[ErrorWatch]:
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(self)
        if root.level > self.level or root.level == logging.NOTSET:
            root.setLevel(self.level)
        try:
            yield self
        finally:
            root.removeHandler(self)
            root.setLevel(old_level)


# ------------------------------------------------------------------------------------------ databases

@contextlib.asynccontextmanager
async def fresh_database(engine: str, tmp_path: Path) -> AsyncIterator[str]:
    """A brand-new database of `engine` ("sqlite" or "postgresql"); PostgreSQL ones are dropped after."""
    server = pg_server_url()
    if engine != "sqlite" and server is None:
        import pytest

        pytest.skip(f"PostgreSQL proof runs need {PG_ENV} (a local server)")
    async with throwaway_database(engine, tmp_path, server, prefix="hopthu_proof") as url:
        yield url


@contextlib.asynccontextmanager
async def database_outage(url: str, seconds: float) -> AsyncIterator[None]:
    """The database is unavailable from the moment the block is entered until `seconds` after its
    body is done.

    PostgreSQL: new connections refused (ALLOW_CONNECTIONS false) and every open one terminated with
    pg_terminate_backend. SQLite: another connection holds the write lock (BEGIN IMMEDIATE), so every
    writer waits — SQLite's own way of being "briefly unavailable"."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        server = pg_server_url()
        assert server is not None
        name = parsed.database
        await admin_sql(server, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
                        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        try:
            yield
            await asyncio.sleep(seconds)
        finally:
            await admin_sql(server, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        return
    import sqlite3

    path = parsed.database
    assert path
    held = asyncio.Event()
    release = asyncio.Event()
    loop = asyncio.get_running_loop()

    def hold() -> None:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            loop.call_soon_threadsafe(held.set)
            asyncio.run_coroutine_threadsafe(release.wait(), loop).result()
            conn.execute("COMMIT")
        finally:
            conn.close()

    holder = asyncio.create_task(asyncio.to_thread(hold))
    await held.wait()
    try:
        yield
        await asyncio.sleep(seconds)
    finally:
        release.set()
        await holder


async def snapshot_tables(store: Store, submission_id: int | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (or only those of one submission), to prove "nothing changed"."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    async with store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            stmt = sa.select(table)
            if submission_id is not None:
                if table is submissions:
                    stmt = stmt.where(table.c.id == submission_id)
                elif "submission_id" in table.c:
                    stmt = stmt.where(table.c.submission_id == submission_id)
                else:
                    continue
            rows = (await conn.execute(stmt.order_by(*table.primary_key.columns))).all()
            tables[table.name] = [tuple(r) for r in rows]
    return tables


async def all_text_in_database(store: Store) -> str:
    """Every value of every row, as one string: to look for a name, a phone or an id anywhere."""
    parts: list[str] = []
    for rows in (await snapshot_tables(store)).values():
        for row in rows:
            parts.extend(json.dumps(v, ensure_ascii=False, default=str) for v in row)
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------ a real process

class BotProcess:
    """The bot in its own process against the test's emulator and database; `kill()` is SIGKILL.

    `worker`: options for the delivery worker over the tests' fast PROOF_WORKER; None for those
    `hopthu run` uses. `module`: what runs in the child (benchmarks.bare_bots for the benchmark's
    yardsticks); it prints READY once polling and stops on SIGTERM."""

    def __init__(self, emulator: BotApiEmulator, db_url: str = "", *,
                 worker: dict[str, Any] | None = PROOF_WORKER, trace_memory: bool = False, workers: int = 1,
                 module: tuple[str, ...] = ("tests.test_proof_support",), inline_sqlite: bool = False) -> None:
        self.emulator = emulator
        self.db_url = db_url
        self.inline_sqlite = inline_sqlite
        self.worker = {} if worker is None else {**PROOF_WORKER, **worker}
        self.module = module
        self.trace_memory = trace_memory
        self.workers = workers
        self.proc: asyncio.subprocess.Process | None = None
        self.output: list[str] = []
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self, timeout: float = 60.0) -> BotProcess:  # noqa: ASYNC109
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": self.emulator.token,
               "HOPTHU_PROOF_BASE_URL": self.emulator.base_url,
               "HOPTHU_PROOF_FILE_URL": self.emulator.base_file_url,
               "HOPTHU_PROOF_DB": self.db_url, "HOPTHU_PROOF_WORKER": json.dumps(self.worker),
               "HOPTHU_PROOF_WORKERS": str(self.workers),
               "HOPTHU_PROOF_INLINE_SQLITE": "1" if self.inline_sqlite else "",
               "HOPTHU_PROOF_TRACEMALLOC": "1" if self.trace_memory else ""}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", *self.module, cwd=str(ROOT), env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except TimeoutError:
            await self.kill()
            raise RuntimeError("bot process did not start:\n" + "\n".join(self.output[-30:])) from None
        return self

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            text = line.decode(errors="replace").rstrip()
            self.output.append(text)
            if text == "READY":
                self._ready.set()

    async def kill(self) -> None:
        """SIGKILL: no handler runs, no lease is released, no transaction is finished."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)

    async def stop(self) -> dict[str, Any]:
        """SIGTERM: a graceful stop; returns the STATS line the process prints (memory figures)."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                await self.kill()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 5)
        for line in reversed(self.output):
            if line.startswith("STATS "):
                return dict(json.loads(line[6:]))
        return {}

    def errors(self) -> list[str]:
        return [line for line in self.output if " ERROR " in line or line.startswith("Traceback")]


def _peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM, not getrusage's ru_maxrss. A process started by fork + exec
    inherits in ru_maxrss its parent's size at the fork (Linux carries the pre-exec high-water mark
    over), so a bot started from a large test or benchmark process would report that process's size."""
    import resource

    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # no /proc: the upper bound


async def _serve_in_process() -> None:
    """The child side of BotProcess: the same Application the tests build, until SIGTERM."""
    import tracemalloc

    if os.environ.get("HOPTHU_PROOF_TRACEMALLOC"):
        tracemalloc.start()
    from bot.app import build_application, install_token_redaction, settle_heap, start_bot, stop_bot
    from knowledge.loader import load_knowledge_base
    from knowledge.search import SearchIndex
    from tests.bot_fixtures import harness_config

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    token = os.environ["TELEGRAM_BOT_TOKEN"]
    install_token_redaction(token)
    kb = load_knowledge_base()
    store = Store(os.environ["HOPTHU_PROOF_DB"], inline_sqlite=bool(os.environ.get("HOPTHU_PROOF_INLINE_SQLITE")))
    await store.open()
    app = build_application(harness_config(), store, kb, SearchIndex(kb), token=token,
                            base_url=os.environ["HOPTHU_PROOF_BASE_URL"],
                            base_file_url=os.environ["HOPTHU_PROOF_FILE_URL"],
                            delivery_workers=int(os.environ.get("HOPTHU_PROOF_WORKERS") or 1),
                            worker_options=json.loads(os.environ["HOPTHU_PROOF_WORKER"]))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await start_bot(app, poll_timeout=1)
    settle_heap()
    print("READY", flush=True)
    await stop.wait()
    await stop_bot(app)
    await store.close()
    stats = {"peak_rss_mb": _peak_rss_mb()}
    if tracemalloc.is_tracing():
        stats["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    print("STATS " + json.dumps(stats), flush=True)


if __name__ == "__main__":
    asyncio.run(_serve_in_process())
