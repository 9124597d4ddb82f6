"""/baocao's rendering in a spawned child process (bot/reports/render.py).

Checked: the files come back whole (an xlsx openpyxl reads, a PNG Pillow opens); each report runs in a
fresh process other than the bot's; the bot process itself never imports matplotlib or openpyxl; reports
run one at a time; a child that raises or dies surfaces as an exception in the parent. The targets below
are module-level because the spawned child imports this module to find them.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import os
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.reports.periods import Period
from bot.reports.render import render_in_child
from bot.texts import reports as T
from storage.records import ExportRow

ROOT = Path(__file__).resolve().parents[1]
Q3 = Period(date(2026, 7, 1), date(2026, 9, 30))
NOW = datetime(2026, 9, 20, 1, 0, tzinfo=UTC)
SCOPE = "Ban Chỉ đạo thực hiện QCDC xã Nông Hạ"


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(ROOT / "bot.yaml")


def fake_rows(count: int) -> list[ExportRow]:
    """Rows as the store returns them, spread over the quarter; every third one anonymous."""
    start = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)
    rows = []
    for i in range(count):
        created = start + timedelta(minutes=7 * i)
        anonymous = i % 3 == 0
        rows.append(ExportRow(
            code=f"GY-{i:06d}", kind="gop_y", topic_id="cong-khai", unit_id="nong-ha", committee_id="bcd-nong-ha",
            status="resolved" if i % 2 else "new", anonymous=anonymous, text=f"Ý kiến số {i}: đường làng hỏng.",
            name=None if anonymous else "Nguyễn Văn A", phone=None if anonymous else "0912345678",
            created_at=created, acknowledged_at=created + timedelta(hours=5) if i % 2 else None,
            resolved_at=created + timedelta(days=3) if i % 2 else None, due_ack_at=created + timedelta(days=3),
            due_resolve_at=created + timedelta(days=15), rating=5 if i % 4 == 1 else None, attachments=i % 2,
        ))
    return rows


# ------------------------------------------------------------------------------------------ child targets

def pid_target(rows: list[ExportRow], config: Config, period: Period, scope: str,
               now: datetime) -> tuple[bytes, bytes]:
    """Which process ran it, and how many rows arrived."""
    return str(os.getpid()).encode(), str(len(rows)).encode()


def slow_target(rows: list[ExportRow], config: Config, period: Period, scope: str,
                now: datetime) -> tuple[bytes, bytes]:
    """When it started and ended (wall clock), to see whether two reports overlapped."""
    started = time.time()
    time.sleep(0.5)
    return repr(started).encode(), repr(time.time()).encode()


def raising_target(rows: list[ExportRow], config: Config, period: Period, scope: str,
                   now: datetime) -> tuple[bytes, bytes]:
    raise ValueError("rendering failed in the child")


def dying_target(rows: list[ExportRow], config: Config, period: Period, scope: str,
                 now: datetime) -> tuple[bytes, bytes]:
    """The child vanishes without a word (as if killed for memory)."""
    os._exit(3)


# ------------------------------------------------------------------------------------------ tests

async def test_the_child_renders_a_real_workbook_and_chart(config: Config) -> None:
    # Imported here, not at the top: the clean-interpreter test below imports this module for fake_rows.
    import openpyxl
    from PIL import Image

    xlsx, png = await render_in_child(fake_rows(50), config, Q3, SCOPE, NOW)
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    rows = list(book[T.SHEET_ROWS].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == [f"GY-{i:06d}" for i in range(50)]
    assert rows[0][14] is None and rows[1][14] == "Nguyễn Văn A"  # anonymous row 0 has no name
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(png)).size[0] >= 1000


async def test_each_report_runs_in_a_fresh_process_other_than_the_bot(config: Config) -> None:
    first, count = await render_in_child(fake_rows(3), config, Q3, SCOPE, NOW, target=pid_target)
    second, _ = await render_in_child([], config, Q3, SCOPE, NOW, target=pid_target)
    assert count == b"3"
    pids = {int(first), int(second)}
    assert os.getpid() not in pids and len(pids) == 2  # max_tasks_per_child=1: a new child every time


async def test_reports_run_one_at_a_time(config: Config) -> None:
    results = await asyncio.gather(*(render_in_child([], config, Q3, SCOPE, NOW, target=slow_target)
                                     for _ in range(3)))
    spans = sorted((float(start), float(end)) for start, end in results)
    for (_, end), (next_start, _) in itertools.pairwise(spans):
        assert next_start >= end


async def test_an_exception_in_the_child_reaches_the_caller(config: Config) -> None:
    with pytest.raises(ValueError, match="rendering failed in the child"):
        await render_in_child([], config, Q3, SCOPE, NOW, target=raising_target)
    with pytest.raises(BrokenProcessPool):
        await render_in_child([], config, Q3, SCOPE, NOW, target=dying_target)
    # nothing stuck: the next report renders
    pid, _ = await render_in_child([], config, Q3, SCOPE, NOW, target=pid_target)
    assert int(pid) != os.getpid()


def test_the_bot_process_never_imports_matplotlib_or_openpyxl() -> None:
    """In a clean interpreter (this test process has imported both already): handlers, then a report."""
    script = (
        "import asyncio, sys\n"
        "import bot.handlers.reports\n"
        "from tests.test_reports_render import NOW, Q3, SCOPE, fake_rows\n"
        "from bot.config import load_config\n"
        "from bot.reports.render import render_in_child\n"
        "xlsx, png = asyncio.run(render_in_child(fake_rows(20), load_config('bot.yaml'), Q3, SCOPE, NOW))\n"
        "assert xlsx.startswith(b'PK') and png.startswith(b'\\x89PNG'), 'files'\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'openpyxl'))\n"
        "print(heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
