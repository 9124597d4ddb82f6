"""The HTML texts of /thongke, /quahan and the daily digest, built from the store's records.

Kept apart from the handlers so they can be unit-tested without Telegram; every value that comes from
bot.yaml or a citizen passes through `esc` here. Durations and numbers are written the Vietnamese way
("2 ngày 3 giờ", "4,5/5").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Deadlines
from bot.format import esc, fmt_time
from bot.reports.labels import KIND_ORDER, STATUS_ORDER, Labels, ordered
from bot.reports.periods import Period
from bot.texts import reports as T
from bot.texts.common import STATUS_ICONS
from storage.records import OverdueItem, Statistics

DIGEST_MAX_ITEMS = 30  # a longer digest would flood the group; /quahan lists everything


def fmt_duration(seconds: float | timedelta) -> str:
    """The two largest units: "2 ngày 3 giờ", "5 giờ 12 phút", "12 phút", "dưới 1 phút"."""
    total = int(seconds.total_seconds() if isinstance(seconds, timedelta) else seconds)
    if total < 60:
        return T.UNDER_A_MINUTE
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts: list[str] = []
    if days:
        parts.append(T.DAYS.format(n=days))
        if hours:
            parts.append(T.HOURS.format(n=hours))
    elif hours:
        parts.append(T.HOURS.format(n=hours))
        if minutes:
            parts.append(T.MINUTES.format(n=minutes))
    else:
        parts.append(T.MINUTES.format(n=minutes))
    return " ".join(parts)


def fmt_decimal(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def fmt_share(share: float) -> str:
    """"40%", "66,7%": one decimal only when it says something."""
    percent = round(share * 100, 1)
    return f"{fmt_decimal(percent, 0 if percent.is_integer() else 1)}%"


def stats_text(stats: Statistics, labels: Labels, period: Period, scope: str) -> str:
    """/thongke: totals by status, kind, topic, place (and committee for all), then the timings."""
    lines = [T.STATS_TITLE.format(scope=esc(scope), period=esc(period.label), total=stats.total)]
    if stats.total == 0:
        lines += ["", T.STATS_EMPTY, "", T.STATS_HINT]
        return "\n".join(lines)

    def section(title: str, counts: dict[str, int] | dict[str | None, int], order: Sequence[str],
                name: object) -> None:
        lines.extend(["", title])
        for key, count in ordered(counts, list(order)):
            label = name(key)  # type: ignore[operator]
            lines.append(T.STATS_LINE.format(label=esc(label), count=count))

    lines.extend(["", T.STATS_BY_STATUS])
    for key, count in ordered(stats.by_status, STATUS_ORDER):
        icon = STATUS_ICONS.get(str(key), "•")
        lines.append(f"{icon} {esc(labels.status(str(key)))}: {count}")
    section(T.STATS_BY_KIND, stats.by_kind, KIND_ORDER, labels.kind)
    section(T.STATS_BY_TOPIC, stats.by_topic, labels.topic_order(), labels.topic)
    section(T.STATS_BY_UNIT, stats.by_unit, labels.unit_order(), labels.unit)
    if stats.committee_id is None and len(stats.by_committee) > 1:
        section(T.STATS_BY_COMMITTEE, stats.by_committee, labels.committee_order(), labels.committee)

    lines.extend(["", T.STATS_TIMING])
    lines.append(T.STATS_MEDIAN_ACK.format(
        value=fmt_duration(stats.median_ack_seconds) if stats.median_ack_seconds is not None else T.NOT_AVAILABLE,
        count=stats.acknowledged))
    lines.append(T.STATS_MEDIAN_RESOLVE.format(
        value=(fmt_duration(stats.median_resolve_seconds) if stats.median_resolve_seconds is not None
               else T.NOT_AVAILABLE),
        count=stats.resolved))
    if stats.on_time_share is None:
        lines.append(T.STATS_ON_TIME_NONE)
    else:
        lines.append(T.STATS_ON_TIME.format(share=fmt_share(stats.on_time_share), on_time=stats.resolved_on_time,
                                            judged=stats.judged_for_deadline))
    if stats.average_rating is None:
        lines.append(T.STATS_RATING_NONE)
    else:
        lines.append(T.STATS_RATING.format(average=fmt_decimal(stats.average_rating), count=stats.ratings))
    lines.extend(["", T.STATS_HINT])
    return "\n".join(lines)


def overdue_lines(items: Sequence[OverdueItem], labels: Labels, tz: ZoneInfo) -> list[str]:
    """One entry per late submission: code, kind, topic, what is late, by how long, and the due time."""
    out: list[str] = []
    for item in items:
        sub = item.submission
        out.append(T.OVERDUE_LINE.format(
            code=esc(sub.code),
            kind=esc(labels.kind(sub.kind)),
            topic=esc(labels.topic(sub.topic_id)),
            what=T.OVERDUE_ACK if item.reason == "acknowledge" else T.OVERDUE_RESOLVE,
            late=fmt_duration(item.overdue_by),
            due=fmt_time(item.due_at, tz),
        ))
    return out


def deadlines_note(deadlines: Deadlines, labels: Labels) -> str:
    extra = "".join(
        T.OVERDUE_DEADLINE_KIND.format(kind=esc(labels.kind(kind)), days=days)
        for kind, days in deadlines.resolve_by_kind.items()
    )
    return T.OVERDUE_DEADLINES.format(ack=deadlines.acknowledge_days, resolve=deadlines.resolve_days, extra=extra)


def overdue_text(items: Sequence[OverdueItem], labels: Labels, tz: ZoneInfo, committee: str,
                 deadlines: Deadlines) -> str:
    """/quahan for one committee (may exceed one message: the caller splits it)."""
    if not items:
        return T.OVERDUE_NONE.format(committee=esc(committee))
    head = T.OVERDUE_TITLE.format(committee=esc(committee), count=len(items))
    return "\n".join([head, "", *overdue_lines(items, labels, tz), "", deadlines_note(deadlines, labels)])


def digest_text(items: Sequence[OverdueItem], labels: Labels, tz: ZoneInfo, committee: str) -> str:
    """The morning reminder: at most DIGEST_MAX_ITEMS entries, the rest counted."""
    shown = list(items[:DIGEST_MAX_ITEMS])
    lines = [T.DIGEST_TITLE.format(committee=esc(committee), count=len(items)), "", *overdue_lines(shown, labels, tz)]
    if len(items) > len(shown):
        lines.append(T.DIGEST_MORE.format(count=len(items) - len(shown)))
    lines.extend(["", T.DIGEST_FOOTER])
    return "\n".join(lines)


def local_date(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).date().isoformat()
