"""Proof: hostile or broken input gets a clear answer or is ignored on purpose — never a crash, never
corrupted data.

The corpus is tests/data/hostile_inputs.py (well over 150 inputs). Every input goes through the real
Application over HTTP. For each test:

* no log record at ERROR (the application's error handler logs every exception that escapes a
  handler there), and no "sorry, something went wrong" message;
* every input expected to be answered gets an answer (a message, or an alert for a button), every
  input expected to be ignored leaves the chat silent;
* what is stored is what was accepted: the submission's text equals the cleaned input, NFC, without
  control, zero-width or bidi-control characters, and its card reached the committee (the emulator
  parses the HTML like Telegram, so a markup mistake would have failed the delivery).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from bot.format import clean_text
from bot.texts import citizen as TCit
from bot.texts import committee as TC
from bot.texts.common import INTERNAL_ERROR, KIND_LABELS, RATE_LIMITED, STATUS_LABELS
from storage.statuses import Kind
from tests.bot_fixtures import BotHarness, harness_config, shown
from tests.data.hostile_inputs import (
    COMMANDS,
    CONTACTS,
    CONTENT,
    FORGED_CALLBACKS,
    GROUP_MESSAGES,
    INLINE_QUERIES,
    PLACES,
    TEXTS,
)
from tests.test_proof_support import (
    CODE,
    SENT,
    STEP_CONFIRM,
    STEP_IDENTITY,
    STEP_KIND,
    STEP_PLACE,
    STEP_TEXT,
    STEP_TOPIC,
    TEXT_RECEIVED,
    ErrorWatch,
    Ledger,
    drain_outbox,
    is_clean_text,
    snapshot_tables,
)
from tgemulator import BotApiEmulator, User

GOOD_TEXT = "Đường liên thôn Nà Mố bị sạt lở sau mưa lớn, đề nghị xã sửa sớm."
TOPIC = "Đất đai, quy hoạch, xây dựng"
CONCURRENCY = 16
REPLY_TIMEOUT = 15.0


def test_the_corpus_is_big_enough() -> None:
    cases = (2 * len(TEXTS) + len(COMMANDS) + len(PLACES) + len(CONTACTS) + len(FORGED_CALLBACKS)
             + 2 * len(CONTENT) + len(GROUP_MESSAGES) + len(INLINE_QUERIES))
    ids = [i for i, _ in TEXTS + COMMANDS + PLACES + CONTACTS + FORGED_CALLBACKS + INLINE_QUERIES]
    assert len(ids) == len(set(ids)), "ids name a failing input: keep them unique"
    print(f"\nhostile cases: {cases} ({len(TEXTS)} texts, each free and as content)")
    assert cases >= 150


@pytest.fixture
def errors() -> Iterator[ErrorWatch]:
    with ErrorWatch().installed() as watch:
        yield watch


class Probe:
    """Fresh citizens, walks to a step of the flow, and the wait for the bot's answer."""

    def __init__(self, bot: BotHarness, first_id: int) -> None:
        self.bot = bot
        self.emu: BotApiEmulator = bot.emulator
        self.next_id = first_id
        self.failures: list[str] = []
        self.accepted: dict[str, tuple[str, str]] = {}  # code -> (case id, expected stored text)

    def citizen(self, first_name: str = "Dân") -> User:
        self.next_id += 1
        return self.emu.user(self.next_id, first_name, "Thử")

    async def walk(self, user: User, step: str) -> dict[str, Any]:
        """Through the real flow to `step`: kind, place, topic, content, attachments, identity, contact."""
        bot = self.bot
        await bot.say(user, "/gopy")
        prompt = await bot.next_message(user, STEP_KIND, timeout=REPLY_TIMEOUT)
        plan: list[tuple[str, Callable[[], Awaitable[Any]], str]] = [
            ("place", lambda: bot.press(user, KIND_LABELS[Kind.GOP_Y]), STEP_PLACE),
            ("topic", lambda: bot.say(user, "nong ha"), STEP_TOPIC),
            ("content", lambda: bot.press(user, TOPIC), STEP_TEXT),
            ("attachments", lambda: bot.say(user, GOOD_TEXT), TEXT_RECEIVED),
            ("identity", lambda: bot.press(user, TCit.BUTTON_DONE), STEP_IDENTITY),
            ("contact", lambda: bot.press(user, TCit.BUTTON_NAMED), shown(TCit.ASK_CONTACT)),
        ]
        if step == "kind":
            return prompt
        for name, action, expected in plan:
            await action()
            prompt = await bot.next_message(user, expected, timeout=REPLY_TIMEOUT)
            if name == step:
                return prompt
        raise ValueError(step)

    async def answer_after(self, chat: int, after: int, timeout: float = REPLY_TIMEOUT) -> dict[str, Any]:  # noqa: ASYNC109
        """The first bot message in `chat` newer than message `after`."""
        def newer() -> dict[str, Any] | None:
            found = [m for m in self.emu.bot_messages(chat) if m["message_id"] > after]
            return found[0] if found else None

        return await self.emu.wait_for(newer, timeout, description=f"an answer in chat {chat}")

    async def expect_answer(self, case: str, chat: int, after: int, contains: str | None = None) -> str:
        try:
            message = await self.answer_after(chat, after)
        except TimeoutError:
            self.failures.append(f"{case}: no answer")
            return ""
        text = str(message.get("text") or message.get("caption") or "")
        if text.startswith(INTERNAL_ERROR[:30]):
            self.failures.append(f"{case}: internal error answer")
        elif contains is not None:
            with contextlib.suppress(TimeoutError):
                await self.emu.wait_for(lambda: any(contains in str(m.get("text") or "")
                                                    for m in self.emu.bot_messages(chat) if m["message_id"] > after),
                                        timeout=REPLY_TIMEOUT)
            if not any(contains in str(m.get("text") or "") for m in self.emu.bot_messages(chat)
                       if m["message_id"] > after):
                self.failures.append(f"{case}: expected an answer with {contains!r}, got {text[:80]!r}")
        return text

    async def expect_alert(self, case: str, query_id: str) -> None:
        try:
            answer = await self.emu.wait_for_callback_answer(query_id, timeout=REPLY_TIMEOUT)
        except TimeoutError:
            self.failures.append(f"{case}: button press not answered")
            return
        if str(answer.get("text") or "").startswith(INTERNAL_ERROR[:30]):
            self.failures.append(f"{case}: internal error alert")

    async def expect_silence(self, case: str, chat: int, after: int) -> None:
        await self.emu.wait_idle(quiet=0.3, timeout=30)
        extra = [m for m in self.emu.bot_messages(chat) if m["message_id"] > after]
        if extra:
            self.failures.append(f"{case}: expected to be ignored, got {str(extra[0].get('text'))[:80]!r}")

    async def finish(self, case: str, user: User, expected: str) -> None:
        """From the attachments step to the tracking code; remembers what must be stored."""
        bot = self.bot
        await bot.press(user, TCit.BUTTON_DONE)
        await bot.press(user, TCit.BUTTON_ANONYMOUS)
        await bot.next_message(user, STEP_CONFIRM, timeout=REPLY_TIMEOUT)
        await bot.press(user, TCit.BUTTON_SEND)
        done = await bot.next_message(user, SENT, timeout=REPLY_TIMEOUT)
        found = CODE.search(str(done.get("text")))
        assert found is not None
        self.accepted[found.group(0)] = (case, expected)


async def run_all(jobs: list[Callable[[], Awaitable[None]]], concurrency: int = CONCURRENCY) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Callable[[], Awaitable[None]]) -> None:
        async with gate:
            await job()

    await asyncio.gather(*(one(j) for j in jobs))


async def check_store(probe: Probe) -> None:
    """Stored content is what was accepted, clean, and its card reached the committee."""
    bot = probe.bot
    await drain_outbox(bot.store)
    ledger = await Ledger.collect(bot.emulator, bot.store, bot.config)
    cards = ledger.cards_per_code()
    for code, (case, expected) in probe.accepted.items():
        if ledger.texts.get(code) != expected:
            probe.failures.append(f"{case}: stored {ledger.texts.get(code)!r:.80} != accepted {expected!r:.80}")
        if cards[code] != 1:
            probe.failures.append(f"{case}: {cards[code]} cards for {code}")
    async with bot.store.engine.connect() as conn:
        texts = (await conn.execute(sa.text(
            "SELECT code, text, coalesce(contact_name, ''), coalesce(contact_phone, '') FROM submissions"))).all()
        questions = (await conn.execute(sa.text("SELECT text FROM question_log"))).all()
    for row in texts:
        if not all(is_clean_text(value) for value in row[1:]):
            probe.failures.append(f"{row[0]}: stored text not clean: {row[1]!r:.80}")
    for (question,) in questions:
        if not is_clean_text(question):
            probe.failures.append(f"question log not clean: {question!r:.80}")
    for draft in await draft_texts(bot):
        if not is_clean_text(draft):
            probe.failures.append(f"draft text not clean: {draft!r:.80}")
    if ledger.outbox.get("failed"):
        probe.failures.append(f"failed deliveries: {ledger.outbox}")


async def draft_texts(bot: BotHarness) -> list[str]:
    async with bot.store.engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT user_id FROM drafts"))).all()
    found = []
    for (user_id,) in rows:
        draft = await bot.store.get_draft(int(user_id))
        if draft is not None:
            found += [v for v in draft.data.values() if isinstance(v, str)]
    return found


def report(probe: Probe, errors: ErrorWatch, label: str, cases: int) -> None:
    print(f"\n[{label}] {cases} inputs, {len(probe.accepted)} accepted as submissions, "
          f"{len(probe.failures)} failures, {len(errors.errors())} error log records")
    assert not errors.errors(), errors.text()[:3000]
    assert not probe.failures, "\n".join(probe.failures)


# ------------------------------------------------------------------------------------------ texts

async def test_hostile_texts_outside_and_inside_the_flow(bot: BotHarness, errors: ErrorWatch) -> None:
    """Each text typed outside any flow (a question or feedback offer) and as a submission's content."""
    probe = Probe(bot, 800_000)
    limits = bot.config.limits

    async def free(case: str, text: str) -> None:
        user = probe.citizen()
        sent = await bot.say(user, text)
        await probe.expect_answer(f"free/{case}", user.id, sent["message_id"])

    async def content(case: str, text: str) -> None:
        user = probe.citizen()
        await probe.walk(user, "content")
        sent = await bot.say(user, text)
        cleaned = clean_text(text)
        if not cleaned:
            await probe.expect_answer(f"content/{case}", user.id, sent["message_id"], STEP_TEXT)
        elif len(cleaned) < limits.text_min_chars:
            await probe.expect_answer(f"content/{case}", user.id, sent["message_id"], shown(TCit.TEXT_TOO_SHORT))
        elif len(cleaned) > limits.text_max_chars:
            await probe.expect_answer(f"content/{case}", user.id, sent["message_id"], shown(TCit.TEXT_TOO_LONG))
        else:
            await probe.expect_answer(f"content/{case}", user.id, sent["message_id"], TEXT_RECEIVED)
            await probe.finish(f"content/{case}", user, cleaned)

    jobs = [lambda c=c, t=t: free(c, t) for c, t in TEXTS + COMMANDS]
    jobs += [lambda c=c, t=t: content(c, t) for c, t in TEXTS]
    await run_all(jobs)
    await check_store(probe)
    report(probe, errors, "hostile texts", len(jobs))


async def test_hostile_places_and_contacts(bot: BotHarness, errors: ErrorWatch) -> None:
    probe = Probe(bot, 810_000)

    async def place(case: str, text: str) -> None:
        user = probe.citizen()
        await probe.walk(user, "place")
        sent = await bot.say(user, text)
        await probe.expect_answer(case, user.id, sent["message_id"])

    async def contact(case: str, text: str) -> None:
        user = probe.citizen()
        await probe.walk(user, "contact")
        sent = await bot.say(user, text)
        answer = await probe.expect_answer(case, user.id, sent["message_id"])
        if shown(TCit.CONTACT_SAVED) not in answer:
            return
        await bot.next_message(user, STEP_CONFIRM, timeout=REPLY_TIMEOUT)
        await bot.press(user, TCit.BUTTON_SEND)
        done = await bot.next_message(user, SENT, timeout=REPLY_TIMEOUT)
        code = CODE.search(str(done.get("text")))
        assert code is not None
        stored = await bot.store.get_by_code(code.group(0))
        assert stored is not None
        if not (stored.contact_name and is_clean_text(stored.contact_name) and len(stored.contact_name) <= 100):
            probe.failures.append(f"{case}: stored name {stored.contact_name!r:.80}")
        probe.accepted[code.group(0)] = (case, GOOD_TEXT)

    jobs = [lambda c=c, t=t: place(c, t) for c, t in PLACES]
    jobs += [lambda c=c, t=t: contact(c, t) for c, t in CONTACTS]
    await run_all(jobs)
    await check_store(probe)
    report(probe, errors, "hostile places and contacts", len(jobs))


# ------------------------------------------------------------------------------------------ other content

def _file(kind: str, seq: int) -> dict[str, Any]:
    return {"file_id": f"AgACAgEmuHOSTILE{kind}{seq}", "file_unique_id": f"AQADHostile{kind}{seq}"}


async def send_content(emu: BotApiEmulator, user: User, kind: str, seq: int) -> dict[str, Any]:
    """One non-text message of `kind` (see CONTENT), as a Telegram client would send it."""
    hostile = "<b>x</b> \u202e & ' OR 1=1 -- \x00"
    if kind == "sticker":
        return await emu.send_sticker(user)
    if kind == "animation":
        gif = {**_file("gif", seq), "width": 320, "height": 240, "duration": 2}
        return await emu.send_message(user, animation=gif, document={**_file("gif", seq), "file_name": "a.gif.mp4"})
    if kind == "poll":
        return await emu.send_message(user, poll={
            "id": str(seq), "question": hostile, "options": [
                {"text": "a", "voter_count": 0, "persistent_id": "a"},
                {"text": "b", "voter_count": 0, "persistent_id": "b"}],
            "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "regular",
            "allows_multiple_answers": False, "allows_revoting": False, "members_only": False})
    if kind == "dice":
        return await emu.send_message(user, dice={"emoji": "🎲", "value": 6})
    if kind == "venue":
        spot = {"latitude": 22.1, "longitude": 105.8}
        return await emu.send_message(user, venue={"location": spot, "title": hostile, "address": hostile},
                                      location=spot)
    if kind == "game":
        return await emu.send_message(user, game={"title": hostile, "description": hostile, "photo": []})
    if kind == "video_note":
        return await emu.send_message(user, video_note={**_file("vn", seq), "length": 240, "duration": 3})
    if kind == "audio":
        return await emu.send_message(user, audio={**_file("au", seq), "duration": 3, "title": hostile})
    if kind == "video":
        return await emu.send_message(user, video={**_file("vi", seq), "width": 640, "height": 480, "duration": 3},
                                      caption=hostile)
    if kind == "voice":
        return await emu.send_voice(user)
    if kind == "location":
        return await emu.send_location(user)
    if kind == "contact-own":
        return await emu.send_contact(user, first_name="<b>Lan</b>\u202e")
    if kind == "contact-other":
        return await emu.send_contact(user, phone_number="0987654321", first_name="Người khác", contact_user_id=99)
    if kind == "photo-hostile-caption":
        return await emu.send_photo(user, caption=(hostile + " đường hỏng ") * 150)
    if kind == "document-hostile-name":
        return await emu.send_document(user, filename="<script>alert(1)</script>\u202egpj.exe",
                                       caption="../../etc/passwd")
    if kind == "forward-user":
        return await emu.send_forwarded(user, text=hostile + " đường hỏng lâu rồi", origin=emu.user(99, "Ai"))
    if kind == "forward-channel":
        channel = emu.group(-100555, "Kênh <b>tin</b>", type="channel")
        return await emu.send_forwarded(user, text="Tin từ kênh: " + hostile, origin=channel)
    if kind == "forward-hidden":
        return await emu.send_forwarded(user, text="Chuyển tiếp ẩn " + hostile, origin="<i>Ẩn</i>")
    if kind == "edited":
        sent = await emu.send_text(user, "Đường thôn bị hỏng, đề nghị sửa sớm")
        await emu.wait_for(lambda: any(m["message_id"] > sent["message_id"] for m in emu.bot_messages(user.id)))
        await emu.edit_message(user, None, sent["message_id"], hostile)
        return sent
    if kind == "empty-message":
        return await emu.send_message(user)
    raise ValueError(kind)


async def test_stickers_media_edits_forwards(bot: BotHarness, errors: ErrorWatch) -> None:
    """Unsupported media get "not supported yet"; supported ones are attachments; edits are explained."""
    probe = Probe(bot, 820_000)

    async def case(kind: str, step: str | None, seq: int) -> None:
        user = probe.citizen()
        if step is not None:
            await probe.walk(user, step)
        before = max((m["message_id"] for m in bot.emulator.chat_messages(user.id)), default=0)
        sent = await send_content(bot.emulator, user, kind, seq)
        after = max(before, sent["message_id"])
        if kind == "edited":  # the first answer is to the original message
            after = max(m["message_id"] for m in bot.emulator.chat_messages(user.id))
        await probe.expect_answer(f"{step or 'free'}/{kind}", user.id, after)

    jobs = [lambda k=k, s=s, i=i: case(k, s, i) for i, k in enumerate(CONTENT) for s in (None, "content")]
    await run_all(jobs)
    await check_store(probe)
    report(probe, errors, "stickers, media, edits, forwards", len(jobs))


# ------------------------------------------------------------------------------------------ buttons

async def test_forged_and_replayed_buttons(bot: BotHarness, errors: ErrorWatch) -> None:
    """Forged callback data in a private chat, and real buttons pressed again after they were used:
    always an answer, and no submission, audit entry or delivery changes."""
    probe = Probe(bot, 830_000)
    owner = probe.citizen("Chủ")
    code, card = await bot.submit_feedback(owner)
    sub = await bot.store.get_by_code(code)
    assert sub is not None
    await drain_outbox(bot.store)
    before = await snapshot_tables(bot.store, sub.id)

    async def forged(case: str, data: str) -> None:
        user = probe.citizen()
        await bot.say(user, "/start")
        menu = await bot.next_message(user, shown(TCit.WELCOME), timeout=REPLY_TIMEOUT)
        data = data.replace(":1", f":{sub.id}", 1) if data.startswith(("c:", "p:")) else data
        query = await bot.emulator.click(user, None, menu["message_id"], data, strict=False)
        await probe.expect_alert(case, query)

    await run_all([lambda c=c, d=d: forged(c, d) for c, d in FORGED_CALLBACKS])
    # inline-mode messages have no chat: a button there reaches the bot without one
    stranger = probe.citizen()
    inline_press = {"id": "inline-forged-1", "from": stranger.to_dict(), "inline_message_id": "AAAA",
                    "chat_instance": "1", "data": f"c:done:{sub.id}"}
    bot.emulator.callback_queries[inline_press["id"]] = inline_press  # no helper for inline-mode buttons
    bot.emulator._enqueue("callback_query", inline_press)
    await probe.expect_alert("cb-inline-message", inline_press["id"])
    await bot.emulator.wait_idle(quiet=0.3, timeout=30)
    assert await snapshot_tables(bot.store, sub.id) == before, "a forged button changed the submission"

    # replayed: "Gửi" on the confirmation already used, the kind button of a finished flow
    for label in (TCit.BUTTON_SEND, KIND_LABELS[Kind.GOP_Y], TCit.BUTTON_ANONYMOUS, TCit.BUTTON_DONE):
        message = bot.last_with_button(owner.id, label)
        assert message is not None
        query = await bot.emulator.click_button(owner, None, message["message_id"], label)
        await probe.expect_alert(f"replay/{label}", query)
    # the card's "Tiếp nhận" twice: one transition, one notification
    group = bot.group_of("bcd-nong-ha")
    official = bot.official("bcd-nong-ha", 6001)
    for _ in range(2):
        query = await bot.emulator.click(official, group, card["message_id"], f"c:ack:{sub.id}", strict=False)
        await probe.expect_alert("replay/ack", query)
    await drain_outbox(bot.store)
    await bot.emulator.wait_idle(quiet=0.3, timeout=30)
    ledger = await Ledger.collect(bot.emulator, bot.store, bot.config, [owner])
    assert sum(ledger.stored.values()) == 1 and ledger.cards_per_code()[code] == 1
    assert ledger.notifications[(code, STATUS_LABELS["acknowledged"])] == 1
    report(probe, errors, "forged and replayed buttons", len(FORGED_CALLBACKS) + 7)


# ------------------------------------------------------------------------------------------ groups

async def test_groups_known_and_unknown(bot: BotHarness, errors: ErrorWatch) -> None:
    """Messages in a group the bot does not know are ignored (commands addressed to it get a short
    "not configured"); in a committee's group, chatter is ignored and replies to cards are checked."""
    emu = bot.emulator
    probe = Probe(bot, 840_000)
    lan = probe.citizen("Lan")
    _, card = await bot.submit_feedback(lan)
    known = bot.group_of("bcd-nong-ha")
    official = bot.official("bcd-nong-ha", 6001, "Chị Thu")
    await bot.say(official, "/id", known)
    id_message = await bot.next_message(known, shown(TC.CHAT_ID))
    stranger = emu.user(6666, "Người lạ")

    for index, case in enumerate(GROUP_MESSAGES):
        unknown = -100_777_000 - index
        emu.group(unknown, "Nhóm <b>lạ</b>")
        last = max((m["message_id"] for m in emu.chat_messages(known)), default=0)
        if case.startswith("unknown-"):
            chat, who = unknown, stranger
            last = 0
        elif case == "channel-post":
            chat, who = unknown, stranger
            last = 0
        else:
            chat, who = known, official
        answer: str | None = None  # None: to be ignored; "alert": a callback answer; else a message part
        if case in ("unknown-chatter", "known-chatter"):
            await emu.send_text(who, chat, "Chào cả nhóm <b>nhé</b> \u202e")
        elif case == "unknown-command-ours":
            await emu.send_text(who, chat, "/thongke")
            answer = TC.GROUP_UNKNOWN
        elif case == "unknown-command-other-bot":
            await emu.send_text(who, chat, "/thongke@some_other_bot")
        elif case == "unknown-sticker":
            await emu.send_sticker(who, chat)
        elif case in ("unknown-callback", "known-callback-flow"):
            own = await emu.send_text(who, chat, "tin để bấm")
            query = await emu.click(who, chat, own["message_id"], "g:send" if chat == known else f"c:ack:{1}",
                                    strict=False)
            await probe.expect_alert(case, query)
            answer = "alert"
        elif case in ("unknown-edited", "known-edited"):
            own = await emu.send_text(who, chat, "tin sẽ sửa")
            await emu.edit_message(who, chat, own["message_id"], "<b>đã sửa</b> \x00")
        elif case == "unknown-reply":
            own = await emu.send_text(who, chat, "hỏi gì đó")
            await emu.send_text(who, chat, "trả lời", reply_to=own["message_id"])
        elif case == "unknown-service":
            await emu.send_message(who, chat, new_chat_members=[stranger.to_dict()])
        elif case == "unknown-bot-added":
            emu._enqueue("my_chat_member", {  # no helper for membership updates
                "chat": emu.chats[chat].to_dict(), "from": who.to_dict(), "date": 0,
                "old_chat_member": {"status": "left", "user": emu.bot_user.to_dict()},
                "new_chat_member": {"status": "member", "user": emu.bot_user.to_dict()}})
        elif case == "channel-post":
            emu._enqueue("channel_post", {
                "message_id": 1, "date": 0, "chat": {"id": chat, "type": "channel", "title": "Kênh"},
                "text": "/thongke <b>x</b>"})
        elif case == "known-unknown-command":
            await emu.send_text(who, chat, "/khongcolenhnay")
        elif case == "known-reply-to-non-card":
            await emu.send_text(who, chat, "trả lời tin /id", reply_to=id_message["message_id"])
        elif case == "known-reply-html":
            await emu.send_text(who, chat, "<b>Xã</b> đã sửa & <script>x</script> \u202e xong", reply_to=card)
            answer = shown(TC.REPLY_RELAYED)
        elif case == "known-reply-huge":
            await emu.send_text(who, chat, "Trả lời dài. " * 800, reply_to=card)
            answer = shown(TC.REPLY_TOO_LONG)
        elif case == "known-reply-sticker":
            await emu.send_sticker(who, chat, reply_to=card)
            answer = TC.REPLY_EMPTY
        elif case == "known-gopy":
            await emu.send_text(who, chat, "/gopy")
            answer = shown(TCit.GROUP_ONLY_PRIVATE)
        else:
            raise ValueError(case)
        if answer is None:
            await probe.expect_silence(case, chat, last)
        elif answer != "alert":
            await probe.expect_answer(case, chat, last, answer)
        await emu.wait_idle(quiet=0.2, timeout=30)
    relayed = await bot.next_message(lan, "đã sửa", timeout=REPLY_TIMEOUT)
    assert "<script>x</script>" in relayed["text"], "the official's markup reaches the citizen as text"
    await check_store(probe)
    report(probe, errors, "groups", len(GROUP_MESSAGES))


# ------------------------------------------------------------------------------------------ inline, floods

async def test_inline_queries(bot: BotHarness, errors: ErrorWatch) -> None:
    probe = Probe(bot, 850_000)
    for case, text in INLINE_QUERIES:
        user = probe.citizen()
        query = await bot.emulator.inline_query(user, text)
        try:
            await bot.emulator.wait_for_inline_answer(query, timeout=REPLY_TIMEOUT)
        except TimeoutError:
            probe.failures.append(f"{case}: inline query not answered")
    report(probe, errors, "inline queries", len(INLINE_QUERIES))


async def test_floods_from_one_user(bot_factory, errors: ErrorWatch) -> None:
    """One citizen sends 40 messages and 40 button presses in a burst, in the middle of the flow: one
    warning, at most the per-minute limit handled, the draft still consistent and submittable."""
    bot = await bot_factory(config=harness_config(citizen_messages_per_minute=12))
    probe = Probe(bot, 860_000)
    user = probe.citizen()
    prompt = await probe.walk(user, "content")
    for i in range(40):
        await bot.say(user, f"Tin nhắn dồn dập số {i} về đường hỏng")
        await bot.emulator.click(user, None, prompt["message_id"], "g:cancel" if i == 39 else "g:done",
                                 strict=False)
    await bot.emulator.wait_idle(quiet=0.5, timeout=30)
    texts = [str(m.get("text")) for m in bot.emulator.bot_messages(user.id)]
    warnings = [t for t in texts if RATE_LIMITED in t]
    assert len(warnings) == 1, texts[-5:]
    draft = await bot.store.get_draft(user.id)
    assert draft is not None and is_clean_text(str(draft.data.get("text", "")))
    unanswered = [q for q in bot.emulator.callback_queries if q not in bot.emulator.callback_answers]
    print(f"\n[flood] 80 updates in a burst: {len(texts)} bot messages, 1 warning, "
          f"{len(unanswered)} presses left unanswered")
    assert not unanswered, "a refused button press is still answered (no endless spinner)"
    report(probe, errors, "flood", 80)
