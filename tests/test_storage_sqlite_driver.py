"""The SQLite driver that makes one trip to aiosqlite's thread per statement (storage/sqlite_driver.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import Store, sqlite_driver
from storage.engine import create_engine

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
