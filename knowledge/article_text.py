"""Parses an article's official wording (the YAML `text:` block) into khoản and điểm.

Answers quote provisions by number ("điểm a khoản 2 Điều 15"), so the numbering must be exactly the
document's: khoản 1, 2, 3… in order, điểm a, b, c, d, đ… in Vietnamese order. A gap or a misordered
number is almost always a copying mistake, so it is refused with the line where it happens.

Format, one paragraph per line: a line `N. …` starts khoản N, a line `a) …` starts điểm a, lines before
the first khoản are the intro, any other line continues the paragraph above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from knowledge.errors import Reason
from knowledge.model import POINT_LETTERS, ArticleText, Clause, Point

__all__ = ["TextError", "parse_article_text", "render_article_text"]

_CLAUSE = re.compile(r"^(\d+)\.(?:\s+(.*))?$")
_POINT = re.compile(r"^([a-zđ])\)(?:\s+(.*))?$")


class TextError(Exception):
    """A refused `text:` block: `line` is the 0-based index of the offending line inside the block."""

    def __init__(self, line: int, reason: Reason, **details: Any) -> None:
        self.line = line
        self.reason = reason
        self.details = details
        super().__init__(f"line {line}: {reason.value} {details}")


@dataclass
class _Part:
    """A khoản or điểm being collected: its paragraphs so far."""

    key: int | str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def parse_article_text(raw: str) -> ArticleText:
    """The khoản/điểm structure of `raw`; TextError for a gap, a misorder or an empty paragraph."""
    intro: list[str] = []
    clauses: list[tuple[_Part, list[_Part]]] = []
    top_points: list[_Part] = []  # điểm directly under the intro, in an article without khoản
    current: _Part | None = None  # where a continuation line goes; None = the intro
    empty_so_far = True
    for index, line in enumerate(raw.splitlines()):
        line = line.strip()
        if not line:
            continue
        empty_so_far = False
        clause = _CLAUSE.match(line)
        point = _POINT.match(line) if clause is None else None
        if clause is not None:
            number = int(clause.group(1))
            expected = len(clauses) + 1
            if top_points:
                raise TextError(index, Reason.CLAUSE_AFTER_POINTS, number=number)
            if number != expected:
                raise TextError(index, Reason.CLAUSE_ORDER, number=number, expected=expected)
            current = _Part(number, [_body(clause.group(2), index)])
            clauses.append((current, []))
        elif point is not None:
            letter = point.group(1)
            siblings = clauses[-1][1] if clauses else top_points
            expected_letter = POINT_LETTERS[len(siblings)] if len(siblings) < len(POINT_LETTERS) else "?"
            if letter != expected_letter:
                raise TextError(index, Reason.POINT_ORDER, letter=letter, expected=expected_letter)
            current = _Part(letter, [_body(point.group(2), index)])
            siblings.append(current)
        elif current is None:
            intro.append(line)
        else:
            current.lines.append(line)
    if empty_so_far:
        raise TextError(0, Reason.EMPTY)
    return ArticleText(
        intro="\n".join(intro),
        clauses=tuple(
            Clause(int(c.key), c.text, tuple(Point(str(p.key), p.text) for p in points))
            for c, points in clauses
        ),
        points=tuple(Point(str(p.key), p.text) for p in top_points),
    )


def _body(text: str | None, index: int) -> str:
    if text is None or not text.strip():
        raise TextError(index, Reason.EMPTY)
    return text.strip()


def render_article_text(text: ArticleText) -> str:
    """The `text:` block for `text` (the inverse of parse_article_text), one paragraph per line."""
    lines: list[str] = [text.intro] if text.intro else []
    lines += [f"{p.letter}) {p.text}" for p in text.points]
    for clause in text.clauses:
        lines.append(f"{clause.number}. {clause.text}")
        lines += [f"{p.letter}) {p.text}" for p in clause.points]
    return "\n".join(lines)
