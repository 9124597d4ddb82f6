"""Plain, immutable records of the knowledge base, as the loader builds them from the YAML files.

Everything outside `knowledge/` (bot, CLI, tests) reads these; nothing writes them after loading, so
one loaded knowledge base can be shared by every handler and the search index without locks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """Legal status of a document today."""

    IN_FORCE = "in_force"
    SUPERSEDED = "superseded"
    UNCLEAR = "unclear"


class Verified(StrEnum):
    """How much of an article was confirmed from sources; `none` articles are pointers only."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """An article of a document, named by the document's official number (the public identifier)."""

    document: str
    article: int


@dataclass(frozen=True, slots=True)
class Replacement:
    """What replaced a document, and since when."""

    document: str
    since: dt.date | None
    note: str | None


@dataclass(frozen=True, slots=True)
class RelatedDocument:
    """A document referenced by the KB but not held in it (so references to it can still be checked)."""

    number: str
    title: str
    link: str | None


# Vietnamese letters of điểm, in order (no f, j, w, z; đ after d).
POINT_LETTERS: tuple[str, ...] = tuple("a b c d đ e g h i k l m n o p q r s t u v x y".split())


@dataclass(frozen=True, slots=True)
class Point:
    """Điểm `letter` of a khoản: its official wording (paragraphs joined by newlines)."""

    letter: str
    text: str


@dataclass(frozen=True, slots=True)
class Clause:
    """Khoản `number` of an article: its official wording, then its điểm in order."""

    number: int
    text: str
    points: tuple[Point, ...] = ()

    def point(self, letter: str) -> Point | None:
        """The điểm with this letter, or None."""
        return next((p for p in self.points if p.letter == letter), None)


@dataclass(frozen=True, slots=True)
class ArticleText:
    """The official wording of one article, clause by clause, as the YAML `text:` block gives it.

    `intro` is what comes before khoản 1 (or the whole article when it has no khoản); `points` are
    điểm written directly under the intro, in an article without khoản.
    """

    intro: str
    clauses: tuple[Clause, ...] = ()
    points: tuple[Point, ...] = ()

    def clause(self, number: int) -> Clause | None:
        """The khoản with this number, or None."""
        return next((c for c in self.clauses if c.number == number), None)


class Change(StrEnum):
    """What an amending document did to an article (or, for a notice, what readers must know)."""

    AMENDED = "amended"
    ADDED = "added"
    REPEALED = "repealed"
    NOTICE = "notice"


@dataclass(frozen=True, slots=True)
class Amendment:
    """One entry of knowledge/amendments.yaml: `by` changed `target` (article None = whole document).

    `text` is the new official wording, present exactly when `verified` is full or partial.
    """

    target: str
    article: int | None
    by: str
    since: dt.date
    change: Change
    verified: Verified
    text: ArticleText | None
    note: str
    source: str | None


@dataclass(frozen=True, slots=True)
class TextSource:
    """Where a document's official wording (the `text:` blocks) was copied from."""

    name: str
    link: str | None
    note: str | None


def cite_label(article: int, clause: int | None = None, point: str | None = None,
               document: str | None = None) -> str:
    """How answers quote a provision: "điểm a khoản 2 Điều 15" (+ " Luật 10/2022/QH15" when given)."""
    parts = []
    if point is not None:
        parts.append(f"điểm {point}")
    if clause is not None:
        parts.append(f"khoản {clause}")
    parts.append(f"Điều {article}")
    if document:
        parts.append(document)
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Article:
    """One article. `summary` is None exactly when `verified` is none (the bot then gives only a pointer).

    `text` is the official wording as first issued (None when not carried yet); `amendments` are the
    later changes from knowledge/amendments.yaml, oldest first.
    """

    number: int
    title: str | None
    section: str | None  # "Mục 1. …" of a chapter, when the document has sections
    verified: Verified
    summary: str | None
    missing: str | None
    keywords: tuple[str, ...]
    questions: tuple[str, ...]
    sources: tuple[str, ...]
    current: tuple[ArticleRef, ...]
    document: str  # official number of the document holding it
    chapter_index: int  # position of its chapter in Document.chapters
    text: ArticleText | None = None
    amendments: tuple[Amendment, ...] = ()
    details: tuple[ArticleRef, ...] = ()  # a decree's article: the Law articles whose matter it details

    @property
    def intro(self) -> str | None:
        """The official wording before khoản 1 (None when the text is not carried)."""
        return self.text.intro if self.text is not None else None

    @property
    def clauses(self) -> tuple[Clause, ...]:
        """The khoản of the text as first issued (empty when the text is not carried)."""
        return self.text.clauses if self.text is not None else ()

    def clause(self, number: int) -> Clause | None:
        """Khoản `number` of the text as first issued, or None."""
        return self.text.clause(number) if self.text is not None else None

    def text_at(self, day: dt.date) -> ArticleText | None:
        """The wording in force on `day`: the newest verified amendment's text by then, else the original.

        Unverified amendments (no sourced text) never replace the original: the bot then shows the
        original with the amendment's note instead of inventing wording.
        """
        newest = self.text
        for change in sorted(self.amendments, key=lambda a: a.since):
            if change.since <= day and change.text is not None:
                newest = change.text
        return newest

    @property
    def text_in_force(self) -> ArticleText | None:
        """The wording in force today (see `text_at`)."""
        return self.text_at(dt.date.today())

    def cite(self, clause: int | None = None, point: str | None = None) -> str:
        """ "điểm a khoản 2 Điều 15" for this article."""
        return cite_label(self.number, clause, point)


@dataclass(frozen=True, slots=True)
class Chapter:
    """A chapter as written in the document (roman numbers for laws); number/title None when unknown."""

    number: str | None
    title: str | None
    title_verified: bool
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class Document:
    """One legal document (one YAML file)."""

    id: str
    number: str
    kind: str
    title: str
    issuer: str
    signer: str | None
    issued: dt.date
    effective: dt.date
    status: Status
    status_note: str | None
    replaced_by: tuple[Replacement, ...]
    related_documents: tuple[RelatedDocument, ...]
    source: str
    aliases: tuple[str, ...]
    chapters: tuple[Chapter, ...]
    file: str = ""
    text_source: TextSource | None = None
    notices: tuple[Amendment, ...] = ()  # amendments.yaml entries about the whole document

    @property
    def label(self) -> str:
        """How answers name it: "Pháp lệnh 34/2007/PL-UBTVQH11"."""
        return f"{self.kind} {self.number}"

    @property
    def articles(self) -> tuple[Article, ...]:
        """All articles in order, across chapters."""
        return tuple(a for ch in self.chapters for a in ch.articles)

    def article(self, number: int) -> Article | None:
        """The article with this number, or None."""
        for ch in self.chapters:
            for a in ch.articles:
                if a.number == number:
                    return a
        return None


class Right(StrEnum):
    """The four pillars of grassroots democracy, in the order answers list them."""

    PUBLIC = "cong_khai"  # what must be made public
    DECIDE = "ban_quyet_dinh"  # what people discuss and decide
    COMMENT = "tham_gia_y_kien"  # what people comment on before the authority decides
    SUPERVISE = "kiem_tra_giam_sat"  # what people check and supervise


@dataclass(frozen=True, slots=True)
class RoleRight:
    """One main right of a role, with the articles that state it (old and current)."""

    kind: Right
    text: str
    refs: tuple[ArticleRef, ...]


@dataclass(frozen=True, slots=True)
class Role:
    """A "who are you" answer of /apdung: which documents applied, what applies today, main rights."""

    id: str
    title: str
    description: str
    old_documents: tuple[str, ...]
    current_documents: tuple[str, ...]
    current_note: str
    rights: tuple[RoleRight, ...]
    related_documents: tuple[RelatedDocument, ...] = field(default=())
    cues: tuple[str, ...] = ()  # words that point to this role in free text ("công nhân", "giáo viên")


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """All documents (ordered as listed for /vanban) and the /apdung roles."""

    documents: tuple[Document, ...]
    roles: tuple[Role, ...] = ()
    related_documents: tuple[RelatedDocument, ...] = ()

    # --- browse helpers (what /vanban needs) -------------------------------------------------

    def document(self, key: str) -> Document | None:
        """A document by official number, id or alias (any spelling `normalize` folds together)."""
        from knowledge.normalize import normalize  # local: keep model import-light

        wanted = normalize(key)
        for doc in self.documents:
            if key in (doc.number, doc.id) or wanted in (normalize(doc.number), normalize(doc.id)):
                return doc
        for doc in self.documents:
            if any(normalize(a) == wanted for a in doc.aliases):
                return doc
        return None

    def chapters(self, document: str) -> tuple[Chapter, ...]:
        """The chapters of a document (empty if unknown)."""
        doc = self.document(document)
        return doc.chapters if doc else ()

    def chapter_articles(self, document: str, chapter_index: int) -> tuple[Article, ...]:
        """The articles of the chapter at `chapter_index` (0-based position) of a document."""
        chapters = self.chapters(document)
        if 0 <= chapter_index < len(chapters):
            return chapters[chapter_index].articles
        return ()

    def article(self, document: str, number: int) -> Article | None:
        """Get an article by (document number/id/alias, article number)."""
        doc = self.document(document)
        return doc.article(number) if doc else None

    def role(self, role_id: str) -> Role | None:
        """An /apdung role by id."""
        return next((r for r in self.roles if r.id == role_id), None)

    def related(self, number: str) -> RelatedDocument | None:
        """A document known only by reference (not held in the KB)."""
        for doc in self.documents:
            for rel in doc.related_documents:
                if rel.number == number:
                    return rel
        return next((r for r in self.related_documents if r.number == number), None)

    def label(self, number: str) -> str:
        """How to name any referenced document: "Luật 10/2022/QH15", "Nghị định 145/2020/NĐ-CP"."""
        doc = self.document(number)
        if doc is not None:
            return doc.label
        rel = self.related(number)
        if rel is not None and rel.title.startswith(("Bộ luật", "Luật")) and len(rel.title) <= 40:
            return f"{rel.title.split(' (')[0]} {number}"  # "Bộ luật Lao động 45/2019/QH14"
        return external_label(number)


# Kind of an external document from its number's suffix (the number is all we may know of it).
_KIND_BY_SUFFIX: tuple[tuple[str, str], ...] = (
    ("NQLT", "Nghị quyết liên tịch"),
    ("TTLT", "Thông tư liên tịch"),
    ("NĐ-CP", "Nghị định"),
    ("NQ-", "Nghị quyết"),
    ("PL-", "Pháp lệnh"),
    ("TT-", "Thông tư"),
    ("QĐ-", "Quyết định"),
    ("/QH", "Luật"),
)


def external_label(number: str) -> str:
    """ "Nghị định 145/2020/NĐ-CP" for a document known only by number; the bare number if unsure."""
    for suffix, kind in _KIND_BY_SUFFIX:
        if suffix in number:
            return f"{kind} {number}"
    return number
