"""Bot API methods that put text into chats and change it: send, copy, forward, edit, delete.

Validation is deliberately as strict as the real server where bots usually go wrong (parse modes,
4096 characters, 64-byte callback data, "message is not modified", editing without reply_markup
removing the keyboard), so those bugs surface in tests.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from tgemulator.core import COPYABLE_FIELDS, EmulatorState
from tgemulator.objects import JSON, Chat, StoredMessage, bad_request
from tgemulator.params import UploadPart
from tgemulator.registry import api, format_text

__all__ = ["MessageMethods"]

_INLINE_ACTIONS = frozenset(
    {
        "callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat", "login_url", "web_app", "pay", "callback_game", "copy_text",
    }
)  # fmt: skip
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)


class MessageMethods(EmulatorState):
    """Handlers for messages; each takes (params, files) and returns the `result` or raises ApiError."""

    # ----------------------------------------------------------------- helpers
    def _check_markup(self, markup: Any, *, inline_only: bool = False) -> JSON | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request('can\'t parse inline keyboard button: Field "inline_keyboard" must be of type Array')
            for row in rows:
                for button in row:
                    self._check_inline_button(button)
            return markup
        if inline_only:
            raise bad_request('can\'t parse inline keyboard button: Field "inline_keyboard" must be of type Array')
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request('can\'t parse keyboard button: Field "keyboard" must be of type Array')
            for row in rows:
                for button in row:
                    if not isinstance(button, str | dict) or (isinstance(button, dict) and not button.get("text")):
                        raise bad_request("can't parse keyboard button: Text is not specified")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request("can't parse inline keyboard button: Text is not specified")
        if not button["text"]:
            raise bad_request("BUTTON_TEXT_INVALID")
        actions = [key for key in button if key in _INLINE_ACTIONS]
        if not actions:
            raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = str(button["url"])
            if not re.match(r"(https?|tg)://", url):
                raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    def _reply_target(self, chat: Chat, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {"message_id": params["reply_to_message_id"]}
        if reply is None:
            return None
        if not isinstance(reply, dict):
            raise bad_request("can't parse reply parameters JSON object")
        target_chat = chat
        if reply.get("chat_id") is not None:
            target_chat = self._api_chat(reply["chat_id"])
        stored = self._stored(target_chat.id, reply.get("message_id"))
        if stored is None:
            if reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return self._snapshot(stored)

    def _bot_message(self, chat: Chat, content: JSON, params: JSON, *, reply: JSON | None = None) -> StoredMessage:
        """Store a message from the bot: reply, keyboards, flags; counts it for the rate limits."""
        markup = self._check_markup(params.get("reply_markup"))
        body = dict(content)
        if reply is not None:
            body["reply_to_message"] = reply
        if markup and "inline_keyboard" in markup:
            body["reply_markup"] = markup
        if params.get("protect_content"):
            body["has_protected_content"] = True
        if isinstance(params.get("link_preview_options"), dict) and "text" in body:
            body["link_preview_options"] = params["link_preview_options"]
        stored = self._store_message(chat, self.bot_user, body, from_bot=True)
        if markup and "keyboard" in markup:
            self._reply_keyboards[chat.id] = markup
        elif markup and markup.get("remove_keyboard"):
            self._reply_keyboards[chat.id] = None
        self.rate.record(chat.id)
        return stored

    def _caption(self, params: JSON) -> JSON:
        if params.get("caption") in (None, ""):
            return {}
        formatted = format_text(
            params["caption"], params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        content: JSON = {"caption": formatted.text}
        if formatted.entities:
            content["caption_entities"] = formatted.entities
        return content

    def _editable(self, params: JSON) -> StoredMessage:
        chat = self._api_chat(params.get("chat_id"))
        stored = self._stored(chat.id, params.get("message_id"))
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return stored

    def _apply_edit(self, stored: StoredMessage, changes: JSON, markup: JSON | None, remove: tuple[str, ...]) -> JSON:
        current = {key: stored.data.get(key) for key in (*changes, *remove, "reply_markup")}
        proposed = {**{key: None for key in remove}, **changes, "reply_markup": markup}
        if current == proposed:
            raise bad_request(_NOT_MODIFIED)
        for key in remove:
            stored.data.pop(key, None)
        for key, value in changes.items():
            if value is None:
                stored.data.pop(key, None)
            else:
                stored.data[key] = value
        if markup is None:
            stored.data.pop("reply_markup", None)  # an edit without reply_markup removes the keyboard
        else:
            stored.data["reply_markup"] = markup
        stored.data["edit_date"] = self._now()
        self._touch()
        self._emit("edited", stored)
        return copy.deepcopy(stored.data)

    # ----------------------------------------------------------------- sending
    @api("sendMessage")
    async def m_send_message(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        chat = self._writable_chat(params.get("chat_id"))
        text = params.get("text")
        if text is None or str(text) == "":
            raise bad_request("message text is empty")
        formatted = format_text(text, params.get("parse_mode"), params.get("entities"))
        if not formatted.text:
            raise bad_request("message text is empty")
        content: JSON = {"text": formatted.text}
        if formatted.entities:
            content["entities"] = formatted.entities
        self._check_markup(params.get("reply_markup"))
        reply = self._reply_target(chat, params)
        return copy.deepcopy(self._bot_message(chat, content, params, reply=reply).data)

    @api("sendLocation")
    async def m_send_location(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        chat = self._writable_chat(params.get("chat_id"))
        try:
            location = {"latitude": float(params["latitude"]), "longitude": float(params["longitude"])}
        except (KeyError, TypeError, ValueError):
            raise bad_request("wrong latitude/longitude specified") from None
        reply = self._reply_target(chat, params)
        return copy.deepcopy(self._bot_message(chat, {"location": location}, params, reply=reply).data)

    @api("sendContact")
    async def m_send_contact(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        chat = self._writable_chat(params.get("chat_id"))
        if not params.get("phone_number") or not params.get("first_name"):
            raise bad_request("phone number or first name is empty")
        contact = {k: params[k] for k in ("phone_number", "first_name", "last_name", "vcard") if params.get(k)}
        reply = self._reply_target(chat, params)
        return copy.deepcopy(self._bot_message(chat, {"contact": contact}, params, reply=reply).data)

    @api("copyMessage")
    async def m_copy_message(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        chat = self._writable_chat(params.get("chat_id"))
        source_chat = self._api_chat(params.get("from_chat_id"))
        source = self._stored(source_chat.id, params.get("message_id"))
        if source is None:
            raise bad_request("message to copy not found")
        content = {k: copy.deepcopy(source.data[k]) for k in COPYABLE_FIELDS if k in source.data}
        if not content:
            raise bad_request("message can't be copied")
        if "caption" in params and "text" not in content:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption(params))
        self._check_markup(params.get("reply_markup"))
        reply = self._reply_target(chat, params)
        stored = self._bot_message(chat, content, params, reply=reply)
        stored.copied_from = (source_chat.id, source.message_id)
        return {"message_id": stored.message_id}

    @api("forwardMessage")
    async def m_forward_message(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        chat = self._writable_chat(params.get("chat_id"))
        source_chat = self._api_chat(params.get("from_chat_id"))
        source = self._stored(source_chat.id, params.get("message_id"))
        if source is None:
            raise bad_request("message to forward not found")
        content = {k: copy.deepcopy(source.data[k]) for k in COPYABLE_FIELDS if k in source.data}
        origin = source.data.get("forward_origin") or {
            "type": "user",
            "sender_user": source.data["from"],
            "date": source.data["date"],
        }
        content["forward_origin"] = copy.deepcopy(origin)
        stored = self._bot_message(chat, content, params)
        stored.forwarded_from = (source_chat.id, source.message_id)
        return copy.deepcopy(stored.data)

    @api("sendChatAction")
    async def m_send_chat_action(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        chat = self._writable_chat(params.get("chat_id"))
        self.chat_actions.append({"chat_id": chat.id, "action": params.get("action")})
        return True

    # ----------------------------------------------------------------- editing, deleting
    @api("editMessageText")
    async def m_edit_message_text(self, params: JSON, files: dict[str, UploadPart]) -> JSON | bool:
        formatted = format_text(params.get("text") or "", params.get("parse_mode"), params.get("entities"))
        if not formatted.text:
            raise bad_request("message text is empty")
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        if params.get("inline_message_id"):
            self.inline_edits.append(dict(params))
            return True
        stored = self._editable(params)
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        changes: JSON = {"text": formatted.text, "entities": formatted.entities or None}
        if isinstance(params.get("link_preview_options"), dict):
            changes["link_preview_options"] = params["link_preview_options"]
        return self._apply_edit(stored, changes, markup, ())

    @api("editMessageCaption")
    async def m_edit_message_caption(self, params: JSON, files: dict[str, UploadPart]) -> JSON | bool:
        caption = self._caption(params)
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        if params.get("inline_message_id"):
            self.inline_edits.append(dict(params))
            return True
        stored = self._editable(params)
        if "text" in stored.data:
            raise bad_request("there is no caption in the message to edit")
        changes = {"caption": caption.get("caption"), "caption_entities": caption.get("caption_entities")}
        return self._apply_edit(stored, changes, markup, ())

    @api("editMessageReplyMarkup")
    async def m_edit_message_reply_markup(self, params: JSON, files: dict[str, UploadPart]) -> JSON | bool:
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        if params.get("inline_message_id"):
            self.inline_edits.append(dict(params))
            return True
        return self._apply_edit(self._editable(params), {}, markup, ())

    @api("deleteMessage")
    async def m_delete_message(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        chat = self._api_chat(params.get("chat_id"))
        stored = self._stored(chat.id, params.get("message_id"))
        if stored is None:
            raise bad_request("message to delete not found")
        if not stored.from_bot and not chat.is_private and not chat.bot_is_admin:
            raise bad_request("message can't be deleted")
        stored.deleted = True
        self._touch()
        self._emit("deleted", stored)
        return True

    @api("deleteMessages")
    async def m_delete_messages(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        chat = self._api_chat(params.get("chat_id"))
        for message_id in params.get("message_ids") or []:
            stored = self._stored(chat.id, message_id)
            if stored is not None:
                stored.deleted = True
                self._emit("deleted", stored)
        return True
