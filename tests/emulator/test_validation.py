"""Refusals with Telegram's own wording (HTML, lengths, chats, tokens, conflicts) and the markup parser."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken

from tests.emulator.helpers import GROUP_ID
from tests.emulator_fixtures import make_application
from tgemulator import BotApiEmulator, EntityParseError, parse_formatted


# ===================================================================== validation like Telegram
async def test_html_escaping_errors_are_bad_requests(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    async with make_application(emulator) as app:
        for text, reason in [
            ("Điểm <b>5 < 6</b>", 'Unsupported start tag ""'),
            ("<b>mở mà không đóng", 'Can\'t find end tag corresponding to start tag "b"'),
            ("<b><i>sai thứ tự</b></i>", 'Unmatched end tag at byte offset 20, expected "</i>", found "</b>"'),
            ("xuống dòng<br>", 'Unsupported start tag "br"'),
            ("<script>x</script>", 'Unsupported start tag "script"'),
        ]:
            with pytest.raises(BadRequest) as raised:
                await app.bot.send_message(alice.id, text, parse_mode="HTML")
            assert f"can't parse entities: {reason}".lower() in raised.value.message.lower(), text
        ok = await app.bot.send_message(
            alice.id, "Điểm <b>5 &lt; 6</b> &amp; AT&T <a href='https://vbpl.vn/?a=1&amp;b=2'>VB</a>", parse_mode="HTML"
        )
        assert ok.text == "Điểm 5 < 6 & AT&T VB"
        assert ok.entities[1].url == "https://vbpl.vn/?a=1&b=2"
        with pytest.raises(BadRequest, match=r"character '\.' is reserved"):
            await app.bot.send_message(alice.id, "Điều 5.", parse_mode="MarkdownV2")
    assert len(emulator.bot_messages(alice)) == 1


async def test_message_length_limit(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    async with make_application(emulator) as app:
        with pytest.raises(BadRequest, match="Message is too long"):
            await app.bot.send_message(alice.id, "ạ" * 4097)
        with pytest.raises(BadRequest, match="Message is too long"):  # counted after parsing
            await app.bot.send_message(alice.id, "<b>" + "a" * 4097 + "</b>", parse_mode="HTML")
        await app.bot.send_message(alice.id, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="Message text is empty"):
            await app.bot.send_message(alice.id, "<b> </b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match="Button_data_invalid"):
            markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="đ" * 33)]])
            await app.bot.send_message(alice.id, "x", reply_markup=markup)
    assert len(emulator.bot_messages(alice)) == 1


async def test_chats_members_commands_and_refusals(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    official = emulator.user(2001, "Bình")
    group = emulator.group(GROUP_ID, "BCĐ xã Nông Hạ", members={2001: "administrator"})
    async with make_application(emulator) as app:
        chat = await app.bot.get_chat(GROUP_ID)
        assert chat.title == "BCĐ xã Nông Hạ" and chat.type == "supergroup"
        member = await app.bot.get_chat_member(GROUP_ID, official.id)
        assert member.status == "administrator"
        assert (await app.bot.get_chat_member(GROUP_ID, alice.id)).status == "left"
        emulator.set_member_status(group, alice, "member")
        assert (await app.bot.get_chat_member(GROUP_ID, alice.id)).status == "member"

        await app.bot.set_my_commands([("start", "Bắt đầu"), ("gopy", "Gửi góp ý")])
        assert [c.command for c in await app.bot.get_my_commands()] == ["start", "gopy"]
        assert emulator.commands()[1] == {"command": "gopy", "description": "Gửi góp ý"}
        with pytest.raises(BadRequest, match="Bot_command_invalid"):
            await app.bot.set_my_commands([("góp-ý", "không hợp lệ")])

        emulator.block(alice)
        with pytest.raises(Forbidden, match="blocked by the user"):
            await app.bot.send_message(alice.id, "x")
        await app.bot.leave_chat(GROUP_ID)
        with pytest.raises(Forbidden, match="not a member"):
            await app.bot.send_message(GROUP_ID, "x")
        await app.bot.send_chat_action(official.id, "typing")
    assert emulator.chat_actions == [{"chat_id": 2001, "action": "typing"}]


async def test_unknown_method_and_bad_token(emulator: BotApiEmulator) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{emulator.base_url}{emulator.token}/sendTeleport", json={}) as response:
            assert response.status == 404
            assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.post(f"{emulator.base_url}{emulator.token}/SENDMESSAGE", json={"chat_id": 1}) as response:
            assert response.status == 400  # method names are case-insensitive, like Telegram's
        async with http.get(f"{emulator.base_url}123:wrong/getMe") as response:
            assert response.status == 401
            assert (await response.json())["description"] == "Unauthorized"
    bad = make_application(emulator, token="123:wrong")
    with pytest.raises(InvalidToken):
        await bad.initialize()


async def test_second_bot_instance_polling_gets_conflict(emulator: BotApiEmulator) -> None:
    async with make_application(emulator) as one, make_application(emulator) as other:
        first = asyncio.create_task(one.bot.get_updates(timeout=3, read_timeout=5))
        await emulator.wait_for(lambda: emulator.calls_to("getUpdates"))
        await other.bot.get_updates(timeout=0)
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await first


def test_markup_parsing_matches_telegram() -> None:
    parsed = parse_formatted("  <b>👍 Đã</b> <i>nhận</i>  ", "HTML")
    assert parsed.text == "👍 Đã nhận"
    assert parsed.entities == [
        {"type": "bold", "offset": 0, "length": 5},  # 👍 is two UTF-16 units
        {"type": "italic", "offset": 6, "length": 4},
    ]
    code = parse_formatted('<pre><code class="language-python">x = 1</code></pre>', "HTML")
    assert code.entities == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
    md = parse_formatted(r"*Điều 5* \- _Pháp lệnh_ [vbpl](https://vbpl.vn/a\)b)", "MarkdownV2")
    assert md.text == "Điều 5 - Pháp lệnh vbpl"
    assert [e["type"] for e in md.entities] == ["bold", "italic", "text_link"]
    assert md.entities[2]["url"] == "https://vbpl.vn/a)b"
    for bad, reason in [
        ("*đậm", "Can't find end of Bold entity at byte offset 0"),
        ("a-b", "Character '-' is reserved"),
        ("`code", "Can't find end of Code entity"),
    ]:
        with pytest.raises(EntityParseError, match=reason):
            parse_formatted(bad, "MarkdownV2")
    with pytest.raises(EntityParseError, match="byte offset 10"):  # offsets in UTF-8 bytes like tdlib
        parse_formatted("Đường <x>", "HTML")
