"""Database fixtures, imported by tests/conftest.py.

* `db_url`: a fresh SQLite file per test (twice: `inline_sqlite` off, then on), or (third parameter)
  the session's PostgreSQL test database, emptied before each test. PostgreSQL runs need HOPTHU_TEST_PG_URL (e.g.
  postgresql+asyncpg://postgres@127.0.0.1:5432/postgres, which .ci/run exports); without it the
  PostgreSQL half skips with the reason.
* `store`: an open `Store` on `db_url` — so a test that takes `store` runs on both engines.
* `sqlite_store`: SQLite only, for tests that just need somewhere to keep data.
* `pg_url`: the session's PostgreSQL database (created as hopthu_test_<random>, migrated to head,
  dropped at the end of the session).
* `empty_db_url`: a brand-new empty database per test (SQLite file or PostgreSQL database).
* `clock`: a `FakeClock`; set `store.clock = clock` to freeze and move time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_asyncio
import sqlalchemy as sa

from storage import Kind, NewSubmission, OutboxItem, Store, Submission
from storage.migrate import upgrade
from storage.models import metadata
from tests.databases import PG_ENV, create_pg_database, drop_pg_database, pg_server_url

# what conftest re-exports
__all__ = ["clock", "db_engine", "db_url", "empty_db_url", "inline_sqlite", "pg_url", "sqlite_store", "store"]

PG_SKIP_REASON = (
    f"PostgreSQL tests need {PG_ENV}=postgresql+asyncpg://USER@HOST:PORT/DB (a server where USER may "
    "create databases); .ci/run sets it when a local server runs"
)

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even if an event loop runs in this thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class FakeClock:
    """A clock that stands still until told to move."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    server = pg_server_url()
    if server is None:
        pytest.skip(PG_SKIP_REASON)
    url = run_sync(create_pg_database(server))
    try:
        run_sync(upgrade(url))
        yield url
    finally:
        run_sync(drop_pg_database(server, url))


async def truncate_all(store: Store) -> None:
    """Empty every table of a PostgreSQL test database (fast, keeps the schema)."""
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    async with store.writer.begin() as conn:
        await conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
# SQLite twice: through aiosqlite's public API (the default) and through the opt-in inline driver.
STORE_ENGINES = ["sqlite", "sqlite-inline", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORE_ENGINES)
def db_engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def inline_sqlite(db_engine: str) -> bool:
    """Whether `store` (and a second Store a test opens on `db_url`) uses the inline SQLite driver."""
    return db_engine == "sqlite-inline"


@pytest.fixture
def db_url(db_engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if db_engine.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path / 'hopthu.sqlite3'}"
    return str(request.getfixturevalue("pg_url"))


@pytest_asyncio.fixture
async def store(db_url: str, inline_sqlite: bool) -> AsyncIterator[Store]:
    st = Store(db_url, inline_sqlite=inline_sqlite)
    await st.open()
    if st.dialect == "postgresql":
        await truncate_all(st)
    try:
        yield st
    finally:
        await st.close()


@pytest_asyncio.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[Store]:
    st = Store(f"sqlite+aiosqlite:///{tmp_path / 'hopthu.sqlite3'}")
    await st.open()
    try:
        yield st
    finally:
        await st.close()


@pytest.fixture(params=ENGINES)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = pg_server_url()
    if server is None:
        pytest.skip(PG_SKIP_REASON)
    url = run_sync(create_pg_database(server))
    try:
        yield url
    finally:
        run_sync(drop_pg_database(server, url))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# ------------------------------------------------------------------------------ helpers for the tests

COMMITTEE_CHAT = -1001000000001
OTHER_COMMITTEE_CHAT = -1001000000002


def new_submission(user_id: int = 1001, **fields: Any) -> NewSubmission:
    values: dict[str, Any] = {
        "user_id": user_id,
        "chat_id": user_id,
        "kind": Kind.PHAN_ANH,
        "committee_id": "bcd-nong-ha",
        "unit_id": "xa-nong-ha",
        "topic_id": "ha-tang",
        "text": "Đường liên thôn bị sạt lở, xin xã sửa sớm.",
        "anonymous": False,
        "name": "Nguyễn Văn An",
        "phone": "0912345678",
    }
    values.update(fields)
    return NewSubmission(**values)


def card_and_confirmation(sub: Submission) -> list[OutboxItem]:
    """What the bot writes with a submission: the card to the committee, a confirmation to the sender."""
    items = [
        OutboxItem(
            key=f"card:{sub.code}",
            method="sendMessage",
            payload={"chat_id": COMMITTEE_CHAT, "text": f"{sub.code}: {sub.text}"},
            chat_id=COMMITTEE_CHAT,
            link="card",
        )
    ]
    if sub.citizen_chat_id is not None:
        items.append(
            OutboxItem(
                key=f"confirm:{sub.code}",
                method="sendMessage",
                payload={"chat_id": sub.citizen_chat_id, "text": sub.code},
                chat_id=sub.citizen_chat_id,
            )
        )
    return items


def notify_citizen(sub: Submission) -> list[OutboxItem]:
    if sub.citizen_chat_id is None:
        return []
    return [
        OutboxItem(
            key=f"status:{sub.code}:{sub.revision}",
            method="sendMessage",
            payload={"chat_id": sub.citizen_chat_id, "text": f"{sub.code} → {sub.status}"},
            chat_id=sub.citizen_chat_id,
            link="relay_to_citizen",
        )
    ]
