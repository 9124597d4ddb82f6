"""Personal data: `/xoadulieu` and the retention purge, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from storage import Actor, ActorKind, AttachmentKind, AuditAction, NewAttachment, OutboxItem, Store, SubmissionStatus
from tests.storage_fixtures import COMMITTEE_CHAT, FakeClock, card_and_confirmation, new_submission, notify_citizen

OFFICIAL = Actor.official(77)
USER = 4242


async def test_delete_personal_data(store: Store, clock: FakeClock) -> None:
    store.clock = clock
    closed = await store.submit(
        new_submission(
            user_id=USER, attachments=[NewAttachment(AttachmentKind.PHOTO, "p", "u", USER, 10)]
        ),
        card_and_confirmation,
    )
    for row in await store.claim_outbox("w", 10):
        await store.mark_sent(row.id, 500 if row.chat_id == COMMITTEE_CHAT else 501)
    await store.link_message(USER, 502, closed.id, "relay_to_citizen")
    await store.add_reply(closed.id, Actor.citizen(USER), "Bổ sung thông tin")
    closed = await store.change_status(closed.id, SubmissionStatus.RESOLVED, OFFICIAL, notify_citizen)
    still_open = await store.submit(new_submission(user_id=USER, anonymous=True), card_and_confirmation)
    await store.save_draft(USER, "text", {"text": "dở dang"}, expected_version=None)
    await store.log_question("Tôi hỏi", "toi hoi", document=None, article=None, score=None, sure=False, user_id=USER)
    await store.enqueue([OutboxItem("answer:1", "sendMessage", {"chat_id": USER, "text": "…"}, USER)])
    bystander = await store.submit(new_submission(user_id=USER + 1), card_and_confirmation)

    report = await store.delete_personal_data(USER)

    assert report.found and report.citizen_removed and report.removed_anything
    assert report.remaining_codes == [closed.code, still_open.code] and report.submissions_kept == 2
    assert report.open_codes == [still_open.code]
    assert report.drafts_deleted == 1 and report.questions_unlinked == 1
    assert report.message_links_deleted == 1  # the relay (502) in the private chat
    # Everything addressed to the private chat: two confirmations, the status notice, the answer.
    assert report.outbox_rows_deleted == 4
    assert report.pending_deliveries == 1  # the open submission's card: the committee still gets the content
    assert report.outbox_payloads_scrubbed == 1  # the delivered card

    assert await store.get_citizen(USER) is None and await store.get_draft(USER) is None
    assert await store.list_citizen_submissions(USER) == []
    assert await store.get_submission_for_owner(closed.code, USER) is None
    for kept in (closed, still_open):
        sub = await store.get_submission(kept.id)
        assert sub is not None and (sub.text, sub.status, sub.code) == (kept.text, kept.status, kept.code)
        assert (sub.citizen_user_id, sub.citizen_chat_id, sub.contact_name, sub.contact_phone) == (
            None,
            None,
            None,
            None,
        )
        assert sub.personal_data_removed_at == clock.now
        trail = await store.list_audit(sub.id)
        assert all(e.actor_id is None for e in trail if e.actor_kind is ActorKind.CITIZEN)
        assert trail[-1].action is AuditAction.PERSONAL_DATA_REMOVED
    [photo] = await store.list_attachments(closed.id)
    assert (photo.file_id, photo.source_chat_id, photo.source_message_id) == ("p", None, None)
    assert await store.get_by_message(USER, 502) is None
    linked = await store.get_by_message(COMMITTEE_CHAT, 500)
    assert linked is not None and linked.submission.id == closed.id, "the committee's card still works"
    card = await store.get_outbox(f"card:{closed.code}")
    assert card is not None and card["payload"] == {}
    assert (await store.unanswered_questions())[0].count == 1

    export = {r.code: r for r in await store.export_rows()}
    assert export[closed.code].name is None and export[closed.code].phone is None
    assert export[bystander.code].name == "Nguyễn Văn An", "other people are untouched"
    assert await store.get_submission_for_owner(bystander.code, USER + 1) is not None

    again = await store.delete_personal_data(USER)
    assert not again.found and again.remaining_codes == []


async def test_retention_purge(store: Store, clock: FakeClock) -> None:
    store.clock = clock
    start = clock.now
    # An old, closed case of a citizen who went quiet.
    old = await store.submit(new_submission(user_id=1), card_and_confirmation)
    for row in await store.claim_outbox("w", 10):
        await store.mark_sent(row.id, 900 + row.id)
    await store.change_status(old.id, SubmissionStatus.RESOLVED, OFFICIAL)
    await store.save_draft(1, "kind", {}, expected_version=None)
    await store.log_question("cũ", "cu", document=None, article=None, score=None, sure=False, user_id=1)
    # An old but still open case: its sender must still hear about it.
    waiting = await store.submit(new_submission(user_id=2))

    clock.now = start + timedelta(days=400)
    recent = await store.submit(new_submission(user_id=3))
    await store.upsert_citizen(4, 4)

    report = await store.purge_personal_data(365)
    assert report.cutoff == clock.now - timedelta(days=365)
    assert report.submissions_anonymised == 1
    assert report.citizens_deleted == 1  # citizen 1; citizen 2 still linked, 3 and 4 recent
    assert report.drafts_deleted == 1 and report.questions_unlinked == 1
    assert report.outbox_rows_deleted == 2  # the delivered card and confirmation
    assert report.message_links_deleted == 0  # the confirmation had no link role

    gone = await store.get_submission(old.id)
    assert gone is not None and gone.citizen_user_id is None and gone.contact_name is None
    assert gone.personal_data_removed_at == clock.now and gone.text == old.text
    assert await store.get_citizen(1) is None
    kept = await store.get_submission(waiting.id)
    assert kept is not None and kept.citizen_user_id == 2 and kept.contact_phone == "0912345678"
    assert (await store.get_submission(recent.id)).citizen_user_id == 3  # type: ignore[union-attr]
    assert await store.get_citizen(4) is not None
    assert (await store.purge_personal_data(365)).submissions_anonymised == 0, "idempotent"
