"""/thongke, /quahan, /baocao and the daily digest end to end: the real Application over HTTP against the
local Bot API emulator, on a quarter of submissions written through the Store. Assertions are on what
the bot actually sent: message texts, and the bytes of the uploaded .xlsx and .png.
"""

from __future__ import annotations

import functools
import io
import logging
from datetime import time, timedelta
from pathlib import Path

import openpyxl
import pytest
import pytest_asyncio
from PIL import Image

from bot.config import load_config
from bot.handlers import reports
from bot.reports.render import render_in_child
from bot.texts import reports as T
from bot.texts.common import KIND_LABELS, STATUS_LABELS
from tests.bot_fixtures import ADMIN_ID, BotFactory, BotHarness, shown
from tests.reports_seed import HIDDEN, NOW, Seeded, seed
from tests.storage_fixtures import FakeClock
from tests.test_reports_render import dying_target, raising_target

ROOT = Path(__file__).resolve().parents[1]
NONG_HA = "bcd-nong-ha"
NONG_HA_Q3 = ["resolved", "anonymous", "late", "formula", "first_minute", "erased"]
NONG_HA_NAME = "Ban Chỉ đạo thực hiện QCDC xã Nông Hạ"  # bot.yaml data

# The lines of the /thongke title and of the digest title, and a /quahan item's second line.
STATS_HEAD, STATS_PERIOD, STATS_TOTAL = T.STATS_TITLE.split("\n")
DIGEST_COUNT = T.DIGEST_TITLE.split("\n")[1]
OVERDUE_WHAT = T.OVERDUE_LINE.split("\n")[1]
STATS = shown(T.STATS_TITLE)  # "📊 Thống kê ý kiến —", as read
DIGEST = shown(T.DIGEST_TITLE)  # "🌅 Nhắc việc hằng ngày —", as read
DIGEST_SENT = T.DIGEST_TITLE.split("{")[0]  # the same, as sent (with its markup)


def quarter(n: int, year: int = 2026) -> str:
    return T.PERIOD_QUARTER.format(quarter=n, year=year)


def stats_line(label: str, count: int) -> str:
    return shown(T.STATS_LINE, label=label, count=count)


def status_line(status: str, count: int) -> str:
    """A status's line of /thongke, after its icon (bot.reports.messages writes "{icon} {label}: {count}")."""
    return f"{STATUS_LABELS[status]}: {count}"


@pytest_asyncio.fixture
async def world(bot_factory: BotFactory) -> tuple[BotHarness, Seeded]:
    """The bot on a seeded database (written through its Store; the seed queues no messages), its clock
    frozen at 08:00 on 20/09/2026 in Hà Nội. The harness stops the bot and closes the store."""
    bot = await bot_factory()
    seeded = await seed(bot.store, load_config(ROOT / "bot.yaml"))
    bot.store.clock = FakeClock(NOW)
    return bot, seeded


def sent_texts(bot: BotHarness, chat_id: int, contains: str) -> list[str]:
    return [c.params["text"] for c in bot.emulator.calls_to("sendMessage", ok=True)
            if c.params.get("chat_id") == chat_id and contains in c.params.get("text", "")]


# ------------------------------------------------------------------------------------------ /thongke

async def test_thongke_in_a_committee_group_counts_that_committee(world: tuple[BotHarness, Seeded]) -> None:
    bot, _ = world
    group = bot.group_of(NONG_HA)
    await bot.say(bot.official(NONG_HA), "/thongke", chat=group)
    message = await bot.next_message(group, STATS)
    text = message["text"]
    assert shown(STATS_HEAD, scope=NONG_HA_NAME) in text
    assert shown(STATS_PERIOD, period=quarter(3)) in text  # the default: this quarter, in Hà Nội's calendar
    assert shown(STATS_TOTAL, total=6) in text
    assert status_line("new", 2) in text and status_line("resolved", 2) in text
    assert status_line("in_progress", 1) in text
    assert stats_line("Môi trường, an ninh trật tự", 1) in text and stats_line("Xã Nông Hạ", 6) in text
    assert f"{shown(T.STATS_MEDIAN_ACK)} {T.DAYS.format(n=1)}" in text  # 1 day and some hours
    assert shown(T.STATS_ON_TIME, share="40%", on_time=2, judged=5) in text
    assert shown(T.STATS_RATING, average="5,0", count=1) in text
    assert "Liên đoàn" not in text and shown(T.STATS_BY_COMMITTEE) not in text
    bold = [e for e in message.get("entities", []) if e["type"] == "bold"]
    assert bold, "the HTML was parsed by Telegram (bold title)"


async def test_thongke_with_a_period_and_with_a_bad_date(world: tuple[BotHarness, Seeded]) -> None:
    bot, _ = world
    group = bot.group_of(NONG_HA)
    official = bot.official(NONG_HA)
    await bot.say(official, "/thongke quý 2/2026", chat=group)
    text = (await bot.next_message(group, STATS))["text"]
    assert shown(STATS_PERIOD, period=quarter(2)) in text and shown(STATS_TOTAL, total=1) in text
    await bot.say(official, "/thongke 31/02/2026", chat=group)
    error = await bot.next_message(group, shown(T.PERIOD_NO_SUCH_DAY, word="31/02/2026"))
    assert error["text"] == T.PERIOD_NO_SUCH_DAY.format(word="31/02/2026", month=2, year=2026, day=31)


async def test_thongke_for_an_admin_in_private_covers_every_committee(world: tuple[BotHarness, Seeded]) -> None:
    bot, _ = world
    admin = bot.emulator.user(ADMIN_ID, "Quản trị")
    await bot.say(admin, "/thongke")
    text = (await bot.next_message(admin, STATS))["text"]
    assert T.SCOPE_ALL in text and shown(STATS_TOTAL, total=9) in text
    assert shown(T.STATS_BY_COMMITTEE) in text and stats_line("Liên đoàn Lao động huyện Chợ Mới", 1) in text
    await bot.say(admin, "/thongke bcd-nong-thinh")
    text = (await bot.next_message(admin, STATS))["text"]
    assert "xã Nông Thịnh" in text and shown(STATS_TOTAL, total=1) in text


async def test_a_citizen_is_told_where_reports_work(world: tuple[BotHarness, Seeded]) -> None:
    bot, _ = world
    citizen = bot.citizen(5099, "Tò Mò")
    for command in ("/thongke", "/quahan", "/baocao"):
        await bot.say(citizen, command)
        reply = await bot.next_message(citizen)
        assert reply["text"].startswith(shown(T.GROUP_ONLY))
    assert not bot.emulator.calls_to("sendDocument")


# ------------------------------------------------------------------------------------------ /quahan

async def test_quahan_lists_only_that_committees_late_items(world: tuple[BotHarness, Seeded]) -> None:
    bot, seeded = world
    group = bot.group_of(NONG_HA)
    await bot.say(bot.official(NONG_HA), "/quahan", chat=group)
    text = (await bot.next_message(group, shown(T.OVERDUE_TITLE)))["text"]
    assert shown(T.OVERDUE_TITLE, committee=NONG_HA_NAME, count=3) in text
    for key in ("anonymous", "late", "erased"):
        assert seeded[key].code in text
    for key in ("formula", "resolved", "other_committee", "workers"):
        assert seeded[key].code not in text
    late = seeded["late"].code
    assert shown(T.OVERDUE_LINE, code=late, kind=KIND_LABELS["khieu_nai"], topic="Công khai thông tin",
                 what=T.OVERDUE_RESOLVE, late=T.DAYS.format(n=20), due="31/08/2026 08:00") in text
    assert HIDDEN[0] not in text


async def test_quahan_when_nothing_is_late(world: tuple[BotHarness, Seeded]) -> None:
    bot, _ = world
    group = bot.group_of("bcd-my-thanh")
    await bot.say(bot.official("bcd-my-thanh", 6002), "/quahan", chat=group)
    text = (await bot.next_message(group))["text"]
    assert text == T.OVERDUE_NONE.format(committee="Ban Chỉ đạo thực hiện QCDC và phong trào Dân vận khéo xã Mỹ Thanh")


# ------------------------------------------------------------------------------------------ /baocao

async def test_baocao_sends_the_spreadsheet_and_the_chart(world: tuple[BotHarness, Seeded], tmp_path: Path) -> None:
    bot, seeded = world
    group = bot.group_of(NONG_HA)
    await bot.say(bot.official(NONG_HA), "/baocao", chat=group)
    await bot.emulator.wait_for_message(group, f"{T.CHART_FILE_STEM}_", timeout=15)
    files = bot.emulator.files_sent_to(group)
    assert [f.method for f in files] == ["sendDocument", "sendDocument"]
    xlsx, png = files
    assert xlsx.filename == f"{T.REPORT_FILE_STEM}_bcd-nong-ha_2026-07-01_2026-09-30.xlsx"
    assert png.filename == f"{T.CHART_FILE_STEM}_bcd-nong-ha_2026-07-01_2026-09-30.png"
    assert xlsx.caption == T.REPORT_XLSX_CAPTION.format(scope=NONG_HA_NAME, period=quarter(3), count=6)
    # the spreadsheet the group received lists exactly the committee's submissions of the quarter
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data))[T.SHEET_ROWS]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == [s.code for s in seeded.of(NONG_HA, NONG_HA_Q3)]
    stored = {s.code: s for s in seeded.of(NONG_HA, NONG_HA_Q3)}
    for row in rows:
        sub = stored[row[1]]
        assert row[16] == sub.text
        if sub.anonymous or sub.personal_data_removed_at is not None:
            assert row[14] is None and row[15] is None
        else:
            assert (row[14], row[15]) == (sub.contact_name, sub.contact_phone)
    # the chart is a real picture
    assert png.data.startswith(b"\x89PNG\r\n\x1a\n") and len(png.data) > 20_000
    assert Image.open(io.BytesIO(png.data)).size[0] >= 1000
    (tmp_path / png.filename).write_bytes(png.data)
    # nothing went to any other group
    assert {c.params["chat_id"] for c in bot.emulator.calls_to("sendDocument")} == {group}


async def test_baocao_of_a_range_and_refusals(world: tuple[BotHarness, Seeded]) -> None:
    bot, seeded = world
    group = bot.group_of(NONG_HA)
    official = bot.official(NONG_HA)
    await bot.say(official, "/baocao Q3/2026 Q2/2026", chat=group)
    error = await bot.next_message(group, shown(T.PERIOD_REVERSED))
    assert error["text"].startswith(T.PERIOD_REVERSED.format(start="01/07/2026", end="30/06/2026"))
    await bot.say(official, "/baocao 13/2026", chat=group)
    bad_month = shown(T.PERIOD_BAD_MONTH, month=13, word="13/2026")
    assert bad_month in (await bot.next_message(group, bad_month))["text"]
    assert not bot.emulator.calls_to("sendDocument")

    await bot.say(official, "/baocao 01/07/2026 31/07/2026", chat=group)
    await bot.emulator.wait_for_message(group, f"{T.CHART_FILE_STEM}_", timeout=15)
    xlsx = bot.emulator.files_sent_to(group)[0]
    assert xlsx.filename == f"{T.REPORT_FILE_STEM}_bcd-nong-ha_2026-07-01_2026-07-31.xlsx"
    codes = [r[1] for r in openpyxl.load_workbook(io.BytesIO(xlsx.data))[T.SHEET_ROWS].iter_rows(
        min_row=2, values_only=True)]
    assert codes == [s.code for s in seeded.of(NONG_HA, ["first_minute", "resolved", "anonymous"])]


async def test_baocao_includes_a_submission_made_through_the_bot(world: tuple[BotHarness, Seeded]) -> None:
    bot, _ = world
    bot.store.clock = FakeClock(NOW)  # the flow stamps it inside the quarter
    code, _card = await bot.submit_feedback(bot.citizen(5100, "Hà"), anonymous=True)
    group = bot.group_of(NONG_HA)
    await bot.say(bot.official(NONG_HA), "/baocao", chat=group)
    await bot.emulator.wait_for_message(group, f"{T.CHART_FILE_STEM}_", timeout=15)
    xlsx = next(f for f in bot.emulator.files_sent_to(group) if f.filename and f.filename.endswith(".xlsx"))
    rows = {r[1]: r for r in openpyxl.load_workbook(io.BytesIO(xlsx.data))[T.SHEET_ROWS].iter_rows(
        min_row=2, values_only=True)}
    assert code in rows and rows[code][13] == T.YES and rows[code][14] is None
    assert "Hà" not in str(rows[code])


async def test_baocao_when_the_child_fails_the_group_is_told_and_the_next_report_works(
        world: tuple[BotHarness, Seeded], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    bot, _ = world
    group = bot.group_of(NONG_HA)
    official = bot.official(NONG_HA)
    caplog.set_level(logging.ERROR, logger="bot.handlers.reports")
    # The failure is chosen in the parent (the target is passed to the child by name, not monkeypatched there).
    for target in (raising_target, dying_target):
        monkeypatch.setattr(reports, "render_in_child", functools.partial(render_in_child, target=target))
        await bot.say(official, "/baocao", chat=group)
        error = await bot.next_message(group, T.REPORT_FAILED, timeout=15)
        assert error["text"] == T.REPORT_FAILED
    assert not bot.emulator.calls_to("sendDocument")
    failures = [r for r in caplog.records if r.getMessage().startswith("/baocao: rendering")]
    assert len(failures) == 2 and all(r.exc_info for r in failures)
    assert "BrokenProcessPool" in repr(failures[1].exc_info)

    monkeypatch.setattr(reports, "render_in_child", render_in_child)
    await bot.say(official, "/baocao", chat=group)
    await bot.emulator.wait_for_message(group, f"{T.CHART_FILE_STEM}_", timeout=15)
    assert [f.filename for f in bot.emulator.files_sent_to(group)] == [
        f"{T.REPORT_FILE_STEM}_bcd-nong-ha_2026-07-01_2026-09-30.xlsx",
        f"{T.CHART_FILE_STEM}_bcd-nong-ha_2026-07-01_2026-09-30.png"]


# ------------------------------------------------------------------------------------------ daily jobs

async def test_digest_goes_to_each_committee_with_overdue_items_only(world: tuple[BotHarness, Seeded]) -> None:
    bot, seeded = world
    sent = await reports.send_digest(bot.app)
    assert sent == {"bcd-nong-ha": 3, "bcd-nong-thinh": 1}
    nong_ha, nong_thinh = bot.group_of(NONG_HA), bot.group_of("bcd-nong-thinh")
    first = (await bot.next_message(nong_ha, DIGEST))["text"]
    second = (await bot.next_message(nong_thinh, DIGEST))["text"]
    assert shown(DIGEST_COUNT, count=3) in first
    assert all(seeded[k].code in first for k in ("anonymous", "late", "erased"))
    assert seeded["other_committee"].code not in first
    late = f"{T.DAYS.format(n=3)} {T.HOURS.format(n=23)}"
    assert seeded["other_committee"].code in second and shown(OVERDUE_WHAT, what=T.OVERDUE_RESOLVE, late=late) in second
    assert seeded["late"].code not in second
    await bot.emulator.wait_idle(quiet=0.3)
    digests = [c.params["chat_id"] for c in bot.emulator.calls_to("sendMessage", ok=True)
               if DIGEST_SENT in c.params.get("text", "")]
    assert sorted(digests) == sorted([nong_ha, nong_thinh])  # nothing to Mỹ Thanh, LĐLĐ or anyone else

    # a second run the same day (a restart, another replica) sends nothing new
    await reports.send_digest(bot.app)
    await bot.emulator.wait_idle(quiet=0.5)
    again = [c for c in bot.emulator.calls_to("sendMessage") if DIGEST_SENT in c.params.get("text", "")]
    assert len(again) == 2
    # the next morning it is sent again
    await reports.send_digest(bot.app, now=NOW + timedelta(days=1))
    await bot.next_message(nong_ha, DIGEST)
    assert len(sent_texts(bot, nong_ha, DIGEST_SENT)) == 2


async def test_daily_jobs_are_scheduled_in_local_time(world: tuple[BotHarness, Seeded]) -> None:
    bot, _ = world
    assert bot.app.job_queue is not None
    jobs = {job.name: job for job in bot.app.job_queue.jobs()}
    assert set(jobs) >= {reports.DIGEST_JOB, reports.PURGE_JOB}
    tz = bot.config.timezone
    digest_next = jobs[reports.DIGEST_JOB].next_t
    assert digest_next is not None and digest_next.astimezone(tz).time() == time(7, 30)
    assert jobs[reports.PURGE_JOB].next_t.astimezone(tz).time() == reports.PURGE_TIME  # type: ignore[union-attr]


async def test_retention_purge_removes_old_personal_data(world: tuple[BotHarness, Seeded]) -> None:
    bot, seeded = world
    named = seeded["resolved"]
    assert named.contact_name is not None
    later = NOW + timedelta(days=bot.config.retention_days + 120)
    await reports.purge_personal_data(bot.app, now=later)
    after = await bot.store.get_submission(named.id)
    assert after is not None and after.contact_name is None and after.citizen_user_id is None
    still_open = await bot.store.get_submission(seeded["late"].id)
    assert still_open is not None and still_open.contact_name is not None  # open: the sender must still be told
