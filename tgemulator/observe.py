"""What tests and `hopthu demo` read: recorded calls, chats as they look now, files, live events, waits.

The waits re-check on every change in the emulator, so tests wait for a condition rather than sleep.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import TypeVar

from tgemulator.account import commands_key
from tgemulator.core import ChatRef, EmulatorState
from tgemulator.objects import JSON, ChatEvent, RecordedCall, SentFile, StoredMessage
from tgemulator.render import render_message

__all__ = ["EmulatorObserver"]

T = TypeVar("T")


class EmulatorObserver(EmulatorState):
    """Views of the emulator's world, live subscriptions, and waiting until the bot has done something."""

    # ================================================================= observing
    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by the bot (getUpdates offset) or not yet accepted by its webhook."""
        return list(self._pending)

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[RecordedCall]:
        """Recorded calls of one method (case-insensitive), optionally only (un)successful ones."""
        return [c for c in self.calls if c.method.lower() == method.lower() and (ok is None or c.ok == ok)]

    def chat_messages(self, chat: ChatRef, *, include_deleted: bool = False) -> list[JSON]:
        """The chat as it looks now: users' and bot's messages in order, edits applied, deletions gone."""
        stored = self._messages.get(self._chat_key(chat), {}).values()
        return [copy.deepcopy(s.data) for s in stored if include_deleted or not s.deleted]

    def bot_messages(self, chat: ChatRef) -> list[JSON]:
        """Only the bot's messages in the chat, as they are now."""
        stored = self._messages.get(self._chat_key(chat), {}).values()
        return [copy.deepcopy(s.data) for s in stored if s.from_bot and not s.deleted]

    def last_bot_message(self, chat: ChatRef) -> JSON | None:
        messages = self.bot_messages(chat)
        return messages[-1] if messages else None

    def message(self, chat: ChatRef, message_id: int) -> JSON | None:
        """One message as it is now (None if it never existed or was deleted)."""
        stored = self._stored(self._chat_key(chat), message_id)
        return None if stored is None else copy.deepcopy(stored.data)

    def stored_message(self, chat: ChatRef, message_id: int) -> StoredMessage | None:
        """The emulator's record of a message, including deleted ones and copy/forward provenance."""
        return self._messages.get(self._chat_key(chat), {}).get(message_id)

    def copied_from(self, chat: ChatRef, message_id: int) -> tuple[int, int] | None:
        stored = self.stored_message(chat, message_id)
        return None if stored is None else stored.copied_from

    def reply_keyboard(self, chat: ChatRef) -> JSON | None:
        """The reply keyboard the user currently sees under the input field, if any."""
        return self._reply_keyboards.get(self._chat_key(chat))

    def files_sent_to(self, chat: ChatRef) -> list[SentFile]:
        key = self._chat_key(chat)
        return [f for f in self.sent_files if f.chat_id == key]

    def file_bytes(self, file_id: str) -> bytes:
        return self.files[file_id].data

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """What setMyCommands registered for this scope and language."""
        return list(self.my_commands.get(commands_key({"scope": scope, "language_code": language_code}), []))

    def render_chat(self, chat: ChatRef, *, last: int | None = None) -> str:
        """A chat as terminal text (demo, and failure messages in tests)."""
        messages = self.chat_messages(chat)
        if last is not None:
            messages = messages[-last:]
        key = self._chat_key(chat)
        parts = []
        for i, message in enumerate(messages):
            keyboard = self.reply_keyboard(key) if i == len(messages) - 1 else None
            parts.append(render_message(message, reply_keyboard=keyboard))
        return "\n\n".join(parts)

    def subscribe(self, chat: ChatRef | None = None) -> asyncio.Queue[ChatEvent]:
        """A queue of new / edited / deleted messages (one chat, or all with None) for live watchers."""
        queue: asyncio.Queue[ChatEvent] = asyncio.Queue()
        self._subscribers.append((None if chat is None else self._chat_key(chat), queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[ChatEvent]) -> None:
        self._subscribers = [(c, q) for c, q in self._subscribers if q is not queue]

    def add_listener(self, callback: Callable[[ChatEvent], None]) -> None:
        """Call `callback(event)` synchronously on every chat change."""
        self._listeners.append(callback)

    # ================================================================= waiting
    def _recent_calls(self, n: int = 8) -> str:
        lines = []
        for call in self.calls[-n:]:
            outcome = "ok" if call.ok else (call.fault or f"{call.error_code} {call.description}")
            lines.append(f"  {call.method} -> {outcome}")
        return "\n".join(lines) or "  (none)"

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109 - the tests' API: an explicit timeout per wait
        *,
        description: str = "condition",
    ) -> T:
        """Wait until predicate() is truthy and return its value.

        Re-checked on every change in the emulator and every 50 ms, so predicates on the bot's own state
        (e.g. the database) work too. Raises TimeoutError listing the last calls, to make failures readable.
        """
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{description} not met within {timeout}s; last calls:\n{self._recent_calls()}")
            await self._changed.wait(min(remaining, 0.05))  # also re-check state the emulator cannot see

    async def wait_for_message(
        self,
        chat: ChatRef,
        contains: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSON:
        """The next bot message in the chat not yet returned by this method (optionally containing a text).

        Messages skipped over while looking for `contains` count as seen. The text searched is what the
        user sees: text or caption after parsing, plus a document's file name.
        """
        key = self._chat_key(chat)

        def find() -> JSON | None:
            order = self._bot_order.get(key, [])
            for index in range(self._message_cursor.get(key, 0), len(order)):
                stored = self._messages[key][order[index]]
                if stored.deleted:
                    continue
                data = stored.data
                visible = " ".join(
                    str(x)
                    for x in (data.get("text"), data.get("caption"), (data.get("document") or {}).get("file_name"))
                    if x
                )
                if contains is None or contains in visible:
                    self._message_cursor[key] = index + 1
                    return copy.deepcopy(data)
            return None

        try:
            return await self.wait_for(find, timeout, description=f"bot message in chat {key}")
        except TimeoutError as exc:
            wanted = f" containing {contains!r}" if contains else ""
            raise TimeoutError(
                f"no new bot message{wanted} in chat {key} within {timeout}s.\n"
                f"chat now:\n{self.render_chat(key, last=5) or '  (empty)'}\n{exc}"
            ) from None

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[RecordedCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> RecordedCall:
        """The next finished call of `method` not yet returned by this method (and matching predicate)."""
        name = method.lower()

        def find() -> RecordedCall | None:
            for index in range(self._call_cursor.get(name, 0), len(self.calls)):
                call = self.calls[index]
                if call.method.lower() != name or call.finished is None:
                    continue
                if predicate is None or predicate(call):
                    self._call_cursor[name] = index + 1
                    return call
            return None

        return await self.wait_for(find, timeout, description=f"call to {method}")

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSON:
        """The answerCallbackQuery parameters the bot gave for this click."""
        return await self.wait_for(
            lambda: self.callback_answers.get(query_id), timeout, description=f"answer to callback {query_id}"
        )

    async def wait_for_inline_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSON:
        """The answerInlineQuery parameters (results...) the bot gave for this inline query."""
        return await self.wait_for(
            lambda: self.inline_answers.get(query_id), timeout, description=f"answer to inline query {query_id}"
        )

    def is_idle(self, quiet: float = 0.15) -> bool:
        return (
            not self._pending
            and self._inflight == 0
            and not self._webhook_inflight
            and time.monotonic() - self._last_activity >= quiet
        )

    async def wait_idle(
        self,
        quiet: float = 0.15,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until every update is taken and no request came for `quiet` seconds.

        For "nothing else happens" assertions; prefer wait_for/wait_for_message for positive ones.
        """
        deadline = time.monotonic() + timeout
        while not self.is_idle(quiet):
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"not idle within {timeout}s: {len(self._pending)} pending updates, "
                    f"{self._inflight} requests in flight; last calls:\n{self._recent_calls()}"
                )
            await asyncio.sleep(min(0.02, quiet / 4))
