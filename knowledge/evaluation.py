"""Measuring the search against the labelled questions (tests/data/questions.yaml).

Shared by the accuracy test (which asserts floors) and benchmarks/kb_search.py (which prints figures
next to a naive baseline), so that both measure exactly the same thing. A stable third of the questions
is held out (chosen by a hash of the text, not by position) and never used to tune the search.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["Labelled", "Report", "evaluate", "load_labelled", "percentile", "split"]


@dataclass(frozen=True, slots=True)
class Labelled:
    """One labelled question: acceptable (document number, article) answers; empty = unanswerable."""

    text: str
    expect: frozenset[tuple[str, int]]
    diacritics: bool

    @property
    def answerable(self) -> bool:
        return bool(self.expect)

    @property
    def held_out(self) -> bool:
        """A stable third of the questions, never used for tuning."""
        return hashlib.sha256(self.text.encode("utf-8")).digest()[0] % 3 == 0


def load_labelled(path: str | Path) -> list[Labelled]:
    """Read tests/data/questions.yaml."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    out = []
    for item in data["questions"]:
        out.append(Labelled(
            text=str(item["q"]),
            expect=frozenset((str(d), int(a)) for d, a in item.get("expect") or []),
            diacritics=bool(item["diacritics"]),
        ))
    return out


def split(questions: Sequence[Labelled]) -> tuple[list[Labelled], list[Labelled]]:
    """(development, held-out)."""
    return [q for q in questions if not q.held_out], [q for q in questions if q.held_out]


@dataclass(frozen=True, slots=True)
class Report:
    """Accuracy and timing of one search function over one set of questions (shares are 0–1)."""

    answerable: int
    unanswerable: int
    top1: float
    top3: float
    not_sure_on_unanswerable: float  # unanswerable questions correctly met with "not sure"
    not_sure_on_answerable: float  # answerable questions wrongly met with "not sure"
    sure: int  # questions answered "sure" (answerable or not)
    sure_right: float  # of those, the share whose first article is a right answer
    p50_ms: float
    p99_ms: float
    misses: tuple[tuple[str, str], ...]  # (question, what came first) for top-1 misses


# A search function returns (sure, [(document, article), ...] best first).
SearchFn = Callable[[str], tuple[bool, list[tuple[str, int]]]]


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def evaluate(search: SearchFn, questions: Sequence[Labelled], repeat: int = 1) -> Report:
    """Run every question (`repeat` times for timing) and score the answers."""
    times: list[float] = []
    top1 = top3 = answerable = unanswerable = flagged = wrongly_unsure = sure_total = sure_right = 0
    misses: list[tuple[str, str]] = []
    for q in questions:
        for _ in range(repeat):
            started = time.perf_counter()
            sure, ranked = search(q.text)
            times.append((time.perf_counter() - started) * 1000)
        right = bool(ranked) and ranked[0] in q.expect
        if sure:
            sure_total += 1
            sure_right += right
        if q.answerable:
            answerable += 1
            if right:
                top1 += 1
            else:
                misses.append((q.text, f"{ranked[0][0]} {ranked[0][1]}" if ranked else "—"))
            if any(r in q.expect for r in ranked[:3]):
                top3 += 1
            if not sure:
                wrongly_unsure += 1
        else:
            unanswerable += 1
            if not sure:
                flagged += 1
    return Report(
        answerable=answerable,
        unanswerable=unanswerable,
        top1=top1 / answerable if answerable else 0.0,
        top3=top3 / answerable if answerable else 0.0,
        not_sure_on_unanswerable=flagged / unanswerable if unanswerable else 0.0,
        not_sure_on_answerable=wrongly_unsure / answerable if answerable else 0.0,
        sure=sure_total,
        sure_right=sure_right / sure_total if sure_total else 0.0,
        p50_ms=percentile(times, 50),
        p99_ms=percentile(times, 99),
        misses=tuple(misses),
    )
