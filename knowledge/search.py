"""Search of the knowledge base: ranked articles for a question, exact answers for direct references.

Pure Python over rapidfuzz, no network, built once at start-up and answering fast enough (benchmarks/kb_search.py)
so the bot can search on every message and inline query.

How a question is scored, and why:
- Everything is folded by `normalize` (diacritics, case, abbreviations), so "cong khai" meets "công khai".
- The question is read first (knowledge.query): a "Theo Nghị định số …," preamble is cut off and its
  document kept as a filter, quiz options and wording are dropped, the ASPECT asked (duties,
  composition, what vs how, …) is recognised; unknown words are corrected (knowledge.lexicon).
- The main signal is an IDF-weighted overlap of words and word pairs (BM25) between the question and
  each article's title, keywords, example questions, section/chapter titles and summary, with field
  weights: pairs matter because Vietnamese words are made of syllables ("công khai", "hội nghị").
- Keywords found verbatim in the question, and a rapidfuzz similarity to the article's example questions,
  add evidence; both are cheap (dictionary look-ups, one vectorised `cdist`).
- The aspect asked, matched against article titles, tells sibling articles apart.
- A named document ("pháp lệnh 34", "NĐ 60/2013", "luật 10") favours its own articles and the articles
  that talk about it; "điều 5 pháp lệnh 34" is resolved exactly. A question naming no document gets
  the rule in force first, an old document's article after it (as history).
- "Sure" is decided by knowledge.calibration (score, gap to the next other matter, close siblings).
The weights and thresholds were tuned on a development split of tests/data/questions.yaml.
"""

from __future__ import annotations

import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from knowledge.calibration import ON_TOPIC, Calibration, Candidate, is_sure
from knowledge.decrees import (
    decree_subjects,
    details_of,
    official_parts,
    private_employer,
    state_only,
)
from knowledge.lexicon import KINDS, DocumentNames, Speller
from knowledge.model import Article, ArticleRef, Document, KnowledgeBase, Status, Verified
from knowledge.normalize import normalize
from knowledge.query import (
    STOPWORDS,
    asks_detail,
    aspect_match,
    aspects_of_question,
    aspects_of_title,
    expand,
    question_domain,
    quiz_noise,
    skip_pairs,
    split_preamble,
    strip_quiz,
    terms,
    title_domain,
)

__all__ = ["Hit", "SearchIndex", "SearchResult", "Tuning"]

MAX_QUERY_CHARS = 1000  # longer text adds nothing to a question and would only cost time

_ARTICLE_REF = re.compile(r"\bdieu (?:thu |so )?(\d{1,3})\b")


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked article. `score` is 0–100; `field` says what matched (reference, title, keywords,
    questions, summary, chapter); `current` lists today's articles when the document is superseded."""

    document: str
    article: int
    title: str | None
    score: float
    field: str
    current: list[ArticleRef] = field(default_factory=list)
    clause: int | None = None  # the khoản of the official text that shares the most with the question


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Hits best first; `sure` False means "no confident answer" (show the closest, log the question);
    `reference` True when the question named an article of a document ("điều 5 pháp lệnh 34")."""

    query: str
    sure: bool
    hits: list[Hit]
    reference: bool = False
    document: str | None = None  # official number of the document the question named, if any
    article: int | None = None  # the article number the question named ("điều 5"), if any
    aspects: frozenset[str] = frozenset()  # what the question asks about (knowledge.query.ASPECTS)
    on_topic: bool = False  # the best article is close enough that the question is about these rules

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


@dataclass(frozen=True, slots=True)
class Tuning:
    """Weights and thresholds, chosen on the development split of tests/data/questions.yaml (the held-out
    split and the questions written afterwards were not used)."""

    # field weights of the word-overlap bag
    w_title: float = 3.0
    w_keywords: float = 2.5
    w_questions: float = 1.5
    w_section: float = 1.0
    w_chapter: float = 0.6
    w_summary: float = 0.8
    w_text: float = 0.8  # the official wording (long: its words weigh less each)
    clause_min: float = 4.0  # a khoản is quoted when it shares about two telling words with the question
    clause_lead: float = 1.5  # … and this many times what the next khoản shares
    bigram_factor: float = 1.5
    k1: float = 1.2
    b: float = 0.4
    # combination (all parts are 0..1)
    c_lexical: float = 0.55
    c_keywords: float = 0.2
    c_questions: float = 0.25
    doc_boost: float = 0.25  # added (×100) to articles of, or about, the named document
    about_share: float = 0.5  # share of `doc_boost` for an article that only talks about the named document
    subject_boost: float = 0.1  # the question names a decree's whole subject ("hương ước"): its articles
    private_penalty: float = 0.04  # a private employer asked: the state-owned-enterprise articles yield
    detail_boost: float = 0.06  # a procedure detail asked (trình tự, hồ sơ, mẫu, thời hạn …): decree articles
    topic_boost: float = 0.08  # same, for a document named only by a topical alias ("quy chế dân chủ ở xã")
    unverified_penalty: float = 0.85  # pointers rank below real answers of equal strength
    domain_boost: float = 0.06  # the question is clearly about one setting (commune, agency, workplace)
    aspect_boost: float = 0.10  # the article's title covers the aspect asked
    aspect_penalty: float = 0.08  # the title covers only other aspects (a sibling of the right one)
    implied_aspect: float = 0.6  # share of the aspect boost/penalty when the question paraphrases it
    history_penalty: float = 0.05  # no document named: an old document's article yields to today's
    drop_topic_names: bool = True  # a document's alias ("quy chế dân chủ ở xã") names it, it is no topic
    synonym_weight: float = 0.7
    skip_weight: float = 0.5
    calibration: Calibration = field(default_factory=Calibration)


@dataclass(slots=True)
class _Entry:
    """What the index keeps per article."""

    article: Article
    doc: Document
    title: str
    keywords: tuple[str, ...]
    about: frozenset[str]  # numbers of documents the article's text names
    domain: str | None  # commune | agency | workplace | None (general provisions)
    aspects: frozenset[str]  # aspects its title covers (knowledge.query.ASPECTS)
    related: frozenset[tuple[str, int]]  # itself, its current articles, and old articles pointing at it
    fields: tuple[tuple[str, frozenset[str]], ...]  # terms of each field, to say which one matched
    in_force: bool
    decree: bool  # an article of an in-force decree (it gives the procedure the Law leaves to it)
    state_only: bool  # governs only state-owned enterprises (the Law's "doanh nghiệp nhà nước" section)
    clauses: tuple[tuple[int, frozenset[str]], ...]  # (khoản number, its terms incl. its điểm)


@dataclass(frozen=True, slots=True)
class _Query:
    """A question as read: full folded text, the words to score, what it names and asks."""

    norm: str
    tokens: list[str]
    strong: list[str]  # documents named by number (preamble first)
    topic: list[str]  # documents named only by a topical alias
    aspects: frozenset[str]
    explicit: frozenset[str]  # aspects asked with a title's own word ("hình thức", "nhiệm vụ")
    domain: str | None
    detail: bool  # asks for a procedure detail, which a decree gives and the Law leaves to it
    private: float  # 1: a private employer named; 0.5: a company without "nhà nước"; 0: neither
    subjects: frozenset[str]  # decrees whose whole subject the question names (_decree_subjects)


def _clause_terms(art: Article) -> tuple[tuple[int, frozenset[str]], ...]:
    text = art.text_in_force
    if text is None:
        return ()
    return tuple((c.number, frozenset(x for part in (c.text, *(p.text for p in c.points))
                                      for x in terms(normalize(part))))
                 for c in text.clauses)


class SearchIndex:
    """Precomputed search structures over one KnowledgeBase; immutable after construction, thread-safe."""

    def __init__(self, kb: KnowledgeBase, tuning: Tuning | None = None) -> None:
        started = time.perf_counter()
        self.kb = kb
        self.tuning = t = tuning or Tuning()
        self._entries: list[_Entry] = []
        self._by_ref: dict[tuple[str, int], int] = {}
        self._names = DocumentNames(kb)

        # related articles (same matter in an old and the current document), for the "sure" margin
        links: dict[tuple[str, int], set[tuple[str, int]]] = defaultdict(set)
        for doc in kb.documents:
            for art in doc.articles:
                key = (doc.number, art.number)
                links[key].add(key)
                for ref in art.current:
                    links[key].add((ref.document, ref.article))
                    links[(ref.document, ref.article)].add(key)
                for law_key in details_of(doc, art, kb):
                    links[key].add(law_key)
                    links[law_key].add(key)

        bags: list[dict[str, float]] = []
        question_texts: list[str] = []
        question_owner: list[int] = []
        keyword_index: dict[str, list[int]] = defaultdict(list)
        for doc in kb.documents:
            for art in doc.articles:
                i = len(self._entries)
                chapter = doc.chapters[art.chapter_index]
                fields = (
                    (t.w_title, [normalize(art.title or "")]),
                    (t.w_keywords, [normalize(k) for k in art.keywords]),
                    (t.w_questions, [normalize(q) for q in art.questions]),
                    (t.w_section, [normalize(art.section or "")]),
                    (t.w_chapter, [normalize(chapter.title or "")]),
                    (t.w_summary, [normalize(art.summary or "")]),
                    (t.w_text, [normalize(x) for x in official_parts(art)]),
                )
                bag: dict[str, float] = defaultdict(float)
                for weight, texts in fields:
                    for text in texts:
                        for term in terms(text):
                            bag[term] += weight * (t.bigram_factor if " " in term else 1.0)
                bags.append(dict(bag))
                keywords = tuple(k for k in fields[1][1] if k)
                for k in set(keywords):
                    keyword_index[k].append(i)
                for q in fields[2][1]:
                    question_texts.append(q)
                    question_owner.append(i)
                mentioned = self._names.numbers(" ".join([fields[0][1][0], *keywords, fields[5][1][0]]),
                                                strong_only=True)
                field_terms = (
                    ("title", fields[0][1]), ("keywords", fields[1][1]), ("questions", fields[2][1]),
                    ("summary", fields[5][1]), ("chapter", fields[3][1] + fields[4][1]),
                )
                self._entries.append(_Entry(
                    article=art, doc=doc, title=fields[0][1][0], keywords=keywords,
                    fields=tuple((name, frozenset(x for text in texts for x in terms(text)))
                                 for name, texts in field_terms),
                    domain=title_domain(fields[4][1][0]) or title_domain(normalize(doc.title)),
                    aspects=aspects_of_title(art.title or ""),
                    about=frozenset(m for m in mentioned if m != doc.number),
                    related=frozenset(links[(doc.number, art.number)]),
                    in_force=doc.status is Status.IN_FORCE,
                    decree=doc.status is Status.IN_FORCE and doc.kind.startswith("Nghị"),
                    state_only=state_only(f"{fields[3][1][0]} {fields[0][1][0]}"),
                    clauses=_clause_terms(art),
                ))
                self._by_ref[(doc.number, art.number)] = i

        self._subjects = decree_subjects([(e.doc.number, e.title, e.decree) for e in self._entries])
        n = len(self._entries)
        df: dict[str, int] = defaultdict(int)
        for bag in bags:
            for term in bag:
                df[term] += 1
        self._idf = {term: math.log(1 + (n - d + 0.5) / (d + 0.5)) for term, d in df.items()}
        self._idf_unknown = math.log(1 + (n + 0.5) / 0.5)
        lengths = [sum(bag.values()) for bag in bags]
        avg = (sum(lengths) / n) if n else 1.0
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, bag in enumerate(bags):
            norm = t.k1 * (1 - t.b + t.b * lengths[i] / avg) if avg else t.k1
            for term, tf in bag.items():
                postings[term].append((i, tf / (tf + norm)))
        self._postings = dict(postings)
        self._speller = Speller(df.items())
        self._keyword_index = dict(keyword_index)
        self._keyword_idf = {k: sum(self._idf.get(x, 0.0) for x in terms(k)) for k in keyword_index}
        self._max_keyword_len = max((len(k.split()) for k in keyword_index), default=1)
        self._questions = question_texts
        self._question_owner = question_owner
        self.build_seconds = time.perf_counter() - started

    # --- search ----------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 5) -> SearchResult:
        """Ranked hits for a question (best first, at most `limit`), with an explicit "sure" flag."""
        raw = strip_quiz((query or "")[:MAX_QUERY_CHARS])
        preamble, rest = split_preamble(raw)
        norm = f"{preamble} {rest}".strip()
        if not norm:
            return SearchResult(query=query, sure=False, hits=[])
        mentions = self._names.find(norm)
        named_strong = [n for _, _, n, strong in mentions if strong]
        named_topic = [n for _, _, n, strong in mentions if not strong]
        named = named_strong[0] if named_strong else (named_topic[0] if named_topic else None)

        ref = _ARTICLE_REF.search(norm)
        wanted = int(ref.group(1)) if ref else None
        if ref:
            state, resolved = self._resolve_reference(norm, int(ref.group(1)), named, ref.end())
            if state == "ok":
                return SearchResult(query=query, sure=True, hits=resolved, reference=True,
                                    document=resolved[0].document, article=wanted)
            if state == "missing":  # the document exists, the article does not
                return SearchResult(query=query, sure=False, hits=[], document=named, article=wanted)
            if state == "unknown":  # an article of a document the KB does not hold: nothing to guess
                return SearchResult(query=query, sure=False, hits=[], article=wanted)

        q = self._read(rest if preamble else norm, named_strong, named_topic)
        if not any(tok not in STOPWORDS for tok in q.tokens) and named and not ref:
            # only a document name ("pháp lệnh 34"): the caller shows the document itself
            return SearchResult(query=query, sure=False, hits=[], document=named, article=wanted)
        scores = self._combine(self._components(q.tokens, q.norm), q)

        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        if ref:  # "điều 5 ..." without a resolvable document: only the articles numbered 5
            kinds = [k for k in KINDS if f" {k} " in f" {norm[ref.end():]} "]
            numbered = [i for i in order if self._entries[i].article.number == wanted]
            order = sorted(numbered, key=lambda i: bool(kinds) and self._kind(i) not in kinds) or order
        elif not named_strong:
            order = self._today_first(order, scores)
        hits = [self._hit(i, scores[i], q.tokens) for i in order[:limit] if scores[i] > 0 or ref]
        candidates = [self._candidate(i, scores[i]) for i in order[:limit]]
        sure = not ref and is_sure(candidates, self.tuning.calibration)
        on_topic = not ref and is_sure(candidates, ON_TOPIC)
        return SearchResult(query=query, sure=sure, hits=hits, reference=False,
                            document=named_strong[0] if named_strong else None, article=wanted,
                            aspects=q.aspects, on_topic=sure or on_topic)

    def _read(self, text: str, strong: list[str], topic: list[str]) -> _Query:
        """The words to score: the question without its preamble, document numbers and quiz wording."""
        text = full = quiz_noise(text)
        for start, end, _, is_strong in reversed(self._names.find(text)):
            if is_strong or self.tuning.drop_topic_names:
                text = text[:start] + " " + text[end:]
        text = _ARTICLE_REF.sub(" ", text)
        tokens = self._speller.correct(text.split())
        joined = " ".join(tokens)
        aspects, explicit = aspects_of_question(joined)
        return _Query(norm=full, tokens=tokens, strong=strong, topic=topic, aspects=aspects,
                      explicit=explicit, domain=question_domain(joined), detail=asks_detail(joined),
                      private=private_employer(joined),
                      subjects=frozenset(n for x, n in self._subjects.items() if f" {x} " in f" {joined} "))

    def _today_first(self, order: list[int], scores: list[float]) -> list[int]:
        """No document named: an old document's best article gives way to today's article on the matter
        when that one ranks near it (the old one follows as history)."""
        if not order or self._entries[order[0]].in_force:
            return order
        best = order[0]
        for pos, i in enumerate(order[1:8], start=1):
            e = self._entries[i]
            if e.in_force and (e.doc.number, e.article.number) in self._entries[best].related:
                if scores[i] >= scores[best] - 8.0:
                    scores[i] = scores[best]
                    return [i, *order[:pos], *order[pos + 1:]]
                break
        return order

    def _resolve_reference(self, norm: str, number: int, named: str | None, after: int
                           ) -> tuple[str, list[Hit]]:
        """("ok", hits) for "điều N <document>"; ("missing", []) when the document has no article N;
        ("unknown", []) when the question names a document the KB does not hold ("điều 4 nghị định 145",
        "điều 63 bộ luật lao động"); ("open", []) when no document is named."""
        doc_number = named
        if doc_number is None:
            tail = norm[after:].split()
            kind = next((k for k in KINDS if tail[: len(k.split())] == k.split()), None)
            if kind is None:
                if tail[:2] == ["bo", "luat"]:  # a code (Bộ luật …): none is held in the KB
                    return "unknown", []
                return "open", []
            rest = tail[len(kind.split()):]
            if rest[:1] == ["so"]:
                rest = rest[1:]
            if rest and rest[0].isdigit():  # "nghị định 145": a number that is not one of ours
                return "unknown", []
            docs = [d for d in self.kb.documents if normalize(d.kind) == kind]
            if len(docs) != 1:
                return "open", []
            said = " ".join([kind, *rest[:1]])
            if rest and rest[0] not in STOPWORDS and not any(
                    normalize(a).startswith(said) for a in docs[0].aliases):
                return "open", []  # "luật đất đai" is not (certainly) the Law of this KB: do not pin it
            doc_number = docs[0].number
        i = self._by_ref.get((doc_number, number))
        if i is None:
            return "missing", []
        hits = [self._hit(i, 100.0, [], field="reference")]
        for j in sorted(self._entries[i].related - {(doc_number, number)}):
            k = self._by_ref.get(j)
            if k is not None:
                hits.append(self._hit(k, 90.0, [], field="reference"))
        return "ok", hits

    def _components(self, tokens: list[str], full: str) -> tuple[list[float], list[float], list[float]]:
        """Per article, each 0..1: word overlap (BM25, share of the question explained), keywords found
        verbatim in the question, best similarity to one of its example questions."""
        t = self.tuning
        n = len(self._entries)
        weighted = [(x, 1.0) for x in terms(" ".join(tokens))]
        weighted += [(x, t.skip_weight) for x in skip_pairs(tokens)]
        for extra in expand(tokens):
            weighted += [(x, t.synonym_weight) for x in terms(" ".join(extra))]
        lexical = [0.0] * n
        mass = 0.0
        for term, weight in weighted:
            idf = self._idf.get(term)
            factor = (t.bigram_factor if " " in term else 1.0) * weight
            if idf is None:
                # unknown words weigh in the question (unknown pairs are common, they weigh less)
                if weight == 1.0:
                    mass += (self._idf_unknown * 0.25 if " " in term else self._idf_unknown) * factor
                continue
            mass += idf * factor
            for i, w in self._postings[term]:
                lexical[i] += idf * factor * w
        if mass <= 0:
            zero = [0.0] * n
            return zero, zero, zero
        lexical = [x / mass for x in lexical]

        keyword = [0.0] * n
        for size in range(min(self._max_keyword_len, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                gram = " ".join(tokens[start:start + size])
                owners = self._keyword_index.get(gram)
                if owners:
                    for i in owners:
                        keyword[i] += self._keyword_idf[gram]
        keyword = [min(1.0, x / mass) for x in keyword]

        question = [0.0] * n
        if self._questions:
            sims = process.cdist([full], self._questions, scorer=fuzz.token_sort_ratio, dtype="float32")[0]
            for j, sim in enumerate(sims.tolist()):
                i = self._question_owner[j]
                if sim > question[i]:
                    question[i] = sim
            question = [x / 100.0 for x in question]
        return lexical, keyword, question

    def _combine(self, parts: tuple[list[float], list[float], list[float]], q: _Query) -> list[float]:
        """One 0–100 score per article from the components and the context (document named, setting,
        aspect asked)."""
        t = self.tuning
        lexical, keyword, question = parts
        strong = set(q.strong)
        topic = set(q.topic)
        scores = [0.0] * len(self._entries)
        for i, entry in enumerate(self._entries):
            lex = lexical[i]
            s = t.c_lexical * lex + t.c_keywords * keyword[i] + t.c_questions * question[i] * (
                1.0 if lex > 0 else 0.5)
            number = entry.doc.number
            if strong:
                if number in strong:
                    s += t.doc_boost
                elif entry.about & strong:  # an article that talks about the named document yields to it
                    s += t.doc_boost * t.about_share
            else:
                if topic and (number in topic or entry.about & topic):
                    s += t.topic_boost
                if not entry.in_force:
                    s -= t.history_penalty
            if q.domain and entry.domain:
                s += t.domain_boost if entry.domain == q.domain else -t.domain_boost
            if q.detail and entry.decree:
                s += t.detail_boost
            if number in q.subjects:
                s += t.subject_boost
            if q.private and entry.state_only:
                s -= t.private_penalty * q.private
            match = aspect_match(q.aspects, entry.aspects)
            if match:
                weight = 1.0 if q.explicit else t.implied_aspect
                s += weight * (t.aspect_boost * match if match > 0 else -t.aspect_penalty)
            if entry.article.verified is Verified.NONE:
                s *= t.unverified_penalty
            scores[i] = max(0.0, min(100.0, 100.0 * s))
        return scores

    def _candidate(self, i: int, score: float) -> Candidate:
        e = self._entries[i]
        return Candidate(score=score, key=(e.doc.number, e.article.number), related=e.related,
                         chapter=(e.doc.number, e.article.chapter_index))

    def _hit(self, i: int, score: float, tokens: list[str], field: str | None = None) -> Hit:
        e = self._entries[i]
        current = list(e.article.current) if e.doc.status is not Status.IN_FORCE else []
        return Hit(document=e.doc.number, article=e.article.number, title=e.article.title,
                   score=round(score, 1), field=field or self._field(e, tokens), current=current,
                   clause=self._clause(e, tokens) if tokens else None)

    def _clause(self, e: _Entry, tokens: list[str]) -> int | None:
        """The khoản that answers: the one sharing the most (IDF-weighted) words with the question, words
        of the article's title left out (they do not tell its khoản apart), clearly ahead of the others;
        None when no khoản stands out (a broad question is answered by the whole article)."""
        if len(e.clauses) < 2:
            return None
        asked = (set(terms(" ".join(tokens))) | set(skip_pairs(tokens))) - set(terms(e.title))
        scored = sorted(((sum(self._idf.get(x, 0.0) for x in asked & have), number)
                         for number, have in e.clauses), reverse=True)
        (best, number), (second, _) = scored[0], scored[1]
        if best >= self.tuning.clause_min and best >= self.tuning.clause_lead * second:
            return number
        return None

    def _field(self, e: _Entry, tokens: list[str]) -> str:
        """The field that shares the most (IDF-weighted) words with the question."""
        have_terms = set(terms(" ".join(tokens)))
        best, best_score = "summary" if e.article.summary else "title", 0.0
        for name, have in e.fields:
            score = sum(self._idf.get(x, 0.0) for x in have_terms & have)
            if score > best_score:
                best, best_score = name, score
        return best

    def _kind(self, i: int) -> str:
        return normalize(self._entries[i].doc.kind)

    # --- helpers for callers -----------------------------------------------------------------

    def entry(self, document: str, article: int) -> tuple[Document, Article] | None:
        """(document, article) for a hit, without a second lookup through the KnowledgeBase."""
        i = self._by_ref.get((document, article))
        if i is None:
            return None
        e = self._entries[i]
        return e.doc, e.article
