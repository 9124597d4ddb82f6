"""tools/import_phapdien.py: articles are cut out of a pháp điển copy and written into the YAML intact."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from knowledge import load_knowledge_base
from tests.kb_helpers import VALID

_SPEC = importlib.util.spec_from_file_location(
    "import_phapdien", Path(__file__).parent.parent / "tools" / "import_phapdien.py")
assert _SPEC is not None and _SPEC.loader is not None
importer = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = importer  # dataclasses look their module up there
_SPEC.loader.exec_module(importer)

COPY = """\
---
title: x
---
## VĂN BẢN

Chương I

NHỮNG QUY ĐỊNH CHUNG

Điều 44.13.LQ.1. Phạm vi điều chỉnh

(Điều 1 Luật số 10/2022/QH15, có hiệu lực thi hành kể từ ngày 01/07/2023)

Luật này quy định về\u00a0nội dung.

(Điều này có nội dung liên quan đến Điều 44.13.NĐ.1.1. Phạm vi điều chỉnh)

Điều 44.13.TT.1.1. Phạm vi điều chỉnh

(Điều 1 Thông tư số 1/2018/TT-BQP, có hiệu lực thi hành kể từ ngày 15/01/2019)

1. Văn bản khác, không lấy.Điều 44.13.LQ.15. Những nội dung Nhân dân bàn và quyết định

(Điều 15 Luật số 10/2022/QH15, có hiệu lực thi hành kể từ ngày 01/07/2023)

 1. Khoản một:

 a) Điểm a;

 b) Điểm b.

2. Khoản hai.
Phu luc_ban hanh kem theo NĐ so 59_2023_ND-CP.doc

Tiểu mục 2

BAN THANH TRA

Điều 44.13.LQ.16. Đề xuất

(Điều 16 Luật số 10/2022/QH15, có hiệu lực thi hành kể từ ngày 01/07/2023)

1. Một.

3. Ba.

## Danh sách điều khoản

Điều 44.13.LQ.1. Phạm vi điều chỉnh
"""


def _copy(tmp_path: Path) -> Path:
    source = tmp_path / "copy.md"
    source.write_text(COPY, encoding="utf-8")
    return source


def test_articles_are_cut_at_every_kind_of_boundary(tmp_path: Path) -> None:
    found = importer.articles_of(_copy(tmp_path), "LQ", [1, 15])
    assert sorted(found) == [1, 15]
    assert found[1].paragraphs == ["Luật này quy định về nội dung."]  # cross-reference note left out
    assert found[15].title == "Những nội dung Nhân dân bàn và quyết định"  # heading glued to a line
    assert found[15].text == "1. Khoản một:\na) Điểm a;\nb) Điểm b.\n2. Khoản hai."  # no attachment, no Tiểu mục
    other = [a for a in importer.read_articles(_copy(tmp_path)) if a.code == "TT.1"]
    assert other[0].paragraphs == ["1. Văn bản khác, không lấy."]


def test_a_wanted_article_with_broken_numbering_stops_the_import(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"LQ\.16"):
        importer.articles_of(_copy(tmp_path), "LQ")


def test_fill_yaml_inserts_text_after_summary_and_keeps_the_rest(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(VALID, kb)
    law = kb / "documents" / "luat-10-2022.yaml"
    before = law.read_text(encoding="utf-8")
    texts = {1: "Luật này quy định về nội dung.", 15: "1. Khoản một:\na) Điểm a;\nb) Điểm b.\n2. Khoản hai."}
    done = importer.fill_yaml(law, texts, ("Bộ pháp điển", "https://example.org/pd", "Ghi chú."))
    assert done == [1, 15]
    after = law.read_text(encoding="utf-8")
    assert after.startswith("# Test fixture")  # comments kept
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    assert removed == []
    loaded = load_knowledge_base(kb).document("10/2022/QH15")
    assert loaded is not None and loaded.text_source is not None and loaded.text_source.note == "Ghi chú."
    art15 = loaded.article(15)
    assert art15 is not None and art15.summary and art15.keywords == ("bàn và quyết định", "mức đóng góp",
                                                                      "trưởng thôn")
    assert art15.clause(1) is not None and [p.letter for p in art15.clause(1).points] == ["a", "b"]  # type: ignore[union-attr]
    # running it again replaces the text instead of adding a second one
    importer.fill_yaml(law, {**texts, 1: "Luật này quy định."}, ("Bộ pháp điển", "https://example.org/pd", "X."))
    again = load_knowledge_base(kb).document("10/2022/QH15")
    assert again is not None and again.article(1).intro == "Luật này quy định."  # type: ignore[union-attr]
    assert law.read_text(encoding="utf-8").count("text_source:") == 1
