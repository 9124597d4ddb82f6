"""Webhook mode: the emulator POSTs updates to PTB's webhook server, with the secret, per-chat order, retries."""

from __future__ import annotations

import pytest
from telegram import Update
from telegram.error import BadRequest, Conflict
from telegram.ext import MessageHandler, filters

from tests.emulator.helpers import GROUP_ID, Ctx, echo_app
from tests.emulator_fixtures import make_application, run_polling, run_webhook
from tgemulator import BotApiEmulator


# ===================================================================== webhook mode
async def test_webhook_mode_delivers_with_the_secret(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    app, errors = echo_app(emulator)
    async with run_webhook(app, secret_token="s3cret-token"):
        assert emulator.webhook is not None and emulator.webhook.secret_token == "s3cret-token"
        await emulator.send_text(alice, "/start")
        await emulator.send_text(alice, "một")
        await emulator.send_text(alice, "hai")
        assert (await emulator.wait_for_message(alice))["text"] == "Xin chào An"
        assert (await emulator.wait_for_message(alice))["text"] == "một"
        assert (await emulator.wait_for_message(alice))["text"] == "hai"
        assert {d["status"] for d in emulator.webhook_deliveries} == {200}
        info = await app.bot.get_webhook_info()
        assert info.url.startswith("http://127.0.0.1:") and info.pending_update_count == 0
        with pytest.raises(Conflict, match="webhook is active"):
            await app.bot.get_updates()
    assert not errors


async def test_webhook_wrong_secret_is_refused_then_retried(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    app, errors = echo_app(emulator)
    async with run_webhook(app, secret_token="right-secret"):
        emulator.webhook_secret_override = "wrong-secret"
        await emulator.send_text(alice, "xin chào")
        await emulator.wait_for(lambda: len(emulator.webhook_deliveries) >= 2)
        assert {d["status"] for d in emulator.webhook_deliveries} == {403}
        assert emulator.bot_messages(alice) == [] and len(emulator.pending_updates) == 1
        info = await app.bot.get_webhook_info()
        assert info.last_error_message is not None and "403" in info.last_error_message
        emulator.webhook_secret_override = None  # the same update is now accepted, exactly once
        assert (await emulator.wait_for_message(alice))["text"] == "xin chào"
        await emulator.wait_idle()
    assert len(emulator.bot_messages(alice)) == 1 and not errors


async def test_webhook_concurrency_keeps_each_chat_in_order() -> None:
    async with BotApiEmulator(webhook_concurrency=4) as emu:
        users = [emu.user(1001 + i, f"U{i}") for i in range(4)]
        app, errors = echo_app(emu)
        async with run_webhook(app):
            for n in range(3):
                for user in users:
                    await emu.send_text(user, f"{user.first_name}-{n}")
            for user in users:
                await emu.wait_for(lambda u=user: len(emu.bot_messages(u)) == 3)
            await emu.wait_idle()
        for user in users:
            assert [m["text"] for m in emu.bot_messages(user)] == [f"{user.first_name}-{n}" for n in range(3)]
        delivered = [d["update_id"] for d in emu.webhook_deliveries]
        assert sorted(delivered) == [u["update_id"] for u in emu.updates] and not errors


async def test_allowed_updates_and_privacy_mode() -> None:
    async with BotApiEmulator(privacy_mode=True) as emu:
        official = emu.user(2001, "Bình")
        quiet_group = emu.group(GROUP_ID, "BCĐ", bot_is_admin=False)
        app = make_application(emu)
        seen: list[str] = []

        async def record(update: Update, context: Ctx) -> None:
            assert update.effective_message is not None
            seen.append(update.effective_message.text or "")

        app.add_handler(MessageHandler(filters.ALL, record))
        async with run_polling(app, allowed_updates=["message"]):
            # like Telegram, allowed_updates applies from the getUpdates call that sets it
            await emu.wait_for(lambda: emu.calls_to("getUpdates"))
            await emu.send_text(official, quiet_group, "chuyện riêng")  # hidden by privacy mode
            await emu.send_text(official, quiet_group, "/thongke")
            await emu.send_text(official, quiet_group, "hỏi @hopthu_test_bot")
            alice = emu.user(1001, "An")
            await emu.send_text(alice, "riêng tư")
            sent = await emu.send_text(alice, "sửa")
            await emu.edit_message(alice, None, sent["message_id"], "đã sửa")  # not in allowed_updates
            await emu.wait_idle()
        assert seen == ["/thongke", "hỏi @hopthu_test_bot", "riêng tư", "sửa"]
        assert [next(k for k in u if k != "update_id") for u in emu.dropped_updates] == ["edited_message"]


async def test_webhook_url_must_stay_on_this_machine(emulator: BotApiEmulator) -> None:
    async with make_application(emulator) as app:
        with pytest.raises(BadRequest, match=r"127\.0\.0\.1"):
            await app.bot.set_webhook("https://example.org/hook")
