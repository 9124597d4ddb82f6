"""Citizens: the people who write to the bot in private chat (their Telegram ids, name and phone)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import citizens
from storage.records import Citizen
from storage.service.rows import full_row, insert_or_ignore, record
from storage.service.unit_of_work import UnitOfWork

_UPSERT_CITIZEN = insert_or_ignore(
    citizens,
    ["user_id"],
    upsert='"chat_id" = excluded."chat_id", "last_seen_at" = excluded."last_seen_at", '
    '"name" = COALESCE(excluded."name", "citizens"."name"), '
    '"phone" = COALESCE(excluded."phone", "citizens"."phone")',
)


async def upsert_citizen_row(
    conn: AsyncConnection, user_id: int, chat_id: int, name: str | None, phone: str | None, now: datetime
) -> int:
    """Create or refresh the citizen in the caller's transaction; their row id. None keeps what is stored."""
    values = {"user_id": user_id, "chat_id": chat_id, "name": name, "phone": phone, "created_at": now,
              "last_seen_at": now}
    return int((await conn.execute(_UPSERT_CITIZEN, full_row(citizens, values))).scalar_one())


class CitizenService(UnitOfWork):
    async def upsert_citizen(
        self,
        user_id: int,
        chat_id: int,
        *,
        name: str | None = None,
        phone: str | None = None,
        now: datetime | None = None,
    ) -> Citizen:
        """Create or refresh a citizen (last seen now). None for name/phone keeps what is stored."""
        now = now or self.clock()
        async with self._write() as conn:
            citizen_id = await upsert_citizen_row(conn, user_id, chat_id, name, phone, now)
            row = (await conn.execute(sa.select(citizens).where(citizens.c.id == citizen_id))).one()
        return record(Citizen, row._mapping)

    async def get_citizen(self, user_id: int) -> Citizen | None:
        async with self._read() as conn:
            row = (await conn.execute(sa.select(citizens).where(citizens.c.user_id == user_id))).first()
        return record(Citizen, row._mapping) if row else None
