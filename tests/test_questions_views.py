"""Keyboards and texts of the questions area, built from the real knowledge base without Telegram:
every payload fits in 64 bytes and parses back, every article is reachable by browsing, pages hold
PAGE_SIZE articles, forged payloads give no view."""

from __future__ import annotations

import html
import re

import pytest

from bot import callbacks as cb
from bot.format import split_message
from bot.handlers import inline as I
from bot.handlers import question_views as Q
from bot.handlers.questions import MESSAGE_LIMIT
from bot.texts import kb as KB
from knowledge import applicability

_TAG = re.compile(r"</?([a-z]+)[^>]*>")


def _payloads(view: Q.View) -> list[str]:
    return [b.callback_data for row in view.rows for b in row if b.callback_data]


def _check(view: Q.View) -> None:
    """Payloads valid, HTML tags balanced, text within one message unless meant to be split."""
    for data in _payloads(view):
        assert len(data.encode()) <= cb.MAX_CALLBACK_BYTES
        parsed = cb.parse(data)
        assert parsed is not None and parsed.prefix == cb.QuestionButton.PREFIX, data
    for part in split_message(view.text, MESSAGE_LIMIT):
        stack: list[str] = []
        for m in _TAG.finditer(part):
            if m.group(0).startswith("</"):
                assert stack and stack.pop() == m.group(1), part
            else:
                stack.append(m.group(1))
        assert not stack, part
        assert len(part) <= MESSAGE_LIMIT


def _navigate(kb, data: str):
    try:
        button = cb.QuestionButton.parse(data)
    except cb.CallbackRefused:
        return None, False  # refused before the knowledge base is even asked
    return Q.navigate(kb, button)


def test_every_article_is_reachable_by_browsing(kb_and_index):
    kb, _ = kb_and_index
    root = Q.documents_view(kb)
    _check(root)
    reached: set[tuple[str, int]] = set()
    seen_views: set[str] = set()
    todo = _payloads(root)
    while todo:
        data = todo.pop()
        if data in seen_views:
            continue
        seen_views.add(data)
        parsed = cb.parse(data)
        assert parsed is not None
        if parsed.action == "a":
            reached.add((parsed.args[0], int(parsed.args[1])))
            continue
        view, _ = _navigate(kb, data)
        assert view is not None, data
        _check(view)
        todo += [d for d in _payloads(view) if d not in seen_views]
    expected = {(d.id, a.number) for d in kb.documents for a in d.articles}
    assert reached == expected


def test_law_pages_by_ten(kb_and_index):
    kb, _ = kb_and_index
    law = kb.document("10/2022/QH15")
    assert law is not None and len(law.articles) == 91
    chapter_two = next(i for i, ch in enumerate(law.chapters) if ch.number == "II")
    assert len(law.chapters[chapter_two].articles) == 35
    pages = []
    for page in range(4):
        view, edit = _navigate(kb, f"q:c:{law.id}:{chapter_two}:{page}")
        assert view is not None and edit
        articles = [d for d in _payloads(view) if d.startswith("q:a:")]
        pages.append(len(articles))
        assert f"Trang {page + 1}/4" in view.text
        labels = [b.text for row in view.rows for b in row]
        assert (Q.T.BUTTON_PREV in labels) == (page > 0)
        assert (Q.T.BUTTON_NEXT in labels) == (page < 3)
    assert pages == [10, 10, 10, 5]
    view, _ = _navigate(kb, f"q:c:{law.id}:{chapter_two}:4")
    assert view is None  # past the last page
    all_pages = [_navigate(kb, f"q:p:{law.id}:{p}")[0] for p in range(10)]
    assert all(v is not None for v in all_pages)
    assert sum(len([d for d in _payloads(v) if d.startswith("q:a:")]) for v in all_pages) == 91


def test_buttons_under_an_article_send_new_messages(kb_and_index):
    kb, _ = kb_and_index
    view, edit = _navigate(kb, "q:a:luat-10-2022:37")
    assert view is not None and not edit
    payloads = _payloads(view)
    assert "q:c:luat-10-2022:1:2:n" in payloads  # Chapter II, third page (articles 31-40)
    assert "q:d:luat-10-2022:n" in payloads
    back, edit = _navigate(kb, "q:c:luat-10-2022:1:2:n")
    assert back is not None and not edit and "Trang 3/4" in back.text
    url = [b.url for row in view.rows for b in row if b.url]
    assert url == [kb.document("luat-10-2022").source]


def test_old_article_points_to_the_article_in_force(kb_and_index):
    kb, _ = kb_and_index
    view, _ = _navigate(kb, "q:a:pl-34-2007:5")
    assert view is not None
    assert "q:a:luat-10-2022:11" in _payloads(view)
    labels = [b.text for row in view.rows for b in row]
    assert any(label.startswith("⚖️") and "Điều 11" in label for label in labels)


@pytest.mark.parametrize("data", [
    "q:a:no-such-doc:5", "q:a:pl-34-2007:999", "q:a:pl-34-2007:05", "q:a:pl-34-2007", "q:a:pl-34-2007:5:6",
    "q:a:phap_lenh_34:5", "q:d:nope", "q:c:luat-10-2022:9:0", "q:c:luat-10-2022:1:-1", "q:c:luat-10-2022:1:x",
    "q:p:luat-10-2022:10", "q:r:nobody", "q:r:resident:extra", "q:zz", "q:l:x", "q:d",
])
def test_forged_navigation_gives_nothing(kb_and_index, data):
    kb, _ = kb_and_index
    view, _ = _navigate(kb, data)
    assert view is None


def test_apdung_roles_and_answers(kb_and_index):
    kb, _ = kb_and_index
    roles = Q.roles_view(kb)
    ids = [cb.parse(d).args[0] for d in _payloads(roles)]  # type: ignore[union-attr]
    assert ids == list(applicability.ROLE_IDS)
    for role_id in ids:
        view, edit = _navigate(kb, f"q:r:{role_id}")
        assert view is not None and edit
        _check(view)
        for label in Q.T.RIGHT_LABELS.values():
            assert label in view.text, (role_id, label)
        assert "Hiện nay áp dụng" in view.text and "10/2022/QH15" in view.text
        assert any(d.startswith("q:a:luat-10-2022:") for d in _payloads(view))
    resident, _ = _navigate(kb, "q:r:resident")
    assert resident is not None
    assert "34/2007/PL-UBTVQH11" in resident.text and "01/07/2023" in resident.text
    worker, _ = _navigate(kb, "q:r:worker")
    assert worker is not None and "145/2020/NĐ-CP" in worker.text and "60/2013" in worker.text


def test_answer_view_escapes_the_question_and_carries_votes(kb_and_index):
    kb, index = kb_and_index
    question = "<b>xã</b> phải công khai những gì & khi nào?"
    result = index.search(question)
    assert result.sure
    view = Q.answer_view(kb, result, question, 42)
    assert html.escape("<b>xã</b>", quote=False) in view.text and "<b>xã</b>" not in view.text
    payloads = _payloads(view)
    assert {"q:v:42:1", "q:v:42:0"} <= set(payloads)
    assert len([d for d in payloads if d.startswith("q:a:")]) <= Q.NEXT_MATCHES + 2
    _check(view)


def test_not_sure_view_offers_the_closest(kb_and_index):
    kb, index = kb_and_index
    result = index.search("giá vàng hôm nay bao nhiêu")
    assert not result.sure
    view = Q.not_sure_view(kb, result, "giá vàng hôm nay bao nhiêu", feedback_hint=True)
    assert KB.NOT_SURE_HTML in view.text and Q.T.NOT_SURE_LOGGED in view.text and "/gopy" in view.text
    assert not [d for d in _payloads(view) if d.startswith("q:v:")]


def test_inline_results(kb_and_index):
    kb, index = kb_and_index
    docs = I.inline_results(kb, None)
    assert len(docs) == len(kb.documents) == 7
    results = I.inline_results(kb, index.search("dan duoc ban va quyet dinh nhung gi", limit=I.INLINE_RESULTS))
    assert results
    ids = [r.id for r in results]
    assert len(set(ids)) == len(ids) and all(len(i.encode()) <= 64 for i in ids)
    for r in results:
        assert r.title.startswith("Điều ") and " – " in r.title
        assert len(r.input_message_content.message_text) <= 4096
        assert r.description and len(r.description) <= I.INLINE_DESCRIPTION_CHARS
