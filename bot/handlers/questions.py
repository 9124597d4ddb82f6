"""Questions about the grassroots-democracy rules: /hoi, free text, /vanban, /apdung, /chuahoi, votes
and inline mode.

The search (knowledge.search) decides what answers a question; bot.answers turns a hit into the text
a citizen reads. This module decides *whether* a free text is a question at all, keeps the "next
message is the question" state of `/hoi` in the draft table (so it survives a restart and works across
replicas), and builds every keyboard: next matches, votes, browsing with pages, the /apdung wizard.

Callback data (prefix "q", all far under 64 bytes; doc ids are short slugs like pl-34-2007):
    q:a:<doc>:<art>                 show an article (a new message)
    q:v:<question-id>:<1|0>         👍 / 👎 on an answer (must be a button of the clicked message)
    q:l[:n]                         the list of documents
    q:d:<doc>[:n]                   a document: its chapters
    q:c:<doc>:<chapter>:<page>[:n]  the articles of a chapter, by pages of PAGE_SIZE
    q:p:<doc>:<page>[:n]            all articles of a document, by pages
    q:r[:<role>]                    /apdung: the roles, or the answer for one role
A trailing "n" means "send a new message" (the button sits under an article, which must stay);
without it the list replaces the message it was pressed on.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    MaybeInaccessibleMessage,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CommandHandler, ContextTypes

from bot import answers
from bot import callbacks as cb
from bot.cards import send_message_payload, send_payload
from bot.format import TELEGRAM_LIMIT, clean_text, esc, fmt_time, split_message, truncate
from bot.services import Services, get_services
from bot.texts import citizen as TCit
from bot.texts import questions as T
from bot.texts.common import STALE_BUTTON
from knowledge import applicability
from knowledge.model import Article, ArticleRef, Chapter, Document, KnowledgeBase, Role, Status, Verified
from knowledge.normalize import normalize
from knowledge.search import Hit, SearchResult
from storage import DraftConflict

log = logging.getLogger(__name__)

ASK_STEP = "ask"  # draft step: the next private message of this user is a question (/hoi alone)
PAGE_SIZE = 10  # articles per page when browsing (the Law's Chapter II has 35)
SEARCH_LIMIT = 6  # hits fetched per question: the answer and the next matches
NEXT_MATCHES = 4  # buttons for the next best articles under an answer
CLOSEST = 5  # buttons under a "not sure" answer
MAX_QUESTION_CHARS = 1000  # what is searched and logged of a question; the rest adds nothing
ECHO_CHARS = 300  # how much of the question is quoted back
BUTTON_CHARS = 60  # longer button labels are cut (clients cut them anyway, less predictably)
MESSAGE_LIMIT = TELEGRAM_LIMIT  # a module constant so tests can force a split
INLINE_RESULTS = 10
INLINE_CACHE_SECONDS = 5  # small: the knowledge base is updated by deploying, answers must follow soon
INLINE_DESCRIPTION_CHARS = 120
INLINE_MIN_SCORE = 10.0  # below this a hit shares only a stray word with the query: not worth listing
VOTED_MEMORY = 10_000  # question ids voted on recently, so a double tap counts once
_VOTED_KEY = "questions.voted"
_DATE = "%d/%m/%Y"  # dates of documents, as Vietnamese write them


def add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Commands of this area; buttons, inline queries and free text reach us through bot.app."""
    app.add_handler(CommandHandler("hoi", cmd_hoi))
    app.add_handler(CommandHandler("vanban", cmd_vanban))
    app.add_handler(CommandHandler("apdung", cmd_apdung))
    app.add_handler(CommandHandler("chuahoi", cmd_chuahoi))


# ================================================================ question or feedback?

class Intent(StrEnum):
    QUESTION = "question"
    FEEDBACK = "feedback"
    GREETING = "greeting"


@dataclass(frozen=True)
class Decision:
    """Why a free text was taken as a question or as feedback (scores kept for tests and logs)."""

    intent: Intent
    question: int
    report: int
    reasons: tuple[str, ...] = ()


def _patterns(*words: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(words) + r")(?![a-z0-9])")


# Everything below works on `normalize`d text, so "gì", "gi", "j" and "ko", "không" are the same.
_OPENERS = _patterns(r"^(?:cho|xin|toi muon|em muon|cho em|cho toi|cho minh|minh muon) hoi", r"^hoi",
                     r"^(?:lam the nao|lam sao|tai sao|vi sao|cach|the nao|khi nao|bao gio|o dau|ai la|ai|"
                     r"liec?u|co phai|co duoc|co can|co bat buoc|muon biet)")
_QUESTION_WORDS = _patterns(
    r"gi", r"nao", r"bao gio", r"bao nhieu", r"bao lau", r"o dau", r"di dau", r"the nao", r"ra sao", r"lam sao",
    r"tai sao", r"vi sao", r"the sao", r"co duoc", r"co phai", r"duoc khong", r"phai khong", r"khong a",
    r"ai", r"may (?:ngay|lan|nam|thang|tuan|nguoi|gio|phieu|ho|thanh vien|buoc|loai|hinh thuc|nguyen tac)",
    r"nhu nao", r"sao vay", r"dung khong", r"co can", r"co bat buoc", r"hay khong", r"chua",
    r"(?<=[a-z] )hay(?= [a-z])",  # "A hay B": a choice is asked
)
_ENDS_AS_QUESTION = re.compile(r"(?:khong|chua|a|nhi|ha|sao|vay|the|nao|gi|khong vay)$")
_LEGAL = _patterns(
    r"quy dinh", r"dieu \d+", r"luat", r"nghi dinh", r"phap lenh", r"quy che", r"dan chu", r"quyen",
    r"nghia vu", r"trach nhiem", r"hieu luc", r"ap dung", r"van ban", r"thong tu", r"nghi quyet",
    r"can cu", r"theo quy dinh", r"bat buoc",
)
_INCIDENT = _patterns(
    r"sat lo", r"hu hong", r"bi hong", r"hong nang", r"xuong cap", r"o ga", r"ngap", r"ngap ung", r"o nhiem",
    r"rac thai", r"do rac", r"bai rac", r"boc mui", r"hoi thoi", r"mat dien", r"mat nuoc", r"cup dien",
    r"lan chiem", r"tieng on", r"on ao", r"tac nghen", r"nut ne", r"bi nut", r"sap do", r"nguy hiem",
    r"tai nan", r"trom", r"danh nhau", r"nhung nhieu", r"tham nhung", r"hach dich", r"gay kho khan",
    r"gay kho de", r"cham tre", r"khong chiu sua", r"chua sua", r"chua duoc sua", r"ton dong", r"bui ban",
    r"khoi bui", r"nuoc thai", r"xa thai", r"chat thai", r"bat cong", r"thu sai", r"lam sai", r"vi pham",
    r"khong minh bach", r"mat trat tu", r"chua giai quyet", r"khong giai quyet", r"doi tien", r"bi thu",
)
_REQUEST = _patterns(
    r"de nghi", r"kien nghi", r"phan anh", r"buc xuc", r"yeu cau xa", r"mong xa", r"mong chinh quyen",
    r"mong cac cap", r"xin phan anh", r"to cao", r"khieu nai", r"de nghi xa", r"kinh gui", r"kinh de nghi",
    r"xin cam on", r"mong duoc giai quyet", r"som giai quyet", r"som khac phuc",
)
_NARRATIVE = _patterns(
    r"nha toi", r"gia dinh toi", r"hom qua", r"sang nay", r"toi qua", r"chieu nay", r"tuan truoc",
    r"thang truoc", r"da lau", r"nhieu ngay", r"nhieu thang", r"tu thang", r"tu nam", r"hien nay thon",
    r"nha em", r"khu nha toi", r"ngo nha",
)
_GREETINGS = frozenset({
    "xin chao", "chao", "chao ban", "chao bot", "hello", "hi", "alo", "hey", "chao ad", "chao admin",
    "xin chao bot", "hello bot", "cam on", "cam on ban", "cam on bot", "thanks", "thank you", "ok", "oke",
})


def classify(text: str, result: SearchResult | None = None, *, place_named: bool = False) -> Decision:
    """Question or feedback? A question gets an answer; anything report-like is offered as feedback.

    Question evidence: a question mark, question words ("gì", "bao giờ", "có được … không"), words
    about rules ("quy định", "điều", "luật"), a sure search hit, and a direct reference (decisive).
    Report evidence: an incident ("sạt lở", "ô nhiễm", "nhũng nhiễu"), a request ("đề nghị", "phản
    ánh"), a named place, a first-person story, length. A "question" about an incident that the
    search cannot answer ("bao giờ xã sửa đường?") is a complaint in question form: feedback.
    """
    norm = normalize(text)
    if not norm:
        return Decision(Intent.FEEDBACK, 0, 0, ("empty",))
    if norm in _GREETINGS:
        return Decision(Intent.GREETING, 0, 0, ("greeting",))
    if result is not None and result.reference:
        return Decision(Intent.QUESTION, 10, 0, ("reference",))
    reasons: list[str] = []
    q = 0
    if "?" in text:
        q += 2
        reasons.append("question mark")
    if _OPENERS.search(norm):
        q += 2
        reasons.append("opener")
    words = {m.group(0) for m in _QUESTION_WORDS.finditer(norm)}
    if _ENDS_AS_QUESTION.search(norm) and len(norm.split()) > 2:
        words.add("<end>")
    if words:
        q += min(3, len(words))
        reasons.append("question words: " + ", ".join(sorted(words)))
    legal = {m.group(0) for m in _LEGAL.finditer(norm)}
    if legal:
        q += min(2, len(legal))
        reasons.append("legal: " + ", ".join(sorted(legal)))
    # "sure" now means "sure it is THIS article"; that the rules cover the matter is enough evidence here
    sure = result is not None and (result.sure or result.on_topic)
    if sure:
        q += 2
        reasons.append("sure hit")

    r = 0
    incidents = {m.group(0) for m in _INCIDENT.finditer(norm)}
    if incidents:
        r += 2 + (1 if len(incidents) > 1 else 0)
        reasons.append("incident: " + ", ".join(sorted(incidents)))
    requests = {m.group(0) for m in _REQUEST.finditer(norm)}
    if requests:
        r += min(2, len(requests))
        reasons.append("request: " + ", ".join(sorted(requests)))
    if place_named:
        r += 1
        reasons.append("place")
    if _NARRATIVE.search(norm):
        r += 1
        reasons.append("narrative")
    length = len(text)
    if length > 600:
        r += 2
    elif length > 300:
        r += 1
    sentences = [s for s in re.split(r"[.!\n]+", text) if len(s.split()) >= 3]
    if len(sentences) >= 3 and "?" not in text:
        r += 1
        reasons.append("several sentences")

    asks = q - (2 if sure else 0)  # evidence in the wording itself, not from the search
    if r == 0:
        # a few words with no report in them is a search; a long plain statement is not a question
        is_question = asks > 0 or len(norm.split()) <= 12
    else:
        is_question = q > r and (sure or r <= 1 or bool(legal))
    return Decision(Intent.QUESTION if is_question else Intent.FEEDBACK, q, r, tuple(reasons))


# ================================================================ views (pure: text + keyboard)

@dataclass
class View:
    """A message to show: HTML text (may exceed one message: it is split) and an optional keyboard."""

    text: str
    rows: list[list[InlineKeyboardButton]] = field(default_factory=list)

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        return InlineKeyboardMarkup(self.rows) if self.rows else None


def _button(label: str, *parts: object, width: int = BUTTON_CHARS) -> InlineKeyboardButton | None:
    """A callback button, or None if the payload would not fit (never a broken keyboard)."""
    try:
        data = cb.make(cb.QUESTION, *(str(p) for p in parts))
    except ValueError:
        log.warning("callback payload too long, button %r dropped", label)
        return None
    return InlineKeyboardButton(truncate(label, width), callback_data=data)


def _rows(buttons: list[InlineKeyboardButton | None], per_row: int = 1) -> list[list[InlineKeyboardButton]]:
    kept = [b for b in buttons if b is not None]
    return [kept[i:i + per_row] for i in range(0, len(kept), per_row)]


def short_label(doc: Document) -> str:
    """"Pháp lệnh 34/2007", "Luật 10/2022": enough to tell the four documents apart on a button."""
    number = "/".join(doc.number.split("/")[:2])
    return f"{doc.kind} {number}"


def ref_label(kb: KnowledgeBase, ref: ArticleRef | Hit, *, titled: bool = False) -> str:
    """"Điều 11 Luật 10/2022 — Những nội dung …" for a button (plain text: buttons are not HTML)."""
    doc = kb.document(ref.document)
    name = short_label(doc) if doc else ref.document
    article = doc.article(ref.article) if doc else None
    if titled and article is not None and article.title:
        return T.BUTTON_ARTICLE_TITLED.format(article=ref.article, document=name, title=article.title)
    return T.BUTTON_ARTICLE.format(article=ref.article, document=name)


def article_button(kb: KnowledgeBase, ref: ArticleRef | Hit, label: str | None = None
                   ) -> InlineKeyboardButton | None:
    """A button opening an article of the knowledge base (None for documents the KB does not hold)."""
    doc = kb.document(ref.document)
    if doc is None or doc.article(ref.article) is None:
        return None
    return _button(label or ref_label(kb, ref, titled=True), "a", doc.id, ref.article)


def full_text_button(doc: Document) -> InlineKeyboardButton:
    return InlineKeyboardButton(truncate(T.BUTTON_FULL_TEXT.format(document=short_label(doc)), BUTTON_CHARS),
                                url=doc.source)


def _current_buttons(kb: KnowledgeBase, doc: Document, article: Article) -> list[InlineKeyboardButton | None]:
    """For an old article: buttons to the articles that govern the matter today."""
    if doc.status is Status.IN_FORCE:
        return []
    out: list[InlineKeyboardButton | None] = []
    for ref in article.current:
        current = kb.document(ref.document)
        if current is not None:
            out.append(article_button(kb, ref, T.BUTTON_CURRENT.format(article=ref.article,
                                                                       document=short_label(current))))
    return out


def answer_view(kb: KnowledgeBase, result: SearchResult, question: str, question_id: int | None) -> View:
    """A sure answer (bot.answers: article, gist, validity, next matches) with buttons: the official
    text, today's article for an old one, the next matches, and 👍/👎 carrying the question log id."""
    answer = answers.build_answer(kb, result, truncate(question, ECHO_CHARS))
    best = result.hits[0]
    doc = kb.document(best.document)
    article = doc.article(best.article) if doc else None
    assert doc is not None and article is not None, "search hits always name KB articles"
    rows: list[list[InlineKeyboardButton]] = [[full_text_button(doc)]]
    rows += _rows(_current_buttons(kb, doc, article))
    rows += _rows([article_button(kb, ref) for ref in answer.suggestions[:NEXT_MATCHES]])
    if question_id is not None:
        rows += _rows([_button(T.BUTTON_VOTE_UP, "v", question_id, 1),
                       _button(T.BUTTON_VOTE_DOWN, "v", question_id, 0)], per_row=2)
    return View(answer.html, rows)


def not_sure_view(kb: KnowledgeBase, result: SearchResult, question: str, *, feedback_hint: bool) -> View:
    """Honest "not sure" (bot.answers): no answer is claimed; the closest articles become buttons; a
    document named without a known article ("điều 99 luật 10") offers that document instead."""
    answer = answers.build_answer(kb, result, truncate(question, ECHO_CHARS))
    parts = [answer.html, T.NOT_SURE_LOGGED]
    if feedback_hint:
        parts.append(T.NOT_SURE_FEEDBACK_HINT)
    buttons = [article_button(kb, ref) for ref in answer.suggestions[:CLOSEST]]
    named = kb.document(result.document) if result.document else None
    if named is not None and not answer.suggestions:
        buttons.append(_button(T.BUTTON_DOCUMENT.format(document=short_label(named)), "d", named.id, "n"))
    return View("\n\n".join(parts), _rows(buttons))


def article_view(kb: KnowledgeBase, doc: Document, article: Article) -> View:
    """One article opened from a button: the same text as an answer, plus its place in the document."""
    rows: list[list[InlineKeyboardButton]] = [[full_text_button(doc)]]
    rows += _rows(_current_buttons(kb, doc, article))
    chapter = doc.chapters[article.chapter_index]
    position = [a.number for a in chapter.articles].index(article.number)
    rows += _rows([
        _button(T.BUTTON_BACK_CHAPTER.format(chapter=chapter_label(chapter)), "c", doc.id,
                article.chapter_index, position // PAGE_SIZE, "n"),
        _button(T.BUTTON_DOCUMENT.format(document=short_label(doc)), "d", doc.id, "n"),
    ], per_row=2)
    return View(answers.article_html(kb, doc.number, article.number), rows)


def documents_view(kb: KnowledgeBase) -> View:
    lines = [T.DOCS_HEADER, ""]
    for doc in kb.documents:
        lines.append(T.DOC_LINE.format(icon=T.STATUS_ICONS.get(doc.status.value, ""), label=esc(doc.label),
                                       title=esc(doc.title)))
    buttons = [_button(f"{T.STATUS_ICONS.get(d.status.value, '')} {short_label(d)}", "d", d.id)
               for d in kb.documents]
    return View("\n".join(lines), _rows(buttons, per_row=2))


def chapter_label(chapter: Chapter) -> str:
    first, last = chapter.articles[0].number, chapter.articles[-1].number
    if chapter.number and chapter.title:
        label = T.CHAPTER_NAMED.format(number=chapter.number, title=chapter.title)
    elif chapter.number:
        label = T.CHAPTER_NUMBER_ONLY.format(number=chapter.number)
    else:
        return T.CHAPTER_UNNAMED.format(first=first, last=last)
    return label


def document_view(kb: KnowledgeBase, doc: Document) -> View:
    """A document's card (status, what replaced it) and one button per chapter."""
    lines = [T.DOC_HEADER.format(
        icon=T.STATUS_ICONS.get(doc.status.value, ""), label=esc(doc.label), title=esc(doc.title),
        issuer=esc(doc.issuer), issued=doc.issued.strftime(_DATE), effective=doc.effective.strftime(_DATE),
        status=esc(T.STATUS_LABELS.get(doc.status.value, doc.status.value)),
    )]
    for rep in doc.replaced_by:
        label = esc(kb.label(rep.document))
        if rep.since:
            lines.append(T.DOC_REPLACED_BY.format(document=label, since=rep.since.strftime(_DATE)))
        else:
            lines.append(T.DOC_REPLACED_BY_NO_DATE.format(document=label))
    if doc.status_note:
        lines.append(f"<i>{esc(doc.status_note)}</i>")
    lines += ["", T.DOC_PICK_CHAPTER]
    buttons: list[InlineKeyboardButton | None] = []
    for index, chapter in enumerate(doc.chapters):
        label = chapter_label(chapter)
        if chapter.number:
            label += T.CHAPTER_SPAN.format(first=chapter.articles[0].number, last=chapter.articles[-1].number)
        buttons.append(_button(label, "c", doc.id, index, 0))
    rows = _rows(buttons)
    rows.append([b for b in (_button(T.BUTTON_ALL_ARTICLES, "p", doc.id, 0),
                             _button(T.BUTTON_BACK_DOCS, "l")) if b is not None])
    rows.append([full_text_button(doc)])
    return View("\n".join(lines), rows)


def _page(articles: tuple[Article, ...], page: int) -> tuple[tuple[Article, ...], int, int]:
    pages = max(1, -(-len(articles) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    return articles[page * PAGE_SIZE:(page + 1) * PAGE_SIZE], page, pages


def _article_buttons(doc: Document, articles: tuple[Article, ...]) -> list[InlineKeyboardButton | None]:
    out = []
    for art in articles:
        label = (T.ARTICLE_BUTTON.format(number=art.number, title=art.title) if art.title
                 else T.ARTICLE_BUTTON_UNTITLED.format(number=art.number))
        if art.verified is Verified.NONE:
            label = truncate(label, BUTTON_CHARS - len(T.ARTICLE_POINTER_MARK)) + T.ARTICLE_POINTER_MARK
        out.append(_button(label, "a", doc.id, art.number))
    return out


def _pager(page: int, pages: int, *prefix: object) -> list[InlineKeyboardButton]:
    nav = []
    if page > 0:
        nav.append(_button(T.BUTTON_PREV, *prefix, page - 1))
    if page < pages - 1:
        nav.append(_button(T.BUTTON_NEXT, *prefix, page + 1))
    return [b for b in nav if b is not None]


def chapter_view(kb: KnowledgeBase, doc: Document, index: int, page: int) -> View:
    """The articles of one chapter, PAGE_SIZE per page, with previous/next and back buttons."""
    chapter = doc.chapters[index]
    shown, page, pages = _page(chapter.articles, page)
    label = chapter_label(chapter)
    if chapter.number and not chapter.title_verified and chapter.title:
        label += T.CHAPTER_TITLE_UNVERIFIED
    text = T.CHAPTER_HEADER.format(document=esc(doc.label), chapter=esc(label)) + "\n"
    text += T.PAGE_INFO.format(page=page + 1, pages=pages) if pages > 1 else T.PICK_ARTICLE
    rows = _rows(_article_buttons(doc, shown))
    nav = _pager(page, pages, "c", doc.id, index)
    if nav:
        rows.append(nav)
    rows.append([b for b in (_button(T.BUTTON_BACK_CHAPTERS, "d", doc.id), _button(T.BUTTON_BACK_DOCS, "l"))
                 if b is not None])
    return View(text, rows)


def all_articles_view(kb: KnowledgeBase, doc: Document, page: int) -> View:
    """Every article of a document in order (the Law: 91 articles, 10 pages)."""
    shown, page, pages = _page(doc.articles, page)
    text = T.ALL_ARTICLES_HEADER.format(document=esc(doc.label)) + "\n"
    text += T.PAGE_INFO.format(page=page + 1, pages=pages) if pages > 1 else T.PICK_ARTICLE
    rows = _rows(_article_buttons(doc, shown))
    nav = _pager(page, pages, "p", doc.id)
    if nav:
        rows.append(nav)
    rows.append([b for b in (_button(T.BUTTON_BACK_CHAPTERS, "d", doc.id), _button(T.BUTTON_BACK_DOCS, "l"))
                 if b is not None])
    return View(text, rows)


def roles_view(kb: KnowledgeBase) -> View:
    """/apdung, first step: "who are you?" with one button per role."""
    roles = applicability.roles(kb)
    if not roles:
        return View(T.APPLY_NO_ROLES)
    return View(T.APPLY_ASK, _rows([_button(role.title, "r", role.id, width=100) for role in roles]))


def _document_line(kb: KnowledgeBase, info: applicability.DocumentInfo) -> str:
    """"• Pháp lệnh 34/2007/… (Đã hết hiệu lực; thay bằng Luật 10/2022/QH15 từ 01/07/2023)"."""
    doc = kb.document(info.number)
    if doc is None or info.status is None:
        title = T.APPLY_DOCUMENT_TITLE.format(title=esc(info.title)) if info.title not in info.label else ""
        return T.APPLY_DOCUMENT_LINE.format(label=esc(info.label), status=title)
    status = T.STATUS_LABELS.get(doc.status.value, doc.status.value)
    if doc.replaced_by:
        rep = doc.replaced_by[0]
        since = T.APPLY_SINCE.format(date=rep.since.strftime(_DATE)) if rep.since else ""
        extra = T.APPLY_DOCUMENT_REPLACED.format(status=esc(status), replacement=esc(kb.label(rep.document)),
                                                 since=since)
    elif doc.status is Status.IN_FORCE:
        extra = T.APPLY_DOCUMENT_TITLE.format(title=esc(doc.title))
    else:
        extra = T.APPLY_DOCUMENT_STATUS.format(status=esc(status))
    return T.APPLY_DOCUMENT_LINE.format(label=esc(doc.label), status=extra)


def role_view(kb: KnowledgeBase, role: Role) -> View:
    """/apdung for one role: the documents then and now, the main rights, their articles as buttons."""
    answer = applicability.applicable(kb, role.id)
    lines = [T.APPLY_ROLE_HEADER.format(title=esc(role.title), description=esc(role.description)), ""]
    if answer.old:
        lines.append(T.APPLY_OLD_DOCUMENTS)
        lines += [_document_line(kb, info) for info in answer.old]
    if answer.current:
        lines.append(T.APPLY_CURRENT_DOCUMENTS)
        lines += [_document_line(kb, info) for info in answer.current]
    if role.current_note:
        lines.append(f"<i>{esc(role.current_note)}</i>")
    buttons: list[InlineKeyboardButton | None] = []
    seen: set[tuple[str, int]] = set()
    if answer.rights:
        lines += ["", T.APPLY_RIGHTS]
    for kind, text, refs in answer.rights:
        icon = T.RIGHT_ICONS.get(kind.value, "•")
        line = T.APPLY_RIGHT_LINE.format(icon=icon, kind=esc(T.RIGHT_LABELS.get(kind.value, kind.value)),
                                         text=esc(" ".join(text.split())))
        names = ", ".join(T.APPLY_REF.format(article=r.article, document=kb.label(r.document)) for r in refs)
        if names:
            line += T.APPLY_RIGHT_REFS.format(refs=esc(names))
        lines.append(line)
        for ref in refs:
            if (ref.document, ref.article) not in seen:
                seen.add((ref.document, ref.article))
                buttons.append(article_button(kb, ref, f"{icon} {ref_label(kb, ref)}"))
    if any(b is not None for b in buttons):
        lines += ["", T.APPLY_BUTTONS_HINT]
    rows = _rows(buttons, per_row=2)
    rows += _rows([_button(T.BUTTON_APPLY_OTHER, "r", "n")])
    return View("\n".join(lines), rows)


# ================================================================ sending

async def send_view(update: Update, view: View) -> None:
    """Send a view as new message(s), split within Telegram's limit; the keyboard goes on the last."""
    chat = update.effective_chat
    assert chat is not None
    parts = split_message(view.text, MESSAGE_LIMIT)
    for i, part in enumerate(parts):
        payload = send_message_payload(chat.id, part, keyboard=view.markup if i == len(parts) - 1 else None)
        await send_payload(update.get_bot(), "sendMessage", payload)


async def show_view(update: Update, view: View, *, edit: bool) -> None:
    """Replace the message a button was pressed on (navigation), or send a new one."""
    query = update.callback_query
    parts = split_message(view.text, MESSAGE_LIMIT)
    if edit and query is not None and isinstance(query.message, MaybeInaccessibleMessage) and len(parts) == 1:
        try:
            await query.edit_message_text(parts[0], reply_markup=view.markup)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return  # a double tap on the same button: nothing to change
            log.info("could not edit a questions message (%s); sending a new one", exc)
    await send_view(update, view)


# ================================================================ /hoi and free text

async def cmd_hoi(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/hoi <câu hỏi> answers at once; /hoi alone waits for the next message (kept in the draft table)."""
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    raw = message.text or ""
    question = clean_text(raw.split(maxsplit=1)[1]) if len(raw.split(maxsplit=1)) > 1 else ""
    if question:
        await answer_question(update, context, question)
        return
    if chat.type != "private":
        await chat.send_message(T.ASK_IN_GROUP)
        return
    await start_asking(update, context)


async def start_asking(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remember "the next message is a question" in the user's draft, never over a feedback draft
    (an offer, a pending reply to a committee or an earlier /hoi may be replaced: the user moved on)."""
    from bot.handlers import citizen, flow

    services = get_services(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    for _ in range(2):  # one retry: a concurrent save (another replica) changed the version under us
        draft = await flow.load_draft(services, user.id)
        if draft is not None and draft.step not in (ASK_STEP, citizen.OFFER_STEP, citizen.REPLY_STEP):
            await chat.send_message(T.ASK_BUSY)
            return
        try:
            await services.store.save_draft(user.id, ASK_STEP, {}, chat_id=chat.id,
                                            expected_version=draft.version if draft else None)
            break
        except DraftConflict:
            continue
    await chat.send_message(T.ASK_PROMPT)


async def on_free_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message outside the feedback flow: the awaited question, a question, or feedback."""
    from bot.handlers import citizen, flow

    services = get_services(context)
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    text = clean_text(message.text)
    draft = await flow.load_draft(services, user.id)
    asking = draft is not None and draft.step == ASK_STEP
    if not text:
        await flow.reply(update, T.ASK_NEEDS_TEXT if asking else TCit.ATTACHMENT_UNSUPPORTED)
        return
    if asking:
        assert draft is not None
        await services.store.delete_draft(user.id, expected_version=draft.version)
        await answer_question(update, context, text)
        return
    result = services.index.search(text[:MAX_QUESTION_CHARS], limit=SEARCH_LIMIT)
    decision = classify(text, result, place_named=services.places.mentioned_in(text) is not None)
    log.debug("free text taken as %s (q=%d r=%d: %s)", decision.intent, decision.question, decision.report,
              "; ".join(decision.reasons))
    if decision.intent is Intent.GREETING:
        await flow.reply(update, T.GREETING)
    elif decision.intent is Intent.QUESTION:
        await answer_question(update, context, text, result=result, free_text=True)
    else:
        await citizen.offer_as_feedback(update, services, user.id, text)


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str, *,
                          result: SearchResult | None = None, free_text: bool = False) -> None:
    """Search, log the question (with the best hit and whether the search was sure), answer."""
    services = get_services(context)
    user = update.effective_user
    searched = question[:MAX_QUESTION_CHARS]
    if result is None:
        result = services.index.search(searched, limit=SEARCH_LIMIT)
    best = result.best
    record = await services.store.log_question(
        question[:MAX_QUESTION_CHARS], normalize(searched),
        document=best.document if best else None, article=best.article if best else None,
        score=best.score if best else None, sure=bool(result.sure and best),
        user_id=user.id if user else None,
    )
    if result.sure and best is not None:
        view = answer_view(services.kb, result, question, record.id)
    else:
        view = not_sure_view(services.kb, result, question, feedback_hint=free_text)
    await send_view(update, view)


# ================================================================ /vanban, /apdung, /chuahoi

async def cmd_vanban(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/vanban [tên văn bản]: the documents, or straight to one ("/vanban luật 10")."""
    services = get_services(context)
    arg = " ".join(context.args or [])
    doc = services.kb.document(arg) if arg else None
    if doc is None and arg:
        result = services.index.search(arg, limit=1)
        doc = services.kb.document(result.document) if result.document else None
    await send_view(update, document_view(services.kb, doc) if doc else documents_view(services.kb))


async def cmd_apdung(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/apdung asks who you are; "/apdung tôi là công nhân" answers for that role at once."""
    kb = get_services(context).kb
    said = " ".join(context.args or [])
    role = applicability.guess_role(kb, said) if said else None
    await send_view(update, role_view(kb, role) if role is not None else roles_view(kb))


async def on_menu(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str) -> None:
    """The main menu's ask / docs / apply buttons."""
    kb = get_services(context).kb
    if action == "ask":
        await start_asking(update, context)
    elif action == "docs":
        await send_view(update, documents_view(kb))
    else:
        await send_view(update, roles_view(kb))


async def cmd_chuahoi(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins only, private chat only: the questions the bot most often could not answer."""
    services = get_services(context)
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    if chat.type != "private":
        await chat.send_message(T.PRIVATE_ONLY)
        return
    if not services.is_admin(user.id if user else None):
        await chat.send_message(T.ADMIN_ONLY)
        return
    await send_view(update, await unanswered_view(services))


async def unanswered_view(services: Services, limit: int = 20) -> View:
    rows = await services.store.unanswered_questions(limit=limit)
    if not rows:
        return View(T.UNANSWERED_EMPTY)
    kb = services.kb
    lines = [T.UNANSWERED_HEADER.format(limit=limit)]
    for n, row in enumerate(rows, start=1):
        if row.best_document and row.best_article is not None:
            best = T.UNANSWERED_BEST.format(article=row.best_article, document=esc(kb.label(row.best_document)),
                                            score=row.best_score or 0.0)
        else:
            best = T.UNANSWERED_NO_BEST
        lines.append(T.UNANSWERED_LINE.format(n=n, count=row.count, example=esc(truncate(row.example, 200)),
                                              best=best, date=fmt_time(row.last_asked_at, services.config.timezone)))
    return View("\n".join(lines))


# ================================================================ buttons

async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: cb.Callback) -> None:
    """Every "q:" button. Malformed or forged payloads get the stale-button alert and change nothing."""
    services = get_services(context)
    query = update.callback_query
    assert query is not None
    if not isinstance(query.message, MaybeInaccessibleMessage) or update.effective_chat is None:
        await query.answer(STALE_BUTTON, show_alert=True)  # e.g. a button under an inline-mode message
        return
    if data.action == "v":
        await _vote(update, context, data)
        return
    view, edit = _navigate(services.kb, data)
    if view is None:
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await show_view(update, view, edit=edit)


def _navigate(kb: KnowledgeBase, data: cb.Callback) -> tuple[View | None, bool]:
    """The view a navigation button asks for, and whether it replaces the pressed message."""
    args = list(data.args)
    new = bool(args) and args[-1] == "n"
    if new:
        args.pop()
    doc = kb.document(args[0]) if args else None
    if doc is not None and doc.id != args[0]:
        doc = None  # only our own slugs: an alias or a number in a payload did not come from us

    def number(i: int) -> int | None:
        try:
            value = int(args[i])
        except (IndexError, ValueError):
            return None
        return value if value >= 0 and str(value) == args[i] else None

    if data.action == "l" and not args:
        return documents_view(kb), not new
    if data.action == "r":
        if not args:
            return roles_view(kb), not new
        role = kb.role(args[0]) if len(args) == 1 else None
        return (role_view(kb, role), True) if role is not None else (None, False)
    if doc is None:
        return None, False
    if data.action == "a" and len(args) == 2:
        art = number(1)
        article = doc.article(art) if art is not None else None
        return (article_view(kb, doc, article), False) if article is not None else (None, False)
    if data.action == "d" and len(args) == 1:
        return document_view(kb, doc), not new
    if data.action == "c" and len(args) == 3:
        index, page = number(1), number(2)
        if index is None or page is None or index >= len(doc.chapters):
            return None, False
        chapter = doc.chapters[index]
        if page * PAGE_SIZE >= max(len(chapter.articles), 1):
            return None, False
        return chapter_view(kb, doc, index, page), not new
    if data.action == "p" and len(args) == 2:
        page = number(1)
        if page is None or page * PAGE_SIZE >= max(len(doc.articles), 1):
            return None, False
        return all_articles_view(kb, doc, page), not new
    return None, False


def _voted(context: ContextTypes.DEFAULT_TYPE) -> OrderedDict[int, bool]:
    voted = context.application.bot_data.get(_VOTED_KEY)
    if voted is None:
        voted = context.application.bot_data[_VOTED_KEY] = OrderedDict()
    return voted


async def _vote(update: Update, context: ContextTypes.DEFAULT_TYPE, data: cb.Callback) -> None:
    """Count 👍/👎 once: the button must be on the clicked message, and disappears after the vote."""
    services = get_services(context)
    query = update.callback_query
    assert query is not None and query.message is not None
    question_id = data.int_arg(0)
    helpful = {"1": True, "0": False}.get(data.arg(1) or "")
    markup = getattr(query.message, "reply_markup", None)
    buttons = [b for row in (markup.inline_keyboard if markup else ()) for b in row]
    voted = _voted(context)
    if question_id is None or helpful is None or len(data.args) != 2:
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    if question_id in voted:
        await query.answer(T.VOTE_ALREADY)
        return
    if not any(b.callback_data == query.data for b in buttons):
        await query.answer(STALE_BUTTON, show_alert=True)  # forged: not a button of this message
        return
    voted[question_id] = helpful
    while len(voted) > VOTED_MEMORY:
        voted.popitem(last=False)
    record = await services.store.vote_question(question_id, helpful)
    if record is None:
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    await query.answer(T.VOTE_THANKS_UP if helpful else T.VOTE_THANKS_DOWN)
    rows = [[b for b in row if not str(b.callback_data or "").startswith(f"{cb.QUESTION}:v:")]
            for row in (markup.inline_keyboard if markup else ())]
    rows = [row for row in rows if row]
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None)
    except BadRequest as exc:
        log.info("could not remove the vote buttons: %s", exc)


# ================================================================ inline mode

def _gist(article: Article) -> str:
    if article.summary is None:
        return T.INLINE_POINTER_DESCRIPTION
    return truncate(" ".join(article.summary.split()), INLINE_DESCRIPTION_CHARS)


def inline_results(kb: KnowledgeBase, result: SearchResult | None) -> list[InlineQueryResultArticle]:
    """Articles for a query; the four documents for an empty one (result None)."""
    out: list[InlineQueryResultArticle] = []
    if result is None:
        for doc in kb.documents:
            view = document_view(kb, doc)
            out.append(InlineQueryResultArticle(
                id=f"d:{doc.id}", title=doc.label,
                description=T.INLINE_DOC_DESCRIPTION.format(
                    status=T.STATUS_LABELS.get(doc.status.value, doc.status.value), title=doc.title),
                input_message_content=InputTextMessageContent(
                    split_message(view.text, MESSAGE_LIMIT)[0], parse_mode=ParseMode.HTML),
                reply_markup=InlineKeyboardMarkup([[full_text_button(doc)]]),
            ))
        return out
    for hit in result.hits:
        if not (result.sure or result.reference) and hit.score < INLINE_MIN_SCORE:
            continue
        doc = kb.document(hit.document)
        article = doc.article(hit.article) if doc else None
        if doc is None or article is None:
            continue
        if article.title:
            title = T.INLINE_ARTICLE_TITLE.format(article=article.number, title=article.title)
            title += T.INLINE_ARTICLE_SUFFIX.format(document=short_label(doc))
        else:
            title = T.INLINE_ARTICLE_UNTITLED.format(article=article.number, document=short_label(doc))
        text = answers.article_html(kb, doc.number, article.number)
        out.append(InlineQueryResultArticle(
            id=f"a:{doc.id}:{article.number}", title=title, description=_gist(article),
            input_message_content=InputTextMessageContent(split_message(text, MESSAGE_LIMIT)[0],
                                                          parse_mode=ParseMode.HTML),
            reply_markup=InlineKeyboardMarkup([[full_text_button(doc)]]),
        ))
    return out


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`@bot câu hỏi` in any chat: matching articles; nothing typed yet: the four documents."""
    services = get_services(context)
    query = update.inline_query
    assert query is not None
    text = clean_text(query.query)[:MAX_QUESTION_CHARS]
    result = services.index.search(text, limit=INLINE_RESULTS) if text else None
    results = inline_results(services.kb, result)
    button = None
    if not results:
        button = InlineQueryResultsButton(text=T.INLINE_NOTHING, start_parameter=T.INLINE_START_PARAMETER)
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=False, button=button)
