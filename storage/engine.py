"""Database URL resolution and engine creation (SQLite tuned for concurrent writers).

Why the SQLite settings:

* WAL journal: readers never block the writer and the writer never blocks readers.
* `busy_timeout`: a second writer (another task, another worker process) waits for the lock instead of
  failing at once with "database is locked".
* Transactions that write start with `BEGIN IMMEDIATE`. With a plain (deferred) BEGIN a transaction
  that first reads and then writes can fail with SQLITE_BUSY immediately when another writer committed
  in between (busy_timeout does not help there). Taking the write lock up front makes writers queue
  politely. Read-only work uses a deferred BEGIN so it never waits for writers.
* Work of one statement (`single_statement()`: read or save a draft, at every step of a
  conversation) gets no BEGIN at all: SQLite runs a lone statement in a transaction of its own, and a
  lone write takes the write lock before it reads anything, so busy_timeout applies to it. BEGIN and
  COMMIT would each cost a call to the driver (on PostgreSQL, a round trip each: there the engine runs
  such work in AUTOCOMMIT).
* By default connections are aiosqlite's own: every statement, and every commit (which waits for the
  disk), runs in the connection's thread, through aiosqlite's public API. `inline_sqlite=True`
  (bot.yaml `bot.sqlite_inline_driver`) takes them from `sqlite_driver` instead: one call per statement
  instead of four, run in the event loop's thread; one that finds the database locked waits for it
  (busy_timeout) in the connection's own thread. Faster, but built on aiosqlite's private API.
* `foreign_keys=ON`: SQLite ignores foreign keys (and ON DELETE) otherwise.
* `synchronous=FULL`: a tracking code is shown only after the commit is on disk.

PostgreSQL: a pooled connection is pinged on checkout only when it sat idle for `PING_AFTER_IDLE_SECONDS`
(`ping_idle_connections`). SQLAlchemy's `pool_pre_ping` pings at every checkout, and asyncpg's ping is
three round trips (BEGIN, `;`, ROLLBACK): a conversation step cost four statements instead of one.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import storage.sqlite_driver as sqlite_driver

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/hopthu.sqlite3"
ENV_DATABASE_URL = "HOPTHU_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "hopthu_write"
SINGLE_STATEMENT_OPTION = "hopthu_single_statement"
PING_AFTER_IDLE_SECONDS = 2.0
_IDLE_SINCE = "hopthu_idle_since"


def normalize_url(url: str) -> str:
    """Give a URL the async driver this project uses: `sqlite://` → `sqlite+aiosqlite://`,
    `postgres://`/`postgresql://` → `postgresql+asyncpg://`. Other URLs are returned unchanged."""
    for prefix, replacement in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
    ):
        if url.startswith(prefix):
            return replacement + url[len(prefix) :]
    return url


def resolve_database_url(config_url: str | None) -> str:
    """The database URL to use: env HOPTHU_DATABASE_URL, else bot.yaml's `database_url`, else the default
    SQLite file `data/hopthu.sqlite3` (relative to the working directory).

    For a SQLite file the parent directory is created, so a fresh checkout runs without setup.
    """
    url = (os.environ.get(ENV_DATABASE_URL) or "").strip() or (config_url or "").strip()
    return prepare_url(url or DEFAULT_DATABASE_URL)


def prepare_url(url: str) -> str:
    """`normalize_url`, and create the directory of a SQLite file."""
    url = normalize_url(url)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    return url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for another engine or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def single_statement(engine: AsyncEngine) -> AsyncEngine:
    """`engine` for units of work of one statement (a second one may only read): no BEGIN, no COMMIT."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{SINGLE_STATEMENT_OPTION: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def create_engine(url: str, *, inline_sqlite: bool = False, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`; SQLite gets the pragmas and BEGIN handling described above, and with
    `inline_sqlite` the connections of `sqlite_driver` (ignored for other engines).

    Use `engine.execution_options(hopthu_write=True)` for connections that will write.
    """
    url = normalize_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        engine = create_async_engine(url, **kwargs)
        if not kwargs.get("pool_pre_ping"):
            ping_idle_connections(engine)
        return engine

    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)  # busy_timeout, kept by the driver
    if inline_sqlite:
        sqlite_driver.check_aiosqlite_version()
        connect_args.setdefault("async_creator_fn", sqlite_driver.connect)  # one call per statement, inline
    engine = create_async_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN out of the driver's hands; the "begin" listener below issues it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = FULL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(SINGLE_STATEMENT_OPTION, False):
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION, False) else "BEGIN")

    return engine


def ping_idle_connections(engine: AsyncEngine) -> None:
    """Ping a pooled connection on checkout when it sat idle for `PING_AFTER_IDLE_SECONDS`.

    A server restart or a terminated backend is then noticed before a statement fails, as with
    `pool_pre_ping`, without a ping per checkout. A connection that died within the window fails its
    statement as a statement in flight would; SQLAlchemy then discards every pooled connection older
    than the failure (its disconnect handling), so an outage costs one failed call per pool at most.
    """
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)  # none on a fresh connection (info is cleared on invalidation)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as err:
            if dialect.is_disconnect(err, dbapi_connection, None):
                raise exc.InvalidatePoolError(str(err)) from err  # the pool reconnects and tries again
            raise
