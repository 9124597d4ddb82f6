"""The SQLite driver when turned on (`inline_sqlite=True`): one call per statement, run in the event
loop's thread unless it would wait (storage/sqlite_driver.py); and the default path without it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import DraftConflict, Store, sqlite_driver
from storage.engine import WRITE_OPTION, create_engine, single_statement

ROWS = 3 * sqlite_driver.BATCH_ROWS + 7  # more than a batch, and not a multiple of one


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.sqlite3'}", inline_sqlite=True)
    async with engine.begin() as conn:
        await conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)")
        await conn.execute(sa.text("INSERT INTO t (v) VALUES (:v)"), [{"v": f"v{i}"} for i in range(ROWS)])
    yield engine
    await engine.dispose()


def _recorded(monkeypatch: pytest.MonkeyPatch, owner: type[aiosqlite.Connection]) -> list[Any]:
    """Every function passed to `owner._execute` from now on."""
    seen: list[Any] = []
    original = owner._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(fn)
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(owner, "_execute", counted)
    return seen


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every call the driver makes on its sqlite3 connection, wherever it runs."""
    return _recorded(monkeypatch, sqlite_driver.OneHopConnection)


@pytest.fixture
def thread_trips(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every call sent to aiosqlite's thread."""
    return _recorded(monkeypatch, aiosqlite.Connection)


async def test_the_engine_uses_the_driver(engine: AsyncEngine, tmp_path: Path) -> None:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, sqlite_driver.OneHopConnection)
    async with Store(f"sqlite:///{tmp_path / 'store.sqlite3'}", inline_sqlite=True) as store:
        async with store.writer.connect() as conn:
            raw = await conn.get_raw_connection()
            assert isinstance(raw.driver_connection, sqlite_driver.OneHopConnection)


async def test_a_small_select_is_one_call(engine: AsyncEngine, calls: list[Any]) -> None:
    async with engine.connect() as conn:
        await conn.exec_driver_sql("SELECT 1")  # the deferred BEGIN
        calls.clear()
        row = (await conn.execute(sa.text("SELECT id, v FROM t WHERE v = :v"), {"v": "v5"})).one()
        assert tuple(row) == (6, "v5")
        assert len(calls) == 1


async def test_large_results_and_streams_come_back_whole_and_in_order(engine: AsyncEngine, calls: list[Any]) -> None:
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
    assert len(calls) < 30  # batches of BATCH_ROWS, not a call per row


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


async def test_one_statement_is_one_call_and_is_durable(engine: AsyncEngine, calls: list[Any]) -> None:
    """No BEGIN, no COMMIT, and no ROLLBACK when the pool takes the connection back."""
    single = single_statement(engine)
    async with single.connect() as conn:
        await conn.execute(sa.text("SELECT v FROM t WHERE id = 1"))
    async with single.begin() as conn:
        await conn.execute(sa.text("INSERT INTO t (v) VALUES ('alone')"))
    assert len(calls) == 2
    assert await _count(engine, "v = 'alone'") == 1  # committed by SQLite itself, seen by another connection


async def test_open_transactions_are_still_committed_and_rolled_back(engine: AsyncEngine, calls: list[Any]) -> None:
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
    names = [getattr(fn, "__name__", "") for fn in calls]
    assert names.count("rollback") == 2 and names.count("commit") == 1
    assert await _count(engine, "v IN ('dropped', 'dropped too')") == 0
    assert await _count(engine, "v = 'kept'") == 1


async def test_a_step_of_a_conversation_is_two_calls(tmp_path: Path, calls: list[Any]) -> None:
    """Read the draft, save it: what every update of /gopy does to the database."""
    async with Store(f"sqlite:///{tmp_path / 'store.sqlite3'}", inline_sqlite=True) as store:
        draft = await store.start_draft(5, "kind", {}, chat_id=5)
        calls.clear()
        draft = await store.get_draft(5)
        assert draft is not None
        saved = await store.save_draft(5, "place", {"kind": "gop_y"}, expected_version=draft.version)
        assert len(calls) == 2
        assert saved.version == draft.version + 1
        with pytest.raises(DraftConflict) as conflict:  # a stale writer still learns what is stored
            await store.save_draft(5, "topic", {}, expected_version=draft.version)
        assert conflict.value.current is not None and conflict.value.current.step == "place"


# ------------------------------------------------------------------ the event loop's thread, and when not

async def test_statements_run_in_the_event_loops_thread(engine: AsyncEngine, thread_trips: list[Any]) -> None:
    writer = engine.execution_options(**{WRITE_OPTION: True})
    async with writer.begin() as conn:
        await conn.execute(sa.text("INSERT INTO t (v) VALUES ('inline')"))
        row = (await conn.execute(sa.text("SELECT id, v FROM t WHERE v = 'inline'"))).one()
        assert row.v == "inline"
    assert await _count(engine, "v = 'inline'") == 1
    assert thread_trips == []


async def test_a_locked_database_is_waited_for_in_the_thread_not_on_the_loop(
    engine: AsyncEngine, tmp_path: Path, thread_trips: list[Any]
) -> None:
    """Another process holds the write lock: our writes wait for it and then succeed, once each, and the
    event loop goes on meanwhile (had they waited on it, nothing could release the lock: the test would
    hang for the 30 s busy timeout and fail)."""
    other = sqlite3.connect(tmp_path / "driver.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t (v) VALUES ('other process')")
    writer = engine.execution_options(**{WRITE_OPTION: True})

    async def in_a_transaction() -> None:
        async with writer.begin() as conn:  # BEGIN IMMEDIATE finds the lock taken
            await conn.execute(sa.text("INSERT INTO t (v) VALUES ('ours, in a transaction')"))

    async def alone() -> None:
        async with single_statement(engine).begin() as conn:  # a lone write finds it taken
            await conn.execute(sa.text("INSERT INTO t (v) VALUES ('ours, alone')"))

    writes = asyncio.gather(in_a_transaction(), alone())
    await asyncio.sleep(0.3)
    assert not writes.done()
    async with engine.connect() as conn:  # WAL: readers are not held up by the writer
        assert (await conn.execute(sa.text("SELECT count(*) FROM t"))).scalar_one() == ROWS
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(writes, 10)
    assert len(thread_trips) >= 2  # each write was run again in its connection's thread
    assert await _count(engine, "v IN ('other process', 'ours, in a transaction', 'ours, alone')") == 3


async def test_long_work_and_executemany_run_in_the_thread(engine: AsyncEngine, thread_trips: list[Any]) -> None:
    async with engine.connect() as conn:
        async with sqlite_driver.offloaded(conn):
            rows = (await conn.execute(sa.text("SELECT id FROM t ORDER BY id"))).all()
        assert len(rows) == ROWS and thread_trips
        thread_trips.clear()
        await conn.execute(sa.text("SELECT count(*) FROM t"))
        assert thread_trips == []  # inline again afterwards
    async with engine.begin() as conn:
        await conn.execute(sa.text("INSERT INTO t (v) VALUES (:v)"), [{"v": "m1"}, {"v": "m2"}])
    assert len(thread_trips) == 1
    assert await _count(engine, "v IN ('m1', 'm2')") == 2


def _busy() -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = sqlite3.SQLITE_BUSY
    return error


async def test_only_a_busy_call_that_changed_nothing_is_run_again(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert isinstance(driver, sqlite_driver.OneHopConnection)
        runs: list[str] = []

        def busy_once() -> str:
            runs.append("run")
            if len(runs) == 1:
                raise _busy()
            return "done"

        assert await driver._execute(busy_once) == "done"
        assert len(runs) == 2

        await driver._execute(driver._conn.execute, "BEGIN")

        def busy_and_rolled_back() -> None:  # SQLite may roll a transaction back on SQLITE_BUSY
            runs.append("rolled back")
            driver._conn.rollback()
            raise _busy()

        with pytest.raises(sqlite3.OperationalError):
            await driver._execute(busy_and_rolled_back)
        assert runs.count("rolled back") == 1

        def other_error() -> None:
            runs.append("other")
            raise sqlite3.OperationalError("no such table: nowhere")

        with pytest.raises(sqlite3.OperationalError):
            await driver._execute(other_error)
        assert runs.count("other") == 1


# ------------------------------------------------------------------------- off (the default): public API


async def test_by_default_connections_are_aiosqlites_own(tmp_path: Path) -> None:
    async with Store(f"sqlite:///{tmp_path / 'store.sqlite3'}") as store:
        for engine in (store.engine, store.writer):
            async with engine.connect() as conn:
                raw = (await conn.get_raw_connection()).driver_connection
                assert type(raw) is aiosqlite.Connection


async def test_by_default_no_statement_nor_commit_runs_on_the_loop(tmp_path: Path) -> None:
    """Traced where SQLite runs them: every statement, the COMMIT included, in aiosqlite's thread; and a
    unit of work of one statement is that statement alone (no BEGIN, no COMMIT)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'default.sqlite3'}", pool_size=1, max_overflow=0)
    traced: list[tuple[str, int]] = []
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
            driver = (await conn.get_raw_connection()).driver_connection
            await driver.set_trace_callback(lambda sql: traced.append((sql, threading.get_ident())))
        traced.clear()
        writer = engine.execution_options(**{WRITE_OPTION: True})
        async with writer.begin() as conn:
            await conn.execute(sa.text("INSERT INTO t (v) VALUES ('in a transaction')"))
        statements = [sql for sql, _ in traced]
        assert statements[0] == "BEGIN IMMEDIATE" and "COMMIT" in statements
        assert all(thread != threading.get_ident() for _, thread in traced)
        traced.clear()
        async with single_statement(writer).begin() as conn:
            await conn.execute(sa.text("INSERT INTO t (v) VALUES ('alone')"))
        assert [sql for sql, _ in traced] == ["INSERT INTO t (v) VALUES ('alone')"]
        assert await _count(engine, "v IN ('in a transaction', 'alone')") == 2
    finally:
        await engine.dispose()


def test_the_inline_driver_refuses_an_untested_aiosqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aiosqlite, "__version__", "9.0.0")
    with pytest.raises(RuntimeError, match="sqlite_inline_driver"):
        create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", inline_sqlite=True)
    create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")  # the default path does not care
