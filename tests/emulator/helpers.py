"""What several emulator test modules share: a tiny echo bot and PTB-version-proof retry_after."""

from __future__ import annotations

import datetime as dtm
import warnings
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import RetryAfter
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from tests.emulator_fixtures import make_application
from tgemulator import BotApiEmulator

GROUP_ID = -1001234567890
Ctx = ContextTypes.DEFAULT_TYPE


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after is an int today and a timedelta with PTB_TIMEDELTA=true: accept both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def echo_app(emulator: BotApiEmulator, **builder_options: Any) -> tuple[Application, list[BaseException]]:  # type: ignore[type-arg]
    """A bot with /start (HTML + inline keyboard) and an echo for plain text; errors are collected."""
    app = make_application(emulator, **builder_options)
    errors: list[BaseException] = []

    async def start(update: Update, context: Ctx) -> None:
        assert update.effective_message and update.effective_user
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Góp ý", callback_data="menu:gopy")]])
        await update.effective_message.reply_html(
            f"<b>Xin chào</b> {update.effective_user.first_name}", reply_markup=keyboard
        )

    async def echo(update: Update, context: Ctx) -> None:
        assert update.message and update.message.text
        await update.message.reply_text(update.message.text)

    async def on_error(update: object, context: Ctx) -> None:
        assert context.error is not None
        errors.append(context.error)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE, echo))
    app.add_error_handler(on_error)
    return app, errors
