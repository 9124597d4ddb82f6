"""Webhook mode: updates arrive by HTTP POST with Telegram's secret token header, checked by the bot."""

from __future__ import annotations

import aiohttp

from bot.texts import citizen as TCit
from tests.bot_fixtures import BotHarness, shown
from tests.emulator_fixtures import free_port

SECRET = "hopthu-webhook-secret_42"


def webhook_options(port: int) -> dict[str, object]:
    return {"listen": "127.0.0.1", "port": port, "url_path": "telegram",
            "webhook_url": f"http://127.0.0.1:{port}/telegram", "secret_token": SECRET}


async def test_webhook_flow_and_secret_header(bot_factory, emulator):
    port = free_port()
    bot: BotHarness = await bot_factory(webhook=webhook_options(port))
    assert emulator.webhook is not None and emulator.webhook.secret_token == SECRET
    lan = bot.citizen(5301, "Lan")
    code, card = await bot.submit_feedback(lan)
    assert code in card["text"]

    # A request without the right header is refused by the bot and changes nothing.
    update = {"update_id": 999_999, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 5302, "type": "private", "first_name": "Kẻ giả"},
        "from": {"id": 5302, "is_bot": False, "first_name": "Kẻ giả"}, "text": "/gopy"}}
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "sai"}):
            async with session.post(f"http://127.0.0.1:{port}/telegram", json=update, headers=headers) as response:
                assert response.status == 403
    assert await bot.store.get_draft(5302) is None

    # The emulator sending a wrong secret is refused too; once it sends the right one, nothing was lost.
    emulator.webhook_secret_override = "sai-bi-mat"
    hoa = bot.citizen(5303, "Hoa")
    await bot.say(hoa, "/start")
    await emulator.wait_for(lambda: any(d["status"] == 403 for d in emulator.webhook_deliveries))
    assert not emulator.bot_messages(hoa.id)
    emulator.webhook_secret_override = None
    welcome = await bot.next_message(hoa, shown(TCit.WELCOME))
    assert welcome["reply_markup"]["inline_keyboard"]
