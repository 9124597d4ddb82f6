"""Which committee gets a submission, and which place and topic a citizen's words point to.

Routing follows FixMyStreet's split: places (units) and topics (categories) are independent, and
committees (bodies) are attached to a unit and optionally a set of topics; the resolution order is
`Config.committee_candidates`'s. Pure functions: no Telegram, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.config import Committee, Config, Topic, Unit
from knowledge.normalize import normalize

# Administrative prefixes people leave out when they name a place ("nong ha" for "Xã Nông Hạ").
_LEVEL_PREFIX = re.compile(r"^(?:tinh|thanh pho|tp|huyen|quan|thi xa|xa|phuong|thi tran)\s+")
UNIT_MATCH_THRESHOLD = 80.0  # raw WRatio to be considered at all
UNIT_ACCEPT_SCORE = 78.0  # combined score to be offered ("hà nội" must not look like "nông hạ")
UNIT_IN_TEXT_THRESHOLD = 92.0


def route(config: Config, unit_id: str, topic_id: str | None) -> Committee:
    """The committee responsible for a submission from `unit_id` about `topic_id`."""
    candidates = config.committee_candidates(unit_id, topic_id)
    if not candidates:  # config validation guarantees a route; this is a programming error
        raise LookupError(f"no committee for unit {unit_id!r} and topic {topic_id!r}")
    return candidates[0]


@dataclass(frozen=True)
class UnitMatch:
    unit: Unit
    score: float


class PlaceFinder:
    """Fuzzy lookup of places by name; built once per config because it precomputes folded names."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._names: list[str] = []
        self._owners: list[str] = []
        for unit in config.units.values():
            for name in (unit.name, *unit.aliases):
                folded = normalize(name)
                for variant in {folded, _LEVEL_PREFIX.sub("", folded)}:
                    if variant:
                        self._names.append(variant)
                        self._owners.append(unit.id)

    def find(self, text: str, limit: int = 5) -> list[UnitMatch]:
        """Places whose name matches what the citizen typed, best first ("nong ha" → Xã Nông Hạ)."""
        query = normalize(text)
        if not query:
            return []
        # A typed level word ("xã") narrows nothing by itself; match on the rest as well.
        queries = {query, _LEVEL_PREFIX.sub("", query)} - {""}
        best: dict[str, float] = {}
        for q in queries:
            for _, score, index in process.extract(
                q, self._names, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=UNIT_MATCH_THRESHOLD
            ):
                # Prefer whole-name agreement: "nong ha" must beat "nong thinh" clearly.
                score = min(score, 100.0) * 0.7 + fuzz.ratio(q, self._names[index]) * 0.3
                owner = self._owners[index]
                best[owner] = max(best.get(owner, 0.0), score)
        best = {u: s for u, s in best.items() if s >= UNIT_ACCEPT_SCORE}
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self._config.units[kv[0]].depth * -1))
        return [UnitMatch(self._config.units[u], s) for u, s in ranked[:limit]]

    def mentioned_in(self, text: str) -> Unit | None:
        """A place named inside a longer message ("đường ở xã nông hạ hỏng"), deepest one wins."""
        folded = f" {normalize(text)} "
        hits: list[Unit] = []
        for name, owner in zip(self._names, self._owners, strict=True):
            if len(name) < 4:
                continue
            if f" {name} " in folded or (
                len(name) >= 6 and fuzz.partial_ratio(name, folded) >= UNIT_IN_TEXT_THRESHOLD
                and " " in name
            ):
                hits.append(self._config.units[owner])
        if not hits:
            return None
        return max(hits, key=lambda u: u.depth)


def suggest_topics(config: Config, text: str) -> list[Topic]:
    """Topics ranked by how many of their keywords the text uses; may be empty."""
    folded = f" {normalize(text)} "
    scored: list[tuple[float, int, Topic]] = []
    for order, topic in enumerate(config.topics.values()):
        score = 0.0
        for keyword in topic.keywords:
            key = normalize(keyword)
            if not key:
                continue
            if f" {key} " in folded:
                score += 1.0 + key.count(" ")  # multi-word keywords are stronger evidence
            elif len(key) >= 6 and fuzz.partial_ratio(key, folded) >= 90:
                score += 0.5  # a typo ("o nhiem" for "ô nhiễm" is already folded; "onhiem" is not)
        if score > 0:
            scored.append((score, order, topic))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [topic for _, _, topic in scored]
