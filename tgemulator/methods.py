"""The Bot API methods the bot calls, answered with Telegram's own results and error wordings.

Validation is deliberately as strict as the real server where bots usually go wrong (parse modes,
4096 characters, 64-byte callback data, "message is not modified", editing without reply_markup
removing the keyboard), so those bugs surface in tests.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from tgemulator.core import COPYABLE_FIELDS, EmulatorState, WebhookState
from tgemulator.markup import (
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    EntityParseError,
    FormattedText,
    parse_formatted,
)
from tgemulator.objects import JSON, Chat, SentFile, StoredFile, StoredMessage, bad_request
from tgemulator.params import UploadPart

__all__ = ["API_METHODS", "SENDING_METHODS", "BotApiMethods"]

Handler = Callable[[JSON, dict[str, UploadPart]], Awaitable[Any]]

# lower-cased name -> (canonical name, attribute)
API_METHODS: dict[str, tuple[str, str]] = {}
# Methods that put messages into a chat: what Telegram's sending limits count.
SENDING_METHODS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendVoice", "sendAudio", "sendVideo", "sendAnimation",
        "sendSticker", "sendLocation", "sendContact", "sendMediaGroup", "copyMessage", "forwardMessage",
    }
)  # fmt: skip
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

_INLINE_ACTIONS = frozenset(
    {
        "callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat", "login_url", "web_app", "pay", "callback_game", "copy_text",
    }
)  # fmt: skip
_MEDIA_KINDS = ("photo", "document", "voice", "audio", "video", "animation", "sticker")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def api(name: str) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """Register a handler under its Bot API name (Telegram matches method names case-insensitively)."""

    def register(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        API_METHODS[name.lower()] = (name, fn.__name__)
        return fn

    return register


def _formatted(text: Any, parse_mode: Any, entities: Any, *, caption: bool = False) -> FormattedText:
    try:
        result = parse_formatted(str(text), parse_mode, entities if isinstance(entities, list) else None)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
    if len(result.text) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return result


def _image_size(data: bytes) -> tuple[int, int]:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:  # not an image Pillow knows: Telegram would still accept a document-ish photo
        return 512, 512


def photo_sizes(file: StoredFile, width: int, height: int, new_file: Callable[[], StoredFile]) -> list[JSON]:
    """Several PhotoSize objects, smallest first, as Telegram produces for one photo."""
    sizes: list[JSON] = []
    for target in (90, 320, 800):
        if target < width:
            thumb = new_file()
            sizes.append(
                {
                    "file_id": thumb.file_id,
                    "file_unique_id": thumb.file_unique_id,
                    "file_size": len(thumb.data),
                    "width": target,
                    "height": max(1, round(height * target / width)),
                }
            )
    sizes.append(
        {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": len(file.data),
            "width": width,
            "height": height,
        }
    )
    return sizes


class BotApiMethods(EmulatorState):
    """Handlers for the Bot API; each takes (params, files) and returns the `result` or raises ApiError."""

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

    def _upload(
        self, kind: str, params: JSON, files: dict[str, UploadPart], field: str | None = None
    ) -> tuple[StoredFile, UploadPart | None]:
        """The file a send method refers to: an upload, a known file_id, or an (unfetched) URL."""
        field = field or kind
        value = params.get(field)
        part = files.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            part = files.get(value[len("attach://") :])
            if part is None:
                raise bad_request(f"file of field {value} not found")
        if part is not None:
            mime = part.content_type if part.content_type != "application/octet-stream" else None
            return self._new_file(kind, part.data, file_name=part.filename, mime_type=mime), part
        if isinstance(value, str) and value in self.files:
            return self.files[value], None
        if isinstance(value, str) and re.match(r"https?://", value):
            # Nothing leaves the machine: a URL is recorded, never fetched.
            name = urlsplit(value).path.rsplit("/", 1)[-1] or None
            return self._new_file(kind, b"", file_name=name), None
        if value in (None, ""):
            raise bad_request(f"there is no {kind} in the request")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _media_content(self, kind: str, file: StoredFile, params: JSON) -> JSON:
        if kind == "photo":
            width, height = _image_size(file.data)
            return {"photo": photo_sizes(file, width, height, lambda: self._new_file("photo", file.data))}
        base: JSON = {"file_id": file.file_id, "file_unique_id": file.file_unique_id, "file_size": len(file.data)}
        if kind == "document":
            if file.file_name:
                base["file_name"] = file.file_name
            if file.mime_type:
                base["mime_type"] = file.mime_type
        elif kind in ("voice", "audio", "video", "animation"):
            base["duration"] = int(params.get("duration") or 0)
            if kind == "voice":
                base["mime_type"] = "audio/ogg"
            if kind in ("video", "animation"):
                base["width"] = int(params.get("width") or 640)
                base["height"] = int(params.get("height") or 360)
        elif kind == "sticker":
            base.update({"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False})
            if params.get("emoji"):
                base["emoji"] = params["emoji"]
        return {kind: base}

    def _caption(self, params: JSON) -> JSON:
        if params.get("caption") in (None, ""):
            return {}
        formatted = _formatted(
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

    def _member_json(self, chat: Chat, user_id: int) -> JSON:
        if user_id == self.bot_id:
            user = self.bot_user
            if not chat.bot_is_member:
                status = "left"
            else:
                status = "administrator" if chat.bot_is_admin else "member"
        else:
            if user_id not in self.users:
                raise bad_request("user not found")
            user = self.users[user_id]
            if chat.is_private:
                status = "member" if user_id == chat.id else "left"
            else:
                status = chat.members.get(user_id, "left")
        data: JSON = {"status": status, "user": user.to_dict()}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(
                {
                    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                    "can_delete_messages": True, "can_manage_video_chats": True, "can_restrict_members": True,
                    "can_promote_members": False, "can_change_info": True, "can_invite_users": True,
                    "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False,
                    "can_pin_messages": True,
                }
            )  # fmt: skip
        elif status == "kicked":
            data["until_date"] = 0
        return data

    # ----------------------------------------------------------------- bot, webhook, commands
    @api("getMe")
    async def m_get_me(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return {
            **self.bot_user.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @api("logOut")
    async def m_log_out(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        return True

    @api("close")
    async def m_close(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        return True

    @api("setWebhook")
    async def m_set_webhook(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            await self.m_delete_webhook(params, files)
            return True
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname not in LOCAL_HOSTS:
            raise bad_request("bad webhook: the emulator delivers only to 127.0.0.1")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._set_allowed_updates(params.get("allowed_updates"))
        self.webhook = WebhookState(
            url=url,
            secret_token=None if secret is None else str(secret),
            max_connections=int(params.get("max_connections") or 40),
            ip_address=params.get("ip_address"),
            has_custom_certificate="certificate" in files,
        )
        self._webhook_changed()
        return True

    @api("deleteWebhook")
    async def m_delete_webhook(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self.webhook = None
        self._webhook_changed()
        return True

    def _webhook_changed(self) -> None:
        """Hook for the server: start or stop webhook delivery."""

    @api("getWebhookInfo")
    async def m_get_webhook_info(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        hook = self.webhook
        info: JSON = {
            "url": hook.url if hook else "",
            "has_custom_certificate": bool(hook and hook.has_custom_certificate),
            "pending_update_count": len(self._pending),
        }
        if hook:
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    @api("setMyCommands")
    async def m_set_my_commands(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.my_commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    @api("getMyCommands")
    async def m_get_my_commands(self, params: JSON, files: dict[str, UploadPart]) -> list[JSON]:
        return copy.deepcopy(self.my_commands.get(self._commands_key(params), []))

    @api("deleteMyCommands")
    async def m_delete_my_commands(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        self.my_commands.pop(self._commands_key(params), None)
        return True

    # ----------------------------------------------------------------- sending
    @api("sendMessage")
    async def m_send_message(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        chat = self._writable_chat(params.get("chat_id"))
        text = params.get("text")
        if text is None or str(text) == "":
            raise bad_request("message text is empty")
        formatted = _formatted(text, params.get("parse_mode"), params.get("entities"))
        if not formatted.text:
            raise bad_request("message text is empty")
        content: JSON = {"text": formatted.text}
        if formatted.entities:
            content["entities"] = formatted.entities
        self._check_markup(params.get("reply_markup"))
        reply = self._reply_target(chat, params)
        return copy.deepcopy(self._bot_message(chat, content, params, reply=reply).data)

    async def _send_media(self, kind: str, params: JSON, files: dict[str, UploadPart], method: str) -> JSON:
        chat = self._writable_chat(params.get("chat_id"))
        caption = self._caption(params)
        self._check_markup(params.get("reply_markup"))
        reply = self._reply_target(chat, params)
        file, part = self._upload(kind, params, files)
        stored = self._bot_message(chat, {**self._media_content(kind, file, params), **caption}, params, reply=reply)
        if part is not None:
            self.sent_files.append(
                SentFile(
                    method,
                    chat.id,
                    stored.message_id,
                    kind,
                    part.filename,
                    part.data,
                    part.content_type,
                    caption.get("caption"),
                    file.file_id,
                )
            )
        return copy.deepcopy(stored.data)

    @api("sendPhoto")
    async def m_send_photo(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("photo", params, files, "sendPhoto")

    @api("sendDocument")
    async def m_send_document(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("document", params, files, "sendDocument")

    @api("sendVoice")
    async def m_send_voice(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("voice", params, files, "sendVoice")

    @api("sendAudio")
    async def m_send_audio(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("audio", params, files, "sendAudio")

    @api("sendVideo")
    async def m_send_video(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("video", params, files, "sendVideo")

    @api("sendAnimation")
    async def m_send_animation(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("animation", params, files, "sendAnimation")

    @api("sendSticker")
    async def m_send_sticker(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("sticker", params, files, "sendSticker")

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

    @api("sendMediaGroup")
    async def m_send_media_group(self, params: JSON, files: dict[str, UploadPart]) -> list[JSON]:
        chat = self._writable_chat(params.get("chat_id"))
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("wrong number of messages to send as an album")
        reply = self._reply_target(chat, params)
        group_id = f"emu{self._next_update_id}{chat.id}"
        prepared = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in ("photo", "document", "audio", "video"):
                raise bad_request("can't parse InputMedia JSON object")
            kind = item["type"]
            caption = self._caption(item)
            file, part = self._upload(kind, {kind: item.get("media")}, files)
            prepared.append((kind, file, part, caption))
        results = []
        for kind, file, part, caption in prepared:
            content = {**self._media_content(kind, file, {}), **caption, "media_group_id": group_id}
            stored = self._bot_message(chat, content, {}, reply=reply)
            if part is not None:
                self.sent_files.append(
                    SentFile(
                        "sendMediaGroup",
                        chat.id,
                        stored.message_id,
                        kind,
                        part.filename,
                        part.data,
                        part.content_type,
                        caption.get("caption"),
                        file.file_id,
                    )
                )
            results.append(copy.deepcopy(stored.data))
        return results

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
        formatted = _formatted(params.get("text") or "", params.get("parse_mode"), params.get("entities"))
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

    # ----------------------------------------------------------------- queries
    @api("answerCallbackQuery")
    async def m_answer_callback_query(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self.callback_queries or query_id in self.callback_answers:
            raise bad_request(_QUERY_TOO_OLD)
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = dict(params)
        self._notify()
        return True

    @api("answerInlineQuery")
    async def m_answer_inline_query(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        if query_id not in self.inline_queries or query_id in self.inline_answers:
            raise bad_request(_QUERY_TOO_OLD)
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse results JSON object")
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict) or "type" not in result:
                raise bad_request("can't parse InlineQueryResult JSON object")
            result_id = str(result.get("id", ""))
            if not 1 <= len(result_id.encode()) <= 64:
                raise bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            content = result.get("input_message_content")
            if isinstance(content, dict) and "message_text" in content:
                _formatted(content["message_text"], content.get("parse_mode"), content.get("entities"))
        self.inline_answers[query_id] = dict(params)
        self._notify()
        return True

    # ----------------------------------------------------------------- files, chats
    @api("getFile")
    async def m_get_file(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        stored = self.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.to_file_json()

    @api("getChat")
    async def m_get_chat(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        chat = self._api_chat(params.get("chat_id"))
        return {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                "premium_subscription": False, "gifts_from_channels": False,
            },
        }  # fmt: skip

    @api("getChatMember")
    async def m_get_chat_member(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        chat = self._api_chat(params.get("chat_id"))
        try:
            user_id = int(params.get("user_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise bad_request("invalid user_id specified") from None
        return self._member_json(chat, user_id)

    @api("getChatAdministrators")
    async def m_get_chat_administrators(self, params: JSON, files: dict[str, UploadPart]) -> list[JSON]:
        chat = self._api_chat(params.get("chat_id"))
        ids = [uid for uid, status in chat.members.items() if status in ("creator", "administrator")]
        if chat.bot_is_admin and chat.bot_is_member:
            ids.append(self.bot_id)
        return [self._member_json(chat, uid) for uid in ids]

    @api("getChatMemberCount")
    async def m_get_chat_member_count(self, params: JSON, files: dict[str, UploadPart]) -> int:
        chat = self._api_chat(params.get("chat_id"))
        if chat.is_private:
            return 2
        active = [s for s in chat.members.values() if s in ("creator", "administrator", "member", "restricted")]
        return len(active) + (1 if chat.bot_is_member else 0)

    @api("leaveChat")
    async def m_leave_chat(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        chat = self._api_chat(params.get("chat_id"))
        if chat.is_private:
            raise bad_request("chat member status can't be changed in private chats")
        chat.bot_is_member = False
        self._notify()
        return True

    @api("pinChatMessage")
    async def m_pin_chat_message(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        chat = self._writable_chat(params.get("chat_id"))
        if self._stored(chat.id, params.get("message_id")) is None:
            raise bad_request("message to pin not found")
        return True

    @api("unpinChatMessage")
    async def m_unpin_chat_message(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        self._writable_chat(params.get("chat_id"))
        return True

    @api("setMyDescription")
    async def m_set_my_description(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        return True

    @api("setMyShortDescription")
    async def m_set_my_short_description(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        return True

    @api("setChatMenuButton")
    async def m_set_chat_menu_button(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        return True
