"""Vietnamese-aware folding of free text, shared by the whole project (search, routing, place names).

People type with or without diacritics, in any Unicode form, with abbreviations ("QCDC", "NĐ", "ko",
"dc") and typos. Everything that compares user text with stored text first passes both through
`normalize`, so that "Nghị định", "nghi dinh", "NĐ" and "ND" meet on the same string.

The result is ASCII: lower case, diacritics removed (đ -> d), punctuation turned into spaces, letters
and digits split apart ("PL34" -> "phap lenh 34"), abbreviations expanded, single spaces. Folding
makes "xã" and "xa" the same word on purpose: users who drop diacritics cannot be told apart anyway,
and the surrounding words decide.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["ABBREVIATIONS", "fold", "normalize", "tokens"]

# Abbreviations as they look AFTER folding (so "NĐ", "NĐ." and "nd" are one key). Only tokens that
# are unambiguous in questions about grassroots democracy; "hd" (hợp đồng / hội đồng) is left alone.
ABBREVIATIONS: dict[str, str] = {
    # documents and bodies
    "qcdc": "quy che dan chu",
    "dcco": "dan chu co so",
    "nd": "nghi dinh",
    "pl": "phap lenh",
    "nq": "nghi quyet",
    "nqlt": "nghi quyet lien tich",
    "ttlt": "thong tu lien tich",
    "qd": "quyet dinh",
    "cp": "chinh phu",
    "qh": "quoc hoi",
    "ubtvqh": "uy ban thuong vu quoc hoi",
    "blld": "bo luat lao dong",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "mttq": "mat tran to quoc",
    "ubmttq": "uy ban mat tran to quoc",
    "bcd": "ban chi dao",
    "ttnd": "thanh tra nhan dan",
    "btttnd": "ban thanh tra nhan dan",
    "bttnd": "ban thanh tra nhan dan",
    "gsdtcd": "giam sat dau tu cua cong dong",
    "bgsdtcd": "ban giam sat dau tu cua cong dong",
    "ldld": "lien doan lao dong",
    "tld": "tong lien doan",
    "bchcd": "ban chap hanh cong doan",
    "cdcs": "cong doan co so",
    # people
    "cbccvc": "can bo cong chuc vien chuc",
    "cbcc": "can bo cong chuc",
    "ccvc": "cong chuc vien chuc",
    "cbcnv": "can bo cong nhan vien",
    "nld": "nguoi lao dong",
    "nsdld": "nguoi su dung lao dong",
    "cnv": "cong nhan vien",
    "ng": "nguoi",
    # places and organisations
    "tdp": "to dan pho",
    "tp": "thanh pho",
    "cq": "co quan",
    "dvsncl": "don vi su nghiep cong lap",
    "cqhcnn": "co quan hanh chinh nha nuoc",
    "cqnn": "co quan nha nuoc",
    "dn": "doanh nghiep",
    "dnnn": "doanh nghiep nha nuoc",
    "cty": "cong ty",
    "hdld": "hop dong lao dong",
    "bhxh": "bao hiem xa hoi",
    "bhyt": "bao hiem y te",
    "bhtn": "bao hiem that nghiep",
    "gpmb": "giai phong mat bang",
    "ktxh": "kinh te xa hoi",
    # chat shorthand
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "kh": "khong",
    "hok": "khong",
    "dc": "duoc",
    "vs": "voi",
    "j": "gi",
    "ntn": "nhu the nao",
    "bn": "bao nhieu",
    "bnhieu": "bao nhieu",
    "mk": "minh",
    "mik": "minh",
    "trg": "truong",
    "qui": "quy",
    # "đ 11" and "Đ.11": a lone d before a number is an article ("điều")
    "d": "dieu",
}

# Every combining mark is dropped after NFD; đ/Đ are letters of their own and need an explicit rule.
_STRIP = {c: None for c in range(0x0300, 0x0370)}
_STRIP.update({ord("đ"): "d", ord("Đ"): "d", ord("ð"): "d"})

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ -> d) and punctuation; no abbreviation expansion.

    Kept separate from `normalize` for callers that must not expand ("k" in a code like "GY-7K3F").
    """
    folded = unicodedata.normalize("NFD", text).translate(_STRIP).lower()
    folded = _NON_ALNUM.sub(" ", folded)
    folded = _LETTER_DIGIT.sub(" ", folded)
    return " ".join(folded.split())


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """THE folding function: `fold`, then abbreviations expanded token by token.

    "Điều 5 PL34 ko đc công khai?" -> "dieu 5 phap lenh 34 khong duoc cong khai".
    Cached because the same strings (place names, aliases, repeated questions) come back often.
    """
    if not text:
        return ""
    out = [ABBREVIATIONS.get(tok, tok) for tok in fold(text).split(" ")]
    return " ".join(t for t in out if t)


def tokens(text: str) -> list[str]:
    """The normalised words of `text` (syllables, for Vietnamese)."""
    norm = normalize(text)
    return norm.split() if norm else []
