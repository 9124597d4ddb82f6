"""What `/trangthai <code>` shows the citizen: one submission, its text and its history.

As many messages as it takes: a long text is never cut (bot.format.split_message splits where
Telegram's own measure says, outside any markup)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.config import Config
from bot.format import esc, fmt_time, split_message
from bot.texts import citizen as T
from bot.texts.common import KIND_LABELS, STATUS_ICONS, STATUS_LABELS


def submission_detail(config: Config, sub: Any, history: Sequence[Any]) -> list[str]:
    """The messages, in order; `history`: the submission's audit trail (status changes are shown)."""
    tz = config.timezone
    committee = config.committees.get(sub.committee_id)
    topic = config.topics.get(sub.topic_id)
    text = T.SUBMISSION_DETAIL.format(
        code=esc(sub.code), kind=KIND_LABELS.get(sub.kind, sub.kind),
        place=esc(config.unit_label(sub.unit_id) if sub.unit_id in config.units else sub.unit_id),
        topic=esc(topic.name if topic else sub.topic_id),
        committee=esc(committee.name if committee else sub.committee_id),
        icon=STATUS_ICONS.get(sub.status, ""), status=STATUS_LABELS.get(sub.status, sub.status),
        date=fmt_time(sub.created_at, tz), text=esc(sub.text),
    )
    changes = [e for e in history if e.to_status]
    if changes:
        text += T.DETAIL_HISTORY
        for event in changes:
            text += "\n" + T.DETAIL_HISTORY_LINE.format(
                date=fmt_time(event.at, tz), what=STATUS_LABELS.get(event.to_status, event.to_status))
    return split_message(text)
