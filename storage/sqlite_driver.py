"""aiosqlite made cheap per statement, for SQLAlchemy's aiosqlite dialect — opt-in (`Store(...,
inline_sqlite=True)`, bot.yaml `bot.sqlite_inline_driver: true`); off by default.

For every statement SQLAlchemy's adapter asks aiosqlite for a cursor, runs the statement, fetches the
rows and closes the cursor: four calls, each of which aiosqlite sends to the connection's thread (a
queue hand-off, a wait for the GIL, a wake-up of the event loop). The cursor below runs the statement,
fetches a first batch of rows and closes the cursor in one call; only a result larger than a batch (a
report, `conn.stream`) costs more. A COMMIT or ROLLBACK is skipped when no transaction is open:
SQLAlchemy's pool rolls back every connection it gets back, and a unit of work of one statement (no
BEGIN, see storage.engine) commits nothing; each call is followed by a note of whether one is open.

The calls run in the event loop's own thread ("inline"), not in aiosqlite's. SQLite answers the bot's
statements in microseconds, while a trip to the thread and back costs two thread switches and a wake-up
of the loop (benchmarks/e2e.py runs the flow with this driver and without it, "sqlite-inline" and "sqlite").
What could make an inline call wait is kept off the loop:

* The lock. The connection's busy timeout is 0 between calls, so a statement that finds the database
  locked (another process writing: a second worker, a CLI command) fails at once with SQLITE_BUSY,
  having done nothing, and is run again in the connection's thread with the real busy timeout. Inside
  this process writers queue for the one writing connection in the pool, never in SQLite
  (storage.service.unit_of_work), and WAL readers never wait for the lock.
* Long work: a report over a quarter, an export, the retention purge. `offloaded(conn)` sends a unit of
  work to the thread; `executemany` always goes there.

A commit still waits for the disk on the loop's thread (synchronous=FULL, storage.engine), during which
nothing else of the bot runs: keep the file on a local disk.

Why opt-in: it relies on aiosqlite's private `Connection._execute`, `._conn`, `._connection`,
`._running` and `._thread` (what aiosqlite's own cursor uses), which any release may change. The
storage tests run with it on and off; `check_aiosqlite_version` refuses to turn it on with an aiosqlite
series it was not tested with. The default path uses aiosqlite's public API only.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.ext.asyncio import AsyncConnection

BATCH_ROWS = 256
TESTED_AIOSQLITE_SERIES = "0.22."  # the private API above, as of that series


def check_aiosqlite_version() -> None:
    """Refuse the inline driver with an aiosqlite whose private API it was not tested against."""
    if not aiosqlite.__version__.startswith(TESTED_AIOSQLITE_SERIES):
        raise RuntimeError(
            f"the inline SQLite driver (sqlite_inline_driver) was tested with aiosqlite "
            f"{TESTED_AIOSQLITE_SERIES}x, found {aiosqlite.__version__}: turn it off or install that series"
        )


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
        # In the thread: it is bulk work, and a busy database half-way through could not be retried.
        self.rowcount, self.lastrowid = await self._conn._in_thread(run)
        return self

    async def _more(self, size: int | None) -> None:
        """`size` rows more (None: all), in one call; the cursor is closed once it is drained."""
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
    transaction_open = True  # as of the last thing run; True until then, to be safe

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int,
                 busy_timeout_ms: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self.busy_timeout_ms = busy_timeout_ms  # what a statement run in the thread may wait for the lock
        self.inline = True  # False inside `offloaded`

    async def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self.inline and self._running and self._connection is not None:
            was_open = self.transaction_open
            try:
                return self._run_and_note(fn, *args, **kwargs)
            except sqlite3.OperationalError as error:
                # Only a statement that did nothing is run again: busy, and the transaction as it was.
                busy = getattr(error, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
                if not busy or self.transaction_open != was_open:
                    raise
        return await self._in_thread(fn, *args, **kwargs)

    async def _in_thread(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """`fn` in the connection's thread, allowed to wait `busy_timeout_ms` for the lock."""
        def run() -> Any:
            self._conn.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
            try:
                return self._run_and_note(fn, *args, **kwargs)
            finally:
                with contextlib.suppress(sqlite3.ProgrammingError):  # closed by `fn`
                    self._conn.execute("PRAGMA busy_timeout = 0")

        return await super()._execute(run)

    def _run_and_note(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            with contextlib.suppress(sqlite3.ProgrammingError):  # the connection was just closed
                self.transaction_open = self._conn.in_transaction

    async def commit(self) -> None:
        if self.transaction_open:
            await super().commit()

    async def rollback(self) -> None:
        if self.transaction_open:
            await super().rollback()


@contextlib.asynccontextmanager
async def offloaded(conn: AsyncConnection) -> AsyncIterator[None]:
    """Run `conn`'s statements in its thread meanwhile: long work, which would hold up the event loop.
    Nothing changes for a connection of another driver (PostgreSQL's never blocks the loop)."""
    driver = (await conn.get_raw_connection()).driver_connection
    if not isinstance(driver, OneHopConnection):
        yield
        return
    driver.inline = False
    try:
        yield
    finally:
        driver.inline = True


def connect(database: str, *, iter_chunk_size: int = 64, timeout: float = 5.0, **kwargs: Any) -> OneHopConnection:
    """What `aiosqlite.connect` does, with the connection above; SQLAlchemy calls it through
    `connect_args={"async_creator_fn": connect}`. `timeout`, in seconds, is how long a statement may wait
    for another process's lock (in the connection's thread: see the module's docstring)."""
    def connector() -> sqlite3.Connection:
        # Opened in the thread, used from the loop's thread too: one caller at a time (the pool's).
        return sqlite3.connect(database, **{**kwargs, "timeout": 0, "check_same_thread": False})

    connection = OneHopConnection(connector, iter_chunk_size, busy_timeout_ms=int(timeout * 1000))
    connection._thread.daemon = True  # as SQLAlchemy does for aiosqlite's own connections
    return connection
