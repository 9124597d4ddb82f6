"""Submissions: storing one with its tracking code, attachments, audit entry and outbox rows in a single
commit, and reading them back (by id, by code, for their sender)."""

from __future__ import annotations

import logging
from dataclasses import fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.codes import parse_code
from storage.models import attachments, citizens, submissions
from storage.records import (
    Actor,
    Attachment,
    NewAttachment,
    NewSubmission,
    OutboxArg,
    Refused,
    StoreError,
    Submission,
)
from storage.service.audit import write_audit
from storage.service.citizens import upsert_citizen_row
from storage.service.drafts import delete_draft_version
from storage.service.outbox import enqueue_for
from storage.service.rows import (
    fetch_submission,
    full_row,
    insert_or_ignore,
    owner_user_id,
    record,
    select_submissions,
    submission_record,
)
from storage.service.unit_of_work import UnitOfWork
from storage.statuses import ActorKind, AttachmentKind, AuditAction, Kind, SubmissionStatus

log = logging.getLogger(__name__)

CODE_ATTEMPTS = 20
_INSERT_SUBMISSION = insert_or_ignore(submissions, ["code"])


def _attachment_values(submission_id: int, a: NewAttachment, now: datetime) -> dict[str, Any]:
    """The row of a new attachment: its fields are named as the columns."""
    values = {f.name: getattr(a, f.name) for f in fields(a)}
    return {**values, "kind": str(AttachmentKind(a.kind)), "submission_id": submission_id, "created_at": now}


def _attachment(m: RowMapping) -> Attachment:
    return record(Attachment, m, kind=AttachmentKind(m["kind"]))


class SubmissionService(UnitOfWork):
    async def submit(
        self,
        new: NewSubmission | None = None,
        outbox: OutboxArg = None,
        *,
        draft_version: int | None = None,
        now: datetime | None = None,
        **fields: Any,
    ) -> Submission:
        """Store a submission with a fresh tracking code, its attachments, the "created" audit entry and
        the outbox rows (card to the committee, confirmation…) in ONE commit, then return it.

        Give either a `NewSubmission` or its fields as keywords (`user_id=…, kind=…, committee_id=…,
        text=…, anonymous=…`; attachments may then be mappings, see `NewAttachment.from_mapping`).
        draft_version: if given, the user's draft with exactly that version is deleted in the same
        transaction, and DraftConflict is raised (nothing stored) if it is gone or newer — so a double tap
        on "Gửi", or two replicas handling it, store one submission.
        """
        if new is None:
            new = NewSubmission.from_fields(**fields)
        elif fields:
            raise TypeError("give a NewSubmission or keyword fields, not both")
        kind = Kind(new.kind)
        text = (new.text or "").strip()
        if not text:
            raise Refused("empty_text")
        if not new.committee_id:
            raise Refused("no_committee")
        now = now or self.clock()
        name = None if new.anonymous else new.name
        phone = None if new.anonymous else new.phone
        async with self._write() as conn:
            if draft_version is not None:
                await delete_draft_version(conn, new.user_id, draft_version)
            chat_id = new.chat_id if new.chat_id is not None else new.user_id
            values = full_row(submissions, {
                "kind": str(kind),
                "topic_id": new.topic_id,
                "unit_id": new.unit_id,
                "committee_id": new.committee_id,
                "text": text,
                "anonymous": new.anonymous,
                "citizen_id": await upsert_citizen_row(conn, new.user_id, chat_id, name, phone, now),
                "contact_name": name,
                "contact_phone": phone,
                "status": str(SubmissionStatus.NEW),
                "revision": 1,
                "created_at": now,
                "updated_at": now,
                "due_ack_at": new.due_ack_at or now + self.deadlines.acknowledge,
                "due_resolve_at": new.due_resolve_at or now + self.deadlines.resolve,
            })
            submission_id, values["code"] = await self._insert_with_code(conn, values)
            if new.attachments:
                await conn.execute(
                    sa.insert(attachments),
                    [_attachment_values(submission_id, a, now) for a in new.attachments],
                )
            await write_audit(
                conn,
                submission_id,
                Actor.citizen(new.user_id),
                AuditAction.CREATED,
                now,
                to_status=SubmissionStatus.NEW,
                data={"attachments": len(new.attachments)} if new.attachments else None,
            )
            submission = submission_record(
                {**values, "id": submission_id, "citizen_user_id": new.user_id, "citizen_chat_id": chat_id}
            )
            await enqueue_for(conn, outbox, submission, now)
        return submission

    async def _insert_with_code(self, conn: AsyncConnection, values: dict[str, Any]) -> tuple[int, str]:
        """Insert with a random code; on a (rare) code collision try another one. No savepoint needed:
        ON CONFLICT DO NOTHING leaves the transaction usable on both engines."""
        for _ in range(CODE_ATTEMPTS):
            code = self.code_factory()
            submission_id = (await conn.execute(_INSERT_SUBMISSION, {**values, "code": code})).scalar_one_or_none()
            if submission_id is not None:
                return int(submission_id), code
            log.info("tracking code collision on %s, retrying", code)  # expected now and then at scale
        raise StoreError(f"no free tracking code after {CODE_ATTEMPTS} attempts")

    # ------------------------------------------------------------------------------------- reading

    async def get_submission(self, submission_id: int) -> Submission | None:
        async with self._read() as conn:
            return await fetch_submission(conn, submission_id)

    async def get_by_code(self, code: str) -> Submission | None:
        """Any submission by code — for committees and admins (the bot checks who may see it)."""
        canonical = parse_code(code, self.code_prefix)
        if canonical is None:
            return None
        async with self._read() as conn:
            row = (await conn.execute(select_submissions().where(submissions.c.code == canonical))).first()
        return submission_record(row._mapping) if row else None

    async def get_submission_for_owner(self, code: str, user_id: int) -> Submission | None:
        """The submission with this code if `user_id` sent it; None otherwise — exactly as for an unknown
        code, so nobody can probe which codes exist."""
        canonical = parse_code(code, self.code_prefix)
        if canonical is None:
            return None
        async with self._read() as conn:
            row = (
                await conn.execute(
                    select_submissions().where(submissions.c.code == canonical, citizens.c.user_id == user_id)
                )
            ).first()
        return submission_record(row._mapping) if row else None

    async def list_citizen_submissions(
        self, user_id: int, *, limit: int = 20, offset: int = 0
    ) -> list[Submission]:
        """The citizen's own submissions, newest first."""
        async with self._read() as conn:
            rows = await conn.execute(
                select_submissions()
                .where(citizens.c.user_id == user_id)
                .order_by(submissions.c.created_at.desc(), submissions.c.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [submission_record(r._mapping) for r in rows]

    async def is_owner(self, submission_id: int, user_id: int) -> bool:
        """Did `user_id` send this submission (and is still linked to it)?"""
        async with self._read() as conn:
            return await owner_user_id(conn, submission_id) == user_id

    # --------------------------------------------------------------------------------- attachments

    async def add_attachment(
        self,
        submission_id: int,
        attachment: NewAttachment,
        *,
        actor: Actor | None = None,
        outbox: OutboxArg = None,
        now: datetime | None = None,
    ) -> Attachment:
        """Attach one more file to a stored submission (e.g. a photo sent in reply to the committee).
        A citizen actor must own the submission (Refused "not_owner")."""
        now = now or self.clock()
        async with self._write() as conn:
            submission = await fetch_submission(conn, submission_id)
            if submission is None:
                raise Refused("not_found")
            if actor is not None and actor.kind is ActorKind.CITIZEN and submission.citizen_user_id != actor.id:
                raise Refused("not_owner")
            row = (
                await conn.execute(
                    sa.insert(attachments)
                    .values(**_attachment_values(submission_id, attachment, now))
                    .returning(*attachments.c)
                )
            ).one()
            await write_audit(
                conn,
                submission_id,
                actor or Actor.system(),
                AuditAction.ATTACHMENT_ADDED,
                now,
                data={"kind": str(attachment.kind)},
            )
            await enqueue_for(conn, outbox, submission, now)
        return _attachment(row._mapping)

    async def list_attachments(self, submission_id: int) -> list[Attachment]:
        async with self._read() as conn:
            rows = await conn.execute(
                sa.select(attachments)
                .where(attachments.c.submission_id == submission_id)
                .order_by(attachments.c.id)
            )
            return [_attachment(r._mapping) for r in rows]
