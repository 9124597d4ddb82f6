"""Question or feedback: the free-text decision, on the labelled questions and on report-like texts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.intent import Intent, classify
from bot.routing import PlaceFinder
from tests.bot_fixtures import harness_config

QUESTIONS = yaml.safe_load((Path(__file__).parent / "data" / "questions.yaml").read_text("utf-8"))["questions"]

# Report-like texts people send to a suggestion box: an incident, a place, a request, a story.
FEEDBACK = [
    "Đường liên thôn Nà Mố bị sạt lở sau mưa lớn, đề nghị xã sửa sớm.",
    "duong lien thon na mo bi sat lo sau mua lon de nghi xa sua som",
    "Xã Nông Hạ không công khai ngân sách năm nay, đề nghị làm rõ.",
    "xa nong ha khong cong khai ngan sach nam nay, de nghi lam ro",
    "Đường thôn Nà Mố bị sạt lở, bao giờ xã mới sửa?",
    "Bãi rác đầu thôn bốc mùi hôi thối mấy tháng nay, bà con rất bức xúc",
    "bai rac dau thon boc mui hoi thoi may thang nay ba con rat buc xuc",
    "Cán bộ địa chính xã gây khó khăn khi tôi làm sổ đỏ, đòi tiền mới làm",
    "Trưởng thôn thu tiền làm đường mỗi hộ 500 nghìn nhưng không công khai thu chi",
    "Đèn đường thôn Bản Chiêng hỏng nặng cả tháng nay chưa ai sửa",
    "Nhà tôi ở xóm 3 xã Nông Thịnh, hôm qua nước từ trại lợn tràn ra đường, ô nhiễm lắm",
    "Karaoke nhà hàng xóm hát đến 12 giờ đêm, tiếng ồn quá, mong xã can thiệp",
    "Kính gửi UBND xã. Tôi là Nguyễn Văn A, trú tại thôn Khuổi Đeng. Gia đình tôi có mảnh đất bị lấn "
    "chiếm. Tôi đã nhiều lần báo nhưng chưa được giải quyết. Đề nghị xã xem xét.",
    "cau tran thon na pai bi vo mat, xe may di rat nguy hiem",
    "nuoc thai nha may che bien go xa thai ra suoi",
    "Đề nghị xã lắp thêm đèn chiếu sáng ở đoạn đường qua trường tiểu học.",
    "Kênh mương nội đồng thôn 2 bị tắc nghẽn, nước không vào ruộng được, mong xã nạo vét.",
]


@pytest.fixture(scope="module")
def places() -> PlaceFinder:
    return PlaceFinder(harness_config())


def _decide(text: str, kb_and_index, places: PlaceFinder):
    _, index = kb_and_index
    return classify(text, index.search(text, limit=6), place_named=places.mentioned_in(text) is not None)


def test_labelled_questions_are_questions(kb_and_index, places):
    """Every question of the labelled set, answerable or not, with or without diacritics."""
    missed = [q["q"] for q in QUESTIONS if _decide(q["q"], kb_and_index, places).intent is not Intent.QUESTION]
    assert len(missed) <= len(QUESTIONS) // 50, missed  # at most 2 %
    no_diacritics = [q["q"] for q in QUESTIONS if not q["diacritics"]]
    assert len(no_diacritics) > 30
    assert not [q for q in no_diacritics if q in missed]


@pytest.mark.parametrize("text", FEEDBACK)
def test_reports_are_offered_as_feedback(text, kb_and_index, places):
    decision = _decide(text, kb_and_index, places)
    assert decision.intent is Intent.FEEDBACK, decision


@pytest.mark.parametrize("text", [
    "điều 5 pháp lệnh 34", "dieu 11 luat 10", "Đ.5 PL34", "điều 3 nghị định 60/2013",
])
def test_direct_reference_is_always_a_question(text, kb_and_index, places):
    decision = _decide(text, kb_and_index, places)
    assert decision.intent is Intent.QUESTION and "reference" in decision.reasons


@pytest.mark.parametrize("text", [
    "giá vàng hôm nay bao nhiêu", "gia vang hom nay bao nhieu", "xa phai cong khai nhung gi",
    "cho hỏi dân được bàn những việc gì", "cong khai ngan sach xa", "quy chế dân chủ ở cơ sở",
    "Thấy đồng nghiệp làm sai quy định thì tôi phản ánh với ai?",
])
def test_questions_and_searches(text, kb_and_index, places):
    assert _decide(text, kb_and_index, places).intent is Intent.QUESTION


@pytest.mark.parametrize("text", ["xin chào", "Xin chao", "cảm ơn", "hello"])
def test_greetings(text, kb_and_index, places):
    assert _decide(text, kb_and_index, places).intent is Intent.GREETING


def test_without_search_result_still_decides():
    assert classify("xã phải công khai những gì?").intent is Intent.QUESTION
    assert classify("Đường thôn bị sạt lở, đề nghị xã sửa").intent is Intent.FEEDBACK
    assert classify("").intent is Intent.FEEDBACK
