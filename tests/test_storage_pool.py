"""PostgreSQL's connection pool: an idle connection is pinged before use, a busy one is not.

A ping on every checkout (SQLAlchemy's `pool_pre_ping`) is three round trips with asyncpg; these tests
prove the cheaper rule (storage.engine.ping_idle_connections) still hides a backend that died while its
connection sat in the pool, and that connections in steady use make no extra trip.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import sqlalchemy as sa

from storage import Store
from storage import engine as engine_module
from tests.databases import admin_sql, pg_server_url
from tests.storage_fixtures import truncate_all

IDLE = 0.2


@pytest_asyncio.fixture
async def pg_store(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Store]:
    """One pooled connection, so each call reuses the same backend; idle after IDLE seconds."""
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", IDLE)
    store = Store(pg_url, engine_options={"pool_size": 1, "max_overflow": 0})
    await store.open()
    await truncate_all(store)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def pings(pg_store: Store, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every ping the dialect makes."""
    dialect = pg_store.engine.dialect
    made: list[object] = []
    real = dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        made.append(dbapi_connection)
        return real(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    return made


async def backend_pid(store: Store) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one())


async def terminate(pid: int) -> None:
    server = pg_server_url()
    assert server is not None
    await admin_sql(server, f"SELECT pg_terminate_backend({pid})")


async def test_connections_in_steady_use_are_not_pinged(pg_store: Store, pings: list[object]) -> None:
    for _ in range(5):
        assert await pg_store.get_draft(1) is None
    draft = await pg_store.save_draft(1, "kind", {}, expected_version=None, chat_id=1)
    await pg_store.save_draft(1, "text", {}, expected_version=draft.version)
    assert pings == []


async def test_an_idle_connection_is_pinged_once(pg_store: Store, pings: list[object]) -> None:
    await pg_store.get_draft(1)
    await asyncio.sleep(IDLE * 1.5)
    await pg_store.get_draft(1)
    await pg_store.get_draft(1)
    assert len(pings) == 1


async def test_a_backend_that_died_while_idle_is_replaced_before_use(pg_store: Store, pings: list[object]) -> None:
    first = await backend_pid(pg_store)
    await terminate(first)
    await asyncio.sleep(IDLE * 1.5)
    assert await pg_store.get_draft(1) is None  # the ping failed, the pool reconnected: no error
    assert len(pings) == 1
    assert await backend_pid(pg_store) != first


async def test_a_backend_that_died_within_the_window_fails_one_call(
    pg_store: Store, pings: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the ping saves callers from, and the price of not pinging busy connections: the first call
    on the dead connection fails (callers retry: the outbox, the citizen's next tap) and the pool is
    renewed for the next one."""
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)
    first = await backend_pid(pg_store)
    await terminate(first)
    await asyncio.sleep(IDLE * 1.5)
    with pytest.raises(sa.exc.DBAPIError) as failed:
        await pg_store.get_draft(1)
    assert failed.value.connection_invalidated
    assert await pg_store.get_draft(1) is None
    assert pings == []
    assert await backend_pid(pg_store) != first
