"""`UnitOfWork`: the engines of a store and its two kinds of transaction, shared by every service module.

Every public method of the store opens exactly one unit of work (`_write` or `_read`), so what a user
sees happen, the audit entry and the outbox rows that tell others are committed together or not at all.
The service classes (storage/service/*.py) all derive from this one and add the methods of one
aggregate; `storage.store.Store` combines them.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

import storage.migrate as migrate
from storage.codes import DEFAULT_PREFIX, new_code
from storage.engine import WRITE_OPTION, create_engine, normalize_url, prepare_url, single_statement
from storage.records import SchemaNotCurrent, StoreError, SubmissionDeadlines
from storage.sqlite_driver import offloaded

log = logging.getLogger(__name__)

# The pools: every connection a replica may hold is kept open, and more callers wait in the pool's queue.
# SQLAlchemy's default (5 kept, up to 10 more opened under load and closed on return) opened a connection every
# few updates with 50 citizens at once: on PostgreSQL a server process, TLS negotiation, asyncpg's setup and the
# statements prepared again; on SQLite a thread, the file and four PRAGMAs. 20 PostgreSQL connections per
# replica leave room for four replicas and the admin under the server's default max_connections of 100.
SQLITE_READERS = 16
PG_POOL_SIZE = 20


def utcnow() -> datetime:
    return datetime.now(UTC)


class UnitOfWork:
    """The database of the suggestion box. Create, `await open()`, use, `await close()` (or `async with`).

    url: SQLAlchemy async URL (`sqlite+aiosqlite:///path` or `postgresql+asyncpg://…`); plain
        `sqlite://`/`postgresql://` URLs get the async driver.
    deadlines: default time to acknowledge / resolve, used when a submission does not bring its own.
    migrate: None (default) = bring SQLite to the migration head and create the schema of an empty
        PostgreSQL database, but refuse (SchemaNotCurrent) to upgrade a populated PostgreSQL database —
        that is `hopthu db upgrade`'s job, run once per deployment, not by every replica at start.
        True/False force it on/off.
    code_factory: makes tracking codes (tests inject collisions through it).
    clock: the current time (tests freeze it).
    inline_sqlite: run SQLite statements in the event loop's thread (storage.sqlite_driver, which uses
        aiosqlite's private API); off by default: statements and commits then run in aiosqlite's thread.
    """

    def __init__(
        self,
        url: str,
        *,
        deadlines: SubmissionDeadlines | None = None,
        migrate: bool | None = None,
        code_prefix: str = DEFAULT_PREFIX,
        code_factory: Callable[[], str] | None = None,
        clock: Callable[[], datetime] = utcnow,
        engine_options: dict[str, Any] | None = None,
        inline_sqlite: bool = False,
    ) -> None:
        self.url = normalize_url(url)
        self.deadlines = deadlines or SubmissionDeadlines()
        self.code_prefix = code_prefix
        self.code_factory: Callable[[], str] = code_factory or (lambda: new_code(code_prefix))
        self.clock = clock
        self.inline_sqlite = inline_sqlite
        self._migrate = migrate
        self._engine_options = engine_options or {}
        self._engine: AsyncEngine | None = None
        self._writer: AsyncEngine | None = None
        self._writer_engine: AsyncEngine | None = None
        self._single_reader: AsyncEngine | None = None
        self._single_writer: AsyncEngine | None = None

    # ------------------------------------------------------------------------------------- lifecycle

    async def open(self) -> None:
        """Connect, and create or check the schema (see `migrate` in the class docstring)."""
        if self._engine is not None:
            return
        prepare_url(self.url)  # a SQLite file may live in a directory that does not exist yet
        size = SQLITE_READERS if self.dialect == "sqlite" else PG_POOL_SIZE
        reader_options = {"pool_size": size, "max_overflow": 0, **self._engine_options}
        engine = create_engine(self.url, inline_sqlite=self.inline_sqlite, **reader_options)
        self._engine = engine
        if self.dialect == "sqlite":
            # SQLite has one writer at a time. Several pooled connections contending for the lock wait in
            # SQLite's busy handler, which sleeps in steps of up to 100 ms (a long tail of reply times);
            # one writing connection makes writers queue in the pool instead, in order and without sleeps.
            options = {**self._engine_options, "pool_size": 1, "max_overflow": 0, "pool_timeout": 60}
            self._writer_engine = create_engine(self.url, inline_sqlite=self.inline_sqlite, **options)
        else:
            self._writer_engine = engine
        self._writer = self._writer_engine.execution_options(**{WRITE_OPTION: True})
        self._single_reader = single_statement(engine)
        self._single_writer = single_statement(self._writer)
        try:
            await self._prepare_schema()
        except BaseException:
            await self.close()
            raise

    async def _prepare_schema(self) -> None:
        head = migrate.HEAD_REVISION
        async with self.engine.connect() as conn:
            current = await conn.run_sync(migrate.current_revision_sync)
            empty = current is None and await conn.run_sync(migrate.is_empty_sync)
        if current == head:
            return
        allowed = self._migrate if self._migrate is not None else (self.dialect == "sqlite" or empty)
        if not allowed:
            raise SchemaNotCurrent(current, head)
        log.info("migrating database from %s to %s", current, head)
        async with self.writer.connect() as conn:
            await migrate.upgrade_connection(conn)

    async def close(self) -> None:
        if self._writer_engine is not None and self._writer_engine is not self._engine:
            await self._writer_engine.dispose()
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = self._writer = self._writer_engine = self._single_reader = self._single_writer = None

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise StoreError("Store is not open: await store.open() first")
        return self._engine

    @property
    def writer(self) -> AsyncEngine:
        if self._writer is None:
            raise StoreError("Store is not open: await store.open() first")
        return self._writer

    @property
    def display_url(self) -> str:
        """The URL with the password hidden, for logs and start-up messages."""
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return sa.engine.make_url(self.url).get_backend_name()

    # --------------------------------------------------------------------------------- transactions

    @asynccontextmanager
    async def _write(self, *, single_statement: bool = False, long: bool = False) -> AsyncIterator[AsyncConnection]:
        """One writing transaction: committed on success, rolled back on any exception.
        `single_statement`: the work is one statement (a second one only reads), so it needs no BEGIN
        (see storage.engine). `long`: work over many rows, kept off the event loop (storage.sqlite_driver)."""
        engine = self._single_writer if single_statement and self._single_writer is not None else self.writer
        async with engine.begin() as conn, offloaded(conn) if long else nullcontext():
            yield conn

    @asynccontextmanager
    async def _read(self, *, single_statement: bool = False, long: bool = False) -> AsyncIterator[AsyncConnection]:
        """A reading connection; `single_statement` skips the explicit BEGIN (see storage.engine); `long`
        as for `_write`."""
        engine = self._single_reader if single_statement and self._single_reader is not None else self.engine
        async with engine.connect() as conn, offloaded(conn) if long else nullcontext():
            yield conn
