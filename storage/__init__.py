"""Storage of the suggestion box: SQLAlchemy 2 async models, Alembic migrations, the `Store` repository.

Knows nothing of Telegram (Bot API calls in the outbox are opaque method + payload pairs), so the bot
layer can change without touching the data, and the data can be tested without the bot.

    from storage import Store, resolve_database_url
    store = Store(resolve_database_url(config.database_url))
    await store.open()          # creates/upgrades the SQLite schema; checks PostgreSQL's
    ...
    await store.close()

Modules: `store` (the API), `records` (dataclasses and exceptions it exchanges), `statuses` (statuses,
transitions, kinds), `codes` (tracking codes), `engine` (URL resolution, SQLite tuning), `migrate`
(Alembic from code), `models` (the schema; internal).
"""

from storage.codes import find_code, new_code, parse_code
from storage.engine import DEFAULT_DATABASE_URL, ENV_DATABASE_URL, resolve_database_url
from storage.records import (
    Actor,
    Attachment,
    AuditEntry,
    Citizen,
    DeletionReport,
    DraftConflict,
    DraftRecord,
    ExportRow,
    LinkedMessage,
    NewAttachment,
    NewSubmission,
    OutboxBuilder,
    OutboxItem,
    OutboxMessage,
    OverdueItem,
    PurgeReport,
    QuestionRecord,
    Refused,
    SchemaNotCurrent,
    Statistics,
    StoreError,
    Submission,
    SubmissionDeadlines,
    TransitionRefused,
    UnansweredQuestion,
)
from storage.statuses import (
    FINAL_STATUSES,
    TRANSITIONS,
    ActorKind,
    AttachmentKind,
    AuditAction,
    Kind,
    MessageRole,
    OutboxStatus,
    SubmissionStatus,
    allowed_transitions,
    is_final,
)
from storage.store import Store

__all__ = [
    "DEFAULT_DATABASE_URL",
    "ENV_DATABASE_URL",
    "FINAL_STATUSES",
    "TRANSITIONS",
    "Actor",
    "ActorKind",
    "Attachment",
    "AttachmentKind",
    "AuditAction",
    "AuditEntry",
    "Citizen",
    "DeletionReport",
    "DraftConflict",
    "DraftRecord",
    "ExportRow",
    "Kind",
    "LinkedMessage",
    "MessageRole",
    "NewAttachment",
    "NewSubmission",
    "OutboxBuilder",
    "OutboxItem",
    "OutboxMessage",
    "OutboxStatus",
    "OverdueItem",
    "PurgeReport",
    "QuestionRecord",
    "Refused",
    "SchemaNotCurrent",
    "Statistics",
    "Store",
    "StoreError",
    "Submission",
    "SubmissionDeadlines",
    "SubmissionStatus",
    "TransitionRefused",
    "UnansweredQuestion",
    "allowed_transitions",
    "find_code",
    "is_final",
    "new_code",
    "parse_code",
    "resolve_database_url",
]
