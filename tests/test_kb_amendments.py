"""knowledge/amendments.yaml: later changes are checked against the documents and attached to articles."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from knowledge import Change, KnowledgeBaseError, Reason, Verified, check_knowledge_base, load_knowledge_base
from tests.kb_helpers import VALID, real_kb_missing

RELATED_97 = """\
related_documents:
  - number: 97/2025/QH15
    title: Luật sửa đổi, bổ sung một số điều của Luật Thực hiện dân chủ ở cơ sở
    link: https://example.org/luat-97-2025
"""

AMENDED_15 = """\
changes:
  - target: 10/2022/QH15
    article: 15
    by: 97/2025/QH15
    since: 2025-07-01
    change: amended
    verified: full
    text: |
      1. Khoản một mới.
      2. Khoản hai mới:
      a) Điểm a mới.
    note: Điều này đã được sửa đổi.
    source: https://example.org/luat-97-2025/d1
  - target: 10/2022/QH15
    article: 11
    by: 97/2025/QH15
    since: 2025-07-01
    change: amended
    verified: none
    note: Điều này có thể đã được sửa đổi; chưa đối chiếu được nội dung mới.
  - target: 10/2022/QH15
    article: null
    by: 97/2025/QH15
    since: 2025-07-01
    change: notice
    verified: none
    note: Từ 01/7/2025 chính quyền địa phương tổ chức hai cấp.
"""


def kb_with(tmp_path: Path, amendments: str, *, related: bool = True) -> Path:
    """The valid fixture plus an amendments.yaml, with 97/2025/QH15 known by reference when `related`."""
    target = tmp_path / "kb"
    shutil.copytree(VALID, target)
    (target / "amendments.yaml").write_text(amendments, encoding="utf-8")
    if related:
        law = target / "documents" / "luat-10-2022.yaml"
        content = law.read_text(encoding="utf-8")
        law.write_text(content.replace("aliases:", RELATED_97 + "aliases:", 1), encoding="utf-8")
    return target


def test_changes_attach_to_articles_and_document(tmp_path: Path) -> None:
    kb = load_knowledge_base(kb_with(tmp_path, AMENDED_15))
    law = kb.document("10/2022/QH15")
    assert law is not None
    art15, art11, art9 = law.article(15), law.article(11), law.article(9)
    assert art15 is not None and art11 is not None and art9 is not None
    (change,) = art15.amendments
    assert change.by == "97/2025/QH15" and change.change is Change.AMENDED and change.verified is Verified.FULL
    assert change.since == dt.date(2025, 7, 1) and change.note == "Điều này đã được sửa đổi."
    # the original text is not carried in the fixture; the text in force is the verified new wording
    assert art15.text is None
    in_force = art15.text_in_force
    assert in_force is not None and [c.number for c in in_force.clauses] == [1, 2]
    assert in_force.clause(2) is not None and in_force.clause(2).point("a") is not None  # type: ignore[union-attr]
    assert art15.text_at(dt.date(2025, 6, 30)) is None  # before the change: the original (not carried)
    assert art11.amendments[0].text is None and art11.text_in_force is None  # unverified: no invented text
    assert art9.amendments == ()
    (notice,) = law.notices
    assert notice.article is None and notice.change is Change.NOTICE


def test_empty_amendments_file_is_accepted(tmp_path: Path) -> None:
    kb = load_knowledge_base(kb_with(tmp_path, "changes: []\n", related=False))
    law = kb.document("10/2022/QH15")
    assert law is not None and law.notices == () and all(a.amendments == () for a in law.articles)


def _first_change(**fields: str) -> str:
    """AMENDED_15 with the first change's fields replaced (`field: value` lines)."""
    entry = AMENDED_15.split("  - target: 10/2022/QH15\n    article: 11")[0]
    for key, value in fields.items():
        lines = entry.splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.lstrip(" -").startswith(f"{key}:"):
                lines[i] = line[:line.index(key)] + f"{key}: {value}\n"
        entry = "".join(lines)
    return entry


@pytest.mark.parametrize(("fields", "place", "reason"), [
    ({"target": "99/2099/QH99"}, "changes[0].target", Reason.UNKNOWN_DOCUMENT),
    ({"article": "77"}, "changes[0].article", Reason.UNKNOWN_ARTICLE),
    ({"by": "98/2025/QH15"}, "changes[0].by", Reason.UNKNOWN_DOCUMENT),
    ({"by": "10/2022/QH15"}, "changes[0].by", Reason.SELF_REFERENCE),
    ({"since": "2020-01-01"}, "changes[0].since", Reason.DATE_ORDER),
    ({"since": "2025-02-30"}, "changes[0].since", Reason.BAD_DATE),
    ({"change": "replaced"}, "changes[0].change", Reason.BAD_VALUE),
    ({"verified": "none"}, "changes[0].text", Reason.AMENDMENT_TEXT_FORBIDDEN),
    ({"article": "null"}, "changes[0].text", Reason.AMENDMENT_TEXT_FORBIDDEN),
    ({"source": "not-a-link"}, "changes[0].source", Reason.BAD_URL),
    ({"note": "''"}, "changes[0].note", Reason.EMPTY),
])
def test_bad_change_is_refused(tmp_path: Path, fields: dict[str, str], place: str, reason: Reason) -> None:
    kb, errors = check_knowledge_base(kb_with(tmp_path, _first_change(**fields)))
    assert kb is None and len(errors) == 1
    error = errors[0]
    assert Path(error.file).name == "amendments.yaml"
    assert (error.place, error.reason) == (place, reason)


def test_verified_change_needs_text(tmp_path: Path) -> None:
    entry = _first_change().split("    text: |")[0] + "    note: Sửa đổi.\n"
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_with(tmp_path, entry))
    assert caught.value.reason is Reason.AMENDMENT_TEXT_REQUIRED and caught.value.place == "changes[0].text"


def test_new_text_is_checked_like_an_article(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_with(tmp_path, AMENDED_15.replace("2. Khoản hai mới:", "3. Khoản hai mới:")))
    assert caught.value.reason is Reason.CLAUSE_ORDER and caught.value.place == "changes[0].text"


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(kb_with(tmp_path, AMENDED_15.replace("    change: notice", "    kind: notice")))
    assert caught.value.reason is Reason.UNKNOWN_FIELD and caught.value.place == "changes[2].kind"


def test_added_article_becomes_a_document_notice(tmp_path: Path) -> None:
    added = _first_change(article="16", change="added")
    law = load_knowledge_base(kb_with(tmp_path, added)).document("10/2022/QH15")
    assert law is not None and [n.article for n in law.notices] == [16]


@pytest.mark.skipif(real_kb_missing() is not None, reason=real_kb_missing() or "")
def test_real_amendments_file_loads() -> None:
    kb = load_knowledge_base()
    assert all(n.target == d.number for d in kb.documents for n in d.notices)
