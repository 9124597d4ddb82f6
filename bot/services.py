"""What every handler needs, built once at start-up and kept in `application.bot_data`, and the
typed context that hands it to handlers as `context.services`."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.config import Config
from bot.routing import PlaceFinder
from knowledge.loader import KnowledgeBase
from knowledge.search import SearchIndex
from storage import Store

if TYPE_CHECKING:
    from bot.delivery import OutboxWorker

SERVICES_KEY = "services"


class UserRateLimiter:
    """Sliding one-minute window per user; in memory, so each replica limits on its own."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[int, deque[float]] = defaultdict(deque)
        self._warned: dict[int, float] = {}

    def allow(self, user_id: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        window = self._hits[user_id]
        while window and now - window[0] > 60.0:
            window.popleft()
        if len(window) >= self.per_minute:
            return False
        window.append(now)
        return True

    def should_warn(self, user_id: int, now: float | None = None) -> bool:
        """Tell a flooding user once per window, then stay silent (answering a flood is a flood)."""
        now = time.monotonic() if now is None else now
        if now - self._warned.get(user_id, -1e9) > 60.0:
            self._warned[user_id] = now
            return True
        return False


@dataclass
class Services:
    config: Config
    store: Store
    kb: KnowledgeBase
    index: SearchIndex
    places: PlaceFinder
    limiter: UserRateLimiter
    workers: list[OutboxWorker] = field(default_factory=list)

    def wake_delivery(self) -> None:
        for worker in self.workers:
            worker.wake()

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.config.admins


class HopthuContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context every handler and job receives (see CONTEXT_TYPES): `services` is typed."""

    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]


CONTEXT_TYPES = ContextTypes(context=HopthuContext)
