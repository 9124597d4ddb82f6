"""Throw-away databases for the tests and the benchmarks: the one place that creates and drops them.

No pytest here, so `benchmarks/` can use it too. PostgreSQL databases are created next to the server
URL's database (its user must be allowed to CREATE DATABASE) and dropped with FORCE, connections first
re-allowed in case a test took the database "down" (tests/test_proof_support.database_outage).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.engine import normalize_url

PG_ENV = "HOPTHU_TEST_PG_URL"
BENCH_PG_ENV = "HOPTHU_BENCH_PG_URL"
LOCAL_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def pg_server_url() -> str | None:
    """The PostgreSQL server the tests may use (HOPTHU_TEST_PG_URL), or None when none is configured."""
    value = (os.environ.get(PG_ENV) or "").strip()
    return normalize_url(value) if value else None


async def admin_sql(server_url: str, *statements: str) -> list[Any]:
    """Run statements outside a transaction (CREATE/DROP DATABASE need that); rows of those that return any."""
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    results: list[Any] = []
    try:
        async with engine.connect() as conn:
            for sql in statements:
                result = await conn.execute(sa.text(sql))
                results.append(result.all() if result.returns_rows else None)
    finally:
        await engine.dispose()
    return results


async def create_pg_database(server_url: str, prefix: str = "hopthu_test") -> str:
    """Create an empty database on `server_url`'s server and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await admin_sql(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_pg_database(server_url: str, url: str) -> None:
    name = make_url(url).database
    await admin_sql(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true',
                    f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.asynccontextmanager
async def throwaway_database(engine: str, workdir: Path, server_url: str | None,
                             prefix: str = "hopthu_test") -> AsyncIterator[str]:
    """A new SQLite file in `workdir`, or a new PostgreSQL database on `server_url` dropped afterwards."""
    if engine == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / f'{prefix}_{uuid.uuid4().hex[:10]}.sqlite3'}"
        return
    assert server_url is not None, "a PostgreSQL database needs a server"
    url = await create_pg_database(server_url, prefix)
    try:
        yield url
    finally:
        await drop_pg_database(server_url, url)


async def benchmark_pg_server() -> str | None:
    """The server a benchmark measures PostgreSQL on (HOPTHU_BENCH_PG_URL, HOPTHU_TEST_PG_URL or the local
    one), or None — with the reason printed — when nobody answers there."""
    url = normalize_url(os.environ.get(BENCH_PG_ENV) or os.environ.get(PG_ENV) or LOCAL_PG)
    try:
        await asyncio.wait_for(admin_sql(url, "SELECT 1"), timeout=5)
    except Exception as exc:
        print(f"PostgreSQL: skipped — no server at {make_url(url).render_as_string(hide_password=True)} "
              f"({type(exc).__name__}: {exc}).")
        return None
    return url
