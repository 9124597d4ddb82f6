"""Proof at scale: two replicas in webhook mode on one PostgreSQL database, and 1,000 citizens at once.

Two replicas: the emulator POSTs every update to a small round-robin balancer (as a real deployment
has in front of its replicas), which hands it to replica A or B in turn — so one citizen's flow hops
between processes at every step, and both outbox workers claim from the same table.

The 1,000-citizen run takes about 100 s on a 2-core machine. It runs in the default suite (CI has the
time); it is marked slow so a quick local run can leave it out with `pytest -m "not slow"`.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.texts.common import STATUS_LABELS
from tests.emulator_fixtures import free_port
from tests.test_proof_support import (
    FastCitizen,
    Intent,
    Ledger,
    ResilientCitizen,
    Switchboard,
    ack_until_done,
    card_of,
    drain_outbox,
    fresh_database,
)
from tgemulator import BotApiEmulator

SECRET = "replica-secret"
PLACES = ["nong ha", "nong thinh", "cho don", "my thanh"]


@asynccontextmanager
async def round_robin(ports: list[int]) -> AsyncIterator[tuple[str, Counter[int], dict[int, set[int]]]]:
    """A balancer on 127.0.0.1: each POST goes to the next replica; counts per replica, and per chat
    which replicas served it."""
    served: Counter[int] = Counter()
    chats: dict[int, set[int]] = {}
    turn = itertools.cycle(ports)
    session = aiohttp.ClientSession()

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        port = next(turn)
        served[port] += 1
        update = await request.json()
        for value in update.values():
            if isinstance(value, dict):
                chat = (value.get("chat") or (value.get("message") or {}).get("chat") or value.get("from") or {})
                if "id" in chat:
                    chats.setdefault(int(chat["id"]), set()).add(port)
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-telegram")}
        headers["Content-Type"] = "application/json"
        async with session.post(f"http://127.0.0.1:{port}/hook", data=body, headers=headers) as response:
            return web.Response(status=response.status)

    app = web.Application()
    app.router.add_post("/hook", forward)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/hook", served, chats
    finally:
        await session.close()
        await runner.cleanup()


@pytest.mark.postgres
async def test_two_webhook_replicas_share_one_postgresql(bot_factory, emulator: BotApiEmulator,
                                                         tmp_path: Path) -> None:
    emulator.webhook_concurrency = 8  # Telegram delivers several updates at once (per chat in order)
    ports = [free_port(), free_port()]
    async with fresh_database("postgresql", tmp_path) as url, round_robin(ports) as (hook, served, chats):
        replicas = [await bot_factory(db_url=url, webhook={
            "listen": "127.0.0.1", "port": port, "url_path": "hook", "webhook_url": hook, "secret_token": SECRET})
            for port in ports]
        bot = replicas[0]
        people = [emulator.user(78_000 + i, "Dân", "Lê") for i in range(24)]
        wants = [Intent(f"Ý kiến số {i}: cống thoát nước thôn Nà Mố bị tắc, đề nghị nạo vét.",
                        place=PLACES[i % len(PLACES)]) for i in range(len(people))]
        # every citizen twice; each step of each flow may land on either replica
        first = await asyncio.gather(*(ResilientCitizen(emulator, u, w, patience=5).run()
                                       for u, w in zip(people, wants, strict=True)))
        second_wants = [Intent(w.text.replace("Ý kiến số", "Lần hai, ý kiến số"), place=w.place) for w in wants]
        second = await asyncio.gather(*(ResilientCitizen(emulator, u, w, patience=5).run()
                                        for u, w in zip(people, second_wants, strict=True)))
        codes = first + second
        groups = {c.chat_id: c for c in bot.config.committees.values()}
        await emulator.wait_for(lambda: {card_of(m) for g in groups for m in emulator.bot_messages(g)} >= set(codes),
                                timeout=60, description="every card")
        official = emulator.user(6001, "Cán bộ")
        presses = []
        for chat in groups:
            for message in emulator.bot_messages(chat):
                if card_of(message) in codes:
                    presses.append(ack_until_done(emulator, official, chat, message["message_id"], patience=5))
        await asyncio.gather(*presses)
        await drain_outbox(bot.store)
        ledger = await Ledger.collect(emulator, bot.store, bot.config, people)
        hopped = sum(len(chats.get(u.id, ())) == 2 for u in people)
        print(f"\n[two replicas] updates per replica {dict(served)}; citizens served by both: {hopped}/{len(people)}; "
              + ledger.summary("2 replicas, PostgreSQL", codes, 0))
        per_user = Counter({u.id: ledger.stored_by_user[u.id] for u in people})
        assert set(per_user.values()) == {2}, "two submissions per citizen, no more, no less"
        assert set(ledger.stored.values()) == {1} and sorted(ledger.stored) == sorted(codes)
        assert dict(ledger.cards_per_code()) == dict.fromkeys(codes, 1)
        assert all(ledger.notifications[(c, STATUS_LABELS["acknowledged"])] == 1 for c in codes)
        assert ledger.outbox["pending"] == 0 and ledger.outbox["failed"] == 0
        assert min(served.values()) > 100 and hopped == len(people), "the flows really were interleaved"
        assert [ledger.texts[c] for c in codes] == [w.text for w in wants + second_wants]


@pytest.mark.slow
async def test_a_thousand_citizens_at_once(bot_factory, emulator: BotApiEmulator) -> None:
    bot = await bot_factory()
    board = Switchboard(emulator)
    people = [emulator.user(200_000 + i, "Dân") for i in range(1000)]
    agents = [FastCitizen(board, u, Intent(f"Ý kiến số {i}: đường thôn hỏng, đề nghị sửa.",
                                           place=PLACES[i % len(PLACES)])) for i, u in enumerate(people)]
    started = time.perf_counter()
    codes = await asyncio.gather(*(a.run(timeout=300) for a in agents))
    elapsed = time.perf_counter() - started
    await drain_outbox(bot.store, timeout=300)
    delivered = time.perf_counter() - started
    ledger = await Ledger.collect(emulator, bot.store, bot.config, people)
    latencies = sorted(x for a in agents for x in a.latencies)
    updates = sum(a.updates for a in agents)
    print(f"\n[1000 citizens] {updates} updates in {elapsed:.1f} s ({updates / elapsed:.0f}/s), all cards "
          f"delivered after {delivered:.1f} s; reply p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms (saturated: everyone at once); "
          + ledger.summary("1000 citizens", codes, 0))
    assert sum(ledger.stored.values()) == 1000 and set(ledger.stored.values()) == {1}
    assert ledger.cards_per_code() == Counter(dict.fromkeys(codes, 1))
    assert ledger.outbox["pending"] == 0 and ledger.outbox["failed"] == 0
