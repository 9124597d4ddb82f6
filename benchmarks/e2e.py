"""End-to-end figures: the real Application against the local Bot API emulator, over HTTP on 127.0.0.1.

    python benchmarks/e2e.py [--citizens 50] [--think 1.0] [--repeats 3] [--submissions 100000]
                             [--engines sqlite,sqlite-inline,postgresql] [--one-process]

For a bare echo bot (the framework's own limit on this machine), a bare "flow bot" (the framework's
limit for the Bot API calls the feedback flow makes, with no database: benchmarks/bare_bots.py), each
as PTB comes (its httpx client) and on our client (bot/transport.py, aiohttp), then the feedback flow
(/gopy, eight updates per citizen) and questions (/hoi …) on each database:

* "saturated": `--citizens` people at once, each acting the moment the bot answered — updates per
  second, and the reply time (a citizen's message → the bot's next message in that chat) under load;
  run `--repeats` times (fresh citizens each time), the run with the median rate is shown, and the
  ratios are of medians: on a shared machine one short run can be off by a third;
* "paced": the same number of people who take `--think` seconds (±50 %) to read and type between
  actions, as real ones do — the reply time a citizen actually feels.

Then memory: `--submissions` submissions are bulk-inserted through the Store, the bot runs in its own
process against that database, serves a round of flows, /thongke, /quahan and /baocao over all
committees, and reports its peak RSS (VmHWM: getrusage's ru_maxrss of a process started by fork + exec
starts at its parent's size, here this benchmark's) and that of /baocao's render process, and, in a
second run, tracemalloc's peak.

Each bot runs in a process of its own, as it does against Telegram, and the emulator and the citizens
in this one; the saturated lines also give the bot process's CPU time per update. With `--one-process`
bots, emulator and citizens share one process and one GIL (the way this benchmark ran before
2026-11-23): the emulator's work, which grows with the Bot API calls a bot makes, is then counted
against the bot. PostgreSQL: a throw-away database on HOPTHU_BENCH_PG_URL / HOPTHU_TEST_PG_URL /
postgres@127.0.0.1:5432, skipped with a message if no server answers. Figures only — nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from benchmarks import bare_bots
from bot.app import build_application, install_token_redaction, settle_heap, start_bot, stop_bot
from knowledge.loader import load_knowledge_base
from knowledge.search import SearchIndex
from storage import Store, SubmissionStatus
from storage.codes import new_code
from storage.models import citizens, submissions
from tests.bot_fixtures import ADMIN_ID, harness_config
from tests.databases import benchmark_pg_server, throwaway_database
from tests.test_proof_support import BotProcess, FastCitizen, Intent, Switchboard, drain_outbox
from tgemulator import BotApiEmulator, User

TOKEN = "123456789:BENCH-token_abcdefghijklmnopqrstuv"
PLACES = ["nong ha", "nong thinh", "cho don", "my thanh"]
QUESTIONS = [
    "xã phải công khai những gì", "dieu 5 phap lenh 34", "người lao động được tham gia ý kiến về việc gì",
    "hội nghị cán bộ công chức tổ chức khi nào", "quy chế dân chủ ở cơ sở là gì",
    "ban thanh tra nhân dân làm gì", "nhân dân bàn và quyết định những việc gì", "đối thoại tại nơi làm việc",
]


@dataclass
class Figure:
    label: str
    updates: int
    seconds: float
    latencies: list[float]
    rates: list[float] = field(default_factory=list)  # every run's, when the figure is a median
    cpu_ms: float = float("nan")  # the bot process's CPU per update, over all the runs

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(len(data) * q))] * 1000 if data else float("nan")

    def line(self) -> str:
        runs = (f"; median of {len(self.rates)} runs, {min(self.rates):.0f}–{max(self.rates):.0f}/s"
                if len(self.rates) > 1 else "")
        runs += f"; bot CPU {self.cpu_ms:.1f} ms/update" if self.cpu_ms == self.cpu_ms else ""
        return (f"  {self.label:<44} {self.rate:7.0f} updates/s   reply p50 {self.pct(0.5):6.0f} ms"
                f"   p99 {self.pct(0.99):6.0f} ms   ({self.updates} updates, {self.seconds:.1f} s{runs})")


async def median_of(repeats: int, run: Callable[[], Awaitable[Figure]]) -> Figure:
    """`run` `repeats` times; the figure of the run with the median rate, knowing every rate."""
    figures = sorted([await run() for _ in range(max(1, repeats))], key=lambda f: f.rate)
    middle = figures[len(figures) // 2]
    middle.rates = [f.rate for f in figures]
    return middle


class Ids:
    """Fresh user ids for each run (the emulator keeps everyone's history)."""

    def __init__(self) -> None:
        self.next = 1_000_000

    def users(self, emu: BotApiEmulator, n: int) -> list[User]:
        start, self.next = self.next, self.next + n
        return [emu.user(start + i, "Dân", "Thử") for i in range(n)]


# ------------------------------------------------------------------------------------------ drivers

async def _ask(board: Switchboard, user: User, texts: list[str], think: float, seed: int) -> list[float]:
    """Send each text, wait for the bot's next message in the chat; the reply times."""
    rng = random.Random(seed)
    queue = board.queue(user.id)
    times = []
    for text in texts:
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
        started = time.perf_counter()
        await board.emulator.send_text(user, text)
        stamp, _ = await asyncio.wait_for(queue.get(), 120)
        times.append(stamp - started)
    return times


async def chat_run(label: str, board: Switchboard, people: list[User], texts: list[str], think: float) -> Figure:
    started = time.perf_counter()
    results = await asyncio.gather(*(_ask(board, u, texts, think, i) for i, u in enumerate(people)))
    seconds = time.perf_counter() - started
    return Figure(label, len(people) * len(texts), seconds, [x for r in results for x in r])


async def flow_run(label: str, board: Switchboard, people: list[User], think: float) -> Figure:
    agents = [FastCitizen(board, u, Intent(f"Ý kiến số {i}: đèn đường thôn Nà Mố hỏng, đề nghị sửa.",
                                           place=PLACES[i % len(PLACES)]), think=think, seed=i)
              for i, u in enumerate(people)]
    started = time.perf_counter()
    await asyncio.gather(*(a.run(timeout=300) for a in agents))
    seconds = time.perf_counter() - started
    return Figure(label, sum(a.updates for a in agents), seconds, [x for a in agents for x in a.latencies])


# ------------------------------------------------------------------------------------------ bots

@dataclass
class Bot:
    """A bot being measured; `pid` when it runs in a process of its own (its CPU time is then its own)."""

    pid: int | None = None

    def cpu_seconds(self) -> float:
        """User + system CPU of the bot's process so far (NaN when it shares the benchmark's)."""
        if self.pid is None:
            return float("nan")
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@asynccontextmanager
async def running(emu: BotApiEmulator, kind: str, alone: bool, url: str = "", kb: Any = None,
                  index: Any = None, transport: str = "httpx", inline_sqlite: bool = False) -> AsyncIterator[Bot]:
    """`kind` is "echo" or "flow" (benchmarks/bare_bots.py, on `transport`) or "ours" on the database at
    `url`. `alone`: in a process of its own, as the bot runs against Telegram; else in this one."""
    if kind == "flow":
        emu.group(bare_bots.FLOW_GROUP, "Ban Chỉ đạo (bare)")
    if kind == "ours":
        for committee in harness_config().committees.values():
            emu.group(committee.chat_id, committee.name)
    if alone:
        module = ("tests.test_proof_support",) if kind == "ours" else ("benchmarks.bare_bots", kind, transport)
        process = await BotProcess(emu, url, worker=None, module=module, inline_sqlite=inline_sqlite).start(timeout=120)
        assert process.proc is not None
        try:
            yield Bot(process.proc.pid)
        finally:
            await process.stop()
            if errors := process.errors():
                print("  the bot's process logged errors:\n    " + "\n    ".join(errors[:10]))
        return
    if kind != "ours":
        app = bare_bots.build(kind, emu.token, emu.base_url, transport)
        await bare_bots.start(app)
        try:
            yield Bot()
        finally:
            await bare_bots.stop(app)
        return
    store = Store(url, inline_sqlite=inline_sqlite)
    await store.open()
    ours = build_application(harness_config(), store, kb, index, token=emu.token, base_url=emu.base_url,
                             base_file_url=emu.base_file_url)  # the delivery worker as `hopthu run` has it
    await start_bot(ours, poll_timeout=1)
    try:
        yield Bot()
    finally:
        await stop_bot(ours)
        await store.close()


async def measured(bot: Bot, repeats: int, run: Callable[[], Awaitable[Figure]]) -> Figure:
    """`median_of(repeats, run)`, with the bot's CPU time per update over all the runs."""
    cpu = bot.cpu_seconds()
    figure = await median_of(repeats, run)
    figure.cpu_ms = (bot.cpu_seconds() - cpu) * 1000 / (figure.updates * len(figure.rates))
    return figure


async def echo_figures(emu: BotApiEmulator, board: Switchboard, ids: Ids, n: int, think: float,
                       repeats: int, alone: bool, transport: str) -> list[Figure]:
    """Saturated, and (on PTB's own client only) paced."""
    texts = [f"xin chào {i}" for i in range(8)]
    label = "echo bot" + ("" if transport == "httpx" else f" on {transport}")
    async with running(emu, "echo", alone, transport=transport) as bot:
        await chat_run("warm-up", board, ids.users(emu, 5), texts[:2], 0)
        figures = [await measured(bot, repeats, lambda: chat_run(f"{label}, {n} at once", board,
                                                                 ids.users(emu, n), texts, 0))]
        if transport == "httpx":
            figures.append(await chat_run(f"{label}, {n} paced ({think:g} s)", board, ids.users(emu, n), texts,
                                          think))
        return figures


async def bare_flow_figure(emu: BotApiEmulator, board: Switchboard, ids: Ids, n: int, repeats: int,
                           alone: bool, transport: str) -> Figure:
    label = "bare flow bot" + ("" if transport == "httpx" else f" on {transport}")
    async with running(emu, "flow", alone, transport=transport) as bot:
        await flow_run("warm-up", board, ids.users(emu, 5), 0)
        return await measured(bot, repeats, lambda: flow_run(f"{label}, {n} at once", board,
                                                             ids.users(emu, n), 0))


async def our_figures(emu: BotApiEmulator, board: Switchboard, ids: Ids, url: str, engine: str, n: int,
                      think: float, repeats: int, alone: bool, kb: Any, index: Any) -> list[Figure]:
    questions = [f"/hoi {q}" for q in QUESTIONS]
    async with running(emu, "ours", alone, url, kb, index, inline_sqlite=engine == INLINE_SQLITE) as bot:
        await flow_run("warm-up", board, ids.users(emu, 5), 0)
        figures = [await measured(bot, repeats, lambda: flow_run(f"feedback flow, {engine}, {n} at once", board,
                                                                 ids.users(emu, n), 0)),
                   await flow_run(f"feedback flow, {engine}, {n} paced ({think:g} s)", board, ids.users(emu, n),
                                  think),
                   await measured(bot, repeats, lambda: chat_run(f"questions, {engine}, {n} at once", board,
                                                                 ids.users(emu, n), questions, 0)),
                   await chat_run(f"questions, {engine}, {n} paced ({think:g} s)", board, ids.users(emu, n),
                                  questions, think)]
        store = Store(url)
        await store.open()
        try:
            await drain_outbox(store, timeout=300)
        finally:
            await store.close()
        return figures


# ------------------------------------------------------------------------------------------ databases

async def bulk_load(url: str, rows: int) -> float:
    """`rows` submissions of the last year over bot.yaml's committees, places and topics, inserted in
    batches through the Store's engine (a per-row submit would take many minutes)."""
    config = harness_config()
    committees = {c.id: c for c in config.committees.values()}
    units = [c.unit for c in committees.values()]
    topics = list(config.topics)
    rnd = random.Random(7)
    now = datetime.now(UTC)
    store = Store(url)
    await store.open()
    started = time.perf_counter()
    try:
        n_citizens = max(1, rows // 3)
        async with store.writer.begin() as conn:
            for start in range(0, n_citizens, 5000):
                await conn.execute(sa.insert(citizens), [
                    {"user_id": 10**9 + i, "chat_id": 10**9 + i, "name": None, "phone": None, "created_at": now,
                     "last_seen_at": now} for i in range(start, min(n_citizens, start + 5000))])
        times = sorted(now - timedelta(seconds=rnd.uniform(60, 365 * 86400)) for _ in range(rows))
        batch: list[dict[str, Any]] = []
        codes: set[str] = set()
        for i, created in enumerate(times):
            code = new_code()
            while code in codes:
                code = new_code()
            codes.add(code)
            committee = rnd.choice(list(committees))
            closed = created < now - timedelta(days=30) and rnd.random() < 0.85
            open_statuses = [SubmissionStatus.NEW, SubmissionStatus.ACKNOWLEDGED, SubmissionStatus.IN_PROGRESS]
            status = SubmissionStatus.RESOLVED if closed else rnd.choice(open_statuses)
            acked = created + timedelta(hours=rnd.uniform(1, 72)) if status != SubmissionStatus.NEW else None
            resolved = created + timedelta(days=rnd.uniform(1, 25)) if closed else None
            batch.append({
                "code": code, "kind": rnd.choice(["gop_y", "phan_anh", "kien_nghi", "khieu_nai", "to_cao"]),
                "topic_id": rnd.choice(topics), "unit_id": committees[committee].unit or rnd.choice(units),
                "committee_id": committee, "text": f"Nội dung góp ý mẫu số {i} cho phép đo bộ nhớ.",
                "anonymous": rnd.random() < 0.3, "citizen_id": rnd.randint(1, n_citizens), "contact_name": None,
                "contact_phone": None, "status": str(status), "revision": 1, "created_at": created,
                "updated_at": resolved or acked or created, "due_ack_at": created + timedelta(days=3),
                "due_resolve_at": created + timedelta(days=15), "acknowledged_at": acked, "resolved_at": resolved,
                "ack_seconds": int((acked - created).total_seconds()) if acked else None,
                "resolve_seconds": int((resolved - created).total_seconds()) if resolved else None,
                "rating": None, "rated_at": None, "personal_data_removed_at": None,
            })
            if len(batch) == 5000 or i == rows - 1:
                async with store.writer.begin() as conn:
                    await conn.execute(sa.insert(submissions), batch)
                batch = []
    finally:
        await store.close()
    return time.perf_counter() - started


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            queue += children
    return found


def _peak_mb(pid: int) -> float:
    """VmHWM: the process's own peak RSS so far (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), 0.0)


def _children_peak_mb(pid: int) -> float:
    """The largest VmHWM among `pid`'s descendants now."""
    return max((_peak_mb(child) for child in _descendants(pid)), default=0.0)


async def _child_peak(pid: int, peak: list[float]) -> None:
    """Every 50 ms: /baocao renders in a spawned child. (getrusage's RUSAGE_CHILDREN would count the
    bot's own size at the moment of the fork as the child's.)"""
    while True:
        peak[0] = max(peak[0], _children_peak_mb(pid))
        await asyncio.sleep(0.05)


async def memory_figures(emu: BotApiEmulator, board: Switchboard, ids: Ids, url: str, n: int,
                         trace: bool) -> dict[str, Any]:
    """The bot in its own process on the loaded database: flows, then the admin's reports over everything."""
    process = await BotProcess(emu, url, trace_memory=trace).start(timeout=120)
    assert process.proc is not None
    child_peak = [0.0]
    sampler = asyncio.create_task(_child_peak(process.proc.pid, child_peak))
    stages = {"start-up": _peak_mb(process.proc.pid)}
    try:
        await flow_run("memory", board, ids.users(emu, n), 0)
        stages[f"{n} flows"] = _peak_mb(process.proc.pid)
        admin = emu.user(ADMIN_ID, "Quản trị")
        queue = board.queue(admin.id)
        timings = {}
        for command, wait_for in (("/thongke", "Thống kê"), ("/quahan", "quá hạn"), ("/baocao", "bieudo_")):
            started = time.perf_counter()
            await emu.send_text(admin, command)
            while True:
                _, message = await asyncio.wait_for(queue.get(), 300)
                seen = str(message.get("text") or message.get("caption") or "")
                seen += str((message.get("document") or {}).get("file_name") or "")
                if wait_for in seen:
                    break
            timings[command] = time.perf_counter() - started
            stages[command] = _peak_mb(process.proc.pid)
        while not queue.empty():
            queue.get_nowait()
    finally:
        sampler.cancel()
        stats = await process.stop()
    return {**stats, "timings": timings, "child_peak_mb": child_peak[0], "stages": stages}


# ------------------------------------------------------------------------------------------ main

@asynccontextmanager
async def telegram() -> AsyncIterator[tuple[BotApiEmulator, Switchboard]]:
    """A fresh emulator for each bot. It keeps every call, update and message for the tests' sake;
    shared, that history grows run after run in this process, and a later bot's garbage collections
    would walk the earlier bots' (measured: a full collection of 50–60 ms in the paced run)."""
    emu = BotApiEmulator(token=TOKEN)
    await emu.start()
    try:
        yield emu, Switchboard(emu)
    finally:
        await emu.stop()
        gc.collect()


INLINE_SQLITE = "sqlite-inline"  # SQLite with storage.sqlite_driver, the opt-in driver, beside the default


async def main(args: argparse.Namespace) -> None:
    install_token_redaction(TOKEN)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    pg = await benchmark_pg_server() if "postgresql" in engines else None
    if pg is None and "postgresql" in engines:
        engines.remove("postgresql")
    kb = load_knowledge_base()
    index = SearchIndex(kb)
    workdir = Path(tempfile.mkdtemp(prefix="hopthu-e2e-"))
    ids = Ids()
    alone = not args.one_process
    settle_heap()  # as `hopthu run` does after start-up: for the bots in this process, and the harness's
    print(f"hopthu end-to-end benchmark — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; "
          f"{args.citizens} citizens per run, paced runs think {args.think:g} s ±50 %; "
          + ("each bot in a process of its own, the emulator and the citizens in this one" if alone
             else "the bots, the emulator and the citizens in this one process"))
    yardsticks: dict[str, list[Figure]] = {}
    for transport in bare_bots.TRANSPORTS:  # PTB's own client (the target's yardstick), then ours
        async with telegram() as (emu, board):
            echo = await echo_figures(emu, board, ids, args.citizens, args.think, args.repeats, alone, transport)
        async with telegram() as (emu, board):
            bare = await bare_flow_figure(emu, board, ids, args.citizens, args.repeats, alone, transport)
        yardsticks[transport] = [*echo, bare]
    echo, bare = yardsticks["httpx"][0], yardsticks["httpx"][-1]
    echo_ours, bare_ours = yardsticks["aiohttp"][0], yardsticks["aiohttp"][-1]
    print("\nthroughput and reply time (citizen's message → the bot's next message in that chat):")
    for figure in [*yardsticks["httpx"], *yardsticks["aiohttp"]]:
        print(figure.line())
    print(f"  → the flow's Bot API calls alone, without a database, run at {bare.rate / echo.rate:.0%} of the echo "
          f"bot's throughput ({bare_ours.rate / echo_ours.rate:.0%} on aiohttp)")
    for engine in engines:
        kind = "sqlite" if engine == INLINE_SQLITE else engine
        async with throwaway_database(kind, workdir, pg, prefix="hopthu_e2e") as url, telegram() as (emu, board):
            figures = await our_figures(emu, board, ids, url, engine, args.citizens, args.think,
                                        args.repeats, alone, kb, index)
        for figure in figures:
            print(figure.line())
        flow = figures[0]
        print(f"  → feedback flow at {flow.rate / echo.rate:.0%} of the echo bot's throughput on {engine} "
              f"(target ≥ 50 %); {flow.rate / echo_ours.rate:.0%} of the echo bot's on the same client "
              f"(aiohttp), {flow.rate / bare_ours.rate:.0%} of the bare flow bot's on it; "
              f"paced p99 {figures[1].pct(0.99):.0f} ms (target < 100 ms on SQLite)")
    print(f"\nmemory with {args.submissions:,} stored submissions (the bot in its own process, SQLite):")
    async with throwaway_database("sqlite", workdir, None, prefix="hopthu_memory") as url, telegram() as (emu, board):
        seconds = await bulk_load(url, args.submissions)
        print(f"  bulk insert through the Store's engine: {seconds:.1f} s")
        plain = await memory_figures(emu, board, ids, url, args.citizens, trace=False)
        traced = await memory_figures(emu, board, ids, url, args.citizens, trace=True)
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in plain["timings"].items())
    print(f"  {args.citizens} feedback flows, then /thongke, /quahan, /baocao (all committees, this quarter): "
          f"{timing}")
    print(f"  peak RSS of the bot (VmHWM): {plain.get('peak_rss_mb', float('nan')):.0f} MB "
          f"(target < 200 MB); of /baocao's short-lived render process (VmHWM, sampled): "
          f"{plain['child_peak_mb']:.0f} MB")
    print("  the bot's peak so far, after: " + ", ".join(f"{k} {v:.0f} MB" for k, v in plain["stages"].items()))
    print(f"  tracemalloc peak of Python objects: {traced.get('tracemalloc_peak_mb', float('nan')):.0f} MB "
          f"(second run; its peak RSS with tracing on: {traced.get('peak_rss_mb', float('nan')):.0f} MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--engines", default=f"sqlite,{INLINE_SQLITE},postgresql",
                        help=f"{INLINE_SQLITE}: SQLite with the opt-in inline driver (bot.sqlite_inline_driver)")
    parser.add_argument("--one-process", action="store_true",
                        help="run the bots in the benchmark's process, beside the emulator and the citizens")
    asyncio.run(main(parser.parse_args()))
