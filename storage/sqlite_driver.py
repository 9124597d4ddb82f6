"""aiosqlite with one trip to its thread per statement, for SQLAlchemy's aiosqlite dialect.

For every statement SQLAlchemy's adapter asks aiosqlite for a cursor, runs the statement, fetches the
rows and closes the cursor: four trips to the connection's thread, each a queue hand-off, a wait for
the GIL and a wake-up of the event loop. A step of the feedback flow (read the draft, write it back)
made about thirteen of them. The cursor below runs the statement, fetches a first batch of rows and
closes the cursor in one trip; only a result larger than a batch (a report, `conn.stream`) costs more.

The connection also skips the trip of a COMMIT or ROLLBACK when no transaction is open: SQLAlchemy's
pool rolls back every connection it gets back, and a unit of work of one statement (no BEGIN, see
storage.engine) commits nothing. sqlite3 itself does nothing in either case; whatever the connection
runs in its thread is followed, there, by a note of whether a transaction is open.

It relies on `aiosqlite.Connection._execute` and `._conn` (what aiosqlite's own cursor uses); the
storage tests run every query through it, and pyproject.toml pins aiosqlite to the 0.22 series.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite

BATCH_ROWS = 256


class OneHopCursor:
    """The part of aiosqlite's Cursor that SQLAlchemy's adapter uses."""

    __slots__ = ("_conn", "_cursor", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, conn: OneHopConnection) -> None:
        self._conn = conn
        self._cursor: sqlite3.Cursor | None = None  # open only while rows remain beyond the first batch
        self._rows: list[Any] = []
        self.arraysize = 1
        self.description: Any = None
        self.lastrowid: int | None = None
        self.rowcount = -1

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> OneHopCursor:
        def run() -> tuple[sqlite3.Cursor | None, list[Any], Any, int, int | None]:
            cursor = self._conn._conn.cursor()
            try:
                cursor.execute(sql) if parameters is None else cursor.execute(sql, parameters)
                rows = cursor.fetchmany(BATCH_ROWS) if cursor.description else []
                state = (cursor.description, cursor.rowcount, cursor.lastrowid)
            except BaseException:
                cursor.close()
                raise
            if len(rows) < BATCH_ROWS:
                cursor.close()
                return None, rows, *state
            return cursor, rows, *state

        self._cursor, self._rows, self.description, self.rowcount, self.lastrowid = await self._conn._execute(run)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> OneHopCursor:
        def run() -> tuple[int, int | None]:
            cursor = self._conn._conn.cursor()
            try:
                cursor.executemany(sql, parameters)
                return cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()

        self.description, self._rows, self._cursor = None, [], None
        self.rowcount, self.lastrowid = await self._conn._execute(run)
        return self

    async def _more(self, size: int | None) -> None:
        """`size` rows more (None: all), in one trip; the cursor is closed once it is drained."""
        cursor = self._cursor
        if cursor is None:
            return

        def run() -> tuple[list[Any], bool]:
            rows = cursor.fetchall() if size is None else cursor.fetchmany(size)
            drained = size is None or len(rows) < size
            if drained:
                cursor.close()
            return rows, drained

        rows, drained = await self._conn._execute(run)
        self._rows.extend(rows)
        if drained:
            self._cursor = None

    async def fetchall(self) -> list[Any]:
        await self._more(None)
        rows, self._rows = self._rows, []
        return rows

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        size = size or self.arraysize
        if len(self._rows) < size:
            await self._more(max(size, BATCH_ROWS))
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    async def fetchone(self) -> Any:
        rows = await self.fetchmany(1)
        return rows[0] if rows else None

    async def close(self) -> None:
        self._rows = []
        cursor, self._cursor = self._cursor, None
        if cursor is not None:
            await self._conn._execute(cursor.close)


class OneHopConnection(aiosqlite.Connection):
    transaction_open = True  # as of the last thing run in the thread; True until then, to be safe

    async def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        def run_and_note() -> Any:  # in the connection's thread
            try:
                return fn(*args, **kwargs)
            finally:
                with contextlib.suppress(sqlite3.ProgrammingError):  # the connection was just closed
                    self.transaction_open = self._conn.in_transaction

        return await super()._execute(run_and_note)

    async def commit(self) -> None:
        if self.transaction_open:
            await super().commit()

    async def rollback(self) -> None:
        if self.transaction_open:
            await super().rollback()


def connect(database: str, *, iter_chunk_size: int = 64, **kwargs: Any) -> OneHopConnection:
    """What `aiosqlite.connect` does, with the connection above; SQLAlchemy calls it through
    `connect_args={"async_creator_fn": connect}`."""
    def connector() -> sqlite3.Connection:
        return sqlite3.connect(database, **kwargs)

    connection = OneHopConnection(connector, iter_chunk_size)
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connections
    return connection
