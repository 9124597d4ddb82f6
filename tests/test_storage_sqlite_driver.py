"""The SQLite driver that makes one trip to aiosqlite's thread per statement (storage/sqlite_driver.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import DraftConflict, Store, sqlite_driver
from storage.engine import WRITE_OPTION, create_engine, single_statement

ROWS = 3 * sqlite_driver.BATCH_ROWS + 7  # more than a batch, and not a multiple of one


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite3'}")
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)")
        await conn.execute(sa.text("INSERT INTO t (v) VALUES (:v)"), [{"v": f"v{i}"} for i in range(ROWS)])
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every call the driver sends to aiosqlite's thread."""
    seen: list[Any] = []
    original = sqlite_driver.OneHopConnection._execute

    async def counted(self: sqlite_driver.OneHopConnection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(fn)
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(sqlite_driver.OneHopConnection, "_execute", counted)
    return seen


async def test_the_engine_uses_the_driver(engine: AsyncEngine, tmp_path: Path) -> None:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, sqlite_driver.OneHopConnection)
    async with Store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as store:
        async with store.writer.connect() as conn:
            raw = await conn.get_raw_connection()
            assert isinstance(raw.driver_connection, sqlite_driver.OneHopConnection)


async def test_a_small_select_is_one_trip(engine: AsyncEngine, trips: list[Any]) -> None:
    async with engine.connect() as conn:
        await conn.exec_driver_sql("SELECT 1")  # the deferred BEGIN
        trips.clear()
        row = (await conn.execute(sa.text("SELECT id, v FROM t WHERE v = :v"), {"v": "v5"})).one()
        assert tuple(row) == (6, "v5")
        assert len(trips) == 1


async def test_large_results_and_streams_come_back_whole_and_in_order(engine: AsyncEngine, trips: list[Any]) -> None:
    expected = [(i + 1, f"v{i}") for i in range(ROWS)]
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT id, v FROM t ORDER BY id"))).all()
        assert [tuple(r) for r in rows] == expected
        result = await conn.stream(sa.text("SELECT id, v FROM t ORDER BY id"))
        streamed = [tuple(r) async for r in result]
        assert streamed == expected
        partitions = await conn.stream(sa.text("SELECT id, v FROM t ORDER BY id"))
        sizes = [len(p) async for p in partitions.partitions(100)]
        assert sum(sizes) == ROWS and max(sizes) == 100
        empty = (await conn.execute(sa.text("SELECT id FROM t WHERE id < 0"))).all()
        assert empty == []
    assert len(trips) < 30  # batches of BATCH_ROWS, not a trip per row


async def test_writes_report_rowcount_and_lastrowid(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        inserted = await conn.execute(sa.text("INSERT INTO t (v) VALUES ('new')"))
        assert inserted.lastrowid == ROWS + 1
        updated = await conn.execute(sa.text("UPDATE t SET v = v || '!' WHERE id <= 10"))
        assert updated.rowcount == 10
        many = await conn.execute(sa.text("UPDATE t SET v = :v WHERE id = :id"),
                                  [{"v": "a", "id": 1}, {"v": "b", "id": 2}])
        assert many.rowcount == 2
        returned = (await conn.execute(sa.text("UPDATE t SET v = 'c' WHERE id = 3 RETURNING id, v"))).one()
        assert tuple(returned) == (3, "c")


async def test_errors_surface_and_the_connection_stays_usable(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        with pytest.raises(OperationalError):
            await conn.exec_driver_sql("SELEC nonsense")
        await conn.rollback()
        with pytest.raises(IntegrityError):
            await conn.execute(sa.text("INSERT INTO t (v) VALUES ('v1')"))
        await conn.rollback()
        assert (await conn.execute(sa.text("SELECT count(*) FROM t"))).scalar_one() == ROWS


async def _count(engine: AsyncEngine, where: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.text(f"SELECT count(*) FROM t WHERE {where}"))).scalar_one())


async def test_one_statement_is_one_trip_and_is_durable(engine: AsyncEngine, trips: list[Any]) -> None:
    """No BEGIN, no COMMIT, and no ROLLBACK when the pool takes the connection back."""
    single = single_statement(engine)
    async with single.connect() as conn:
        await conn.execute(sa.text("SELECT v FROM t WHERE id = 1"))
    async with single.begin() as conn:
        await conn.execute(sa.text("INSERT INTO t (v) VALUES ('alone')"))
    assert len(trips) == 2
    assert await _count(engine, "v = 'alone'") == 1  # committed by SQLite itself, seen by another connection


async def test_open_transactions_are_still_committed_and_rolled_back(engine: AsyncEngine, trips: list[Any]) -> None:
    with pytest.raises(RuntimeError):
        async with engine.begin() as conn:
            await conn.execute(sa.text("INSERT INTO t (v) VALUES ('dropped')"))
            raise RuntimeError
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(sa.text("INSERT INTO t (v) VALUES ('dropped too')"))
            await conn.execute(sa.text("INSERT INTO t (v) VALUES ('v1')"))  # unique: fails inside the transaction
    writer = engine.execution_options(**{WRITE_OPTION: True})
    async with writer.begin() as conn:
        await conn.execute(sa.text("INSERT INTO t (v) VALUES ('kept')"))
    names = [getattr(fn, "__name__", "") for fn in trips]
    assert names.count("rollback") == 2 and names.count("commit") == 1
    assert await _count(engine, "v IN ('dropped', 'dropped too')") == 0
    assert await _count(engine, "v = 'kept'") == 1


async def test_a_step_of_a_conversation_is_two_trips(tmp_path: Path, trips: list[Any]) -> None:
    """Read the draft, save it: what every update of /gopy does to the database."""
    async with Store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as store:
        draft = await store.start_draft(5, "kind", {}, chat_id=5)
        trips.clear()
        draft = await store.get_draft(5)
        assert draft is not None
        saved = await store.save_draft(5, "place", {"kind": "gop_y"}, expected_version=draft.version)
        assert len(trips) == 2
        assert saved.version == draft.version + 1
        with pytest.raises(DraftConflict) as conflict:  # a stale writer still learns what is stored
            await store.save_draft(5, "topic", {}, expected_version=draft.version)
        assert conflict.value.current is not None and conflict.value.current.step == "place"
