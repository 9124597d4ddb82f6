"""Injected faults (429, 5xx, drops, timeouts) and Telegram's rate limits, as the real PTB sees them."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import MessageHandler, filters

from tests.emulator.helpers import GROUP_ID, Ctx, retry_seconds
from tests.emulator_fixtures import make_application, run_polling
from tgemulator import BotApiEmulator, FaultKind, RateLimitChecker, RateLimits


# ===================================================================== faults
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter(int)
async def test_retry_after_then_delivered_exactly_once(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    emulator.inject(FaultKind.RETRY_AFTER, "sendMessage", times=1, retry_after=1)
    app = make_application(emulator)
    waits: list[float] = []

    async def polite(update: Update, context: Ctx) -> None:
        assert update.message
        for _ in range(3):
            try:
                await update.message.reply_text("Đã nhận góp ý")
                return
            except RetryAfter as exc:
                waits.append(retry_seconds(exc))
                await asyncio.sleep(retry_seconds(exc))

    app.add_handler(MessageHandler(filters.TEXT, polite))
    async with run_polling(app):
        await emulator.send_text(alice, "góp ý")
        await emulator.wait_for_message(alice, contains="Đã nhận")
        await emulator.wait_idle()
    assert waits == [1.0]
    assert [m["text"] for m in emulator.bot_messages(alice)] == ["Đã nhận góp ý"]
    assert emulator.faults.count(FaultKind.RETRY_AFTER, "sendMessage") == 1
    assert [c.error_code for c in emulator.calls_to("sendMessage")] == [429, None]


@pytest.mark.parametrize("kind", [FaultKind.SERVER_ERROR, FaultKind.BAD_GATEWAY, FaultKind.DROP])
async def test_server_failures_raise_network_error_and_deliver_nothing(
    emulator: BotApiEmulator, kind: FaultKind
) -> None:
    alice = emulator.user(1001, "An")
    emulator.inject(kind, "sendMessage", times=1)
    async with make_application(emulator) as app:
        with pytest.raises(NetworkError) as raised:
            await app.bot.send_message(alice.id, "thẻ góp ý")
        assert not isinstance(raised.value, BadRequest | Forbidden | TimedOut)
        assert emulator.bot_messages(alice) == []
        await app.bot.send_message(alice.id, "lần hai")  # the rule fired once
    assert [m["text"] for m in emulator.bot_messages(alice)] == ["lần hai"]
    assert emulator.faults.count(kind) == 1


async def test_dropped_after_taking_effect_is_the_duplicate_risk(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    emulator.inject("drop", "sendMessage", takes_effect=True)
    async with make_application(emulator) as app:
        with pytest.raises(NetworkError):
            await app.bot.send_message(alice.id, "thẻ góp ý")
    assert [m["text"] for m in emulator.bot_messages(alice)] == ["thẻ góp ý"]


async def test_timeout_raises_timed_out_and_has_no_effect(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    emulator.inject(FaultKind.TIMEOUT, "sendMessage", hold=1.0)
    async with make_application(emulator, read_timeout=0.2) as app:
        with pytest.raises(TimedOut):
            await app.bot.send_message(alice.id, "chậm")
    call = emulator.calls_to("sendMessage")[0]
    await emulator.wait_for(lambda: call.finished is not None)  # the held handler was cancelled
    assert emulator.bot_messages(alice) == [] and not call.ok
    assert emulator.faults.count(FaultKind.TIMEOUT) == 1


async def test_probabilistic_faults_are_reproducible() -> None:
    async def run(seed: int) -> list[int | None]:
        async with BotApiEmulator(seed=seed) as emu:
            alice = emu.user(1001, "An")
            emu.inject("500", ["sendMessage"], probability=0.5)
            async with make_application(emu) as app:
                for i in range(12):
                    try:
                        await app.bot.send_message(alice.id, f"m{i}")
                    except NetworkError:
                        pass
            assert emu.faults.count("500") + len(emu.bot_messages(alice)) == 12
            return [c.error_code for c in emu.calls_to("sendMessage")]

    first, again = await run(7), await run(7)
    assert first == again and 500 in first and None in first


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter(int)
async def test_enforced_rate_limit_answers_429(emulator: BotApiEmulator) -> None:
    emulator.enforce_rate_limits = True
    alice = emulator.user(1001, "An")
    async with make_application(emulator) as app:
        for i in range(3):  # the private chat's burst
            await app.bot.send_message(alice.id, f"m{i}")
        with pytest.raises(RetryAfter):
            await app.bot.send_message(alice.id, "one too many")
    assert len(emulator.bot_messages(alice)) == 3 and emulator.rate_violations == []


# ===================================================================== pure pieces
def test_rate_limit_checker_windows() -> None:
    now = [0.0]
    checker = RateLimitChecker(RateLimits(), clock=lambda: now[0])
    for _ in range(20):
        checker.record(GROUP_ID)
        now[0] += 1.0
    assert checker.violations == []
    assert [v.scope for v in checker.record(GROUP_ID)] == ["group"]  # 21st within a minute
    now[0] += 60.0
    assert checker.record(GROUP_ID) == []
    for _ in range(3):
        assert checker.record(1001) == []  # a short burst is tolerated
    assert [v.scope for v in checker.record(1001)] == ["private"]
    now[0] += 10.0
    checker.reset()
    found = [checker.record(5000 + i) for i in range(31)]  # 31 different chats in the same second
    assert [v.scope for v in found[-1]] == ["overall"] and all(not f for f in found[:30])
