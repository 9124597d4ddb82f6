"""In-memory handler tests: the real Application, no HTTP, no emulator.

The Application is built by `bot.app.build_application` as in production, with an `OfflineRequest`
instead of the HTTP client: every Bot API call is recorded and answered at once with a canned result.
Updates go in through `Application.process_update(Update.de_json(...))`, the Application's public
entry point, so these tests know nothing of how handlers are registered or named.

    async def test_something(chat: InMemoryBot):
        lan = chat.citizen()
        await chat.send(lan, "/gopy")
        await chat.press(lan, KIND_LABELS["gop_y"])      # a button of the latest bot message that has it
        assert chat.last_text(lan).startswith(T.ASK_PLACE[:20])

Delivery (the outbox) does not run by itself: `await chat.deliver()` sends what is due, so a test sees
the committee's card exactly when it asks for it.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest_asyncio
from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.app import build_application
from bot.config import Config
from bot.delivery import OutboxWorker
from bot.services import SERVICES_KEY, Services
from storage import Store
from tests.bot_fixtures import harness_config

__all__ = ["BOT_USER", "Call", "InMemoryBot", "OfflineRequest", "Person", "chat"]

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Hòm thư góp ý", "username": "hopthu_test_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True}
# Methods whose answer is the Message that was sent or edited.
_MESSAGE_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendLocation", "sendVoice",
                              "sendAudio", "sendVideo", "editMessageText", "editMessageReplyMarkup",
                              "editMessageCaption"})


@dataclass
class Call:
    """One Bot API call as the bot made it: the method and its parameters (JSON values)."""

    method: str
    params: dict[str, Any]
    message_id: int | None = None  # of the message Telegram answered with, if any

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    def buttons(self) -> list[dict[str, Any]]:
        """The inline buttons of the message (none for a reply keyboard)."""
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [b for row in markup.get("inline_keyboard", []) for b in row]


class OfflineRequest(BaseRequest):
    """Records every call and answers as Telegram would, without a network.

    Message ids count up across chats; a sent message is answered with itself (chat, text, buttons), so
    PTB builds the same Message objects it would from Telegram's answer."""

    def __init__(self, calls: list[Call], message_ids: itertools.count) -> None:  # type: ignore[type-arg]
        self.calls = calls
        self._message_ids = message_ids

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        result = self._answer(api_method, params)
        if api_method != "getUpdates":
            message_id = result.get("message_id") if isinstance(result, dict) else None
            self.calls.append(Call(api_method, params, message_id))
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return []
        if method == "copyMessage":
            return {"message_id": next(self._message_ids)}
        if method in _MESSAGE_METHODS:
            chat_id = int(params.get("chat_id", 0))
            message_id = int(params["message_id"]) if "message_id" in params else next(self._message_ids)
            message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "from": BOT_USER,
                                       "chat": _chat(chat_id)}
            if "text" in params:
                message["text"] = params["text"]
            if isinstance(params.get("reply_markup"), dict) and "inline_keyboard" in params["reply_markup"]:
                message["reply_markup"] = params["reply_markup"]
            return message
        return True  # answerCallbackQuery, setMyCommands, deleteMessage, sendChatAction…


def _chat(chat_id: int, first_name: str = "Người dân") -> dict[str, Any]:
    """A private chat for a positive id, a committee's supergroup for a negative one."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": first_name}
    return {"id": chat_id, "type": "supergroup", "title": f"group {chat_id}"}


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str

    def as_user(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name, "language_code": "vi"}


@dataclass
class InMemoryBot:
    app: Application  # type: ignore[type-arg]
    store: Store
    config: Config
    calls: list[Call]
    message_ids: itertools.count  # type: ignore[type-arg]
    worker: OutboxWorker
    _update_ids: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]

    @property
    def services(self) -> Services:
        return self.app.bot_data[SERVICES_KEY]

    def citizen(self, user_id: int = 5001, first_name: str = "Lan") -> Person:
        return Person(user_id, first_name)

    def official(self, user_id: int = 6001, first_name: str = "Cán bộ") -> Person:
        return Person(user_id, first_name)

    def group_of(self, committee_id: str) -> int:
        return self.config.committees[committee_id].chat_id

    # ------------------------------------------------------------ updates in

    async def process(self, update: dict[str, Any]) -> None:
        update["update_id"] = next(self._update_ids)
        await self.app.process_update(Update.de_json(update, self.app.bot))

    def _message(self, person: Person, chat_id: int | None, **content: Any) -> dict[str, Any]:
        chat = _chat(chat_id if chat_id is not None else person.id, person.first_name)
        return {"message_id": next(self.message_ids), "date": int(time.time()), "chat": chat,
                "from": person.as_user(), **content}

    async def send(self, person: Person, text: str, *, chat: int | None = None,
                   reply_to: Call | None = None) -> None:
        """A text message; a leading /command gets its entity as Telegram adds it."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        if reply_to is not None:
            content["reply_to_message"] = self.as_message(reply_to)
        await self.process({"message": self._message(person, chat, **content)})

    async def send_photo(self, person: Person, caption: str | None = None) -> None:
        unique = f"photo{next(self.message_ids)}"
        content: dict[str, Any] = {"photo": [{"file_id": f"id-{unique}", "file_unique_id": unique,
                                              "width": 640, "height": 480}]}
        if caption:
            content["caption"] = caption
        await self.process({"message": self._message(person, None, **content)})

    async def send_sticker(self, person: Person) -> None:
        unique = f"sticker{next(self.message_ids)}"
        sticker = {"file_id": f"id-{unique}", "file_unique_id": unique, "width": 512, "height": 512,
                   "is_animated": False, "is_video": False, "type": "regular"}
        await self.process({"message": self._message(person, None, sticker=sticker)})

    async def press(self, person: Person, label: str, *, chat: int | None = None) -> Call:
        """Press the button `label` (exact text) on the latest bot message in the chat that has it;
        returns the call that showed that message."""
        where = chat if chat is not None else person.id
        for call in reversed(self.sent_to(where)):
            for button in call.buttons():
                if button.get("text") == label and "callback_data" in button:
                    await self.press_data(person, button["callback_data"], call, chat=where)
                    return call
        raise AssertionError(f"no button {label!r} in chat {where}; buttons: {self.labels(where)}")

    async def press_data(self, person: Person, data: str, under: Call, *, chat: int | None = None) -> None:
        """A callback query with any payload, under the message `under` — how a forged press is made."""
        where = chat if chat is not None else person.id
        message = self.as_message(under)
        message["chat"] = _chat(where, person.first_name)
        query = {"id": str(next(self.message_ids)), "from": person.as_user(), "chat_instance": str(where),
                 "data": data, "message": message}
        await self.process({"callback_query": query})

    def as_message(self, call: Call) -> dict[str, Any]:
        """The Message a recorded send produced, as it would appear inside an update."""
        assert call.message_id is not None, f"{call.method} made no message"
        chat = call.chat_id or 0
        message: dict[str, Any] = {"message_id": call.message_id, "date": int(time.time()), "from": BOT_USER,
                                   "chat": _chat(chat), "text": call.text}
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    # ------------------------------------------------------------ calls out

    def sent_to(self, chat: int | Person, method: str | None = "sendMessage") -> list[Call]:
        key = chat.id if isinstance(chat, Person) else chat
        return [c for c in self.calls if c.chat_id == key and (method is None or c.method == method)]

    def last_text(self, chat: int | Person) -> str:
        sent = self.sent_to(chat)
        assert sent, f"nothing sent to {chat}"
        return sent[-1].text

    def labels(self, chat: int | Person) -> list[str]:
        sent = self.sent_to(chat)
        return [b["text"] for b in sent[-1].buttons()] if sent else []

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def mark(self) -> int:
        """Where the record stands now; `since(mark)` gives what came after."""
        return len(self.calls)

    def since(self, mark: int, method: str | None = None) -> list[Call]:
        return [c for c in self.calls[mark:] if method is None or c.method == method]

    async def deliver(self) -> int:
        """One pass of the outbox worker: what is due leaves now (cards, notices, copies)."""
        total = 0
        while sent := await self.worker.run_once():
            total += sent
        return total


@pytest_asyncio.fixture
async def chat(tmp_path: Path, kb_and_index: tuple[Any, Any]) -> AsyncIterator[InMemoryBot]:
    """The Application on a fresh SQLite file, initialised (getMe, commands) but not polling."""
    kb, index = kb_and_index
    config = harness_config()
    store = Store(f"sqlite+aiosqlite:///{tmp_path / 'hopthu.sqlite3'}")
    await store.open()
    calls: list[Call] = []
    message_ids = itertools.count(1000)
    app = build_application(config, store, kb, index, token="4242:in-memory", delivery_workers=0,
                            request=OfflineRequest(calls, message_ids),
                            get_updates_request=OfflineRequest(calls, message_ids))
    worker = OutboxWorker(store, app.bot)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    try:
        yield InMemoryBot(app, store, config, calls, message_ids, worker)
    finally:
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()
        await store.close()
