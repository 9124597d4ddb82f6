"""The reporting period of `/baocao [từ] [đến]`, `/thongke [kỳ]` and `hopthu export`.

Officials think in days, months, quarters ("giao ban quý") and years, type them with or without
diacritics, and expect a sentence that says exactly what was wrong when a date does not exist. One
argument names a whole day, month, quarter or year; two arguments run from the start of the first to
the end of the second. The period is in local dates; `bounds()` turns it into the UTC instants the
store filters on, so a submission sent at 23:30 local time on the last day still counts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.texts import reports as T

MIN_YEAR = 2000
MAX_YEAR = 2100
# Words people naturally put around the dates: "/baocao từ 01/01/2026 đến 31/03/2026".
_FILLER = {"tu", "từ", "den", "đến", "toi", "tới", "-", "–", "—", "..", "->"}
_SEP = r"[/.\-]"
_DAY = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{2,4}})$")
_MONTH = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{4}})$")
_QUARTER = re.compile(rf"^q(\d{{1,2}}){_SEP}?(\d{{4}})$")
_YEAR = re.compile(r"^(\d{4})$")
# ISO 8601, as scripts and spreadsheets write dates: 2026-01-01, 2026-01
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
# "quý 3/2026", "quy 3 / 2026", "Q3-2026", "q 3/2026" -> "q3/2026"
_QUARTER_WORD = re.compile(r"\b(?:quý|quy|q)\s*(\d{1,2})\s*([/.\-]|\s)\s*(\d{4})\b")


class PeriodError(ValueError):
    """A period argument that cannot be understood; `str(exc)` is the Vietnamese sentence to show."""


@dataclass(frozen=True, slots=True)
class Period:
    """Local calendar dates, both inclusive."""

    start: date
    end: date

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[since, until) in UTC: local midnight of the first day to local midnight after the last."""
        since = datetime.combine(self.start, time(0), tzinfo=tz).astimezone(UTC)
        until = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
        return since, until

    @property
    def label(self) -> str:
        """"quý 3/2026", "tháng 05/2026", "năm 2026", "01/07/2026", or "01/07/2026 – 15/08/2026"."""
        s, e = self.start, self.end
        if s == e:
            return s.strftime("%d/%m/%Y")
        if s.month == 1 and s.day == 1 and e == date(s.year, 12, 31):
            return T.PERIOD_YEAR.format(year=s.year)
        if s.day == 1 and (s.month - 1) % 3 == 0 and e == _quarter_end(s.year, (s.month - 1) // 3 + 1):
            return T.PERIOD_QUARTER.format(quarter=(s.month - 1) // 3 + 1, year=s.year)
        if s.day == 1 and e == _month_end(s.year, s.month):
            return T.PERIOD_MONTH.format(month=s.month, year=s.year)
        return T.PERIOD_RANGE.format(start=s.strftime("%d/%m/%Y"), end=e.strftime("%d/%m/%Y"))

    @property
    def slug(self) -> str:
        """For file names: "2026-07-01_2026-09-30"."""
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the period touches, in order (the chart's x axis)."""
        out: list[tuple[int, int]] = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


def today_in(tz: ZoneInfo, now: datetime | None = None) -> date:
    """The local date: at 06:00 in Hà Nội it is already tomorrow compared with UTC."""
    now = now or datetime.now(UTC)
    return now.astimezone(tz).date()


def current_quarter(today: date) -> Period:
    quarter = (today.month - 1) // 3 + 1
    return Period(date(today.year, 3 * quarter - 2, 1), _quarter_end(today.year, quarter))


def parse_period(args: Sequence[str] | str, today: date) -> Period:
    """Parse the words after the command; no words means this quarter.

    Raises PeriodError with a sentence for the official (which word, and why).
    """
    words = _tokens(args)
    if not words:
        return current_quarter(today)
    if len(words) > 2:
        raise PeriodError(T.PERIOD_TOO_MANY.format(count=len(words)) + "\n" + T.PERIOD_HELP)
    first = _parse_one(words[0])
    return span(first, _parse_one(words[1]) if len(words) == 2 else first)


def span(first: Period, last: Period) -> Period:
    """From the start of `first` to the end of `last`; PeriodError if that runs backwards."""
    if first.start > last.end:
        raise PeriodError(T.PERIOD_REVERSED.format(start=first.start.strftime("%d/%m/%Y"),
                                                   end=last.end.strftime("%d/%m/%Y")))
    return Period(first.start, last.end)


def _tokens(args: Sequence[str] | str) -> list[str]:
    text = args if isinstance(args, str) else " ".join(args)
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = _QUARTER_WORD.sub(lambda m: f"q{m[1]}/{m[3]}", text)
    return [w for w in text.split() if w not in _FILLER]


def _parse_one(word: str) -> Period:
    if m := _DAY.match(word):
        return _day(int(m[1]), int(m[2]), _year(m[3], word), word)
    if m := _ISO_DAY.match(word):
        return _day(int(m[3]), int(m[2]), _year(m[1], word), word)
    if (m := _MONTH.match(word)) or (m := _ISO_MONTH.match(word)):
        month_text, year_text = (m[1], m[2]) if m.re is _MONTH else (m[2], m[1])
        month, year = int(month_text), _year(year_text, word)
        _check_month(month, word)
        return Period(date(year, month, 1), _month_end(year, month))
    if m := _QUARTER.match(word):
        quarter, year = int(m[1]), _year(m[2], word)
        if not 1 <= quarter <= 4:
            raise PeriodError(T.PERIOD_BAD_QUARTER.format(word=word, quarter=quarter))
        return Period(date(year, 3 * quarter - 2, 1), _quarter_end(year, quarter))
    if m := _YEAR.match(word):
        year = _year(m[1], word)
        return Period(date(year, 1, 1), date(year, 12, 31))
    raise PeriodError(T.PERIOD_UNKNOWN.format(word=word) + "\n" + T.PERIOD_HELP)


def _day(day: int, month: int, year: int, word: str) -> Period:
    _check_month(month, word)
    try:
        value = date(year, month, day)
    except ValueError:
        raise PeriodError(T.PERIOD_NO_SUCH_DAY.format(word=word, day=day, month=month, year=year)) from None
    return Period(value, value)


def _year(text: str, word: str) -> int:
    if len(text) != 4:
        raise PeriodError(T.PERIOD_SHORT_YEAR.format(word=word))
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(T.PERIOD_BAD_YEAR.format(word=word, year=year, min=MIN_YEAR, max=MAX_YEAR))
    return year


def _check_month(month: int, word: str) -> None:
    if not 1 <= month <= 12:
        raise PeriodError(T.PERIOD_BAD_MONTH.format(word=word, month=month))


def _month_end(year: int, month: int) -> date:
    first_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_next - timedelta(days=1)


def _quarter_end(year: int, quarter: int) -> date:
    return _month_end(year, 3 * quarter)
