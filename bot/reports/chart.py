"""The period report as a picture: submissions per month by status, and per topic.

Rendered with matplotlib's object API on the Agg canvas (no pyplot, no display, no global state), so
two reports built at once in the bot's event loop threads cannot draw on each other's figure. DejaVu
Sans ships with matplotlib and has every Vietnamese diacritic; it is set explicitly so a system font
without them is never picked.
"""

from __future__ import annotations

import io
import textwrap
from collections import Counter
from collections.abc import Sequence
from datetime import UTC
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")  # before anything imports pyplot; harmless if it never does

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.reports.labels import STATUS_ORDER, Labels, ordered
from bot.reports.periods import Period
from bot.texts import reports as T
from storage.records import ExportRow
from storage.statuses import SubmissionStatus

PNG_MIME = "image/png"
FONT_FAMILY = "DejaVu Sans"
STATUS_COLOURS: dict[SubmissionStatus, str] = {
    SubmissionStatus.NEW: "#4e79a7",
    SubmissionStatus.ACKNOWLEDGED: "#76b7b2",
    SubmissionStatus.IN_PROGRESS: "#f28e2b",
    SubmissionStatus.ANSWERED: "#edc948",
    SubmissionStatus.RESOLVED: "#59a14f",
    SubmissionStatus.FORWARDED: "#b07aa1",
    SubmissionStatus.OUT_OF_SCOPE: "#9c755f",
}
TOPIC_COLOUR = "#4e79a7"


def build_chart(rows: Sequence[ExportRow], labels: Labels, *, tz: ZoneInfo, period: Period, scope: str,
                dpi: int = 110) -> bytes:
    """A PNG with a stacked bar per month (colour = status) above horizontal bars per topic."""
    months = period.months()
    month_index = {ym: i for i, ym in enumerate(months)}
    per_status: dict[str, list[int]] = {status: [0] * len(months) for status in STATUS_ORDER}
    for row in rows:
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        moment = created.astimezone(tz)
        slot = month_index.get((moment.year, moment.month))
        if slot is None:
            continue  # outside the period: the caller filtered already, be tolerant anyway
        per_status.setdefault(str(row.status), [0] * len(months))[slot] += 1
    topics = ordered(dict(Counter(r.topic_id for r in rows)), labels.topic_order())

    topic_rows = max(len(topics), 1)
    height = 4.6 + 0.42 * topic_rows
    figure = Figure(figsize=(11, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    with matplotlib.rc_context({"font.family": FONT_FAMILY, "font.size": 10}):
        figure.suptitle(T.CHART_TITLE.format(scope=scope, period=period.label), fontsize=13, fontweight="bold")
        top, bottom = figure.subplots(2, 1, height_ratios=[3.2, 0.9 + 0.42 * topic_rows])
        _by_month(top, months, per_status, labels, total=len(rows))
        _by_topic(bottom, topics, labels)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _by_month(axes, months, per_status, labels: Labels, *, total: int) -> None:  # type: ignore[no-untyped-def]
    axes.set_title(T.CHART_BY_MONTH, loc="left", fontsize=11)
    names = [T.CHART_MONTH.format(month=m, year=y) for y, m in months]
    positions = list(range(len(months)))
    base = [0] * len(months)
    for status in [*STATUS_ORDER, *(s for s in per_status if s not in STATUS_ORDER)]:
        values = per_status.get(status)
        if not values or not any(values):
            continue
        axes.bar(positions, values, bottom=base, label=labels.status(status),
                 color=STATUS_COLOURS.get(status, "#bab0ac"), width=0.6)
        base = [b + v for b, v in zip(base, values, strict=True)]
    for x, height in zip(positions, base, strict=True):
        if height:
            axes.annotate(str(height), (x, height), ha="center", va="bottom", xytext=(0, 2),
                          textcoords="offset points", fontsize=9)
    axes.set_xticks(positions, names, rotation=45 if len(months) > 12 else 0,
                    ha="right" if len(months) > 12 else "center")
    axes.set_xlim(-0.5, len(months) - 0.5)
    axes.set_ylabel(T.CHART_Y)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max([*base, 1]) * 1.18)
    axes.spines[["top", "right"]].set_visible(False)
    if total:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, title=T.CHART_TOTAL.format(
            total=total))
    else:
        axes.text(0.5, 0.5, T.CHART_EMPTY, transform=axes.transAxes, ha="center", va="center",
                  fontsize=13, color="#666666")


def _by_topic(axes, topics, labels: Labels) -> None:  # type: ignore[no-untyped-def]
    axes.set_title(T.CHART_BY_TOPIC, loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    if not topics:
        axes.set_yticks([])
        axes.set_xticks([])
        axes.text(0.5, 0.5, T.CHART_EMPTY, transform=axes.transAxes, ha="center", va="center", color="#666666")
        return
    names = [textwrap.shorten(labels.topic(key), width=48, placeholder="…") for key, _ in topics]
    counts = [count for _, count in topics]
    positions = list(range(len(topics)))
    axes.barh(positions, counts, color=TOPIC_COLOUR, height=0.6)
    axes.set_yticks(positions, names)
    axes.invert_yaxis()  # bot.yaml order, top to bottom
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(0, max(counts) * 1.15)
    for y, count in zip(positions, counts, strict=True):
        axes.annotate(str(count), (count, y), va="center", xytext=(3, 0), textcoords="offset points", fontsize=9)
