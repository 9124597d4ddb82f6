"""Bot API methods about chats and members, and the answers to users' button presses and inline queries."""

from __future__ import annotations

from tgemulator.core import EmulatorState
from tgemulator.objects import JSON, Chat, bad_request
from tgemulator.params import UploadPart
from tgemulator.registry import api, format_text

__all__ = ["ChatMethods"]

_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class ChatMethods(EmulatorState):
    """Handlers for chats, members, callback and inline answers."""

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
                format_text(content["message_text"], content.get("parse_mode"), content.get("entities"))
        self.inline_answers[query_id] = dict(params)
        self._notify()
        return True

    # ----------------------------------------------------------------- chats
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
