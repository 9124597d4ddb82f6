"""End-to-end harness: the real Application, over HTTP, against the local Bot API emulator.

    async def test_something(bot: BotHarness):
        lan = bot.citizen()
        await bot.say(lan, "/gopy")
        await bot.press(lan, "Góp ý")                 # clicks a button on the latest bot message with it
        code, card = await bot.submit_feedback(lan)   # the whole flow, returns the tracking code and the card
        group = bot.group_of("bcd-nong-ha")

`bot_factory(**options)` builds more (a second replica on the same database, other limits).
Everything goes through HTTP on 127.0.0.1; assertions are on what the emulator received.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from telegram.ext import Application

from bot.app import build_application, install_token_redaction, start_bot, stop_bot
from bot.config import Config, load_config
from bot.services import SERVICES_KEY, Services
from bot.texts import citizen as TCit
from bot.texts.common import KIND_LABELS
from knowledge.loader import KnowledgeBase, load_knowledge_base
from storage import Store
from storage.statuses import Kind
from tgemulator import BotApiEmulator, User

__all__ = ["ADMIN_ID", "BotHarness", "bot", "bot_factory", "harness_config", "kb_and_index", "shown", "step"]

ROOT = Path(__file__).resolve().parents[1]
ADMIN_ID = 777000111
FAST_WORKER = {"poll_seconds": 0.05, "base_backoff": 0.05, "max_backoff": 0.5, "lease_seconds": 5.0}
_CODE = re.compile(r"GY-[A-Z0-9]{6}")


class _Cut:
    """An unfilled placeholder: where shown() stops."""

    def __format__(self, spec: str) -> str:
        return "{"


class _Fields(dict):
    def __missing__(self, key: str) -> _Cut:
        return _Cut()


def shown(template: str, **fields: object) -> str:
    """The start of a bot text (bot/texts) as a person reads it: before its first placeholder, no markup.

    With `fields`, those placeholders are filled in first and the text goes on to the first one left:
    shown(T.PAGE_INFO, page=3, pages=4) is "Trang 3/4 · chọn điều để xem:".
    """
    text = template.format_map(_Fields(fields)) if fields else template
    return html.unescape(re.sub(r"<[^>]*>", "", text.split("{")[0])).strip()


def step(template: str) -> str:
    """The bold step label a /gopy prompt opens with ("Bước 2/6."), which every prompt of that step has."""
    return shown(template.split("</b>")[0])


def harness_config(**limits: Any) -> Config:
    """bot.yaml with an admin, and outgoing limits relaxed so tests are not paced at 20 messages/minute."""
    config = load_config(ROOT / "bot.yaml")
    relaxed = {"group_per_minute": 100_000, "overall_per_second": 10_000, "citizen_messages_per_minute": 1000}
    relaxed.update(limits)
    return dataclasses.replace(config, admins=frozenset({ADMIN_ID}),
                               limits=dataclasses.replace(config.limits, **relaxed))


@pytest.fixture(scope="session")
def kb_and_index() -> tuple[KnowledgeBase, Any]:
    from knowledge.search import SearchIndex  # late: keeps conftest importable while knowledge/ grows

    kb = load_knowledge_base()
    return kb, SearchIndex(kb)


@dataclasses.dataclass
class BotHarness:
    emulator: BotApiEmulator
    store: Store
    app: Application  # type: ignore[type-arg]
    config: Config

    @property
    def services(self) -> Services:
        return self.app.bot_data[SERVICES_KEY]

    def group_of(self, committee_id: str) -> int:
        return self.config.committees[committee_id].chat_id

    def citizen(self, user_id: int = 5001, first_name: str = "Lan", last_name: str | None = "Nguyễn") -> User:
        return self.emulator.user(user_id, first_name, last_name)

    def official(self, committee_id: str, user_id: int = 6001, first_name: str = "Cán bộ") -> User:
        user = self.emulator.user(user_id, first_name)
        self.emulator.group(self.group_of(committee_id), self.config.committees[committee_id].name)
        return user

    async def say(self, user: User, text: str, chat: int | None = None, reply_to: int | None = None) -> dict:
        return await self.emulator.send_text(user, chat, text, reply_to=reply_to)

    async def next_message(self, chat: int | User, contains: str | None = None,
                           timeout: float = 5.0) -> dict:  # noqa: ASYNC109 - explicit per-wait timeout
        key = chat.id if isinstance(chat, User) else chat
        return await self.emulator.wait_for_message(key, contains, timeout=timeout)

    def last_with_button(self, chat: int, label: str) -> dict | None:
        for message in reversed(self.emulator.bot_messages(chat)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                if any(label == b.get("text") or label in b.get("text", "") for b in row):
                    return message
        return None

    async def press(self, user: User, label: str, chat: int | None = None) -> dict:
        """Click the button `label` on the latest bot message that has it (waiting for one to arrive);
        returns the bot's answerCallbackQuery parameters."""
        target = user.id if chat is None else chat
        message = await self.emulator.wait_for(lambda: self.last_with_button(target, label),
                                               description=f"a button {label!r} in chat {target}")
        query_id = await self.emulator.click_button(user, target, message["message_id"], label)
        return await self.emulator.wait_for_callback_answer(query_id)

    async def submit_feedback(
        self,
        user: User,
        *,
        kind: str = KIND_LABELS[Kind.GOP_Y],
        place: str = "nong ha",
        topic: str = "Đất đai, quy hoạch, xây dựng",
        text: str = "Đường liên thôn Nà Mố bị sạt lở sau mưa lớn, đề nghị xã sửa sớm.",
        anonymous: bool = True,
        photo: bool = False,
        committee: str = "bcd-nong-ha",
    ) -> tuple[str, dict]:
        """The whole /gopy flow as a citizen does it; returns the tracking code and the card in the group."""
        await self.say(user, "/gopy")
        await self.next_message(user, shown(TCit.ASK_KIND))
        await self.press(user, kind)
        await self.next_message(user, shown(TCit.ASK_PLACE))
        await self.say(user, place)
        await self.next_message(user, shown(TCit.ASK_TOPIC))
        await self.press(user, topic)
        await self.next_message(user, shown(TCit.ASK_TEXT))
        await self.say(user, text)
        await self.next_message(user, shown(TCit.TEXT_RECEIVED))
        if photo:
            await self.emulator.send_photo(user, caption="ảnh hiện trường")
            await self.next_message(user, shown(TCit.ATTACHMENT_RECEIVED, what=TCit.ATTACHMENT_WHAT["photo"]))
        await self.press(user, TCit.BUTTON_DONE)
        await self.next_message(user, shown(TCit.ASK_IDENTITY))
        if anonymous:
            await self.press(user, TCit.BUTTON_ANONYMOUS)
        else:
            await self.press(user, TCit.BUTTON_NAMED)
            await self.next_message(user, shown(TCit.ASK_CONTACT))
            await self.emulator.send_contact(user, phone_number="0912345678")
            await self.next_message(user, shown(TCit.CONTACT_SAVED))
        await self.next_message(user, shown(TCit.CONFIRM))
        await self.press(user, TCit.BUTTON_SEND)
        sent = await self.next_message(user, shown(TCit.SENT))
        match = _CODE.search(sent["text"])
        assert match, sent["text"]
        code = match.group(0)
        card = await self.next_message(self.group_of(committee), code)
        return code, card


BotFactory = Callable[..., Awaitable[BotHarness]]


@pytest_asyncio.fixture
async def bot_factory(
    emulator: BotApiEmulator, tmp_path: Path, kb_and_index: tuple[KnowledgeBase, Any]
) -> AsyncIterator[BotFactory]:
    """Builds and starts bots against the shared emulator; all are stopped (stores closed) after the test."""
    kb, index = kb_and_index
    running: list[tuple[Application, Store]] = []  # type: ignore[type-arg]
    install_token_redaction(emulator.token)

    async def factory(*, db_url: str | None = None, config: Config | None = None, store: Store | None = None,
                      worker_options: dict[str, Any] | None = None, webhook: dict[str, Any] | None = None,
                      delivery_workers: int = 1, **app_options: Any) -> BotHarness:
        config = config or harness_config()
        own_store = store is None
        if store is None:
            store = Store(db_url or f"sqlite+aiosqlite:///{tmp_path / 'hopthu.sqlite3'}")
            await store.open()
        app = build_application(config, store, kb, index, token=emulator.token, base_url=emulator.base_url,
                                base_file_url=emulator.base_file_url, delivery_workers=delivery_workers,
                                worker_options={**FAST_WORKER, **(worker_options or {})}, **app_options)
        await start_bot(app, webhook=webhook, poll_timeout=1)
        running.append((app, store if own_store else None))  # type: ignore[arg-type]
        for committee in config.committees.values():
            emulator.group(committee.chat_id, committee.name)
        return BotHarness(emulator, store, app, config)

    try:
        yield factory
    finally:
        for app, store in reversed(running):
            await stop_bot(app)
            if store is not None:
                await store.close()


@pytest_asyncio.fixture
async def bot(bot_factory: BotFactory) -> BotHarness:
    return await bot_factory()

