"""bot.yaml validation: every problem reported with its place, nothing else accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.config import ConfigError, bot_token, load_config

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "bot.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def base() -> dict:
    return yaml.safe_load((ROOT / "bot.yaml").read_text(encoding="utf-8"))


def places(exc: ConfigError) -> set[str]:
    return {issue.place for issue in exc.issues}


def test_example_config_is_valid():
    config = load_config(ROOT / "bot.yaml")
    assert config.units["nong-ha"].parent == "cho-moi"
    assert config.unit_label("nong-ha") == "Xã Nông Hạ, Huyện Chợ Mới, Tỉnh Bắc Kạn"
    assert config.committee_by_chat(-1001000000003).id == "bcd-nong-ha"
    assert config.deadlines.resolve_for("khieu_nai") == 30
    assert config.deadlines.resolve_for("gop_y") == 15


def test_token_only_from_environment(monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert bot_token() is None
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", " 123:abc ")
    assert bot_token() == "123:abc"
    assert "token" not in (ROOT / "bot.yaml").read_text(encoding="utf-8").split("#")[0].lower()


@pytest.mark.parametrize(
    ("mutate", "place"),
    [
        (lambda d: d["committees"][0].update(unit="khong-co"), "committees[0].unit"),
        (lambda d: d["committees"][1].update(chat_id=12345), "committees[1].chat_id"),
        (lambda d: d["committees"][1].update(chat_id="abc"), "committees[1].chat_id"),
        (lambda d: d["committees"][2].update(chat_id=d["committees"][0]["chat_id"]), "committees[2].chat_id"),
        (lambda d: d["committees"][0].pop("name"), "committees[0].name"),
        (lambda d: d["committees"][7].update(topics=["khong-co"]), "committees[7].topics[0]"),
        (lambda d: d["routing"]["rules"][0].update(committee="khong-co"), "routing.rules[0].committee"),
        (lambda d: d["routing"]["rules"][0].update(topic="khong-co"), "routing.rules[0].topic"),
        (lambda d: d["routing"].update(fallback="khong-co"), "routing.fallback"),
        (lambda d: d["units"][0].update(id="Bắc Kạn"), "units[0].id"),
        (lambda d: d["units"].append({"id": "bac-kan", "name": "Trùng"}), "units[2].id"),
        (lambda d: d["topics"][0].update(id="dat-dai"), "topics[1].id"),
        (lambda d: d["digest"].update(time="25:99"), "digest.time"),
        (lambda d: d["deadlines"].update(acknowledge=0), "deadlines.acknowledge"),
        (lambda d: d["deadlines"]["resolve_by_kind"].update(khong_co=3), "deadlines.resolve_by_kind.khong_co"),
        (lambda d: d["limits"].update(text_max_chars=5000), "limits.text_max_chars"),
        (lambda d: d["bot"].update(timezone="Sao/Hoa"), "bot.timezone"),
        (lambda d: d["admins"].append("abc"), "admins[0]"),
        (lambda d: d.update(comittees=[]), ".comittees"),
    ],
)
def test_invalid_config_names_the_place(tmp_path, mutate, place):
    data = base()
    mutate(data)
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, data))
    assert place in places(caught.value), caught.value.issues


def test_all_problems_reported_at_once(tmp_path):
    data = base()
    data["committees"][0]["unit"] = "x-1"
    data["committees"][1]["chat_id"] = 5
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, data))
    assert {"committees[0].unit", "committees[1].chat_id"} <= places(caught.value)


def test_unreachable_unit_without_fallback(tmp_path):
    data = base()
    data["routing"].pop("fallback")
    data["committees"] = [c for c in data["committees"] if c["id"] != "bcd-bac-kan"]
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, data))
    assert "units.bac-kan" in places(caught.value)


@pytest.mark.parametrize("content", ["", "[1, 2", "just a string", "- a\n- b\n"])
def test_broken_files(tmp_path, content):
    path = tmp_path / "bot.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError):
        load_config(path)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError):
        load_config(tmp_path / "none.yaml")


def test_cli_check(capsys, tmp_path):
    assert main(["check", "--config", str(ROOT / "bot.yaml")]) == 0
    assert "hợp lệ" in capsys.readouterr().out
    data = base()
    data["committees"][0]["unit"] = "khong-co"
    assert main(["check", "--config", str(write(tmp_path, data))]) == 1
    out = capsys.readouterr().out
    assert "committees[0].unit" in out and "khong-co" in out


def test_sqlite_inline_driver_is_off_unless_set(tmp_path):
    data = base()
    del data["bot"]["sqlite_inline_driver"]
    assert load_config(write(tmp_path, data)).sqlite_inline_driver is False
    data["bot"]["sqlite_inline_driver"] = True
    assert load_config(write(tmp_path, data)).sqlite_inline_driver is True
    data["bot"]["sqlite_inline_driver"] = "yes"
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, data))
    assert "bot.sqlite_inline_driver" in places(exc.value)
