"""Telegram's sending limits, checked on what the bot actually sent.

The limits are undocumented in detail; the figures are Telegram's FAQ: about 30 messages per second
overall, 20 per minute into one group, and about one per second into one private chat, where short
bursts are tolerated (modelled as a token bucket). Tests and benchmarks assert there are no violations;
`BotApiEmulator(enforce_rate_limits=True)` answers 429 instead, like the real server under abuse.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["RateLimitChecker", "RateLimits", "Violation"]


@dataclass(frozen=True)
class RateLimits:
    """The thresholds; `private_burst` is how many messages a private chat may get back to back."""

    overall_per_second: int = 30
    group_per_minute: int = 20
    private_per_second: float = 1.0
    private_burst: int = 3


@dataclass(frozen=True)
class Violation:
    """One message that went over a limit: `scope` is "overall", "group" or "private"."""

    scope: str
    chat_id: int | None
    at: float
    detail: str


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimitChecker:
    """Sliding windows for overall and per-group limits, a token bucket per private chat."""

    limits: RateLimits = field(default_factory=RateLimits)
    clock: Callable[[], float] = time.monotonic
    violations: list[Violation] = field(default_factory=list)
    sent: int = 0
    _overall: deque[float] = field(default_factory=deque)
    _groups: dict[int, deque[float]] = field(default_factory=dict)
    _private: dict[int, _Bucket] = field(default_factory=dict)

    def _prune(self, now: float) -> None:
        while self._overall and now - self._overall[0] >= 1.0:
            self._overall.popleft()
        for window in self._groups.values():
            while window and now - window[0] >= 60.0:
                window.popleft()

    def _bucket(self, chat_id: int, now: float) -> _Bucket:
        bucket = self._private.setdefault(chat_id, _Bucket(float(self.limits.private_burst), now))
        refill = (now - bucket.updated) * self.limits.private_per_second
        bucket.tokens = min(float(self.limits.private_burst), bucket.tokens + refill)
        bucket.updated = now
        return bucket

    def check(self, chat_id: int, now: float | None = None) -> list[Violation]:
        """The violations one more message into `chat_id` would cause now (nothing is recorded)."""
        now = self.clock() if now is None else now
        self._prune(now)
        found: list[Violation] = []
        if len(self._overall) >= self.limits.overall_per_second:
            found.append(Violation("overall", None, now, f"> {self.limits.overall_per_second} messages/s"))
        if chat_id < 0:
            window = self._groups.get(chat_id, deque())
            if len(window) >= self.limits.group_per_minute:
                found.append(Violation("group", chat_id, now, f"> {self.limits.group_per_minute} messages/min"))
        elif self._bucket(chat_id, now).tokens < 1.0:
            found.append(Violation("private", chat_id, now, f"> {self.limits.private_per_second} messages/s"))
        return found

    def retry_after(self, chat_id: int, now: float | None = None) -> int:
        """Whole seconds until one more message into `chat_id` is within every limit (at least 1)."""
        now = self.clock() if now is None else now
        self._prune(now)
        wait = 0.0
        if len(self._overall) >= self.limits.overall_per_second:
            wait = max(wait, 1.0 - (now - self._overall[0]))
        if chat_id < 0:
            window = self._groups.get(chat_id, deque())
            if len(window) >= self.limits.group_per_minute:
                wait = max(wait, 60.0 - (now - window[0]))
        else:
            bucket = self._bucket(chat_id, now)
            if bucket.tokens < 1.0:
                wait = max(wait, (1.0 - bucket.tokens) / self.limits.private_per_second)
        return max(1, math.ceil(wait))

    def record(self, chat_id: int, now: float | None = None) -> list[Violation]:
        """Account one message sent into `chat_id`; returns (and keeps) the violations it caused."""
        now = self.clock() if now is None else now
        found = self.check(chat_id, now)
        self.violations.extend(found)
        self.sent += 1
        self._overall.append(now)
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(now)
        else:
            bucket = self._bucket(chat_id, now)
            bucket.tokens = max(0.0, bucket.tokens - 1.0)
        return found

    def reset(self) -> None:
        """Forget history and violations, e.g. between benchmark phases."""
        self.violations.clear()
        self.sent = 0
        self._overall.clear()
        self._groups.clear()
        self._private.clear()
