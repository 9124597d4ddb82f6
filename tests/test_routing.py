"""Routing and place/topic suggestion over the example bot.yaml (table-driven)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.routing import PlaceFinder, route, suggest_topics

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT / "bot.yaml")


@pytest.mark.parametrize(
    ("unit", "topic", "committee"),
    [
        # most specific unit first
        ("nong-ha", "dat-dai", "bcd-nong-ha"),
        ("nong-thinh", "cong-khai", "bcd-nong-thinh"),
        ("my-thanh", "dong-gop", "bcd-my-thanh"),
        ("cho-don", "moi-truong", "bcd-cho-don"),
        # a unit without its own committee climbs to its parent
        ("dien-luc-cho-moi", "thu-tuc", "bcd-cho-moi"),
        ("lam-truong-cho-moi", "khac", "bcd-cho-moi"),
        ("cho-moi", "dat-dai", "bcd-cho-moi"),
        ("bac-kan", "dat-dai", "bcd-bac-kan"),
        # explicit rules beat the unit tree
        ("nong-ha", "lao-dong", "ldld-cho-moi"),
        ("dien-luc-cho-moi", "lao-dong", "ldld-cho-moi"),
        ("cho-don", "co-quan", "bcd-dang-uy-khoi"),
        ("nong-thinh", "co-quan", "bcd-dang-uy-khoi"),
        # a rule scoped to Chợ Mới does not catch Chợ Đồn
        ("cho-don", "lao-dong", "bcd-cho-don"),
        # outside every rule's unit: own committee
        ("my-thanh", "co-quan", "bcd-my-thanh"),
        ("dang-uy-khoi", "thu-tuc", "bcd-dang-uy-khoi"),
    ],
)
def test_route(config, unit, topic, committee):
    assert route(config, unit, topic).id == committee


def test_no_topic_routes_by_place(config):
    assert route(config, "nong-ha", None).id == "bcd-nong-ha"


def test_fallback_is_last_candidate(config):
    ids = [c.id for c in config.committee_candidates("nong-ha", "dat-dai")]
    assert ids[0] == "bcd-nong-ha"
    assert ids[-1] == "bcd-bac-kan"
    assert len(ids) == len(set(ids))


def test_committee_topics_only_take_their_topic(config):
    # ldld-cho-moi sits at Chợ Mới but only takes "lao-dong"
    ids = [c.id for c in config.committee_candidates("cho-moi", "dat-dai")]
    assert "ldld-cho-moi" not in ids


@pytest.mark.parametrize(
    ("typed", "unit"),
    [
        ("nong ha", "nong-ha"),
        ("Nông Hạ", "nong-ha"),
        ("xã nông hạ", "nong-ha"),
        ("xa nong ha", "nong-ha"),
        ("nong ah", "nong-ha"),  # typo
        ("nông thịnh", "nong-thinh"),
        ("nong thin", "nong-thinh"),
        ("cho moi", "cho-moi"),
        ("huyện chợ đồn", "cho-don"),
        ("my thanh", "my-thanh"),
        ("bac kan", "bac-kan"),
        ("điện lực", "dien-luc-cho-moi"),
        ("lam truong", "lam-truong-cho-moi"),
    ],
)
def test_place_finder(config, typed, unit):
    matches = PlaceFinder(config).find(typed)
    assert matches, typed
    assert matches[0].unit.id == unit


@pytest.mark.parametrize("typed", ["", "   ", "hà nội", "zzzz", "🙂🙂"])
def test_place_finder_no_match(config, typed):
    assert PlaceFinder(config).find(typed) == []


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("Đường liên thôn ở xã Nông Hạ bị hỏng nặng", "nong-ha"),
        ("duong o xa nong thinh hong", "nong-thinh"),
        ("Công nhân Lâm trường Chợ Mới bị nợ lương", "lam-truong-cho-moi"),
        ("Tôi muốn hỏi về thủ tục", None),
    ],
)
def test_place_mentioned_in_text(config, text, unit):
    found = PlaceFinder(config).mentioned_in(text)
    assert (found.id if found else None) == unit


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Xã không công khai dự toán ngân sách năm nay", "cong-khai"),
        ("Đền bù giải phóng mặt bằng không thỏa đáng", "dat-dai"),
        ("thon thu tien lam duong be tong khong hop dan", "dong-gop"),
        ("Bình xét hộ nghèo ở thôn tôi không công bằng", "chinh-sach"),
        ("Cán bộ một cửa gây khó khăn khi làm hồ sơ", "thu-tuc"),
        ("Bãi rác gây ô nhiễm nguồn nước", "moi-truong"),
        ("Công ty nợ lương người lao động 3 tháng", "lao-dong"),
        ("Thủ trưởng cơ quan không tổ chức hội nghị cán bộ công chức", "co-quan"),
    ],
)
def test_suggest_topic(config, text, topic):
    suggested = suggest_topics(config, text)
    assert suggested and suggested[0].id == topic


def test_suggest_topic_nothing(config):
    assert suggest_topics(config, "xin chào") == []
