"""Questions in chat (issue #5 builds this out): for now free text is offered as feedback."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot import callbacks as cb
from bot.format import clean_text
from bot.services import get_services
from bot.texts import citizen as T
from bot.texts.common import STALE_BUTTON


def add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    return None


async def on_free_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot.handlers import citizen, flow

    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    text = clean_text(message.text)
    if not text:
        await flow.reply(update, T.ATTACHMENT_UNSUPPORTED)
        return
    await citizen.offer_as_feedback(update, get_services(context), user.id, text)


async def on_menu(update: Update, context: ContextTypes.DEFAULT_TYPE, action: str) -> None:
    from bot.handlers import flow

    await flow.reply(update, T.HELP)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: cb.Callback) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(STALE_BUTTON, show_alert=True)


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    assert query is not None
    await query.answer([], cache_time=0)
