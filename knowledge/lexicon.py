"""What the knowledge base's words and names are, for reading a question: document mentions and typos.

- `DocumentNames` finds the documents a folded text names, by alias ("pháp lệnh dân chủ ở xã") or by
  kind and number ("NĐ 60/2013", "luật 10", "pháp lệnh năm 2007"). A name with digits is "strong" (it
  pins the document); an alias without digits is topical (it only favours it).
- `Speller` corrects a word the index does not know to a known one at edit distance 1, preferring a
  word that forms a known pair with its neighbour ("cong khia" -> "cong khai"): Vietnamese syllables are
  short, so a correction without context would turn unrelated questions into false matches.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz.distance import OSA

from knowledge.model import KnowledgeBase
from knowledge.normalize import normalize
from knowledge.query import STOPWORDS

__all__ = ["KINDS", "DocumentNames", "Mention", "Speller"]

KINDS = ("luat", "phap lenh", "nghi dinh", "nghi quyet", "thong tu", "quyet dinh")

Mention = tuple[int, int, str, bool]  # (start, end, document number, strong)


class DocumentNames:
    """Patterns for every way the questions name a document of the knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        out: list[tuple[str, tuple[str, ...], str, bool]] = []
        for doc in kb.documents:
            for alias in (*doc.aliases, doc.number):
                norm = normalize(alias)
                if norm:
                    needles = tuple(sorted(set(norm.split()), key=len, reverse=True))
                    out.append((re.escape(norm), needles, doc.number, any(ch.isdigit() for ch in norm)))
            number = re.match(r"\s*0*(\d+)(?:/(\d{4}))?", doc.number)
            kind = re.escape(normalize(doc.kind))
            word = normalize(doc.kind).split()[0] if doc.kind.strip() else ""
            if number:
                no, year = number.group(1), number.group(2)
                if year:
                    out.append((rf"{kind} (?:so )?0*{no}(?: (?:nam )?{year})?", (word, no), doc.number, True))
                    out.append((rf"0*{no} {year}", (year, no), doc.number, True))
                    same_kind_year = [d for d in kb.documents if re.escape(normalize(d.kind)) == kind
                                      and d.number.split("/")[1:2] == [year]]
                    if len(same_kind_year) == 1:  # "luật 2022", "pháp lệnh năm 2007"
                        out.append((rf"{kind} (?:nam )?{year}", (word, year), doc.number, True))
                else:
                    out.append((rf"{kind} 0*{no}", (word, no), doc.number, True))
        self._patterns = [(re.compile(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])"), needle, number, strong)
                          for pattern, needle, number, strong in sorted(out, key=lambda x: -len(x[0]))]

    def find(self, text: str, strong_only: bool = False) -> list[Mention]:
        """Non-overlapping document mentions (start, end, number, strong), in text order."""
        taken: list[Mention] = []
        for pattern, needles, number, strong in self._patterns:
            if (strong_only and not strong) or not all(n in text for n in needles):
                continue
            for m in pattern.finditer(text):
                if all(m.end() <= s or m.start() >= e for s, e, _, _ in taken):
                    taken.append((m.start(), m.end(), number, strong))
        return sorted(taken)

    def numbers(self, text: str, strong_only: bool = False) -> set[str]:
        """The documents a text names."""
        return {n for _, _, n, strong in self.find(text, strong_only) if strong or not strong_only}


class Speller:
    """Typo correction against the words (and word pairs) of the index."""

    def __init__(self, terms_with_df: Iterable[tuple[str, int]]) -> None:
        self.vocab: dict[str, int] = defaultdict(int)
        self._after: dict[str, set[str]] = defaultdict(set)
        self._before: dict[str, set[str]] = defaultdict(set)
        for term, d in terms_with_df:
            if " " in term:
                a, b = term.split(" ")
                self._after[a].add(b)
                self._before[b].add(a)
                self.vocab[a] += d
                self.vocab[b] += d
            else:
                self.vocab[term] += d
        self._by_len: dict[int, list[str]] = defaultdict(list)
        for word in self.vocab:
            self._by_len[len(word)].append(word)

    def correct(self, tokens: list[str]) -> list[str]:
        """Replace unknown words by a known word at edit distance 1, in context when possible."""
        out = list(tokens)
        for i, tok in enumerate(tokens):
            if tok in self.vocab or tok in STOPWORDS or tok.isdigit() or len(tok) < 2:
                continue
            candidates: set[str] = set()
            if i > 0:
                candidates |= self._after.get(out[i - 1], set())
            if i + 1 < len(tokens):
                candidates |= self._before.get(tokens[i + 1], set())
            best = self._closest(tok, candidates)
            if best is None and len(tok) >= 4:
                pool = [w for n in (len(tok) - 1, len(tok), len(tok) + 1) for w in self._by_len.get(n, ())]
                best = self._closest(tok, pool, unique=True)
            if best is not None:
                out[i] = best
        return out

    def _closest(self, tok: str, candidates: Iterable[str], unique: bool = False) -> str | None:
        found = [c for c in candidates
                 if abs(len(c) - len(tok)) <= 1 and OSA.distance(tok, c, score_cutoff=1) <= 1]
        if not found or (unique and len(found) > 1 and len({self.vocab[c] for c in found}) == 1):
            return None
        return max(found, key=lambda c: (self.vocab.get(c, 0), c))
