"""What every service module shares: statements built from the schema's columns, and rows turned into
the `storage.records` dataclasses.

A column's name is written in the model (storage/models.py) and in the record that carries it; the
helpers below go from one to the other by name (`record`, `full_row`), so no third list of columns is
kept by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import citizens, submissions
from storage.records import Submission
from storage.statuses import Kind, SubmissionStatus

R = TypeVar("R")


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def record(cls: type[R], row: Mapping[str, Any], **converted: Any) -> R:
    """The dataclass `cls` from a row whose keys include its field names; `converted` gives the fields
    whose stored value needs a conversion (an enum, a copy) or has another name in the row."""
    values = {name: row[name] for name in _field_names(cls) if name not in converted}
    return cls(**values, **converted)  # type: ignore[call-arg]


def full_row(table: sa.Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """Every column but id, NULL where not given (a text INSERT names them all)."""
    return {c.name: values.get(c.name) for c in table.c if c.name != "id"}


def insert_or_ignore(table: sa.Table, conflict: Sequence[str], upsert: str | None = None,
                     returning: Sequence[sa.Column[Any]] | None = None) -> Any:
    """INSERT … ON CONFLICT (…) DO NOTHING/UPDATE … RETURNING id (or the `returning` columns, typed), as a
    text statement.

    Why text: SQLAlchemy does not cache the compiled form of its dialect-specific ON CONFLICT
    constructs, and compiling three of them per submit cost a quarter of its time. This SQL reads the same
    on SQLite (>= 3.35) and PostgreSQL, and typed bind parameters keep the column types' conversions.
    """
    columns = [c for c in table.c if c.name != "id"]
    names = ", ".join(f'"{c.name}"' for c in columns)
    values = ", ".join(f":{c.name}" for c in columns)
    target = ", ".join(f'"{name}"' for name in conflict)
    action = f"DO UPDATE SET {upsert}" if upsert else "DO NOTHING"
    returned = ", ".join(f'"{c.name}"' for c in returning) if returning else '"id"'
    sql = (
        f'INSERT INTO "{table.name}" ({names}) VALUES ({values}) '
        f'ON CONFLICT ({target}) {action} RETURNING {returned}'
    )
    statement = sa.text(sql).bindparams(*(sa.bindparam(c.name, type_=c.type) for c in columns))
    return statement.columns(*returning) if returning else statement


def aware(value: datetime | str) -> datetime:
    """Aggregates (MIN/MAX) bypass the column type on SQLite: make them aware UTC datetimes."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# ------------------------------------------------------------------------------------------ submissions


def select_submissions() -> sa.Select[Any]:
    """Submission columns plus the sender's Telegram ids (NULL once removed)."""
    return sa.select(
        submissions,
        citizens.c.user_id.label("citizen_user_id"),
        citizens.c.chat_id.label("citizen_chat_id"),
    ).select_from(submissions.outerjoin(citizens, submissions.c.citizen_id == citizens.c.id))


def submission_record(m: RowMapping | Mapping[str, Any]) -> Submission:
    return record(
        Submission, m, kind=Kind(m["kind"]), status=SubmissionStatus(m["status"]), anonymous=bool(m["anonymous"])
    )


async def fetch_submission(conn: AsyncConnection, submission_id: int) -> Submission | None:
    row = (await conn.execute(select_submissions().where(submissions.c.id == submission_id))).first()
    return submission_record(row._mapping) if row else None


async def owner_user_id(conn: AsyncConnection, submission_id: int) -> int | None:
    """The Telegram user who sent the submission, None once their data was removed."""
    return (
        await conn.execute(
            sa.select(citizens.c.user_id)
            .select_from(submissions.join(citizens, submissions.c.citizen_id == citizens.c.id))
            .where(submissions.c.id == submission_id)
        )
    ).scalar_one_or_none()
