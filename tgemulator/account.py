"""Bot API methods about the bot itself: identity, webhook registration, command lists, descriptions.

Webhook *delivery* (POSTing updates to the bot) is tgemulator/webhook.py; this only records what the bot asked.
"""

from __future__ import annotations

import copy
import json
import re
from urllib.parse import urlsplit

from tgemulator.core import EmulatorState, WebhookState
from tgemulator.objects import JSON, bad_request
from tgemulator.params import UploadPart
from tgemulator.registry import LOCAL_HOSTS, api

__all__ = ["AccountMethods", "commands_key"]

_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def commands_key(params: JSON) -> tuple[str, str]:
    """setMyCommands keeps one list per (scope, language); the scope dict is the key, as JSON."""
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


class AccountMethods(EmulatorState):
    """Handlers for the bot's own settings."""

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
        self.my_commands[commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    @api("getMyCommands")
    async def m_get_my_commands(self, params: JSON, files: dict[str, UploadPart]) -> list[JSON]:
        return copy.deepcopy(self.my_commands.get(commands_key(params), []))

    @api("deleteMyCommands")
    async def m_delete_my_commands(self, params: JSON, files: dict[str, UploadPart]) -> bool:
        self.my_commands.pop(commands_key(params), None)
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
