"""Question or feedback? The first decision about a free text in private chat.

Pure: works on the text, the search result and whether a place is named; no Telegram, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from knowledge.normalize import normalize
from knowledge.search import SearchResult


class Intent(StrEnum):
    QUESTION = "question"
    FEEDBACK = "feedback"
    GREETING = "greeting"


@dataclass(frozen=True)
class Decision:
    """Why a free text was taken as a question or as feedback (scores kept for tests and logs)."""

    intent: Intent
    question: int
    report: int
    reasons: tuple[str, ...] = ()


def _patterns(*words: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(words) + r")(?![a-z0-9])")


# Everything below works on `normalize`d text, so "gì", "gi", "j" and "ko", "không" are the same.
_OPENERS = _patterns(r"^(?:cho|xin|toi muon|em muon|cho em|cho toi|cho minh|minh muon) hoi", r"^hoi",
                     r"^(?:lam the nao|lam sao|tai sao|vi sao|cach|the nao|khi nao|bao gio|o dau|ai la|ai|"
                     r"liec?u|co phai|co duoc|co can|co bat buoc|muon biet)")
_QUESTION_WORDS = _patterns(
    r"gi", r"nao", r"bao gio", r"bao nhieu", r"bao lau", r"o dau", r"di dau", r"the nao", r"ra sao", r"lam sao",
    r"tai sao", r"vi sao", r"the sao", r"co duoc", r"co phai", r"duoc khong", r"phai khong", r"khong a",
    r"ai", r"may (?:ngay|lan|nam|thang|tuan|nguoi|gio|phieu|ho|thanh vien|buoc|loai|hinh thuc|nguyen tac|pho|diem|"
    r"dieu|khoan|muc|phan)",
    r"nhu nao", r"sao vay", r"dung khong", r"co can", r"co bat buoc", r"hay khong", r"chua",
    r"(?<=[a-z] )hay(?= [a-z])",  # "A hay B": a choice is asked
)
_ENDS_AS_QUESTION = re.compile(r"(?:khong|chua|a|nhi|ha|sao|vay|the|nao|gi|khong vay)$")
_LEGAL = _patterns(
    r"quy dinh", r"dieu \d+", r"luat", r"nghi dinh", r"phap lenh", r"quy che", r"dan chu", r"quyen",
    r"nghia vu", r"trach nhiem", r"hieu luc", r"ap dung", r"van ban", r"thong tu", r"nghi quyet",
    r"can cu", r"theo quy dinh", r"bat buoc",
)
_INCIDENT = _patterns(
    r"sat lo", r"hu hong", r"bi hong", r"hong nang", r"xuong cap", r"o ga", r"ngap", r"ngap ung", r"o nhiem",
    r"rac thai", r"do rac", r"bai rac", r"boc mui", r"hoi thoi", r"mat dien", r"mat nuoc", r"cup dien",
    r"lan chiem", r"tieng on", r"on ao", r"tac nghen", r"nut ne", r"bi nut", r"sap do", r"nguy hiem",
    r"tai nan", r"trom", r"danh nhau", r"nhung nhieu", r"tham nhung", r"hach dich", r"gay kho khan",
    r"gay kho de", r"cham tre", r"khong chiu sua", r"chua sua", r"chua duoc sua", r"ton dong", r"bui ban",
    r"khoi bui", r"nuoc thai", r"xa thai", r"chat thai", r"bat cong", r"thu sai", r"lam sai", r"vi pham",
    r"khong minh bach", r"mat trat tu", r"chua giai quyet", r"khong giai quyet", r"doi tien", r"bi thu",
)
_REQUEST = _patterns(
    r"de nghi", r"kien nghi", r"phan anh", r"buc xuc", r"yeu cau xa", r"mong xa", r"mong chinh quyen",
    r"mong cac cap", r"xin phan anh", r"to cao", r"khieu nai", r"de nghi xa", r"kinh gui", r"kinh de nghi",
    r"xin cam on", r"mong duoc giai quyet", r"som giai quyet", r"som khac phuc",
)
_NARRATIVE = _patterns(
    r"nha toi", r"gia dinh toi", r"hom qua", r"sang nay", r"toi qua", r"chieu nay", r"tuan truoc",
    r"thang truoc", r"da lau", r"nhieu ngay", r"nhieu thang", r"tu thang", r"tu nam", r"hien nay thon",
    r"nha em", r"khu nha toi", r"ngo nha",
)
_GREETINGS = frozenset({
    "xin chao", "chao", "chao ban", "chao bot", "hello", "hi", "alo", "hey", "chao ad", "chao admin",
    "xin chao bot", "hello bot", "cam on", "cam on ban", "cam on bot", "thanks", "thank you", "ok", "oke",
})


def classify(text: str, result: SearchResult | None = None, *, place_named: bool = False) -> Decision:
    """Question or feedback? A question gets an answer; anything report-like is offered as feedback.

    Question evidence: a question mark, question words ("gì", "bao giờ", "có được … không"), words
    about rules ("quy định", "điều", "luật"), a sure search hit, and a direct reference (decisive).
    Report evidence: an incident ("sạt lở", "ô nhiễm", "nhũng nhiễu"), a request ("đề nghị", "phản
    ánh"), a named place, a first-person story, length. A "question" about an incident that the
    search cannot answer ("bao giờ xã sửa đường?") is a complaint in question form: feedback.
    """
    norm = normalize(text)
    if not norm:
        return Decision(Intent.FEEDBACK, 0, 0, ("empty",))
    if norm in _GREETINGS:
        return Decision(Intent.GREETING, 0, 0, ("greeting",))
    if result is not None and result.reference:
        return Decision(Intent.QUESTION, 10, 0, ("reference",))
    reasons: list[str] = []
    q = 0
    if "?" in text:
        q += 2
        reasons.append("question mark")
    if _OPENERS.search(norm):
        q += 2
        reasons.append("opener")
    words = {m.group(0) for m in _QUESTION_WORDS.finditer(norm)}
    if _ENDS_AS_QUESTION.search(norm) and len(norm.split()) > 2:
        words.add("<end>")
    if words:
        q += min(3, len(words))
        reasons.append("question words: " + ", ".join(sorted(words)))
    legal = {m.group(0) for m in _LEGAL.finditer(norm)}
    if legal:
        q += min(2, len(legal))
        reasons.append("legal: " + ", ".join(sorted(legal)))
    # "sure" now means "sure it is THIS article"; that the rules cover the matter is enough evidence here
    sure = result is not None and (result.sure or result.on_topic)
    if sure:
        q += 2
        reasons.append("sure hit")

    r = 0
    incidents = {m.group(0) for m in _INCIDENT.finditer(norm)}
    if incidents:
        r += 2 + (1 if len(incidents) > 1 else 0)
        reasons.append("incident: " + ", ".join(sorted(incidents)))
    requests = {m.group(0) for m in _REQUEST.finditer(norm)}
    if requests:
        r += min(2, len(requests))
        reasons.append("request: " + ", ".join(sorted(requests)))
    if place_named:
        r += 1
        reasons.append("place")
    if _NARRATIVE.search(norm):
        r += 1
        reasons.append("narrative")
    length = len(text)
    if length > 600:
        r += 2
    elif length > 300:
        r += 1
    sentences = [s for s in re.split(r"[.!\n]+", text) if len(s.split()) >= 3]
    if len(sentences) >= 3 and "?" not in text:
        r += 1
        reasons.append("several sentences")

    asks = q - (2 if sure else 0)  # evidence in the wording itself, not from the search
    if r == 0:
        # a few words with no report in them is a search; a long plain statement is not a question
        is_question = asks > 0 or len(norm.split()) <= 12
    else:
        is_question = q > r and (sure or r <= 1 or bool(legal))
    return Decision(Intent.QUESTION if is_question else Intent.FEEDBACK, q, r, tuple(reasons))
