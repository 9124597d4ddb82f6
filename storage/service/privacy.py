"""Privacy and retention: `/xoadulieu` (a citizen removes their personal data) and the retention purge.

The submissions' content stays with the committees, anonymous and marked (`personal_data_removed_at`);
what goes is every link to the sender: the citizen row, name, phone, message links and queued messages
to their private chat, their id in the audit trail and the question log.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import attachments, audit_log, citizens, drafts, message_links, outbox, question_log, submissions
from storage.records import DeletionReport, PurgeReport
from storage.service.rows import full_row
from storage.service.unit_of_work import UnitOfWork
from storage.statuses import FINAL_STATUSES, ActorKind, AuditAction, OutboxStatus, SubmissionStatus

_CITIZEN_ACTOR = audit_log.c.actor_kind == str(ActorKind.CITIZEN)


async def _anonymise(
    conn: AsyncConnection, ids: list[int], chats: set[int], user_id: int | None, now: datetime
) -> dict[str, int]:
    """Cut every link between these submissions and their sender (one transaction, the caller's)."""
    if not ids:
        return {}
    await conn.execute(
        sa.update(submissions)
        .where(submissions.c.id.in_(ids))
        .values(
            citizen_id=None,
            contact_name=None,
            contact_phone=None,
            personal_data_removed_at=now,
            revision=submissions.c.revision + 1,
            updated_at=now,
        )
    )
    await conn.execute(
        sa.update(attachments)
        .where(attachments.c.submission_id.in_(ids))
        .values(source_chat_id=None, source_message_id=None)
    )
    audit = (
        await conn.execute(
            sa.update(audit_log)
            .where(audit_log.c.submission_id.in_(ids), _CITIZEN_ACTOR, audit_log.c.actor_id.is_not(None))
            .values(actor_id=None)
        )
    ).rowcount
    if user_id is not None:
        # Their actions elsewhere (should be none, but ids are personal data wherever they are).
        audit += (
            await conn.execute(
                sa.update(audit_log).where(_CITIZEN_ACTOR, audit_log.c.actor_id == user_id).values(actor_id=None)
            )
        ).rowcount
    links = (
        await conn.execute(
            sa.delete(message_links).where(message_links.c.submission_id.in_(ids), message_links.c.chat_id.in_(chats))
        )
    ).rowcount
    outbox_deleted = (
        await conn.execute(sa.delete(outbox).where(outbox.c.submission_id.in_(ids), outbox.c.chat_id.in_(chats)))
    ).rowcount
    pending = outbox.c.status == str(OutboxStatus.PENDING)
    # Delivered cards may carry the name in their text: the payload is no longer needed.
    scrubbed = (
        await conn.execute(sa.update(outbox).where(outbox.c.submission_id.in_(ids), ~pending).values(payload={}))
    ).rowcount
    still_queued = (
        await conn.execute(sa.select(sa.func.count()).where(outbox.c.submission_id.in_(ids), pending))
    ).scalar_one()
    removed = {"at": now, "actor_kind": str(ActorKind.SYSTEM), "action": str(AuditAction.PERSONAL_DATA_REMOVED)}
    await conn.execute(
        sa.insert(audit_log), [full_row(audit_log, {**removed, "submission_id": sid}) for sid in ids]
    )
    return {"links": links, "outbox_deleted": outbox_deleted, "scrubbed": scrubbed, "pending": int(still_queued),
            "audit": audit}


class PrivacyService(UnitOfWork):
    async def delete_personal_data(self, user_id: int, *, now: datetime | None = None) -> DeletionReport:
        """`/xoadulieu`: remove the citizen's personal data — the citizen row (ids, name, phone), their
        draft, the name/phone/link on their submissions, links to messages in their private chat, queued
        messages to them, their id in the audit trail and question log. The submissions' content stays with
        the committee, anonymous and marked (`personal_data_removed_at`); the report says what remains."""
        now = now or self.clock()
        async with self._write() as conn:
            citizen = (await conn.execute(sa.select(citizens).where(citizens.c.user_id == user_id))).first()
            chats = {user_id}
            if citizen is not None:
                chats.add(citizen.chat_id)
            drafts_deleted = (await conn.execute(sa.delete(drafts).where(drafts.c.user_id == user_id))).rowcount
            questions = (
                await conn.execute(
                    sa.update(question_log).where(question_log.c.user_id == user_id).values(user_id=None)
                )
            ).rowcount
            report: dict[str, int] = {}
            remaining: list[str] = []
            still_open: list[str] = []
            if citizen is not None:
                subs = (
                    await conn.execute(
                        sa.select(submissions.c.id, submissions.c.code, submissions.c.status)
                        .where(submissions.c.citizen_id == citizen.id)
                        .order_by(submissions.c.id)
                    )
                ).all()
                report = await _anonymise(conn, [r.id for r in subs], chats, user_id, now)
                remaining = [r.code for r in subs]
                still_open = [r.code for r in subs if SubmissionStatus(r.status) not in FINAL_STATUSES]
                await conn.execute(sa.delete(citizens).where(citizens.c.id == citizen.id))
            # Whatever else was addressed to their private chat (answers to questions…).
            links = (await conn.execute(sa.delete(message_links).where(message_links.c.chat_id.in_(chats)))).rowcount
            queued = (await conn.execute(sa.delete(outbox).where(outbox.c.chat_id.in_(chats)))).rowcount
        return DeletionReport(
            found=citizen is not None or drafts_deleted > 0 or questions > 0,
            citizen_removed=citizen is not None,
            drafts_deleted=drafts_deleted,
            remaining_codes=remaining,
            open_codes=still_open,
            message_links_deleted=report.get("links", 0) + links,
            outbox_rows_deleted=report.get("outbox_deleted", 0) + queued,
            outbox_payloads_scrubbed=report.get("scrubbed", 0),
            pending_deliveries=report.get("pending", 0),
            audit_entries_anonymised=report.get("audit", 0),
            questions_unlinked=questions,
        )

    async def purge_personal_data(self, retention_days: int, *, now: datetime | None = None) -> PurgeReport:
        """Retention: remove personal data older than `retention_days` (from bot.yaml).

        * closed (final) submissions untouched for that long lose their link to the sender, name, phone;
        * citizens not seen for that long and with no submission still linked are deleted;
        * drafts not touched for that long are deleted;
        * user ids in the question log older than that are cleared;
        * delivered/failed outbox rows older than that (their payloads hold names and texts) are deleted.
        Open submissions keep their link: the sender must still be told what happens.
        """
        if retention_days < 0:
            raise ValueError("retention_days must be >= 0")
        now = now or self.clock()
        cutoff = now - timedelta(days=retention_days)
        s = submissions.c
        async with self._write(long=True) as conn:
            stale = (
                await conn.execute(
                    sa.select(s.id, citizens.c.user_id, citizens.c.chat_id)
                    .select_from(submissions.outerjoin(citizens, s.citizen_id == citizens.c.id))
                    .where(
                        s.status.in_(sorted(str(f) for f in FINAL_STATUSES)),
                        s.updated_at < cutoff,
                        s.personal_data_removed_at.is_(None),
                        sa.or_(
                            s.citizen_id.is_not(None), s.contact_name.is_not(None), s.contact_phone.is_not(None)
                        ),
                    )
                )
            ).all()
            by_sender: dict[tuple[int | None, int | None], list[int]] = {}
            for sid, uid, chat in stale:
                by_sender.setdefault((uid, chat), []).append(sid)
            links = outbox_deleted = 0
            for (uid, chat), ids in by_sender.items():
                chats = {c for c in (uid, chat) if c is not None}
                result = await _anonymise(conn, ids, chats, None, now)
                links += result.get("links", 0)
                outbox_deleted += result.get("outbox_deleted", 0)
            linked = sa.select(s.citizen_id).where(s.citizen_id.is_not(None))
            gone = (
                await conn.execute(
                    sa.select(citizens.c.id, citizens.c.user_id, citizens.c.chat_id).where(
                        citizens.c.last_seen_at < cutoff, citizens.c.id.not_in(linked)
                    )
                )
            ).all()
            gone_chats = {c for row in gone for c in (row.user_id, row.chat_id)}
            if gone:
                links += (
                    await conn.execute(sa.delete(message_links).where(message_links.c.chat_id.in_(gone_chats)))
                ).rowcount
                await conn.execute(
                    sa.update(audit_log)
                    .where(_CITIZEN_ACTOR, audit_log.c.actor_id.in_([row.user_id for row in gone]))
                    .values(actor_id=None)
                )
                await conn.execute(sa.delete(citizens).where(citizens.c.id.in_([row.id for row in gone])))
            drafts_deleted = (await conn.execute(sa.delete(drafts).where(drafts.c.updated_at < cutoff))).rowcount
            questions = (
                await conn.execute(
                    sa.update(question_log)
                    .where(question_log.c.asked_at < cutoff, question_log.c.user_id.is_not(None))
                    .values(user_id=None)
                )
            ).rowcount
            outbox_deleted += (
                await conn.execute(
                    sa.delete(outbox).where(
                        outbox.c.status != str(OutboxStatus.PENDING), outbox.c.created_at < cutoff
                    )
                )
            ).rowcount
        return PurgeReport(
            cutoff=cutoff,
            citizens_deleted=len(gone),
            submissions_anonymised=len(stale),
            drafts_deleted=drafts_deleted,
            questions_unlinked=questions,
            outbox_rows_deleted=outbox_deleted,
            message_links_deleted=links,
        )
