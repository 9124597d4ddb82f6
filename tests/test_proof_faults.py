"""Proof: faults, crashes and database outages lose nothing and duplicate nothing.

Every run ends with the same count (printed; `pytest -s` shows it): submissions stored once per citizen,
exactly one card per tracking code in the committees' groups, one copy per attachment, exactly one
"Đã tiếp nhận" notification per submission — and an empty outbox with no failed row.

The one honest exception is tested too (test_timeout_that_took_effect_*): when Telegram executes a
request but the answer never reaches the bot, a retry sends it again. The Bot API has no idempotency
key, so "at least once" is the only choice that never loses a card; the duplicate is documented.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa

from bot.config import Config
from bot.texts import citizen as TCit
from bot.texts.common import KIND_LABELS, STATUS_LABELS
from storage import Store
from tests.bot_fixtures import harness_config
from tests.emulator_fixtures import free_port
from tests.test_proof_support import (
    CODE,
    PHOTO_RECEIVED,
    SENT,
    STEP_TEXT,
    TEXT_RECEIVED,
    BotProcess,
    Intent,
    Ledger,
    ResilientCitizen,
    ack_until_done,
    card_of,
    database_outage,
    drain_outbox,
    fresh_database,
    short_client_timeouts,
)
from tgemulator import BotApiEmulator, User

ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
PLACES = ["nong ha", "nong thinh", "cho don", "my thanh"]
TEXT = "Đèn chiếu sáng thôn {n} hỏng đã hai tuần, đề nghị xã cho sửa sớm để bà con đi lại an toàn."
FAULT_KINDS = {"429": 0.15, "500": 0.12, "502": 0.08, "drop": 0.08}


@pytest.fixture(params=ENGINES)
async def proof_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with fresh_database(request.param, tmp_path) as url:
        yield url


def citizens(emulator: BotApiEmulator, count: int, first_id: int) -> list[User]:
    return [emulator.user(first_id + i, f"Dân {i}", "Nguyễn") for i in range(count)]


def intents(count: int, *, photos: bool = False) -> list[Intent]:
    return [Intent(TEXT.format(n=i), place=PLACES[i % len(PLACES)], photo=photos and i % 2 == 0)
            for i in range(count)]


async def run_citizens(emulator: BotApiEmulator, people: list[User], wants: list[Intent],
                       patience: float = 2.5) -> tuple[list[str], int]:
    agents = [ResilientCitizen(emulator, u, w, patience=patience) for u, w in zip(people, wants, strict=True)]
    codes = await asyncio.gather(*(a.run() for a in agents))
    return list(codes), sum(a.nudges for a in agents)


async def wait_for_cards(emulator: BotApiEmulator, config: Config, codes: list[str],
                         timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Until every code has a card in some committee group (delivery is asynchronous)."""
    def delivered() -> bool:
        seen = {card_of(m) for c in config.committees.values() for m in emulator.bot_messages(c.chat_id)}
        return set(codes) <= seen

    await emulator.wait_for(delivered, timeout, description="every card delivered")


async def acknowledge_all(emulator: BotApiEmulator, config: Config, codes: list[str]) -> int:
    """An official of the owning group presses "Tiếp nhận" on every card (retrying if unanswered)."""
    await wait_for_cards(emulator, config, codes)
    presses = []
    for committee in config.committees.values():
        emulator.group(committee.chat_id, committee.name)
        official = emulator.user(6000 + abs(committee.chat_id) % 1000, "Cán bộ")
        for message in emulator.bot_messages(committee.chat_id):
            if card_of(message) in codes:
                presses.append(ack_until_done(emulator, official, committee.chat_id, message["message_id"]))
    return sum(await asyncio.gather(*presses))


def assert_exactly_once(ledger: Ledger, people: list[User], codes: list[str], *, notifications: bool = True,
                        photos: int = 0, wants: list[Intent] | None = None) -> None:
    assert len(set(codes)) == len(people), "every citizen got their own tracking code"
    if wants is not None:  # a redelivered or repeated message never doubles the content
        assert [ledger.texts[c] for c in codes] == [w.text for w in wants]
    assert all(ledger.stored_by_user[u.id] == 1 for u in people), ledger.stored_by_user
    assert sorted(ledger.stored) == sorted(codes) and set(ledger.stored.values()) == {1}
    per_code = ledger.cards_per_code()
    assert {c: per_code[c] for c in codes} == dict.fromkeys(codes, 1), "one card per code, none lost"
    assert sum(per_code.values()) == len(codes), "no card without a stored submission"
    assert len(ledger.attachments) == photos and set(ledger.attachments.values()) <= {1}
    if notifications:
        acked = {(c, STATUS_LABELS["acknowledged"]) for c in codes}
        assert {k: n for k, n in ledger.notifications.items() if k in acked} == dict.fromkeys(acked, 1)
    assert ledger.outbox.get("pending") == 0 and ledger.outbox.get("failed") == 0, ledger.outbox


# ------------------------------------------------------------------------------------- the outbox

async def test_outbox_faults_on_a_share_of_requests(bot_factory, emulator: BotApiEmulator) -> None:
    """429 with retry_after, 500, 502, dropped connections and timeouts on a share of the cards, the
    attachment copies and the citizens' notifications: each still arrives exactly once."""
    bot = await bot_factory()
    short_client_timeouts(bot.app)
    people = citizens(emulator, 24, 71_000)
    groups = [c.chat_id for c in bot.config.committees.values()]
    for chat in groups:
        for kind, share in FAULT_KINDS.items():
            emulator.inject(kind, ["sendMessage", "copyMessage"], probability=share, chat_id=chat, retry_after=1)
        emulator.inject("timeout", ["sendMessage", "copyMessage"], times=1, chat_id=chat, hold=10)
    wants = intents(len(people), photos=True)
    codes, _ = await run_citizens(emulator, people, wants)
    for user in people:  # now the notifications to citizens fail too, a share of the time
        for kind, share in FAULT_KINDS.items():
            emulator.inject(kind, "sendMessage", probability=share, chat_id=user.id, retry_after=1)
    presses = await acknowledge_all(emulator, bot.config, codes)
    await drain_outbox(bot.store)
    await emulator.wait_idle(timeout=30)
    ledger = await Ledger.collect(emulator, bot.store, bot.config, people)
    faults = emulator.faults.count()
    print("\n" + ledger.summary("outbox faults", codes, faults) + f" presses={presses}")
    assert faults >= 20, "the run must actually have met faults"
    assert_exactly_once(ledger, people, codes, photos=len(people) // 2, wants=wants)


@pytest.mark.parametrize("engine_db", ENGINES, indirect=False)
async def test_faults_on_every_request(bot_factory, emulator: BotApiEmulator, tmp_path: Path,
                                       engine_db: str) -> None:
    """Faults on any request at all (the bot's direct replies, button answers, card edits too): the
    citizens' lost replies are recovered by asking again, and still nothing is lost or doubled."""
    async with fresh_database(engine_db, tmp_path) as url:
        bot = await bot_factory(db_url=url)
        short_client_timeouts(bot.app)
        for kind, share in {**FAULT_KINDS, "timeout": 0.02}.items():
            emulator.inject(kind, probability=share / 5, retry_after=1, hold=10)
        people = citizens(emulator, 16, 72_000)
        wants = intents(len(people))
        codes, nudges = await run_citizens(emulator, people, wants, patience=2.0)
        presses = await acknowledge_all(emulator, bot.config, codes)
        await drain_outbox(bot.store)
        ledger = await Ledger.collect(emulator, bot.store, bot.config, people)
        faults = emulator.faults.count()
        print("\n" + ledger.summary(f"faults everywhere, {engine_db}", codes, faults)
              + f" citizen retries={nudges} official presses={presses}")
        assert faults >= 10
        assert_exactly_once(ledger, people, codes, wants=wants)
        emulator.faults.clear()


async def test_timeout_that_took_effect_is_the_one_duplicate(bot_factory, emulator: BotApiEmulator) -> None:
    """The documented caveat: Telegram delivered the card but the answer was lost (timeout or dropped
    connection after the request took effect). The bot cannot know; it retries, the group sees the
    card twice. A timeout that did NOT take effect causes no duplicate."""
    bot = await bot_factory()
    short_client_timeouts(bot.app)
    group = bot.group_of("bcd-nong-ha")
    outcomes: dict[str, int] = {}
    for label, kind, took_effect in (("timeout, not delivered", "timeout", False),
                                     ("timeout, delivered", "timeout", True),
                                     ("dropped, delivered", "drop", True)):
        emulator.inject(kind, "sendMessage", chat_id=group, times=1, hold=10, takes_effect=took_effect)
        user = emulator.user(73_000 + len(outcomes), "Lan")
        code = await ResilientCitizen(emulator, user, Intent(TEXT.format(n=len(outcomes)))).run()
        await drain_outbox(bot.store)
        await emulator.wait_for(lambda c=code: any(card_of(m) == c for m in emulator.bot_messages(group)))
        stored = await bot.store.get_by_code(code)
        assert stored is not None
        outcomes[label] = sum(card_of(m) == code for m in emulator.bot_messages(group))
    print(f"\n[caveat] cards in the group per submission: {outcomes}")
    assert outcomes == {"timeout, not delivered": 1, "timeout, delivered": 2, "dropped, delivered": 2}
    counts = await bot.store.outbox_counts()
    assert counts["pending"] == 0 and counts["failed"] == 0


# ------------------------------------------------------------------------------------- crashes

async def progress(url: str) -> str:
    """Drafts in progress, submissions stored and outbox rows still pending, read from the database."""
    store = Store(url)
    await store.open()
    try:
        async with store.engine.connect() as conn:
            drafts, subs, pending = (await conn.execute(sa.text(
                "SELECT (SELECT count(*) FROM drafts), (SELECT count(*) FROM submissions), "
                "(SELECT count(*) FROM outbox WHERE status = 'pending')"))).one()
    finally:
        await store.close()
    return f"{drafts} drafts in progress, {subs} submissions stored, {pending} deliveries pending"

async def test_killed_process_mid_flow_and_mid_delivery(emulator: BotApiEmulator, proof_db: str) -> None:
    """SIGKILL the bot twice — while citizens are half-way through /gopy and while a card is on the
    wire — and start a new process on the same database each time; everything completes once."""
    config = harness_config()
    for committee in config.committees.values():
        emulator.group(committee.chat_id, committee.name)
    group = config.committees["bcd-nong-ha"].chat_id
    groups = {c.chat_id for c in config.committees.values()}
    people = citizens(emulator, 12, 74_000)
    wants = [Intent(TEXT.format(n=i), place="nong thinh" if i % 3 == 2 else "nong ha") for i in range(12)]
    process = await BotProcess(emulator, proof_db).start()
    processes = [process]
    try:
        # The first card hangs on the wire (no answer): the process will die holding its lease.
        emulator.inject("timeout", "sendMessage", chat_id=group, times=1, hold=60)
        agents = [ResilientCitizen(emulator, u, w, patience=2.0, deadline=120)
                  for u, w in zip(people, wants, strict=True)]
        tasks = [asyncio.create_task(agents[0].run())]
        await emulator.wait_for(lambda: any(c.fault == "timeout" and c.finished is None for c in emulator.calls),
                                timeout=60, description="a card hanging on the wire")
        tasks += [asyncio.create_task(a.run()) for a in agents[1:]]
        # First crash while the others are half-way through the flow.
        await emulator.wait_for(lambda: sum(len(emulator.bot_messages(u.id)) >= 3 for u in people[1:]) >= 5,
                                timeout=60)
        held = await _hold_cards(emulator, proof_db, groups)
        await process.kill()
        print(f"\nkilled #1: {await progress(proof_db)}, a card on the wire")
        for rule in held:
            emulator.faults.rules.remove(rule)
        process = await BotProcess(emulator, proof_db).start()
        processes.append(process)
        # Second crash once a few more have finished, while others are mid-way.
        await emulator.wait_for(lambda: sum(any(SENT in (m.get("text") or "")
                                                for m in emulator.bot_messages(u.id)) for u in people) >= 4,
                                timeout=60)
        held = await _hold_cards(emulator, proof_db, groups)
        await process.kill()
        print(f"killed #2: {await progress(proof_db)}")
        for rule in held:
            emulator.faults.rules.remove(rule)
        process = await BotProcess(emulator, proof_db).start()
        processes.append(process)
        codes = list(await asyncio.gather(*tasks))
        store = Store(proof_db)
        await store.open()
        try:
            await acknowledge_all(emulator, config, codes)
            await drain_outbox(store)
            ledger = await Ledger.collect(emulator, store, config, people)
        finally:
            await store.close()
        print(ledger.summary(f"SIGKILL x2, {store.dialect}", codes, emulator.faults.count()))
        assert_exactly_once(ledger, people, codes, wants=wants)
    finally:
        for p in processes:
            await p.kill()
    logged = "\n".join(line for p in processes for line in p.output)
    assert emulator.token.split(":", 1)[1] not in logged, "the token in the bot process's log"


async def _hold_cards(emulator: BotApiEmulator, url: str, groups: set[int]) -> list[Any]:
    """From now on cards hang on the wire without taking effect, and every card already accepted is
    recorded: a kill then cannot land between Telegram accepting a card and the bot recording it. That
    window is the documented at-least-once case (test_timeout_that_took_effect_is_the_one_duplicate),
    not what the kill tests are about. Returns the fault rules, to remove after the restart."""
    held = [emulator.inject("timeout", ["sendMessage", "copyMessage"], chat_id=g, times=None, hold=60)
            for g in sorted(groups)]
    store = Store(url)
    await store.open()
    try:
        for _ in range(300):
            calls = [c for c in emulator.calls if c.method in ("sendMessage", "copyMessage")
                     and int(c.params.get("chat_id", 0)) in groups]
            in_flight = [c for c in calls if c.finished is None and c.fault is None]
            accepted = sum(1 for c in calls if c.ok)
            async with store.engine.connect() as conn:
                recorded = (await conn.execute(sa.text(
                    "SELECT count(*) FROM outbox WHERE status = 'sent' AND chat_id < 0"))).scalar()
            if not in_flight and recorded == accepted:
                return held
            await asyncio.sleep(0.1)
        raise TimeoutError("cards accepted by the emulator were not all recorded as sent")
    finally:
        await store.close()


# ------------------------------------------------------------------------------------- the database

async def test_database_briefly_unavailable(bot_factory, emulator: BotApiEmulator, proof_db: str) -> None:
    """The database goes away for a few seconds while citizens are in the flow and while a card is on
    the wire (so the send succeeds but recording it cannot): afterwards nothing is lost or doubled.

    PostgreSQL: new connections refused and every open one terminated (pg_terminate_backend).
    SQLite: another connection holds the write lock."""
    bot = await bot_factory(db_url=proof_db)
    people = citizens(emulator, 10, 75_000)
    group = bot.group_of("bcd-nong-ha")
    # 1. A card whose answer arrives while the database is down: sent, but mark_sent cannot run.
    emulator.inject("timeout", "sendMessage", chat_id=group, times=1, hold=1.5)
    first = asyncio.create_task(ResilientCitizen(emulator, people[0], Intent(TEXT.format(n=0))).run())
    await emulator.wait_for(lambda: any(c.fault == "timeout" and c.finished is None for c in emulator.calls),
                            timeout=30, description="a card on the wire")
    async with database_outage(proof_db, 3.0):
        pass
    # 2. Citizens in the middle of the flow when the database goes away.
    rest = [asyncio.create_task(ResilientCitizen(emulator, u, Intent(TEXT.format(n=i + 1)), deadline=120).run())
            for i, u in enumerate(people[1:])]
    await emulator.wait_for(lambda: sum(len(emulator.bot_messages(u.id)) >= 3 for u in people[1:]) >= 5,
                            timeout=30)
    async with database_outage(proof_db, 2.0):
        pass
    codes = [await first] + [await task for task in rest]
    presses = await acknowledge_all(emulator, bot.config, codes)
    await drain_outbox(bot.store)
    ledger = await Ledger.collect(emulator, bot.store, bot.config, people)
    print("\n" + ledger.summary(f"database outage, {bot.store.dialect}", codes, emulator.faults.count())
          + f" presses={presses}")
    assert_exactly_once(ledger, people, codes)


async def test_redelivered_updates_are_applied_once(bot_factory, emulator: BotApiEmulator) -> None:
    """Telegram delivers updates at least once: a webhook whose 200 got lost is POSTed again, and after
    a crash getUpdates returns what was fetched but not confirmed. The same text or photo arriving twice
    must not double the content or the attachments."""
    port = free_port()
    secret = "proof-secret"
    bot = await bot_factory(webhook={"listen": "127.0.0.1", "port": port, "url_path": "hook",
                                     "webhook_url": f"http://127.0.0.1:{port}/hook", "secret_token": secret})
    lan = bot.citizen(76_001, "Lan")
    text = TEXT.format(n=1)

    async def again(update: dict[str, Any]) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        async with aiohttp.ClientSession() as session, \
                session.post(f"http://127.0.0.1:{port}/hook", json=update, headers=headers) as response:
            assert response.status == 200

    await bot.say(lan, "/gopy")
    await bot.press(lan, KIND_LABELS["gop_y"])
    await bot.say(lan, "nong ha")
    await bot.press(lan, "Đất đai, quy hoạch, xây dựng")
    await bot.next_message(lan, STEP_TEXT)
    await bot.say(lan, text)
    await bot.next_message(lan, TEXT_RECEIVED)
    await again(emulator.updates[-1])
    await emulator.send_photo(lan, caption="ảnh")
    await bot.next_message(lan, PHOTO_RECEIVED)
    await again(emulator.updates[-1])
    await emulator.wait_idle()
    await bot.press(lan, TCit.BUTTON_DONE)
    await bot.press(lan, TCit.BUTTON_ANONYMOUS)
    await bot.press(lan, TCit.BUTTON_SEND)
    sent = await bot.next_message(lan, SENT)
    await again(emulator.updates[-1])  # "Gửi" pressed twice, as far as the bot can tell
    code = CODE.search(sent["text"]).group(0)  # type: ignore[union-attr]
    await drain_outbox(bot.store)
    stored = await bot.store.get_by_code(code)
    assert stored is not None and stored.text == text
    assert len(await bot.store.list_attachments(stored.id)) == 1
    ledger = await Ledger.collect(emulator, bot.store, bot.config, [lan])
    print(f"\n[redelivery] {ledger.summary('updates delivered twice', [code], 0)}")
    assert sum(ledger.stored.values()) == 1 and ledger.cards_per_code()[code] == 1
    assert len(ledger.attachments) == 1
