"""bot/transport.py against the emulator: what PTB's own HTTP client does, call by call, and its errors."""

from __future__ import annotations

import ast
import asyncio
import io
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.transport import AiohttpRequest, Timeouts
from tgemulator import BotApiEmulator

FAST = Timeouts(read=0.5, write=0.5, connect=0.5, pool=0.5, media_write=0.5)


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    """A Bot whose calls (and long polls) go through AiohttpRequest, with short timeouts."""
    instance = Bot(emulator.token, base_url=emulator.base_url, base_file_url=emulator.base_file_url,
                   request=AiohttpRequest(timeouts=Timeouts(**vars(FAST))),
                   get_updates_request=AiohttpRequest(pool_size=1, timeouts=Timeouts(**vars(FAST))))
    async with instance:
        yield instance


async def test_form_fields_reach_telegram_as_sent(bot: Bot, emulator: BotApiEmulator) -> None:
    user = emulator.user(501, "Lan")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Đồng ý ✅", callback_data="yes:1")]])
    sent = await bot.send_message(user.id, "<b>Chào</b> bà con & <i>thôn Nà Mố</i> 1+1=2 100%?#", parse_mode="HTML",
                                  reply_markup=keyboard)
    stored = emulator.chat_messages(user.id)[-1]
    assert stored["message_id"] == sent.message_id
    assert stored["text"] == "Chào bà con & thôn Nà Mố 1+1=2 100%?#"
    assert [e["type"] for e in stored["entities"]] == ["bold", "italic"]
    assert stored["reply_markup"]["inline_keyboard"][0][0] == {"text": "Đồng ý ✅", "callback_data": "yes:1"}
    assert sent.reply_markup == keyboard  # the answer parsed back


@pytest.mark.parametrize("as_handle", [False, True])
async def test_uploads_are_multipart_with_name_and_bytes(bot: Bot, emulator: BotApiEmulator,
                                                         as_handle: bool) -> None:
    group = emulator.group(-100_501, "Ban Chỉ đạo xã")
    content = bytes(range(256)) * 40  # binary, 10 KB
    document = io.BytesIO(content) if as_handle else content
    message = await bot.send_document(group.id, document, filename="báo cáo quý 3.xlsx", caption="Báo cáo")
    [sent] = emulator.files_sent_to(group.id)
    assert (sent.filename, sent.data) == ("báo cáo quý 3.xlsx", content)
    assert message.caption == "Báo cáo"
    # and back down: getFile, then the file itself through the same client
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content


async def test_long_poll_longer_than_the_read_timeout(bot: Bot, emulator: BotApiEmulator) -> None:
    """PTB adds the poll's own timeout to the read timeout: a 1 s poll with a 0.5 s read timeout is fine."""
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9
    user = emulator.user(502, "Hùng")
    await emulator.send_text(user, "xin chào")
    [update] = await bot.get_updates(timeout=1)
    assert update.message.text == "xin chào"


async def test_a_held_request_is_timed_out(bot: Bot, emulator: BotApiEmulator) -> None:
    user = emulator.user(503, "Mai")
    emulator.inject("timeout", "sendMessage", hold=3)
    started = time.monotonic()
    with pytest.raises(TimedOut):
        await bot.send_message(user.id, "một")
    assert time.monotonic() - started < 2.5
    assert (await bot.send_message(user.id, "hai")).text == "hai"  # the client is still usable


async def test_a_dropped_connection_is_a_network_error(bot: Bot, emulator: BotApiEmulator) -> None:
    user = emulator.user(504, "Tuấn")
    emulator.inject("drop", "sendMessage")
    with pytest.raises(NetworkError) as caught:
        await bot.send_message(user.id, "một")
    assert not isinstance(caught.value, TimedOut)
    assert "aiohttp." in str(caught.value)
    assert (await bot.send_message(user.id, "hai")).text == "hai"


async def test_status_codes_become_ptb_errors(bot: Bot, emulator: BotApiEmulator) -> None:
    user = emulator.user(505, "Hoa")
    emulator.inject("429", "sendMessage", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(user.id, "một")
    assert caught.value.retry_after == 7
    for kind in ("500", "502"):
        emulator.inject(kind, "sendMessage")
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "hai")
    with pytest.raises(BadRequest):
        await bot.send_message(user.id, "")  # Telegram's own 400: message text is empty


async def test_a_full_pool_times_out_without_sending(emulator: BotApiEmulator) -> None:
    """One connection, held by a slow call: the next call waits `pool` seconds, then TimedOut, and the
    emulator never saw it."""
    user = emulator.user(506, "Bình")
    request = AiohttpRequest(pool_size=1, timeouts=Timeouts(read=5, write=5, connect=0.3, pool=0.3))
    async with Bot(emulator.token, base_url=emulator.base_url, request=request) as bot:
        emulator.inject("timeout", "sendMessage", hold=1.5)
        slow = asyncio.create_task(bot.send_message(user.id, "chậm"))
        await emulator.wait_for(lambda: len(emulator.calls_to("sendMessage")) == 1, 5)
        with pytest.raises(TimedOut) as caught:
            await bot.send_message(user.id, "không được gửi")
        assert (await slow).text == "chậm"
    # aiohttp's own message names the URL, token and all; ours does not, and does not chain it
    assert "<url>" in str(caught.value) and emulator.token not in str(caught.value)
    assert caught.value.__cause__ is None
    assert [c.params.get("text") for c in emulator.calls_to("sendMessage")] == ["chậm"]


async def test_lifecycle(emulator: BotApiEmulator) -> None:
    request = AiohttpRequest()
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps our RuntimeError
        await request.post(f"{emulator.base_url}{emulator.token}/getMe")
    for _ in range(2):  # PTB may initialize again after a shutdown
        await request.initialize()
        me = await request.post(f"{emulator.base_url}{emulator.token}/getMe")
        assert isinstance(me, dict) and me["is_bot"] is True
        await request.shutdown()
    await request.shutdown()  # twice is harmless


def test_only_public_modules_of_dependencies() -> None:
    """A private module (`telegram._utils…`) may change in any release of python-telegram-bot."""
    private = []
    for path in sorted((Path(__file__).resolve().parents[1] / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            private += [f"{path.name}: {n}" for n in names
                        if any(p.startswith("_") and not p.endswith("__") for p in n.split("."))]
    assert private == []
