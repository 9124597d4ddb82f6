"""Fault injection: the failures a bot meets in production, on demand and reproducibly.

"Never lose a submission" is only testable if 429s, 5xx, timeouts and dropped connections can be
produced at will (by method and count) or statistically (by seeded probability) and then counted.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["DEFAULT_EXEMPT_METHODS", "FaultInjector", "FaultKind", "FaultRule"]


class FaultKind(StrEnum):
    """What the emulator does instead of (or, for TIMEOUT/DROP with takes_effect, after) answering."""

    RETRY_AFTER = "retry_after"  # 429 Too Many Requests with parameters.retry_after
    SERVER_ERROR = "server_error"  # 500 Internal Server Error (JSON body)
    BAD_GATEWAY = "bad_gateway"  # 502 from the front proxy (HTML body, like nginx)
    TIMEOUT = "timeout"  # hold the request `hold` seconds before answering
    DROP = "drop"  # close the socket without answering


_ALIASES = {
    "429": FaultKind.RETRY_AFTER,
    "500": FaultKind.SERVER_ERROR,
    "502": FaultKind.BAD_GATEWAY,
}

# A rule without `methods` applies to the bot's actions, not to the plumbing PTB needs to run at all.
DEFAULT_EXEMPT_METHODS = frozenset(
    {"getupdates", "getme", "setwebhook", "deletewebhook", "getwebhookinfo", "close", "logout"}
)


@dataclass
class FaultRule:
    """One fault source. `times=None` means unlimited; `probability=None` means every matching call.

    `skip` lets that many matching calls through first (e.g. fail the 3rd sendMessage only).
    `takes_effect` (TIMEOUT/DROP only) applies the request before failing: the dangerous case where
    Telegram did deliver but the bot never heard back.
    """

    kind: FaultKind
    methods: frozenset[str] | None = None  # lower-cased method names; None = all but the exempt ones
    times: int | None = 1
    probability: float | None = None
    retry_after: int = 1
    hold: float = 10.0
    takes_effect: bool = False
    chat_id: int | str | None = None
    skip: int = 0
    injected: int = 0
    seen: int = field(default=0, repr=False)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.injected >= self.times

    def matches(self, method: str, chat_id: object) -> bool:
        name = method.lower()
        if self.methods is None:
            if name in DEFAULT_EXEMPT_METHODS:
                return False
        elif name not in self.methods:
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)


@dataclass
class InjectedFault:
    """A fault chosen for one request."""

    rule: FaultRule
    kind: FaultKind
    method: str


class FaultInjector:
    """Holds the rules, decides per request (seeded, so a benchmark run is repeatable) and counts."""

    def __init__(self, seed: int | None = 0) -> None:
        self.rules: list[FaultRule] = []
        self.rng = random.Random(seed)
        self.counts: Counter[tuple[str, FaultKind]] = Counter()

    def add(
        self,
        kind: FaultKind | str,
        methods: str | Iterable[str] | None = None,
        *,
        times: int | None = 1,
        probability: float | None = None,
        retry_after: int = 1,
        hold: float = 10.0,
        takes_effect: bool = False,
        chat_id: object = None,
        skip: int = 0,
    ) -> FaultRule:
        """Add a rule; with `probability` and no explicit `times`, it fires without limit.

        `chat_id` limits it to one chat: an id, "@username", or a User/Chat object of the emulator.
        """
        chat_id = getattr(chat_id, "id", chat_id)
        fault = _ALIASES.get(str(kind), None) or FaultKind(kind)
        if isinstance(methods, str):
            methods = [methods]
        if probability is not None and times == 1:
            times = None
        rule = FaultRule(
            kind=fault,
            methods=None if methods is None else frozenset(m.lower() for m in methods),
            times=times,
            probability=probability,
            retry_after=retry_after,
            hold=hold,
            takes_effect=takes_effect,
            chat_id=chat_id,  # type: ignore[arg-type]
            skip=skip,
        )
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule (counts are kept: they describe what already happened)."""
        self.rules.clear()

    def pick(self, method: str, chat_id: object) -> InjectedFault | None:
        """The fault for this request, if any; counts it."""
        for rule in self.rules:
            if rule.exhausted or not rule.matches(method, chat_id):
                continue
            rule.seen += 1
            if rule.seen <= rule.skip:
                continue
            if rule.probability is not None and self.rng.random() >= rule.probability:
                continue
            rule.injected += 1
            self.counts[(method, rule.kind)] += 1
            return InjectedFault(rule, rule.kind, method)
        return None

    def record(self, method: str, kind: FaultKind) -> None:
        """Count a fault the emulator produced by itself (e.g. an enforced rate limit)."""
        self.counts[(method, kind)] += 1

    def count(self, kind: FaultKind | str | None = None, method: str | None = None) -> int:
        """How many faults were injected, optionally only of one kind and/or for one method."""
        wanted = None if kind is None else (_ALIASES.get(str(kind)) or FaultKind(kind))
        return sum(
            n
            for (m, k), n in self.counts.items()
            if (wanted is None or k == wanted) and (method is None or m.lower() == method.lower())
        )
