"""The outbox: Bot API calls written with the action that caused them, leased to and marked by the
delivery worker (bot/delivery.py). Rows are idempotent by key, leased for a while, delivered per chat in
order, retried with the worker's back-off, and audited when they concern a submission."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import outbox, submissions
from storage.records import Actor, OutboxArg, OutboxItem, OutboxMessage, Submission
from storage.service.audit import write_audit
from storage.service.messages import link_row
from storage.service.rows import aware, full_row, insert_or_ignore, record
from storage.service.unit_of_work import UnitOfWork
from storage.statuses import AuditAction, OutboxStatus

_INSERT_OUTBOX = insert_or_ignore(outbox, ["key"])
MAX_ERROR = 2000


async def enqueue_rows(conn: AsyncConnection, items: Iterable[OutboxItem], now: datetime) -> int:
    """Queue `items` in the caller's transaction; how many were new (a known key is ignored)."""
    inserted = 0
    for item in items:
        values = {
            "key": item.key,
            "method": item.method,
            "payload": item.payload,
            "chat_id": item.chat_id,
            "submission_id": item.submission_id,
            "link": item.link,
            "after_key": item.after,
            "status": str(OutboxStatus.PENDING),
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        inserted += (await conn.execute(_INSERT_OUTBOX, full_row(outbox, values))).first() is not None
    return inserted


async def enqueue_for(conn: AsyncConnection, outbox_arg: OutboxArg, submission: Submission, now: datetime) -> int:
    """The rows of an action on `submission` (a list, or a callable given the stored submission); rows
    that name no submission are about this one."""
    if outbox_arg is None:
        return 0
    items = outbox_arg(submission) if callable(outbox_arg) else outbox_arg
    return await enqueue_rows(
        conn, (i if i.submission_id is not None else replace(i, submission_id=submission.id) for i in items), now
    )


async def _scrub_if_erased(conn: AsyncConnection, outbox_id: int, submission_id: int | None) -> None:
    """A row still queued when its sender erased their data (/xoadulieu) was kept so the committee gets
    it; once it is done its payload (which may carry the name and phone) goes, like the delivered ones."""
    if submission_id is None:
        return
    erased = sa.exists().where(
        submissions.c.id == submission_id, submissions.c.personal_data_removed_at.is_not(None)
    )
    await conn.execute(sa.update(outbox).where(outbox.c.id == outbox_id, erased).values(payload={}))


class OutboxService(UnitOfWork):
    async def enqueue(self, items: Sequence[OutboxItem], *, now: datetime | None = None) -> int:
        """Queue messages that belong to no other action (digests, answers to questions…). Returns how
        many were new: an item whose key is already queued (or sent) is ignored."""
        now = now or self.clock()
        async with self._write() as conn:
            return await enqueue_rows(conn, items, now)

    async def claim_outbox(
        self,
        worker_id: str,
        limit: int = 20,
        now: datetime | None = None,
        lease_seconds: float = 60.0,
    ) -> list[OutboxMessage]:
        """Lease up to `limit` deliverable rows to `worker_id` until now + lease_seconds, oldest first.

        Deliverable: pending, due (next_attempt_at <= now), not leased (or the lease expired — a worker
        that crashed between claim and mark loses its rows to the next claim, they are not lost), its
        `after` row no longer pending, and no earlier row of the same chat blocked (leased elsewhere or
        waiting to retry) — so one chat receives its messages in order and a 429 for a chat holds back
        that chat only.

        PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED inside the UPDATE, so concurrent workers never get
        the same row. SQLite: one UPDATE … WHERE id IN (SELECT …) RETURNING under the write lock, which
        is atomic. (Per-chat order across two PostgreSQL workers claiming at the very same instant is
        best effort; exactly-once claiming is not.)
        """
        if limit <= 0:
            return []
        now = now or self.clock()
        until = now + timedelta(seconds=lease_seconds)
        o = outbox.alias("o")
        earlier = outbox.alias("earlier")
        before = outbox.alias("before")
        pending = str(OutboxStatus.PENDING)
        candidates = (
            sa.select(o.c.id)
            .where(
                o.c.status == pending,
                o.c.next_attempt_at <= now,
                sa.or_(o.c.lease_until.is_(None), o.c.lease_until <= now),
                ~sa.exists().where(
                    earlier.c.status == pending,
                    earlier.c.chat_id == o.c.chat_id,
                    earlier.c.id < o.c.id,
                    sa.or_(earlier.c.next_attempt_at > now, earlier.c.lease_until > now),
                ),
                ~sa.exists().where(before.c.key == o.c.after_key, before.c.status == pending),
            )
            .order_by(o.c.id)
            .limit(limit)
        )
        if self.dialect == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True, of=o)
        stmt = (
            sa.update(outbox)
            .where(outbox.c.id.in_(candidates.scalar_subquery()))
            .values(leased_by=worker_id, lease_until=until)
            .returning(*outbox.c)
        )
        async with self._write() as conn:
            rows = sorted((r._mapping for r in await conn.execute(stmt)), key=lambda m: m["id"])
            after_keys = {m["after_key"] for m in rows if m["after_key"]}
            after_ids: dict[str, int | None] = {}
            if after_keys:
                found = await conn.execute(
                    sa.select(outbox.c.key, outbox.c.message_id).where(outbox.c.key.in_(after_keys))
                )
                after_ids = {k: mid for k, mid in found}
        return [
            record(
                OutboxMessage,
                m,
                payload=dict(m["payload"] or {}),
                after=m["after_key"],
                after_message_id=after_ids.get(m["after_key"]) if m["after_key"] else None,
            )
            for m in rows
        ]

    async def mark_sent(self, outbox_id: int, message_id: int | None, *, now: datetime | None = None) -> bool:
        """The row was delivered as `message_id`. Records the message link (if the row has a `link` role)
        and a "delivered" audit entry. Idempotent: marking again changes nothing and returns False."""
        now = now or self.clock()
        async with self._write() as conn:
            row = (await conn.execute(sa.select(outbox).where(outbox.c.id == outbox_id))).first()
            if row is None:
                return False
            m = row._mapping
            linked = False
            if m["link"] and m["submission_id"] is not None and message_id is not None:
                linked = await link_row(conn, m["chat_id"], message_id, m["submission_id"], m["link"], now)
            if m["status"] == OutboxStatus.SENT:
                return False
            await conn.execute(
                sa.update(outbox)
                .where(outbox.c.id == outbox_id)
                .values(
                    status=str(OutboxStatus.SENT),
                    sent_at=now,
                    message_id=message_id,
                    leased_by=None,
                    lease_until=None,
                )
            )
            await _scrub_if_erased(conn, outbox_id, m["submission_id"])
            if m["submission_id"] is not None:
                await write_audit(
                    conn,
                    m["submission_id"],
                    Actor.system(),
                    AuditAction.DELIVERED,
                    now,
                    data={"outbox_id": outbox_id, "method": m["method"], "link": m["link"], "linked": linked},
                )
        return True

    async def mark_retry(
        self,
        outbox_id: int,
        error: str,
        next_attempt_at: datetime,
        *,
        worker_id: str | None = None,
    ) -> bool:
        """A transient failure (network, 5xx, 429): try again at `next_attempt_at` (the worker computes
        the back-off, honouring retry_after). attempts + 1, lease released. With `worker_id`, only if that
        worker still holds the lease. False if the row is not pending (or not ours)."""
        async with self._write() as conn:
            stmt = (
                sa.update(outbox)
                .where(outbox.c.id == outbox_id, outbox.c.status == str(OutboxStatus.PENDING))
                .values(
                    attempts=outbox.c.attempts + 1,
                    last_error=error[:MAX_ERROR],
                    next_attempt_at=next_attempt_at,
                    leased_by=None,
                    lease_until=None,
                )
            )
            if worker_id is not None:
                stmt = stmt.where(outbox.c.leased_by == worker_id)
            return (await conn.execute(stmt)).rowcount == 1

    async def mark_failed(
        self, outbox_id: int, error: str, *, worker_id: str | None = None, now: datetime | None = None
    ) -> bool:
        """A permanent failure (e.g. 403 blocked by the user, 400 chat not found): stop trying, keep the
        row with its error, audit "delivery_failed". False if the row is not pending (or not ours)."""
        now = now or self.clock()
        async with self._write() as conn:
            stmt = (
                sa.update(outbox)
                .where(outbox.c.id == outbox_id, outbox.c.status == str(OutboxStatus.PENDING))
                .values(
                    status=str(OutboxStatus.FAILED),
                    attempts=outbox.c.attempts + 1,
                    last_error=error[:MAX_ERROR],
                    leased_by=None,
                    lease_until=None,
                )
                .returning(outbox.c.submission_id, outbox.c.method)
            )
            if worker_id is not None:
                stmt = stmt.where(outbox.c.leased_by == worker_id)
            row = (await conn.execute(stmt)).first()
            if row is None:
                return False
            await _scrub_if_erased(conn, outbox_id, row.submission_id)
            if row.submission_id is not None:
                await write_audit(
                    conn,
                    row.submission_id,
                    Actor.system(),
                    AuditAction.DELIVERY_FAILED,
                    now,
                    note=error[:MAX_ERROR],
                    data={"outbox_id": outbox_id, "method": row.method},
                )
        return True

    async def release_outbox(self, outbox_ids: Sequence[int], *, worker_id: str | None = None) -> int:
        """Give leased rows back without counting an attempt (e.g. a worker shutting down, or holding back
        a chat after a 429). Returns how many were released."""
        if not outbox_ids:
            return 0
        async with self._write() as conn:
            stmt = (
                sa.update(outbox)
                .where(outbox.c.id.in_(list(outbox_ids)), outbox.c.status == str(OutboxStatus.PENDING))
                .values(leased_by=None, lease_until=None)
            )
            if worker_id is not None:
                stmt = stmt.where(outbox.c.leased_by == worker_id)
            return (await conn.execute(stmt)).rowcount

    async def outbox_counts(self) -> dict[str, int]:
        """Rows per status ("pending", "sent", "failed", always present) plus "leased" (pending rows
        currently leased) — for tests and monitoring."""
        now = self.clock()
        async with self._read() as conn:
            rows = await conn.execute(
                sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
            )
            counts = {str(s): 0 for s in OutboxStatus}
            counts.update({status: int(n) for status, n in rows})
            counts["leased"] = int(
                (
                    await conn.execute(
                        sa.select(sa.func.count()).where(
                            outbox.c.status == str(OutboxStatus.PENDING), outbox.c.lease_until > now
                        )
                    )
                ).scalar_one()
            )
        return counts

    async def next_outbox_due(self, now: datetime | None = None) -> datetime | None:
        """When the next pending row becomes claimable (so a worker can sleep until then), or None."""
        now = now or self.clock()
        pending = outbox.c.status == str(OutboxStatus.PENDING)
        async with self._read() as conn:
            free = (
                await conn.execute(
                    sa.select(sa.func.min(outbox.c.next_attempt_at)).where(
                        pending, sa.or_(outbox.c.lease_until.is_(None), outbox.c.lease_until <= now)
                    )
                )
            ).scalar_one_or_none()
            leased = (
                await conn.execute(
                    sa.select(sa.func.min(outbox.c.lease_until)).where(pending, outbox.c.lease_until > now)
                )
            ).scalar_one_or_none()
        times = [aware(t) for t in (free, leased) if t is not None]
        return min(times) if times else None

    async def get_outbox(self, key: str) -> dict[str, Any] | None:
        """One outbox row by idempotency key, as a dict (for tests and troubleshooting)."""
        async with self._read() as conn:
            row = (await conn.execute(sa.select(outbox).where(outbox.c.key == key))).first()
        return dict(row._mapping) if row else None
