"""`hopthu export` and `hopthu qr` from the command line, on a database written through the Store."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import openpyxl
import pytest
import zxingcpp
from PIL import Image

from bot.cli import main
from bot.config import load_config
from bot.texts import reports as T
from storage import Store
from tests.reports_seed import HIDDEN, Seeded, seed

ROOT = Path(__file__).resolve().parents[1]
CONFIG = str(ROOT / "bot.yaml")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    """A seeded SQLite file that `hopthu` finds through HOPTHU_DATABASE_URL, as in production."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'hopthu.sqlite3'}"
    monkeypatch.setenv("HOPTHU_DATABASE_URL", url)

    async def fill() -> Seeded:
        store = Store(url)
        await store.open()
        try:
            return await seed(store, load_config(CONFIG))
        finally:
            await store.close()

    return asyncio.run(fill())


def test_commands_are_registered(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "export" in out and "qr" in out and "check" in out and "run" in out


def test_export_xlsx_of_one_committee(database: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "q3.xlsx"
    code = main(["export", "--config", CONFIG, "--from", "quý 3/2026", "--committee", "bcd-nong-ha",
                 "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert f"Đã xuất 6 ý kiến (Ban Chỉ đạo thực hiện QCDC xã Nông Hạ, quý 3/2026) ra {out}" in printed
    sheet = openpyxl.load_workbook(out)[T.SHEET_ROWS]
    codes = [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == [s.code for s in database.of("bcd-nong-ha", ["resolved", "anonymous", "late", "formula",
                                                                   "first_minute", "erased"])]


def test_export_csv_of_everything_in_a_range(database: Seeded, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "all.csv"
    code = main(["export", "--config", CONFIG, "--from", "01/07/2026", "--to", "31/07/2026", "--format", "csv",
                 "--out", str(out)])
    assert code == 0, capsys.readouterr().out
    table = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    codes = {r[1] for r in table[1:]}
    july = {database[k].code for k in ("resolved", "anonymous", "first_minute", "workers")}
    assert codes == july
    assert HIDDEN[0] not in out.read_text(encoding="utf-8-sig")


def test_export_accepts_iso_dates(database: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    iso, vietnamese = tmp_path / "iso.csv", tmp_path / "vn.csv"
    assert main(["export", "--config", CONFIG, "--from", "2026-07-01", "--to", "2026-07-31", "--format", "csv",
                 "--out", str(iso)]) == 0, capsys.readouterr().out
    assert main(["export", "--config", CONFIG, "--from", "01/07/2026", "--to", "31/07/2026", "--format", "csv",
                 "--out", str(vietnamese)]) == 0, capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(iso.read_text(encoding="utf-8-sig"))))
    assert {r[1] for r in rows[1:]} == {database[k].code for k in ("resolved", "anonymous", "first_minute", "workers")}
    assert rows == list(csv.reader(io.StringIO(vietnamese.read_text(encoding="utf-8-sig"))))


def test_export_default_name_in_a_directory(database: Seeded, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--config", CONFIG, "--from", "2026", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "baocao_tat-ca_2026-01-01_2026-12-31.xlsx").is_file()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "31/02/2026"], "Kỳ báo cáo không hợp lệ: Ngày «31/02/2026» không có thật"),
        (["--from", "Q3/2026", "--to", "Q1/2026"], "Mốc «từ» (01/07/2026) nằm sau mốc «đến» (31/03/2026)"),
        (["--to", "Q1/2026"], "--to cần đi kèm --from"),
        (["--committee", "bcd-khong-co"], "Không có ban chỉ đạo «bcd-khong-co» trong bot.yaml"),
    ],
)
def test_export_refuses_clearly(argv: list[str], message: str, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--config", CONFIG, "--out", str(tmp_path / "x.xlsx"), *argv]) == 2
    assert message in capsys.readouterr().out
    assert not (tmp_path / "x.xlsx").exists()


def test_qr_of_one_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qr", "nong-ha", "--config", CONFIG, "--out", str(tmp_path)]) == 0
    path = tmp_path / "qr_nong-ha.png"
    printed = capsys.readouterr().out
    assert str(path) in printed and "Xã Nông Hạ, Huyện Chợ Mới, Tỉnh Bắc Kạn" in printed
    found = zxingcpp.read_barcodes(Image.open(path))
    assert [b.text for b in found] == ["https://t.me/HomThuGopYBot?start=gopy_nong-ha"]


def test_qr_of_all_units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qr", "--all", "--config", CONFIG, "--out", str(tmp_path / "qr")]) == 0
    config = load_config(CONFIG)
    made = sorted(p.name for p in (tmp_path / "qr").iterdir())
    assert made == sorted(f"qr_{unit}.png" for unit in config.units)
    for unit in config.units:
        found = zxingcpp.read_barcodes(Image.open(tmp_path / "qr" / f"qr_{unit}.png"))
        assert [b.text for b in found] == [f"https://t.me/{config.username}?start=gopy_{unit}"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "Cần ghi mã địa bàn"),
        (["nong-ha", "--all"], "không ghi cả hai"),
        (["xa-khong-co"], "Không có địa bàn «xa-khong-co» trong bot.yaml. Các mã có: bac-kan, cho-moi, nong-ha"),
    ],
)
def test_qr_refuses_clearly(argv: list[str], message: str, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["qr", "--config", CONFIG, "--out", str(tmp_path), *argv]) == 2
    assert message in capsys.readouterr().out


def test_bad_config_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "bot.yaml"
    broken.write_text("bot: {username: X}\ncommittees: []\n", encoding="utf-8")
    assert main(["qr", "--all", "--config", str(broken), "--out", str(tmp_path)]) == 1
    assert "lỗi" in capsys.readouterr().out
