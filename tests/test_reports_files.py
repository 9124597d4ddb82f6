"""The report files, read back and checked row by row against what the Store holds.

The spreadsheet (xlsx and csv) must list exactly the committee's submissions of the period (local-time
boundaries), with Vietnamese labels, local times, and no name or phone for anonymous or erased senders.
The chart must be a real PNG; the QR poster must decode to exactly the deep link of its place.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import zxingcpp
from PIL import Image

from bot.config import Config, load_config
from bot.reports.chart import build_chart
from bot.reports.labels import Labels
from bot.reports.periods import Period
from bot.reports.qrcode import build_qr_poster, deep_link, render_qr_poster
from bot.reports.spreadsheet import COLUMNS, build_csv, build_xlsx
from bot.texts import reports as T
from bot.texts.common import KIND_LABELS, STATUS_LABELS
from storage import ExportRow, Store, Submission
from tests.reports_seed import FORMULA, HIDDEN, NAMED, NOW, Seeded, seed

ROOT = Path(__file__).resolve().parents[1]
Q3 = Period(date(2026, 7, 1), date(2026, 9, 30))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEADERS = [T.HEADERS[field] for field, _ in COLUMNS]


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(ROOT / "bot.yaml")


@pytest.fixture
async def seeded(store: Store, config: Config) -> Seeded:
    return await seed(store, config)


async def rows_of(store: Store, config: Config, committee_id: str | None) -> list[ExportRow]:
    since, until = Q3.bounds(config.timezone)
    return await store.export_rows(since, until, committee_id)


def local_naive(moment: datetime | None, config: Config) -> datetime | None:
    return None if moment is None else moment.astimezone(config.timezone).replace(tzinfo=None)


def expected_row(sub: Submission, config: Config, index: int) -> dict[str, object]:
    """What the spreadsheet must say about a stored submission, computed independently of the renderer."""
    named = not sub.anonymous and sub.personal_data_removed_at is None
    return {
        "index": index,
        "code": sub.code,
        "kind": KIND_LABELS[sub.kind],
        "topic": config.topics[sub.topic_id].name if sub.topic_id else None,
        "unit": config.unit_label(sub.unit_id) if sub.unit_id else None,
        "committee": config.committees[sub.committee_id].name,
        "status": STATUS_LABELS[sub.status],
        "created_at": local_naive(sub.created_at, config),
        "due_ack_at": local_naive(sub.due_ack_at, config),
        "acknowledged_at": local_naive(sub.acknowledged_at, config),
        "due_resolve_at": local_naive(sub.due_resolve_at, config),
        "resolved_at": local_naive(sub.resolved_at, config),
        "anonymous": "Có" if sub.anonymous else "Không",
        "name": sub.contact_name if named else None,
        "phone": sub.contact_phone if named else None,
        "text": sub.text,
        "rating": sub.rating,
    }


async def test_xlsx_matches_the_database_row_by_row(store: Store, seeded: Seeded, config: Config) -> None:
    rows = await rows_of(store, config, "bcd-nong-ha")
    data = build_xlsx(rows, Labels(config), tz=config.timezone, period=Q3,
                      scope=config.committees["bcd-nong-ha"].name, now=NOW)
    assert data[:2] == b"PK"
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [T.SHEET_ROWS, T.SHEET_SUMMARY]
    sheet = book[T.SHEET_ROWS]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == HEADERS
    body = table[1:]

    # exactly the committee's Q3 submissions, oldest first: 00:30 on 01/07 local is in, 23:30 on 30/06 is out
    expected = seeded.of("bcd-nong-ha", ["resolved", "anonymous", "late", "formula", "first_minute", "erased"])
    assert [r[1] for r in body] == [s.code for s in expected]
    assert seeded["q2"].code not in {r[1] for r in body}
    assert expected[0].code == seeded["first_minute"].code

    fields = [field for field, _ in COLUMNS]
    for index, (row, sub) in enumerate(zip(body, expected, strict=True), start=1):
        got = dict(zip(fields, row, strict=True))
        for field, value in expected_row(sub, config, index).items():
            assert got[field] == value, (sub.code, field, got[field], value)
        attachments = len(await store.list_attachments(sub.id))
        assert got["attachments"] == attachments

    by_code = {r[1]: dict(zip(fields, r, strict=True)) for r in body}
    # privacy: the anonymous sender typed a name, the erased sender gave one; neither appears anywhere
    assert by_code[seeded["anonymous"].code]["name"] is None and by_code[seeded["anonymous"].code]["phone"] is None
    assert by_code[seeded["erased"].code]["name"] is None and by_code[seeded["erased"].code]["phone"] is None
    everything = " ".join(str(v) for ws in book for r in ws.iter_rows(values_only=True) for v in r if v is not None)
    assert HIDDEN[0] not in everything and HIDDEN[1] not in everything
    assert "Đặng Văn Tú" not in everything and "0933444555" not in everything
    assert by_code[seeded["resolved"].code]["name"] == NAMED[0]
    assert by_code[seeded["resolved"].code]["phone"] == NAMED[1]
    # deadlines judged against the resolve date (or "now" while open)
    assert by_code[seeded["resolved"].code]["on_time"] == T.ON_TIME_YES
    assert by_code[seeded["late"].code]["on_time"] == T.ON_TIME_LATE
    assert by_code[seeded["formula"].code]["on_time"] == T.ON_TIME_OPEN
    assert by_code[seeded["formula"].code]["attachments"] == 2
    assert by_code[seeded["resolved"].code]["rating"] == 5

    # a citizen's "=…" stays text: never a formula
    cell = sheet.cell(row=[r[1] for r in body].index(seeded["formula"].code) + 2, column=fields.index("text") + 1)
    assert cell.value == FORMULA and cell.data_type == "s"
    assert sheet.cell(row=2, column=fields.index("created_at") + 1).number_format == "dd/mm/yyyy hh:mm"


async def test_xlsx_summary_agrees_with_the_list(store: Store, seeded: Seeded, config: Config) -> None:
    rows = await rows_of(store, config, None)
    book = openpyxl.load_workbook(io.BytesIO(build_xlsx(rows, Labels(config), tz=config.timezone, period=Q3,
                                                        scope=T.SCOPE_ALL, now=NOW)))
    summary = [r for r in book[T.SHEET_SUMMARY].iter_rows(values_only=True)]
    assert summary[0][0] == T.SHEET_TITLE.format(scope=T.SCOPE_ALL)
    assert summary[1][0] == "Kỳ báo cáo: quý 3/2026"
    pairs = {r[0]: r[1] for r in summary if r and r[0] is not None and len(r) > 1 and isinstance(r[1], int)}
    assert pairs[T.SUMMARY_TOTAL] == len(rows) == 9
    assert pairs["Đã giải quyết"] == 4  # resolved, first_minute, workers, my_thanh
    assert pairs["Mới"] == 3  # anonymous, formula, other_committee
    assert pairs[config.committees["bcd-nong-ha"].name] == 6
    assert pairs[config.committees["ldld-cho-moi"].name] == 1


async def test_csv_matches_the_database_row_by_row(store: Store, seeded: Seeded, config: Config) -> None:
    rows = await rows_of(store, config, "bcd-nong-ha")
    data = build_csv(rows, Labels(config), tz=config.timezone, now=NOW)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens Vietnamese correctly
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == HEADERS
    expected = seeded.of("bcd-nong-ha", ["resolved", "anonymous", "late", "formula", "first_minute", "erased"])
    fields = [field for field, _ in COLUMNS]
    assert len(table) == len(expected) + 1
    for index, (row, sub) in enumerate(zip(table[1:], expected, strict=True), start=1):
        got = dict(zip(fields, row, strict=True))
        for field, value in expected_row(sub, config, index).items():
            if isinstance(value, datetime):
                value = value.strftime("%d/%m/%Y %H:%M")
            if field == "text" and sub.code == seeded["formula"].code:
                value = "'" + FORMULA  # neutralised for spreadsheets that evaluate csv cells
            assert got[field] == ("" if value is None else str(value)), (sub.code, field)
    text = data.decode("utf-8-sig")
    assert HIDDEN[0] not in text and HIDDEN[1] not in text and "0933444555" not in text
    assert "Đ" in text and "ạ" in text  # real UTF-8 Vietnamese, not mojibake


def test_anonymous_rows_never_carry_a_name_even_if_given() -> None:
    config = load_config(ROOT / "bot.yaml")
    row = ExportRow(code="GY-AAAAAA", kind="gop_y", topic_id="khac", unit_id="nong-ha", committee_id="bcd-nong-ha",
                    status="new", anonymous=True, text="x", name="Lộ Tên", phone="0900000000",
                    created_at=NOW, acknowledged_at=None, resolved_at=None, due_ack_at=None, due_resolve_at=None,
                    rating=None, attachments=0)
    book = openpyxl.load_workbook(io.BytesIO(build_xlsx([row], Labels(config), tz=config.timezone, period=Q3,
                                                        scope="x", now=NOW)))
    values = [v for r in book.active.iter_rows(values_only=True) for v in r]
    assert "Lộ Tên" not in values and "0900000000" not in values
    assert "Lộ Tên" not in build_csv([row], Labels(config), tz=config.timezone).decode("utf-8-sig")


async def test_chart_is_a_png(store: Store, seeded: Seeded, config: Config, tmp_path: Path) -> None:
    rows = await rows_of(store, config, None)
    data = build_chart(rows, Labels(config), tz=config.timezone, period=Q3, scope=T.SCOPE_ALL)
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 20_000
    image = Image.open(io.BytesIO(data))
    image.verify()
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.width >= 1000 and image.height >= 500
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # bars, text, legend: not a blank canvas
    (tmp_path / "chart.png").write_bytes(data)


def test_empty_chart_still_renders() -> None:
    config = load_config(ROOT / "bot.yaml")
    data = build_chart([], Labels(config), tz=config.timezone, period=Q3, scope="Ban Chỉ đạo xã Nông Hạ")
    assert data.startswith(PNG_SIGNATURE) and len(data) > 5_000


@pytest.mark.parametrize("unit_id", ["nong-ha", "dang-uy-khoi", "lam-truong-cho-moi", "my-thanh"])
def test_qr_decodes_to_the_deep_link(unit_id: str) -> None:
    config = load_config(ROOT / "bot.yaml")
    link = deep_link(config.username, unit_id)
    assert link == f"https://t.me/HomThuGopYBot?start=gopy_{unit_id}"
    data = build_qr_poster(link, config.unit_label(unit_id), username=config.username)
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    found = zxingcpp.read_barcodes(image)
    assert [b.text for b in found] == [link]
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode


def test_qr_poster_has_text_under_the_code() -> None:
    image = render_qr_poster("https://t.me/HomThuGopYBot?start=gopy_nong-ha",
                             "Xã Nông Hạ, Huyện Chợ Mới, Tỉnh Bắc Kạn", username="HomThuGopYBot")
    assert image.height > image.width  # the caption lines sit below the square code
    bottom = image.crop((0, image.width, image.width, image.height)).convert("L")
    assert bottom.getextrema()[0] < 50  # dark pixels: text was drawn there
