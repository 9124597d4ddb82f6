"""Initial schema: citizens, submissions, attachments, audit log, message links, outbox, drafts, question log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Frozen on purpose: a migration never imports the models (they move on; this file must not).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


OPEN = "status NOT IN ('out_of_scope', 'resolved')"
PENDING = "status = 'pending'"


def _partial(where: str) -> dict[str, Any]:
    return {"postgresql_where": sa.text(where), "sqlite_where": sa.text(where)}


def upgrade() -> None:
    op.create_table(
        "citizens",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.Column("last_seen_at", timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizens")),
        sa.UniqueConstraint("user_id", name=op.f("uq_citizens_user_id")),
    )
    op.create_index(op.f("ix_citizens_last_seen_at"), "citizens", ["last_seen_at"])

    op.create_table(
        "drafts",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("step", sa.String(length=64), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.Column("updated_at", timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_drafts")),
    )
    op.create_index(op.f("ix_drafts_updated_at"), "drafts", ["updated_at"])

    op.create_table(
        "question_log",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("normalized", sa.String(length=500), nullable=False),
        sa.Column("document", sa.String(length=64), nullable=True),
        sa.Column("article", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("sure", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("votes_up", sa.Integer(), nullable=False),
        sa.Column("votes_down", sa.Integer(), nullable=False),
        sa.Column("asked_at", timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_log")),
    )
    op.create_index(op.f("ix_question_log_asked_at"), "question_log", ["asked_at"])
    op.create_index("ix_question_log_normalized", "question_log", ["normalized"])
    op.create_index(op.f("ix_question_log_user_id"), "question_log", ["user_id"])

    op.create_table(
        "submissions",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("topic_id", sa.String(length=64), nullable=True),
        sa.Column("unit_id", sa.String(length=64), nullable=True),
        sa.Column("committee_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("citizen_id", ID, nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.Column("updated_at", timestamp(), nullable=False),
        sa.Column("due_ack_at", timestamp(), nullable=True),
        sa.Column("due_resolve_at", timestamp(), nullable=True),
        sa.Column("acknowledged_at", timestamp(), nullable=True),
        sa.Column("resolved_at", timestamp(), nullable=True),
        sa.Column("ack_seconds", sa.Integer(), nullable=True),
        sa.Column("resolve_seconds", sa.Integer(), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("rated_at", timestamp(), nullable=True),
        sa.Column("personal_data_removed_at", timestamp(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('gop_y', 'phan_anh', 'kien_nghi', 'khieu_nai', 'to_cao')",
            name=op.f("ck_submissions_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('new', 'acknowledged', 'in_progress', 'answered', 'resolved', 'forwarded', "
            "'out_of_scope')",
            name=op.f("ck_submissions_status"),
        ),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name=op.f("ck_submissions_rating")),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_submissions_citizen_id_citizens"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("code", name=op.f("uq_submissions_code")),
    )
    op.create_index(op.f("ix_submissions_citizen_id"), "submissions", ["citizen_id"])
    op.create_index("ix_submissions_committee_created", "submissions", ["committee_id", "created_at"])
    op.create_index("ix_submissions_created", "submissions", ["created_at"])
    op.create_index(
        "ix_submissions_open_due_resolve", "submissions", ["committee_id", "due_resolve_at"], **_partial(OPEN)
    )
    op.create_index(
        "ix_submissions_unacknowledged_due",
        "submissions",
        ["committee_id", "due_ack_at"],
        **_partial(f"acknowledged_at IS NULL AND {OPEN}"),
    )

    op.create_table(
        "attachments",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("submission_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=True),
        sa.Column("file_unique_id", sa.String(length=64), nullable=True),
        sa.Column("source_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("source_message_id", sa.BigInteger(), nullable=True),
        sa.Column("data", JSON, nullable=True),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('photo', 'document', 'voice', 'video', 'audio', 'location')",
            name=op.f("ck_attachments_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_attachments_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index(op.f("ix_attachments_submission_id"), "attachments", ["submission_id"])

    op.create_table(
        "audit_log",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("submission_id", ID, nullable=False),
        sa.Column("at", timestamp(), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", JSON, nullable=True),
        sa.CheckConstraint(
            "action IN ('created', 'status_changed', 'forwarded', 'reply_to_citizen', 'reply_to_committee', "
            "'rated', 'attachment_added', 'delivered', 'delivery_failed', 'personal_data_removed')",
            name=op.f("ck_audit_log_action"),
        ),
        sa.CheckConstraint(
            "actor_kind IN ('citizen', 'official', 'admin', 'system')", name=op.f("ck_audit_log_actor_kind")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_audit_log_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_submission_at", "audit_log", ["submission_id", "at"])

    op.create_table(
        "message_links",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("submission_id", ID, nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_message_links_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_links")),
        sa.UniqueConstraint("chat_id", "message_id", name="uq_message_links_chat_message"),
    )
    op.create_index(op.f("ix_message_links_submission_id"), "message_links", ["submission_id"])

    op.create_table(
        "outbox",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("submission_id", ID, nullable=True),
        sa.Column("link", sa.String(length=32), nullable=True),
        sa.Column("after_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", timestamp(), nullable=False),
        sa.Column("leased_by", sa.String(length=100), nullable=True),
        sa.Column("lease_until", timestamp(), nullable=True),
        sa.Column("created_at", timestamp(), nullable=False),
        sa.Column("sent_at", timestamp(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f("ck_outbox_status")),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_outbox_submission_id_submissions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_key")),
    )
    op.create_index("ix_outbox_pending_chat", "outbox", ["chat_id", "id"], **_partial(PENDING))
    op.create_index("ix_outbox_pending_due", "outbox", ["next_attempt_at"], **_partial(PENDING))
    op.create_index("ix_outbox_status_created", "outbox", ["status", "created_at"])
    op.create_index(op.f("ix_outbox_submission_id"), "outbox", ["submission_id"])


def downgrade() -> None:
    for table in (
        "outbox",
        "message_links",
        "audit_log",
        "attachments",
        "submissions",
        "question_log",
        "drafts",
        "citizens",
    ):
        op.drop_table(table)  # indexes go with their table
