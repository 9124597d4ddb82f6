"""/baocao's two files (xlsx and PNG), rendered in a short-lived child process.

Why a child process and not a worker thread: rendering a quarter of 100,000 submissions is long pure-Python
work (openpyxl, matplotlib). In a thread it holds the GIL, so citizens' replies stall for as long; and
importing matplotlib and openpyxl plus building the workbook raises the bot's peak memory for good (Python
rarely gives memory back), against issue #7's limit of 200 MB. A child that is spawned (not forked: nothing of
the bot's memory, threads or sockets is inherited), renders one report and exits takes that time and memory
with it.

Nothing here imports telegram; everything the child receives is pickled (Config pickles: plain
dataclasses and a ZoneInfo, which pickles by its key). The rows go as zlib-compressed pickles of 1,000
rows each, packed in a worker thread: pickling 100,000 rows in one go (what the executor would do with
the list) keeps a memo of every object and raises the parent's peak several times more than chunks do.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import weakref
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime

from bot.config import Config
from bot.reports.labels import Labels
from bot.reports.periods import Period
from storage.records import ExportRow

# (rows, config, period, scope name, now) -> (xlsx, png); must be a module-level function (pickled by name).
RenderTarget = Callable[[list[ExportRow], Config, Period, str, datetime], tuple[bytes, bytes]]

ROWS_PER_CHUNK = 1_000
# One report at a time per event loop, so two admins typing /baocao cannot spawn a child each. A lock
# per loop because an asyncio.Lock is bound to the loop that first waits on it (tests run many loops).
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def render_report(rows: list[ExportRow], config: Config, period: Period, scope: str,
                  now: datetime) -> tuple[bytes, bytes]:
    """Both files; what the child runs (callable in-process too, e.g. to measure the old way)."""
    # Imported here: the parent imports this module too, and must never load matplotlib or openpyxl.
    from bot.reports.chart import build_chart
    from bot.reports.spreadsheet import build_xlsx

    labels = Labels(config)
    xlsx = build_xlsx(rows, labels, tz=config.timezone, period=period, scope=scope, now=now)
    png = build_chart(rows, labels, tz=config.timezone, period=period, scope=scope)
    return xlsx, png


def pack_rows(rows: list[ExportRow]) -> list[bytes]:
    """Rows as compressed pickles of ROWS_PER_CHUNK each: the pickler's memo only ever spans one chunk."""
    return [zlib.compress(pickle.dumps(rows[i:i + ROWS_PER_CHUNK], protocol=pickle.HIGHEST_PROTOCOL), 1)
            for i in range(0, len(rows), ROWS_PER_CHUNK)]


def unpack_rows(packed: list[bytes]) -> list[ExportRow]:
    """pack_rows undone (the bytes come from our own parent process, never from outside)."""
    rows: list[ExportRow] = []
    for chunk in packed:
        rows.extend(pickle.loads(zlib.decompress(chunk)))
    return rows


def _child(target: RenderTarget, packed: list[bytes], config: Config, period: Period, scope: str,
           now: datetime) -> tuple[bytes, bytes]:
    """What the spawned process runs: unpack, render."""
    return target(unpack_rows(packed), config, period, scope, now)


def _lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _locks.get(loop)
    if lock is None:
        lock = _locks[loop] = asyncio.Lock()
    return lock


async def render_in_child(rows: list[ExportRow], config: Config, period: Period, scope: str, now: datetime,
                          *, target: RenderTarget = render_report) -> tuple[bytes, bytes]:
    """Run `target` in a fresh spawned process and return its (xlsx, png); one call at a time.

    Raises whatever the child raised, BrokenProcessPool if it died, or a pickling error: the caller
    tells the admin and logs. `target` is a parameter so tests can make the child fail (a spawned child
    re-imports modules, so monkeypatching in the parent would not reach it).
    """
    async with _lock():
        packed = await asyncio.to_thread(pack_rows, rows)
        loop = asyncio.get_running_loop()
        executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                       max_tasks_per_child=1)
        try:
            return await loop.run_in_executor(executor, _child, target, packed, config, period, scope, now)
        except asyncio.CancelledError:
            # The bot is stopping: do not wait for the report; the child finishes it and exits.
            executor.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            del packed
            # Joining the exited child takes a moment: off the event loop (a no-op after the line above).
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
