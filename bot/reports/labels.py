"""Ids stored in the database -> the Vietnamese names officials read, from bot.yaml and bot/texts.

A report may cover submissions whose topic, place or committee was later removed from bot.yaml; the
raw id is then shown rather than failing, so an old quarter can always be exported.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Config
from bot.texts import reports as T
from bot.texts.common import KIND_LABELS, STATUS_LABELS
from storage.statuses import SubmissionStatus

# The order statuses are listed in, everywhere: the life of a submission.
STATUS_ORDER: tuple[SubmissionStatus, ...] = tuple(SubmissionStatus)
KIND_ORDER: tuple[str, ...] = tuple(KIND_LABELS)


@dataclass(frozen=True)
class Labels:
    config: Config

    def kind(self, kind: str) -> str:
        return KIND_LABELS.get(str(kind), str(kind))

    def status(self, status: str) -> str:
        return STATUS_LABELS.get(str(status), str(status))

    def topic(self, topic_id: str | None) -> str:
        if topic_id is None:
            return T.NO_TOPIC
        topic = self.config.topics.get(topic_id)
        return topic.name if topic else topic_id

    def unit(self, unit_id: str | None) -> str:
        """The place's own name ("Xã Nông Hạ"): short enough for a chart or a list."""
        if unit_id is None:
            return T.NO_UNIT
        unit = self.config.units.get(unit_id)
        return unit.name if unit else unit_id

    def unit_full(self, unit_id: str | None) -> str:
        """"Xã Nông Hạ, Huyện Chợ Mới, Tỉnh Bắc Kạn": unambiguous in a spreadsheet."""
        if unit_id is None:
            return T.NO_UNIT
        return self.config.unit_label(unit_id) if unit_id in self.config.units else unit_id

    def committee(self, committee_id: str | None) -> str:
        if committee_id is None:
            return T.SCOPE_ALL
        committee = self.config.committees.get(committee_id)
        return committee.name if committee else committee_id

    def topic_order(self) -> list[str]:
        return list(self.config.topics)

    def unit_order(self) -> list[str]:
        return list(self.config.units)

    def committee_order(self) -> list[str]:
        return list(self.config.committees)


def ordered(counts: dict[str | None, int] | dict[str, int], order: list[str] | tuple[str, ...]) -> list[
        tuple[str | None, int]]:
    """Counts in the order of bot.yaml (then anything unknown, then None), zero counts left out."""
    rank = {key: i for i, key in enumerate(order)}
    items = [(k, v) for k, v in counts.items() if v]
    return sorted(items, key=lambda kv: (kv[0] is None, rank.get(kv[0], len(rank)) if kv[0] is not None else 0,
                                         str(kv[0])))
