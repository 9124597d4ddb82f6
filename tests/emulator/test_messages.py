"""The emulator against the REAL python-telegram-bot: if PTB is happy here, it is happy with Telegram.

Every test runs a genuine telegram.ext.Application over HTTP on 127.0.0.1 (polling or webhook).
This module: messages and entities, media and files, buttons, inline mode, edits, copy vs forward.
"""

from __future__ import annotations

import datetime as dtm
import io
import warnings

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
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, ChosenInlineResultHandler, InlineQueryHandler, MessageHandler, filters

from tests.emulator.helpers import GROUP_ID, Ctx, echo_app
from tests.emulator_fixtures import make_application, run_polling
from tgemulator import BotApiEmulator, tiny_png


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
