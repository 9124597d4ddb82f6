"""Plain dataclasses that cross the boundary between the store and the bot, and the store's exceptions.

Why plain dataclasses: ORM objects are bound to a session and lazy-load on attribute access, which
breaks (or silently queries) once the transaction of a user-visible action is over. Everything the
store returns is a frozen snapshot taken inside that transaction. All datetimes are timezone-aware UTC.

Refusals are exceptions carrying a machine-readable `reason` code, never user text: the bot maps the
code to a Vietnamese sentence in `bot/texts/`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from storage.statuses import FINAL_STATUSES, ActorKind, AttachmentKind, AuditAction, Kind, SubmissionStatus

# ---------------------------------------------------------------------------------------------- errors


class StoreError(Exception):
    """Base class of everything the store raises on purpose."""


class Refused(StoreError):
    """An action was refused; nothing was written. `reason` is a short code such as "not_owner"."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class TransitionRefused(Refused):
    """A status change outside the allowed table (or on a stale/foreign submission); nothing changed.

    Reasons: "final", "same_status", "not_allowed", "use_forward", "wrong_committee", "same_committee",
    "stale" (the status changed under us), "not_found".
    """


class DraftConflict(StoreError):
    """The draft was changed by someone else (another replica, another tap). `current` is what is stored."""

    def __init__(self, current: DraftRecord | None) -> None:
        super().__init__("draft version conflict")
        self.current = current


class SchemaNotCurrent(StoreError):
    """The database is not at the migration head and automatic migration is off: run `hopthu db upgrade`."""

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(f"database schema at revision {current!r}, code expects {head!r}")
        self.current = current
        self.head = head


# ---------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs an action. `id` is a Telegram user id (None for the system or an erased citizen)."""

    kind: ActorKind
    id: int | None = None

    @classmethod
    def citizen(cls, user_id: int) -> Actor:
        return cls(ActorKind.CITIZEN, user_id)

    @classmethod
    def official(cls, user_id: int) -> Actor:
        return cls(ActorKind.OFFICIAL, user_id)

    @classmethod
    def admin(cls, user_id: int) -> Actor:
        return cls(ActorKind.ADMIN, user_id)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM, None)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One Bot API call to make later, written in the same transaction as the action that caused it.

    key: idempotency key, unique; enqueuing the same key twice stores it once.
    method / payload: Bot API method name ("sendMessage", "copyMessage", …) and its JSON parameters.
    chat_id: the target chat (also used to keep per-chat order and to honour per-chat limits).
    submission_id: the submission it is about, if any (delivery is then audited).
    link: if set, once sent the message id is recorded in message_links with this role ("card", …),
        so a reply to that message can be traced back to the submission.
    after: key of another outbox row that must be delivered (or have failed for good) before this one;
        the claimed row then carries that row's message id in `after_message_id` (reply threading).
    """

    key: str
    method: str
    payload: dict[str, Any]
    chat_id: int
    submission_id: int | None = None
    link: str | None = None
    after: str | None = None


@dataclass(frozen=True, slots=True)
class NewAttachment:
    """A file or location the citizen sent. `source_chat_id`/`source_message_id` point at the citizen's
    original message so the bot can `copyMessage` it (a copy carries no origin, unlike a forward)."""

    kind: AttachmentKind
    file_id: str | None = None
    file_unique_id: str | None = None
    source_chat_id: int | None = None
    source_message_id: int | None = None
    data: dict[str, Any] | None = None  # e.g. {"latitude": …, "longitude": …}, file name, mime type, caption

    @classmethod
    def from_mapping(cls, item: Mapping[str, Any]) -> NewAttachment:
        """From a draft's JSON: kind, file_id, file_unique_id, chat_id/source_chat_id,
        message_id/source_message_id; every other key goes to `data`."""
        known = {
            "kind",
            "file_id",
            "file_unique_id",
            "chat_id",
            "source_chat_id",
            "message_id",
            "source_message_id",
            "data",
        }
        extra = {k: v for k, v in item.items() if k not in known}
        data = {**(item.get("data") or {}), **extra} or None
        return cls(
            kind=AttachmentKind(item["kind"]),
            file_id=item.get("file_id"),
            file_unique_id=item.get("file_unique_id"),
            source_chat_id=item.get("source_chat_id", item.get("chat_id")),
            source_message_id=item.get("source_message_id", item.get("message_id")),
            data=data,
        )


@dataclass(frozen=True, slots=True)
class NewSubmission:
    """Everything the citizen confirmed with "Gửi". Name and phone are ignored when `anonymous` is true.
    `chat_id` is the citizen's private chat (None: the same as the user id, as Telegram has it)."""

    user_id: int
    kind: Kind
    committee_id: str
    text: str
    anonymous: bool
    chat_id: int | None = None
    topic_id: str | None = None
    unit_id: str | None = None
    name: str | None = None
    phone: str | None = None
    attachments: Sequence[NewAttachment] = ()
    due_ack_at: datetime | None = None  # default: now + Store.deadlines.acknowledge
    due_resolve_at: datetime | None = None  # default: now + Store.deadlines.resolve

    @classmethod
    def from_fields(cls, **fields: Any) -> NewSubmission:
        """Build from keywords; attachments may be NewAttachment objects or mappings."""
        items = fields.pop("attachments", None) or ()
        return cls(
            **fields,
            attachments=tuple(
                a if isinstance(a, NewAttachment) else NewAttachment.from_mapping(a) for a in items
            ),
        )


@dataclass(frozen=True, slots=True)
class SubmissionDeadlines:
    """Default time a committee has to acknowledge and to resolve a submission (bot.yaml may override)."""

    acknowledge: timedelta = timedelta(days=3)
    resolve: timedelta = timedelta(days=30)


# --------------------------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class Citizen:
    id: int
    user_id: int
    chat_id: int
    name: str | None
    phone: str | None
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class DraftRecord:
    """A half-written submission: the step of the conversation and its data. `version` increases by one
    on every save; a save with an old version raises DraftConflict (optimistic concurrency)."""

    user_id: int
    chat_id: int | None
    step: str
    data: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Submission:
    """A stored submission.

    `citizen_user_id`/`citizen_chat_id` are for relaying messages to the sender only; they are None once
    the sender's personal data was removed. Officials must never be shown them, nor `contact_*` when
    `anonymous`. `revision` increases on every change: handy for unique outbox keys.
    """

    id: int
    code: str
    kind: Kind
    topic_id: str | None
    unit_id: str | None
    committee_id: str
    text: str
    anonymous: bool
    status: SubmissionStatus
    created_at: datetime
    updated_at: datetime
    due_ack_at: datetime | None
    due_resolve_at: datetime | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    rating: int | None
    revision: int
    contact_name: str | None
    contact_phone: str | None
    citizen_user_id: int | None
    citizen_chat_id: int | None
    personal_data_removed_at: datetime | None

    @property
    def final(self) -> bool:
        return self.status in FINAL_STATUSES


# Builds the outbox rows of an action from the submission as stored by it (it knows the code, the status).
OutboxBuilder = Callable[[Submission], Sequence[OutboxItem]]
OutboxArg = Sequence[OutboxItem] | OutboxBuilder | None


@dataclass(frozen=True, slots=True)
class Attachment:
    id: int
    submission_id: int
    kind: AttachmentKind
    file_id: str | None
    file_unique_id: str | None
    source_chat_id: int | None
    source_message_id: int | None
    data: dict[str, Any] | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    submission_id: int
    at: datetime
    actor_kind: ActorKind
    actor_id: int | None
    action: AuditAction
    from_status: SubmissionStatus | None
    to_status: SubmissionStatus | None
    note: str | None
    data: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class LinkedMessage:
    """The answer to "which submission is this Telegram message about?"."""

    submission: Submission
    role: str
    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A claimed outbox row: send it, then `mark_sent`, `mark_retry` or `mark_failed` before `lease_until`."""

    id: int
    key: str
    method: str
    payload: dict[str, Any]
    chat_id: int
    submission_id: int | None
    link: str | None
    after: str | None
    after_message_id: int | None
    attempts: int
    created_at: datetime
    lease_until: datetime


@dataclass(frozen=True, slots=True)
class Statistics:
    """Counts and timings of the submissions created in [since, until) (for one committee or all).

    on_time_share: resolved by their due date ÷ submissions already judged (resolved, or open past their
    due date); None when nothing is judged yet. Medians are in seconds.
    """

    since: datetime | None
    until: datetime | None
    committee_id: str | None
    total: int
    by_status: dict[str, int]
    by_kind: dict[str, int]
    by_topic: dict[str | None, int]
    by_unit: dict[str | None, int]
    by_committee: dict[str, int]
    acknowledged: int
    resolved: int
    median_ack_seconds: float | None
    median_resolve_seconds: float | None
    resolved_on_time: int
    judged_for_deadline: int
    on_time_share: float | None
    ratings: int
    average_rating: float | None


@dataclass(frozen=True, slots=True)
class OverdueItem:
    """An open submission past a deadline. `reason` is "acknowledge" or "resolve"; `overdue_by` how late."""

    submission: Submission
    reason: str
    due_at: datetime
    overdue_by: timedelta


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One line of the period report. `name`/`phone` are None for anonymous (or erased) senders."""

    code: str
    kind: str
    topic_id: str | None
    unit_id: str | None
    committee_id: str
    status: str
    anonymous: bool
    text: str
    name: str | None
    phone: str | None
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    due_ack_at: datetime | None
    due_resolve_at: datetime | None
    rating: int | None
    attachments: int


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    id: int
    text: str
    normalized: str
    document: str | None
    article: int | None
    score: float | None
    sure: bool
    user_id: int | None
    votes_up: int
    votes_down: int
    asked_at: datetime


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    """Questions grouped by normalised text that the bot was not sure about, or that got more 👎 than 👍."""

    normalized: str
    count: int
    example: str
    last_asked_at: datetime
    best_document: str | None
    best_article: int | None
    best_score: float | None


@dataclass(frozen=True, slots=True)
class DeletionReport:
    """What `/xoadulieu` removed and what remains.

    remaining_codes: submissions whose content stays with the committee, now without any link to the
    sender; open_codes is the subset still being handled (the sender will no longer be told about it).
    pending_deliveries: messages about those submissions still queued for committees (they carry the
    content the committee needs, so they are kept).
    """

    found: bool
    citizen_removed: bool
    drafts_deleted: int
    remaining_codes: list[str] = field(default_factory=list)
    open_codes: list[str] = field(default_factory=list)
    message_links_deleted: int = 0
    outbox_rows_deleted: int = 0
    outbox_payloads_scrubbed: int = 0
    pending_deliveries: int = 0
    audit_entries_anonymised: int = 0
    questions_unlinked: int = 0

    @property
    def removed_anything(self) -> bool:
        return self.found

    @property
    def submissions_kept(self) -> int:
        """How many submissions stay with the committees, anonymous."""
        return len(self.remaining_codes)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What the retention purge removed (personal data older than the retention period)."""

    cutoff: datetime
    citizens_deleted: int
    submissions_anonymised: int
    drafts_deleted: int
    questions_unlinked: int
    outbox_rows_deleted: int
    message_links_deleted: int
