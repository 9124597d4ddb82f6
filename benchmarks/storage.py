"""Storage figures: submissions committed per second, and the report queries over 100,000 submissions.

    python benchmarks/storage.py [--submissions 10000] [--rows 100000] [--engines sqlite,postgresql]

1. Throughput: N full submits (citizen upsert, submission with a fresh code, one attachment, audit entry,
   two outbox rows — card and confirmation — in one commit each), first from one task, then from several
   concurrent tasks (as several handlers or replicas would).
2. Reports: `statistics` and `overdue` over a synthetic year of R submissions (20 committees, 60 places,
   10 topics; 85 % closed), timed with the report indexes and again without them, plus the query plans.

PostgreSQL: a throw-away database is created on the server of HOPTHU_BENCH_PG_URL, else
HOPTHU_TEST_PG_URL, else postgresql+asyncpg://postgres@127.0.0.1:5432/postgres, and dropped afterwards.
If no server answers, the PostgreSQL part is skipped with a message. Figures only — nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics as stats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from storage import AttachmentKind, Kind, NewAttachment, NewSubmission, OutboxItem, Store, Submission, SubmissionStatus
from storage.codes import new_code
from storage.models import citizens, submissions
from tests.databases import benchmark_pg_server, throwaway_database

REPORT_INDEXES = {
    "ix_submissions_committee_created": "(committee_id, created_at)",
    "ix_submissions_created": "(created_at)",
    "ix_submissions_open_due_resolve": "(committee_id, due_resolve_at) WHERE status NOT IN "
    "('out_of_scope', 'resolved')",
    "ix_submissions_unacknowledged_due": "(committee_id, due_ack_at) WHERE acknowledged_at IS NULL AND "
    "status NOT IN ('out_of_scope', 'resolved')",
}
COMMITTEES = [f"bcd-{i:02d}" for i in range(20)]
UNITS = [f"xa-{i:02d}" for i in range(60)]
TOPICS = [f"topic-{i}" for i in range(10)]
KINDS = list(Kind)


# ------------------------------------------------------------------------------------------- databases


# ------------------------------------------------------------------------------------------ throughput


def _outbox(sub: Submission) -> list[OutboxItem]:
    return [
        OutboxItem(f"card:{sub.code}", "sendMessage", {"chat_id": -100123, "text": sub.text}, -100123, link="card"),
        OutboxItem(f"confirm:{sub.code}", "sendMessage", {"chat_id": sub.citizen_chat_id, "text": sub.code},
                   sub.citizen_chat_id or 0),
    ]


def _new(i: int) -> NewSubmission:
    return NewSubmission(
        user_id=100_000 + i,
        chat_id=100_000 + i,
        kind=KINDS[i % len(KINDS)],
        committee_id=COMMITTEES[i % len(COMMITTEES)],
        unit_id=UNITS[i % len(UNITS)],
        topic_id=TOPICS[i % len(TOPICS)],
        text=f"Góp ý số {i}: đường liên thôn xuống cấp, đề nghị xã sửa chữa trước mùa mưa.",
        anonymous=i % 3 == 0,
        name="Nguyễn Văn An",
        phone="0912345678",
        attachments=(NewAttachment(AttachmentKind.PHOTO, f"file-{i}", f"u-{i}", 100_000 + i, i),),
    )


async def throughput(url: str, n: int, concurrency: int, inline_sqlite: bool = False) -> tuple[float, float]:
    """Submissions per second from one task, then from `concurrency` tasks (n each run, fresh database)."""
    store = Store(url, inline_sqlite=inline_sqlite)
    await store.open()
    try:
        started = time.perf_counter()
        for i in range(n):
            await store.submit(_new(i), _outbox)
        single = n / (time.perf_counter() - started)

        queue = iter(range(n, 2 * n))

        async def worker() -> None:
            for i in queue:
                await store.submit(_new(i), _outbox)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        parallel = n / (time.perf_counter() - started)
        counts = await store.outbox_counts()
        assert counts["pending"] == 4 * n, counts
    finally:
        await store.close()
    return single, parallel


# ------------------------------------------------------------------------------------------- reports


async def load_year(url: str, rows: int, now: datetime) -> None:
    """Bulk-load a year of submissions with realistic statuses and timings (no per-row transactions)."""
    rnd = random.Random(7)
    store = Store(url)
    await store.open()
    engine = store.writer
    codes: set[str] = set()
    n_citizens = max(1, rows // 3)
    try:
        async with engine.begin() as conn:
            for start in range(0, n_citizens, 5000):
                await conn.execute(
                    sa.insert(citizens),
                    [
                        {"user_id": 10**9 + i, "chat_id": 10**9 + i, "name": None, "phone": None,
                         "created_at": now, "last_seen_at": now}
                        for i in range(start, min(n_citizens, start + 5000))
                    ],
                )
        # Rows arrive in time order in real life, so ids follow created_at (as the indexes will see it).
        created_times = sorted(now - timedelta(seconds=rnd.uniform(0, 365 * 86400)) for _ in range(rows))
        batch: list[dict[str, Any]] = []
        for i, created in enumerate(created_times):
            due_ack, due_resolve = created + timedelta(days=3), created + timedelta(days=30)
            roll = rnd.random()
            ack_after = timedelta(hours=rnd.expovariate(1 / 20))
            resolve_after = timedelta(days=rnd.expovariate(1 / 14))
            acked = created + ack_after if created + ack_after < now else None
            resolved = created + resolve_after if roll < 0.75 and created + resolve_after < now else None
            if resolved is not None:
                status, acked = SubmissionStatus.RESOLVED, acked or resolved
            elif roll < 0.85:
                status = SubmissionStatus.OUT_OF_SCOPE
            elif acked is None:
                status = rnd.choice([SubmissionStatus.NEW, SubmissionStatus.FORWARDED])
            else:
                status = rnd.choice(
                    [SubmissionStatus.ACKNOWLEDGED, SubmissionStatus.IN_PROGRESS, SubmissionStatus.ANSWERED]
                )
            code = new_code()
            while code in codes:
                code = new_code()
            codes.add(code)
            batch.append(
                {
                    "code": code,
                    "kind": str(rnd.choice(KINDS)),
                    "topic_id": rnd.choice(TOPICS),
                    "unit_id": rnd.choice(UNITS),
                    "committee_id": rnd.choice(COMMITTEES),
                    "text": "Nội dung góp ý mẫu cho phép đo.",
                    "anonymous": rnd.random() < 0.3,
                    "citizen_id": rnd.randint(1, n_citizens),
                    "contact_name": None,
                    "contact_phone": None,
                    "status": str(status),
                    "revision": 1,
                    "created_at": created,
                    "updated_at": resolved or acked or created,
                    "due_ack_at": due_ack,
                    "due_resolve_at": due_resolve,
                    "acknowledged_at": acked,
                    "resolved_at": resolved,
                    "ack_seconds": int((acked - created).total_seconds()) if acked else None,
                    "resolve_seconds": int((resolved - created).total_seconds()) if resolved else None,
                    "rating": rnd.randint(1, 5) if resolved and rnd.random() < 0.4 else None,
                    "rated_at": resolved if resolved else None,
                    "personal_data_removed_at": None,
                }
            )
            if len(batch) == 5000 or i == rows - 1:
                async with engine.begin() as conn:
                    await conn.execute(sa.insert(submissions), batch)
                batch = []
        async with engine.begin() as conn:
            await conn.exec_driver_sql("ANALYZE")
    finally:
        await store.close()


async def _best_of(fn: Callable[[], Awaitable[object]], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - started)
    return stats.median(times) * 1000


async def time_queries(store: Store, now: datetime) -> dict[str, float]:
    quarter = (now - timedelta(days=91), now)
    year = (now - timedelta(days=366), now)
    return {
        "statistics, all committees, 1 year": await _best_of(lambda: store.statistics(*year, now=now)),
        "statistics, all committees, 1 quarter": await _best_of(lambda: store.statistics(*quarter, now=now)),
        "statistics, 1 committee, 1 quarter": await _best_of(
            lambda: store.statistics(*quarter, committee_id=COMMITTEES[3], now=now)
        ),
        "overdue, all committees": await _best_of(lambda: store.overdue(now=now)),
        "overdue, 1 committee": await _best_of(lambda: store.overdue(COMMITTEES[3], now=now)),
    }


async def query_plans(store: Store, now: datetime) -> list[str]:
    """The plans of the SQL that `overdue` and a one-committee `statistics` run (captured, then explained)."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    sa.event.listen(store.engine.sync_engine, "before_cursor_execute", capture)
    try:
        await store.overdue(COMMITTEES[3], now=now)
        await store.statistics(now - timedelta(days=91), now, committee_id=COMMITTEES[3], now=now)
    finally:
        sa.event.remove(store.engine.sync_engine, "before_cursor_execute", capture)
    lines: list[str] = []
    async with store.engine.connect() as conn:
        for statement, parameters in captured[:3]:  # overdue x2, statistics group-by
            prefix = "EXPLAIN QUERY PLAN " if store.dialect == "sqlite" else "EXPLAIN "
            result = await conn.exec_driver_sql(prefix + statement, parameters)
            plan = [str(row[-1]) for row in result]
            head = " ".join(statement.split())[:60]
            lines.append(f"    {head}…")
            lines += [f"      {p.strip()}" for p in plan if "SCAN" in p or "SEARCH" in p or "Scan" in p
                      or "Index" in p][:4]
    return lines


async def reports(url: str, rows: int) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    started = time.perf_counter()
    await load_year(url, rows, now)
    print(f"  loaded {rows:,} submissions in {time.perf_counter() - started:.1f} s")
    async with Store(url) as store:
        with_ix = await time_queries(store, now)
        items = await store.overdue(now=now)
        year = await store.statistics(now - timedelta(days=366), now, now=now)
        print(f"  {year.total:,} in the year, {len(items):,} overdue; median ack "
              f"{(year.median_ack_seconds or 0) / 3600:.1f} h, median resolve "
              f"{(year.median_resolve_seconds or 0) / 86400:.1f} d, on time {year.on_time_share or 0:.0%}")
        plans = await query_plans(store, now)
        async with store.writer.begin() as conn:
            for name in REPORT_INDEXES:
                await conn.exec_driver_sql(f"DROP INDEX {name}")
            await conn.exec_driver_sql("ANALYZE")
        without_ix = await time_queries(store, now)
        async with store.writer.begin() as conn:
            for name, definition in REPORT_INDEXES.items():
                columns, _, where = definition.partition(" WHERE ")
                await conn.exec_driver_sql(
                    f"CREATE INDEX {name} ON submissions {columns}" + (f" WHERE {where}" if where else "")
                )
            await conn.exec_driver_sql("ANALYZE")
    print(f"  {'query':<40}{'with indexes':>14}{'without':>12}")
    for label, ms in with_ix.items():
        print(f"  {label:<40}{ms:>11.1f} ms{without_ix[label]:>9.1f} ms")
    print("  query plans (with indexes):")
    for line in plans:
        print(line)


# ---------------------------------------------------------------------------------------------- main


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--inline-sqlite", action="store_true", help="SQLite through the opt-in inline driver")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    pg = await benchmark_pg_server() if "postgresql" in engines else None
    if pg is None:
        engines = [e for e in engines if e != "postgresql"]

    print(f"Python {sys.version.split()[0]}, SQLAlchemy {sa.__version__}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="hopthu-bench-") as tmp:
        for engine in engines:
            print(f"\n== {engine} ==")
            async with throwaway_database(engine, Path(tmp), pg, prefix="hopthu_bench") as url:
                single, parallel = await throughput(url, args.submissions, args.concurrency, args.inline_sqlite)
            print(f"  submit (1 task):  {single:8.0f} submissions/s committed ({args.submissions:,} submissions, "
                  "each: citizen, submission, attachment, audit, 2 outbox rows)")
            print(f"  submit ({args.concurrency} tasks): {parallel:8.0f} submissions/s committed")
            async with throwaway_database(engine, Path(tmp), pg, prefix="hopthu_bench") as url:
                await reports(url, args.rows)


if __name__ == "__main__":
    asyncio.run(main())
