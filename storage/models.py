"""SQLAlchemy models: the schema, in one place, for the store and for Alembic's autogenerate.

These classes never leave the `storage` package (the store returns `storage.records` dataclasses).
Design choices, and why:

* Timestamps are `UTCDateTime`: stored as UTC on both engines, always read back timezone-aware, so
  comparisons in SQL (deadlines, leases) and in Python agree.
* Telegram ids are 64-bit (`BigInteger`); surrogate primary keys are `BigInt` (INTEGER on SQLite, so
  they stay rowid aliases there).
* Enumerations are plain strings with CHECK constraints: no PostgreSQL ENUM types to migrate.
* `ack_seconds`/`resolve_seconds` are written when a submission is acknowledged/resolved, so medians
  are a portable ORDER BY/LIMIT instead of dialect-specific date arithmetic.
* Partial indexes cover only open submissions and pending outbox rows: the hot queries (overdue,
  claim) touch those, and the indexes stay small while history grows.
* The naming convention gives every constraint a deterministic name, which migrations need.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.statuses import (
    FINAL_STATUSES,
    ActorKind,
    AttachmentKind,
    AuditAction,
    Kind,
    OutboxStatus,
    SubmissionStatus,
)

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every engine (SQLite has no time zones; naive input means UTC)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite compares the stored text: one zone and one format keep the ordering right.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


BigInt = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _in(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


# An open (not final) submission, as SQL text: the partial indexes are declared with it, and the queries
# that must use them (storage/service/statistics.py) match it literally, as both engines require.
OPEN_SQL = f"status NOT IN ({', '.join(repr(str(s)) for s in sorted(FINAL_STATUSES))})"
_PENDING = f"status = '{OutboxStatus.PENDING}'"


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class CitizenRow(Base):
    """A person who wrote to the bot in private chat. Deleting the row removes their personal data."""

    __tablename__ = "citizens"

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(sa.BigInteger)
    name: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SubmissionRow(Base):
    """One feedback submission. `citizen_id` becomes NULL when the sender's personal data is removed."""

    __tablename__ = "submissions"
    __table_args__ = (
        sa.CheckConstraint(_in("status", SubmissionStatus), name="status"),
        sa.CheckConstraint(_in("kind", Kind), name="kind"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        # Statistics for a period, for one committee or for all.
        sa.Index("ix_submissions_committee_created", "committee_id", "created_at"),
        sa.Index("ix_submissions_created", "created_at"),
        # Overdue: only open submissions, by committee and deadline.
        sa.Index(
            "ix_submissions_open_due_resolve",
            "committee_id",
            "due_resolve_at",
            postgresql_where=sa.text(OPEN_SQL),
            sqlite_where=sa.text(OPEN_SQL),
        ),
        sa.Index(
            "ix_submissions_unacknowledged_due",
            "committee_id",
            "due_ack_at",
            postgresql_where=sa.text(f"acknowledged_at IS NULL AND {OPEN_SQL}"),
            sqlite_where=sa.text(f"acknowledged_at IS NULL AND {OPEN_SQL}"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    topic_id: Mapped[str | None] = mapped_column(sa.String(64))
    unit_id: Mapped[str | None] = mapped_column(sa.String(64))
    committee_id: Mapped[str] = mapped_column(sa.String(64))
    text: Mapped[str] = mapped_column(sa.Text)
    anonymous: Mapped[bool] = mapped_column(sa.Boolean)
    citizen_id: Mapped[int | None] = mapped_column(
        BigInt, sa.ForeignKey("citizens.id", ondelete="SET NULL"), index=True
    )
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(16))
    revision: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_ack_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_resolve_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ack_seconds: Mapped[int | None] = mapped_column(sa.Integer)
    resolve_seconds: Mapped[int | None] = mapped_column(sa.Integer)
    rating: Mapped[int | None] = mapped_column(sa.SmallInteger)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    personal_data_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AttachmentRow(Base):
    __tablename__ = "attachments"
    __table_args__ = (sa.CheckConstraint(_in("kind", AttachmentKind), name="kind"),)

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(
        BigInt, sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16))
    file_id: Mapped[str | None] = mapped_column(sa.String(255))
    file_unique_id: Mapped[str | None] = mapped_column(sa.String(64))
    source_chat_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    source_message_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditRow(Base):
    """The audit trail: who did what to a submission, when."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.CheckConstraint(_in("actor_kind", ActorKind), name="actor_kind"),
        sa.CheckConstraint(_in("action", AuditAction), name="action"),
        sa.Index("ix_audit_log_submission_at", "submission_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(BigInt, sa.ForeignKey("submissions.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_kind: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    action: Mapped[str] = mapped_column(sa.String(32))
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str | None] = mapped_column(sa.String(16))
    note: Mapped[str | None] = mapped_column(sa.Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class MessageLinkRow(Base):
    """A Telegram message (chat id + message id) that belongs to a submission, for reply threading."""

    __tablename__ = "message_links"
    __table_args__ = (sa.UniqueConstraint("chat_id", "message_id", name="uq_message_links_chat_message"),)

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(sa.BigInteger)
    message_id: Mapped[int] = mapped_column(sa.BigInteger)
    submission_id: Mapped[int] = mapped_column(
        BigInt, sa.ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxRow(Base):
    """A Bot API call to make: written with the action that caused it, delivered by a worker."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.CheckConstraint(_in("status", OutboxStatus), name="status"),
        # Claiming: pending rows in id order, due now.
        sa.Index(
            "ix_outbox_pending_due",
            "next_attempt_at",
            postgresql_where=sa.text(_PENDING),
            sqlite_where=sa.text(_PENDING),
        ),
        # Per-chat order: "is an earlier row of this chat still blocked?"
        sa.Index(
            "ix_outbox_pending_chat",
            "chat_id",
            "id",
            postgresql_where=sa.text(_PENDING),
            sqlite_where=sa.text(_PENDING),
        ),
        sa.Index("ix_outbox_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    method: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    chat_id: Mapped[int] = mapped_column(sa.BigInteger)
    submission_id: Mapped[int | None] = mapped_column(
        BigInt, sa.ForeignKey("submissions.id", ondelete="SET NULL"), index=True
    )
    link: Mapped[str | None] = mapped_column(sa.String(32))
    after_key: Mapped[str | None] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16))
    attempts: Mapped[int] = mapped_column(sa.Integer)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    leased_by: Mapped[str | None] = mapped_column(sa.String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


class DraftRow(Base):
    """One half-written submission per user, so a restart or another replica can continue it."""

    __tablename__ = "drafts"

    user_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    step: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    version: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class QuestionRow(Base):
    """A question asked of the knowledge base, with its best hit, for the admins' "not answered" list."""

    __tablename__ = "question_log"
    __table_args__ = (sa.Index("ix_question_log_normalized", "normalized"),)

    id: Mapped[int] = mapped_column(BigInt, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(sa.Text)
    normalized: Mapped[str] = mapped_column(sa.String(500))
    document: Mapped[str | None] = mapped_column(sa.String(64))
    article: Mapped[int | None] = mapped_column(sa.Integer)
    score: Mapped[float | None] = mapped_column(sa.Float)
    sure: Mapped[bool] = mapped_column(sa.Boolean)
    user_id: Mapped[int | None] = mapped_column(sa.BigInteger, index=True)
    votes_up: Mapped[int] = mapped_column(sa.Integer)
    votes_down: Mapped[int] = mapped_column(sa.Integer)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


metadata = Base.metadata
# The Core tables, which the store queries (declarative types them as FromClause).
citizens = cast(sa.Table, CitizenRow.__table__)
submissions = cast(sa.Table, SubmissionRow.__table__)
attachments = cast(sa.Table, AttachmentRow.__table__)
audit_log = cast(sa.Table, AuditRow.__table__)
message_links = cast(sa.Table, MessageLinkRow.__table__)
outbox = cast(sa.Table, OutboxRow.__table__)
drafts = cast(sa.Table, DraftRow.__table__)
question_log = cast(sa.Table, QuestionRow.__table__)
