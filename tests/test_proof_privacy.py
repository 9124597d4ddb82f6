"""Proof: anonymous means anonymous, deleted means deleted, and the token never reaches a log.

* An anonymous submission with every kind of attachment, a reply thread, a rating, the reports and
  the exports: nothing the officials receive (message texts, captions, entities, copies, files)
  names the sender, and attachments travel by copyMessage only — never forwardMessage.
* /xoadulieu and the retention purge: afterwards no table holds the citizen's Telegram id, name,
  username or phone — not even inside queued or delivered message payloads.
* Every log record at DEBUG, from every library, during a full flow with faults: no token.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import openpyxl

from bot.app import install_token_redaction
from bot.handlers.reports import purge_personal_data, send_digest
from bot.reports.labels import Labels
from bot.reports.periods import parse_period, today_in
from bot.reports.spreadsheet import build_csv, build_xlsx
from bot.texts import citizen as TCit
from bot.texts import committee as TC
from bot.texts import reports as TR
from bot.texts.common import KIND_LABELS, STATUS_LABELS
from tests.bot_fixtures import BotHarness, shown
from tests.test_proof_support import (
    CARD_MARK,
    CODE,
    ErrorWatch,
    Intent,
    ResilientCitizen,
    all_text_in_database,
    drain_outbox,
    short_client_timeouts,
)
from tgemulator import BotApiEmulator

SECRET_ID = 987_654_321
FIRST, LAST, USERNAME, PHONE = "Bímật", "Trịnh Thị", "bimat_trinh", "0912345678"  # the harness shares this phone


def received(what: str) -> str:
    """The note that an attachment of this kind was received: "📎 Đã nhận ảnh (…"."""
    return shown(TCit.ATTACHMENT_RECEIVED, what=TCit.ATTACHMENT_WHAT[what])


def secrets_of(user_id: int = SECRET_ID) -> list[str]:
    return [str(user_id), FIRST, LAST, USERNAME, PHONE, PHONE[1:]]


def leaks(blob: str, user_id: int = SECRET_ID) -> list[str]:
    return [s for s in secrets_of(user_id) if s in blob]


# ------------------------------------------------------------------------------------------ anonymity

async def test_anonymous_submission_reveals_nothing_to_officials(bot: BotHarness) -> None:
    emu = bot.emulator
    citizen = emu.user(SECRET_ID, FIRST, LAST, USERNAME)
    await bot.say(citizen, "/gopy")
    await bot.press(citizen, KIND_LABELS["phan_anh"])
    await bot.say(citizen, "nong ha")
    await bot.press(citizen, "Đất đai, quy hoạch, xây dựng")
    await bot.say(citizen, "Bãi đất công cạnh nhà văn hóa thôn Nà Mố bị lấn chiếm để xây quán.")
    await bot.next_message(citizen, shown(TCit.TEXT_RECEIVED))
    await emu.send_photo(citizen, caption="ảnh chụp hôm qua")
    await bot.next_message(citizen, received("photo"))
    await emu.send_document(citizen, filename="don.pdf", caption="đơn kèm theo")
    await bot.next_message(citizen, received("document"))
    await emu.send_voice(citizen)
    await bot.next_message(citizen, received("voice"))
    await emu.send_location(citizen)
    await bot.next_message(citizen, received("location"))
    await bot.press(citizen, TCit.BUTTON_DONE)
    await bot.press(citizen, TCit.BUTTON_ANONYMOUS)
    await bot.press(citizen, TCit.BUTTON_SEND)
    done = await bot.next_message(citizen, shown(TCit.SENT))
    code = CODE.search(done["text"]).group(0)  # type: ignore[union-attr]
    group = bot.group_of("bcd-nong-ha")
    card = await bot.next_message(group, code)
    for index in range(1, 4):
        await bot.next_message(group, TC.ATTACHMENT_CAPTION.format(code=code, index=index, total=4))
    await drain_outbox(bot.store)

    # the thread: acknowledged, answered, the citizen answers back with a photo, resolved, rated
    official = bot.official("bcd-nong-ha", 6001, "Chị Thu")
    await emu.click_button(official, group, card["message_id"], TC.BUTTON_ACK)
    await bot.next_message(citizen, STATUS_LABELS["acknowledged"])
    await bot.say(official, "Xã sẽ kiểm tra hiện trường.", group, reply_to=card["message_id"])
    answer = await bot.next_message(citizen, "kiểm tra hiện trường")
    await bot.say(citizen, "Cảm ơn, tôi là hàng xóm của quán", reply_to=answer["message_id"])
    await bot.next_message(group, "hàng xóm")
    await emu.send_photo(citizen, caption="ảnh mới", reply_to=answer["message_id"])
    await bot.next_message(group, shown(TC.CITIZEN_ATTACHMENT, code=code))
    await emu.click_button(official, group, card["message_id"], TC.BUTTON_RESOLVED)
    await bot.press(citizen, TCit.BUTTON_RATE)
    await bot.press(citizen, TCit.RATING_LABELS[3])
    await bot.next_message(group, shown(TC.RATED, code=code, stars=4))

    # reports and exports an official or an admin can get
    tz = bot.config.timezone
    today = datetime.now(tz).date()
    await bot.say(official, f"/baocao {today:%d/%m/%Y}", group)
    xlsx = await emu.wait_for(lambda: next((f for f in emu.files_sent_to(group)
                                            if f.filename and f.filename.endswith(".xlsx")), None), timeout=20)
    await bot.say(official, "/thongke", group)
    await bot.next_message(group, shown(TR.STATS_TITLE))
    await send_digest(bot.app, now=datetime.now(UTC) + timedelta(days=40))
    await drain_outbox(bot.store)
    await emu.wait_idle(quiet=0.3, timeout=30)
    period = parse_period([f"{today:%d/%m/%Y}"], today_in(tz, bot.store.clock()))
    since, until = period.bounds(tz)
    rows = await bot.store.export_rows(since, until, None)
    exports = build_csv(rows, Labels(bot.config), tz=tz).decode("utf-8-sig", errors="replace")
    sheet_cells = [str(c) for ws in openpyxl.load_workbook(io.BytesIO(xlsx.data)).worksheets
                   for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    own_xlsx = build_xlsx(rows, Labels(bot.config), tz=tz, period=period, scope="x", now=datetime.now(UTC))
    own_cells = [str(c) for ws in openpyxl.load_workbook(io.BytesIO(own_xlsx)).worksheets
                 for row in ws.iter_rows(values_only=True) for c in row if c is not None]

    seen_by_officials = json.dumps(emu.chat_messages(group), ensure_ascii=False)
    found = {
        "group messages (text, captions, entities, origins)": leaks(seen_by_officials),
        "/baocao spreadsheet": leaks("\n".join(sheet_cells)),
        "hopthu export csv": leaks(exports),
        "hopthu export xlsx": leaks("\n".join(own_cells)),
        "export rows": [r.code for r in rows if r.name or r.phone],
    }
    copies = emu.calls_to("copyMessage", ok=True)
    print(f"\n[anonymity] group messages={len(emu.chat_messages(group))} copies={len(copies)} "
          f"forwards={len(emu.calls_to('forwardMessage'))} leaks={found}")
    assert not any(found.values()), found
    assert not emu.calls_to("forwardMessage"), "a forward would reveal the sender"
    assert len(copies) == 5, "four attachments and the citizen's photo in the thread, all copied"
    for message in emu.chat_messages(group):
        assert "forward_origin" not in message and "forward_from" not in message
        assert message.get("from", {}).get("id") != SECRET_ID, "a message from the citizen in the group"


# ------------------------------------------------------------------------------------------ deletion

async def _named_citizen_with_history(bot: BotHarness, emu: BotApiEmulator, user_id: int) -> tuple[str, str]:
    """A citizen with a named and an anonymous submission, a question asked and a draft in progress."""
    citizen = emu.user(user_id, FIRST, LAST, USERNAME)
    named, _ = await bot.submit_feedback(citizen, anonymous=False, photo=True, text=(
        "Đề nghị xã công khai danh sách hộ được hỗ trợ làm nhà năm nay."))
    anonymous, _ = await bot.submit_feedback(citizen, text="Đèn đường thôn Bản Chang hỏng đã hai tuần rồi.")
    await bot.say(citizen, "/hoi xã phải công khai những gì")
    await bot.next_message(citizen)
    await bot.say(citizen, "/gopy")
    await bot.next_message(citizen, shown(TCit.ASK_KIND))
    return named, anonymous


async def test_delete_my_data_removes_every_trace(bot: BotHarness) -> None:
    emu = bot.emulator
    named, anonymous = await _named_citizen_with_history(bot, emu, SECRET_ID)
    await drain_outbox(bot.store)
    before = leaks(await all_text_in_database(bot.store))
    assert before, "the test must start with personal data stored"
    # a status change still waiting to be delivered to the citizen when they delete their data
    emu.inject("429", "sendMessage", chat_id=SECRET_ID, retry_after=5)
    group = bot.group_of("bcd-nong-ha")
    official = bot.official("bcd-nong-ha", 6001)
    card = next(m for m in emu.bot_messages(group) if named in str(m.get("text")) and CARD_MARK in m["text"])
    await emu.click_button(official, group, card["message_id"], TC.BUTTON_ACK)
    await emu.wait_for(lambda: emu.faults.count() == 1, description="the notification held back")
    citizen = emu.user(SECRET_ID, FIRST, LAST, USERNAME)
    await bot.say(citizen, "/xoadulieu")
    await bot.press(citizen, TCit.BUTTON_DELETE_YES)
    done = await bot.next_message(citizen, shown(TCit.DELETE_DONE))
    await drain_outbox(bot.store)
    after = leaks(await all_text_in_database(bot.store))
    last = max(m["message_id"] for m in emu.chat_messages(SECRET_ID))
    # the committee answers later: recorded, but nobody can be told
    await bot.say(official, "Xã đã nhận được, cảm ơn.", group, reply_to=card["message_id"])
    await bot.next_message(group, shown(TC.REPLY_NO_CITIZEN, code=named))
    await emu.wait_idle(quiet=0.3)
    told = [m for m in emu.bot_messages(SECRET_ID) if m["message_id"] > last]
    for code in (named, anonymous):
        stored = await bot.store.get_by_code(code)
        assert stored is not None and stored.citizen_user_id is None and stored.contact_name is None
    print(f"\n[/xoadulieu] secrets stored before={before} after={after}; told afterwards={len(told)}; "
          f"answer: {done['text'][:90]}…")
    assert after == [], f"personal data left in the database: {after}"
    assert told == [], "nothing is sent to a citizen who erased their data"
    remaining = TCit.DELETE_DONE.split("{remaining}")[1]  # " ý kiến đã gửi, …"
    assert f"2{remaining}" in done["text"]


async def test_retention_purge_removes_old_personal_data(bot: BotHarness) -> None:
    emu = bot.emulator
    named, anonymous = await _named_citizen_with_history(bot, emu, SECRET_ID)
    group = bot.group_of("bcd-nong-ha")
    official = bot.official("bcd-nong-ha", 6001)
    for code in (named, anonymous):
        card = next(m for m in emu.bot_messages(group) if code in str(m.get("text")) and CARD_MARK in m["text"])
        query = await emu.click_button(official, group, card["message_id"], TC.BUTTON_RESOLVED)
        await emu.wait_for_callback_answer(query, timeout=10)
    await bot.say(emu.user(SECRET_ID, FIRST, LAST, USERNAME), "/huy")
    await drain_outbox(bot.store)
    # someone else's recent, open submission must keep its sender (they still have to be told)
    other = emu.user(SECRET_ID + 1, "Hoa", "Lê")
    recent = await ResilientCitizen(emu, other, Intent("Cống thoát nước thôn Nà Mố bị tắc từ tuần trước.")).run()
    await drain_outbox(bot.store)
    assert leaks(await all_text_in_database(bot.store))
    # the daily job, run as if a year and a day went by for the closed ones
    later = datetime.now(UTC) + timedelta(days=bot.config.retention_days + 1)
    await purge_personal_data(bot.app, now=later)
    after = leaks(await all_text_in_database(bot.store))
    kept = await bot.store.get_by_code(recent)
    jobs = [job.name for job in bot.app.job_queue.jobs()] if bot.app.job_queue else []
    print(f"\n[retention] personal data after the purge: {after}; recent open submission keeps its sender: "
          f"{kept is not None and kept.citizen_user_id is not None}; jobs={jobs}")
    assert after == []
    assert "retention-purge" in jobs
    assert kept is not None and kept.citizen_user_id == SECRET_ID + 1


# ------------------------------------------------------------------------------------------ the token

async def test_token_never_logged(bot_factory, emulator: BotApiEmulator) -> None:
    """All loggers at DEBUG (httpx's request lines carry the URL with the token) during a full flow
    with 429/500/502/drop/timeout faults, the reports and a restart: the token appears nowhere."""
    watch = ErrorWatch(level=logging.DEBUG)
    names = ["", "httpx", "httpcore", "telegram", "telegram.ext", "bot", "storage", "aiohttp", "asyncio"]
    old = {name: logging.getLogger(name).level for name in names}
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    with watch.installed():
        bot = await bot_factory()
        for name in names:  # after the bot installed its redaction (which quiets httpx to WARNING)
            logging.getLogger(name).setLevel(logging.DEBUG)
        try:
            short_client_timeouts(bot.app)
            for kind in ("429", "500", "502", "drop", "timeout"):
                emulator.inject(kind, probability=0.02, retry_after=1, hold=5)
            people = [emulator.user(77_000 + i, "Lan") for i in range(4)]
            codes = await asyncio.gather(*(
                ResilientCitizen(emulator, u, Intent(f"Đường thôn số {i} bị sạt lở sau mưa."), patience=2.0).run()
                for i, u in enumerate(people)))
            emulator.faults.clear()
            official = bot.official("bcd-nong-ha", 6001)
            group = bot.group_of("bcd-nong-ha")
            await bot.say(official, "/baocao", group)
            await bot.next_message(group, f"{TR.CHART_FILE_STEM}_", timeout=20)
            await drain_outbox(bot.store)
            second = await bot_factory(store=bot.store)  # a restart on the same database
            await second.say(people[0], "/trangthai")
            await second.next_message(people[0], codes[0])
        finally:
            for name, level in old.items():
                logging.getLogger(name).setLevel(level)
    text = "\n".join(formatter.format(r) for r in watch.records)
    token = emulator.token
    secrets = [token, token.split(":", 1)[1], quote(token, safe="")]
    failures = [r for r in watch.records if r.exc_info or "aiohttp." in r.getMessage()]
    calls = [r for r in watch.records if r.name.startswith("telegram") and r.levelno == logging.DEBUG]
    print(f"\n[token] {len(watch.records)} log records at DEBUG ({len(calls)} of PTB's about its calls, "
          f"{len(failures)} of failed calls, {emulator.faults.count()} faults); token found "
          f"{sum(text.count(s) for s in secrets)} times")
    assert len(calls) > 100 and failures  # the logging that could have carried the token did happen
    for secret in secrets:
        assert secret not in text


def test_redaction_covers_message_arguments_and_traceback() -> None:
    """What reaches a log with the token in it — a URL in the message, in an argument, in an
    exception's text — is written with <token>, whatever the handler's formatter."""
    token = "987654321:REDACT-me_abcdefghijklmnopqrstuvw"
    url = f"http://127.0.0.1:8081/bot{token}/sendMessage"
    previous = logging.getLogRecordFactory()
    install_token_redaction(token)
    try:
        logger = logging.getLogger("hopthu.test.redaction")
        watch = ErrorWatch(level=logging.DEBUG)
        with watch.installed():
            logger.warning("POST %s", url)
            logger.warning(f"GET {quote(token, safe='')}/file")
            try:
                raise ConnectionError(f"Connection timeout to host {url}")
            except ConnectionError:
                logger.exception("call failed")
        lines = [logging.Formatter("%(message)s").format(r) for r in watch.records]
    finally:
        logging.setLogRecordFactory(previous)
    assert len(lines) == 3 and all("<token>" in line for line in lines), lines
    assert not any(token in line or quote(token, safe="") in line for line in lines)


async def test_delete_while_the_card_is_still_queued(bot: BotHarness) -> None:
    """/xoadulieu while the named card is still waiting in the outbox (Telegram said 429): the card
    still reaches the committee, and afterwards no stored payload keeps the name or the phone."""
    emu = bot.emulator
    group = bot.group_of("bcd-nong-ha")
    emu.inject("429", "sendMessage", chat_id=group, retry_after=2)
    citizen = emu.user(SECRET_ID, FIRST, LAST, USERNAME)
    await bot.say(citizen, "/gopy")
    await bot.press(citizen, KIND_LABELS["kien_nghi"])
    await bot.say(citizen, "nong ha")
    await bot.press(citizen, "Đất đai, quy hoạch, xây dựng")
    await bot.say(citizen, "Đề nghị xã đo đạc lại ranh giới đất giữa hai thôn cho rõ ràng.")
    await bot.press(citizen, TCit.BUTTON_DONE)
    await bot.press(citizen, TCit.BUTTON_NAMED)
    await emu.send_contact(citizen, phone_number=PHONE)
    await bot.press(citizen, TCit.BUTTON_SEND)
    done = await bot.next_message(citizen, shown(TCit.SENT))
    code = CODE.search(done["text"]).group(0)  # type: ignore[union-attr]
    await emu.wait_for(lambda: emu.faults.count() == 1, description="the card held back by a 429")
    await bot.say(citizen, "/xoadulieu")
    await bot.press(citizen, TCit.BUTTON_DELETE_YES)
    await bot.next_message(citizen, shown(TCit.DELETE_DONE))
    card = await bot.next_message(group, code, timeout=15)
    await drain_outbox(bot.store)
    after = leaks(await all_text_in_database(bot.store))
    print(f"\n[/xoadulieu, card still queued] card delivered: {code in card['text']}; "
          f"personal data left in the database: {after}")
    assert after == [], f"personal data left in the database: {after}"
