"""Citizen side in private chat: menu, /trangthai, replies and ratings, /xoadulieu, and the router of
private messages (flow step, reply to a committee, or free text)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import outbox_items
from bot.callbacks import CitizenAction, CitizenButton, DeleteButton, MenuAction, MenuButton, YesNoAnswer
from bot.cards import submission_of_message
from bot.conversation import Step, attachment_of, load_state, replace_state
from bot.detail import submission_detail
from bot.format import clean_text, esc, fmt_time
from bot.handlers import flow, questions
from bot.handlers.common import Turn, reply
from bot.outbox_items import citizen_keyboard
from bot.services import HopthuContext, Services
from bot.texts import citizen as T
from bot.texts.common import KIND_LABELS, NOT_ALLOWED, STATUS_ICONS, STATUS_LABELS
from storage import Actor, DeletionReport, Submission, find_code
from storage.statuses import FINAL_STATUSES, RATEABLE


def main_menu() -> InlineKeyboardMarkup:
    def button(label: str, action: MenuAction) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=MenuButton(action).pack())

    return InlineKeyboardMarkup([
        [button(T.MENU_SEND, MenuAction.SEND)],
        [button(T.MENU_ASK, MenuAction.ASK), button(T.MENU_STATUS, MenuAction.STATUS)],
        [button(T.MENU_DOCS, MenuAction.DOCS), button(T.MENU_APPLY, MenuAction.APPLY)],
        [button(T.MENU_HELP, MenuAction.HELP)],
    ])


async def cmd_start(update: Update, context: HopthuContext) -> None:
    """/start, and deep links: /start gopy_<unit-id> opens the flow with the place chosen (QR codes)."""
    services = context.services
    await _remember(update, services)
    payload = context.args[0] if context.args else ""
    if payload == "hoi":  # from inline mode's "ask the bot" button
        await questions.start_asking(update, context)
        return
    if payload.startswith("gopy"):
        unit_id = payload[len("gopy_"):] if payload.startswith("gopy_") else None
        if unit_id and unit_id not in services.config.units:
            await reply(update, T.DEEP_LINK_UNKNOWN_PLACE)
            unit_id = None
        await flow.start_flow(update, context, unit_id=unit_id)
        return
    await reply(update, T.WELCOME, main_menu())


async def cmd_gopy(update: Update, context: HopthuContext) -> None:
    await flow.start_flow(update, context)


async def cmd_huy(update: Update, context: HopthuContext) -> None:
    await flow.cancel_flow(update, context)


async def cmd_help(update: Update, context: HopthuContext) -> None:
    await reply(update, T.HELP, main_menu())


async def _remember(update: Update, services: Services) -> None:
    """Once per /start: the citizen row is otherwise written with the first submission."""
    user, chat = update.effective_user, update.effective_chat
    if user is not None and chat is not None:
        await services.store.upsert_citizen(user.id, chat.id)


# ---------------------------------------------------------------- /trangthai

async def cmd_status(update: Update, context: HopthuContext) -> None:
    services = context.services
    user = update.effective_user
    assert user is not None
    arg = " ".join(context.args or [])
    if arg:
        await show_submission(update, services, user.id, arg)
        return
    await list_submissions(update, services, user.id)


async def list_submissions(update: Update, services: Services, user_id: int) -> None:
    subs = await services.store.list_citizen_submissions(user_id, limit=20)
    if not subs:
        await reply(update, T.MY_SUBMISSIONS_EMPTY)
        return
    tz = services.config.timezone
    lines = [T.MY_SUBMISSIONS_HEADER]
    for sub in subs:
        lines.append(T.MY_SUBMISSION_LINE.format(
            icon=STATUS_ICONS.get(sub.status, ""), code=esc(sub.code), kind=KIND_LABELS.get(sub.kind, sub.kind),
            status=STATUS_LABELS.get(sub.status, sub.status), date=fmt_time(sub.created_at, tz),
        ))
    await reply(update, "\n".join(lines))


async def show_submission(update: Update, services: Services, user_id: int, code_text: str) -> None:
    found = find_code(code_text)
    code = found or clean_text(code_text)[:20]
    sub = await services.store.get_submission_for_owner(found, user_id) if found else None
    if sub is None:
        await reply(update, T.CODE_NOT_FOUND.format(code=esc(code)))
        return
    parts = submission_detail(services.config, sub, await services.store.list_audit(sub.id))
    for number, part in enumerate(parts, start=1):  # the buttons under the last part, after the history
        await reply(update, part, citizen_keyboard(sub) if number == len(parts) else None)


# ---------------------------------------------------------------- replies and ratings from the citizen

async def on_citizen_button(update: Update, context: HopthuContext, button: CitizenButton) -> None:
    services = context.services
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    sub = await services.store.get_submission(button.submission_id)
    if sub is None or not await services.store.is_owner(sub.id, user.id):
        await query.answer(NOT_ALLOWED, show_alert=True)
        return
    if button.action is CitizenAction.REPLY:
        if sub.status in FINAL_STATUSES:
            await query.answer(T.REPLY_CLOSED.format(code=sub.code), show_alert=True)
            return
        await query.answer()
        state = await load_state(services, user.id)
        if state is not None and state.in_flow:
            await reply(update, T.DRAFT_BUSY)
            return
        await replace_state(services, user.id, Step.REPLY, {"submission_id": sub.id}, state)
        await reply(update, T.ASK_REPLY_TEXT.format(code=esc(sub.code)))
    elif button.action is CitizenAction.RATE:
        await query.answer()
        buttons = [InlineKeyboardButton(label, callback_data=CitizenButton(CitizenAction.STARS, sub.id, n).pack())
                   for n, label in enumerate(T.RATING_LABELS, start=1)]
        await reply(update, T.ASK_RATING.format(code=esc(sub.code)), InlineKeyboardMarkup([buttons]))
    else:
        await rate(update, services, sub, button.stars)


async def rate(update: Update, services: Services, sub: Submission, stars: int) -> None:
    query = update.callback_query
    assert query is not None
    if sub.status not in RATEABLE:
        await query.answer(T.RATING_NOT_YET, show_alert=True)
        return
    committee = services.config.committees.get(sub.committee_id)
    items = []
    if committee is not None:
        card = await services.store.message_link(sub.id, committee.chat_id, "card")
        items = outbox_items.rated(sub, committee, card, stars, query.id)
    await services.store.rate(sub.id, query.from_user.id, stars, outbox=items)
    services.wake_delivery()
    await query.answer()
    await reply(update, T.RATING_SAVED.format(code=esc(sub.code), stars="⭐" * stars))


async def relay_citizen_reply(update: Update, services: Services, user_id: int, sub: Submission) -> None:
    """The citizen's answer goes to the committee's group as a reply under the card."""
    message = update.effective_message
    assert message is not None
    if sub.status in FINAL_STATUSES:
        await reply(update, T.REPLY_CLOSED.format(code=esc(sub.code)))
        return
    committee = services.config.committees.get(sub.committee_id)
    text = clean_text(message.text or message.caption)
    attachment = attachment_of(message)
    if committee is None or (not text and attachment is None):
        await reply(update, T.TEXT_EMPTY)
        return
    limit = services.config.limits.text_max_chars
    if len(text) > limit:
        await reply(update, T.TEXT_TOO_LONG.format(length=len(text), max=limit))
        return
    card = await services.store.message_link(sub.id, committee.chat_id, "card")
    items = outbox_items.citizen_reply(sub, committee, card, message.chat_id, message.message_id, text,
                                       attachment is not None)
    await services.store.add_reply(sub.id, Actor.citizen(user_id), text or "📎", items)
    services.wake_delivery()
    await reply(update, T.REPLY_SENT.format(code=esc(sub.code)))


async def on_pending_reply(turn: Turn) -> bool:
    """The message after the "reply" button: relayed to the committee. False if that submission is
    no longer the citizen's (erased meanwhile): the message is then read as any other."""
    services = turn.services
    sid = turn.flow.data.get("submission_id")
    await services.store.delete_draft(turn.user_id)
    sub = await services.store.get_submission(sid) if isinstance(sid, int) else None
    if sub is None or not await services.store.is_owner(sub.id, turn.user_id):
        return False
    await relay_citizen_reply(turn.update, services, turn.user_id, sub)
    return True


async def on_quoted_notice(turn: Turn) -> bool:
    """A reply to one of the bot's notices about a submission is a reply to its committee."""
    quoted = turn.message.reply_to_message
    if quoted is None:
        return False
    sub = await submission_of_message(turn.services.store, quoted, CitizenButton, CitizenAction.REPLY)
    if sub is None or not await turn.services.store.is_owner(sub.id, turn.user_id):
        return False
    await relay_citizen_reply(turn.update, turn.services, turn.user_id, sub)
    return True


# ---------------------------------------------------------------- /xoadulieu

async def cmd_delete_data(update: Update, context: HopthuContext) -> None:
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(T.BUTTON_DELETE_YES, callback_data=DeleteButton(YesNoAnswer.YES).pack()),
        InlineKeyboardButton(T.BUTTON_DELETE_NO, callback_data=DeleteButton(YesNoAnswer.NO).pack()),
    ]])
    await reply(update, T.DELETE_CONFIRM, keyboard)


async def on_delete_button(update: Update, context: HopthuContext, button: DeleteButton) -> None:
    services = context.services
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    await query.answer()
    if not button.yes:
        await reply(update, T.DELETE_KEPT)
        return
    report = await services.store.delete_personal_data(user.id)
    if not report.removed_anything:
        await reply(update, T.DELETE_NOTHING)
        return
    await reply(update, T.DELETE_DONE.format(removed=describe_deletion(report), remaining=report.submissions_kept))


def describe_deletion(report: DeletionReport) -> str:
    parts = []
    if report.citizen_removed:
        parts.append(T.DELETED_IDENTITY)
    if report.drafts_deleted:
        parts.append(T.DELETED_DRAFTS.format(count=report.drafts_deleted))
    if report.questions_unlinked:
        parts.append(T.DELETED_QUESTIONS.format(count=report.questions_unlinked))
    return "; ".join(parts) or T.DELETED_IDENTITY


# ---------------------------------------------------------------- menu

async def on_menu_button(update: Update, context: HopthuContext, button: MenuButton) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    await query.answer()
    if button.action is MenuAction.SEND:
        await flow.start_flow(update, context)
    elif button.action is MenuAction.STATUS:
        await list_submissions(update, context.services, user.id)
    elif button.action is MenuAction.HELP:
        await reply(update, T.HELP)
    else:
        await questions.on_menu(update, context, button.action)
