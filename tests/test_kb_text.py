"""Official article text: khoản/điểm parsing, strict numbering checks, cite labels, the real Law's text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import KnowledgeBaseError, Reason, cite_label, load_knowledge_base
from knowledge.article_text import TextError, parse_article_text, render_article_text
from tests.kb_helpers import VALID, real_kb_missing

ARTICLE_15 = """\
Trong Luật này, các nội dung sau đây:
1. Khoản một.
a) Điểm a của khoản một;
b) Điểm b của khoản một.
2. Khoản hai:
a) Điểm a;
b) Điểm b;
c) Điểm c;
d) Điểm d;
đ) Điểm đ;
e) Điểm e.
Câu tiếp theo của điểm e.
3. Khoản ba.
Đoạn thứ hai của khoản ba.
"""


def test_text_is_parsed_into_intro_clauses_and_points() -> None:
    text = parse_article_text(ARTICLE_15)
    assert text.intro == "Trong Luật này, các nội dung sau đây:"
    assert [c.number for c in text.clauses] == [1, 2, 3]
    assert [p.letter for p in text.clauses[1].points] == ["a", "b", "c", "d", "đ", "e"]
    assert text.clauses[0].points[1].text == "Điểm b của khoản một."
    assert text.clauses[1].text == "Khoản hai:"
    assert text.clauses[1].point("e") is not None
    assert text.clauses[1].point("e").text == "Điểm e.\nCâu tiếp theo của điểm e."  # type: ignore[union-attr]
    assert text.clauses[2].text == "Khoản ba.\nĐoạn thứ hai của khoản ba."
    assert text.clause(3) is text.clauses[2] and text.clause(4) is None


def test_article_without_clauses_keeps_intro_and_points() -> None:
    text = parse_article_text("Nghiêm cấm các hành vi sau đây:\na) Một;\nb) Hai.\n")
    assert text.intro == "Nghiêm cấm các hành vi sau đây:"
    assert text.clauses == () and [p.letter for p in text.points] == ["a", "b"]


def test_render_is_the_inverse_of_parse() -> None:
    text = parse_article_text(ARTICLE_15)
    assert parse_article_text(render_article_text(text)) == text


@pytest.mark.parametrize(("raw", "line", "reason", "details"), [
    ("1. Một.\n3. Ba.", 1, Reason.CLAUSE_ORDER, {"number": 3, "expected": 2}),
    ("2. Hai.", 0, Reason.CLAUSE_ORDER, {"number": 2, "expected": 1}),
    ("1. Một.\n2. Hai.\n2. Hai lần.", 2, Reason.CLAUSE_ORDER, {"number": 2, "expected": 3}),
    ("1. Một:\na) A;\nc) C.", 2, Reason.POINT_ORDER, {"letter": "c", "expected": "b"}),
    ("1. Một:\nb) B.", 1, Reason.POINT_ORDER, {"letter": "b", "expected": "a"}),
    ("1. Một:\na) A;\nb) B;\nc) C;\nd) D;\ne) E.", 5, Reason.POINT_ORDER, {"letter": "e", "expected": "đ"}),
    ("1. Một:\na) A;\nb) B;\nc) C;\nd) D;\nđ) Đ;\ne) E;\nf) F.", 7, Reason.POINT_ORDER,
     {"letter": "f", "expected": "g"}),
    ("1. Một.\n2.\n3. Ba.", 1, Reason.EMPTY, {}),
    ("1. Một:\na)   \n", 1, Reason.EMPTY, {}),
    ("  \n\n", 0, Reason.EMPTY, {}),
    ("Mở đầu:\na) A.\n1. Một.", 2, Reason.CLAUSE_AFTER_POINTS, {"number": 1}),
])
def test_bad_text_is_refused_at_its_line(raw: str, line: int, reason: Reason, details: dict) -> None:
    with pytest.raises(TextError) as caught:
        parse_article_text(raw)
    assert (caught.value.line, caught.value.reason, caught.value.details) == (line, reason, details)


def test_points_restart_in_each_clause() -> None:
    text = parse_article_text("1. Một:\na) A;\nb) B.\n2. Hai:\na) A.")
    assert [[p.letter for p in c.points] for c in text.clauses] == [["a", "b"], ["a"]]


def test_cite_labels() -> None:
    assert cite_label(15) == "Điều 15"
    assert cite_label(15, 2) == "khoản 2 Điều 15"
    assert cite_label(15, 2, "a") == "điểm a khoản 2 Điều 15"
    assert cite_label(15, 2, "đ", document="Luật 10/2022/QH15") == "điểm đ khoản 2 Điều 15 Luật 10/2022/QH15"


# --- in the YAML files ---------------------------------------------------------------------------

TEXT_15 = "        text: |\n" + "".join(f"          {line}\n" for line in ARTICLE_15.splitlines())
TEXT_SOURCE = "text_source:\n  name: Bộ pháp điển\n  link: https://example.org/phap-dien\n"


def law_fixture(tmp_path: Path, text: str = TEXT_15, text_source: str = TEXT_SOURCE) -> Path:
    """The valid fixture with `text` given to Điều 15 of the Law and `text_source` to the Law."""
    target = tmp_path / "kb"
    shutil.copytree(VALID, target)
    law = target / "documents" / "luat-10-2022.yaml"
    content = law.read_text(encoding="utf-8")
    marker = "        sources: [https://example.org/luat-10-2022/d15]\n"
    assert marker in content
    content = content.replace(marker, text + marker)
    content = content.replace("source: https://example.org/luat-10-2022\n",
                              "source: https://example.org/luat-10-2022\n" + text_source)
    law.write_text(content, encoding="utf-8")
    return target


def test_article_text_loads_into_records(tmp_path: Path) -> None:
    kb = load_knowledge_base(law_fixture(tmp_path))
    law = kb.document("10/2022/QH15")
    assert law is not None and law.text_source is not None
    assert law.text_source.name == "Bộ pháp điển" and law.text_source.link == "https://example.org/phap-dien"
    art = law.article(15)
    assert art is not None and art.summary  # the gist stays beside the text
    assert art.intro == "Trong Luật này, các nội dung sau đây:"
    assert [c.number for c in art.clauses] == [1, 2, 3]
    clause = art.clause(2)
    assert clause is not None and clause.point("đ") is not None
    assert art.cite(2, "a") == "điểm a khoản 2 Điều 15"
    assert art.text_in_force == art.text  # no amendment
    other = law.article(11)
    assert other is not None and other.text is None and other.clauses == () and other.clause(1) is None


def test_bad_clause_order_names_file_place_and_line(tmp_path: Path) -> None:
    bad = TEXT_15.replace("3. Khoản ba.", "4. Khoản ba.")
    folder = law_fixture(tmp_path, text=bad)
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(folder)
    error = caught.value
    assert Path(error.file).name == "luat-10-2022.yaml"
    assert error.place == "chapters[1].articles[1].text"
    assert error.reason is Reason.CLAUSE_ORDER and error.details == {"number": 4, "expected": 3}
    lines = (folder / "documents" / "luat-10-2022.yaml").read_text(encoding="utf-8").splitlines()
    assert error.line is not None and lines[error.line - 1].strip() == "4. Khoản ba."


def test_bad_point_letter_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(law_fixture(tmp_path, text=TEXT_15.replace("đ) Điểm đ;", "f) Điểm f;")))
    assert caught.value.reason is Reason.POINT_ORDER
    assert caught.value.details == {"letter": "f", "expected": "đ"}


def test_empty_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(law_fixture(tmp_path, text="        text: ''\n"))
    assert caught.value.reason is Reason.EMPTY and caught.value.place == "chapters[1].articles[1].text"


def test_text_must_be_text(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(law_fixture(tmp_path, text="        text: [1, 2]\n"))
    assert caught.value.reason is Reason.WRONG_TYPE


def test_text_needs_a_text_source(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(law_fixture(tmp_path, text_source=""))
    assert caught.value.reason is Reason.TEXT_SOURCE_REQUIRED and caught.value.place == "text_source"


def test_text_source_fields_are_checked(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(law_fixture(tmp_path, text_source="text_source:\n  name: X\n  link: not-a-link\n"))
    assert caught.value.reason is Reason.BAD_URL and caught.value.place == "text_source.link"


@pytest.mark.skipif(real_kb_missing() is not None, reason=real_kb_missing() or "")
def test_real_law_carries_the_official_text_of_every_article() -> None:
    law = load_knowledge_base().document("10/2022/QH15")
    assert law is not None and law.text_source is not None
    assert all(a.text is not None for a in law.articles)
    art15 = law.article(15)
    assert art15 is not None and len(art15.clauses) == 6
    assert art15.cite(3) == "khoản 3 Điều 15"
    assert art15.clause(3).text == "Nội dung hương ước, quy ước của cộng đồng dân cư."  # type: ignore[union-attr]
    art11 = law.article(11)
    assert art11 is not None and len(art11.clauses) == 14
    art64 = law.article(64)
    assert art64 is not None and [p.letter for p in art64.clauses[0].points] == ["a", "b", "c", "d", "đ", "e", "g", "h"]
    art90 = law.article(90)
    assert art90 is not None and art90.clause(1) is not None
    assert art90.clause(1).text == "Luật này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2023."  # type: ignore[union-attr]
