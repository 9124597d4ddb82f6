"""Inline mode: `@bot câu hỏi` in any chat lists matching articles; nothing typed yet, the documents."""

from __future__ import annotations

from telegram import (
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode

from bot import answers
from bot.format import TELEGRAM_LIMIT, clean_text, split_message, truncate
from bot.handlers.question_views import document_view, full_text_button, short_label
from bot.handlers.questions import MAX_QUESTION_CHARS
from bot.services import HopthuContext
from bot.texts import questions as T
from knowledge.model import Article, KnowledgeBase
from knowledge.search import SearchResult

INLINE_RESULTS = 10
INLINE_CACHE_SECONDS = 5  # small: the knowledge base is updated by deploying, answers must follow soon
INLINE_DESCRIPTION_CHARS = 120
INLINE_MIN_SCORE = 10.0  # below this a hit shares only a stray word with the query: not worth listing


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
                    split_message(view.text, TELEGRAM_LIMIT)[0], parse_mode=ParseMode.HTML),
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
            input_message_content=InputTextMessageContent(split_message(text, TELEGRAM_LIMIT)[0],
                                                          parse_mode=ParseMode.HTML),
            reply_markup=InlineKeyboardMarkup([[full_text_button(doc)]]),
        ))
    return out


async def on_inline_query(update: Update, context: HopthuContext) -> None:
    """`@bot câu hỏi` in any chat: matching articles; nothing typed yet: the four documents."""
    services = context.services
    query = update.inline_query
    assert query is not None
    text = clean_text(query.query)[:MAX_QUESTION_CHARS]
    result = services.index.search(text, limit=INLINE_RESULTS) if text else None
    results = inline_results(services.kb, result)
    button = None
    if not results:
        button = InlineQueryResultsButton(text=T.INLINE_NOTHING, start_parameter=T.INLINE_START_PARAMETER)
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=False, button=button)
