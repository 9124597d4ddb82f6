"""Search of the knowledge base: ranked articles for a question, exact answers for direct references.

Pure Python over rapidfuzz, no network, built once at start-up (well under 0.5 s) and answering in well
under 5 ms, so the bot can search on every message and inline query.

How a question is scored, and why:
- Everything is folded by `normalize` (diacritics, case, abbreviations), so "cong khai" meets "công khai".
- A word the knowledge base does not know is corrected to a known one at edit distance 1, preferring a
  word that forms a known pair with its neighbour ("cong khia" -> "cong khai"): Vietnamese syllables are
  short, so a correction without context would turn unrelated questions into false matches.
- The main signal is an IDF-weighted overlap of words and word pairs (BM25) between the question and
  each article's title, keywords, example questions, section/chapter titles and summary, with field
  weights: pairs matter because Vietnamese words are made of syllables ("công khai", "hội nghị").
- Keywords found verbatim in the question, and a rapidfuzz similarity to the article's example questions,
  add evidence; both are cheap (dictionary look-ups, one vectorised `cdist`).
- A named document ("pháp lệnh 34", "NĐ 60/2013", "luật 10") favours its own articles and the articles
  that talk about it; "điều 5 pháp lệnh 34" is resolved exactly.
- "Not sure" when the best score is weak or another article of an unrelated matter is about as good;
  the thresholds were tuned on a development split of tests/data/questions.yaml (see the benchmark).
"""

from __future__ import annotations

import itertools
import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from knowledge.model import Article, ArticleRef, Document, KnowledgeBase, Status, Verified
from knowledge.normalize import normalize

__all__ = ["Hit", "SearchIndex", "SearchResult", "Tuning"]

# Folded function words: they carry no topic, so they are left out of the word overlap (pairs that
# contain them still count: "co quan", "can bo").
STOPWORDS = frozenset(
    """
    a ah ai anh bi boi chi cho chua co con cua cung da dang day de den do duoc gi giup hay hoac khi khong
    la lam ma may minh moi muon nao nay neu nhe nhi nhu nhung o oi ong phai ra roi sao se thi toi tu u
    va vay ve vi voi vao len xin the nhieu bao dau em ba chu ban hoi cai ha
    """.split()
)

# Everyday words for the terms the documents use (folded). Matched on whole words, longest first; the
# document's term is ADDED to the question, never substituted, so nothing the user wrote is lost.
SYNONYMS: dict[str, str] = {
    "cho dan biet": "cong khai",
    "cong bo": "cong khai",
    "thong bao cho dan": "cong khai",
    "minh bach": "cong khai",
    "gop y": "tham gia y kien",
    "hoi y kien": "lay y kien",
    "xin y kien": "lay y kien",
    "hoi dan": "lay y kien",
    "de mat": "giam sat",
    "theo doi": "giam sat",
    "xom": "thon",
    "hop xom": "hop thon",
    "truong xom": "truong thon",
    "truong ap": "truong thon",
    "truong ban": "truong thon",
    "sep": "nguoi dung dau",
    "thu truong": "nguoi dung dau",
    "lanh dao co quan": "nguoi dung dau",
    "cong nhan": "nguoi lao dong",
    "nhan vien": "nguoi lao dong",
    "cong ty": "doanh nghiep",
    "uy ban xa": "uy ban nhan dan xa",
    "to giac": "to cao",
    "che tai": "xu ly vi pham",
    "bo phieu": "bieu quyet",
    "gop tien": "dong gop",
    "tien gop": "dong gop",
    "huy bo": "bai bo",
    "gat bo": "bai bo",
    "thang bang luong": "thang luong bang luong",
    "online": "truc tuyen",
    "qua mang": "truc tuyen",
    "noi chuyen truc tiep": "doi thoai",
    "gap go": "doi thoai",
    "bang cach nao": "hinh thuc",
    "cach nao": "hinh thuc",
    "nhung cach": "hinh thuc",
    "kenh nao": "hinh thuc",
    "nhung kenh": "hinh thuc",
    "duoc lam gi": "nhiem vu quyen han",
    "lam nhung viec gi": "nhiem vu quyen han",
    "co quyen gi": "nhiem vu quyen han",
    "may nguoi": "so thanh vien",
    "bao nhieu nguoi": "so thanh vien",
    "may thanh vien": "so thanh vien",
    "truong cap": "truong hoc",
    "khong duoc lam": "nghiem cam",
    "tuyet doi khong": "nghiem cam",
    "bi cam": "nghiem cam",
    "lam gia": "gia mao gian lan",
    "ho khau": "noi cu tru",
    "thuong tru": "noi cu tru",
    "o que": "noi cu tru",
    "noi ve nhung": "pham vi dieu chinh",
    "quy dinh nhung gi": "pham vi dieu chinh",
    "dieu chinh nhung": "pham vi dieu chinh",
    "cham diem": "danh gia",
    "so sach": "tai lieu",
    "nghia vu quan su": "nhap ngu",
    "di bo doi": "nhap ngu",
    "khoa moi": "nhiem ky",
}

# Which part of grassroots democracy a question is about, from its words (folded). "xa" is a commune
# except inside "hop tac xa" (a cooperative) and "xa hoi" (social).
DOMAIN_CUES: dict[str, tuple[str, ...]] = {
    "commune": ("xa", "phuong", "thi tran", "thon", "xom", "lang", "buon", "to dan pho", "khu pho",
                "truong thon", "to truong", "ba con", "cong dong dan cu", "huong uoc", "quy uoc",
                "ho gia dinh", "cum dan cu", "dia phuong", "uy ban nhan dan xa"),
    "agency": ("co quan", "cong chuc", "vien chuc", "thu truong", "nguoi dung dau", "truong hoc",
               "benh vien", "giao vien", "don vi su nghiep", "hanh chinh nha nuoc"),
    "workplace": ("cong ty", "doanh nghiep", "nguoi lao dong", "cong nhan", "nha may", "xi nghiep",
                  "nguoi su dung lao dong", "hop tac xa", "thoa uoc", "noi lam viec", "hop dong lao dong"),
}
_NOT_COMMUNE = re.compile(r"\b(?:hop tac xa|xa hoi)\b")
_DOMAIN_TITLES = (
    ("commune", ("xa phuong thi tran",)),
    ("agency", ("co quan", "don vi su nghiep")),
    ("workplace", ("su dung lao dong", "noi lam viec", "doanh nghiep")),
)

MAX_QUERY_CHARS = 1000  # longer text adds nothing to a question and would only cost time

_ARTICLE_REF = re.compile(r"\bdieu (?:thu |so )?(\d{1,3})\b")
_KINDS = ("luat", "phap lenh", "nghi dinh", "nghi quyet", "thong tu", "quyet dinh")


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
    bigram_factor: float = 1.5
    k1: float = 1.2
    b: float = 0.4
    # combination (all parts are 0..1)
    c_lexical: float = 0.55
    c_keywords: float = 0.2
    c_questions: float = 0.25
    doc_boost: float = 0.25  # added (×100) to articles of, or about, the named document
    topic_boost: float = 0.08  # same, for a document named only by a topical alias ("quy chế dân chủ ở xã")
    unverified_penalty: float = 0.85  # pointers rank below real answers of equal strength
    domain_boost: float = 0.06  # the question is clearly about one setting (commune, agency, workplace)
    synonym_weight: float = 0.7
    skip_weight: float = 0.5
    # "sure" when best >= sure_score, or best >= sure_low and (best - next unrelated) >= sure_margin
    sure_score: float = 34.0
    sure_low: float = 26.0
    sure_margin: float = 12.0


@dataclass(slots=True)
class _Entry:
    """What the index keeps per article."""

    article: Article
    doc: Document
    title: str
    keywords: tuple[str, ...]
    about: frozenset[str]  # numbers of documents the article's text names
    domain: str | None  # commune | agency | workplace | None (general provisions)
    related: frozenset[tuple[str, int]]  # itself, its current articles, and old articles pointing at it
    fields: tuple[tuple[str, frozenset[str]], ...]  # terms of each field, to say which one matched


def _domain_of(title: str) -> str | None:
    """The setting a chapter or document title is about, or None for general provisions."""
    for domain, cues in _DOMAIN_TITLES:
        if any(cue in title for cue in cues):
            return domain
    return None


def _question_domain(text: str) -> str | None:
    """The one setting the question's words point to, or None when none or several."""
    padded = f" {_NOT_COMMUNE.sub(' ', text)} "
    found = {d for d, cues in DOMAIN_CUES.items() if any(f" {cue} " in padded for cue in cues)}
    return found.pop() if len(found) == 1 else None


def _expand(tokens: list[str]) -> list[list[str]]:
    """Document terms for the everyday words of the question, one token list per added term."""
    out = []
    padded = " " + " ".join(tokens) + " "
    for phrase, term in SYNONYMS.items():
        if f" {phrase} " in padded and f" {term} " not in padded:
            out.append(term.split())
    return out


def _pairs(tokens: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def _skip_pairs(tokens: list[str]) -> list[str]:
    """Pairs around one function word ("quy cua thon" -> "quy thon"): people insert "của", "ở", "và"."""
    return [f"{a} {c}" for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False)
            if b in STOPWORDS and a not in STOPWORDS and c not in STOPWORDS]


def _terms(text: str) -> list[str]:
    """Unigrams (minus stopwords) and all adjacent pairs of a normalised text."""
    tokens = text.split()
    return [t for t in tokens if t not in STOPWORDS] + _pairs(tokens)


class SearchIndex:
    """Precomputed search structures over one KnowledgeBase; immutable after construction, thread-safe."""

    def __init__(self, kb: KnowledgeBase, tuning: Tuning | None = None) -> None:
        started = time.perf_counter()
        self.kb = kb
        self.tuning = t = tuning or Tuning()
        self._entries: list[_Entry] = []
        self._by_ref: dict[tuple[str, int], int] = {}
        self._mentions = self._build_mentions(kb)

        # related articles (same matter in an old and the current document), for the "sure" margin
        links: dict[tuple[str, int], set[tuple[str, int]]] = defaultdict(set)
        for doc in kb.documents:
            for art in doc.articles:
                key = (doc.number, art.number)
                links[key].add(key)
                for ref in art.current:
                    links[key].add((ref.document, ref.article))
                    links[(ref.document, ref.article)].add(key)

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
                )
                bag: dict[str, float] = defaultdict(float)
                for weight, texts in fields:
                    for text in texts:
                        for term in _terms(text):
                            bag[term] += weight * (t.bigram_factor if " " in term else 1.0)
                bags.append(dict(bag))
                keywords = tuple(k for k in fields[1][1] if k)
                for k in set(keywords):
                    keyword_index[k].append(i)
                for q in fields[2][1]:
                    question_texts.append(q)
                    question_owner.append(i)
                mentioned = self._documents_in(" ".join(
                    [fields[0][1][0], *keywords, fields[5][1][0]]), strong_only=True)
                field_terms = (
                    ("title", fields[0][1]), ("keywords", fields[1][1]), ("questions", fields[2][1]),
                    ("summary", fields[5][1]), ("chapter", fields[3][1] + fields[4][1]),
                )
                self._entries.append(_Entry(
                    article=art, doc=doc, title=fields[0][1][0], keywords=keywords,
                    fields=tuple((name, frozenset(x for text in texts for x in _terms(text)))
                                 for name, texts in field_terms),
                    domain=_domain_of(fields[4][1][0]) or _domain_of(normalize(doc.title)),
                    about=frozenset(m for m in mentioned if m != doc.number),
                    related=frozenset(links[(doc.number, art.number)]),
                ))
                self._by_ref[(doc.number, art.number)] = i

        n = len(self._entries)
        df: dict[str, int] = defaultdict(int)
        for bag in bags:
            for term in bag:
                df[term] += 1
        self._idf = {term: math.log(1 + (n - d + 0.5) / (d + 0.5)) for term, d in df.items()}
        self._idf_unknown = math.log(1 + (n + 0.5) / 0.5)
        lengths = [sum(bag.values()) for bag in bags]
        avg = (sum(lengths) / n) if n else 1.0
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, bag in enumerate(bags):
            norm = t.k1 * (1 - t.b + t.b * lengths[i] / avg) if avg else t.k1
            for term, tf in bag.items():
                self._postings[term].append((i, tf / (tf + norm)))
        self._postings = dict(self._postings)

        # words known to the index, and which words follow/precede which (for typo correction)
        self._vocab: dict[str, int] = defaultdict(int)
        self._after: dict[str, set[str]] = defaultdict(set)
        self._before: dict[str, set[str]] = defaultdict(set)
        for term, d in df.items():
            if " " in term:
                a, b = term.split(" ")
                self._after[a].add(b)
                self._before[b].add(a)
                self._vocab[a] += d
                self._vocab[b] += d
            else:
                self._vocab[term] += d
        self._vocab_by_len: dict[int, list[str]] = defaultdict(list)
        for word in self._vocab:
            self._vocab_by_len[len(word)].append(word)

        self._keyword_index = {k: v for k, v in keyword_index.items()}
        self._keyword_idf = {k: sum(self._idf.get(x, 0.0) for x in _terms(k)) for k in keyword_index}
        self._max_keyword_len = max((len(k.split()) for k in keyword_index), default=1)
        self._questions = question_texts
        self._question_owner = question_owner
        self.build_seconds = time.perf_counter() - started

    # --- documents named in a question ---------------------------------------------------------

    @staticmethod
    def _build_mentions(kb: KnowledgeBase) -> list[tuple[re.Pattern[str], tuple[str, ...], str, bool]]:
        """(pattern, needles, document number, strong) for the aliases and the "kind number[/year]" of
        every document, longest first; `needles` are literals the text must contain (a cheap pre-check)."""
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
                    out.append((rf"{kind} (?:so )?0*{no}(?: {year})?", (word, no), doc.number, True))
                    out.append((rf"0*{no} {year}", (year, no), doc.number, True))
                    same_kind_year = [d for d in kb.documents if re.escape(normalize(d.kind)) == kind
                                      and d.number.split("/")[1:2] == [year]]
                    if len(same_kind_year) == 1:  # "luật 2022", "pháp lệnh năm 2007"
                        out.append((rf"{kind} (?:nam )?{year}", (word, year), doc.number, True))
                else:
                    out.append((rf"{kind} 0*{no}", (word, no), doc.number, True))
        return [(re.compile(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])"), needle, number, strong)
                for pattern, needle, number, strong in sorted(out, key=lambda x: -len(x[0]))]

    def _find_mentions(self, text: str, strong_only: bool = False) -> list[tuple[int, int, str, bool]]:
        """Non-overlapping document mentions (start, end, number, strong), longest first."""
        taken: list[tuple[int, int, str, bool]] = []
        for pattern, needles, number, strong in self._mentions:
            if (strong_only and not strong) or not all(n in text for n in needles):
                continue
            for m in pattern.finditer(text):
                if all(m.end() <= s or m.start() >= e for s, e, _, _ in taken):
                    taken.append((m.start(), m.end(), number, strong))
        return sorted(taken)

    def _documents_in(self, text: str, strong_only: bool = False) -> set[str]:
        return {n for _, _, n, strong in self._find_mentions(text, strong_only) if strong or not strong_only}

    # --- query preparation -----------------------------------------------------------------------

    def _correct(self, tokens: list[str]) -> list[str]:
        """Replace unknown words by a known word at edit distance 1, in context when possible."""
        out = list(tokens)
        for i, tok in enumerate(tokens):
            if tok in self._vocab or tok in STOPWORDS or tok.isdigit() or len(tok) < 2:
                continue
            candidates: set[str] = set()
            if i > 0:
                candidates |= self._after.get(out[i - 1], set())
            if i + 1 < len(tokens):
                candidates |= self._before.get(tokens[i + 1], set())
            best = self._closest(tok, candidates)
            if best is None and len(tok) >= 4:
                pool = [w for n in (len(tok) - 1, len(tok), len(tok) + 1) for w in self._vocab_by_len.get(n, ())]
                best = self._closest(tok, pool, unique=True)
            if best is not None:
                out[i] = best
        return out

    def _closest(self, tok: str, candidates, unique: bool = False) -> str | None:
        found = [c for c in candidates if abs(len(c) - len(tok)) <= 1 and OSA.distance(tok, c, score_cutoff=1) <= 1]
        if not found or (unique and len(found) > 1 and len({self._vocab[c] for c in found}) == 1):
            return None
        return max(found, key=lambda c: (self._vocab.get(c, 0), c))

    # --- search ----------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 5) -> SearchResult:
        """Ranked hits for a question (best first, at most `limit`), with an explicit "sure" flag."""
        norm = normalize((query or "")[:MAX_QUERY_CHARS])
        if not norm:
            return SearchResult(query=query, sure=False, hits=[])
        mentions = self._find_mentions(norm)
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

        # words of the question without the strong document names ("nghi dinh 60 2013")
        text = norm
        for start, end, _, strong in reversed(mentions):
            if strong:
                text = text[:start] + " " + text[end:]
        if ref:
            text = text[: ref.start()] + " " + text[ref.end():]
        tokens = self._correct(text.split())
        if not any(tok not in STOPWORDS for tok in tokens) and named and not ref:
            # only a document name ("pháp lệnh 34"): the caller shows the document itself
            return SearchResult(query=query, sure=False, hits=[], document=named, article=wanted)
        scores = self._combine(self._components(tokens, norm), named_strong, named_topic,
                               _question_domain(" ".join(tokens)))

        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        if ref:  # "điều 5 ..." without a resolvable document: only the articles numbered 5
            kinds = [k for k in _KINDS if f" {k} " in f" {norm[ref.end():]} "]
            numbered = [i for i in order if self._entries[i].article.number == wanted]
            order = sorted(numbered, key=lambda i: bool(kinds) and self._kind(i) not in kinds) or order
        hits = [self._hit(i, scores[i], tokens) for i in order[:limit] if scores[i] > 0 or ref]
        sure = self._sure(order, scores) and not ref
        return SearchResult(query=query, sure=sure, hits=hits, reference=False,
                            document=named_strong[0] if named_strong else None, article=wanted)

    def _resolve_reference(self, norm: str, number: int, named: str | None, after: int
                           ) -> tuple[str, list[Hit]]:
        """("ok", hits) for "điều N <document>"; ("missing", []) when the document has no article N;
        ("unknown", []) when the question names a document the KB does not hold ("điều 4 nghị định 145",
        "điều 63 bộ luật lao động"); ("open", []) when no document is named."""
        doc_number = named
        if doc_number is None:
            tail = norm[after:].split()
            kind = next((k for k in _KINDS if tail[: len(k.split())] == k.split()), None)
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
        weighted = [(x, 1.0) for x in _terms(" ".join(tokens))]
        weighted += [(x, t.skip_weight) for x in _skip_pairs(tokens)]
        for extra in _expand(tokens):
            weighted += [(x, t.synonym_weight) for x in _terms(" ".join(extra))]
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

    def _combine(self, parts: tuple[list[float], list[float], list[float]], named_strong: list[str],
                 named_topic: list[str], domain: str | None) -> list[float]:
        """One 0–100 score per article from the components and the context (document named, setting)."""
        t = self.tuning
        lexical, keyword, question = parts
        strong = set(named_strong)
        topic = set(named_topic)
        scores = [0.0] * len(self._entries)
        for i, entry in enumerate(self._entries):
            lex = lexical[i]
            s = t.c_lexical * lex + t.c_keywords * keyword[i] + t.c_questions * question[i] * (
                1.0 if lex > 0 else 0.5)
            number = entry.doc.number
            if strong:
                if number in strong or entry.about & strong:
                    s += t.doc_boost
            elif topic and (number in topic or entry.about & topic):
                s += t.topic_boost
            if domain and entry.domain:
                s += t.domain_boost if entry.domain == domain else -t.domain_boost
            if entry.article.verified is Verified.NONE:
                s *= t.unverified_penalty
            scores[i] = max(0.0, min(100.0, 100.0 * s))
        return scores

    def _sure(self, order: list[int], scores: list[float]) -> bool:
        t = self.tuning
        if not order:
            return False
        best = scores[order[0]]
        if best >= t.sure_score:
            return True
        if best < t.sure_low:
            return False
        related = self._entries[order[0]].related
        for i in order[1:]:
            e = self._entries[i]
            if (e.doc.number, e.article.number) in related:
                continue
            return best - scores[i] >= t.sure_margin
        return True

    def _hit(self, i: int, score: float, tokens: list[str], field: str | None = None) -> Hit:
        e = self._entries[i]
        current = list(e.article.current) if e.doc.status is not Status.IN_FORCE else []
        return Hit(document=e.doc.number, article=e.article.number, title=e.article.title,
                   score=round(score, 1), field=field or self._field(e, tokens), current=current)

    def _field(self, e: _Entry, tokens: list[str]) -> str:
        """The field that shares the most (IDF-weighted) words with the question."""
        terms = set(_terms(" ".join(tokens)))
        best, best_score = "summary" if e.article.summary else "title", 0.0
        for name, have in e.fields:
            score = sum(self._idf.get(x, 0.0) for x in terms & have)
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
