"""Parsing `/baocao [từ] [đến]`: every accepted form, and a clear Vietnamese sentence for every mistake."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.reports.periods import Period, PeriodError, current_quarter, parse_period, today_in

TODAY = date(2026, 8, 14)
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("args", "start", "end"),
    [
        ([], date(2026, 7, 1), date(2026, 9, 30)),
        (["05/07/2026"], date(2026, 7, 5), date(2026, 7, 5)),
        (["5/7/2026"], date(2026, 7, 5), date(2026, 7, 5)),
        (["05-07-2026"], date(2026, 7, 5), date(2026, 7, 5)),
        (["05.07.2026"], date(2026, 7, 5), date(2026, 7, 5)),
        (["02/2028"], date(2028, 2, 1), date(2028, 2, 29)),
        (["2/2026"], date(2026, 2, 1), date(2026, 2, 28)),
        (["12/2026"], date(2026, 12, 1), date(2026, 12, 31)),
        (["quy", "3/2026"], date(2026, 7, 1), date(2026, 9, 30)),
        (["quý", "3/2026"], date(2026, 7, 1), date(2026, 9, 30)),
        (["Quý", "4/2026"], date(2026, 10, 1), date(2026, 12, 31)),
        (["Q3/2026"], date(2026, 7, 1), date(2026, 9, 30)),
        (["q1-2026"], date(2026, 1, 1), date(2026, 3, 31)),
        (["Q2", "2026"], date(2026, 4, 1), date(2026, 6, 30)),
        (["2026"], date(2026, 1, 1), date(2026, 12, 31)),
        (["01/01/2026", "31/03/2026"], date(2026, 1, 1), date(2026, 3, 31)),
        (["từ", "01/01/2026", "đến", "15/02/2026"], date(2026, 1, 1), date(2026, 2, 15)),
        (["tu", "01/2026", "den", "03/2026"], date(2026, 1, 1), date(2026, 3, 31)),
        (["Q1/2026", "Q2/2026"], date(2026, 1, 1), date(2026, 6, 30)),
        (["quý", "1/2026", "quý", "2/2026"], date(2026, 1, 1), date(2026, 6, 30)),
        (["2025", "06/2026"], date(2025, 1, 1), date(2026, 6, 30)),
        (["29/02/2028"], date(2028, 2, 29), date(2028, 2, 29)),
    ],
)
def test_accepted_forms(args: list[str], start: date, end: date) -> None:
    assert parse_period(args, TODAY) == Period(start, end)


def test_a_whole_string_works_like_the_words() -> None:
    assert parse_period("quý 3/2026", TODAY) == parse_period(["quý", "3/2026"], TODAY)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["31/02/2026"], "Ngày «31/02/2026» không có thật: tháng 2/2026 không có ngày 31."),
        (["29/02/2026"], "Ngày «29/02/2026» không có thật: tháng 2/2026 không có ngày 29."),
        (["00/03/2026"], "không có ngày 0"),
        (["13/2026"], "Tháng 13 trong «13/2026» không hợp lệ (tháng từ 1 đến 12)."),
        (["01/13/2026"], "Tháng 13 trong «01/13/2026» không hợp lệ"),
        (["Q5/2026"], "Quý 5 trong «q5/2026» không hợp lệ (quý từ 1 đến 4)."),
        (["quý", "0/2026"], "Quý 0 trong «q0/2026» không hợp lệ"),
        (["01/02/26"], "Năm trong «01/02/26» cần đủ 4 chữ số, ví dụ 2026."),
        (["1850"], "Năm 1850 trong «1850» nằm ngoài khoảng 2000–2100."),
        (["hôm-qua"], "Không hiểu mốc thời gian «hôm-qua»."),
        (["2026/07/01"], "Không hiểu mốc thời gian «2026/07/01»."),
        (["01/01/2026", "02/01/2026", "03/01/2026"], "Chỉ ghi tối đa hai mốc thời gian (từ, đến); bạn đã ghi 3."),
        (
            ["31/03/2026", "01/01/2026"],
            "Mốc «từ» (31/03/2026) nằm sau mốc «đến» (01/01/2026). Hãy ghi ngày bắt đầu trước, ngày kết thúc sau.",
        ),
        (["Q2/2026", "Q1/2026"], "Mốc «từ» (01/04/2026) nằm sau mốc «đến» (31/03/2026)."),
    ],
)
def test_errors_say_what_is_wrong(args: list[str], expected: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(args, TODAY)
    assert expected in str(caught.value)


def test_unknown_word_comes_with_the_accepted_forms() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(["abc"], TODAY)
    message = str(caught.value)
    assert "05/07/2026" in message and "Q3/2026" in message and "quý hiện tại" in message


@pytest.mark.parametrize(
    ("today", "quarter"),
    [
        (date(2026, 1, 1), (date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 3, 31), (date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 4, 1), (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 12, 31), (date(2026, 10, 1), date(2026, 12, 31))),
    ],
)
def test_current_quarter(today: date, quarter: tuple[date, date]) -> None:
    assert current_quarter(today) == Period(*quarter)


def test_default_quarter_follows_the_local_date_not_utc() -> None:
    # 31/03 20:00 UTC is already 01/04 03:00 in Hà Nội: the new quarter has begun there.
    moment = datetime(2026, 3, 31, 20, 0, tzinfo=UTC)
    assert today_in(HCM, moment) == date(2026, 4, 1)
    assert parse_period([], today_in(HCM, moment)) == Period(date(2026, 4, 1), date(2026, 6, 30))


def test_bounds_are_local_midnights_in_utc() -> None:
    since, until = Period(date(2026, 7, 1), date(2026, 9, 30)).bounds(HCM)
    assert since == datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
    assert until == datetime(2026, 9, 30, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "label"),
    [
        (Period(date(2026, 7, 1), date(2026, 9, 30)), "quý 3/2026"),
        (Period(date(2026, 2, 1), date(2026, 2, 28)), "tháng 02/2026"),
        (Period(date(2026, 1, 1), date(2026, 12, 31)), "năm 2026"),
        (Period(date(2026, 7, 5), date(2026, 7, 5)), "05/07/2026"),
        (Period(date(2026, 1, 1), date(2026, 2, 15)), "01/01/2026 – 15/02/2026"),
    ],
)
def test_labels(period: Period, label: str) -> None:
    assert period.label == label


def test_months_of_a_period() -> None:
    assert Period(date(2025, 11, 20), date(2026, 2, 3)).months() == [(2025, 11), (2025, 12), (2026, 1), (2026, 2)]
    assert Period(date(2026, 7, 1), date(2026, 9, 30)).slug == "2026-07-01_2026-09-30"


@pytest.mark.parametrize(
    ("args", "start", "end"),
    [
        (["2026-01-01"], date(2026, 1, 1), date(2026, 1, 1)),
        (["2026-7-5"], date(2026, 7, 5), date(2026, 7, 5)),
        (["2026-02"], date(2026, 2, 1), date(2026, 2, 28)),
        (["2026-01-01", "31/03/2026"], date(2026, 1, 1), date(2026, 3, 31)),
        (["từ", "2026-01-01", "đến", "2026-02-15"], date(2026, 1, 1), date(2026, 2, 15)),
    ],
)
def test_iso_dates_beside_vietnamese_ones(args: list[str], start: date, end: date) -> None:
    assert parse_period(args, TODAY) == Period(start, end)


def test_iso_date_that_does_not_exist() -> None:
    with pytest.raises(PeriodError, match="không có thật"):
        parse_period(["2026-02-30"], TODAY)
