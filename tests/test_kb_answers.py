"""bot.answers and the CLI: the same answer in HTML and plain text; `hopthu ask --json`; `hopthu kb check`."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answers import answer_html, article_html, build_answer, heading, result_json
from bot.cli import main
from knowledge import load_knowledge_base
from knowledge.search import Hit, SearchIndex, SearchResult
from tests.kb_helpers import VALID, overlay, real_kb_missing

ROOT = Path(__file__).resolve().parent.parent
needs_real_kb = pytest.mark.skipif(real_kb_missing() is not None, reason=real_kb_missing() or "")


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(VALID)


def _strip_tags(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def test_old_article_answer_names_document_gist_and_todays_rule(kb) -> None:
    result = SearchIndex(kb).search("điều 5 pháp lệnh 34")
    answer = build_answer(kb, result)
    assert answer.sure
    assert answer.text.startswith("Điều 5 Pháp lệnh 34/2007/PL-UBTVQH11")
    assert "dự toán và quyết toán ngân sách" in answer.text  # the gist
    assert "Phần chưa xác minh: Từ khoản 8" in answer.text  # partial: what is missing
    assert ("Pháp lệnh 34/2007/PL-UBTVQH11 đã hết hiệu lực từ 01/07/2023, thay bằng Luật 10/2022/QH15"
            " — xem Điều 11 Luật 10/2022/QH15.") in answer.text
    assert "https://example.org/pl-34-2007" in answer.text
    # the HTML says the same thing
    assert _strip_tags(answer.html).replace("Toàn văn chính thức", "") .split() == \
        answer.text.replace("Toàn văn chính thức: https://example.org/pl-34-2007", "Toàn văn chính thức").replace(
            "Toàn văn chính thức", "").split()


def test_titled_heading(kb) -> None:
    text = build_answer(kb, SearchIndex(kb).search("điều 90 luật 10")).text
    assert text.startswith("Điều 90 Luật 10/2022/QH15 — Hiệu lực thi hành")


def test_unverified_article_gets_no_gist(kb) -> None:
    body = article_html(kb, "34/2007/PL-UBTVQH11", 6)
    assert "<b>Điều 6 Pháp lệnh 34/2007/PL-UBTVQH11</b>" in body
    assert "chưa được kiểm chứng" in body
    assert 'href="https://example.org/pl-34-2007"' in body
    assert "Nội dung tự đoán" not in body


def test_answer_html_is_the_best_article(kb) -> None:
    result = SearchIndex(kb).search("điều 10 pháp lệnh 34")
    assert answer_html(kb, result) == article_html(kb, "34/2007/PL-UBTVQH11", 10)
    with pytest.raises(KeyError):
        article_html(kb, "34/2007/PL-UBTVQH11", 99)


def test_user_text_is_escaped_in_html(kb) -> None:
    question = '<b>xã</b> & "công khai" <script>'
    answer = build_answer(kb, SearchIndex(kb).search(question), question)
    assert "<script>" not in answer.html and "&lt;script&gt;" in answer.html
    assert "&lt;b&gt;xã&lt;/b&gt; &amp; &quot;công khai&quot;" in answer.html
    assert question in answer.text  # plain text is printed as is


def test_kb_strings_are_escaped_too(kb) -> None:
    html_heading, text_heading = heading(kb, "10/2022/QH15", 11, "A <b> & B")
    assert html_heading == "<b>Điều 11 Luật 10/2022/QH15</b> — <b>A &lt;b&gt; &amp; B</b>"
    assert text_heading == "Điều 11 Luật 10/2022/QH15 — A <b> & B"


def test_not_sure_lists_closest_and_says_so(kb) -> None:
    result = SearchResult(query="x", sure=False, hits=[
        Hit(document="10/2022/QH15", article=15, title=None, score=20.0, field="summary"),
        Hit(document="34/2007/PL-UBTVQH11", article=10, title=None, score=18.0, field="summary")])
    answer = build_answer(kb, result, "x")
    assert not answer.sure
    assert "chưa chắc" in answer.text
    assert "• Điều 15 Luật 10/2022/QH15 — Những nội dung Nhân dân bàn và quyết định" in answer.text
    assert "• Điều 10 Pháp lệnh 34/2007/PL-UBTVQH11 — Nội dung nhân dân bàn và quyết định trực tiếp" in answer.text
    nothing = build_answer(kb, SearchResult(query="x", sure=False, hits=[]))
    assert "Không có điều nào" in nothing.text


def test_document_without_article(kb) -> None:
    answer = build_answer(kb, SearchIndex(kb).search("pháp lệnh 34"))
    assert answer.text.startswith("Pháp lệnh 34/2007/PL-UBTVQH11 — Thực hiện dân chủ ở xã, phường, thị trấn")
    missing = build_answer(kb, SearchIndex(kb).search("điều 95 luật 10"))
    assert missing.text.startswith("Luật 10/2022/QH15 không có Điều 95")


def test_result_json_shape(kb) -> None:
    data = result_json(SearchIndex(kb).search("điều 5 pháp lệnh 34"))
    assert data["sure"] is True
    assert data["hits"][0] == {"document": "34/2007/PL-UBTVQH11", "article": 5, "title": None, "score": 100.0,
                               "current": {"document": "10/2022/QH15", "article": 11}}
    assert "current" not in data["hits"][1]  # a Law article is in force


def test_answers_module_does_not_import_telegram() -> None:
    import bot.answers
    import knowledge.search

    for module in (bot.answers, knowledge.search):
        source = open(module.__file__, encoding="utf-8").read()
        assert "import telegram" not in source and "from telegram" not in source


# --- through the command line ----------------------------------------------------------------


def test_cli_ask_json_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "--dir", str(VALID), "điều 10 PL 34"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sure"] is True
    assert data["hits"][0]["document"] == "34/2007/PL-UBTVQH11" and data["hits"][0]["article"] == 10
    assert data["hits"][0]["current"] == {"document": "10/2022/QH15", "article": 15}


@needs_real_kb
@pytest.mark.parametrize(
    ("question", "document", "article"),
    [
        ("điều 5 pháp lệnh 34", "34/2007/PL-UBTVQH11", 5),
        ("Điều 10 NĐ 60/2013", "60/2013/NĐ-CP", 10),
        ("dieu 4 nghi dinh 04", "04/2015/NĐ-CP", 4),
        ("đ 11 luật 10", "10/2022/QH15", 11),
    ],
)
def test_cli_ask_json_real(capsys: pytest.CaptureFixture[str], question: str, document: str, article: int) -> None:
    assert main(["ask", "--json", question]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert set(data) == {"sure", "hits"} and data["sure"] is True
    best = data["hits"][0]
    assert (best["document"], best["article"]) == (document, article)
    assert isinstance(best["article"], int) and 0 <= best["score"] <= 100
    for hit in data["hits"]:
        assert set(hit) <= {"document", "article", "title", "score", "current"}
    if document != "10/2022/QH15":
        assert set(best["current"]) == {"document", "article"}
    else:
        assert "current" not in best
    assert out.count("\n") == 1  # one JSON object, one line


@needs_real_kb
def test_cli_ask_json_not_sure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "thời tiết ngày mai thế nào"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sure"] is False


@needs_real_kb
def test_cli_ask_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Điều 10 NĐ 60/2013"]) == 0
    out = capsys.readouterr().out
    assert "Điều 10 Nghị định 60/2013/NĐ-CP — Trách nhiệm tổ chức đối thoại định kỳ tại nơi làm việc" in out
    assert "đã hết hiệu lực từ 01/01/2019" in out


def test_cli_ask_empty(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "  "]) == 2
    assert "Câu hỏi trống" in capsys.readouterr().err


def test_cli_kb_check_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check", "--dir", str(VALID)]) == 0
    out = capsys.readouterr().out
    assert "Pháp lệnh 34/2007/PL-UBTVQH11 (hết hiệu lực): 3 chương, 4 điều — đầy đủ 2, một phần 1, " \
           "chưa kiểm chứng 1" in out
    assert "Tổng: 2 văn bản, 6 chương, 9 điều — đầy đủ 7, một phần 1, chưa kiểm chứng 1" in out
    assert "Cơ sở tri thức hợp lệ." in out


def test_cli_kb_check_broken(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check", "--dir", str(overlay(tmp_path, "summary_on_unverified"))]) == 1
    err = capsys.readouterr().err
    assert "pl-34-2007.yaml:52: chapters[1].articles[1].summary: điều chưa kiểm chứng (verified: none) " \
           "không được có summary" in err


@needs_real_kb
def test_cli_kb_check_real(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check"]) == 0
    out = capsys.readouterr().out
    assert "Luật 10/2022/QH15 (còn hiệu lực): 6 chương, 91 điều" in out
    assert "Vai trò /apdung: 4" in out


def test_ask_does_not_import_telegram() -> None:
    """knowledge/ and bot/answers.py stay pure: checked in a fresh interpreter (tests import telegram)."""
    code = (
        "import sys, bot.answers, bot.cli.kb, knowledge.search, knowledge.applicability, knowledge.evaluation\n"
        "from bot.cli import main\n"
        f"main(['ask', '--json', '--dir', {str(VALID)!r}, 'điều 10 PL 34'])\n"
        "assert 'telegram' not in sys.modules, 'telegram imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["hits"][0]["article"] == 10


# --- the khoản that answers, quoted from the official text (issue #17) ---------------------------------


@pytest.fixture(scope="module")
def real_kb():
    return load_knowledge_base()


@needs_real_kb
def test_sure_answer_quotes_the_clause_that_answers(real_kb) -> None:
    question = "Xã thu phí lệ phí bao nhiêu có phải công khai cho dân biết không"
    result = SearchIndex(real_kb).search(question)
    assert result.sure and (result.hits[0].document, result.hits[0].article) == ("10/2022/QH15", 11)
    assert result.hits[0].clause == 12
    answer = build_answer(real_kb, result, question)
    assert "Khoản 12 Điều 11 Luật 10/2022/QH15: «Đối tượng, mức thu các loại phí, lệ phí" in answer.text
    assert "<b>Khoản 12 Điều 11 Luật 10/2022/QH15</b>: «<i>Đối tượng, mức thu" in answer.html
    assert len(_strip_tags(answer.html)) < 4096
    # the whole article stays one link away
    assert "Toàn văn chính thức" in answer.html


@needs_real_kb
def test_quote_is_escaped_and_kept_short(real_kb) -> None:
    from dataclasses import replace

    from bot.answers import MAX_QUOTE_CHARS, quote
    from knowledge.model import ArticleText, Clause

    doc = real_kb.document("10/2022/QH15")
    art = replace(doc.article(11), text=ArticleText(intro="", clauses=(
        Clause(1, "a <b> & \"b\""), Clause(2, "dài " * 400))), amendments=())
    html_quote, plain = quote(doc, art, 1)
    assert html_quote == "<b>Khoản 1 Điều 11 Luật 10/2022/QH15</b>: «<i>a &lt;b&gt; &amp; &quot;b&quot;</i>»"
    assert plain == 'Khoản 1 Điều 11 Luật 10/2022/QH15: «a <b> & "b"»'
    long_quote = quote(doc, art, 2)[1]
    assert len(long_quote) < MAX_QUOTE_CHARS + 60 and long_quote.endswith("…»")
    assert quote(doc, art, 7) is None  # no such khoản: nothing quoted


@needs_real_kb
def test_broad_question_quotes_no_clause(real_kb) -> None:
    result = SearchIndex(real_kb).search("xã phải công khai những gì")
    assert result.sure and result.hits[0].clause is None
    assert "«" not in build_answer(real_kb, result).text


@needs_real_kb
def test_amended_article_carries_a_notice(real_kb) -> None:
    import datetime as dt
    from dataclasses import replace

    from bot.answers import article_block
    from knowledge.model import Amendment, Change, Verified

    doc = real_kb.document("10/2022/QH15")
    change = Amendment(target="10/2022/QH15", article=11, by="59/2023/NĐ-CP", since=dt.date(2024, 7, 1),
                       change=Change.NOTICE, verified=Verified.NONE, text=None,
                       note="Khoản 3 <được> hướng dẫn thêm.", source=None)
    art = replace(doc.article(11), amendments=(change,))
    html_text, plain = article_block(real_kb, doc, art).render()
    assert ("✏️ Điều này đã được sửa đổi, bổ sung (Nghị định 59/2023/NĐ-CP, từ 01/07/2024): "
            "Khoản 3 <được> hướng dẫn thêm.") in plain
    assert "Khoản 3 &lt;được&gt; hướng dẫn thêm." in html_text
