"""The period report as a spreadsheet (.xlsx for the quarterly meeting, .csv for other tools).

Privacy is enforced here as well as in the store: an anonymous row never gets a name or a phone, even
if a caller passed one by mistake. Citizen text is data, never markup: xlsx cells are forced to the
string type (openpyxl would otherwise turn "=…" into a formula) and csv cells that a spreadsheet would
evaluate are prefixed with an apostrophe. Times are shown in the deployment's timezone.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from copy import copy
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

from bot.reports.labels import KIND_ORDER, STATUS_ORDER, Labels, ordered
from bot.reports.periods import Period
from bot.texts import reports as T
from storage.records import ExportRow
from storage.statuses import SubmissionStatus

# (field, column width); headers come from bot.texts.reports.HEADERS.
COLUMNS: tuple[tuple[str, int], ...] = (
    ("index", 6), ("code", 12), ("kind", 11), ("topic", 28), ("unit", 34), ("committee", 34),
    ("status", 20), ("created_at", 17), ("due_ack_at", 17), ("acknowledged_at", 17),
    ("due_resolve_at", 17), ("resolved_at", 17), ("on_time", 14), ("anonymous", 9),
    ("name", 22), ("phone", 15), ("text", 70), ("attachments", 10), ("rating", 10),
)
DATE_FIELDS = frozenset({"created_at", "due_ack_at", "acknowledged_at", "due_resolve_at", "resolved_at"})
EXCEL_DATE_FORMAT = "dd/mm/yyyy hh:mm"
CSV_DATE_FORMAT = "%d/%m/%Y %H:%M"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
# One style object of each kind, shared by every cell.
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)
_TOP = Alignment(vertical="top")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
# A phone number may start with "+"; anything else starting like a formula is neutralised in csv.
_PHONE_LIKE = re.compile(r"^[+\-]?[\d\s().\-]+$")


def local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Naive local time: Excel has no time zones, and officials read local time."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).replace(tzinfo=None)


def on_time_label(row: ExportRow, now: datetime) -> str:
    """Đúng hạn / Quá hạn / Chưa đến hạn against the resolve deadline; empty when there is none."""
    due = row.due_resolve_at
    if due is None:
        return ""
    if row.resolved_at is not None:
        return T.ON_TIME_YES if row.resolved_at <= due else T.ON_TIME_LATE
    if row.status == SubmissionStatus.OUT_OF_SCOPE:
        return ""
    return T.ON_TIME_LATE if now > due else T.ON_TIME_OPEN


def iter_table(rows: Sequence[ExportRow], labels: Labels, tz: ZoneInfo,
               now: datetime | None = None) -> Iterator[dict[str, Any]]:
    """One dict per submission, keyed by COLUMNS fields: the single source of both file formats.

    One record at a time, so the file writers never hold every record at once."""
    now = now or datetime.now(UTC)
    for index, row in enumerate(rows, start=1):
        yield {
            "index": index,
            "code": row.code,
            "kind": labels.kind(row.kind),
            "topic": labels.topic(row.topic_id),
            "unit": labels.unit_full(row.unit_id),
            "committee": labels.committee(row.committee_id),
            "status": labels.status(row.status),
            "created_at": local(row.created_at, tz),
            "due_ack_at": local(row.due_ack_at, tz),
            "acknowledged_at": local(row.acknowledged_at, tz),
            "due_resolve_at": local(row.due_resolve_at, tz),
            "resolved_at": local(row.resolved_at, tz),
            "on_time": on_time_label(row, now),
            "anonymous": T.YES if row.anonymous else T.NO,
            "name": None if row.anonymous else row.name,
            "phone": None if row.anonymous else row.phone,
            "text": row.text,
            "attachments": row.attachments,
            "rating": row.rating,
        }


def build_xlsx(rows: Sequence[ExportRow], labels: Labels, *, tz: ZoneInfo, period: Period, scope: str,
               now: datetime | None = None) -> bytes:
    """Two sheets: the list (one row per submission, filterable) and the summary for the meeting.

    Written in openpyxl's write-only mode: rows stream to the file instead of living as cell objects, so
    a year of a province's submissions does not hold hundreds of megabytes while the report is built.
    """
    now = now or datetime.now(UTC)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(T.SHEET_ROWS)
    for col, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "C2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    sheet.append([_styled(sheet, T.HEADERS[field], font=_BOLD, fill=_HEADER_FILL, alignment=_HEADER_ALIGN)
                  for field, _ in COLUMNS])
    styles = _column_styles(sheet)
    for record in iter_table(rows, labels, tz, now):
        sheet.append([_cell(sheet, record[field], styles[field]) for field, _ in COLUMNS])
    _summary(workbook.create_sheet(T.SHEET_SUMMARY), rows, labels, tz=tz, period=period, scope=scope, now=now)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_csv(rows: Sequence[ExportRow], labels: Labels, *, tz: ZoneInfo, now: datetime | None = None) -> bytes:
    """UTF-8 with a BOM, so Excel opens Vietnamese text correctly with a double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([T.HEADERS[field] for field, _ in COLUMNS])
    for record in iter_table(rows, labels, tz, now):
        writer.writerow([_csv_value(record[field]) for field, _ in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def _styled(sheet: Any, value: Any, *, font: Font | None = None, fill: PatternFill | None = None,
            alignment: Alignment | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the citizen typed
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _column_styles(sheet: Any) -> dict[str, StyleArray]:
    """Each column's style, registered once: assigning a style object per cell hashes it every time,
    which was most of the time spent on a year's report."""
    styles = {}
    for field, _ in COLUMNS:
        template = _styled(sheet, None, alignment=_WRAP_TOP if field == "text" else _TOP)
        if field in DATE_FIELDS:
            template.number_format = EXCEL_DATE_FORMAT
        styles[field] = template._style
    return styles


def _cell(sheet: Any, value: Any, style: StyleArray) -> WriteOnlyCell:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the citizen typed
    cell._style = copy(style)
    return cell


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(CSV_DATE_FORMAT)
    text = str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not _PHONE_LIKE.match(text)):
        return "'" + text
    return text


def _summary(sheet: Any, rows: Sequence[ExportRow], labels: Labels, *, tz: ZoneInfo, period: Period,
             scope: str, now: datetime) -> None:
    """Counts computed from the very rows of the list, so the two sheets always agree."""
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 14
    sheet.append([_styled(sheet, T.SHEET_TITLE.format(scope=scope), font=_TITLE)])
    sheet.append([_styled(sheet, T.SHEET_PERIOD.format(period=period.label))])
    when = local(now, tz)
    assert when is not None
    sheet.append([_styled(sheet, T.SHEET_GENERATED.format(when=when.strftime(CSV_DATE_FORMAT), tz=tz.key))])
    sheet.append([_styled(sheet, T.SHEET_PRIVACY)])
    sheet.append([])
    sheet.append([_styled(sheet, T.SUMMARY_TOTAL, font=_BOLD), len(rows)])
    groups: list[tuple[str, Counter[Any], Any, list[str] | tuple[str, ...]]] = [
        (T.SUMMARY_BY_STATUS, Counter(str(r.status) for r in rows), labels.status, STATUS_ORDER),
        (T.SUMMARY_BY_KIND, Counter(str(r.kind) for r in rows), labels.kind, KIND_ORDER),
        (T.SUMMARY_BY_TOPIC, Counter(r.topic_id for r in rows), labels.topic, labels.topic_order()),
        (T.SUMMARY_BY_UNIT, Counter(r.unit_id for r in rows), labels.unit_full, labels.unit_order()),
    ]
    committees = Counter(r.committee_id for r in rows)
    if len(committees) > 1:
        groups.append((T.SUMMARY_BY_COMMITTEE, committees, labels.committee, labels.committee_order()))
    for title, counts, name, order in groups:
        sheet.append([])
        sheet.append([_styled(sheet, title, font=_BOLD, fill=_HEADER_FILL),
                      _styled(sheet, T.SUMMARY_COUNT, font=_BOLD, fill=_HEADER_FILL)])
        for key, count in ordered(dict(counts), list(order)):
            sheet.append([_styled(sheet, name(key)), count])
