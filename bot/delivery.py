"""The outbox worker: every card, citizen notification and relayed reply leaves through here.

Rows are written in the same transaction as the action that caused them (storage), so a crash
loses nothing; this worker claims due rows under a lease, sends them, and marks them. Telegram's
answers decide what happens next:

* 429 (RetryAfter): try again after exactly `retry_after`;
* 5xx, timeouts, dropped connections (NetworkError): exponential back-off with jitter;
* 400/403 (BadRequest, Forbidden — e.g. the citizen blocked the bot): permanent, recorded as failed.

Several workers (replicas) may run at once: claiming is atomic in storage, so a row is never sent
twice by two workers. Rows of one chat go out in the order they were written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter

from bot.cards import send_payload
from storage import Store

log = logging.getLogger(__name__)


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Exponential back-off with full jitter: spreads retries of many rows after an outage."""
    return random.uniform(base, min(cap, base * 2 ** max(attempts, 0)))


class OutboxWorker:
    def __init__(
        self,
        store: Store,
        bot: Bot,
        *,
        batch: int = 20,
        lease_seconds: float = 60.0,
        poll_seconds: float = 1.0,
        base_backoff: float = 1.0,
        max_backoff: float = 300.0,
        max_attempts: int = 50,
    ) -> None:
        self.store = store
        self.bot = bot
        self.worker_id = f"w-{uuid.uuid4().hex[:8]}"
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.max_attempts = max_attempts
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def wake(self) -> None:
        """Called after a commit that added rows, so they leave at once instead of at the next poll."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name=f"outbox-{self.worker_id}")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run(self) -> None:
        while not self._stopping:
            try:
                sent = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be briefly unavailable: keep the loop alive
                log.exception("outbox pass failed; retrying")
                sent = 0
            if sent == 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def run_once(self) -> int:
        """One claim-send-mark pass; returns how many rows were handled."""
        now = datetime.now(UTC)
        rows = await self.store.claim_outbox(
            self.worker_id, limit=self.batch, now=now, lease_seconds=self.lease_seconds
        )
        blocked: dict[int, datetime] = {}  # chat -> retry time: keep a chat's order after a failure
        for row in rows:
            if row.chat_id in blocked:
                await self.store.mark_retry(row.id, "waiting for an earlier message", blocked[row.chat_id])
                continue
            retry_at = await self._deliver(row)
            if retry_at is not None:
                blocked[row.chat_id] = retry_at
        return len(rows)

    async def _deliver(self, row: Any) -> datetime | None:
        payload = dict(row.payload)
        if row.after_message_id is not None and "reply_parameters" not in payload:
            # Threaded under the message it follows (an attachment under its card).
            payload["reply_parameters"] = {"message_id": row.after_message_id, "allow_sending_without_reply": True}
        try:
            result = await send_payload(self.bot, row.method, payload)
        except RetryAfter as exc:
            with warnings.catch_warnings():  # int in PTB 22 (with a deprecation warning), timedelta later
                warnings.simplefilter("ignore")
                delay = exc.retry_after
            seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
            return await self._retry(row, f"429 retry after {seconds}s", seconds)
        except (BadRequest, Forbidden, ChatMigrated, InvalidToken) as exc:
            if isinstance(exc, BadRequest) and _is_lost_reply_target(exc) and "reply_parameters" in payload:
                # The card it answered was deleted: deliver without threading rather than not at all.
                payload = {k: v for k, v in payload.items() if k != "reply_parameters"}
                try:
                    result = await send_payload(self.bot, row.method, payload)
                except NetworkError as retry_exc:
                    return await self._retry(row, str(retry_exc), None)
                await self._record_sent(row, result)
                return None
            log.warning("outbox %s to %s failed for good: %s", row.id, row.chat_id, exc)
            await self.store.mark_failed(row.id, f"{type(exc).__name__}: {exc}")
            return None
        except NetworkError as exc:  # 5xx, timeouts, dropped connections
            return await self._retry(row, f"{type(exc).__name__}: {exc}", None)
        await self._record_sent(row, result)
        return None

    async def _record_sent(self, row: Any, result: Any) -> None:
        """The message is out; if the database is briefly unavailable, keep trying to record that.

        Giving up at once would leave the row pending, and it would be sent again once its lease
        expired: a committee would see the card twice. Tries for up to `lease_seconds`; a longer outage
        is the same at-least-once case as an answer lost on the network.
        """
        deadline = time.monotonic() + self.lease_seconds
        delay = 0.05
        while True:
            try:
                await self.store.mark_sent(row.id, _message_id(result))
                return
            except Exception:
                if self._stopping or time.monotonic() + delay > deadline:
                    raise
                log.warning("outbox %s was sent but cannot be recorded yet; retrying", row.id, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    async def _retry(self, row: Any, error: str, seconds: float | None) -> datetime | None:
        if row.attempts + 1 >= self.max_attempts:
            await self.store.mark_failed(row.id, f"gave up after {row.attempts + 1} attempts: {error}")
            return None
        if seconds is None:
            seconds = backoff_seconds(row.attempts, self.base_backoff, self.max_backoff)
        when = datetime.now(UTC) + timedelta(seconds=seconds)
        await self.store.mark_retry(row.id, error, when)
        return when


def _message_id(result: Any) -> int | None:
    if isinstance(result, dict):
        value = result.get("message_id")
        return int(value) if isinstance(value, int) else None
    return None


def _is_lost_reply_target(exc: BadRequest) -> bool:
    text = str(exc).lower()
    return "replied" in text or ("reply" in text and "not found" in text)
