"""The emulator against the REAL python-telegram-bot: if PTB is happy here, it is happy with Telegram.

Every test runs a genuine telegram.ext.Application over HTTP on 127.0.0.1 (polling or webhook), or the
emulator's own pieces (markup parser, rate-limit checker) where no bot is needed.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputMediaDocument,
    InputMediaPhoto,
    InputTextMessageContent,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from tests.emulator_fixtures import make_application, run_polling, run_webhook
from tgemulator import (
    BotApiEmulator,
    EntityParseError,
    FaultKind,
    RateLimitChecker,
    RateLimits,
    parse_formatted,
    render_message,
    tiny_png,
)

GROUP_ID = -1001234567890
Ctx = ContextTypes.DEFAULT_TYPE
Callback = Callable[[Update, Ctx], Awaitable[Any]]


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after is an int today and a timedelta with PTB_TIMEDELTA=true: accept both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def echo_app(emulator: BotApiEmulator, **builder_options: Any) -> tuple[Application, list[BaseException]]:  # type: ignore[type-arg]
    """A bot with /start (HTML + inline keyboard) and an echo for plain text; errors are collected."""
    app = make_application(emulator, **builder_options)
    errors: list[BaseException] = []

    async def start(update: Update, context: Ctx) -> None:
        assert update.effective_message and update.effective_user
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Góp ý", callback_data="menu:gopy")]])
        await update.effective_message.reply_html(
            f"<b>Xin chào</b> {update.effective_user.first_name}", reply_markup=keyboard
        )

    async def echo(update: Update, context: Ctx) -> None:
        assert update.message and update.message.text
        await update.message.reply_text(update.message.text)

    async def on_error(update: object, context: Ctx) -> None:
        assert context.error is not None
        errors.append(context.error)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE, echo))
    app.add_error_handler(on_error)
    return app, errors


# ===================================================================== polling, messages, entities
async def test_polling_command_and_echo(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An", "Nguyễn", username="an_ng")
    app, errors = echo_app(emulator)
    async with run_polling(app):
        sent = await emulator.send_text(alice, "/start")
        assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
        reply = await emulator.wait_for_message(alice, contains="Xin chào")
        assert reply["text"] == "Xin chào An"  # what the user sees: HTML parsed away
        assert reply["entities"] == [{"type": "bold", "offset": 0, "length": 8}]
        assert reply["from"]["is_bot"] and reply["chat"] == {
            "id": 1001,
            "type": "private",
            "username": "an_ng",
            "first_name": "An",
            "last_name": "Nguyễn",
        }
        assert reply["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "menu:gopy"

        await emulator.send_text(alice, "Đường thôn Nà Pài bị sạt lở")
        echoed = await emulator.wait_for_message(alice)
        assert echoed["text"] == "Đường thôn Nà Pài bị sạt lở"
        ids = [m["message_id"] for m in emulator.chat_messages(alice)]
        assert ids == [1, 2, 3, 4]
        assert emulator.last_bot_message(alice) == echoed
    assert not errors
    assert emulator.calls_to("getMe") and emulator.calls_to("getUpdates")


async def test_group_command_addressed_to_the_bot(emulator: BotApiEmulator) -> None:
    official = emulator.user(2001, "Bình", "Trần")
    group = emulator.group(GROUP_ID, "BCĐ xã Nông Hạ")
    app, errors = echo_app(emulator)
    async with run_polling(app):
        sent = await emulator.send_text(official, group, "/start@hopthu_test_bot")
        assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 22}]
        assert sent["chat"] == {"id": GROUP_ID, "type": "supergroup", "title": "BCĐ xã Nông Hạ"}
        reply = await emulator.wait_for_message(group)
        assert reply["text"] == "Xin chào Bình"
        assert reply["reply_to_message"]["message_id"] == sent["message_id"]  # PTB quotes in groups
    assert not errors


async def test_reply_to_a_missing_message_is_refused(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    async with make_application(emulator) as app:
        with pytest.raises(BadRequest, match="Message to be replied not found"):
            await app.bot.send_message(alice.id, "x", reply_to_message_id=99)
        sent = await app.bot.send_message(alice.id, "x", reply_to_message_id=99, allow_sending_without_reply=True)
        assert sent.reply_to_message is None
        with pytest.raises(BadRequest, match="Chat not found"):
            await app.bot.send_message(424242, "nobody there")


# ===================================================================== media and files
async def test_photo_download_and_document_upload(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    app = make_application(emulator)
    downloaded: list[bytes] = []

    async def on_photo(update: Update, context: Ctx) -> None:
        assert update.message and update.message.photo
        file = await update.message.photo[-1].get_file()
        downloaded.append(bytes(await file.download_as_bytearray()))
        await context.bot.send_document(
            update.message.chat_id,
            document=io.BytesIO(b"PK\x03\x04 fake xlsx"),
            filename="bao-cao-quy.xlsx",
            caption="Báo cáo <b>quý</b>",
            parse_mode="HTML",
        )
        await context.bot.send_photo(update.message.chat_id, photo=tiny_png(4, 3), caption="Biểu đồ")

    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    photo = tiny_png(8, 6)
    async with run_polling(app):
        sent = await emulator.send_photo(alice, data=photo, caption="Ảnh hiện trường")
        assert [s["width"] for s in sent["photo"]] == [90, 320, 800, 1280]
        document = await emulator.wait_for_message(alice, contains="bao-cao-quy.xlsx")
        chart = await emulator.wait_for_message(alice, contains="Biểu đồ")
    assert downloaded == [photo]
    assert document["caption"] == "Báo cáo quý"
    assert document["caption_entities"] == [{"type": "bold", "offset": 8, "length": 3}]
    files = emulator.files_sent_to(alice)
    assert [(f.method, f.filename, f.data, f.caption) for f in files[:1]] == [
        ("sendDocument", "bao-cao-quy.xlsx", b"PK\x03\x04 fake xlsx", "Báo cáo quý")
    ]
    assert files[1].data == tiny_png(4, 3)
    assert chart["photo"][-1]["width"] == 4 and chart["photo"][-1]["height"] == 3
    assert emulator.file_bytes(document["document"]["file_id"]) == b"PK\x03\x04 fake xlsx"


async def test_other_content_types_parse_in_ptb(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An", "Nguyễn")
    cuong = emulator.user(1002, "Cường")
    app = make_application(emulator)
    seen: list[Update] = []

    async def record(update: Update, context: Ctx) -> None:
        seen.append(update)

    app.add_handler(MessageHandler(filters.ALL, record))
    async with run_polling(app):
        await emulator.send_voice(alice, duration=7)
        await emulator.send_location(alice, latitude=22.15, longitude=105.83)
        await emulator.send_contact(alice, phone_number="+84912000111")
        await emulator.send_sticker(alice, emoji="😀")
        await emulator.send_forwarded(alice, text="tin chuyển tiếp", origin=cuong)
        await emulator.send_forwarded(alice, text="ẩn", origin="Người giấu tên")
        await emulator.send_document(alice, filename="don.pdf")
        await emulator.wait_for(lambda: len(seen) == 7)
    messages = [u.message for u in seen]
    assert all(m is not None for m in messages)
    voice, location, contact, sticker, fwd_user, fwd_hidden, doc = messages  # type: ignore[misc]
    with warnings.catch_warnings():  # PTB 22 warns that durations become timedeltas
        warnings.simplefilter("ignore")
        assert voice.voice is not None and voice.voice.duration in (7, dtm.timedelta(seconds=7))
    assert location.location is not None and location.location.latitude == 22.15
    assert contact.contact is not None and contact.contact.user_id == 1001
    assert contact.contact.phone_number == "+84912000111" and contact.contact.first_name == "An"
    assert sticker.sticker is not None and sticker.sticker.emoji == "😀"
    assert fwd_user.forward_origin is not None and fwd_user.forward_origin.type == "user"
    assert fwd_user.forward_origin.sender_user.id == 1002  # type: ignore[attr-defined]
    assert fwd_hidden.forward_origin.sender_user_name == "Người giấu tên"  # type: ignore[union-attr]
    assert doc.document is not None and doc.document.file_name == "don.pdf"


async def test_media_group_uploads(emulator: BotApiEmulator) -> None:
    group = emulator.group(GROUP_ID, "BCĐ")
    async with make_application(emulator) as app:
        sent = await app.bot.send_media_group(
            GROUP_ID,
            [
                InputMediaPhoto(tiny_png(3, 3), caption="ảnh 1"),
                InputMediaDocument(io.BytesIO(b"abc"), filename="phu-luc.txt"),
            ],
        )
    assert [m.media_group_id for m in sent] == [sent[0].media_group_id] * 2
    assert [(f.filename, f.data) for f in emulator.files_sent_to(group)][1] == ("phu-luc.txt", b"abc")
    assert emulator.bot_messages(group)[0]["caption"] == "ảnh 1"


# ===================================================================== buttons, inline mode, edits
async def test_callback_query_sees_the_message_as_currently_shown(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    app, errors = echo_app(emulator)
    shown: list[str] = []

    async def on_button(update: Update, context: Ctx) -> None:
        query = update.callback_query
        assert query and query.message and query.data
        shown.append(f"{query.data}|{query.message.text}")  # type: ignore[union-attr]
        await query.answer("Đã chọn")
        await query.edit_message_text(
            "Chọn loại góp ý:",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Phản ánh", callback_data="kind:pa")]]),
        )

    app.add_handler(CallbackQueryHandler(on_button))
    async with run_polling(app):
        await emulator.send_text(alice, "/start")
        menu = await emulator.wait_for_message(alice)
        query_id = await emulator.click_button(alice, None, menu["message_id"], "Góp ý")
        answer = await emulator.wait_for_callback_answer(query_id)
        assert answer["text"] == "Đã chọn"
        edited = await emulator.wait_for(
            lambda: (m := emulator.message(alice, menu["message_id"])) and m.get("edit_date") and m
        )
        assert edited["text"] == "Chọn loại góp ý:"
        with pytest.raises(LookupError):
            await emulator.click(alice, None, menu["message_id"], "menu:gopy")  # that button is gone
        second = await emulator.click(alice, None, menu["message_id"], "kind:pa")
        await emulator.wait_for_callback_answer(second)
        forged = await emulator.click(alice, None, menu["message_id"], "admin:close:42", strict=False)
        await emulator.wait_for_callback_answer(forged)
    assert shown == ["menu:gopy|Xin chào An", "kind:pa|Chọn loại góp ý:", "admin:close:42|Chọn loại góp ý:"]
    assert emulator.callback_queries[second]["chat_instance"]
    assert len(errors) == 2 and all(isinstance(e, BadRequest) for e in errors)  # identical edits refused
    assert "Message is not modified" in str(errors[0])


async def test_editing_without_markup_removes_the_keyboard(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    async with make_application(emulator) as app:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
        sent = await app.bot.send_message(alice.id, "Chọn", reply_markup=keyboard)
        with pytest.raises(BadRequest, match="Message is not modified"):
            await app.bot.edit_message_text("Chọn", alice.id, sent.message_id, reply_markup=keyboard)
        await app.bot.edit_message_text("Đã chọn A", alice.id, sent.message_id)
        now = emulator.message(alice, sent.message_id)
        assert now is not None and "reply_markup" not in now and now["text"] == "Đã chọn A"
        await app.bot.delete_message(alice.id, sent.message_id)
        assert emulator.chat_messages(alice) == []
        with pytest.raises(BadRequest, match="Message to delete not found"):
            await app.bot.delete_message(alice.id, sent.message_id)


async def test_inline_query_and_chosen_result(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    app = make_application(emulator)
    chosen: list[str] = []

    async def on_inline(update: Update, context: Ctx) -> None:
        assert update.inline_query
        text = f"<b>Điều 5</b> về {update.inline_query.query}"
        await update.inline_query.answer(
            [
                InlineQueryResultArticle(
                    id="pl34-5", title="Điều 5", input_message_content=InputTextMessageContent(text, parse_mode="HTML")
                )
            ]
        )

    async def on_chosen(update: Update, context: Ctx) -> None:
        assert update.chosen_inline_result
        chosen.append(update.chosen_inline_result.result_id)

    app.add_handler(InlineQueryHandler(on_inline))
    app.add_handler(ChosenInlineResultHandler(on_chosen))
    async with run_polling(app):
        query_id = await emulator.inline_query(alice, "cong khai")
        answer = await emulator.wait_for_inline_answer(query_id)
        assert [r["id"] for r in answer["results"]] == ["pl34-5"]
        await emulator.choose_inline_result(alice, "pl34-5", "cong khai")
        await emulator.wait_for(lambda: chosen == ["pl34-5"])


async def test_edited_message_update(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    app = make_application(emulator)

    async def on_edit(update: Update, context: Ctx) -> None:
        assert update.edited_message and update.edited_message.text
        await update.edited_message.reply_text(f"Đã thấy bạn sửa: {update.edited_message.text}")

    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit))
    async with run_polling(app):
        original = await emulator.send_text(alice, "đèn đường hỏng")
        update = await emulator.edit_message(alice, None, original["message_id"], "đèn đường thôn 3 hỏng")
        assert update["edited_message"]["edit_date"]
        reply = await emulator.wait_for_message(alice)
        assert reply["text"] == "Đã thấy bạn sửa: đèn đường thôn 3 hỏng"


async def test_reply_keyboard_with_contact_request(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An")
    async with make_application(emulator) as app:
        keyboard = ReplyKeyboardMarkup([[KeyboardButton("Gửi số điện thoại", request_contact=True)]])
        sent = await app.bot.send_message(alice.id, "Để lại số điện thoại?", reply_markup=keyboard)
        assert sent.reply_markup is None  # Telegram returns only inline keyboards on the message
        assert emulator.reply_keyboard(alice) == keyboard.to_dict()
        rendered = emulator.render_chat(alice)
        assert "⌨ [ Gửi số điện thoại ☎ ]" in rendered


# ===================================================================== copy vs forward
async def test_copy_message_carries_no_origin(emulator: BotApiEmulator) -> None:
    alice = emulator.user(1001, "An", "Nguyễn")
    cuong = emulator.user(1002, "Cường")
    group = emulator.group(GROUP_ID, "BCĐ xã Nông Hạ")
    photo = await emulator.send_photo(alice, caption="ảnh ổ gà")
    forwarded = await emulator.send_forwarded(alice, text="tin từ Cường", origin=cuong)
    async with make_application(emulator) as app:
        copied = await app.bot.copy_message(GROUP_ID, alice.id, photo["message_id"])
        copied2 = await app.bot.copy_message(GROUP_ID, alice.id, forwarded["message_id"])
        with pytest.raises(BadRequest, match="Message to copy not found"):
            await app.bot.copy_message(GROUP_ID, alice.id, 999)
        fwd = await app.bot.forward_message(GROUP_ID, alice.id, photo["message_id"])
    first = emulator.message(group, copied.message_id)
    second = emulator.message(group, copied2.message_id)
    assert first is not None and second is not None
    assert first["from"]["is_bot"] and first["caption"] == "ảnh ổ gà" and first["photo"] == photo["photo"]
    assert "forward_origin" not in first and "forward_origin" not in second
    assert second["text"] == "tin từ Cường"
    assert emulator.copied_from(group, copied.message_id) == (alice.id, photo["message_id"])
    assert fwd.forward_origin is not None  # which is why the bot must never forward
    assert [c.params["message_id"] for c in emulator.calls_to("forwardMessage")] == [photo["message_id"]]


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
