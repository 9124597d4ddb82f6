"""A submission's life in the store, on SQLite and PostgreSQL: drafts, submit, statuses, replies, ratings."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from storage import (
    TRANSITIONS,
    Actor,
    AttachmentKind,
    AuditAction,
    DraftConflict,
    NewAttachment,
    Refused,
    Store,
    Submission,
    SubmissionStatus,
    TransitionRefused,
)
from storage.codes import ALPHABET, find_code, parse_code
from tests.storage_fixtures import (
    COMMITTEE_CHAT,
    FakeClock,
    card_and_confirmation,
    new_submission,
    notify_citizen,
)

OFFICIAL = Actor.official(501)
CITIZEN_ID = 1001


async def test_whole_lifecycle(store: Store, clock: FakeClock) -> None:
    store.clock = clock
    # The flow keeps its state in a draft, so another replica can continue it.
    draft = await store.save_draft(CITIZEN_ID, "kind", {"kind": "phan_anh"}, expected_version=None, chat_id=1001)
    draft = await store.save_draft(CITIZEN_ID, "confirm", {**draft.data, "text": "…"}, expected_version=draft.version)
    assert draft.version == 2 and (await store.get_draft(CITIZEN_ID)) == draft

    sub = await store.submit(
        new_submission(
            attachments=[NewAttachment(AttachmentKind.PHOTO, "file-1", "uniq-1", CITIZEN_ID, 42)]
        ),
        card_and_confirmation,
        draft_version=draft.version,
    )
    assert re.fullmatch(rf"GY-[{ALPHABET}]{{6}}", sub.code)
    assert sub.status is SubmissionStatus.NEW and sub.revision == 1
    assert sub.due_ack_at == clock.now + store.deadlines.acknowledge
    assert await store.get_draft(CITIZEN_ID) is None, "the draft goes with the submit, in the same commit"
    assert (await store.get_submission(sub.id)) == sub
    assert (await store.outbox_counts())["pending"] == 2
    [attachment] = await store.list_attachments(sub.id)
    assert (attachment.kind, attachment.source_chat_id, attachment.source_message_id) == ("photo", CITIZEN_ID, 42)

    # The delivery worker sends the card; a reply to it in the group finds the submission.
    claimed = await store.claim_outbox("w1", 10, now=clock.now)
    card = next(m for m in claimed if m.key == f"card:{sub.code}")
    assert card.submission_id == sub.id, "rows built for a submission default to it"
    for message in claimed:
        assert await store.mark_sent(message.id, 700 if message is card else 800)
    linked = await store.get_by_message(COMMITTEE_CHAT, 700)
    assert linked is not None and linked.submission.id == sub.id and linked.role == "card"
    assert await store.message_link(sub.id, COMMITTEE_CHAT, "card") == 700

    clock.advance(hours=5)
    sub = await store.change_status(
        sub.id, SubmissionStatus.ACKNOWLEDGED, OFFICIAL, notify_citizen, expected_committee="bcd-nong-ha"
    )
    assert sub.status is SubmissionStatus.ACKNOWLEDGED and sub.acknowledged_at == clock.now
    clock.advance(days=1)
    sub = await store.change_status(sub.id, SubmissionStatus.IN_PROGRESS, OFFICIAL, notify_citizen, note="Đã cử người")
    assert sub.acknowledged_at is not None and sub.acknowledged_at < clock.now, "first reaction only"

    clock.advance(days=2)
    sub = await store.add_reply(sub.id, OFFICIAL, "Xã đã sửa xong.", notify_citizen, mark_answered=True)
    assert sub.status is SubmissionStatus.ANSWERED
    sub = await store.add_reply(sub.id, Actor.citizen(CITIZEN_ID), "Cảm ơn, nhưng còn một đoạn.", [])
    assert sub.status is SubmissionStatus.ANSWERED
    sub = await store.add_reply(sub.id, OFFICIAL, "Sẽ sửa nốt.", notify_citizen, mark_answered=True)
    assert sub.status is SubmissionStatus.ANSWERED, "a second answer leaves the status alone"

    sub = await store.rate(sub.id, CITIZEN_ID, 4)
    clock.advance(days=1)
    sub = await store.change_status(sub.id, SubmissionStatus.RESOLVED, OFFICIAL, notify_citizen)
    assert sub.status is SubmissionStatus.RESOLVED and sub.resolved_at == clock.now and sub.final
    sub = await store.rate(sub.id, CITIZEN_ID, 5)
    assert sub.rating == 5

    with pytest.raises(TransitionRefused) as refused:
        await store.change_status(sub.id, SubmissionStatus.IN_PROGRESS, OFFICIAL)
    assert refused.value.reason == "final"

    trail = await store.list_audit(sub.id)
    actions = [e.action for e in trail if e.action is not AuditAction.DELIVERED]
    assert actions == [
        AuditAction.CREATED,
        AuditAction.STATUS_CHANGED,
        AuditAction.STATUS_CHANGED,
        AuditAction.REPLY_TO_CITIZEN,
        AuditAction.STATUS_CHANGED,
        AuditAction.REPLY_TO_COMMITTEE,
        AuditAction.REPLY_TO_CITIZEN,
        AuditAction.RATED,
        AuditAction.STATUS_CHANGED,
        AuditAction.RATED,
    ]
    changes = [(e.from_status, e.to_status, e.actor_kind, e.actor_id) for e in trail if e.to_status]
    assert changes[1:] == [
        (SubmissionStatus.NEW, SubmissionStatus.ACKNOWLEDGED, "official", 501),
        (SubmissionStatus.ACKNOWLEDGED, SubmissionStatus.IN_PROGRESS, "official", 501),
        (SubmissionStatus.IN_PROGRESS, SubmissionStatus.ANSWERED, "official", 501),
        (SubmissionStatus.ANSWERED, SubmissionStatus.RESOLVED, "official", 501),
    ]
    assert [e.note for e in trail if e.action is AuditAction.REPLY_TO_COMMITTEE] == ["Cảm ơn, nhưng còn một đoạn."]
    assert sum(e.action is AuditAction.DELIVERED for e in trail) == 2

    # Every status change and answer queued one message to the citizen.
    counts = await store.outbox_counts()
    assert counts["pending"] == 5 and counts["sent"] == 2
    assert [s.code for s in await store.list_citizen_submissions(CITIZEN_ID)] == [sub.code]


async def test_keyword_submit_with_mapping_attachments(store: Store) -> None:
    sub = await store.submit(
        user_id=7,
        kind="gop_y",
        committee_id="bcd-cho-moi",
        text="  Nên lắp thêm đèn đường.  ",
        anonymous=True,
        name="Không được lưu",
        attachments=[
            {"kind": "location", "chat_id": 7, "message_id": 9, "latitude": 22.1, "longitude": 105.9},
            {"kind": "voice", "file_id": "v1", "chat_id": 7, "message_id": 10},
        ],
    )
    assert sub.text == "Nên lắp thêm đèn đường." and sub.anonymous
    assert sub.contact_name is None and sub.contact_phone is None
    assert sub.citizen_chat_id == 7, "a private chat id defaults to the user id"
    location, voice = await store.list_attachments(sub.id)
    assert location.data == {"latitude": 22.1, "longitude": 105.9} and location.source_message_id == 9
    assert voice.file_id == "v1"


async def test_codes_are_unique_and_collisions_retried(store: Store) -> None:
    codes = iter(["GY-AAAAAA", "GY-AAAAAA", "GY-AAAAAA", "GY-BBBBBB"])
    store.code_factory = lambda: next(codes)
    first = await store.submit(new_submission(user_id=1))
    second = await store.submit(new_submission(user_id=2))
    assert (first.code, second.code) == ("GY-AAAAAA", "GY-BBBBBB")
    assert parse_code("gy aaaaaa") == "GY-AAAAAA" and parse_code("bbbbbb") == "GY-BBBBBB"
    assert parse_code("GY-AAAAA0") is None and parse_code("") is None
    assert find_code("mã của tôi là gy-7k3f9q nhé") == "GY-7K3F9Q"


async def test_empty_text_and_failing_outbox_builder_store_nothing(store: Store) -> None:
    with pytest.raises(Refused):
        await store.submit(new_submission(text="   "))

    def broken(sub: Submission) -> list:  # type: ignore[type-arg]
        raise RuntimeError("the card could not be rendered")

    with pytest.raises(RuntimeError):
        await store.submit(new_submission(), broken)
    assert await store.list_citizen_submissions(1001) == []
    assert (await store.outbox_counts())["pending"] == 0
    assert await store.get_citizen(1001) is None, "the whole submit rolled back"


async def _in_status(store: Store, status: SubmissionStatus, user_id: int) -> Submission:
    """A submission brought to `status` through allowed transitions."""
    sub = await store.submit(new_submission(user_id=user_id))
    path = {
        SubmissionStatus.NEW: [],
        SubmissionStatus.ACKNOWLEDGED: [SubmissionStatus.ACKNOWLEDGED],
        SubmissionStatus.IN_PROGRESS: [SubmissionStatus.IN_PROGRESS],
        SubmissionStatus.ANSWERED: [SubmissionStatus.ANSWERED],
        SubmissionStatus.RESOLVED: [SubmissionStatus.RESOLVED],
        SubmissionStatus.OUT_OF_SCOPE: [SubmissionStatus.OUT_OF_SCOPE],
        SubmissionStatus.FORWARDED: [],
    }[status]
    for step in path:
        sub = await store.change_status(sub.id, step, OFFICIAL)
    if status is SubmissionStatus.FORWARDED:
        sub = await store.forward(sub.id, "bcd-cho-moi", OFFICIAL)
    assert sub.status is status
    return sub


async def _snapshot(store: Store, sub: Submission) -> tuple[object, ...]:
    return (
        await store.get_submission(sub.id),
        await store.list_audit(sub.id),
        await store.outbox_counts(),
    )


@pytest.mark.parametrize("start", list(SubmissionStatus))
async def test_refused_transitions_change_nothing(store: Store, start: SubmissionStatus) -> None:
    sub = await _in_status(store, start, user_id=3000)
    refused_targets = [
        t for t in SubmissionStatus if t not in TRANSITIONS[start] and t is not SubmissionStatus.FORWARDED
    ]
    for refused in refused_targets:
        before = await _snapshot(store, sub)
        with pytest.raises(TransitionRefused) as info:
            await store.change_status(sub.id, refused, OFFICIAL, notify_citizen)
        assert info.value.reason in {"final", "same_status", "not_allowed"}
        assert await _snapshot(store, sub) == before, f"{start} -> {refused} changed something"
    if SubmissionStatus.FORWARDED not in TRANSITIONS[start]:
        before = await _snapshot(store, sub)
        with pytest.raises(TransitionRefused):
            await store.forward(sub.id, "bcd-khac", OFFICIAL, notify_citizen)
        assert await _snapshot(store, sub) == before
    # Whatever is allowed goes through (each on a fresh submission in the same state).
    for n, target in enumerate(sorted(TRANSITIONS[start])):
        fresh = await _in_status(store, start, user_id=3100 + n)
        if target is SubmissionStatus.FORWARDED:
            moved = await store.forward(fresh.id, "bcd-khac", OFFICIAL)
        else:
            moved = await store.change_status(fresh.id, target, OFFICIAL)
        assert moved.status is target and moved.revision > fresh.revision


async def test_committee_checks_and_forwarding(store: Store, clock: FakeClock) -> None:
    store.clock = clock
    sub = await store.submit(new_submission())
    before = await _snapshot(store, sub)
    for call in (
        store.change_status(sub.id, SubmissionStatus.ACKNOWLEDGED, OFFICIAL, expected_committee="bcd-cho-don"),
        store.change_status(sub.id, SubmissionStatus.FORWARDED, OFFICIAL),
        store.forward(sub.id, "bcd-nong-ha", OFFICIAL),
        store.forward(sub.id, "bcd-cho-don", OFFICIAL, expected_committee="bcd-cho-don"),
        store.change_status(999_999, SubmissionStatus.ACKNOWLEDGED, OFFICIAL),
    ):
        with pytest.raises(TransitionRefused) as info:
            await call
        assert info.value.reason in {"wrong_committee", "use_forward", "same_committee", "not_found"}
    assert await _snapshot(store, sub) == before

    sub = await store.change_status(sub.id, SubmissionStatus.ACKNOWLEDGED, OFFICIAL)
    clock.advance(days=1)
    sub = await store.forward(sub.id, "bcd-cho-moi", OFFICIAL, notify_citizen, note="Thuộc huyện")
    assert (sub.committee_id, sub.status) == ("bcd-cho-moi", SubmissionStatus.FORWARDED)
    assert sub.acknowledged_at is None, "the new committee has not reacted yet"
    assert sub.due_ack_at == clock.now + store.deadlines.acknowledge
    [entry] = [e for e in await store.list_audit(sub.id) if e.action is AuditAction.FORWARDED]
    assert entry.data == {"from_committee": "bcd-nong-ha", "to_committee": "bcd-cho-moi"}
    assert entry.note == "Thuộc huyện"
    # "forwarded" is like "new" for the new committee, and only it may act now.
    with pytest.raises(TransitionRefused):
        await store.change_status(sub.id, SubmissionStatus.ACKNOWLEDGED, OFFICIAL, expected_committee="bcd-nong-ha")
    sub = await store.change_status(sub.id, SubmissionStatus.ACKNOWLEDGED, OFFICIAL, expected_committee="bcd-cho-moi")
    assert sub.acknowledged_at == clock.now


async def test_lookup_by_code_is_for_the_owner_only(store: Store) -> None:
    mine = await store.submit(new_submission(user_id=11))
    theirs = await store.submit(new_submission(user_id=12))
    assert await store.get_submission_for_owner(mine.code, 11) == mine
    assert await store.get_submission_for_owner(mine.code.lower().replace("-", " "), 11) == mine
    assert await store.get_submission_for_owner(theirs.code, 11) is None
    assert await store.get_submission_for_owner("GY-ZZZZZZ", 11) is None
    assert await store.get_submission_for_owner("rubbish", 11) is None
    assert await store.is_owner(mine.id, 11) and not await store.is_owner(theirs.id, 11)
    assert [s.id for s in await store.list_citizen_submissions(11)] == [mine.id]
    assert await store.get_by_code(theirs.code) == theirs


async def test_drafts_use_optimistic_concurrency(store: Store) -> None:
    first = await store.save_draft(5, "kind", {"kind": "gop_y"}, expected_version=None)
    with pytest.raises(DraftConflict) as conflict:
        await store.save_draft(5, "kind", {"kind": "to_cao"}, expected_version=None)
    assert conflict.value.current == first
    second = await store.save_draft(5, "place", {"kind": "gop_y", "unit": "x"}, expected_version=1)
    with pytest.raises(DraftConflict) as stale:  # e.g. another replica handled a double tap
        await store.save_draft(5, "topic", {}, expected_version=1)
    assert stale.value.current == second and (await store.get_draft(5)) == second

    restarted = await store.start_draft(5, "kind", {})
    assert restarted.version == 3 and restarted.step == "kind" and restarted.data == {}
    with pytest.raises(DraftConflict):
        await store.save_draft(5, "place", {}, expected_version=2)

    # A stale "Gửi" stores nothing.
    with pytest.raises(DraftConflict):
        await store.submit(new_submission(user_id=5), card_and_confirmation, draft_version=2)
    assert await store.list_citizen_submissions(5) == []
    assert (await store.outbox_counts())["pending"] == 0
    assert (await store.get_draft(5)) == restarted

    assert not await store.delete_draft(5, expected_version=1)
    assert await store.delete_draft(5)
    assert await store.get_draft(5) is None and not await store.delete_draft(5)


async def test_rating_rules(store: Store) -> None:
    sub = await store.submit(new_submission(user_id=21))
    for user, stars, reason in [(21, 5, "not_rateable"), (22, 5, "not_owner"), (21, 0, "bad_rating")]:
        with pytest.raises(Refused) as info:
            await store.rate(sub.id, user, stars)
        assert info.value.reason == reason
    sub = await store.change_status(sub.id, SubmissionStatus.ANSWERED, OFFICIAL)
    for user, stars, reason in [(22, 5, "not_owner"), (21, 6, "bad_rating"), (21, True, "bad_rating")]:
        with pytest.raises(Refused) as info:
            await store.rate(sub.id, user, stars)  # type: ignore[arg-type]
        assert info.value.reason == reason
    assert (await store.get_submission(sub.id)).rating is None  # type: ignore[union-attr]
    rated = await store.rate(sub.id, 21, 3)
    assert rated.rating == 3


async def test_reply_rules(store: Store) -> None:
    sub = await store.submit(new_submission(user_id=31))
    before = await _snapshot(store, sub)
    with pytest.raises(Refused) as info:
        await store.add_reply(sub.id, Actor.citizen(32), "không phải của tôi", notify_citizen)
    assert info.value.reason == "not_owner"
    with pytest.raises(Refused):
        await store.add_reply(sub.id, OFFICIAL, "   ")
    with pytest.raises(TransitionRefused):
        await store.add_reply(sub.id, OFFICIAL, "Đã trả lời", notify_citizen, expected_committee="bcd-cho-don")
    with pytest.raises(TransitionRefused):  # strict status: a refused move refuses the whole reply
        await store.add_reply(sub.id, OFFICIAL, "Đã trả lời", notify_citizen, status=SubmissionStatus.NEW)
    assert await _snapshot(store, sub) == before

    answered = await store.add_reply(sub.id, OFFICIAL, "Đã trả lời", notify_citizen, status=SubmissionStatus.ANSWERED)
    assert answered.status is SubmissionStatus.ANSWERED and answered.acknowledged_at is not None
    closed = await store.change_status(sub.id, SubmissionStatus.RESOLVED, OFFICIAL)
    after = await store.add_reply(closed.id, OFFICIAL, "Bổ sung", notify_citizen, mark_answered=True)
    assert after.status is SubmissionStatus.RESOLVED


async def test_attachments_and_message_links(store: Store) -> None:
    sub = await store.submit(new_submission(user_id=41))
    with pytest.raises(Refused):
        await store.add_attachment(
            sub.id, NewAttachment(AttachmentKind.PHOTO, "f"), actor=Actor.citizen(42)
        )
    added = await store.add_attachment(
        sub.id, NewAttachment(AttachmentKind.DOCUMENT, "doc-1", "u-doc", 41, 77), actor=Actor.citizen(41)
    )
    assert [a.id for a in await store.list_attachments(sub.id)] == [added.id]

    assert await store.link_message(COMMITTEE_CHAT, 55, sub.id, "relay_to_committee")
    assert not await store.link_message(COMMITTEE_CHAT, 55, sub.id, "relay_to_committee")
    assert await store.submission_by_message(COMMITTEE_CHAT, 55) == await store.get_submission(sub.id)
    assert await store.submission_by_message(COMMITTEE_CHAT, 56) is None
    assert await store.message_link(sub.id, COMMITTEE_CHAT, "card") is None


async def test_anonymous_submission_keeps_no_contact(store: Store) -> None:
    sub = await store.submit(new_submission(anonymous=True))
    assert (sub.contact_name, sub.contact_phone) == (None, None)
    assert sub.citizen_user_id == 1001, "the bot still needs to tell the sender what happens"
    citizen = await store.get_citizen(1001)
    assert citizen is not None and citizen.name is None and citizen.phone is None


async def test_submission_is_a_plain_snapshot(store: Store) -> None:
    sub = await store.submit(new_submission())
    with pytest.raises(AttributeError):
        sub.status = SubmissionStatus.RESOLVED  # type: ignore[misc]
    assert replace(sub, rating=1).rating == 1
