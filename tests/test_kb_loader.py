"""knowledge.loader: a bad file is refused with file, place and reason; the real KB loads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from knowledge import KnowledgeBaseError, Reason, Status, Verified, check_knowledge_base, load_knowledge_base
from tests.kb_helpers import BROKEN, REAL_DOCUMENTS, VALID, overlay, real_kb_missing


def test_valid_fixture_loads() -> None:
    kb = load_knowledge_base(VALID)
    assert [d.number for d in kb.documents] == ["10/2022/QH15", "34/2007/PL-UBTVQH11"]  # in force first
    law, pl = kb.documents
    assert law.status is Status.IN_FORCE and pl.status is Status.SUPERSEDED
    assert pl.issued == dt.date(2007, 4, 20) and pl.replaced_by[0].since == dt.date(2023, 7, 1)
    art5 = pl.article(5)
    assert art5 is not None and art5.verified is Verified.PARTIAL and art5.missing and art5.title is None
    art6 = pl.article(6)
    assert art6 is not None and art6.verified is Verified.NONE and art6.summary is None
    assert [r.id for r in kb.roles] == ["resident"]


# case -> (file name, place, reason)
BROKEN_CASES = {
    "missing_field": ("pl-34-2007.yaml", "issuer", Reason.MISSING_FIELD),
    "duplicate_article": ("pl-34-2007.yaml", "chapters[1].articles[1].number", Reason.DUPLICATE_ARTICLE),
    "article_order": ("pl-34-2007.yaml", "chapters[1].articles[1].number", Reason.ARTICLE_ORDER),
    "bad_date": ("pl-34-2007.yaml", "issued", Reason.BAD_DATE),
    "bad_date_format": ("pl-34-2007.yaml", "effective", Reason.BAD_DATE),
    "date_order": ("pl-34-2007.yaml", "effective", Reason.DATE_ORDER),
    "unknown_document": ("pl-34-2007.yaml", "replaced_by[0].document", Reason.UNKNOWN_DOCUMENT),
    "unknown_article": ("pl-34-2007.yaml", "chapters[0].articles[0].current[0].article", Reason.UNKNOWN_ARTICLE),
    "summary_on_unverified": ("pl-34-2007.yaml", "chapters[1].articles[1].summary", Reason.SUMMARY_FORBIDDEN),
    "summary_required": ("luat-10-2022.yaml", "chapters[0].articles[0].summary", Reason.SUMMARY_REQUIRED),
    "missing_required": ("pl-34-2007.yaml", "chapters[1].articles[0].missing", Reason.MISSING_REQUIRED),
    "unknown_field": ("luat-10-2022.yaml", "chapters[2].articles[0].keyword", Reason.UNKNOWN_FIELD),
    "yaml_syntax": ("luat-10-2022.yaml", "", Reason.YAML_SYNTAX),
    "duplicate_key": ("luat-10-2022.yaml", "chapters[2].articles[0].title", Reason.DUPLICATE_KEY),
    "bad_status": ("luat-10-2022.yaml", "status", Reason.BAD_VALUE),
    "bad_verified": ("luat-10-2022.yaml", "chapters[2].articles[0].verified", Reason.BAD_VALUE),
    "wrong_type": ("luat-10-2022.yaml", "chapters[2].articles[0].number", Reason.WRONG_TYPE),
    "file_name": ("luat-10-2022.yaml", "id", Reason.FILE_NAME),
    "duplicate_alias": ("pl-34-2007.yaml", "aliases[0]", Reason.DUPLICATE_ALIAS),
    "duplicate_number": ("luat-10-2022.yaml", "number", Reason.DUPLICATE_DOCUMENT),
    "current_on_in_force": ("luat-10-2022.yaml", "chapters[2].articles[0].current", Reason.CURRENT_ON_IN_FORCE),
    "details_not_in_force": ("pl-34-2007.yaml", "chapters[0].articles[0].details", Reason.DETAILS_NOT_IN_FORCE),
    "status_note_required": ("pl-34-2007.yaml", "status_note", Reason.STATUS_NOTE_REQUIRED),
    "replaced_by_required": ("pl-34-2007.yaml", "replaced_by", Reason.REPLACED_BY_REQUIRED),
    "bad_url": ("pl-34-2007.yaml", "source", Reason.BAD_URL),
    "applicability_unknown_article": ("applicability.yaml", "roles[0].rights[1].refs[0].article",
                                      Reason.UNKNOWN_ARTICLE),
    "applicability_unknown_document": ("applicability.yaml", "roles[0].old_documents[0]",
                                       Reason.UNKNOWN_DOCUMENT),
    "applicability_bad_kind": ("applicability.yaml", "roles[0].rights[1].kind", Reason.BAD_VALUE),
}


def test_every_broken_fixture_has_a_case() -> None:
    on_disk = {p.name for p in BROKEN.iterdir() if p.is_dir()} - {"ok_external_reference"}
    assert on_disk == set(BROKEN_CASES)


@pytest.mark.parametrize("case", sorted(BROKEN_CASES))
def test_broken_file_is_refused_with_file_place_reason(tmp_path: Path, case: str) -> None:
    file_name, place, reason = BROKEN_CASES[case]
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(overlay(tmp_path, case))
    error = caught.value
    assert Path(error.file).name == file_name
    assert error.place == place
    assert error.reason is reason
    assert file_name in str(error) and (place in str(error) or not place)


@pytest.mark.parametrize("case", sorted(BROKEN_CASES))
def test_broken_file_is_the_only_error(tmp_path: Path, case: str) -> None:
    """A refused file does not make every file that refers to it fail too (one clear error)."""
    kb, errors = check_knowledge_base(overlay(tmp_path, case))
    assert kb is None
    assert len(errors) == 1


def test_errors_carry_a_line_number(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(overlay(tmp_path, "duplicate_article"))
    text = (overlay(tmp_path / "again", "duplicate_article") / "documents" / "pl-34-2007.yaml").read_text()
    assert caught.value.line is not None
    assert "number: 5" in text.splitlines()[caught.value.line - 1]


def test_reference_to_a_related_document_is_accepted(tmp_path: Path) -> None:
    kb = load_knowledge_base(overlay(tmp_path, "ok_external_reference"))
    art = kb.article("34/2007/PL-UBTVQH11", 10)
    assert art is not None
    assert ("09/2008/NQLT-CP-UBTWMTTQVN", 3) in [(r.document, r.article) for r in art.current]


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(tmp_path)
    assert caught.value.reason is Reason.NO_DOCUMENTS


def test_documents_folder_finds_applicability_beside_it() -> None:
    kb = load_knowledge_base(VALID / "documents")
    assert [r.id for r in kb.roles] == ["resident"]


@pytest.mark.skipif(real_kb_missing() is not None, reason=real_kb_missing() or "")
def test_real_knowledge_base_loads() -> None:
    kb = load_knowledge_base()
    assert {d.number for d in kb.documents} == {
        "10/2022/QH15", "59/2023/NĐ-CP", "61/2023/NĐ-CP", "145/2020/NĐ-CP",
        "34/2007/PL-UBTVQH11", "04/2015/NĐ-CP", "60/2013/NĐ-CP"}
    law = kb.document("10/2022/QH15")
    assert law is not None and len(law.articles) == 91
    assert {r.id for r in kb.roles} == {"resident", "public_servant", "worker", "commune_official"}
    assert load_knowledge_base(REAL_DOCUMENTS).documents == kb.documents
