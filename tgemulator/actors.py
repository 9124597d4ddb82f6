"""What citizens and officials do: the test-side API that creates updates for the bot.

Every action builds the message or query a real client would produce (ids, dates, entities, photo
sizes, callback_query.message as currently shown) and queues the matching update.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from tgemulator.core import ChatRef, EmulatorState, UserRef
from tgemulator.media import photo_sizes
from tgemulator.objects import JSON, Chat, StoredMessage, User, tiny_png

__all__ = ["UserActions"]

_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def command_entities(text: str) -> list[JSON]:
    """bot_command entities for every /command in the text, as Telegram marks them."""
    entities = []
    for match in _COMMAND_RE.finditer(text):
        offset = len(text[: match.start()].encode("utf-16-le")) // 2
        length = len(match.group(0).encode("utf-16-le")) // 2
        entities.append({"type": "bot_command", "offset": offset, "length": length})
    return entities


class UserActions(EmulatorState):
    """Users, groups and what they do. Every action returns what it created (message dict, update, id)."""

    # ----------------------------------------------------------------- the cast
    def user(
        self,
        id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        *,
        language_code: str | None = "vi",
    ) -> User:
        """A Telegram user with a private chat with the bot (id = user id); idempotent per id."""
        if id <= 0:
            raise ValueError("user ids are positive; groups have negative ids")
        user = self.users.get(id)
        if user is None:
            user = self.users[id] = User(id, first_name, last_name, username, language_code)
        else:
            user.first_name, user.last_name, user.username = first_name, last_name, username
        self.chats[id] = Chat(id, "private", username=username, first_name=first_name, last_name=last_name)
        return user

    def group(
        self,
        id: int,
        title: str,
        *,
        username: str | None = None,
        type: str = "supergroup",
        bot_is_admin: bool = True,
        members: dict[int, str] | None = None,
    ) -> Chat:
        """A group chat with the bot in it (admin by default, so privacy mode does not hide messages)."""
        if id >= 0:
            raise ValueError("group ids are negative (supergroups look like -100xxxxxxxxxx)")
        chat = self.chats.get(id)
        if chat is None:
            chat = self.chats[id] = Chat(id, type, title=title, username=username, bot_is_admin=bot_is_admin)
        else:
            chat.title, chat.username, chat.bot_is_admin = title, username, bot_is_admin
        chat.members.update(members or {})
        return chat

    def set_member_status(self, group: ChatRef, user: UserRef, status: str) -> None:
        """What getChatMember answers for this user: creator, administrator, member, restricted, left, kicked."""
        self._chat(group).members[self._user(user).id] = status

    def block(self, user: UserRef, blocked: bool = True) -> None:
        """The user blocks the bot: sending to them fails with 403 like on Telegram."""
        self._user(user).blocked_bot = blocked

    def remove_bot(self, group: ChatRef) -> None:
        """The bot is removed from the group: sending there fails with 403."""
        self._chat(group).bot_is_member = False

    def private_chat(self, user: UserRef) -> Chat:
        return self._chat(self._user(user).id)

    # ----------------------------------------------------------------- messages
    def _target_chat(self, user: User, chat: ChatRef | None) -> Chat:
        target = self.chats[user.id] if chat is None else self._chat(chat)
        if not target.is_private:
            status = target.members.get(user.id)
            if status in (None, "left"):
                target.members[user.id] = "member"
            elif status == "kicked":
                raise PermissionError(f"user {user.id} is banned from chat {target.id}")
        elif target.id != user.id:
            raise ValueError("a user can only write in their own private chat with the bot")
        return target

    def _bot_sees(self, chat: Chat, data: JSON) -> bool:
        """Group privacy mode: without admin rights the bot sees only commands, mentions and replies to it."""
        if chat.is_private:
            return True
        if not chat.bot_is_member:
            return False
        if not self.privacy_mode or chat.bot_is_admin:
            return True
        text = str(data.get("text") or data.get("caption") or "")
        if text.startswith("/") or f"@{self.bot_user.username}".lower() in text.lower():
            return True
        replied = data.get("reply_to_message") or {}
        return bool(replied.get("from", {}).get("id") == self.bot_id)

    async def send_message(
        self, user: UserRef, chat: ChatRef | None = None, *, reply_to: int | JSON | None = None, **content: Any
    ) -> JSON:
        """Any message content (Bot API fields such as text, photo, poll...), for what has no helper."""
        sender = self._user(user)
        target = self._target_chat(sender, chat)
        body = copy.deepcopy(content)
        if reply_to is not None:
            reply_id = reply_to["message_id"] if isinstance(reply_to, dict) else int(reply_to)
            replied = self._stored(target.id, reply_id)
            if replied is None:
                raise LookupError(f"message {reply_id} not found in chat {target.id}")
            body["reply_to_message"] = self._snapshot(replied)
        stored = self._store_message(target, sender, body, from_bot=False)
        if self._bot_sees(target, stored.data):
            self._enqueue("message", stored.data)
        return copy.deepcopy(stored.data)

    async def send_text(
        self,
        user: UserRef,
        chat: ChatRef | str | None = None,
        text: str | None = None,
        reply_to: int | JSON | None = None,
        *,
        entities: list[JSON] | None = None,
    ) -> JSON:
        """Type a text; `send_text(user, "hi")` writes in the private chat, `send_text(user, group, "hi")`
        in a group. Commands get their bot_command entities.
        """
        if isinstance(chat, str) and text is None:
            chat, text = None, chat
        if text is None:
            raise ValueError("send_text needs a text")
        content: JSON = {"text": text}
        found = entities if entities is not None else command_entities(text)
        if found:
            content["entities"] = found
        return await self.send_message(user, chat, reply_to=reply_to, **content)  # type: ignore[arg-type]

    async def send_photo(
        self,
        user: UserRef,
        chat: ChatRef | None = None,
        data: bytes | None = None,
        *,
        caption: str | None = None,
        width: int = 1280,
        height: int = 960,
        reply_to: int | JSON | None = None,
    ) -> JSON:
        """A photo as Telegram delivers it: several sizes, each downloadable through getFile."""
        payload = data if data is not None else tiny_png()
        main = self._new_file("photo", payload)
        content: JSON = {"photo": photo_sizes(main, width, height, lambda: self._new_file("photo", payload))}
        if caption:
            content["caption"] = caption
        return await self.send_message(user, chat, reply_to=reply_to, **content)

    async def send_document(
        self,
        user: UserRef,
        chat: ChatRef | None = None,
        data: bytes = b"%PDF-1.4\n% emulator\n",
        *,
        filename: str = "tai-lieu.pdf",
        mime_type: str | None = "application/pdf",
        caption: str | None = None,
        reply_to: int | JSON | None = None,
    ) -> JSON:
        """A file attachment; its bytes are served back by getFile + download."""
        file = self._new_file("document", data, file_name=filename, mime_type=mime_type)
        document: JSON = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_name": filename,
            "file_size": len(data),
        }
        if mime_type:
            document["mime_type"] = mime_type
        content: JSON = {"document": document}
        if caption:
            content["caption"] = caption
        return await self.send_message(user, chat, reply_to=reply_to, **content)

    async def send_voice(
        self,
        user: UserRef,
        chat: ChatRef | None = None,
        data: bytes = b"OggS\x00emulator-voice",
        *,
        duration: int = 3,
        reply_to: int | JSON | None = None,
    ) -> JSON:
        """A voice note (OGG/Opus on Telegram; the bytes here are only a marker)."""
        file = self._new_file("voice", data, mime_type="audio/ogg")
        voice = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return await self.send_message(user, chat, reply_to=reply_to, voice=voice)

    async def send_location(
        self,
        user: UserRef,
        chat: ChatRef | None = None,
        latitude: float = 22.1470,
        longitude: float = 105.8348,
        *,
        reply_to: int | JSON | None = None,
    ) -> JSON:
        """A shared location (defaults to Bắc Kạn town)."""
        return await self.send_message(
            user, chat, reply_to=reply_to, location={"latitude": latitude, "longitude": longitude}
        )

    async def send_contact(
        self,
        user: UserRef,
        chat: ChatRef | None = None,
        phone_number: str = "+84912345678",
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        contact_user_id: int | bool | None = True,
        reply_to: int | JSON | None = None,
    ) -> JSON:
        """A contact; by default the user's own, as the request_contact button sends it (user_id set)."""
        sender = self._user(user)
        contact: JSON = {"phone_number": phone_number, "first_name": first_name or sender.first_name}
        last = last_name if first_name is not None else (last_name or sender.last_name)
        if last:
            contact["last_name"] = last
        if contact_user_id is True:
            contact["user_id"] = sender.id
        elif isinstance(contact_user_id, int) and contact_user_id is not False:
            contact["user_id"] = contact_user_id
        return await self.send_message(sender, chat, reply_to=reply_to, contact=contact)

    async def send_sticker(
        self, user: UserRef, chat: ChatRef | None = None, emoji: str = "👍", *, reply_to: int | JSON | None = None
    ) -> JSON:
        """A sticker: content the bot does not support and must answer politely."""
        file = self._new_file("sticker", b"RIFF\x00\x00\x00\x00WEBPemulator")
        sticker = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self.send_message(user, chat, reply_to=reply_to, sticker=sticker)

    async def send_forwarded(
        self,
        user: UserRef,
        chat: ChatRef | None = None,
        text: str = "",
        *,
        origin: User | Chat | str | None = None,
        origin_date: int | None = None,
    ) -> JSON:
        """A message the user forwarded: `origin` a User, a Chat (channel/group) or a hidden user's name."""
        sender = self._user(user)
        date = origin_date if origin_date is not None else self._now() - 3600
        source: JSON
        if isinstance(origin, User):
            source = {"type": "user", "sender_user": origin.to_dict(), "date": date}
        elif isinstance(origin, Chat):
            kind = "channel" if origin.type == "channel" else "chat"
            key = "chat" if kind == "channel" else "sender_chat"
            source = {"type": kind, key: origin.to_dict(), "date": date}
            if kind == "channel":
                source["message_id"] = 1
        else:
            source = {"type": "hidden_user", "sender_user_name": origin or "Người ẩn danh", "date": date}
        return await self.send_message(sender, chat, text=text, forward_origin=source)

    async def edit_message(self, user: UserRef, chat: ChatRef | None, message_id: int, text: str) -> JSON:
        """The user edits their message: the bot gets an edited_message update. Returns that update."""
        sender = self._user(user)
        target = self.chats[sender.id] if chat is None else self._chat(chat)
        stored = self._stored(target.id, message_id)
        if stored is None or stored.from_bot or stored.data["from"]["id"] != sender.id:
            raise LookupError(f"user {sender.id} has no message {message_id} in chat {target.id}")
        field = "text" if "text" in stored.data else "caption"
        stored.data[field] = text
        if field == "text":
            found = command_entities(text)
            if found:
                stored.data["entities"] = found
            else:
                stored.data.pop("entities", None)
        stored.data["edit_date"] = self._now()
        self._emit("edited", stored)
        return self._enqueue("edited_message", stored.data)

    # ----------------------------------------------------------------- buttons and inline mode
    def _clicked_message(self, chat: Chat, message_id: int) -> StoredMessage:
        stored = self._stored(chat.id, message_id)
        if stored is None:
            raise LookupError(f"message {message_id} not found in chat {chat.id}")
        return stored

    @staticmethod
    def _inline_buttons(stored: StoredMessage) -> list[JSON]:
        rows = (stored.data.get("reply_markup") or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    async def click(
        self, user: UserRef, chat: ChatRef | None, message_id: int, data: str, *, strict: bool = True
    ) -> str:
        """Press an inline button; returns the callback query id (await `wait_for_callback_answer(id)`).

        With strict=True the message must currently show a button with this callback_data; pass
        strict=False to send forged data, as an attacker's client could.
        """
        sender = self._user(user)
        target = self.chats[sender.id] if chat is None else self._chat(chat)
        stored = self._clicked_message(target, message_id)
        if strict:
            available = [b.get("callback_data") for b in self._inline_buttons(stored) if "callback_data" in b]
            if data not in available:
                raise LookupError(f"message {message_id} has no button with data {data!r}; it has {available}")
        self._query_seq += 1
        query_id = f"{self.bot_id}{self._query_seq:08d}"
        query = {
            "id": query_id,
            "from": sender.to_dict(),
            "message": copy.deepcopy(stored.data),
            "chat_instance": self._chat_instance(target.id),
            "data": data,
        }
        self.callback_queries[query_id] = query
        self._enqueue("callback_query", query)
        return query_id

    async def click_button(self, user: UserRef, chat: ChatRef | None, message_id: int, label: str) -> str:
        """Press the inline button whose text is `label` (or, failing that, contains it)."""
        sender = self._user(user)
        target = self.chats[sender.id] if chat is None else self._chat(chat)
        buttons = [b for b in self._inline_buttons(self._clicked_message(target, message_id)) if "callback_data" in b]
        chosen = [b for b in buttons if b["text"] == label] or [b for b in buttons if label in b["text"]]
        if not chosen:
            raise LookupError(f"no button {label!r} on message {message_id}; it has {[b['text'] for b in buttons]}")
        return await self.click(sender, target, message_id, chosen[0]["callback_data"])

    async def inline_query(
        self, user: UserRef, query: str, *, offset: str = "", chat_type: str | None = "sender"
    ) -> str:
        """Type `@bot query` in some chat; returns the inline query id (await `wait_for_inline_answer`)."""
        sender = self._user(user)
        self._query_seq += 1
        query_id = f"{self.bot_id}{self._query_seq:08d}"
        body: JSON = {"id": query_id, "from": sender.to_dict(), "query": query, "offset": offset}
        if chat_type:
            body["chat_type"] = chat_type
        self.inline_queries[query_id] = body
        self._enqueue("inline_query", body)
        return query_id

    async def choose_inline_result(
        self, user: UserRef, result_id: str, query: str, *, inline_message_id: str | None = None
    ) -> JSON:
        """The user picks an inline result (needs inline feedback on for the bot in real life)."""
        body: JSON = {"result_id": result_id, "from": self._user(user).to_dict(), "query": query}
        if inline_message_id:
            body["inline_message_id"] = inline_message_id
        return self._enqueue("chosen_inline_result", body)
