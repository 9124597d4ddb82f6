"""What tests read from the emulator: subscriptions, rendered chats, wait_for_message and wait_idle."""

from __future__ import annotations

import pytest

from tests.emulator.helpers import echo_app
from tests.emulator_fixtures import run_polling
from tgemulator import BotApiEmulator, render_message


# ===================================================================== observing: wait, subscribe, render
async def test_subscribe_render_and_wait_idle(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    events = emulator.subscribe(alice)
    app, _ = echo_app(emulator)
    async with run_polling(app):
        await emulator.send_text(alice, "/start")
        await emulator.wait_for_message(alice)
        await emulator.wait_idle()
        assert emulator.is_idle()
    kinds = [(e.kind, e.from_bot) for e in [events.get_nowait() for _ in range(events.qsize())]]
    assert kinds == [("new", False), ("new", True)]
    bot_message = emulator.last_bot_message(alice)
    assert bot_message is not None
    text = render_message(bot_message)
    assert text.splitlines()[1:] == ["Xin chào An", "[ Góp ý ]"]
    with pytest.raises(TimeoutError, match="no new bot message"):
        await emulator.wait_for_message(alice, timeout=0.05)
