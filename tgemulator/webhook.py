"""Webhook delivery: POSTs pending updates to the URL the bot registered with setWebhook, like Telegram.

Several workers deliver at once (`webhook_concurrency`), but never two updates of one chat, so each chat
stays in order; a refused or failed POST is retried with back-off and reported by getWebhookInfo.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import aiohttp

from tgemulator.core import EmulatorState, WebhookState
from tgemulator.objects import JSON

__all__ = ["WebhookDelivery"]


class WebhookDelivery(EmulatorState):
    """The webhook workers; setWebhook/deleteWebhook (tgemulator/account.py) restart them."""

    def _setup_webhook_delivery(self, concurrency: int, retry_delay: float, timeout: float) -> None:
        """Called once by the server's __init__: delivery options and the workers' bookkeeping."""
        self.webhook_concurrency = max(1, concurrency)
        self.webhook_retry_delay = retry_delay
        self.webhook_timeout = timeout
        self.webhook_deliveries: list[JSON] = []  # {update_id, status, error, time} per POST attempt
        self.webhook_secret_override: str | None = None  # send this secret instead, to test refusal
        self._webhook_tasks: list[asyncio.Task[None]] = []
        self._webhook_session: aiohttp.ClientSession | None = None
        self._webhook_inflight_chats: set[int] = set()

    def _webhook_changed(self) -> None:
        self._updates_signal.fire()
        for task in self._webhook_tasks:
            task.cancel()
        self._webhook_tasks = []
        if self.webhook is not None:
            hook = self.webhook
            self._webhook_tasks = [
                asyncio.create_task(self._webhook_worker(hook), name=f"emulator-webhook-{i}")
                for i in range(self.webhook_concurrency)
            ]

    async def _stop_webhook_workers(self) -> None:
        tasks, self._webhook_tasks = self._webhook_tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._webhook_session is not None:
            await self._webhook_session.close()
            self._webhook_session = None

    @staticmethod
    def _update_chat(update: JSON) -> int | None:
        for key, value in update.items():
            if key == "update_id" or not isinstance(value, dict):
                continue
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if chat:
                return int(chat["id"])
            sender = value.get("from")
            if sender:
                return int(sender["id"])
        return None

    def _next_webhook_update(self) -> JSON | None:
        """The oldest pending update not in flight whose chat has nothing in flight (per-chat order)."""
        for update in self._pending:
            if update["update_id"] in self._webhook_inflight:
                continue
            chat = self._update_chat(update)
            if chat is not None and chat in self._webhook_inflight_chats:
                continue
            return update
        return None

    async def _webhook_worker(self, hook: WebhookState) -> None:
        if self._webhook_session is None or self._webhook_session.closed:
            self._webhook_session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.webhook_timeout))
        session = self._webhook_session
        delay = self.webhook_retry_delay
        while self.webhook is hook and not self._stopping:
            update = self._next_webhook_update()
            if update is None:
                await self._updates_signal.wait(1.0)
                continue
            chat = self._update_chat(update)
            self._webhook_inflight.add(update["update_id"])
            if chat is not None:
                self._webhook_inflight_chats.add(chat)
            status: int | None = None
            error: str | None = None
            headers = {"Content-Type": "application/json"}
            secret = self.webhook_secret_override or hook.secret_token
            if secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            try:
                body = json.dumps(update, ensure_ascii=False).encode("utf-8")
                async with session.post(hook.url, data=body, headers=headers, ssl=False) as response:
                    status = response.status
                    if not 200 <= status <= 299:
                        error = f"Wrong response from the webhook: {status} {response.reason}"
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                error = f"Connection failed: {exc.__class__.__name__}"
            finally:
                self._webhook_inflight.discard(update["update_id"])
                if chat is not None:
                    self._webhook_inflight_chats.discard(chat)
            self.webhook_deliveries.append(
                {"update_id": update["update_id"], "status": status, "error": error, "time": time.monotonic()}
            )
            self._touch()
            if error is None:
                self._pending = [u for u in self._pending if u["update_id"] != update["update_id"]]
                delay = self.webhook_retry_delay
                self._updates_signal.fire()
                self._notify()
                continue
            hook.last_error_date = self._now()
            hook.last_error_message = error
            self._notify()
            await self._stop_signal.wait(delay)
            delay = min(delay * 2, 1.0)
