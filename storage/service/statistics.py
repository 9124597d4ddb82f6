"""Reports: statistics of a period, overdue submissions, and the rows of the period export.

Work over many rows: each unit of work is `long=True`, so with the inline SQLite driver it runs in the
connection's thread rather than on the event loop (storage.sqlite_driver).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import OPEN_SQL, attachments, submissions
from storage.records import ExportRow, OverdueItem, Statistics
from storage.service.rows import record, select_submissions, submission_record
from storage.service.unit_of_work import UnitOfWork
from storage.statuses import FINAL_STATUSES, SubmissionStatus

_FINAL = sorted(str(s) for s in FINAL_STATUSES)
# Literal (not bound) so SQLite and PostgreSQL match it against the partial indexes' predicates.
_OPEN = sa.text(OPEN_SQL)
_UNACKNOWLEDGED = sa.text(f"acknowledged_at IS NULL AND {OPEN_SQL}")


def _period(since: datetime | None, until: datetime | None, committee_id: str | None) -> list[sa.ColumnElement[bool]]:
    filters: list[sa.ColumnElement[bool]] = []
    if since is not None:
        filters.append(submissions.c.created_at >= since)
    if until is not None:
        filters.append(submissions.c.created_at < until)
    if committee_id is not None:
        filters.append(submissions.c.committee_id == committee_id)
    return filters


async def _median(
    conn: AsyncConnection, column: sa.Column[Any], filters: list[sa.ColumnElement[bool]], n: int
) -> float | None:
    """Median of the non-null values of `column` over the filtered rows, n of them (portable SQL)."""
    if n == 0:
        return None
    values = (
        await conn.execute(
            sa.select(column)
            .where(*filters, column.is_not(None))
            .order_by(column)
            .limit(2 - n % 2)
            .offset((n - 1) // 2)
        )
    ).scalars().all()
    return sum(values) / len(values) if values else None


def _sorted_counts(counts: dict[Any, int]) -> dict[Any, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


class StatisticsService(UnitOfWork):
    async def statistics(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        committee_id: str | None = None,
        *,
        now: datetime | None = None,
    ) -> Statistics:
        """Counts by status/kind/topic/place/committee, median times to acknowledge and to resolve, the
        share resolved by the due date and the average rating, for submissions created in [since, until).
        committee_id None = all committees. Four queries, all on the (committee_id, created_at) index."""
        now = now or self.clock()
        s = submissions.c
        filters = _period(since, until, committee_id)
        resolved_in_time = sa.and_(
            s.resolved_at.is_not(None), s.due_resolve_at.is_not(None), s.resolved_at <= s.due_resolve_at
        )
        judged = sa.or_(
            sa.and_(s.status == str(SubmissionStatus.RESOLVED), s.due_resolve_at.is_not(None)),
            sa.and_(s.status.not_in(_FINAL), s.due_resolve_at < now),
        )
        group_by = (s.status, s.kind, s.topic_id, s.unit_id, s.committee_id)
        async with self._read(long=True) as conn:
            groups = await conn.execute(sa.select(*group_by, sa.func.count()).where(*filters).group_by(*group_by))
            counts: tuple[dict[Any, int], ...] = ({}, {}, {}, {}, {})
            total = 0
            for *keys, n in groups:
                total += int(n)
                for key, by_key in zip(keys, counts, strict=True):
                    by_key[key] = by_key.get(key, 0) + int(n)
            agg = (
                await conn.execute(
                    sa.select(
                        sa.func.count(s.ack_seconds),
                        sa.func.count(s.resolve_seconds),
                        sa.func.coalesce(sa.func.sum(sa.case((resolved_in_time, 1), else_=0)), 0),
                        sa.func.coalesce(sa.func.sum(sa.case((judged, 1), else_=0)), 0),
                        sa.func.count(s.rating),
                        sa.func.avg(s.rating),
                    ).where(*filters)
                )
            ).one()
            acknowledged, resolved = int(agg[0]), int(agg[1])
            median_ack = await _median(conn, s.ack_seconds, filters, acknowledged)
            median_resolve = await _median(conn, s.resolve_seconds, filters, resolved)
        on_time, judged_n, ratings = int(agg[2]), int(agg[3]), int(agg[4])
        by_status, by_kind, by_topic, by_unit, by_committee = (_sorted_counts(c) for c in counts)
        return Statistics(
            since=since,
            until=until,
            committee_id=committee_id,
            total=total,
            by_status=by_status,
            by_kind=by_kind,
            by_topic=by_topic,
            by_unit=by_unit,
            by_committee=by_committee,
            acknowledged=acknowledged,
            resolved=resolved,
            median_ack_seconds=median_ack,
            median_resolve_seconds=median_resolve,
            resolved_on_time=on_time,
            judged_for_deadline=judged_n,
            on_time_share=on_time / judged_n if judged_n else None,
            ratings=ratings,
            average_rating=float(agg[5]) if agg[5] is not None else None,
        )

    async def overdue(
        self,
        committee_id: str | None = None,
        *,
        now: datetime | None = None,
        limit: int | None = None,
    ) -> list[OverdueItem]:
        """Open (not final) submissions past a deadline: not acknowledged by `due_ack_at`, or not resolved
        by `due_resolve_at` (that one wins when both apply). Ordered by committee, most overdue first.
        Two queries, each served by a partial index on open submissions."""
        now = now or self.clock()
        s = submissions.c
        scope = [s.committee_id == committee_id] if committee_id is not None else []
        found: dict[int, OverdueItem] = {}
        async with self._read(long=True) as conn:
            late_resolve = await conn.execute(select_submissions().where(_OPEN, s.due_resolve_at < now, *scope))
            for row in late_resolve:
                sub = submission_record(row._mapping)
                assert sub.due_resolve_at is not None
                found[sub.id] = OverdueItem(sub, "resolve", sub.due_resolve_at, now - sub.due_resolve_at)
            late_ack = await conn.execute(select_submissions().where(_UNACKNOWLEDGED, s.due_ack_at < now, *scope))
            for row in late_ack:
                sub = submission_record(row._mapping)
                if sub.id not in found and sub.due_ack_at is not None:
                    found[sub.id] = OverdueItem(sub, "acknowledge", sub.due_ack_at, now - sub.due_ack_at)
        items = sorted(found.values(), key=lambda i: (i.submission.committee_id, i.due_at, i.submission.id))
        return items[:limit] if limit is not None else items

    async def export_rows(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        committee_id: str | None = None,
    ) -> list[ExportRow]:
        """The submissions created in [since, until) for the period report. Name and phone only for
        senders who gave them (never for anonymous ones, nor after their data was removed)."""
        s = submissions.c
        counts = (
            sa.select(attachments.c.submission_id, sa.func.count().label("n"))
            .group_by(attachments.c.submission_id)
            .subquery()
        )
        async with self._read(long=True) as conn:
            # Streamed in batches: a year of a province is tens of thousands of rows, and a buffered
            # result would hold them twice (driver rows and records) at the report's peak.
            rows = await conn.stream(
                sa.select(submissions, sa.func.coalesce(counts.c.n, 0).label("attachment_count"))
                .select_from(submissions.outerjoin(counts, counts.c.submission_id == s.id))
                .where(*_period(since, until, committee_id))
                .order_by(s.created_at, s.id)
                .execution_options(yield_per=1000)
            )
            out: list[ExportRow] = []
            async for row in rows:
                m = row._mapping
                named = not m["anonymous"] and m["personal_data_removed_at"] is None
                out.append(
                    record(
                        ExportRow,
                        m,
                        name=m["contact_name"] if named else None,
                        phone=m["contact_phone"] if named else None,
                        attachments=int(m["attachment_count"]),
                    )
                )
        return out
