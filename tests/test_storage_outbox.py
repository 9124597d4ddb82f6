"""The outbox: idempotent enqueue, leases, retries, order, and concurrent workers delivering exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from storage import Actor, AuditAction, OutboxItem, Store
from tests.storage_fixtures import COMMITTEE_CHAT, FakeClock, card_and_confirmation, new_submission


def item(key: str, chat_id: int = 100, **fields: object) -> OutboxItem:
    return OutboxItem(
        key=key,
        method="sendMessage",
        payload={"chat_id": chat_id, "text": key},
        chat_id=chat_id,
        **fields,  # type: ignore[arg-type]
    )


async def test_idempotency_key_inserts_once(store: Store) -> None:
    assert await store.enqueue([item("digest:2026-03-02"), item("digest:2026-03-02")]) == 1
    assert await store.enqueue([item("digest:2026-03-02")]) == 0
    [row] = await store.claim_outbox("w", 10)
    assert await store.mark_sent(row.id, 1)
    assert await store.enqueue([item("digest:2026-03-02")]) == 0, "a sent key stays sent"
    assert await store.outbox_counts() == {"pending": 0, "sent": 1, "failed": 0, "leased": 0}

    # The same holds inside an action: a retried handler cannot queue the card twice.
    sub = await store.submit(new_submission(), card_and_confirmation)
    again = await store.change_status(sub.id, "acknowledged", Actor.official(9), lambda s: card_and_confirmation(sub))
    assert again.status == "acknowledged"
    assert (await store.outbox_counts())["pending"] == 2


async def test_claim_lease_and_mark(store: Store, clock: FakeClock) -> None:
    store.clock = clock
    sub = await store.submit(new_submission(), card_and_confirmation)
    rows = await store.claim_outbox("w1", 10, now=clock.now, lease_seconds=30)
    assert [r.key for r in rows] == [f"card:{sub.code}", f"confirm:{sub.code}"]
    assert all(r.lease_until == clock.now + timedelta(seconds=30) for r in rows)
    assert await store.claim_outbox("w2", 10, now=clock.now + timedelta(seconds=29)) == []
    assert (await store.outbox_counts())["leased"] == 2

    card, confirm = rows
    assert await store.mark_sent(card.id, 321)
    assert not await store.mark_sent(card.id, 321), "idempotent"
    linked = await store.get_by_message(COMMITTEE_CHAT, 321)
    assert linked is not None and linked.role == "card"
    assert await store.get_by_message(confirm.chat_id, 322) is None

    row = await store.get_outbox(card.key)
    assert row is not None and row["status"] == "sent" and row["message_id"] == 321
    assert row["lease_until"] is None
    delivered = [e for e in await store.list_audit(sub.id) if e.action is AuditAction.DELIVERED]
    assert len(delivered) == 1


async def test_crash_between_claim_and_mark_is_retried_after_the_lease(store: Store, clock: FakeClock) -> None:
    store.clock = clock
    await store.enqueue([item("k1")])
    [first] = await store.claim_outbox("crashed-worker", 5, now=clock.now, lease_seconds=60)
    # ... the worker dies here. Nobody else gets the row while the lease runs,
    assert await store.claim_outbox("w2", 5, now=clock.now + timedelta(seconds=59)) == []
    # then it comes back, not lost.
    [again] = await store.claim_outbox("w2", 5, now=clock.now + timedelta(seconds=61), lease_seconds=60)
    assert again.id == first.id and again.key == "k1"
    # A late word from the dead worker does not disturb the new owner,
    assert not await store.mark_retry(first.id, "late", clock.now, worker_id="crashed-worker")
    assert not await store.mark_failed(first.id, "late", worker_id="crashed-worker")
    assert await store.mark_sent(again.id, 99)
    assert await store.outbox_counts() == {"pending": 0, "sent": 1, "failed": 0, "leased": 0}


async def test_retry_and_permanent_failure(store: Store, clock: FakeClock) -> None:
    store.clock = clock
    sub = await store.submit(new_submission())
    await store.enqueue([item("r1", submission_id=sub.id), item("f1", chat_id=200, submission_id=sub.id)])
    r1, f1 = await store.claim_outbox("w", 10, now=clock.now)
    later = clock.now + timedelta(seconds=30)
    assert await store.mark_retry(r1.id, "429 retry after 30s", later, worker_id="w")
    assert await store.mark_failed(f1.id, "Forbidden: bot was blocked by the user")
    assert not await store.mark_retry(f1.id, "x", later), "a failed row stays failed"

    assert await store.claim_outbox("w", 10, now=clock.now + timedelta(seconds=29)) == []
    assert await store.next_outbox_due(clock.now) == later
    [again] = await store.claim_outbox("w", 10, now=later)
    assert again.id == r1.id and again.attempts == 1
    counts = await store.outbox_counts()
    assert (counts["pending"], counts["failed"]) == (1, 1)
    failed = [e for e in await store.list_audit(sub.id) if e.action is AuditAction.DELIVERY_FAILED]
    assert [e.note for e in failed] == ["Forbidden: bot was blocked by the user"]

    assert await store.release_outbox([again.id]) == 1
    [released] = await store.claim_outbox("w", 10, now=later)
    assert released.attempts == 1, "releasing is not an attempt"


async def test_one_chat_receives_in_order(store: Store, clock: FakeClock) -> None:
    store.clock = clock
    await store.enqueue([item("a1", chat_id=1), item("a2", chat_id=1), item("b1", chat_id=2)])
    rows = await store.claim_outbox("w", 1, now=clock.now)
    assert [r.key for r in rows] == ["a1"]
    # While a1 is out with another worker, a2 must wait; b1 (another chat) need not.
    assert [r.key for r in await store.claim_outbox("w2", 10, now=clock.now)] == ["b1"]
    await store.mark_retry(rows[0].id, "429", clock.now + timedelta(seconds=5))
    assert await store.claim_outbox("w2", 10, now=clock.now + timedelta(seconds=1)) == []
    assert [r.key for r in await store.claim_outbox("w2", 10, now=clock.now + timedelta(seconds=5))] == [
        "a1",
        "a2",
    ]


async def test_after_dependency_threads_attachments_under_the_card(store: Store, clock: FakeClock) -> None:
    store.clock = clock
    await store.enqueue(
        [
            item("card", chat_id=COMMITTEE_CHAT),
            OutboxItem(
                key="att-1",
                method="copyMessage",
                payload={"chat_id": COMMITTEE_CHAT, "from_chat_id": 5, "message_id": 6},
                chat_id=-999,
                after="card",
            ),
        ]
    )
    [card] = await store.claim_outbox("w", 10, now=clock.now)
    assert card.key == "card", "the copy waits for its card"
    assert await store.claim_outbox("w", 10, now=clock.now) == []
    await store.mark_sent(card.id, 4242)
    [copy] = await store.claim_outbox("w", 10, now=clock.now)
    assert (copy.key, copy.after, copy.after_message_id) == ("att-1", "card", 4242)


async def test_two_workers_drain_1000_rows_exactly_once(store: Store, db_url: str, inline_sqlite: bool) -> None:
    await store.enqueue([item(f"row-{i}", chat_id=10_000 + i % 200) for i in range(1000)])
    other = Store(db_url, inline_sqlite=inline_sqlite)
    await other.open()
    claims: Counter[int] = Counter()
    sends: Counter[int] = Counter()
    by_worker: Counter[str] = Counter()

    async def worker(name: str, st: Store) -> None:
        idle = 0
        while True:
            rows = await st.claim_outbox(name, limit=25, lease_seconds=300)
            if not rows:
                if (await st.outbox_counts())["pending"] == 0:
                    return
                idle += 1
                assert idle < 2000, "workers stalled"
                await asyncio.sleep(0.005)
                continue
            for row in rows:
                claims[row.id] += 1
                await asyncio.sleep(0)  # "send"
                sends[row.id] += 1
                by_worker[name] += 1
                assert await st.mark_sent(row.id, 1_000_000 + row.id)

    try:
        await asyncio.wait_for(
            asyncio.gather(worker("w1", store), worker("w2", other), worker("w3", store)), timeout=240
        )
    finally:
        await other.close()
    assert len(sends) == 1000 and set(sends.values()) == {1}
    assert set(claims.values()) == {1}, "no row was ever claimed twice"
    assert by_worker["w1"] > 0 and by_worker["w2"] > 0
    assert await store.outbox_counts() == {"pending": 0, "sent": 1000, "failed": 0, "leased": 0}


async def test_claim_is_one_atomic_statement(store: Store) -> None:
    """PostgreSQL claims with FOR UPDATE SKIP LOCKED; SQLite with one UPDATE … RETURNING."""
    await store.enqueue([item("x")])
    statements: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(" ".join(statement.split()).upper())

    sa.event.listen(store.writer.sync_engine, "before_cursor_execute", capture)
    try:
        assert len(await store.claim_outbox("w", 5)) == 1
    finally:
        sa.event.remove(store.writer.sync_engine, "before_cursor_execute", capture)
    [claim] = [s for s in statements if s.startswith("UPDATE OUTBOX")]
    assert "RETURNING" in claim and "WHERE OUTBOX.ID IN (SELECT" in claim
    if store.dialect == "postgresql":
        assert "FOR UPDATE OF O SKIP LOCKED" in claim
    else:
        assert "FOR UPDATE" not in claim
