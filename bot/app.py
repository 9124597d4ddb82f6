"""Builds the telegram.ext.Application: handlers, limits, delivery workers, jobs.

Layout follows python-telegram-bot's rules-bot: one module per area under bot/handlers, every handler
registered here, in order, from one table (`handlers()`). Group -1 is a guard that runs before
everything (floods, edited messages, unknown groups) and stops an update with ApplicationHandlerStop.
Button presses go through one dispatcher that parses the payload into its typed family (bot.callbacks).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import weakref
from collections.abc import Awaitable
from typing import Any
from urllib.parse import quote

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseHandler,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.callbacks import (
    CallbackRefused,
    CitizenButton,
    CommitteeButton,
    DeleteButton,
    FlowButton,
    MenuButton,
    OfferButton,
    QuestionButton,
    parse_any,
)
from bot.config import Config
from bot.delivery import OutboxWorker
from bot.handlers import citizen, committee, inline, offer, private, questions, reports
from bot.routing import PlaceFinder
from bot.services import CONTEXT_TYPES, SERVICES_KEY, HopthuContext, Services, UserRateLimiter
from bot.texts import citizen as TCit
from bot.texts import committee as TCom
from bot.texts.common import (
    ADMIN_COMMANDS,
    GROUP_COMMANDS,
    INTERNAL_ERROR,
    PRIVATE_COMMANDS,
    RATE_LIMITED,
    STALE_BUTTON,
    UNKNOWN_COMMAND,
)
from bot.transport import AiohttpRequest
from knowledge.loader import KnowledgeBase
from knowledge.search import SearchIndex
from storage import Store

log = logging.getLogger(__name__)


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Updates of different people run concurrently; one person's updates run in order.

    PTB's built-in concurrency gives no per-user order, and the feedback flow is a state machine:
    two messages of one citizen must not race on the same draft.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _order_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _order_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


def build_application(
    config: Config,
    store: Store,
    kb: KnowledgeBase,
    index: SearchIndex,
    *,
    token: str,
    base_url: str | None = None,
    base_file_url: str | None = None,
    delivery_workers: int = 1,
    max_concurrent_updates: int = 64,
    worker_options: dict[str, Any] | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
) -> Application:  # type: ignore[type-arg]
    """`request`, `get_updates_request`: the Bot API clients, AiohttpRequest unless given (tests give
    one that answers in memory)."""
    builder = (
        ApplicationBuilder()
        .token(token)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(AIORateLimiter(
            overall_max_rate=config.limits.overall_per_second, overall_time_period=1,
            group_max_rate=config.limits.group_per_minute, group_time_period=60,
            max_retries=0,  # a 429 reaches the outbox, which reschedules the row itself
        ))
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerUserUpdateProcessor(max_concurrent_updates))
        .request(request or AiohttpRequest())  # bot/transport.py says why not PTB's httpx
        .get_updates_request(get_updates_request or AiohttpRequest(pool_size=1))  # the long poll on its own
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    application = builder.build()
    services = Services(
        config=config, store=store, kb=kb, index=index, places=PlaceFinder(config),
        limiter=UserRateLimiter(config.limits.citizen_messages_per_minute),
    )
    services.workers = [OutboxWorker(store, application.bot, **(worker_options or {}))
                        for _ in range(delivery_workers)]
    application.bot_data[SERVICES_KEY] = services
    _add_handlers(application)
    reports.schedule_jobs(application, config)
    return application


def handlers() -> list[tuple[BaseHandler[Any, HopthuContext, Any], int]]:
    """Every handler of the bot with its group, in the order PTB tries them: the one table."""
    private_chat = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    message = filters.UpdateType.MESSAGE
    return [
        (TypeHandler(Update, guard), -1),
        # citizens, in private chat
        (CommandHandler("start", citizen.cmd_start, private_chat), 0),
        (CommandHandler("gopy", citizen.cmd_gopy, private_chat), 0),
        (CommandHandler("huy", citizen.cmd_huy, private_chat), 0),
        (CommandHandler("trangthai", citizen.cmd_status, private_chat), 0),
        (CommandHandler("xoadulieu", citizen.cmd_delete_data, private_chat), 0),
        (CommandHandler(["trogiup", "help"], citizen.cmd_help, private_chat), 0),
        (CommandHandler(["trogiup", "help"], group_help, groups), 0),
        (CommandHandler("id", committee.cmd_id), 0),
        # questions: in any chat (/hoi in a group answers there; /chuahoi checks itself)
        (CommandHandler("hoi", questions.cmd_hoi), 0),
        (CommandHandler("vanban", questions.cmd_vanban), 0),
        (CommandHandler("apdung", questions.cmd_apdung), 0),
        (CommandHandler("chuahoi", questions.cmd_chuahoi), 0),
        # reports: no chat filter, a non-admin in private chat must get an explanation, not "unknown command"
        (CommandHandler("thongke", reports.cmd_thongke), 0),
        (CommandHandler("quahan", reports.cmd_quahan), 0),
        (CommandHandler("baocao", reports.cmd_baocao), 0),
        (CommandHandler(["start", "gopy"], group_to_private, groups), 0),
        (CallbackQueryHandler(dispatch_callback), 0),
        (InlineQueryHandler(inline.on_inline_query), 0),
        (MessageHandler(private_chat & filters.COMMAND, unknown_command), 0),
        (MessageHandler(private_chat & ~filters.COMMAND & message, private.on_private_message), 0),
        (MessageHandler(groups & filters.REPLY & ~filters.COMMAND & message, committee.on_group_message), 0),
    ]


def _add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    for handler, group in handlers():
        app.add_handler(handler, group=group)
    app.add_error_handler(on_error)


async def guard(update: Update, context: HopthuContext) -> None:
    """Runs first for every update: refuse floods, ignore what is not ours, explain edited messages."""
    services = context.services
    chat = update.effective_chat
    user = update.effective_user
    if update.channel_post is not None or update.edited_channel_post is not None:
        raise ApplicationHandlerStop
    if user is not None and chat is not None and chat.type == "private" and not services.limiter.allow(user.id):
        if services.limiter.should_warn(user.id):
            await chat.send_message(RATE_LIMITED)
        if update.callback_query is not None:
            await update.callback_query.answer()
        raise ApplicationHandlerStop
    if update.edited_message is not None:
        if chat is not None and chat.type == "private":
            await chat.send_message(TCit.EDITED_MESSAGE_IGNORED)
        raise ApplicationHandlerStop
    if chat is not None and chat.type in ("group", "supergroup"):
        if services.config.committee_by_chat(chat.id) is None:
            message = update.effective_message
            text = message.text if message is not None else None
            if text and text.split("@")[0].split()[0] == "/id":
                return  # /id must work in an unknown group: it is how the group gets configured
            if text and text.startswith("/") and _addressed_to_us(text, context):
                await chat.send_message(TCom.GROUP_UNKNOWN)
            if update.callback_query is not None:
                if services.is_admin(user.id if user else None):
                    return  # admins may act everywhere; the committee handler still checks the submission
                await update.callback_query.answer(TCom.NOT_OWNER, show_alert=True)
            raise ApplicationHandlerStop
        return  # committee groups: officials are not rate limited


def _addressed_to_us(text: str, context: HopthuContext) -> bool:
    command = text.split()[0]
    return "@" not in command or command.split("@", 1)[1].lower() == (context.bot.username or "").lower()


# Button families and who takes them; a committee button is taken in a group only (see dispatch_callback).
BUTTONS: dict[type, Any] = {
    MenuButton: citizen.on_menu_button,
    FlowButton: private.on_flow_button,
    OfferButton: offer.on_offer_button,
    CitizenButton: citizen.on_citizen_button,
    DeleteButton: citizen.on_delete_button,
    QuestionButton: questions.on_button,
    CommitteeButton: committee.on_committee_button,
}


async def dispatch_callback(update: Update, context: HopthuContext) -> None:
    """Every button press: parse the payload into its family (refusing anything forged), then route it.

    Citizens' buttons work in private chat only; a committee's in a group only (a forged one under an
    inline-mode message has no chat at all); questions' buttons anywhere."""
    query = update.callback_query
    assert query is not None
    chat = update.effective_chat
    in_private = chat is not None and chat.type == "private"
    try:
        button = parse_any(query.data)
    except CallbackRefused:
        button = None
    if isinstance(button, CommitteeButton):
        allowed = chat is not None and not in_private
    else:
        allowed = button is not None and (in_private or isinstance(button, QuestionButton))
    if button is None or not allowed:
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    await BUTTONS[type(button)](update, context, button)


async def group_help(update: Update, context: HopthuContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(TCom.GROUP_HELP)


async def group_to_private(update: Update, context: HopthuContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(TCit.GROUP_ONLY_PRIVATE.format(link=f"https://t.me/{context.bot.username}"))


async def unknown_command(update: Update, context: HopthuContext) -> None:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(UNKNOWN_COMMAND)


async def on_error(update: object, context: HopthuContext) -> None:
    """Log with the update id (never the token), and tell the person something went wrong."""
    log.error("error while handling update %s", getattr(update, "update_id", None), exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(INTERNAL_ERROR[:190], show_alert=True)
            elif update.effective_chat.type == "private":
                await update.effective_chat.send_message(INTERNAL_ERROR)
        except TelegramError:
            pass


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    bot = application.bot
    await bot.set_my_commands([BotCommand(c, d) for c, d in PRIVATE_COMMANDS],
                              scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands([BotCommand(c, d) for c, d in GROUP_COMMANDS], scope=BotCommandScopeAllGroupChats())
    for admin in application.bot_data[SERVICES_KEY].config.admins:
        try:  # refused with "chat not found" until the admin has opened a chat with the bot
            await bot.set_my_commands([BotCommand(c, d) for c, d in ADMIN_COMMANDS], scope=BotCommandScopeChat(admin))
        except TelegramError as exc:
            log.info("admin commands not set for %s: %s", admin, exc)
    for worker in application.bot_data[SERVICES_KEY].workers:
        worker.start()


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    for worker in application.bot_data[SERVICES_KEY].workers:
        await worker.stop()


_TRACEBACKS = logging.Formatter()  # install_token_redaction formats tracebacks with it


def install_token_redaction(token: str) -> None:
    """Keep the token out of every log record, its message and its traceback: the Bot API's URLs
    contain it, and they reach logs in httpx's request lines (PTB's default client, quieted here too)
    and in some of aiohttp's errors ("Connection timeout to host http://…/bot<token>/sendMessage")."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_hopthu_redacts", None) == token:
        return

    secrets = (token, quote(token, safe=""))  # file URLs carry it URL-encoded

    def redact(text: str) -> str:
        for secret in secrets:
            text = text.replace(secret, "<token>")
        return text

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        texts = [str(record.msg), *(str(a) for a in (record.args or ()))]
        if any(secret in text for secret in secrets for text in texts):
            record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and record.exc_info[1] is not None:
            # Formatters use exc_text when it is set: format the traceback now, without the token.
            record.exc_text = redact(_TRACEBACKS.formatException(record.exc_info))
        return record

    factory._hopthu_redacts = token  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


POLL_INTERVAL = 0.01
"""Seconds between two getUpdates calls. Telegram answers a long poll the moment one update is there, so with
no pause a busy bot fetches its updates one or two at a time, and each fetch is a request costing about as
much CPU as a reply (benchmarks/e2e.py shows the difference). 10 ms lets a burst gather into one fetch; a
citizen waits at most that much longer. Webhooks have no polling."""


async def start_bot(application: Application, *, webhook: dict[str, Any] | None = None,  # type: ignore[type-arg]
                    poll_interval: float = POLL_INTERVAL, poll_timeout: int = 10) -> None:
    """Initialise, run post_init (commands, delivery workers) and start receiving updates.

    `Application.run_polling` does the same but owns the event loop; tests, the demo and the CLI
    need to start the bot inside a loop they already run.
    """
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    if webhook is not None:
        await application.updater.start_webhook(**webhook)
    else:
        await application.updater.start_polling(
            poll_interval=poll_interval, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES,
        )


def settle_heap() -> None:
    """Move everything built at start-up out of the garbage collector's sight.

    Imports, the knowledge base and its search index are some 150,000 objects that live as long as
    the process. A full collection walks all of them with the event loop stopped, so a citizen's reply
    would be late by that long every few seconds under load. Frozen,
    only what was created since is walked. Call once, after start-up; a test process that starts many
    bots should not call it (what it freezes is never freed).
    """
    gc.collect()
    gc.freeze()


async def stop_bot(application: Application) -> None:  # type: ignore[type-arg]
    """The reverse of start_bot; safe to call after a partial start."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
    await application.shutdown()
