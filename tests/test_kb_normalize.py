"""knowledge.normalize: the one folding function of the project (search, routing, place names)."""

import unicodedata

import pytest

from knowledge.normalize import fold, normalize, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Xã phải CÔNG KHAI những gì?", "xa phai cong khai nhung gi"),
        ("Đường làng", "duong lang"),
        ("ĐIỀU 5", "dieu 5"),
        ("Thủy hoà, thuỷ hòa", "thuy hoa thuy hoa"),  # old and new tone placement fold together
        ("  nhiều   khoảng\ttrắng\n", "nhieu khoang trang"),
        ("Nghị định 60/2013/NĐ-CP", "nghi dinh 60 2013 nghi dinh chinh phu"),
        ("PL34", "phap lenh 34"),  # letters and digits split
        ("QH15", "quoc hoi 15"),
        ("«Dân biết, dân bàn…»", "dan biet dan ban"),
    ],
)
def test_fold_case_diacritics_punctuation(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_nfc_and_nfd_inputs_fold_the_same() -> None:
    composed = unicodedata.normalize("NFC", "Ủy ban nhân dân xã")
    decomposed = unicodedata.normalize("NFD", "Ủy ban nhân dân xã")
    assert composed != decomposed
    assert normalize(composed) == normalize(decomposed) == "uy ban nhan dan xa"


def test_d_with_stroke_folds_to_d() -> None:
    assert normalize("đ Đ đồng Đảng") == "dieu dieu dong dang"  # a lone đ is "điều" (đ 11 luật 10)
    assert fold("đồng Đảng") == "dong dang"


@pytest.mark.parametrize(
    ("abbrev", "expanded"),
    [
        ("QCDC", "quy che dan chu"),
        ("NĐ", "nghi dinh"),
        ("ND", "nghi dinh"),
        ("PL", "phap lenh"),
        ("CBCCVC", "can bo cong chuc vien chuc"),
        ("NLĐ", "nguoi lao dong"),
        ("NSDLĐ", "nguoi su dung lao dong"),
        ("BCĐ", "ban chi dao"),
        ("MTTQ", "mat tran to quoc"),
        ("UBND", "uy ban nhan dan"),
        ("HĐND", "hoi dong nhan dan"),
        ("TTND", "thanh tra nhan dan"),
        ("ko", "khong"),
        ("k", "khong"),
        ("dc", "duoc"),
        ("đc", "duoc"),
    ],
)
def test_abbreviations_expand(abbrev: str, expanded: str) -> None:
    assert normalize(abbrev) == expanded
    assert normalize(f"hỏi {abbrev} nhé") == f"hoi {expanded} nhe"


def test_abbreviation_only_as_a_whole_word() -> None:
    assert normalize("nde kong") == "nde kong"  # "nd" inside a word is not an abbreviation
    assert normalize("UBND xã ko dc công khai") == "uy ban nhan dan xa khong duoc cong khai"


def test_xa_ambiguity_is_folded() -> None:
    # xã (commune), xa (far), xá: people without a Vietnamese keyboard type them the same
    assert normalize("xã") == normalize("xa") == normalize("xá") == "xa"


def test_fold_does_not_expand() -> None:
    assert fold("GY-7K3F ko") == "gy 7 k 3 f ko"


def test_tokens_and_empty() -> None:
    assert tokens("Hội nghị CBCCVC") == ["hoi", "nghi", "can", "bo", "cong", "chuc", "vien", "chuc"]
    assert normalize("") == "" and tokens("?!") == []
