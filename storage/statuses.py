"""Vocabulary of the suggestion box: statuses and their allowed transitions, kinds, actors, attachments.

Every value is a `StrEnum` whose value is what the database stores, so a row read back compares equal
to the enum member and logs stay readable. The transition table lives here, in one place, because the
buttons of the committee card, the store and the tests must agree on it; the store checks it inside
the transaction that changes the status, so a refused change never writes anything.
"""

from __future__ import annotations

from enum import StrEnum


class SubmissionStatus(StrEnum):
    """Where a submission is in its life (mới → đã tiếp nhận → … → đã giải quyết)."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    FORWARDED = "forwarded"
    OUT_OF_SCOPE = "out_of_scope"


class Kind(StrEnum):
    """What the citizen says it is: góp ý, phản ánh, kiến nghị, khiếu nại, tố cáo."""

    GOP_Y = "gop_y"
    PHAN_ANH = "phan_anh"
    KIEN_NGHI = "kien_nghi"
    KHIEU_NAI = "khieu_nai"
    TO_CAO = "to_cao"


class ActorKind(StrEnum):
    """Who did something recorded in the audit trail."""

    CITIZEN = "citizen"
    OFFICIAL = "official"
    ADMIN = "admin"
    SYSTEM = "system"


class AttachmentKind(StrEnum):
    """Media a citizen may attach. There is deliberately no "contact": a contact card is personal data."""

    PHOTO = "photo"
    DOCUMENT = "document"
    VOICE = "voice"
    VIDEO = "video"
    AUDIO = "audio"
    LOCATION = "location"


class AuditAction(StrEnum):
    """What an audit entry records."""

    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    FORWARDED = "forwarded"
    REPLY_TO_CITIZEN = "reply_to_citizen"
    REPLY_TO_COMMITTEE = "reply_to_committee"
    RATED = "rated"
    ATTACHMENT_ADDED = "attachment_added"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    PERSONAL_DATA_REMOVED = "personal_data_removed"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class MessageRole(StrEnum):
    """Why a Telegram message is linked to a submission (roles are free strings; these are the usual ones)."""

    CARD = "card"
    CARD_CONTINUATION = "card_continuation"  # a long card's later messages (bot.cards.card_parts)
    RELAY_TO_CITIZEN = "relay_to_citizen"
    RELAY_TO_COMMITTEE = "relay_to_committee"
    ATTACHMENT = "attachment"
    CONFIRMATION = "confirmation"


FINAL_STATUSES: frozenset[SubmissionStatus] = frozenset({SubmissionStatus.RESOLVED, SubmissionStatus.OUT_OF_SCOPE})

_FROM_NEW: frozenset[SubmissionStatus] = frozenset(
    {
        SubmissionStatus.ACKNOWLEDGED,
        SubmissionStatus.IN_PROGRESS,
        SubmissionStatus.ANSWERED,
        SubmissionStatus.RESOLVED,
        SubmissionStatus.FORWARDED,
        SubmissionStatus.OUT_OF_SCOPE,
    }
)

# The one table of allowed transitions. "forwarded" behaves like "new" for the committee that received it.
TRANSITIONS: dict[SubmissionStatus, frozenset[SubmissionStatus]] = {
    SubmissionStatus.NEW: _FROM_NEW,
    SubmissionStatus.FORWARDED: _FROM_NEW,
    SubmissionStatus.ACKNOWLEDGED: _FROM_NEW - {SubmissionStatus.ACKNOWLEDGED},
    SubmissionStatus.IN_PROGRESS: frozenset(
        {
            SubmissionStatus.ANSWERED,
            SubmissionStatus.RESOLVED,
            SubmissionStatus.FORWARDED,
            SubmissionStatus.OUT_OF_SCOPE,
        }
    ),
    SubmissionStatus.ANSWERED: frozenset(
        {SubmissionStatus.IN_PROGRESS, SubmissionStatus.RESOLVED, SubmissionStatus.FORWARDED}
    ),
    SubmissionStatus.RESOLVED: frozenset(),
    SubmissionStatus.OUT_OF_SCOPE: frozenset(),
}

# Statuses that count as "the committee has reacted" (sets acknowledged_at the first time).
ACKNOWLEDGING: frozenset[SubmissionStatus] = frozenset(
    {
        SubmissionStatus.ACKNOWLEDGED,
        SubmissionStatus.IN_PROGRESS,
        SubmissionStatus.ANSWERED,
        SubmissionStatus.RESOLVED,
        SubmissionStatus.OUT_OF_SCOPE,
    }
)

# A citizen may rate the outcome only once there is one.
RATEABLE: frozenset[SubmissionStatus] = frozenset({SubmissionStatus.ANSWERED, SubmissionStatus.RESOLVED})


def allowed_transitions(current: SubmissionStatus | str) -> frozenset[SubmissionStatus]:
    """The statuses reachable from `current` (empty for a final status)."""
    return TRANSITIONS[SubmissionStatus(current)]


def is_final(status: SubmissionStatus | str) -> bool:
    return SubmissionStatus(status) in FINAL_STATUSES


def refusal_reason(current: SubmissionStatus | str, target: SubmissionStatus | str) -> str | None:
    """Why `current → target` is not allowed, as a machine-readable code, or None when it is allowed.

    Codes: "final" (the submission is closed), "same_status", "not_allowed".
    """
    current, target = SubmissionStatus(current), SubmissionStatus(target)
    if current in FINAL_STATUSES:
        return "final"
    if current == target and current is not SubmissionStatus.FORWARDED:
        return "same_status"
    if target not in TRANSITIONS[current]:
        return "not_allowed"
    return None
