"""When the search may call its best article "sure": the answer then goes out as THE answer.

"Sure" must mean right: a user told an article answers the question believes it. So the decision looks
at more than the best score — at the gap to the next article of another matter, and at whether that
article is a sibling (same document and chapter, a title that differs by the aspect asked: "Nội dung
…" / "Hình thức …", "Tổ chức Ban …" / "Nhiệm vụ, quyền hạn của Ban …"). Two close siblings mean the
question did not say which one it wants: not sure, and the answer offers both.

The thresholds live in `Calibration` and were chosen on the development split of
tests/data/questions.yaml for the share of sure answers that are right (the held-out split is only
reported; see benchmarks/kb_search.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ON_TOPIC", "Calibration", "Candidate", "is_sure"]


@dataclass(frozen=True, slots=True)
class Calibration:
    """Thresholds of the "sure" decision (scores are 0–100)."""

    sure_score: float = 66.0  # at or above: sure, unless a sibling is within `sibling_margin`
    sure_low: float = 30.0  # below: never sure
    sure_margin: float = 12.0  # between the two: sure when the next other matter is this far behind
    sibling_margin: float = 3.0  # a sibling article this close makes the best one a guess


# The looser rule "the rules cover this matter" (the search's "sure" before issue #17): enough for the
# bot to treat a message as a question about the rules, not to state which article answers it.
ON_TOPIC = Calibration(sure_score=34.0, sure_low=26.0, sure_margin=12.0, sibling_margin=0.0)


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the decision needs to know of a ranked article."""

    score: float
    key: tuple[str, int]  # (document number, article)
    related: frozenset[tuple[str, int]]  # the same matter in an old or a current document
    chapter: tuple[str, int]  # (document number, chapter position): siblings share it


def is_sure(ranked: Sequence[Candidate], c: Calibration) -> bool:
    """Whether the first of `ranked` (best first) is a confident answer."""
    if not ranked:
        return False
    best = ranked[0]
    if best.score < c.sure_low:
        return False
    rival = next((x for x in ranked[1:] if x.key not in best.related and best.key not in x.related), None)
    if rival is None:
        return True
    gap = best.score - rival.score
    if rival.chapter == best.chapter and gap < c.sibling_margin:
        return False
    return best.score >= c.sure_score or gap >= c.sure_margin
