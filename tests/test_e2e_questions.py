"""Questions end to end: the real Application <-> HTTP <-> local Bot API emulator.

/hoi, free text (with and without diacritics), direct references, "not sure", /chuahoi, /vanban with
pages and back buttons, /apdung, inline mode, votes in the database, escaping, splitting, forged
buttons, and the related article on a committee's card. Assertions are on what the emulator received
and what the database holds.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from bot.app import stop_bot
from bot.conversation import Step
from bot.format import telegram_length
from bot.handlers import questions
from bot.texts import citizen as TCit
from bot.texts import committee as TC
from bot.texts import kb as KB
from bot.texts import questions as T
from bot.texts.common import KIND_LABELS, STALE_BUTTON
from storage.models import question_log
from storage.statuses import Kind
from tests.bot_fixtures import ADMIN_ID, BotHarness, shown

# Document labels and article titles are knowledge-base data, not bot wording: they stay literal.
LAW_10 = "Luật 10/2022/QH15"
LAW_10_SHORT = "Luật 10/2022"
PL_34 = "Pháp lệnh 34/2007/PL-UBTVQH11"
ARTICLE_MARK = KB.ARTICLE_HEADING.split("{")[0]  # "Điều " at the start of every article heading


def heading(article: int | str, document: str = LAW_10) -> str:
    """An article's heading as the bot writes it: "Điều 11 Luật 10/2022/QH15"."""
    return KB.ARTICLE_HEADING.format(article=article, document=document)


def page(n: int, pages: int = 4) -> str:
    return shown(T.PAGE_INFO, page=n, pages=pages)


def _buttons(message: dict) -> list[dict]:
    return [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def _payloads(message: dict) -> list[str]:
    return [b["callback_data"] for b in _buttons(message) if "callback_data" in b]


async def _questions(bot: BotHarness) -> list[dict]:
    async with bot.store.engine.connect() as conn:
        rows = await conn.execute(sa.select(question_log).order_by(question_log.c.id))
        return [dict(r._mapping) for r in rows]


async def _answer(bot: BotHarness, user, text: str, contains: str | None = None) -> dict:
    await bot.say(user, text)
    return await bot.next_message(user, contains)


# ---------------------------------------------------------------- answers

async def test_hoi_answers_with_article_link_next_matches_and_votes(bot: BotHarness):
    lan = bot.citizen(5101, "Lan")
    answer = await _answer(bot, lan, "/hoi xã phải công khai những gì", heading(11))
    text = answer["text"]
    assert "Những nội dung chính quyền địa phương cấp xã phải công khai" in text
    assert "xã phải công khai những gì" in text  # the question is echoed
    law = bot.services.kb.document("10/2022/QH15")
    assert law is not None
    urls = [b["url"] for b in _buttons(answer) if "url" in b]
    assert law.source in urls
    articles = [d for d in _payloads(answer) if d.startswith("q:a:")]
    assert articles and all(len(d.encode()) <= 64 for d in _payloads(answer))
    votes = [d for d in _payloads(answer) if d.startswith("q:v:")]
    logged = await _questions(bot)
    assert len(logged) == 1 and logged[0]["sure"] and logged[0]["user_id"] == lan.id
    assert (logged[0]["document"], logged[0]["article"]) == ("10/2022/QH15", 11)
    assert sorted(votes) == [f"q:v:{logged[0]['id']}:0", f"q:v:{logged[0]['id']}:1"]
    # a next match opens its article in a new message, with its own official link
    first = next(b for b in _buttons(answer) if b.get("callback_data", "").startswith("q:a:"))
    await bot.press(lan, first["text"])
    opened = await bot.next_message(lan, ARTICLE_MARK)
    assert opened["message_id"] != answer["message_id"]
    assert any("url" in b for b in _buttons(opened))


@pytest.mark.parametrize(("question", "expected"), [
    ("xa phai cong khai nhung gi", heading(11)),
    ("dan dc ban va quyet dinh nhung viec j", LAW_10),
    ("Người dân được bàn và quyết định những việc gì?", LAW_10),
])
async def test_free_text_questions_with_or_without_diacritics(bot: BotHarness, question: str, expected: str):
    lan = bot.citizen(5102, "Lan")
    answer = await _answer(bot, lan, question)
    assert expected in answer["text"], answer["text"]
    assert KB.NOT_SURE not in answer["text"]
    assert TCit.FREE_TEXT_OFFER not in answer["text"]
    assert any(d.startswith("q:v:") for d in _payloads(answer))


@pytest.mark.parametrize("report", [
    "Đường liên thôn Nà Mố bị sạt lở sau mưa lớn, đề nghị xã sửa sớm.",
    "duong lien thon na mo bi sat lo sau mua lon, de nghi xa sua som",
])
async def test_report_is_offered_as_feedback_and_prefills_the_flow(bot: BotHarness, report: str):
    lan = bot.citizen(5103, "Lan")
    offer = await _answer(bot, lan, report)
    assert offer["text"] == TCit.FREE_TEXT_OFFER
    assert not await _questions(bot)  # a report is not a question: nothing logged
    await bot.press(lan, TCit.BUTTON_OFFER_SEND)
    await bot.next_message(lan, shown(TCit.ASK_KIND))
    draft = await bot.store.get_draft(lan.id)
    assert draft is not None and draft.step == "kind" and draft.data["text"] == report


async def test_direct_references_answer_that_article_exactly(bot: BotHarness):
    lan = bot.citizen(5104, "Lan")
    old = await _answer(bot, lan, "điều 5 pháp lệnh 34")
    assert old["text"].startswith(shown(KB.YOUR_QUESTION_HTML))
    assert heading(5, PL_34) in old["text"]
    assert shown(KB.SUPERSEDED_HTML, document=PL_34, since="01/07/2023") in old["text"] and LAW_10 in old["text"]
    assert "q:a:luat-10-2022:11" in _payloads(old)  # the article in force today
    law = await _answer(bot, lan, "dieu 11 luat 10")
    assert heading(11) in law["text"]
    assert "Những nội dung chính quyền địa phương cấp xã phải công khai" in law["text"]
    logged = await _questions(bot)
    assert [(q["document"], q["article"], q["sure"]) for q in logged] == [
        ("34/2007/PL-UBTVQH11", 5, True), ("10/2022/QH15", 11, True)]
    await bot.press(lan, shown(T.BUTTON_CURRENT, article=11))
    today = await bot.next_message(lan, heading(11))
    assert "q:c:luat-10-2022:1:0:n" in _payloads(today)  # back to Chapter II, first page


async def test_not_sure_is_honest_logged_and_listed_for_admins(bot: BotHarness):
    lan = bot.citizen(5105, "Lan")
    for _ in range(2):
        answer = await _answer(bot, lan, "giá vàng hôm nay bao nhiêu")
        assert KB.NOT_SURE in answer["text"] and T.NOT_SURE_LOGGED in answer["text"]
        assert not any(d.startswith("q:v:") for d in _payloads(answer))
    await _answer(bot, lan, "/hoi thoi tiet ha noi hom nay the nao", KB.NOT_SURE)
    logged = await _questions(bot)
    assert [q["sure"] for q in logged] == [False, False, False]

    refused = await _answer(bot, lan, "/chuahoi")
    assert refused["text"] == T.ADMIN_ONLY
    admin = bot.citizen(ADMIN_ID, "Quản trị")
    listing = await _answer(bot, admin, "/chuahoi")
    assert shown(T.UNANSWERED_HEADER) in listing["text"]
    lines = listing["text"].splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("1."))
    assert "2×" in lines[first] and "giá vàng hôm nay bao nhiêu" in lines[first]
    assert any("thoi tiet ha noi" in line and "1×" in line for line in lines)
    # in a group, even for an admin: never list citizens' questions there
    group = bot.group_of("bcd-nong-ha")
    await bot.say(admin, "/chuahoi", group)
    assert (await bot.next_message(group))["text"] == T.PRIVATE_ONLY


async def test_chuahoi_empty(bot: BotHarness):
    admin = bot.citizen(ADMIN_ID, "Quản trị")
    assert (await _answer(bot, admin, "/chuahoi"))["text"] == T.UNANSWERED_EMPTY


# ---------------------------------------------------------------- /hoi alone: the state lives in the database

async def test_hoi_alone_waits_for_the_question_across_a_restart(bot_factory):
    first = await bot_factory()
    lan = first.citizen(5106, "Lan")
    prompt = await _answer(first, lan, "/hoi")
    assert prompt["text"].startswith(shown(T.ASK_PROMPT))
    draft = await first.store.get_draft(lan.id)
    assert draft is not None and draft.step == Step.ASK
    await first.emulator.send_photo(lan)  # not a question: asked again, still waiting
    await first.next_message(lan, T.ASK_NEEDS_TEXT)
    assert (await first.store.get_draft(lan.id)).step == Step.ASK  # type: ignore[union-attr]
    await stop_bot(first.app)
    second = await bot_factory(store=first.store)
    # a report-like text is still taken as the awaited question: the user asked to ask
    answer = await _answer(second, lan, "thu tiền làm đường thì có phải công khai không")
    assert ARTICLE_MARK in answer["text"] and TCit.FREE_TEXT_OFFER not in answer["text"]
    assert await second.store.get_draft(lan.id) is None
    # the next free text is classified again
    offer = await _answer(second, lan, "Đường liên thôn Nà Mố bị sạt lở, đề nghị xã sửa sớm.")
    assert offer["text"] == TCit.FREE_TEXT_OFFER


async def test_hoi_does_not_disturb_a_feedback_in_progress(bot: BotHarness):
    lan = bot.citizen(5107, "Lan")
    await bot.say(lan, "/gopy")
    await bot.next_message(lan, shown(TCit.ASK_KIND))
    await bot.press(lan, KIND_LABELS[Kind.GOP_Y])
    await bot.next_message(lan, shown(TCit.ASK_PLACE))
    before = await bot.store.get_draft(lan.id)
    assert before is not None and before.step == "place"
    busy = await _answer(bot, lan, "/hoi")
    assert busy["text"] == shown(T.ASK_BUSY)
    answer = await _answer(bot, lan, "/hoi dieu 5 phap lenh 34")
    assert heading(5, PL_34) in answer["text"]
    after = await bot.store.get_draft(lan.id)
    assert after is not None and (after.step, after.version, after.data) == ("place", before.version, before.data)
    await bot.say(lan, "nong ha")  # the flow goes on where it was
    await bot.next_message(lan, shown(TCit.ASK_TOPIC))


async def test_menu_buttons_ask_docs_apply(bot: BotHarness):
    lan = bot.citizen(5108, "Lan")
    await _answer(bot, lan, "/start", shown(TCit.WELCOME))
    await bot.press(lan, TCit.MENU_ASK)
    await bot.next_message(lan, shown(T.ASK_PROMPT))
    await bot.press(lan, TCit.MENU_DOCS)
    await bot.next_message(lan, shown(T.DOCS_HEADER))
    await bot.press(lan, TCit.MENU_APPLY)
    await bot.next_message(lan, shown(T.APPLY_ASK))
    answer = await _answer(bot, lan, "xa co phai cong khai du toan ngan sach khong")
    assert ARTICLE_MARK in answer["text"]


# ---------------------------------------------------------------- /vanban

async def test_browse_documents_chapters_pages_and_back(bot: BotHarness):
    lan = bot.citizen(5109, "Lan")
    emu = bot.emulator
    root = await _answer(bot, lan, "/vanban", shown(T.DOCS_HEADER))
    assert len([d for d in _payloads(root) if d.startswith("q:d:")]) == 7

    def listed() -> dict:
        message = emu.message(lan.id, root["message_id"])
        assert message is not None
        return message

    async def press_and_see(label: str, expected: str) -> dict:
        await bot.press(lan, label)
        return await emu.wait_for(lambda: expected in listed()["text"] and listed(),
                                  description=f"the list to show {expected!r}")

    await press_and_see(LAW_10_SHORT, shown(T.DOC_PICK_CHAPTER))
    chapter = await press_and_see(shown(T.CHAPTER_NAMED, number="II"), page(1))
    assert next(d for d in _payloads(chapter) if d.startswith("q:a:")) == "q:a:luat-10-2022:11"
    page2 = await press_and_see(T.BUTTON_NEXT, page(2))
    assert shown(T.ARTICLE_BUTTON, number=21) in " ".join(b["text"] for b in _buttons(page2))
    await press_and_see(T.BUTTON_NEXT, page(3))
    last = await press_and_see(T.BUTTON_NEXT, page(4))
    labels = [b["text"] for b in _buttons(last)]
    assert T.BUTTON_NEXT not in labels and T.BUTTON_PREV in labels
    assert len([d for d in _payloads(last) if d.startswith("q:a:")]) == 5  # 35 articles: 10+10+10+5
    await press_and_see(T.BUTTON_PREV, page(3))
    # an article opens below, the list stays where it is
    await bot.press(lan, shown(T.ARTICLE_BUTTON, number=37))
    article = await bot.next_message(lan, heading(37))
    assert article["message_id"] != root["message_id"] and page(3) in listed()["text"]
    await bot.press(lan, T.BUTTON_BACK_CHAPTER.format(chapter=T.CHAPTER_NUMBER_ONLY.format(number="II")))
    back = await bot.next_message(lan, page(3))
    assert back["message_id"] > article["message_id"]
    # back up the tree, on the list message that was just sent
    await bot.press(lan, T.BUTTON_BACK_CHAPTERS)
    await emu.wait_for(lambda: shown(T.DOC_PICK_CHAPTER)
                       in (emu.message(lan.id, back["message_id"]) or {}).get("text", ""))
    await bot.press(lan, T.BUTTON_BACK_DOCS)
    await emu.wait_for(lambda: shown(T.DOCS_HEADER)
                       in (emu.message(lan.id, back["message_id"]) or {}).get("text", ""))
    # all 91 articles of the Law, ten pages
    await bot.press(lan, LAW_10_SHORT)
    await bot.press(lan, T.BUTTON_ALL_ARTICLES)
    await emu.wait_for(lambda: page(1, 10) in (emu.message(lan.id, back["message_id"]) or {}).get("text", ""))


async def test_vanban_straight_to_a_document_and_old_chapters(bot: BotHarness):
    lan = bot.citizen(5110, "Lan")
    doc = await _answer(bot, lan, "/vanban pháp lệnh 34")
    assert PL_34 in doc["text"] and T.STATUS_LABELS["superseded"] in doc["text"]
    assert LAW_10 in doc["text"] and "01/07/2023" in doc["text"]
    # a chapter whose number is unknown is named by its articles
    await bot.press(lan, T.CHAPTER_UNNAMED.format(first=19, last=22))
    await bot.emulator.wait_for(
        lambda: T.ARTICLE_BUTTON_UNTITLED.format(number=19)
        in " ".join(b["text"] for b in _buttons(bot.emulator.message(lan.id, doc["message_id"]))))


# ---------------------------------------------------------------- /apdung

async def test_apdung_wizard(bot: BotHarness):
    lan = bot.citizen(5111, "Lan")
    ask = await _answer(bot, lan, "/apdung", shown(T.APPLY_ASK))
    labels = [b["text"] for b in _buttons(ask)]
    assert labels == ["Người dân ở xã, phường, thị trấn",
                      "Cán bộ, công chức, viên chức ở cơ quan nhà nước, đơn vị sự nghiệp công lập",
                      "Người lao động ở doanh nghiệp", "Cán bộ, công chức cấp xã"]
    await bot.press(lan, "Người lao động ở doanh nghiệp")
    answer = await bot.emulator.wait_for(
        lambda: shown(T.APPLY_CURRENT_DOCUMENTS) in bot.emulator.message(lan.id, ask["message_id"])["text"]
        and bot.emulator.message(lan.id, ask["message_id"]))
    text = answer["text"]
    assert "Nghị định 60/2013/NĐ-CP" in text and T.STATUS_LABELS["superseded"].lower() in text.lower()
    assert "145/2020/NĐ-CP" in text and LAW_10 in text
    for label in T.RIGHT_LABELS.values():
        assert label in text
    assert "q:a:luat-10-2022:64" in _payloads(answer)
    await bot.press(lan, T.BUTTON_ARTICLE.format(article=64, document=LAW_10_SHORT))
    await bot.next_message(lan, heading(64))
    await bot.press(lan, T.BUTTON_APPLY_OTHER)
    again = await bot.next_message(lan, shown(T.APPLY_ASK))
    await bot.press(lan, "Người dân ở xã, phường, thị trấn")
    resident = await bot.emulator.wait_for(
        lambda: "Pháp lệnh 34/2007" in bot.emulator.message(lan.id, again["message_id"])["text"]
        and bot.emulator.message(lan.id, again["message_id"]))
    assert "01/07/2023" in resident["text"] and "q:a:luat-10-2022:11" in _payloads(resident)
    # said in words, no buttons needed
    official = await _answer(bot, lan, "/apdung tôi là cán bộ công chức xã", "Cán bộ, công chức cấp xã")
    assert shown(T.APPLY_CURRENT_DOCUMENTS) in official["text"]


# ---------------------------------------------------------------- inline mode

async def test_inline_mode_lists_articles_and_documents(bot: BotHarness):
    lan = bot.citizen(5112, "Lan")
    emu = bot.emulator
    query = await emu.inline_query(lan, "dan duoc ban va quyet dinh nhung gi")
    answer = await emu.wait_for_inline_answer(query)
    assert answer["cache_time"] <= 10
    results = answer["results"]
    assert results and all(r["type"] == "article" for r in results)
    assert all(re.match(T.INLINE_ARTICLE_TITLE.format(article=r"\d+", title=""), r["title"]) for r in results)
    first = results[0]
    assert first["description"] and first["input_message_content"]["parse_mode"] == "HTML"
    assert KB.ARTICLE_HEADING_HTML.split("{")[0] in first["input_message_content"]["message_text"]
    assert any(b.get("url") for row in first["reply_markup"]["inline_keyboard"] for b in row)
    assert not await _questions(bot)  # keystrokes of an inline query are not logged as questions

    empty = await emu.wait_for_inline_answer(await emu.inline_query(lan, ""))
    titles = [r["title"] for r in empty["results"]]
    assert len(titles) == 7 and LAW_10 in titles and PL_34 in titles
    typo = await emu.wait_for_inline_answer(await emu.inline_query(lan, "dieu 5 PL34"))
    assert typo["results"][0]["title"].startswith(T.INLINE_ARTICLE_TITLE.format(article=5, title=""))
    junk = await emu.wait_for_inline_answer(await emu.inline_query(lan, "xyzzy qwerty"))
    assert junk["results"] == [] and junk["button"]["start_parameter"] == T.INLINE_START_PARAMETER
    await emu.choose_inline_result(lan, first["id"], "dan duoc ban va quyet dinh nhung gi")
    await emu.wait_idle()  # a chosen result needs nothing from the bot


# ---------------------------------------------------------------- votes, escaping, splitting, forged buttons

async def test_vote_is_recorded_once(bot: BotHarness):
    lan = bot.citizen(5113, "Lan")
    emu = bot.emulator
    answer = await _answer(bot, lan, "/hoi ban thanh tra nhân dân xã có bao nhiêu người", ARTICLE_MARK)
    qid = (await _questions(bot))[0]["id"]
    reply = await bot.press(lan, T.BUTTON_VOTE_UP)
    assert reply.get("text") == T.VOTE_THANKS_UP
    rows = await _questions(bot)
    assert (rows[0]["votes_up"], rows[0]["votes_down"]) == (1, 0)
    await emu.wait_for(lambda: not [d for d in _payloads(emu.message(lan.id, answer["message_id"]))
                                    if d.startswith("q:v:")])
    assert any("url" in b for b in _buttons(emu.message(lan.id, answer["message_id"])))  # the rest stays
    # the same click again (a slow client, a double tap): harmless
    for data in (f"q:v:{qid}:1", f"q:v:{qid}:0"):
        again = await emu.click(lan, None, answer["message_id"], data, strict=False)
        assert (await emu.wait_for_callback_answer(again)).get("text") == T.VOTE_ALREADY
    rows = await _questions(bot)
    assert (rows[0]["votes_up"], rows[0]["votes_down"]) == (1, 0)
    # a 👎 elsewhere puts the question on the admins' list even though the search was sure
    await _answer(bot, lan, "/hoi xã phải công khai những gì", ARTICLE_MARK)
    await bot.press(lan, T.BUTTON_VOTE_DOWN)
    admin = bot.citizen(ADMIN_ID, "Quản trị")
    listing = await _answer(bot, admin, "/chuahoi")
    assert "xã phải công khai những gì" in listing["text"]


async def test_markup_in_questions_is_escaped(bot: BotHarness):
    lan = bot.citizen(5114, "Lan")
    sure = await _answer(bot, lan, "/hoi <b>xã</b> phải công khai những gì & khi nào?", ARTICLE_MARK)
    assert "<b>xã</b> phải công khai những gì & khi nào?" in sure["text"]
    bold = [sure["text"][e["offset"]:e["offset"] + e["length"]] for e in sure.get("entities", [])
            if e["type"] == "bold"]
    assert "xã" not in bold
    unsure = await _answer(bot, lan, '<a href="https://evil.example">giá vàng</a> hôm nay bao nhiêu?', KB.NOT_SURE)
    assert '<a href="https://evil.example">giá vàng</a>' in unsure["text"]
    assert not [e for e in unsure.get("entities", []) if e.get("url", "").startswith("https://evil")]
    admin = bot.citizen(ADMIN_ID, "Quản trị")
    listing = await _answer(bot, admin, "/chuahoi")
    assert '<a href="https://evil.example">' in listing["text"]


async def test_over_long_answer_is_split(bot: BotHarness, monkeypatch):
    monkeypatch.setattr(questions, "MESSAGE_LIMIT", 700)
    lan = bot.citizen(5115, "Lan")
    await bot.say(lan, "/hoi xã phải công khai những gì")
    first = await bot.next_message(lan, heading(11))
    await bot.emulator.wait_idle()
    parts = [m for m in bot.emulator.bot_messages(lan.id) if m["message_id"] >= first["message_id"]]
    assert len(parts) >= 3
    sent = [c.params["text"] for c in bot.emulator.calls_to("sendMessage", ok=True)
            if c.params.get("chat_id") == lan.id]
    assert all(telegram_length(text) <= 700 for text in sent[-len(parts):])  # as Telegram counts: after parsing
    assert [bool(m.get("reply_markup")) for m in parts] == [False] * (len(parts) - 1) + [True]
    assert any(d.startswith("q:v:") for d in _payloads(parts[-1]))


@pytest.mark.parametrize("data", [
    "q:a:no-such-doc:5", "q:a:pl-34-2007:999", "q:c:luat-10-2022:99:0", "q:p:luat-10-2022:50", "q:zz",
    "q:v:999999:1", "q:v:abc:1", "q:v:1:7", "q:r:nobody", "q:d:10/2022",
])
async def test_forged_question_buttons_are_refused_cleanly(bot: BotHarness, data: str):
    lan = bot.citizen(5116, "Lan")
    answer = await _answer(bot, lan, "/hoi xã phải công khai những gì", ARTICLE_MARK)
    before = await _questions(bot)
    count = len(bot.emulator.bot_messages(lan.id))
    query = await bot.emulator.click(lan, None, answer["message_id"], data, strict=False)
    reply = await bot.emulator.wait_for_callback_answer(query)
    assert reply.get("text") == STALE_BUTTON and reply.get("show_alert")
    await bot.emulator.wait_idle()
    assert len(bot.emulator.bot_messages(lan.id)) == count
    assert await _questions(bot) == before
    assert bot.emulator.message(lan.id, answer["message_id"]) == answer


async def test_vote_for_another_question_is_refused(bot: BotHarness):
    """A well-formed vote that is not a button of the clicked message (someone else's question id)."""
    lan, minh = bot.citizen(5117, "Lan"), bot.citizen(5118, "Minh")
    await _answer(bot, lan, "/hoi xã phải công khai những gì", ARTICLE_MARK)
    theirs = await _answer(bot, minh, "/hoi dân được bàn và quyết định những gì", ARTICLE_MARK)
    lan_id = (await _questions(bot))[0]["id"]
    query = await bot.emulator.click(minh, None, theirs["message_id"], f"q:v:{lan_id}:0", strict=False)
    assert (await bot.emulator.wait_for_callback_answer(query)).get("text") == STALE_BUTTON
    assert [(q["votes_up"], q["votes_down"]) for q in await _questions(bot)] == [(0, 0), (0, 0)]


async def test_questions_in_a_committee_group(bot: BotHarness):
    group = bot.group_of("bcd-nong-ha")
    official = bot.official("bcd-nong-ha", 6101, "Chị Thu")
    await bot.say(official, "/hoi thời hạn niêm yết công khai ở trụ sở xã", group)
    answer = await bot.next_message(group, ARTICLE_MARK)
    assert any(d.startswith("q:v:") for d in _payloads(answer))
    await bot.say(official, "/hoi", group)
    assert (await bot.next_message(group))["text"] == shown(T.ASK_IN_GROUP)


# ---------------------------------------------------------------- the committee's card

async def test_card_about_budget_disclosure_names_an_article_about_cong_khai(bot: BotHarness):
    lan = bot.citizen(5119, "Lan")
    _, card = await bot.submit_feedback(
        lan, topic="Công khai thông tin",
        text="Xã chưa công khai dự toán và quyết toán ngân sách xã năm nay cho bà con biết, đề nghị niêm yết.",
    )
    line = next(line for line in card["text"].splitlines() if line.startswith(shown(TC.CARD_ARTICLE)))
    assert re.search(heading(r"\d+", ""), line) and "công khai" in line.lower(), line


async def test_deep_link_hoi_waits_for_a_question_and_admins_get_chuahoi(bot: BotHarness):
    lan = bot.citizen(5991, "Lan")
    await bot.say(lan, "/start hoi")
    await bot.emulator.wait_for(lambda: bot.emulator.bot_messages(lan.id))
    draft = await bot.store.get_draft(lan.id)
    assert draft is not None and draft.step == "ask"
    admin_commands = {c["command"] for c in bot.emulator.commands({"type": "chat", "chat_id": ADMIN_ID})}
    assert "chuahoi" in admin_commands
    private = {c["command"] for c in bot.emulator.commands({"type": "all_private_chats"})}
    assert "chuahoi" not in private
