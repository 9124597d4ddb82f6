"""Statistics, overdue lists, exports and the question log, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage import Actor, AttachmentKind, Kind, NewAttachment, Store, SubmissionStatus
from tests.storage_fixtures import FakeClock, new_submission

OFFICIAL = Actor.official(77)


async def _scenario(store: Store, clock: FakeClock) -> dict[str, int]:
    """Five submissions with known timings (deadlines: 3 days to acknowledge, 30 to resolve)."""
    store.clock = clock
    start = clock.now
    ids: dict[str, int] = {}

    # a: acknowledged after 2 h, resolved after 10 days (on time), rated 5.
    a = await store.submit(new_submission(user_id=1, kind=Kind.PHAN_ANH, topic_id="ha-tang"))
    clock.now = start + timedelta(hours=2)
    await store.change_status(a.id, SubmissionStatus.ACKNOWLEDGED, OFFICIAL)
    clock.now = start + timedelta(days=10)
    await store.change_status(a.id, SubmissionStatus.RESOLVED, OFFICIAL)
    await store.rate(a.id, 1, 5)
    ids["a"] = a.id

    # b: acknowledged after 4 h, answered, rated 2, still open.
    clock.now = start + timedelta(hours=1)
    b = await store.submit(new_submission(user_id=2, kind=Kind.GOP_Y, topic_id="moi-truong", anonymous=True))
    clock.now = start + timedelta(hours=5)
    await store.change_status(b.id, SubmissionStatus.ANSWERED, OFFICIAL)
    await store.rate(b.id, 2, 2)
    ids["b"] = b.id

    # c: never acknowledged, another committee and place.
    clock.now = start + timedelta(hours=2)
    c = await store.submit(
        new_submission(user_id=3, committee_id="bcd-cho-moi", unit_id="xa-nong-thinh", topic_id="ha-tang")
    )
    ids["c"] = c.id

    # d: acknowledged after 6 h, resolved after 40 days (late).
    clock.now = start + timedelta(hours=3)
    d = await store.submit(new_submission(user_id=4, kind=Kind.KIEN_NGHI))
    clock.now = start + timedelta(hours=9)
    await store.change_status(d.id, SubmissionStatus.IN_PROGRESS, OFFICIAL)
    clock.now = start + timedelta(days=40, hours=3)
    await store.change_status(d.id, SubmissionStatus.RESOLVED, OFFICIAL)
    ids["d"] = d.id

    # e: out of scope at once (final, not "resolved").
    clock.now = start + timedelta(hours=4)
    e = await store.submit(new_submission(user_id=5, topic_id=None))
    await store.change_status(e.id, SubmissionStatus.OUT_OF_SCOPE, OFFICIAL)
    ids["e"] = e.id

    # f: created long before the period.
    clock.now = start - timedelta(days=100)
    f = await store.submit(new_submission(user_id=6))
    ids["f"] = f.id
    clock.now = start + timedelta(days=45)
    return ids


async def test_statistics(store: Store, clock: FakeClock) -> None:
    start = clock.now
    await _scenario(store, clock)
    stats = await store.statistics(start, start + timedelta(days=1))
    assert stats.total == 5
    assert stats.by_status == {"resolved": 2, "answered": 1, "new": 1, "out_of_scope": 1}
    assert stats.by_committee == {"bcd-nong-ha": 4, "bcd-cho-moi": 1}
    assert stats.by_kind == {"phan_anh": 3, "gop_y": 1, "kien_nghi": 1}
    assert stats.by_topic == {"ha-tang": 3, "moi-truong": 1, None: 1}
    assert stats.by_unit == {"xa-nong-ha": 4, "xa-nong-thinh": 1}
    # acknowledged: a 2 h, b 4 h, d 6 h, e 0 h -> median 3 h
    assert stats.acknowledged == 4 and stats.median_ack_seconds == 3 * 3600
    # resolved: a 10 d, d 40 d -> median 25 d
    assert stats.resolved == 2 and stats.median_resolve_seconds == 25 * 86400
    # judged: a (on time), d (late), b and c open past their 30-day deadline -> 1/4
    assert (stats.resolved_on_time, stats.judged_for_deadline) == (1, 4)
    assert stats.on_time_share == pytest.approx(0.25)
    assert stats.ratings == 2 and stats.average_rating == pytest.approx(3.5)

    one = await store.statistics(start, start + timedelta(days=1), committee_id="bcd-cho-moi")
    assert (one.total, one.by_status, one.acknowledged, one.median_ack_seconds) == (1, {"new": 1}, 0, None)
    everything = await store.statistics()
    assert everything.total == 6
    nothing = await store.statistics(start + timedelta(days=300), None)
    assert nothing.total == 0 and nothing.on_time_share is None and nothing.average_rating is None


async def test_overdue(store: Store, clock: FakeClock) -> None:
    start = clock.now
    ids = await _scenario(store, clock)
    # At day 45: b (answered, not resolved), c (never acknowledged, past both) and f are late; a, d, e are final.
    items = await store.overdue()
    assert [(i.submission.id, i.reason) for i in items] == [
        (ids["c"], "resolve"),
        (ids["f"], "resolve"),
        (ids["b"], "resolve"),
    ]
    assert items[0].submission.committee_id == "bcd-cho-moi"
    late_b = items[2]
    assert late_b.due_at == start + timedelta(hours=1, days=30)
    assert late_b.overdue_by == clock.now - late_b.due_at

    # Three days in: c is late to be acknowledged (the others were), f long past its resolve date.
    early = await store.overdue(now=start + timedelta(days=3, hours=3))
    assert [(i.submission.id, i.reason) for i in early] == [(ids["c"], "acknowledge"), (ids["f"], "resolve")]
    assert [i.submission.id for i in await store.overdue("bcd-nong-ha", now=start + timedelta(days=3))] == [
        ids["f"]
    ]
    assert [i.submission.id for i in await store.overdue("bcd-nong-ha")] == [ids["f"], ids["b"]]
    assert len(await store.overdue(limit=1)) == 1


async def test_export_hides_anonymous_senders(store: Store, clock: FakeClock) -> None:
    store.clock = clock
    named = await store.submit(
        new_submission(
            user_id=1,
            attachments=[NewAttachment(AttachmentKind.PHOTO, "p1"), NewAttachment(AttachmentKind.VOICE, "v1")],
        )
    )
    anonymous = await store.submit(new_submission(user_id=2, anonymous=True, name="Lộ tên", phone="0900"))
    clock.advance(days=10)
    await store.submit(new_submission(user_id=3))
    rows = await store.export_rows(clock.now - timedelta(days=11), clock.now - timedelta(days=1))
    assert [r.code for r in rows] == [named.code, anonymous.code]
    first, second = rows
    assert (first.name, first.phone, first.attachments) == ("Nguyễn Văn An", "0912345678", 2)
    assert (second.name, second.phone, second.anonymous, second.attachments) == (None, None, True, 0)
    assert second.text == anonymous.text
    assert len(await store.export_rows(committee_id="bcd-cho-moi")) == 0


async def test_question_log(store: Store, clock: FakeClock) -> None:
    store.clock = clock
    sure = await store.log_question(
        "Xã phải công khai những gì?", "xa phai cong khai nhung gi", document="10/2022/QH15", article=11,
        score=91.0, sure=True, user_id=1,
    )
    for n, text in enumerate(["Lương cán bộ xã?", "luong can bo xa", "LƯƠNG CÁN BỘ XÃ"]):
        clock.advance(minutes=1)
        await store.log_question(text, "luong can bo xa", document=None, article=None, score=30.0 + n,
                                 sure=False, user_id=None)
    clock.advance(minutes=1)
    await store.log_question("Họp dân mấy lần một năm?", "hop dan may lan mot nam", document="10/2022/QH15",
                             article=20, score=55.0, sure=False, user_id=2)
    voted = await store.vote_question(sure.id, helpful=False)
    assert voted is not None and (voted.votes_up, voted.votes_down) == (0, 1)
    assert await store.vote_question(999_999, helpful=True) is None

    unanswered = await store.unanswered_questions()
    assert [(u.normalized, u.count) for u in unanswered] == [
        ("luong can bo xa", 3),
        ("hop dan may lan mot nam", 1),  # ties: most recently asked first
        ("xa phai cong khai nhung gi", 1),  # the bot was sure, but 👎 > 👍
    ]
    assert unanswered[0].example == "LƯƠNG CÁN BỘ XÃ" and unanswered[0].best_score == 32.0
    assert unanswered[1].best_document == "10/2022/QH15" and unanswered[1].best_article == 20
    await store.vote_question(sure.id, helpful=True)
    await store.vote_question(sure.id, helpful=True)
    assert "xa phai cong khai nhung gi" not in [u.normalized for u in await store.unanswered_questions()]
    assert len(await store.unanswered_questions(limit=1)) == 1
    assert await store.unanswered_questions(since=clock.now + timedelta(minutes=1)) == []
