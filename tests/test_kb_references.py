"""References may name a KB document or any related_documents entry of the whole knowledge base."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import KnowledgeBaseError, Reason, load_knowledge_base
from tests.kb_helpers import VALID

RELATED_59 = """\
related_documents:
  - number: 59/2023/NĐ-CP
    title: Nghị định quy định chi tiết một số điều của Luật Thực hiện dân chủ ở cơ sở
    link: https://example.org/nd-59-2023
"""

DECREE_59 = """\
id: nd-59-2023
number: 59/2023/NĐ-CP
kind: Nghị định
title: Quy định chi tiết một số điều của Luật Thực hiện dân chủ ở cơ sở
issuer: Chính phủ
issued: 2023-08-14
effective: 2023-08-15
status: in_force
source: https://example.org/nd-59-2023
aliases: [nghị định 59]
chapters:
  - articles:
      - number: 3
        title: Tổ chức cuộc họp của cộng đồng dân cư để Nhân dân bàn và quyết định
        verified: none
"""


def _kb(tmp_path: Path, article: int, *, related: bool, decree: bool) -> Path:
    """The valid fixture where PL 34/2007 Điều 10 also points to NĐ 59/2023 Điều `article`."""
    target = tmp_path / "kb"
    shutil.copytree(VALID, target)
    pl = target / "documents" / "pl-34-2007.yaml"
    content = pl.read_text(encoding="utf-8")
    old = "          - {document: 10/2022/QH15, article: 15}\n"
    assert old in content
    pl.write_text(content.replace(old, old + f"          - {{document: 59/2023/NĐ-CP, article: {article}}}\n", 1),
                  encoding="utf-8")
    if related:  # known only through applicability.yaml, not through the referring document
        app = target / "applicability.yaml"
        app.write_text(RELATED_59 + app.read_text(encoding="utf-8"), encoding="utf-8")
    if decree:
        (target / "documents" / "nd-59-2023.yaml").write_text(DECREE_59, encoding="utf-8")
    return target


def test_reference_to_a_document_related_elsewhere_is_accepted(tmp_path: Path) -> None:
    kb = load_knowledge_base(_kb(tmp_path, 3, related=True, decree=False))
    art = kb.article("34/2007/PL-UBTVQH11", 10)
    assert art is not None and ("59/2023/NĐ-CP", 3) in [(r.document, r.article) for r in art.current]
    assert kb.label("59/2023/NĐ-CP") == "Nghị định 59/2023/NĐ-CP"


def test_unknown_reference_is_still_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(_kb(tmp_path, 3, related=False, decree=False))
    assert caught.value.reason is Reason.UNKNOWN_DOCUMENT


@pytest.mark.parametrize("related", [True, False])
def test_once_a_kb_document_its_article_numbers_are_checked(tmp_path: Path, related: bool) -> None:
    assert load_knowledge_base(_kb(tmp_path / "ok", 3, related=related, decree=True)).document("nd-59-2023")
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(_kb(tmp_path / "bad", 4, related=related, decree=True))
    assert caught.value.reason is Reason.UNKNOWN_ARTICLE and Path(caught.value.file).name == "pl-34-2007.yaml"
