"""The texts of /thongke, /quahan and the digest, from the Store's own statistics and overdue lists."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.reports.labels import Labels
from bot.reports.messages import (
    DIGEST_MAX_ITEMS,
    digest_text,
    fmt_duration,
    fmt_share,
    overdue_text,
    stats_text,
)
from bot.reports.periods import Period
from storage import OverdueItem, Store
from tests.reports_seed import NOW, Seeded, seed

ROOT = Path(__file__).resolve().parents[1]
Q3 = Period(date(2026, 7, 1), date(2026, 9, 30))


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(ROOT / "bot.yaml")


@pytest.fixture
async def seeded(store: Store, config: Config) -> Seeded:
    return await seed(store, config)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "dưới 1 phút"),
        (59, "dưới 1 phút"),
        (60, "1 phút"),
        (3599, "59 phút"),
        (3600, "1 giờ"),
        (3600 + 12 * 60, "1 giờ 12 phút"),
        (86400, "1 ngày"),
        (2 * 86400 + 3 * 3600 + 59 * 60, "2 ngày 3 giờ"),
        (timedelta(days=40, minutes=5), "40 ngày"),
    ],
)
def test_durations_in_vietnamese(seconds: float | timedelta, text: str) -> None:
    assert fmt_duration(seconds) == text


def test_shares_use_a_decimal_comma() -> None:
    assert fmt_share(1.0) == "100%"
    assert fmt_share(2 / 3) == "66,7%"
    assert fmt_share(0.0) == "0%"
    assert fmt_share(0.4) == "40%"


async def test_stats_text_of_a_committee(store: Store, seeded: Seeded, config: Config) -> None:
    since, until = Q3.bounds(config.timezone)
    stats = await store.statistics(since, until, "bcd-nong-ha", now=NOW)
    text = stats_text(stats, Labels(config), Q3, config.committees["bcd-nong-ha"].name)
    assert "📊 <b>Thống kê ý kiến — Ban Chỉ đạo thực hiện QCDC xã Nông Hạ</b>" in text
    assert "Kỳ: quý 3/2026" in text
    assert "Tổng số ý kiến: <b>6</b>" in text
    assert "🆕 Mới: 2" in text and "✅ Đã giải quyết: 2" in text
    assert "⏳ Đang xử lý: 1" in text and "📥 Đã tiếp nhận: 1" in text
    assert "• Góp ý: 2" in text and "• Khiếu nại: 1" in text and "• Kiến nghị: 2" in text
    assert "• Môi trường, an ninh trật tự: 1" in text
    assert "• Xã Nông Hạ: 6" in text
    assert "Theo ban chỉ đạo" not in text  # one committee: no breakdown by committee
    assert f"Thời gian tiếp nhận (trung vị): {fmt_duration(stats.median_ack_seconds or 0)}" in text
    assert stats.median_ack_seconds is not None and 86400 <= stats.median_ack_seconds <= 86400 + 7 * 3600
    assert "Thời gian giải quyết (trung vị): " in text
    # judged: resolved + first_minute (on time); anonymous, late and erased (open, past due) -> 2/5
    assert "Giải quyết đúng hạn: 40% (2/5 " in text
    assert "Đánh giá của người dân: 5,0/5 (1 lượt)" in text
    # the statuses come in the order of a submission's life
    assert text.index("Mới:") < text.index("Đã tiếp nhận:") < text.index("Đang xử lý:") < text.index("Đã giải quyết:")


async def test_stats_text_of_all_committees(store: Store, seeded: Seeded, config: Config) -> None:
    since, until = Q3.bounds(config.timezone)
    stats = await store.statistics(since, until, None, now=NOW)
    text = stats_text(stats, Labels(config), Q3, "tất cả các ban chỉ đạo")
    assert "Tổng số ý kiến: <b>9</b>" in text
    assert "<b>Theo ban chỉ đạo</b>" in text
    assert "• Liên đoàn Lao động huyện Chợ Mới: 1" in text
    assert "Đánh giá của người dân: 3,5/5 (2 lượt)" in text


async def test_stats_text_of_an_empty_period(store: Store, config: Config) -> None:
    period = Period(date(2025, 1, 1), date(2025, 3, 31))
    since, until = period.bounds(config.timezone)
    text = stats_text(await store.statistics(since, until, "bcd-nong-ha", now=NOW), Labels(config), period, "Ban")
    assert "Tổng số ý kiến: <b>0</b>" in text and "Chưa có ý kiến nào trong kỳ này." in text


async def test_overdue_text_says_what_is_late_and_by_how_long(store: Store, seeded: Seeded, config: Config) -> None:
    items = await store.overdue("bcd-nong-ha", now=NOW)
    assert {i.submission.code for i in items} == {seeded["anonymous"].code, seeded["late"].code,
                                                  seeded["erased"].code}
    text = overdue_text(items, Labels(config), config.timezone, "Ban Nông Hạ", config.deadlines)
    assert "⏰ <b>Ý kiến quá hạn — Ban Nông Hạ</b>: 3" in text
    late = seeded["late"]
    # khiếu nại: 30 days from 01/08 08:00 local -> due 31/08 08:00, 20 days late on 20/09 08:00
    assert (f"<code>{late.code}</code> · Khiếu nại · Công khai thông tin\n"
            "   chưa giải quyết, trễ <b>20 ngày</b> (hạn 31/08/2026 08:00)") in text
    anonymous = seeded["anonymous"]
    # due to be acknowledged 18/07 16:30 local; on 20/09 08:00 that is 63 days 15 hours 30 minutes ago,
    # and its 15-day resolve deadline (30/07) has passed too: the resolve one is reported
    assert f"<code>{anonymous.code}</code> · Phản ánh · Môi trường, an ninh trật tự\n   chưa giải quyết" in text
    erased = seeded["erased"]
    assert f"<code>{erased.code}</code>" in text
    assert "tiếp nhận trong 3 ngày, giải quyết trong 15 ngày" in text and "Khiếu nại: 30 ngày" in text
    assert "Trần Văn Bí" not in text  # never the sender


async def test_overdue_acknowledge_reason(store: Store, seeded: Seeded, config: Config) -> None:
    # 5 days after Nông Thịnh's submission: acknowledge deadline passed, resolve deadline not yet
    sub = seeded["other_committee"]
    items = await store.overdue("bcd-nong-thinh", now=sub.created_at + timedelta(days=5))
    text = overdue_text(items, Labels(config), config.timezone, "Ban Nông Thịnh", config.deadlines)
    assert f"<code>{sub.code}</code> · Góp ý · Thủ tục hành chính, thái độ cán bộ\n   chưa tiếp nhận, " \
           "trễ <b>2 ngày</b> (hạn 04/09/2026 09:00)" in text


def test_no_overdue(config: Config) -> None:
    assert overdue_text([], Labels(config), config.timezone, "Ban Mỹ Thanh", config.deadlines) == \
        "✅ Ban Mỹ Thanh: không có ý kiến nào quá hạn."


def test_names_from_bot_yaml_are_escaped(config: Config) -> None:
    assert "&lt;b&gt;" in overdue_text([], Labels(config), config.timezone, "Ban <b>", config.deadlines)


async def test_digest_is_capped(store: Store, seeded: Seeded, config: Config) -> None:
    items = await store.overdue("bcd-nong-ha", now=NOW)
    many: list[OverdueItem] = items * 20
    text = digest_text(many, Labels(config), config.timezone, "Ban Nông Hạ")
    assert f"Có {len(many)} ý kiến quá hạn" in text
    assert text.count("<code>") == DIGEST_MAX_ITEMS
    assert f"… và {len(many) - DIGEST_MAX_ITEMS} ý kiến quá hạn khác." in text
