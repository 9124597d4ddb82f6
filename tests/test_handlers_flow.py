"""The citizen's feedback flow, branch by branch, on the in-memory Application (tests/inmemory.py).

Each test drives real updates through `Application.process_update` and asserts on the Bot API calls the
bot made, compared with the constants of bot/texts. No HTTP: the whole file runs in a few seconds.
"""

from __future__ import annotations

from bot.format import esc
from bot.texts import citizen as T
from bot.texts import committee as TC
from bot.texts.common import ANONYMOUS, KIND_LABELS, STALE_BUTTON
from tests.inmemory import Call, InMemoryBot, Person

PLACE = "nong-ha"
TOPIC = "dat-dai"
COMMITTEE = "bcd-nong-ha"
TEXT = "Đường liên thôn Nà Mố bị sạt lở sau mưa lớn, đề nghị xã sửa sớm."


def alert_of(chat: InMemoryBot, mark: int) -> dict:
    """The parameters of the one answerCallbackQuery made since `mark`, but for the query's id."""
    answers = chat.since(mark, "answerCallbackQuery")
    assert len(answers) == 1, answers
    return {k: v for k, v in answers[0].params.items() if k != "callback_query_id"}


async def up_to_text(chat: InMemoryBot, lan: Person) -> None:
    """/gopy, kind, place (typed), topic: the flow waits for the content."""
    await chat.send(lan, "/gopy")
    await chat.press(lan, KIND_LABELS["gop_y"])
    await chat.send(lan, "nong ha")
    await chat.press(lan, chat.config.topics[TOPIC].name)


def ask_text(chat: InMemoryBot) -> str:
    limits = chat.config.limits
    return T.ASK_TEXT.format(min=limits.text_min_chars, max=limits.text_max_chars)


async def test_start_shows_the_welcome_and_the_menu(chat: InMemoryBot) -> None:
    lan = chat.citizen()
    await chat.send(lan, "/start")
    assert chat.last_text(lan) == T.WELCOME
    assert chat.labels(lan) == [T.MENU_SEND, T.MENU_ASK, T.MENU_STATUS, T.MENU_DOCS, T.MENU_APPLY, T.MENU_HELP]


async def test_each_step_asks_the_next_with_what_was_recorded(chat: InMemoryBot) -> None:
    lan = chat.citizen()
    config = chat.config
    await chat.send(lan, "/gopy")
    assert chat.last_text(lan).startswith(T.ASK_KIND)
    assert set(KIND_LABELS.values()) <= set(chat.labels(lan))

    await chat.press(lan, KIND_LABELS["gop_y"])
    assert chat.last_text(lan) == T.ASK_PLACE

    # Browsing down the tree of places, then picking a leaf.
    root, district = config.units[PLACE].parent, None
    while root is not None and config.units[root].parent is not None:
        district, root = root, config.units[root].parent
    assert root is not None and district is not None
    await chat.press(lan, config.units[root].name)
    assert chat.last_text(lan) == T.ASK_PLACE_CHILD.format(unit=esc(config.units[root].name))
    await chat.press(lan, config.units[district].name)
    await chat.press(lan, config.units[PLACE].name)
    assert chat.last_text(lan) == f"{T.PLACE_CHOSEN.format(unit=esc(config.unit_label(PLACE)))}\n\n{T.ASK_TOPIC}"

    await chat.press(lan, config.topics[TOPIC].name)
    assert chat.last_text(lan) == f"{T.TOPIC_CHOSEN.format(topic=esc(config.topics[TOPIC].name))}\n\n{ask_text(chat)}"


async def test_content_too_short_too_long_and_empty_keep_the_step(chat: InMemoryBot) -> None:
    lan = chat.citizen()
    limits = chat.config.limits
    await up_to_text(chat, lan)

    await chat.send(lan, "ngắn")
    assert chat.last_text(lan) == T.TEXT_TOO_SHORT.format(length=len("ngắn"), min=limits.text_min_chars)

    long = "dài " * (limits.text_max_chars // 4 + 1)
    await chat.send(lan, long)
    assert chat.last_text(lan) == T.TEXT_TOO_LONG.format(length=len(long.strip()), max=limits.text_max_chars)

    await chat.send(lan, "\u200b\u200b")  # invisible only: nothing is left once cleaned
    assert chat.last_text(lan) == f"{T.DRAFT_BUSY}\n\n{ask_text(chat)}"

    await chat.send(lan, TEXT)  # the step was kept: a good text now goes through
    assert chat.last_text(lan) == T.TEXT_RECEIVED.format(length=len(TEXT), max=limits.attachments_max)
    assert chat.labels(lan) == [T.BUTTON_DONE, T.BUTTON_CANCEL]


async def test_photo_anonymous_confirm_and_send(chat: InMemoryBot) -> None:
    lan = chat.citizen()
    config = chat.config
    await up_to_text(chat, lan)
    await chat.send(lan, TEXT)

    await chat.send_photo(lan, caption="ảnh hiện trường")
    assert chat.last_text(lan) == T.ATTACHMENT_RECEIVED.format(what=T.ATTACHMENT_WHAT["photo"], count=1,
                                                               max=config.limits.attachments_max)
    await chat.press(lan, T.BUTTON_DONE)
    assert chat.last_text(lan) == T.ASK_IDENTITY

    await chat.press(lan, T.BUTTON_ANONYMOUS)  # no contact asked for
    assert chat.last_text(lan) == T.CONFIRM.format(
        kind=KIND_LABELS["gop_y"], place=esc(config.unit_label(PLACE)), topic=esc(config.topics[TOPIC].name),
        committee=esc(config.committees[COMMITTEE].name), sender=ANONYMOUS, attachments=1, text=esc(TEXT))
    assert chat.labels(lan) == [T.BUTTON_SEND, T.BUTTON_EDIT, T.BUTTON_CANCEL]

    mark = chat.mark()
    await chat.press(lan, T.BUTTON_SEND)
    assert alert_of(chat, mark) == {}  # a plain answer: the spinner stops, no alert
    [sub] = await chat.store.list_citizen_submissions(lan.id, limit=5)
    assert chat.last_text(lan) == T.SENT.format(code=esc(sub.code), committee=esc(config.committees[COMMITTEE].name))
    assert sub.anonymous and sub.text == TEXT

    group = chat.group_of(COMMITTEE)
    assert chat.sent_to(group) == []  # the card waits in the outbox until delivery runs
    await chat.deliver()
    [card] = chat.sent_to(group)
    assert sub.code in card.text and esc(TEXT) in card.text
    assert TC.BUTTON_ACK in [b["text"] for b in card.buttons()]
    [copy] = chat.sent_to(group, "copyMessage")
    assert copy.params["caption"] == TC.ATTACHMENT_CAPTION.format(code=sub.code, index=1, total=1)


async def test_named_sender_gives_a_typed_contact(chat: InMemoryBot) -> None:
    lan = chat.citizen()
    await up_to_text(chat, lan)
    await chat.send(lan, TEXT)
    await chat.press(lan, T.BUTTON_DONE)
    await chat.press(lan, T.BUTTON_NAMED)
    assert chat.last_text(lan) == T.ASK_CONTACT
    await chat.send(lan, "không có số")
    assert chat.last_text(lan) == T.CONTACT_BAD
    await chat.send(lan, "Nguyễn Thị Lan, 0912 345 678")
    saved, confirm = chat.sent_to(lan)[-2:]
    assert saved.text == T.CONTACT_SAVED.format(name="Nguyễn Thị Lan", phone="0912345678")
    assert confirm.text.startswith(T.CONFIRM.split("{")[0])
    assert f"{esc('Nguyễn Thị Lan')}, 0912345678" in confirm.text


async def test_cancel_then_the_old_buttons_are_stale(chat: InMemoryBot) -> None:
    lan = chat.citizen()
    await chat.send(lan, "/gopy")
    kinds = chat.sent_to(lan)[-1]
    mark = chat.mark()
    await chat.press(lan, T.BUTTON_CANCEL)
    assert chat.last_text(lan) == T.CANCELLED
    assert await chat.store.get_draft(lan.id) is None
    assert len(chat.since(mark, "answerCallbackQuery")) == 1

    mark = chat.mark()
    await chat.press_data(lan, kinds.buttons()[0]["callback_data"], kinds)  # a kind, after the cancel
    assert alert_of(chat, mark) == {"text": STALE_BUTTON, "show_alert": True}
    assert chat.since(mark, "sendMessage") == []  # nothing restarted

    await chat.send(lan, "/huy")
    assert chat.last_text(lan) == T.NOTHING_TO_CANCEL


async def test_a_button_of_an_earlier_step_is_stale(chat: InMemoryBot) -> None:
    lan = chat.citizen()
    await up_to_text(chat, lan)
    kinds = next(c for c in chat.sent_to(lan) if c.text.startswith(T.ASK_KIND))
    mark = chat.mark()
    await chat.press_data(lan, kinds.buttons()[1]["callback_data"], kinds)
    assert alert_of(chat, mark)["text"] == STALE_BUTTON
    assert chat.since(mark, "sendMessage") == []
    await chat.send(lan, TEXT)  # the draft did not move: the content is still what is expected
    assert chat.last_text(lan).startswith(T.TEXT_RECEIVED.split("{")[0])


async def test_unknown_and_forged_buttons_change_nothing(chat: InMemoryBot) -> None:
    lan, bob = chat.citizen(), chat.citizen(5002, "Bình")
    await chat.send(lan, "/gopy")
    kinds = chat.sent_to(lan)[-1]
    for data in ("zz:nothing", "g", "'; DROP TABLE drafts; --", "x" * 80, ""):
        mark = chat.mark()
        await chat.press_data(lan, data, kinds)
        assert alert_of(chat, mark)["text"] == STALE_BUTTON, data
        assert chat.since(mark, "sendMessage") == []

    # Lan's button pressed by Bình, who has no draft: refused, and Lan's draft is untouched.
    mark = chat.mark()
    await chat.press_data(bob, kinds.buttons()[0]["callback_data"], kinds)
    assert alert_of(chat, mark)["text"] == STALE_BUTTON
    assert (await chat.store.get_draft(lan.id)).step == "kind"  # type: ignore[union-attr]
    assert await chat.store.get_draft(bob.id) is None


async def test_a_committee_button_forged_elsewhere_is_refused(chat: InMemoryBot) -> None:
    lan = chat.citizen()
    await up_to_text(chat, lan)
    await chat.send(lan, TEXT)
    await chat.press(lan, T.BUTTON_DONE)
    await chat.press(lan, T.BUTTON_ANONYMOUS)
    await chat.press(lan, T.BUTTON_SEND)
    await chat.deliver()
    [card] = chat.sent_to(chat.group_of(COMMITTEE))
    ack = next(b["callback_data"] for b in card.buttons() if b["text"] == TC.BUTTON_ACK)

    # From another committee's group: not theirs.
    other = next(c for c in chat.config.committees.values() if c.id != COMMITTEE)
    mark = chat.mark()
    await chat.press_data(chat.official(), ack, card, chat=other.chat_id)
    assert alert_of(chat, mark) == {"text": TC.NOT_OWNER, "show_alert": True}
    # From the citizen's private chat: not a button a citizen was ever shown.
    mark = chat.mark()
    await chat.press_data(lan, ack, card)
    assert alert_of(chat, mark)["text"] == STALE_BUTTON
    [sub] = await chat.store.list_citizen_submissions(lan.id, limit=5)
    assert sub.status == "new"


async def test_the_committees_button_acknowledges_and_tells_the_citizen(chat: InMemoryBot) -> None:
    lan = chat.citizen()
    await up_to_text(chat, lan)
    await chat.send(lan, TEXT)
    await chat.press(lan, T.BUTTON_DONE)
    await chat.press(lan, T.BUTTON_ANONYMOUS)
    await chat.press(lan, T.BUTTON_SEND)
    await chat.deliver()
    group = chat.group_of(COMMITTEE)
    mark = chat.mark()
    card: Call = await chat.press(chat.official(), TC.BUTTON_ACK, chat=group)
    [edit] = chat.since(mark, "editMessageText")
    assert edit.params["message_id"] == card.message_id and TC.BUTTON_ACK not in [b["text"] for b in edit.buttons()]
    await chat.deliver()
    [sub] = await chat.store.list_citizen_submissions(lan.id, limit=5)
    assert sub.status == "acknowledged"
    assert sub.code in chat.last_text(lan)
