"""The answer to a question, built from a knowledge.SearchResult — pure, no Telegram.

One builder gives both HTML (Telegram, parse_mode HTML; every user-derived or KB string escaped with
html.escape) and plain text (`hopthu ask`), from the sentences of bot/texts/kb.py, so the bot and the
command line say exactly the same thing. The bot adds buttons (full text, today's article, next
matches, votes) around `answer_html` / `article_html`; the CLI prints `build_answer(...).text`.

Rules the wording follows:
- the article is named "Điều 5 Pháp lệnh 34/2007/PL-UBTVQH11 — title";
- an unverified article (verified: none) gets no gist at all: number, title if known, official link;
- an old document always says since when it is out of force, what replaced it and which article governs
  the matter today ("xem Điều 11 Luật 10/2022/QH15");
- "not sure" says so and lists the closest articles instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import Any

from bot.texts import kb as T
from knowledge.model import Article, ArticleRef, Document, KnowledgeBase, Status, Verified, cite_label
from knowledge.search import Hit, SearchResult

__all__ = [
    "MAX_GIST_CHARS",
    "Answer",
    "answer_html",
    "article_block",
    "article_html",
    "build_answer",
    "document_block",
    "heading",
    "quote",
    "result_json",
]

MAX_GIST_CHARS = 1500  # an answer must fit one Telegram message (4096) with its notices
MAX_QUOTE_CHARS = 600  # the quoted khoản: short; the whole article is one button/link away
OTHER_MATCHES = 4  # next best articles listed under an answer


@dataclass(frozen=True, slots=True)
class Answer:
    """The same answer as HTML and plain text; `suggestions` are the next articles (for buttons)."""

    html: str
    text: str
    sure: bool
    suggestions: list[ArticleRef] = field(default_factory=list)


class _Both:
    """Accumulates lines in both renderings at once, so they cannot drift apart."""

    def __init__(self) -> None:
        self.html: list[str] = []
        self.text: list[str] = []

    def add(self, html_line: str, text_line: str) -> None:
        self.html.append(html_line)
        self.text.append(text_line)

    def extend(self, other: _Both) -> None:
        self.html += other.html
        self.text += other.text

    def blank(self) -> None:
        if self.text and self.text[-1] != "":
            self.add("", "")

    def render(self) -> tuple[str, str]:
        while self.text and self.text[-1] == "":
            self.html.pop()
            self.text.pop()
        return "\n".join(self.html), "\n".join(self.text)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _cut(text: str, limit: int) -> str:
    """Whole lines up to `limit` characters (a gist keeps its enumerations readable)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    out: list[str] = []
    size = 0
    for line in text.splitlines():
        if size + len(line) + 1 > limit:
            break
        out.append(line)
        size += len(line) + 1
    kept = "\n".join(out) if out else text[:limit].rsplit(" ", 1)[0]
    return kept.rstrip(" ,;:") + T.GIST_CUT


def heading(kb: KnowledgeBase, document: str, article: int, title: str | None = None) -> tuple[str, str]:
    """("<b>Điều 5 …</b> — <b>title</b>", "Điều 5 … — title"), title looked up when not given."""
    label = kb.label(document)
    if title is None:
        art = kb.article(document, article)
        title = art.title if art else None
    if title:
        return (T.ARTICLE_HEADING_TITLED_HTML.format(article=article, document=_e(label), title=_e(title)),
                T.ARTICLE_HEADING_TITLED.format(article=article, document=label, title=title))
    return (T.ARTICLE_HEADING_HTML.format(article=article, document=_e(label)),
            T.ARTICLE_HEADING.format(article=article, document=label))


def _articles(kb: KnowledgeBase, refs: list[ArticleRef] | tuple[ArticleRef, ...]) -> str:
    """"Điều 11, 12 Luật 10/2022/QH15; Điều 43 Nghị định 145/2020/NĐ-CP" (plain; escape for HTML)."""
    groups: dict[str, list[int]] = {}
    for ref in refs:
        groups.setdefault(ref.document, [])
        if ref.article not in groups[ref.document]:
            groups[ref.document].append(ref.article)
    return T.GROUP_SEPARATOR.join(
        T.ARTICLES_OF.format(articles=T.LIST_SEPARATOR.join(map(str, numbers)), document=kb.label(number))
        for number, numbers in groups.items()
    )


def _validity(kb: KnowledgeBase, doc: Document, current: tuple[ArticleRef, ...]) -> _Both:
    """The validity notice of a document, with today's articles for the matter when known."""
    out = _Both()
    see = T.SEE_CURRENT.format(articles=_articles(kb, current)) if current else ""
    if doc.status is Status.SUPERSEDED and doc.replaced_by:
        since = min((r.since for r in doc.replaced_by if r.since), default=None)
        reps = [T.REPLACEMENT_SINCE.format(document=kb.label(r.document), since=_date(r.since))
                if r.since and len(doc.replaced_by) > 1 else kb.label(r.document) for r in doc.replaced_by]
        replacements = T.LIST_SEPARATOR.join(reps)
        if since:
            h = T.SUPERSEDED_HTML.format(document=_e(doc.label), since=_date(since), replacements=_e(replacements))
            t = T.SUPERSEDED.format(document=doc.label, since=_date(since), replacements=replacements)
        else:
            h = T.SUPERSEDED_NO_DATE_HTML.format(document=_e(doc.label), replacements=_e(replacements))
            t = T.SUPERSEDED_NO_DATE.format(document=doc.label, replacements=replacements)
        out.add(h + _e(see) + T.END, t + see + T.END)
        if doc.status_note:
            out.add(T.NOTE_HTML.format(note=_e(doc.status_note)), T.NOTE.format(note=doc.status_note))
    elif doc.status is not Status.IN_FORCE:
        note = doc.status_note or ""
        out.add(T.UNCLEAR_HTML.format(note=_e(note)), T.UNCLEAR.format(note=note))
        if current:
            articles = _articles(kb, current)
            out.add(T.CURRENT_RULE.format(articles=_e(articles)) + T.END,
                    T.CURRENT_RULE.format(articles=articles) + T.END)
    elif doc.status_note:
        out.add(T.NOTE_HTML.format(note=_e(doc.status_note)), T.NOTE.format(note=doc.status_note))
    return out


def quote(doc: Document, art: Article, clause: int) -> tuple[str, str] | None:
    """("<b>Khoản 2 Điều 15 …</b>: «…»", plain) from the official wording in force, cut short; None when
    the article carries no such khoản."""
    text = art.text_in_force
    found = text.clause(clause) if text is not None else None
    if found is None:
        return None
    body = "\n".join([found.text, *(T.QUOTE_POINT.format(letter=p.letter, text=p.text) for p in found.points)])
    body = _cut(body, MAX_QUOTE_CHARS)
    cite = cite_label(art.number, clause, document=doc.label)
    cite = cite[:1].upper() + cite[1:]
    return T.QUOTE_HTML.format(cite=_e(cite), text=_e(body)), T.QUOTE.format(cite=cite, text=body)


def _amendments(kb: KnowledgeBase, art: Article) -> _Both:
    """A notice per later change of the article (its note says what changed and where to read it)."""
    out = _Both()
    for change in art.amendments:
        values = {"by": kb.label(change.by), "since": _date(change.since), "note": change.note}
        out.add(T.AMENDED_HTML.format(**{k: _e(v) for k, v in values.items()}), T.AMENDED.format(**values))
    return out


def article_block(kb: KnowledgeBase, doc: Document, art: Article, clause: int | None = None) -> _Both:
    """Heading, the khoản that answers (quoted, when the search found one), gist (never for an unverified
    article), amendment and validity notices, official link."""
    out = _Both()
    out.add(*heading(kb, doc.number, art.number, art.title or ""))
    quoted = quote(doc, art, clause) if clause is not None else None
    if quoted is not None:
        out.add(*quoted)
        out.blank()
    if art.verified is Verified.NONE or not art.summary:
        out.add(_e(T.UNVERIFIED), T.UNVERIFIED)
    else:
        gist = _cut(art.summary, MAX_GIST_CHARS)
        out.add(_e(gist), gist)
        if art.verified is Verified.PARTIAL and art.missing:
            missing = T.PARTIAL_MISSING.format(missing=art.missing)
            out.add(f"<i>{_e(missing)}</i>", missing)
    out.extend(_amendments(kb, art))
    current = art.current if doc.status is not Status.IN_FORCE else ()
    validity = _validity(kb, doc, current)
    if validity.text:
        out.blank()
        out.extend(validity)
    out.add(T.FULL_TEXT_HTML.format(link=_e(doc.source)), T.FULL_TEXT.format(link=doc.source))
    return out


def document_block(kb: KnowledgeBase, doc: Document, missing_article: int | None = None) -> _Both:
    """A document named without an article (or with one it does not have): what it is and its status."""
    out = _Both()
    if missing_article is not None and doc.articles:
        line = T.NO_SUCH_ARTICLE.format(document=doc.label, article=missing_article,
                                        first=doc.articles[0].number, last=doc.articles[-1].number)
        out.add(_e(line), line)
    out.add(T.DOCUMENT_HEADING_HTML.format(document=_e(doc.label), title=_e(doc.title)),
            T.DOCUMENT_HEADING.format(document=doc.label, title=doc.title))
    dates = T.DOCUMENT_DATES.format(issued=_date(doc.issued), effective=_date(doc.effective),
                                    chapters=len(doc.chapters), articles=len(doc.articles))
    out.add(_e(dates), dates)
    validity = _validity(kb, doc, ())
    out.extend(validity)
    if doc.articles and doc.aliases:
        ask = T.DOCUMENT_ASK_ARTICLE.format(example=doc.articles[0].number, alias=doc.aliases[0])
        out.add(_e(ask), ask)
    out.add(T.FULL_TEXT_HTML.format(link=_e(doc.source)), T.FULL_TEXT.format(link=doc.source))
    return out


def article_html(kb: KnowledgeBase, document: str, number: int) -> str:
    """The article as the bot shows it (HTML), for a button or a browse view; KeyError if unknown."""
    doc = kb.document(document)
    art = doc.article(number) if doc else None
    if doc is None or art is None:
        raise KeyError((document, number))
    return article_block(kb, doc, art).render()[0]


def answer_html(kb: KnowledgeBase, result: SearchResult) -> str:
    """The body of a sure answer (HTML): the best hit's article; the bot adds buttons around it."""
    best = result.hits[0]
    return article_html(kb, best.document, best.article)


def _shown(kb: KnowledgeBase, hits: list[Hit]) -> list[Hit]:
    return [h for h in hits if kb.article(h.document, h.article) is not None]


def build_answer(kb: KnowledgeBase, result: SearchResult, question: str | None = None,
                 others: int = OTHER_MATCHES) -> Answer:
    """The whole answer (question echoed if given): article and next matches, or an honest "not sure"."""
    out = _Both()
    if question is not None:
        out.add(T.YOUR_QUESTION_HTML.format(question=_e(question)), T.YOUR_QUESTION.format(question=question))
        out.blank()
    hits = _shown(kb, result.hits)
    if result.sure and hits:
        best = hits[0]
        doc = kb.document(best.document)
        art = doc.article(best.article) if doc else None
        assert doc is not None and art is not None
        out.extend(article_block(kb, doc, art, clause=best.clause))
        seen = {(best.document, best.article)}
        if doc.status is not Status.IN_FORCE:
            seen |= {(r.document, r.article) for r in art.current}
        more = [h for h in hits[1:] if (h.document, h.article) not in seen][:others]
        if result.reference:  # for "điều 5 pháp lệnh 34" the related articles are today's rule, already named
            more = []
        if more:
            out.blank()
            out.add(T.OTHER_MATCHES_HTML, T.OTHER_MATCHES)
            for h in more:
                hh, ht = heading(kb, h.document, h.article)
                out.add(T.MATCH_LINE.format(heading=hh), T.MATCH_LINE.format(heading=ht))
        suggestions = [ArticleRef(h.document, h.article) for h in more]
        html_text, plain = out.render()
        return Answer(html=html_text, text=plain, sure=True, suggestions=suggestions)

    doc = kb.document(result.document) if result.document and not hits else None
    if doc is not None:
        out.extend(document_block(kb, doc, result.article))
        html_text, plain = out.render()
        return Answer(html=html_text, text=plain, sure=False)

    out.add(T.NOT_SURE_HTML, T.NOT_SURE)
    if hits:
        out.add(T.CLOSEST_HTML, T.CLOSEST)
        for h in hits:
            hh, ht = heading(kb, h.document, h.article)
            out.add(T.MATCH_LINE.format(heading=hh), T.MATCH_LINE.format(heading=ht))
    else:
        out.add(_e(T.NOTHING_CLOSE), T.NOTHING_CLOSE)
    out.add(_e(T.TRY_AGAIN), T.TRY_AGAIN)
    html_text, plain = out.render()
    return Answer(html=html_text, text=plain, sure=False, suggestions=[ArticleRef(h.document, h.article)
                                                                        for h in hits])


def result_json(result: SearchResult) -> dict[str, Any]:
    """`hopthu ask --json`: {"sure", "hits": [{document, article, title, score, current?}]}, best first.

    `current` (the first article in force today) only for a hit of a superseded document.
    """
    hits = []
    for h in result.hits:
        item: dict[str, Any] = {"document": h.document, "article": int(h.article), "title": h.title,
                                "score": round(float(h.score), 1)}
        if h.current:
            item["current"] = {"document": h.current[0].document, "article": int(h.current[0].article)}
        hits.append(item)
    return {"sure": bool(result.sure), "hits": hits}
