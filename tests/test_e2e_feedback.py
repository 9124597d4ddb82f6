"""The suggestion box end to end: real Application ↔ HTTP ↔ local Bot API emulator.

Every assertion is on what the bot actually sent (the emulator's record) or what the database holds.
"""

from __future__ import annotations

import logging

import pytest

from bot import callbacks as cb
from bot.texts import citizen as T
from bot.texts import committee as TC
from bot.texts import kb as KB
from bot.texts.common import (
    ANONYMOUS,
    KIND_LABELS,
    PRIVATE_COMMANDS,
    RATE_LIMITED,
    STALE_BUTTON,
    STATUS_LABELS,
    UNKNOWN_COMMAND,
)
from tests.bot_fixtures import ADMIN_ID, BotHarness, shown

CARD_TEXT = "Đường liên thôn Nà Mố bị sạt lở"


async def test_commands_registered_in_vietnamese(bot: BotHarness):
    private = bot.emulator.commands({"type": "all_private_chats"})
    names = {c["command"]: c["description"] for c in private}
    assert {"start", "gopy", "hoi", "trangthai", "vanban", "apdung", "huy", "trogiup", "xoadulieu"} <= set(names)
    assert names["gopy"] == dict(PRIVATE_COMMANDS)["gopy"]
    group = {c["command"] for c in bot.emulator.commands({"type": "all_group_chats"})}
    assert {"thongke", "quahan", "baocao", "id"} <= group


async def test_anonymous_submission_reaches_the_right_group_and_reveals_nobody(bot: BotHarness):
    lan = bot.citizen(5001, "Lan", "Nguyễn")
    code, card = await bot.submit_feedback(lan)
    text = card["text"]
    assert code in text and CARD_TEXT in text
    assert ANONYMOUS in text and "Xã Nông Hạ" in text and KIND_LABELS["gop_y"] in text
    assert "Lan" not in text and "Nguyễn" not in text and "5001" not in text
    # the card went to Nông Hạ's group only, once
    cards = [c for c in bot.emulator.calls_to("sendMessage", ok=True) if code in c.params.get("text", "")
             and c.params["chat_id"] != lan.id]
    assert [c.params["chat_id"] for c in cards] == [bot.group_of("bcd-nong-ha")]
    stored = await bot.store.get_by_code(code)
    assert stored is not None and stored.anonymous and stored.contact_name is None
    assert stored.committee_id == "bcd-nong-ha" and stored.unit_id == "nong-ha"
    # the card names a related article of the knowledge base
    assert KB.ARTICLE_HEADING.split("{")[0] in text


async def test_named_submission_with_photo_relays_a_copy(bot: BotHarness):
    minh = bot.citizen(5002, "Minh", "Trần")
    code, card = await bot.submit_feedback(minh, anonymous=False, photo=True, kind=KIND_LABELS["kien_nghi"])
    assert "Minh" in card["text"] and "0912345678" in card["text"] and KIND_LABELS["kien_nghi"] in card["text"]
    group = bot.group_of("bcd-nong-ha")
    copy = await bot.next_message(group, shown(TC.ATTACHMENT_CAPTION, code=code))
    assert copy.get("photo") and "forward_origin" not in copy
    assert copy["reply_to_message"]["message_id"] == card["message_id"]
    assert not bot.emulator.calls_to("forwardMessage")


async def test_complaint_explains_its_own_law_and_is_still_accepted(bot: BotHarness):
    hoa = bot.citizen(5003, "Hoa")
    await bot.say(hoa, "/gopy")
    await bot.press(hoa, KIND_LABELS["khieu_nai"])
    note = await bot.next_message(hoa, T.COMPLAINT_LAW)
    assert shown(T.FORMAL_COMPLAINT_NOTE, kind=KIND_LABELS["khieu_nai"], law=T.COMPLAINT_LAW) in note["text"]
    await bot.next_message(hoa, shown(T.ASK_PLACE))


async def test_status_changes_and_replies_make_a_thread(bot: BotHarness):
    lan = bot.citizen(5011, "Lan")
    code, card = await bot.submit_feedback(lan)
    group = bot.group_of("bcd-nong-ha")
    official = bot.official("bcd-nong-ha", 6001, "Chị Thu")

    await bot.emulator.click_button(official, group, card["message_id"], TC.BUTTON_ACK)
    notice = await bot.next_message(lan, STATUS_LABELS["acknowledged"])
    assert code in notice["text"]
    edited = await bot.emulator.wait_for(
        lambda: STATUS_LABELS["acknowledged"] in (bot.emulator.message(group, card["message_id"]) or {}).get(
            "text", ""))
    assert edited

    await bot.say(official, "Xã đã cử cán bộ địa chính xuống kiểm tra, dự kiến sửa trong tuần sau.", group,
                  reply_to=card["message_id"])
    await bot.next_message(group, shown(TC.REPLY_RELAYED))
    answer = await bot.next_message(lan, "cử cán bộ địa chính")
    committee = bot.config.committees["bcd-nong-ha"].name
    assert shown(T.REPLY_FROM_COMMITTEE, committee=committee, code=code) in answer["text"] and code in answer["text"]
    assert (await bot.store.get_by_code(code)).status == "answered"

    await bot.say(lan, "Cảm ơn xã, nhưng đoạn gần cầu cũng hỏng.", reply_to=answer["message_id"])
    await bot.next_message(lan, shown(T.REPLY_SENT))
    relayed = await bot.next_message(group, "đoạn gần cầu")
    assert relayed["reply_to_message"]["message_id"] == card["message_id"]
    assert "Lan" not in relayed["text"]

    await bot.emulator.click_button(official, group, card["message_id"], TC.BUTTON_RESOLVED)
    await bot.next_message(lan, STATUS_LABELS["resolved"])
    history = await bot.store.list_audit((await bot.store.get_by_code(code)).id)
    assert [str(e.to_status) for e in history if e.to_status] == ["new", "acknowledged", "answered", "resolved"]

    # rating after resolution reaches the card's thread
    await bot.press(lan, T.BUTTON_RATE)
    await bot.press(lan, T.RATING_LABELS[4])
    await bot.next_message(lan, shown(T.RATING_SAVED))
    await bot.next_message(group, shown(TC.RATED, code=code, stars=5))


async def test_forwarding_moves_the_submission(bot: BotHarness):
    lan = bot.citizen(5021, "Lan")
    code, card = await bot.submit_feedback(lan)
    group = bot.group_of("bcd-nong-ha")
    official = bot.official("bcd-nong-ha", 6001)
    await bot.emulator.click_button(official, group, card["message_id"], TC.BUTTON_FORWARD)
    await bot.emulator.wait_for(lambda: "Liên đoàn Lao động" in str(bot.emulator.message(group, card["message_id"])))
    target = "Ban Chỉ đạo thực hiện QCDC ở cơ sở huyện Chợ Mới"
    await bot.emulator.click_button(official, group, card["message_id"], target)
    new_card = await bot.next_message(bot.group_of("bcd-cho-moi"), code)
    assert shown(TC.CARD_FORWARDED_FROM) in new_card["text"]
    await bot.next_message(lan, shown(T.FORWARDED_TO, code=code))
    assert (await bot.store.get_by_code(code)).committee_id == "bcd-cho-moi"
    # the old group no longer owns it
    sid = (await bot.store.get_by_code(code)).id
    query = await bot.emulator.click(official, group, card["message_id"], cb.make("c", "ack", sid), strict=False)
    answer = await bot.emulator.wait_for_callback_answer(query)
    assert TC.NOT_OWNER in answer["text"]


async def test_forged_callbacks_are_refused_and_change_nothing(bot: BotHarness):
    lan = bot.citizen(5031, "Lan")
    code, _ = await bot.submit_feedback(lan)
    sub = await bot.store.get_by_code(code)
    stranger = bot.official("bcd-cho-don", 6101, "Người lạ")
    other_group = bot.group_of("bcd-cho-don")
    # another committee's group pressing a well-formed button for this submission
    await bot.say(stranger, "/id", other_group)
    other_msg = await bot.next_message(other_group, shown(TC.CHAT_ID))
    for data in (cb.make("c", "done", sub.id), cb.make("c", "fto", sub.id, "bcd-cho-don"), "c:ack:999999",
                 "c:ack:-1", "c:ack:abc", "xyz", "c::", "c:ack:" + "9" * 80, "g:send", "<b>x</b>"):
        query = await bot.emulator.click(stranger, other_group, other_msg["message_id"], data, strict=False)
        answer = await bot.emulator.wait_for_callback_answer(query)
        assert answer.get("show_alert") or answer.get("text"), data
    # a citizen in private chat forging a committee action
    private_message = bot.emulator.last_bot_message(lan.id)
    query = await bot.emulator.click(lan, None, private_message["message_id"], cb.make("c", "done", sub.id),
                                     strict=False)
    await bot.emulator.wait_for_callback_answer(query)
    after = await bot.store.get_by_code(code)
    assert after.status == "new" and after.committee_id == "bcd-nong-ha"
    changes = [e for e in await bot.store.list_audit(sub.id) if e.to_status or str(e.action) == "forwarded"]
    assert [str(e.to_status) for e in changes] == ["new"]
    # the admin may act from anywhere
    admin = bot.emulator.user(ADMIN_ID, "Quản trị")
    query = await bot.emulator.click(admin, other_group, other_msg["message_id"], cb.make("c", "ack", sub.id),
                                     strict=False)
    await bot.emulator.wait_for_callback_answer(query)
    assert (await bot.store.get_by_code(code)).status == "acknowledged"


async def test_restart_mid_flow_continues(bot_factory, emulator):
    first = await bot_factory()
    lan = first.citizen(5041, "Lan")
    await first.say(lan, "/gopy")
    await first.press(lan, KIND_LABELS["phan_anh"])
    await first.say(lan, "nong thinh")
    await first.next_message(lan, shown(T.ASK_TOPIC))
    # the process goes away; a new one (same database) takes over
    from bot.app import stop_bot

    await stop_bot(first.app)
    second = await bot_factory(store=first.store)
    await second.press(lan, "Thủ tục hành chính")
    await second.next_message(lan, shown(T.ASK_TEXT))
    await second.say(lan, "Bộ phận một cửa hẹn trả hồ sơ ba lần vẫn chưa trả.")
    await second.press(lan, T.BUTTON_DONE)
    await second.press(lan, T.BUTTON_ANONYMOUS)
    await second.next_message(lan, shown(T.CONFIRM))
    await second.press(lan, T.BUTTON_SEND)
    done = await second.next_message(lan, shown(T.SENT))
    assert "Ban Chỉ đạo thực hiện QCDC xã Nông Thịnh" in done["text"]
    await second.next_message(second.group_of("bcd-nong-thinh"), "một cửa")


async def test_faults_delay_delivery_but_lose_and_duplicate_nothing(bot: BotHarness):
    group = bot.group_of("bcd-nong-ha")
    emu = bot.emulator
    emu.inject("429", "sendMessage", chat_id=group, retry_after=1)
    emu.inject("500", "sendMessage", chat_id=group)
    emu.inject("drop", "sendMessage", chat_id=group)
    lan = bot.citizen(5051, "Lan")
    code, _ = await bot.submit_feedback(lan)
    cards = [m for m in emu.bot_messages(group) if code in (m.get("text") or "")]
    assert len(cards) == 1
    assert emu.faults.count() == 3
    await emu.wait_idle()
    counts = await bot.store.outbox_counts()
    assert counts.get("sent", 0) >= 1 and counts.get("pending", 0) == 0 and counts.get("failed", 0) == 0


async def test_deep_link_opens_the_flow_with_the_place(bot: BotHarness):
    lan = bot.citizen(5061, "Lan")
    await bot.say(lan, "/start gopy_my-thanh")
    await bot.next_message(lan, shown(T.ASK_KIND))
    await bot.press(lan, KIND_LABELS["gop_y"])
    chosen = await bot.next_message(lan, shown(T.PLACE_CHOSEN))
    assert "Xã Mỹ Thanh" in chosen["text"]
    await bot.next_message(lan, shown(T.ASK_TOPIC))
    await bot.say(lan, "/start gopy_khong-ton-tai")
    await bot.next_message(lan, shown(T.DEEP_LINK_UNKNOWN_PLACE))


async def test_cancel_status_and_delete_my_data(bot: BotHarness):
    lan = bot.citizen(5071, "Lan")
    await bot.say(lan, "/huy")
    await bot.next_message(lan, shown(T.NOTHING_TO_CANCEL))
    await bot.say(lan, "/trangthai")
    await bot.next_message(lan, shown(T.MY_SUBMISSIONS_EMPTY))
    code, _ = await bot.submit_feedback(lan, anonymous=False)
    await bot.say(lan, "/trangthai")
    listed = await bot.next_message(lan, code)
    assert STATUS_LABELS["new"] in listed["text"]
    await bot.say(lan, f"/trangthai {code.lower()}")
    detail = await bot.next_message(lan, shown(T.DETAIL_HISTORY))
    assert "Xã Nông Hạ" in detail["text"]
    other = bot.citizen(5072, "Tuấn")
    await bot.say(other, f"/trangthai {code}")
    await bot.next_message(other, shown(T.CODE_NOT_FOUND))
    await bot.say(lan, "/xoadulieu")
    await bot.press(lan, T.BUTTON_DELETE_YES)
    done = await bot.next_message(lan, shown(T.DELETE_DONE))
    remaining = T.DELETE_DONE.split("{remaining}")[1]  # " ý kiến đã gửi, …"
    assert f"1{remaining}" in done["text"]
    stored = await bot.store.get_by_code(code)
    assert stored.contact_name is None and stored.contact_phone is None and stored.citizen_user_id is None


async def test_bad_input_in_the_flow(bot: BotHarness):
    lan = bot.citizen(5081, "Lan")
    await bot.say(lan, "/gopy")
    await bot.say(lan, "cái gì đó")
    await bot.next_message(lan, shown(T.KIND_TYPED_UNKNOWN))
    await bot.say(lan, "phan anh")
    await bot.next_message(lan, shown(T.ASK_PLACE))
    await bot.say(lan, "hà nội")
    await bot.next_message(lan, shown(T.PLACE_NOT_FOUND))
    await bot.press(lan, "Tỉnh Bắc Kạn")
    await bot.press(lan, "Huyện Chợ Mới")
    await bot.press(lan, "Xã Nông Hạ")
    await bot.next_message(lan, shown(T.ASK_TOPIC))
    await bot.press(lan, "Việc khác")
    await bot.say(lan, "ngắn")
    await bot.next_message(lan, shown(T.TEXT_TOO_SHORT))
    await bot.say(lan, "x" * 5000)
    await bot.next_message(lan, shown(T.TEXT_TOO_LONG))
    await bot.emulator.send_sticker(lan)
    await bot.next_message(lan, T.ATTACHMENT_UNSUPPORTED)
    await bot.say(lan, "<b>Đèn</b> đường & <script>alert(1)</script> thôn Nà Mố hỏng cả tháng")
    await bot.next_message(lan, shown(T.TEXT_RECEIVED))
    await bot.press(lan, T.BUTTON_DONE)
    await bot.press(lan, T.BUTTON_ANONYMOUS)
    confirm = await bot.next_message(lan, shown(T.CONFIRM))
    assert "<script>" in confirm["text"]  # shown literally, not as markup
    await bot.press(lan, T.BUTTON_SEND)
    await bot.next_message(lan, shown(T.SENT))


async def test_unknown_groups_and_commands(bot: BotHarness):
    stranger = bot.emulator.user(6201, "Ai đó")
    bot.emulator.group(-100999, "Nhóm lạ")
    await bot.say(stranger, "/id", -100999)
    reply = await bot.next_message(-100999, "-100999")
    assert shown(TC.CHAT_ID) in reply["text"]
    await bot.say(stranger, "/thongke", -100999)
    await bot.next_message(-100999, TC.GROUP_UNKNOWN)
    await bot.say(stranger, "xin chào cả nhóm", -100999)
    lan = bot.citizen(5091)
    await bot.say(lan, "/khongcolenhnay")
    await bot.next_message(lan, UNKNOWN_COMMAND)
    await bot.emulator.wait_idle()
    assert len(bot.emulator.bot_messages(-100999)) == 2  # /id and the "not configured" notice; chatter ignored


async def test_token_never_logged(bot: BotHarness, caplog):
    caplog.set_level(logging.DEBUG)
    lan = bot.citizen(5101)
    bot.emulator.inject("500", "sendMessage", chat_id=bot.group_of("bcd-nong-ha"))
    await bot.submit_feedback(lan)
    assert caplog.records
    assert bot.emulator.token not in caplog.text
    assert bot.emulator.token.split(":")[1] not in caplog.text


@pytest.mark.parametrize("flood", [60])
async def test_flood_from_one_user_is_limited(bot_factory, flood):
    from tests.bot_fixtures import harness_config

    bot = await bot_factory(config=harness_config(citizen_messages_per_minute=10))
    lan = bot.citizen(5111)
    for i in range(flood):
        await bot.say(lan, f"tin số {i}")
    await bot.emulator.wait_idle(quiet=0.5)
    warnings = [m for m in bot.emulator.bot_messages(lan.id) if RATE_LIMITED in (m.get("text") or "")]
    assert len(warnings) == 1
    assert len(bot.emulator.bot_messages(lan.id)) <= 11


async def test_edit_from_confirmation_typed_contact_and_location(bot: BotHarness):
    lan = bot.citizen(5121, "Lan")
    await bot.say(lan, "/gopy")
    await bot.press(lan, KIND_LABELS["kien_nghi"])
    await bot.say(lan, "nong thinh")
    await bot.press(lan, "Hộ nghèo, chính sách xã hội")
    await bot.say(lan, "Bình xét hộ nghèo ở thôn Khuổi Đeng chưa công khai danh sách.")
    await bot.next_message(lan, shown(T.TEXT_RECEIVED))
    await bot.emulator.send_location(lan)
    await bot.next_message(lan, shown(T.ATTACHMENT_RECEIVED, what=T.ATTACHMENT_WHAT["location"]))
    await bot.say(lan, "Đề nghị họp thôn bình xét lại.")
    await bot.next_message(lan, shown(T.TEXT_APPENDED))
    await bot.say(lan, "xong")
    await bot.next_message(lan, shown(T.ASK_IDENTITY))
    await bot.say(lan, "Nguyễn Thị Lan, 0987 654 321")
    saved = await bot.next_message(lan, shown(T.CONTACT_SAVED))
    assert "0987654321" in saved["text"]
    confirm = await bot.next_message(lan, shown(T.CONFIRM))
    assert "Đề nghị họp thôn" in confirm["text"] and "Ban Chỉ đạo thực hiện QCDC xã Nông Thịnh" in confirm["text"]
    # change the place: the route follows
    await bot.press(lan, T.BUTTON_EDIT)
    await bot.press(lan, T.EDIT_PLACE)
    await bot.next_message(lan, shown(T.ASK_PLACE))
    await bot.say(lan, "my thanh")
    confirm = await bot.next_message(lan, shown(T.CONFIRM))
    assert "Xã Mỹ Thanh" in confirm["text"] and "Hộ nghèo" in confirm["text"]
    await bot.press(lan, T.BUTTON_SEND)
    done = await bot.next_message(lan, shown(T.SENT))
    code = done["text"].split(shown(T.SENT))[1].lstrip()[:9]
    group = bot.group_of("bcd-my-thanh")
    card = await bot.next_message(group, code)
    assert "Nguyễn Thị Lan" in card["text"] and "0987654321" in card["text"]
    located = await bot.emulator.wait_for(
        lambda: [m for m in bot.emulator.bot_messages(group) if "location" in m])
    assert located[0]["reply_to_message"]["message_id"] == card["message_id"]


async def test_cancel_button_and_contact_of_someone_else(bot: BotHarness):
    lan = bot.citizen(5131, "Lan")
    await bot.say(lan, "/gopy")
    await bot.press(lan, KIND_LABELS["gop_y"])
    await bot.say(lan, "nong ha")
    await bot.press(lan, "Việc khác")
    await bot.say(lan, "Đề nghị lắp thêm đèn đường ở ngã ba chợ.")
    await bot.press(lan, T.BUTTON_DONE)
    await bot.press(lan, T.BUTTON_NAMED)
    await bot.next_message(lan, shown(T.ASK_CONTACT))
    await bot.emulator.send_contact(lan, phone_number="0900000000", first_name="Người khác", contact_user_id=424242)
    await bot.next_message(lan, T.CONTACT_NOT_OWN)
    await bot.press(lan, T.BUTTON_CANCEL)
    await bot.next_message(lan, T.CANCELLED)
    assert await bot.store.get_draft(lan.id) is None
    # a button of the cancelled flow is now stale
    answer = await bot.press(lan, T.BUTTON_ANONYMOUS)
    assert STALE_BUTTON in answer.get("text", "")


async def test_each_step_is_one_message_and_the_contact_keyboard_goes_away(bot: BotHarness):
    """What was just recorded rides on the next question: one message per step for the citizen to read
    (and one request for the bot). The contact step's reply keyboard is the exception: a message carries
    one markup, so the note clears that keyboard and the question follows with its buttons."""
    hai = bot.citizen(5141, "Hải")
    await bot.say(hai, "/gopy")
    await bot.next_message(hai, shown(T.ASK_KIND))
    await bot.press(hai, KIND_LABELS["phan_anh"])
    await bot.next_message(hai, shown(T.ASK_PLACE))
    before = len(bot.emulator.bot_messages(hai.id))
    await bot.say(hai, "nong thinh")
    asked = await bot.next_message(hai, shown(T.ASK_TOPIC))
    assert shown(T.PLACE_CHOSEN, unit="Xã Nông Thịnh") in asked["text"] and asked["reply_markup"]["inline_keyboard"]
    await bot.say(hai, "chuyện con mèo")  # an unknown topic typed: the reason above the same question
    again = await bot.next_message(hai, shown(T.ASK_TOPIC))
    assert "con mèo" in again["text"] and again["reply_markup"]["inline_keyboard"]
    before += 1
    await bot.press(hai, "Môi trường, an ninh trật tự")
    asked = await bot.next_message(hai, shown(T.ASK_TEXT))
    assert shown(T.TOPIC_CHOSEN, topic="Môi trường") in asked["text"]
    assert len(bot.emulator.bot_messages(hai.id)) == before + 2
    await bot.say(hai, "hỏng")
    await bot.next_message(hai, shown(T.TEXT_TOO_SHORT))
    assert len(bot.emulator.bot_messages(hai.id)) == before + 3
    await bot.say(hai, "Bãi rác tự phát cạnh suối Nà Mố bốc mùi, đề nghị xã thu gom.")
    await bot.press(hai, T.BUTTON_DONE)
    await bot.press(hai, T.BUTTON_NAMED)
    await bot.next_message(hai, shown(T.ASK_CONTACT))
    assert bot.emulator.reply_keyboard(hai.id) is not None
    await bot.emulator.send_contact(hai, phone_number="0911222333")
    saved = await bot.next_message(hai, shown(T.CONTACT_SAVED))
    assert shown(T.CONFIRM) not in saved["text"] and bot.emulator.reply_keyboard(hai.id) is None
    confirm = await bot.next_message(hai, shown(T.CONFIRM))
    assert confirm["reply_markup"]["inline_keyboard"] and "0911222333" in confirm["text"]


async def test_a_forged_flow_button_gets_one_answer_and_the_step_stays(bot: BotHarness):
    an = bot.citizen(5151, "An")
    await bot.say(an, "/gopy")
    asked = await bot.next_message(an, shown(T.ASK_KIND))
    for data in (cb.make("g", "k", "khong_co"), cb.make("g", "k"), cb.make("g", "t", "x"),
                 cb.make("g", "e", "nope"), cb.make("g", "zz")):
        query = await bot.emulator.click(an, None, asked["message_id"], data, strict=False)
        answer = await bot.emulator.wait_for_callback_answer(query)
        assert answer.get("show_alert"), data
    await bot.emulator.wait_idle()
    assert not bot.emulator.calls_to("answerCallbackQuery", ok=False)  # nobody answered a query twice
    draft = await bot.store.get_draft(an.id)
    assert draft is not None and draft.step == "kind"
