"""The audit trail: who did what to a submission, when — written in the transaction of the action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import audit_log
from storage.records import Actor, AuditEntry
from storage.service.rows import record
from storage.service.unit_of_work import UnitOfWork
from storage.statuses import ActorKind, AuditAction, SubmissionStatus


async def write_audit(
    conn: AsyncConnection,
    submission_id: int,
    actor: Actor,
    action: AuditAction,
    at: datetime,
    *,
    from_status: SubmissionStatus | None = None,
    to_status: SubmissionStatus | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        sa.insert(audit_log).values(
            submission_id=submission_id,
            at=at,
            actor_kind=str(actor.kind),
            actor_id=actor.id,
            action=str(action),
            from_status=str(from_status) if from_status else None,
            to_status=str(to_status) if to_status else None,
            note=note,
            data=data,
        )
    )


def _audit_entry(m: RowMapping) -> AuditEntry:
    return record(
        AuditEntry,
        m,
        actor_kind=ActorKind(m["actor_kind"]),
        action=AuditAction(m["action"]),
        from_status=SubmissionStatus(m["from_status"]) if m["from_status"] else None,
        to_status=SubmissionStatus(m["to_status"]) if m["to_status"] else None,
    )


class AuditService(UnitOfWork):
    async def list_audit(self, submission_id: int) -> list[AuditEntry]:
        """The audit trail of one submission, oldest first."""
        async with self._read() as conn:
            rows = await conn.execute(
                sa.select(audit_log)
                .where(audit_log.c.submission_id == submission_id)
                .order_by(audit_log.c.at, audit_log.c.id)
            )
            return [_audit_entry(r._mapping) for r in rows]
