"""What the questions area shows, as pure views (HTML text and inline keyboard): an answer, an honest
"not sure", an article, the documents, a document's chapters, pages of articles, /apdung's roles; and
`navigate`, the view a browsing button asks for. Nothing is sent or stored here.

Browsing buttons carry `QuestionButton`s (bot.callbacks), far under 64 bytes: doc ids are short slugs
like pl-34-2007. A button under an article sends a new message (`new`); otherwise a list replaces the
message it was pressed on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import answers
from bot.callbacks import QuestionAction, QuestionButton
from bot.format import esc, truncate
from bot.texts import questions as T
from knowledge import applicability
from knowledge.model import Article, ArticleRef, Chapter, Document, KnowledgeBase, Role, Status, Verified
from knowledge.search import Hit, SearchResult

log = logging.getLogger(__name__)

PAGE_SIZE = 10  # articles per page when browsing (the Law's Chapter II has 35)
NEXT_MATCHES = 4  # buttons for the next best articles under an answer
CLOSEST = 5  # buttons under a "not sure" answer
ECHO_CHARS = 300  # how much of the question is quoted back
BUTTON_CHARS = 60  # longer button labels are cut (clients cut them anyway, less predictably)
_DATE = "%d/%m/%Y"  # dates of documents, as Vietnamese write them


@dataclass
class View:
    """A message to show: HTML text (may exceed one message: it is split) and an optional keyboard."""

    text: str
    rows: list[list[InlineKeyboardButton]] = field(default_factory=list)

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        return InlineKeyboardMarkup(self.rows) if self.rows else None


def _button(label: str, action: QuestionAction, *args: object, new: bool = False,
            width: int = BUTTON_CHARS) -> InlineKeyboardButton | None:
    """A callback button, or None if the payload would not fit (never a broken keyboard)."""
    try:
        data = QuestionButton(action, tuple(str(a) for a in args), new).pack()
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
    return _button(label or ref_label(kb, ref, titled=True), QuestionAction.ARTICLE, doc.id, ref.article)


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
        rows += _rows([_button(T.BUTTON_VOTE_UP, QuestionAction.VOTE, question_id, 1),
                       _button(T.BUTTON_VOTE_DOWN, QuestionAction.VOTE, question_id, 0)], per_row=2)
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
        label = T.BUTTON_DOCUMENT.format(document=short_label(named))
        buttons.append(_button(label, QuestionAction.DOCUMENT, named.id, new=True))
    return View("\n\n".join(parts), _rows(buttons))


def article_view(kb: KnowledgeBase, doc: Document, article: Article) -> View:
    """One article opened from a button: the same text as an answer, plus its place in the document."""
    rows: list[list[InlineKeyboardButton]] = [[full_text_button(doc)]]
    rows += _rows(_current_buttons(kb, doc, article))
    chapter = doc.chapters[article.chapter_index]
    position = [a.number for a in chapter.articles].index(article.number)
    rows += _rows([
        _button(T.BUTTON_BACK_CHAPTER.format(chapter=chapter_label(chapter)), QuestionAction.CHAPTER, doc.id,
                article.chapter_index, position // PAGE_SIZE, new=True),
        _button(T.BUTTON_DOCUMENT.format(document=short_label(doc)), QuestionAction.DOCUMENT, doc.id, new=True),
    ], per_row=2)
    return View(answers.article_html(kb, doc.number, article.number), rows)


def documents_view(kb: KnowledgeBase) -> View:
    lines = [T.DOCS_HEADER, ""]
    for doc in kb.documents:
        lines.append(T.DOC_LINE.format(icon=T.STATUS_ICONS.get(doc.status.value, ""), label=esc(doc.label),
                                       title=esc(doc.title)))
    buttons = [_button(f"{T.STATUS_ICONS.get(d.status.value, '')} {short_label(d)}", QuestionAction.DOCUMENT, d.id)
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
        buttons.append(_button(label, QuestionAction.CHAPTER, doc.id, index, 0))
    rows = _rows(buttons)
    rows.append([b for b in (_button(T.BUTTON_ALL_ARTICLES, QuestionAction.PAGES, doc.id, 0),
                             _button(T.BUTTON_BACK_DOCS, QuestionAction.DOCUMENTS)) if b is not None])
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
        out.append(_button(label, QuestionAction.ARTICLE, doc.id, art.number))
    return out


def _pager(page: int, pages: int, action: QuestionAction, *args: object) -> list[InlineKeyboardButton]:
    nav = []
    if page > 0:
        nav.append(_button(T.BUTTON_PREV, action, *args, page - 1))
    if page < pages - 1:
        nav.append(_button(T.BUTTON_NEXT, action, *args, page + 1))
    return [b for b in nav if b is not None]


def _back_row(doc: Document) -> list[InlineKeyboardButton]:
    """Back to the document's chapters, and to the list of documents."""
    back = (_button(T.BUTTON_BACK_CHAPTERS, QuestionAction.DOCUMENT, doc.id),
            _button(T.BUTTON_BACK_DOCS, QuestionAction.DOCUMENTS))
    return [b for b in back if b is not None]


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
    nav = _pager(page, pages, QuestionAction.CHAPTER, doc.id, index)
    if nav:
        rows.append(nav)
    rows.append(_back_row(doc))
    return View(text, rows)


def all_articles_view(kb: KnowledgeBase, doc: Document, page: int) -> View:
    """Every article of a document in order (the Law: 91 articles, 10 pages)."""
    shown, page, pages = _page(doc.articles, page)
    text = T.ALL_ARTICLES_HEADER.format(document=esc(doc.label)) + "\n"
    text += T.PAGE_INFO.format(page=page + 1, pages=pages) if pages > 1 else T.PICK_ARTICLE
    rows = _rows(_article_buttons(doc, shown))
    nav = _pager(page, pages, QuestionAction.PAGES, doc.id)
    if nav:
        rows.append(nav)
    rows.append(_back_row(doc))
    return View(text, rows)


def roles_view(kb: KnowledgeBase) -> View:
    """/apdung, first step: "who are you?" with one button per role."""
    roles = applicability.roles(kb)
    if not roles:
        return View(T.APPLY_NO_ROLES)
    return View(T.APPLY_ASK, _rows([_button(role.title, QuestionAction.ROLES, role.id, width=100) for role in roles]))


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
    rows += _rows([_button(T.BUTTON_APPLY_OTHER, QuestionAction.ROLES, new=True)])
    return View("\n".join(lines), rows)


def navigate(kb: KnowledgeBase, button: QuestionButton) -> tuple[View | None, bool]:
    """The view a navigation button asks for, and whether it replaces the pressed message; None for
    anything the knowledge base does not hold (a forged document, article, chapter or page)."""
    args, action, new = button.args, button.action, button.new
    doc = kb.document(args[0]) if args else None
    if doc is not None and doc.id != args[0]:
        doc = None  # only our own slugs: an alias or a number in a payload did not come from us
    if action is QuestionAction.DOCUMENTS and not args:
        return documents_view(kb), not new
    if action is QuestionAction.ROLES:
        if not args:
            return roles_view(kb), not new
        role = kb.role(args[0]) if len(args) == 1 else None
        return (role_view(kb, role), True) if role is not None else (None, False)
    if doc is None:
        return None, False
    if action is QuestionAction.ARTICLE and len(args) == 2:
        art = button.number(1)
        article = doc.article(art) if art is not None else None
        return (article_view(kb, doc, article), False) if article is not None else (None, False)
    if action is QuestionAction.DOCUMENT and len(args) == 1:
        return document_view(kb, doc), not new
    if action is QuestionAction.CHAPTER and len(args) == 3:
        index, page = button.number(1), button.number(2)
        if index is None or page is None or index >= len(doc.chapters):
            return None, False
        chapter = doc.chapters[index]
        if page * PAGE_SIZE >= max(len(chapter.articles), 1):
            return None, False
        return chapter_view(kb, doc, index, page), not new
    if action is QuestionAction.PAGES and len(args) == 2:
        page = button.number(1)
        if page is None or page * PAGE_SIZE >= max(len(doc.articles), 1):
            return None, False
        return all_articles_view(kb, doc, page), not new
    return None, False
