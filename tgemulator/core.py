"""Shared state of the emulator: the world (users, chats, messages, files) and the update queue.

Split from the HTTP server and from the sides that use it (the Bot API methods the bot calls, in
messages/media/chats/account; the users' actions tests call, in actors; webhook delivery; the views and
waits in observe) so each file has one job; server.BotApiEmulator puts them together into one object.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tgemulator.faults import FaultInjector
from tgemulator.objects import (
    JSON,
    ApiError,
    Chat,
    ChatEvent,
    RecordedCall,
    SentFile,
    StoredFile,
    StoredMessage,
    User,
    bad_request,
)
from tgemulator.ratelimit import RateLimitChecker, RateLimits

__all__ = ["ChatRef", "EmulatorState", "Signal", "UserRef"]

ChatRef = Chat | User | int
UserRef = User | int

# Update types Telegram leaves out unless allowed_updates asks for them explicitly.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Content fields a copy keeps; everything else (from, forward_origin, reply_to_message...) is dropped.
COPYABLE_FIELDS = (
    "text", "entities", "photo", "document", "voice", "audio", "video", "video_note", "animation",
    "sticker", "location", "venue", "contact", "poll", "dice", "caption", "caption_entities",
    "has_media_spoiler", "show_caption_above_media",
)  # fmt: skip


class Signal:
    """Wakes every coroutine waiting on it; no lost wake-ups since waiters register before yielding."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def fire(self) -> None:
        for fut in self._waiters:
            if not fut.done():
                fut.set_result(None)
        self._waiters.clear()

    async def wait(self, limit: float | None) -> bool:
        """True if fired, False after `limit` seconds."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            await asyncio.wait_for(fut, limit)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters.discard(fut)


@dataclass
class WebhookState:
    """What setWebhook registered; the errors are reported by getWebhookInfo like Telegram does."""

    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    has_custom_certificate: bool
    last_error_date: int | None = None
    last_error_message: str | None = None


class EmulatorState:
    """Everything the emulator knows, plus the primitives that keep it consistent and observable."""

    def __init__(
        self,
        token: str,
        *,
        bot_username: str,
        bot_name: str,
        seed: int | None,
        privacy_mode: bool,
        rate_limits: RateLimits | None,
        enforce_rate_limits: bool,
        clock: Callable[[], float],
    ) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_id = int(prefix) if prefix.isdigit() else 1_000_001
        self.bot_user = User(self.bot_id, bot_name, username=bot_username, is_bot=True, language_code=None)
        self.privacy_mode = privacy_mode
        self.clock = clock
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self._messages: dict[int, dict[int, StoredMessage]] = {}
        self._next_message_id: dict[int, int] = {}
        self._bot_order: dict[int, list[int]] = {}
        self._message_cursor: dict[int, int] = {}
        self._reply_keyboards: dict[int, JSON | None] = {}
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_seq = 0
        self.sent_files: list[SentFile] = []
        self.calls: list[RecordedCall] = []
        self._call_cursor: dict[str, int] = {}
        self.updates: list[JSON] = []  # every update ever created, delivered or not
        self.dropped_updates: list[JSON] = []  # not queued because of allowed_updates
        self._pending: list[JSON] = []
        self._next_update_id = 100_000
        self._allowed_updates: frozenset[str] | None = None
        self.callback_queries: dict[str, JSON] = {}
        self.callback_answers: dict[str, JSON] = {}
        self.inline_queries: dict[str, JSON] = {}
        self.inline_answers: dict[str, JSON] = {}
        self.inline_edits: list[JSON] = []
        self.chat_actions: list[JSON] = []
        self.my_commands: dict[tuple[str, str], list[JSON]] = {}
        self._query_seq = 0
        self.webhook: WebhookState | None = None
        self.faults = FaultInjector(seed)
        self.rate = RateLimitChecker(rate_limits or RateLimits())
        self.enforce_rate_limits = enforce_rate_limits
        self._changed = Signal()
        self._updates_signal = Signal()
        self._stop_signal = Signal()
        self._stopping = False
        self._inflight = 0  # Bot API requests being answered (long polls excepted)
        self._webhook_inflight: set[int] = set()  # update ids POSTed to the webhook, not yet answered
        self._last_activity = time.monotonic()
        self._subscribers: list[tuple[int | None, asyncio.Queue[ChatEvent]]] = []
        self._listeners: list[Callable[[ChatEvent], None]] = []

    # ----------------------------------------------------------------- notifications
    def _touch(self) -> None:
        self._last_activity = time.monotonic()

    def _notify(self) -> None:
        self._changed.fire()

    def _emit(self, kind: str, stored: StoredMessage) -> None:
        if not self._subscribers and not self._listeners:
            self._notify()
            return
        event = ChatEvent(kind, stored.chat_id, copy.deepcopy(stored.data), stored.from_bot)
        for chat_id, queue in self._subscribers:
            if chat_id is None or chat_id == event.chat_id:
                queue.put_nowait(event)
        for listener in self._listeners:
            listener(event)
        self._notify()

    # ----------------------------------------------------------------- lookups
    def _now(self) -> int:
        return int(self.clock())

    @staticmethod
    def _chat_key(chat: ChatRef) -> int:
        return chat.id if isinstance(chat, Chat | User) else int(chat)

    def _user(self, user: UserRef) -> User:
        uid = user.id if isinstance(user, User) else int(user)
        if uid not in self.users:
            raise LookupError(f"unknown user {uid}: create it with emu.user(...) first")
        return self.users[uid]

    def _chat(self, chat: ChatRef) -> Chat:
        key = self._chat_key(chat)
        if key not in self.chats:
            raise LookupError(f"unknown chat {key}: create it with emu.user(...) or emu.group(...) first")
        return self.chats[key]

    def _api_chat(self, chat_id: Any) -> Chat:
        """The chat a Bot API call names (id or @username), or Telegram's 400."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self.chats.values():
                if chat.username and chat.username.lower() == chat_id[1:].lower():
                    return chat
            raise bad_request("chat not found")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        try:
            key = int(chat_id)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        if key not in self.chats:
            raise bad_request("chat not found")
        return self.chats[key]

    def _resolve_chat_id(self, chat_id: Any) -> int | None:
        try:
            return self._api_chat(chat_id).id
        except ApiError:
            return None

    def _writable_chat(self, chat_id: Any) -> Chat:
        """A chat the bot may post into, or the 400/403 Telegram answers."""
        chat = self._api_chat(chat_id)
        if chat.is_private:
            if self.users[chat.id].blocked_bot:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        elif not chat.bot_is_member:
            kind = "supergroup chat" if chat.type == "supergroup" else f"{chat.type} chat"
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")
        return chat

    def _stored(self, chat_id: int, message_id: Any) -> StoredMessage | None:
        try:
            stored = self._messages.get(chat_id, {}).get(int(message_id))
        except (TypeError, ValueError):
            return None
        return None if stored is None or stored.deleted else stored

    @staticmethod
    def _snapshot(stored: StoredMessage) -> JSON:
        """A message as embedded in another object (replies): one level deep, like Telegram."""
        data = copy.deepcopy(stored.data)
        data.pop("reply_to_message", None)
        return data

    # ----------------------------------------------------------------- messages
    def _store_message(self, chat: Chat, sender: User, content: JSON, *, from_bot: bool) -> StoredMessage:
        message_id = self._next_message_id.get(chat.id, 1)
        self._next_message_id[chat.id] = message_id + 1
        data: JSON = {
            "message_id": message_id,
            "from": sender.to_dict(),
            "chat": chat.to_dict(),
            "date": self._now(),
        }
        data.update(content)
        stored = StoredMessage(data=data, from_bot=from_bot, created=time.monotonic())
        self._messages.setdefault(chat.id, {})[message_id] = stored
        if from_bot:
            self._bot_order.setdefault(chat.id, []).append(message_id)
        self._touch()
        self._emit("new", stored)
        return stored

    def _chat_instance(self, chat_id: int) -> str:
        return str((chat_id * 2654435761) % (2**63))

    # ----------------------------------------------------------------- files
    def _new_file(
        self, kind: str, data: bytes, *, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        self._file_seq += 1
        seq = self._file_seq
        folder, ext = {
            "photo": ("photos", "png" if data.startswith(b"\x89PNG") else "jpg"),
            "voice": ("voice", "oga"),
            "audio": ("music", "mp3"),
            "video": ("videos", "mp4"),
            "animation": ("animations", "mp4"),
            "sticker": ("stickers", "webp"),
        }.get(kind, ("documents", "bin"))
        if file_name and "." in file_name:
            ext = file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=f"AgACAgEmu{kind[:3].upper()}{seq:07d}",
            file_unique_id=f"AQADEmu{seq:07d}",
            data=data,
            file_path=f"{folder}/file_{seq}.{ext}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    # ----------------------------------------------------------------- updates
    def _allowed(self, kind: str) -> bool:
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed_updates

    def _set_allowed_updates(self, allowed: Any) -> None:
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        self._allowed_updates = frozenset(str(a) for a in allowed) or None

    def _webhook_changed(self) -> None:
        """Hook: setWebhook/deleteWebhook changed `self.webhook`; webhook delivery restarts its workers."""

    def _enqueue(self, kind: str, payload: JSON) -> JSON:
        """Create an update; queue it for getUpdates/webhook unless allowed_updates excludes it."""
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        self.updates.append(update)
        if self._allowed(kind):
            self._pending.append(update)
            self._updates_signal.fire()
        else:
            self.dropped_updates.append(update)
        self._touch()
        self._notify()
        return update

    def _confirm(self, offset: int) -> None:
        """getUpdates' offset: forget what the bot has confirmed (negative: keep only the last -offset)."""
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
