"""Transitions: status changes, forwarding, replies in the thread and ratings.

Each is compare-and-set on the submission's `revision`, checked against the one transition table
(`storage.statuses`); a refused change raises TransitionRefused and writes nothing. On SQLite every
writing transaction holds the write lock (BEGIN IMMEDIATE); on PostgreSQL the CAS handles races between
replicas, and a lost race is retried against the fresh state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import submissions
from storage.records import Actor, OutboxArg, Refused, Submission, TransitionRefused
from storage.service.audit import write_audit
from storage.service.outbox import enqueue_for
from storage.service.rows import fetch_submission, owner_user_id
from storage.service.unit_of_work import UnitOfWork
from storage.statuses import ACKNOWLEDGING, RATEABLE, ActorKind, AuditAction, SubmissionStatus, refusal_reason

CAS_ATTEMPTS = 5


def _seconds(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds()))


async def _current(conn: AsyncConnection, submission_id: int) -> RowMapping:
    s = submissions.c
    row = (
        await conn.execute(
            sa.select(s.status, s.committee_id, s.revision, s.created_at, s.acknowledged_at, s.rating).where(
                s.id == submission_id
            )
        )
    ).first()
    if row is None:
        raise TransitionRefused("not_found")
    return row._mapping


async def _stored(conn: AsyncConnection, submission_id: int) -> Submission:
    submission = await fetch_submission(conn, submission_id)
    assert submission is not None  # changed in this transaction
    return submission


async def _apply_transition(
    conn: AsyncConnection,
    submission_id: int,
    target: SubmissionStatus,
    actor: Actor,
    now: datetime,
    *,
    note: str | None,
    expected_committee: str | None,
) -> Submission:
    # Compare-and-set on revision; retried on a concurrent change (only PostgreSQL can see one, since a
    # SQLite writer holds the lock), re-checking the transition against the fresh state.
    for _ in range(CAS_ATTEMPTS):
        current = await _current(conn, submission_id)
        if expected_committee is not None and current["committee_id"] != expected_committee:
            raise TransitionRefused("wrong_committee")
        reason = refusal_reason(current["status"], target)
        if reason is not None:
            raise TransitionRefused(reason, f"{current['status']} -> {target}")
        values: dict[str, Any] = {"status": str(target), "revision": current["revision"] + 1, "updated_at": now}
        if target in ACKNOWLEDGING and current["acknowledged_at"] is None:
            values["acknowledged_at"] = now
            values["ack_seconds"] = _seconds(now, current["created_at"])
        if target is SubmissionStatus.RESOLVED:
            values["resolved_at"] = now
            values["resolve_seconds"] = _seconds(now, current["created_at"])
        result = await conn.execute(
            sa.update(submissions)
            .where(submissions.c.id == submission_id, submissions.c.revision == current["revision"])
            .values(**values)
        )
        if result.rowcount == 1:
            break
    else:
        raise TransitionRefused("stale")
    await write_audit(
        conn,
        submission_id,
        actor,
        AuditAction.STATUS_CHANGED,
        now,
        from_status=SubmissionStatus(current["status"]),
        to_status=target,
        note=note,
    )
    return await _stored(conn, submission_id)


class TransitionService(UnitOfWork):
    async def change_status(
        self,
        submission_id: int,
        to: SubmissionStatus | str,
        actor: Actor,
        outbox: OutboxArg = None,
        *,
        note: str | None = None,
        expected_committee: str | None = None,
        now: datetime | None = None,
    ) -> Submission:
        """Move a submission along the transition table, with audit and outbox rows, in one commit.

        expected_committee: the committee whose chat the action came from; a submission owned by another
        committee (forged callback, or forwarded meanwhile) is refused "wrong_committee". None = admin.
        Forwarding needs a target: use `forward`. Raises TransitionRefused; then nothing changed.
        """
        target = SubmissionStatus(to)
        if target is SubmissionStatus.FORWARDED:
            raise TransitionRefused("use_forward")
        now = now or self.clock()
        async with self._write() as conn:
            submission = await _apply_transition(
                conn, submission_id, target, actor, now, note=note, expected_committee=expected_committee
            )
            await enqueue_for(conn, outbox, submission, now)
        return submission

    async def forward(
        self,
        submission_id: int,
        to_committee_id: str,
        actor: Actor,
        outbox: OutboxArg = None,
        *,
        note: str | None = None,
        expected_committee: str | None = None,
        due_ack_at: datetime | None = None,
        now: datetime | None = None,
    ) -> Submission:
        """Hand a submission to another committee: committee changes, status "forwarded" (which the new
        committee treats like "new"), acknowledgement starts again with a new deadline, audit + outbox."""
        if not to_committee_id:
            raise TransitionRefused("no_committee")
        now = now or self.clock()
        async with self._write() as conn:
            for _ in range(CAS_ATTEMPTS):
                current = await _current(conn, submission_id)
                if expected_committee is not None and current["committee_id"] != expected_committee:
                    raise TransitionRefused("wrong_committee")
                if current["committee_id"] == to_committee_id:
                    raise TransitionRefused("same_committee")
                reason = refusal_reason(current["status"], SubmissionStatus.FORWARDED)
                if reason is not None:
                    raise TransitionRefused(reason, f"{current['status']} -> forwarded")
                result = await conn.execute(
                    sa.update(submissions)
                    .where(submissions.c.id == submission_id, submissions.c.revision == current["revision"])
                    .values(
                        committee_id=to_committee_id,
                        status=str(SubmissionStatus.FORWARDED),
                        revision=current["revision"] + 1,
                        updated_at=now,
                        acknowledged_at=None,
                        ack_seconds=None,
                        due_ack_at=due_ack_at or now + self.deadlines.acknowledge,
                    )
                )
                if result.rowcount == 1:
                    break
            else:
                raise TransitionRefused("stale")
            await write_audit(
                conn,
                submission_id,
                actor,
                AuditAction.FORWARDED,
                now,
                from_status=SubmissionStatus(current["status"]),
                to_status=SubmissionStatus.FORWARDED,
                note=note,
                data={"from_committee": current["committee_id"], "to_committee": to_committee_id},
            )
            submission = await _stored(conn, submission_id)
            await enqueue_for(conn, outbox, submission, now)
        return submission

    async def add_reply(
        self,
        submission_id: int,
        actor: Actor,
        text: str,
        outbox: OutboxArg = None,
        *,
        status: SubmissionStatus | str | None = None,
        mark_answered: bool = False,
        expected_committee: str | None = None,
        now: datetime | None = None,
    ) -> Submission:
        """Record a message in the thread: an official/admin answering the citizen, or the citizen
        answering the committee (only the owner: Refused "not_owner").

        status: also move the submission to this status in the same commit, or refuse the whole reply.
        mark_answered: an official's reply moves the submission to "answered" when that transition is
        allowed, and leaves the status alone otherwise (a second answer, an answer after "resolved")."""
        body = (text or "").strip()
        if not body:
            raise Refused("empty_text")
        now = now or self.clock()
        async with self._write() as conn:
            current = await _current(conn, submission_id)
            if actor.kind is ActorKind.CITIZEN:
                owner = await owner_user_id(conn, submission_id)
                if owner is None or owner != actor.id:
                    raise Refused("not_owner")
                action = AuditAction.REPLY_TO_COMMITTEE
            elif actor.kind in (ActorKind.OFFICIAL, ActorKind.ADMIN):
                if expected_committee is not None and current["committee_id"] != expected_committee:
                    raise TransitionRefused("wrong_committee")
                action = AuditAction.REPLY_TO_CITIZEN
            else:
                raise Refused("bad_actor")
            await write_audit(conn, submission_id, actor, action, now, note=body)
            if (
                status is None
                and mark_answered
                and action is AuditAction.REPLY_TO_CITIZEN
                and refusal_reason(current["status"], SubmissionStatus.ANSWERED) is None
            ):
                status = SubmissionStatus.ANSWERED
            if status is not None:
                target = SubmissionStatus(status)
                if target is SubmissionStatus.FORWARDED:
                    raise TransitionRefused("use_forward")
                submission = await _apply_transition(
                    conn, submission_id, target, actor, now, note=None, expected_committee=expected_committee
                )
            else:
                await conn.execute(
                    sa.update(submissions)
                    .where(submissions.c.id == submission_id)
                    .values(revision=submissions.c.revision + 1, updated_at=now)
                )
                submission = await _stored(conn, submission_id)
            await enqueue_for(conn, outbox, submission, now)
        return submission

    async def rate(
        self,
        submission_id: int,
        user_id: int,
        rating: int,
        outbox: OutboxArg = None,
        *,
        now: datetime | None = None,
    ) -> Submission:
        """The sender rates the outcome, 1–5, once it is answered or resolved (a new rating replaces the
        old one; both are audited). Refused: "not_found", "not_owner", "not_rateable", "bad_rating"."""
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise Refused("bad_rating")
        now = now or self.clock()
        async with self._write() as conn:
            current = await _current(conn, submission_id)
            owner = await owner_user_id(conn, submission_id)
            if owner is None or owner != user_id:
                raise Refused("not_owner")
            if SubmissionStatus(current["status"]) not in RATEABLE:
                raise Refused("not_rateable")
            await conn.execute(
                sa.update(submissions)
                .where(submissions.c.id == submission_id)
                .values(rating=rating, rated_at=now, revision=submissions.c.revision + 1, updated_at=now)
            )
            await write_audit(
                conn,
                submission_id,
                Actor.citizen(user_id),
                AuditAction.RATED,
                now,
                data={"rating": rating, "previous": current["rating"]},
            )
            submission = await _stored(conn, submission_id)
            await enqueue_for(conn, outbox, submission, now)
        return submission
