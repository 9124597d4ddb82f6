"""Accuracy of the search on the labelled questions (tests/data/questions.yaml) over the real KB.

Floors only, never times (timing is benchmarks/kb_search.py's job): top-1 ≥ 80 %, top-3 ≥ 93 %,
sure-and-right ≥ 93 % (measured on the 733 questions after the three decrees landed: 82.3 %, 94.8 %),
and within 5 points of that on the questions typed without diacritics.
"""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from knowledge import load_knowledge_base, normalize
from knowledge.evaluation import Report, evaluate, load_labelled, split
from knowledge.search import SearchIndex
from tests.kb_helpers import QUESTIONS, real_kb_missing

TOP1_FLOOR = 0.86  # measured 86.6 % (all 733 questions, 2026-12-05)
TOP3_FLOOR = 0.95  # measured 95.9 %
NO_DIACRITICS_SLACK = 0.05
SURE_RIGHT_FLOOR = 0.97  # of the answers called sure, the share that is right (measured 98.1 %)

pytestmark = pytest.mark.skipif(real_kb_missing() is not None, reason=real_kb_missing() or "")


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="module")
def labelled():
    return load_labelled(QUESTIONS)


@pytest.fixture(scope="module")
def run(kb):
    index = SearchIndex(kb)

    def search(text: str) -> tuple[bool, list[tuple[str, int]]]:
        result = index.search(text, limit=5)
        return result.sure, [(h.document, h.article) for h in result.hits]

    return lambda questions: evaluate(search, questions)


def _explain(report: Report) -> str:
    return "\n".join(f"  {q!r} -> {got}" for q, got in report.misses)


def test_labelled_set_is_large_and_well_formed(labelled, kb) -> None:
    assert len(labelled) >= 200
    unanswerable = [q for q in labelled if not q.answerable]
    assert len(unanswerable) >= 30
    assert len({normalize(q.text) for q in labelled}) == len(labelled), "duplicate questions"
    for q in labelled:
        has_marks = any(ord(ch) > 127 for ch in q.text)
        assert q.diacritics == has_marks, f"diacritics tag wrong: {q.text!r}"
        for document, article in q.expect:
            assert kb.article(document, article) is not None, f"{q.text!r}: no {document} article {article}"
    assert sum(not q.diacritics for q in labelled) >= 50
    dev, held = split(labelled)
    assert len(held) >= 60 and len(dev) >= 120


def test_questions_are_not_copied_from_the_knowledge_base(labelled, kb) -> None:
    """The set measures the search only if nobody pasted a test question into a YAML file (or back)."""
    examples = [normalize(q) for doc in kb.documents for art in doc.articles for q in art.questions]
    for q in labelled:
        text = normalize(q.text)
        closest = max((fuzz.ratio(text, e) for e in examples), default=0)
        assert closest < 90, f"{q.text!r} is (nearly) an example question of the knowledge base"


def test_accuracy_floors(run, labelled) -> None:
    report = run(labelled)
    assert report.top1 >= TOP1_FLOOR, f"top-1 {report.top1:.1%}\n{_explain(report)}"
    assert report.top3 >= TOP3_FLOOR, f"top-3 {report.top3:.1%}\n{_explain(report)}"


def test_accuracy_without_diacritics(run, labelled) -> None:
    full = run(labelled)
    plain = run([q for q in labelled if not q.diacritics])
    for name, value, floor in (("top-1", plain.top1, TOP1_FLOOR), ("top-3", plain.top3, TOP3_FLOOR)):
        reference = full.top1 if name == "top-1" else full.top3
        assert value >= floor - NO_DIACRITICS_SLACK, f"{name} without diacritics {value:.1%}"
        assert value >= reference - NO_DIACRITICS_SLACK, f"{name} without diacritics {value:.1%} vs {reference:.1%}"


def test_not_sure_is_honest(run, labelled) -> None:
    """"Sure" must mean right (issue #17): the threshold buys precision with coverage, within bounds."""
    report = run(labelled)
    assert report.not_sure_on_unanswerable >= 0.9
    assert report.sure_right >= SURE_RIGHT_FLOOR, f"sure and right {report.sure_right:.1%}"
    assert report.not_sure_on_answerable <= 0.65  # measured 53 %: the price of sure-and-right at 87 % top-1


def test_held_out_split_is_not_far_behind(run, labelled) -> None:
    """The thresholds were tuned on the development split; the held-out third must hold up too."""
    _, held = split(labelled)
    report = run(held)
    assert report.top1 >= TOP1_FLOOR - 0.07 and report.top3 >= TOP3_FLOOR - 0.05
