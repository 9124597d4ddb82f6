"""Questions about the grassroots-democracy rules: /hoi, free text, /vanban, /apdung, /chuahoi and
the questions' buttons (browsing, votes).

The search (knowledge.search) decides what answers a question; bot.answers turns a hit into the text
a citizen reads, bot.handlers.question_views into a view with buttons. bot.intent decides *whether*
a free text is a question at all. This module keeps the "next message is a question" state of `/hoi`
(Step.ASK, so it survives a restart and works across replicas) and sends the views.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Update
from telegram.error import BadRequest

from bot.callbacks import CallbackRefused, MenuAction, QuestionAction, QuestionButton
from bot.cards import send_message_payload, send_payload
from bot.conversation import Step, load_state, replace_state
from bot.format import TELEGRAM_LIMIT, clean_text, esc, fmt_time, split_message, truncate
from bot.handlers.common import Turn, reply
from bot.handlers.offer import offer_as_feedback
from bot.handlers.question_views import (
    View,
    answer_view,
    document_view,
    documents_view,
    navigate,
    not_sure_view,
    role_view,
    roles_view,
)
from bot.intent import Intent, classify
from bot.services import HopthuContext, Services
from bot.texts import citizen as TCit
from bot.texts import questions as T
from bot.texts.common import STALE_BUTTON
from knowledge import applicability
from knowledge.normalize import normalize
from knowledge.search import SearchResult
from storage import DraftConflict

log = logging.getLogger(__name__)

SEARCH_LIMIT = 6  # hits fetched per question: the answer and the next matches
MAX_QUESTION_CHARS = 1000  # what is searched and logged of a question; the rest adds nothing
MESSAGE_LIMIT = TELEGRAM_LIMIT  # a module constant so tests can force a split
VOTED_MEMORY = 10_000  # question ids voted on recently, so a double tap counts once
_VOTED_KEY = "questions.voted"
# Steps that /hoi may replace: the user moved on from an offer, a pending reply or an earlier /hoi.
_REPLACEABLE = frozenset({Step.ASK, Step.OFFER, Step.REPLY})


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

async def cmd_hoi(update: Update, context: HopthuContext) -> None:
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


async def start_asking(update: Update, context: HopthuContext) -> None:
    """Remember "the next message is a question" in the user's state, never over the feedback flow
    (an offer, a pending reply to a committee or an earlier /hoi may be replaced: the user moved on)."""
    services = context.services
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    for _ in range(2):  # one retry: a concurrent save (another replica) changed the version under us
        state = await load_state(services, user.id)
        if state is not None and state.step not in _REPLACEABLE:
            await chat.send_message(T.ASK_BUSY)
            return
        try:
            await replace_state(services, user.id, Step.ASK, {}, state, chat_id=chat.id)
            break
        except DraftConflict:
            continue
    await chat.send_message(T.ASK_PROMPT)


async def on_free_text(turn: Turn) -> None:
    """A private message outside the feedback flow: the awaited question, a question, or feedback."""
    update, services = turn.update, turn.services
    text = turn.text
    state = turn.state
    asking = state is not None and state.step is Step.ASK
    if not text:
        await reply(update, T.ASK_NEEDS_TEXT if asking else TCit.ATTACHMENT_UNSUPPORTED)
        return
    if asking:
        assert state is not None
        await services.store.delete_draft(turn.user_id, expected_version=state.version)
        await answer_question(update, turn.context, text)
        return
    result = services.index.search(text[:MAX_QUESTION_CHARS], limit=SEARCH_LIMIT)
    decision = classify(text, result, place_named=services.places.mentioned_in(text) is not None)
    log.debug("free text taken as %s (q=%d r=%d: %s)", decision.intent, decision.question, decision.report,
              "; ".join(decision.reasons))
    if decision.intent is Intent.GREETING:
        await reply(update, T.GREETING)
    elif decision.intent is Intent.QUESTION:
        await answer_question(update, turn.context, text, result=result, free_text=True)
    else:
        await offer_as_feedback(update, services, turn.user_id, text)


async def answer_question(update: Update, context: HopthuContext, question: str, *,
                          result: SearchResult | None = None, free_text: bool = False) -> None:
    """Search, log the question (with the best hit and whether the search was sure), answer."""
    services = context.services
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

async def cmd_vanban(update: Update, context: HopthuContext) -> None:
    """/vanban [tên văn bản]: the documents, or straight to one ("/vanban luật 10")."""
    services = context.services
    arg = " ".join(context.args or [])
    doc = services.kb.document(arg) if arg else None
    if doc is None and arg:
        result = services.index.search(arg, limit=1)
        doc = services.kb.document(result.document) if result.document else None
    await send_view(update, document_view(services.kb, doc) if doc else documents_view(services.kb))


async def cmd_apdung(update: Update, context: HopthuContext) -> None:
    """/apdung asks who you are; "/apdung tôi là công nhân" answers for that role at once."""
    kb = context.services.kb
    said = " ".join(context.args or [])
    role = applicability.guess_role(kb, said) if said else None
    await send_view(update, role_view(kb, role) if role is not None else roles_view(kb))


async def on_menu(update: Update, context: HopthuContext, action: MenuAction) -> None:
    """The main menu's ask / docs / apply buttons."""
    kb = context.services.kb
    if action is MenuAction.ASK:
        await start_asking(update, context)
    elif action is MenuAction.DOCS:
        await send_view(update, documents_view(kb))
    else:
        await send_view(update, roles_view(kb))


async def cmd_chuahoi(update: Update, context: HopthuContext) -> None:
    """Admins only, private chat only: the questions the bot most often could not answer."""
    services = context.services
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

async def on_button(update: Update, context: HopthuContext, button: QuestionButton) -> None:
    """Every "q:" button. Malformed or forged payloads get the stale-button alert and change nothing."""
    services = context.services
    query = update.callback_query
    assert query is not None
    if not isinstance(query.message, MaybeInaccessibleMessage) or update.effective_chat is None:
        await query.answer(STALE_BUTTON, show_alert=True)  # e.g. a button under an inline-mode message
        return
    if button.action is QuestionAction.VOTE:
        await _vote(update, context, button)
        return
    view, edit = navigate(services.kb, button)
    if view is None:
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await show_view(update, view, edit=edit)


def _is_vote(data: object) -> bool:
    try:
        return isinstance(data, str) and QuestionButton.parse(data).action is QuestionAction.VOTE
    except CallbackRefused:
        return False


def _voted(context: HopthuContext) -> OrderedDict[int, bool]:
    voted = context.application.bot_data.get(_VOTED_KEY)
    if voted is None:
        voted = context.application.bot_data[_VOTED_KEY] = OrderedDict()
    return voted


async def _vote(update: Update, context: HopthuContext, button: QuestionButton) -> None:
    """Count 👍/👎 once: the button must be on the clicked message, and disappears after the vote."""
    services = context.services
    query = update.callback_query
    assert query is not None and query.message is not None
    question_id = button.number(0)
    helpful = {"1": True, "0": False}.get(button.args[1]) if len(button.args) == 2 else None
    markup = getattr(query.message, "reply_markup", None)
    buttons = [b for row in (markup.inline_keyboard if markup else ()) for b in row]
    voted = _voted(context)
    if question_id is None or helpful is None:
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
    rows = [[b for b in row if not _is_vote(b.callback_data)]
            for row in (markup.inline_keyboard if markup else ())]
    rows = [row for row in rows if row]
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None)
    except BadRequest as exc:
        log.info("could not remove the vote buttons: %s", exc)
