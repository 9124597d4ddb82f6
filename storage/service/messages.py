"""Message links: which Telegram message (chat id + message id) belongs to which submission, so a reply
to a card or to a relayed answer finds its thread."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import message_links
from storage.records import LinkedMessage, Submission
from storage.service.rows import fetch_submission, full_row, insert_or_ignore
from storage.service.unit_of_work import UnitOfWork

_INSERT_LINK = insert_or_ignore(message_links, ["chat_id", "message_id"])


async def link_row(
    conn: AsyncConnection, chat_id: int, message_id: int, submission_id: int, role: str, now: datetime
) -> bool:
    """Record the link in the caller's transaction; False if that message was already linked."""
    values = {"chat_id": chat_id, "message_id": message_id, "submission_id": submission_id, "role": role,
              "created_at": now}
    return (await conn.execute(_INSERT_LINK, full_row(message_links, values))).first() is not None


class MessageService(UnitOfWork):
    async def get_by_message(self, chat_id: int, message_id: int) -> LinkedMessage | None:
        """Which submission a Telegram message belongs to (a reply to a card, to a relayed answer…)."""
        async with self._read() as conn:
            link = (
                await conn.execute(
                    sa.select(message_links.c.submission_id, message_links.c.role).where(
                        message_links.c.chat_id == chat_id, message_links.c.message_id == message_id
                    )
                )
            ).first()
            if link is None:
                return None
            submission = await fetch_submission(conn, link.submission_id)
        if submission is None:
            return None
        return LinkedMessage(submission=submission, role=link.role, chat_id=chat_id, message_id=message_id)

    async def submission_by_message(self, chat_id: int, message_id: int) -> Submission | None:
        """`get_by_message` without the role."""
        linked = await self.get_by_message(chat_id, message_id)
        return linked.submission if linked else None

    async def message_link(self, submission_id: int, chat_id: int, role: str) -> int | None:
        """The id of the latest message of `role` ("card", …) for this submission in that chat, or None —
        so a relayed message can be sent as a reply under the card."""
        async with self._read() as conn:
            return (
                await conn.execute(
                    sa.select(message_links.c.message_id)
                    .where(
                        message_links.c.submission_id == submission_id,
                        message_links.c.chat_id == chat_id,
                        message_links.c.role == role,
                    )
                    .order_by(message_links.c.id.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()

    async def link_message(
        self, chat_id: int, message_id: int, submission_id: int, role: str, *, now: datetime | None = None
    ) -> bool:
        """Record that a message the bot sent directly (not through the outbox) belongs to a submission.
        Idempotent: False if that message was already linked."""
        now = now or self.clock()
        async with self._write() as conn:
            return await link_row(conn, chat_id, message_id, submission_id, role, now)
