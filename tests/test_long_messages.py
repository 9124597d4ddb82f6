"""Long submissions reach officials and citizens whole: never cut inside markup, never losing the end.

Telegram counts a message's length after parsing its HTML, in UTF-16 code units, and refuses a message
with a broken tag or entity (400, which the outbox rightly treats as final). `telegram_text` below is
this test's own model of that parsing, independent of bot/format.py.
"""

from __future__ import annotations

import html
import re

from bot.format import esc
from bot.texts import citizen as T
from bot.texts import committee as TC
from bot.texts.common import KIND_LABELS, STATUS_LABELS
from tests.inmemory import Call, InMemoryBot, Person

LIMIT = 4096
COMMITTEE = "bcd-nong-ha"
_TOKEN = re.compile(r"<(/?)([a-z][a-z0-9-]*)(?:\s[^<>]*)?>|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);|[<>&]|[^<>&]+")
# ~3,400 characters full of what HTML escapes: 4 times as long once escaped.
MARKUP_HEAVY = ("Chi phí <dự toán> & <quyết toán> chênh lệch: 5 > 3 & 2 < 4; "
                "«hồ sơ» & <biên bản> — ") * 41 + "HẾT."
# ~3,200 characters, ~4,600 UTF-16 code units: more than one message can hold.
EMOJI_HEAVY = "🌧🌧🌧🌧 ngập 👨\u200d👩\u200d👧 " * 200 + "CUỐI CÙNG."


def telegram_text(message: str) -> str:
    """The text Telegram shows for an HTML message; fails as Telegram would on broken markup."""
    out, stack = [], []
    for m in _TOKEN.finditer(message):
        token = m.group(0)
        if m.group(2):
            if m.group(1):
                assert stack and stack.pop() == m.group(2), f"unbalanced </{m.group(2)}>: {message[-200:]!r}"
            else:
                stack.append(m.group(2))
        elif token in "<>&":
            raise AssertionError(f"bare {token!r} in {message[-200:]!r}")
        else:
            out.append(html.unescape(token))
    assert not stack, f"unclosed {stack}"
    return "".join(out)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_messages(calls: list[Call]) -> str:
    """Every message valid and within the limit; their visible texts, joined."""
    texts = [telegram_text(c.text) for c in calls]
    for text in texts:
        assert 0 < utf16(text.strip()) <= LIMIT, utf16(text)
    return "\n".join(texts)


def squeeze(text: str) -> str:
    """Whitespace-insensitive: a split may fall on a line break or a space."""
    return re.sub(r"\s+", "", text)


async def submit(chat: InMemoryBot, lan: Person, text: str) -> str:
    """Through the flow as a citizen, anonymously; the tracking code."""
    assert len(text) <= chat.config.limits.text_max_chars
    await chat.send(lan, "/gopy")
    await chat.press(lan, KIND_LABELS["gop_y"])
    await chat.send(lan, "nong ha")
    await chat.press(lan, chat.config.topics["dat-dai"].name)
    await chat.send(lan, text)
    await chat.press(lan, T.BUTTON_DONE)
    await chat.press(lan, T.BUTTON_ANONYMOUS)
    await chat.press(lan, T.BUTTON_SEND)
    [sub] = await chat.store.list_citizen_submissions(lan.id, limit=5)
    assert sub.text == text
    return sub.code


async def test_a_markup_heavy_card_is_whole_and_valid(chat: InMemoryBot) -> None:
    assert len(MARKUP_HEAVY) <= chat.config.limits.text_max_chars and len(esc(MARKUP_HEAVY)) > LIMIT
    lan = chat.citizen()
    code = await submit(chat, lan, MARKUP_HEAVY)
    await chat.deliver()
    cards = chat.sent_to(chat.group_of(COMMITTEE))
    shown = check_messages(cards)
    assert squeeze(MARKUP_HEAVY) in squeeze(shown)
    assert code in shown
    assert len(cards) == 1  # 3,400 characters and the card's lines fit one message once measured right


async def test_a_card_too_long_for_one_message_continues_in_a_second(chat: InMemoryBot) -> None:
    assert utf16(EMOJI_HEAVY) > LIMIT  # emoji are two UTF-16 units each: this cannot fit one message
    lan = chat.citizen()
    code = await submit(chat, lan, EMOJI_HEAVY)
    await chat.deliver()
    group = chat.group_of(COMMITTEE)
    cards = chat.sent_to(group)
    assert len(cards) == 2
    shown = check_messages(cards)
    for marker in (TC.CARD_CONTINUED.format(rest=1), TC.CARD_FOOTER,
                   TC.CARD_CONTINUATION.format(code=code, part=2, total=2, text="")):
        shown = shown.replace(telegram_text(marker).strip(), "")
    assert squeeze(EMOJI_HEAVY) in squeeze(shown)
    first, second = cards
    assert code in telegram_text(second.text)
    assert [b["text"] for b in first.buttons()] and second.buttons() == []  # buttons on the card itself
    assert second.params["reply_parameters"]["message_id"] == first.message_id  # threaded under it

    # An official answers under either part: both reach the citizen.
    official = chat.official()
    for n, part in enumerate(cards, start=1):
        mark = chat.mark()
        await chat.send(official, f"Trả lời số {n}: xã đã cử người kiểm tra.", chat=group, reply_to=part)
        [relayed] = chat.since(mark, "sendMessage")
        assert relayed.text == TC.REPLY_RELAYED.format(code=esc(code))
        await chat.deliver()
        assert f"Trả lời số {n}" in chat.last_text(lan)

    # The status buttons refresh the card they are on, still within the limit.
    mark = chat.mark()
    await chat.press(official, TC.BUTTON_PROGRESS, chat=group)
    [edit] = chat.since(mark, "editMessageText")
    assert edit.params["message_id"] == first.message_id
    check_messages([edit])
    assert STATUS_LABELS["in_progress"] in telegram_text(edit.text)
    assert telegram_text(edit.text).split(telegram_text(TC.CARD_CONTINUED.format(rest=1)).strip())[0].endswith(
        telegram_text(first.text).split(telegram_text(TC.CARD_CONTINUED.format(rest=1)).strip())[0][-200:]
    )  # the same beginning of the text as before: nothing moved between the card and its continuation


async def test_status_of_a_long_submission_keeps_its_text_and_history(chat: InMemoryBot) -> None:
    lan = chat.citizen()
    code = await submit(chat, lan, MARKUP_HEAVY)
    await chat.deliver()
    await chat.press(chat.official(), TC.BUTTON_ACK, chat=chat.group_of(COMMITTEE))
    mark = chat.mark()
    await chat.send(lan, f"/trangthai {code}")
    replies = chat.since(mark, "sendMessage")
    shown = check_messages(replies)
    assert squeeze(MARKUP_HEAVY) in squeeze(shown)
    history = telegram_text(T.DETAIL_HISTORY).strip()
    assert history in shown and STATUS_LABELS["acknowledged"] in shown.split(history)[-1]
    assert replies[-1].buttons()  # the buttons stay with the last part, under the whole story


async def test_status_of_an_emoji_heavy_submission_is_split(chat: InMemoryBot) -> None:
    lan = chat.citizen()
    code = await submit(chat, lan, EMOJI_HEAVY)
    mark = chat.mark()
    await chat.send(lan, f"/trangthai {code}")
    replies = chat.since(mark, "sendMessage")
    assert len(replies) >= 2
    assert squeeze(EMOJI_HEAVY) in squeeze(check_messages(replies))
    assert all(not r.buttons() for r in replies[:-1])
