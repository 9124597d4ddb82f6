"""Drafts: one half-written submission per user, read and saved at every step of a conversation.

Saves are optimistic: a draft carries a version, and a save with an old version raises DraftConflict
with what is stored, so a second replica or a double tap cannot overwrite a newer step.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import drafts
from storage.records import DraftConflict, DraftRecord
from storage.service.rows import full_row, insert_or_ignore, record
from storage.service.unit_of_work import UnitOfWork

# These statements are built once, so SQLAlchemy finds them in its compiled cache without rebuilding a
# cache key per call, and the writes return the stored row instead of reading it back.
_SELECT_DRAFT = sa.select(drafts).where(drafts.c.user_id == sa.bindparam("draft_user"))
_UPDATE_DRAFT = (
    sa.update(drafts)
    .where(drafts.c.user_id == sa.bindparam("draft_user"), drafts.c.version == sa.bindparam("expected"))
    .values(
        step=sa.bindparam("new_step", type_=drafts.c.step.type),
        data=sa.bindparam("new_data", type_=drafts.c.data.type),
        version=drafts.c.version + 1,
        updated_at=sa.bindparam("new_time", type_=drafts.c.updated_at.type),
        # a step that does not name the chat keeps the one stored
        chat_id=sa.func.coalesce(sa.bindparam("new_chat", type_=drafts.c.chat_id.type), drafts.c.chat_id),
    )
    .returning(*drafts.c)
)
_START_DRAFT = insert_or_ignore(  # a new draft replaces the old one; its version keeps increasing
    drafts,
    ["user_id"],
    upsert='"chat_id" = excluded."chat_id", "step" = excluded."step", "data" = excluded."data", '
    '"version" = "drafts"."version" + 1, "created_at" = excluded."created_at", '
    '"updated_at" = excluded."updated_at"',
    returning=list(drafts.c),
)
_INSERT_DRAFT = insert_or_ignore(drafts, ["user_id"], returning=list(drafts.c))  # none yet, or conflict


def _draft(m: RowMapping) -> DraftRecord:
    return record(DraftRecord, m, data=dict(m["data"] or {}))


async def fetch_draft(conn: AsyncConnection, user_id: int) -> DraftRecord | None:
    row = (await conn.execute(_SELECT_DRAFT, {"draft_user": user_id})).first()
    return _draft(row._mapping) if row is not None else None


async def delete_draft_version(conn: AsyncConnection, user_id: int, version: int) -> None:
    """Delete exactly this version of the user's draft in the caller's transaction (it is being sent);
    DraftConflict with what is stored if it is gone or newer."""
    deleted = await conn.execute(sa.delete(drafts).where(drafts.c.user_id == user_id, drafts.c.version == version))
    if deleted.rowcount != 1:
        raise DraftConflict(await fetch_draft(conn, user_id))


class DraftService(UnitOfWork):
    async def get_draft(self, user_id: int) -> DraftRecord | None:
        async with self._read(single_statement=True) as conn:
            return await fetch_draft(conn, user_id)

    async def save_draft(
        self,
        user_id: int,
        step: str,
        data: dict[str, Any],
        *,
        expected_version: int | None,
        chat_id: int | None = None,
        now: datetime | None = None,
    ) -> DraftRecord:
        """Store the draft if nobody changed it since `expected_version` (None: "there is no draft yet").

        Returns the stored draft (version + 1); raises DraftConflict with the stored one otherwise, so a
        second replica or a double tap cannot silently overwrite a newer step.
        """
        now = now or self.clock()
        async with self._write(single_statement=True) as conn:
            if expected_version is None:
                values = {"user_id": user_id, "chat_id": chat_id, "step": step, "data": data, "version": 1,
                          "created_at": now, "updated_at": now}
                row = (await conn.execute(_INSERT_DRAFT, full_row(drafts, values))).first()
            else:
                row = (await conn.execute(_UPDATE_DRAFT, {
                    "draft_user": user_id, "expected": expected_version, "new_step": step, "new_data": data,
                    "new_chat": chat_id, "new_time": now,
                })).first()
            if row is not None:
                return _draft(row._mapping)
            current = await fetch_draft(conn, user_id)
        raise DraftConflict(current)

    async def start_draft(
        self,
        user_id: int,
        step: str,
        data: dict[str, Any],
        *,
        chat_id: int | None = None,
        now: datetime | None = None,
    ) -> DraftRecord:
        """Begin a new draft, replacing any old one (its version keeps increasing, so a stale holder of the
        old draft gets DraftConflict rather than writing into the new one)."""
        now = now or self.clock()
        values = {"user_id": user_id, "chat_id": chat_id, "step": step, "data": data, "version": 1,
                  "created_at": now, "updated_at": now}
        async with self._write(single_statement=True) as conn:
            row = (await conn.execute(_START_DRAFT, full_row(drafts, values))).one()
        return _draft(row._mapping)

    async def delete_draft(self, user_id: int, *, expected_version: int | None = None) -> bool:
        """Drop the user's draft (only that version, if given). True if something was deleted."""
        async with self._write(single_statement=True) as conn:
            stmt = sa.delete(drafts).where(drafts.c.user_id == user_id)
            if expected_version is not None:
                stmt = stmt.where(drafts.c.version == expected_version)
            return (await conn.execute(stmt)).rowcount > 0
