"""Citizen side in private chat: menu, /trangthai, replies and ratings, /xoadulieu, and the router of
private messages (flow step, reply to a committee, or free text)."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot import callbacks as cb
from bot.cards import send_message_payload, submission_of_message
from bot.format import clean_text, esc, fmt_time
from bot.handlers import flow
from bot.services import Services, get_services
from bot.texts import citizen as T
from bot.texts import committee as TC
from bot.texts.common import KIND_LABELS, NOT_ALLOWED, STALE_BUTTON, STATUS_ICONS, STATUS_LABELS
from storage import Actor, DeletionReport, OutboxItem, find_code

REPLY_STEP = "reply"
OFFER_STEP = "offer"


def main_menu() -> InlineKeyboardMarkup:
    def button(label: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=cb.make(cb.MENU, action))

    return InlineKeyboardMarkup([
        [button(T.MENU_SEND, "send")],
        [button(T.MENU_ASK, "ask"), button(T.MENU_STATUS, "status")],
        [button(T.MENU_DOCS, "docs"), button(T.MENU_APPLY, "apply")],
        [button(T.MENU_HELP, "help")],
    ])


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start, and deep links: /start gopy_<unit-id> opens the flow with the place chosen (QR codes)."""
    services = get_services(context)
    await _remember(update, services)
    payload = context.args[0] if context.args else ""
    if payload == "hoi":  # from inline mode's "ask the bot" button
        from bot.handlers import questions

        await questions.start_asking(update, context)
        return
    if payload.startswith("gopy"):
        unit_id = payload[len("gopy_"):] if payload.startswith("gopy_") else None
        if unit_id and unit_id not in services.config.units:
            await flow.reply(update, T.DEEP_LINK_UNKNOWN_PLACE)
            unit_id = None
        await flow.start_flow(update, context, unit_id=unit_id)
        return
    await flow.reply(update, T.WELCOME, main_menu())


async def cmd_gopy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await flow.start_flow(update, context)


async def cmd_huy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await flow.cancel_flow(update, context)


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await flow.reply(update, T.HELP, main_menu())


async def _remember(update: Update, services: Services) -> None:
    """Once per /start: the citizen row is otherwise written with the first submission."""
    user, chat = update.effective_user, update.effective_chat
    if user is not None and chat is not None:
        await services.store.upsert_citizen(user.id, chat.id)


# ---------------------------------------------------------------- /trangthai

async def cmd_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = get_services(context)
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
        await flow.reply(update, T.MY_SUBMISSIONS_EMPTY)
        return
    tz = services.config.timezone
    lines = [T.MY_SUBMISSIONS_HEADER]
    for sub in subs:
        lines.append(T.MY_SUBMISSION_LINE.format(
            icon=STATUS_ICONS.get(sub.status, ""), code=esc(sub.code), kind=KIND_LABELS.get(sub.kind, sub.kind),
            status=STATUS_LABELS.get(sub.status, sub.status), date=fmt_time(sub.created_at, tz),
        ))
    await flow.reply(update, "\n".join(lines))


async def show_submission(update: Update, services: Services, user_id: int, code_text: str) -> None:
    found = find_code(code_text)
    code = found or clean_text(code_text)[:20]
    sub = await services.store.get_submission_for_owner(found, user_id) if found else None
    if sub is None:
        await flow.reply(update, T.CODE_NOT_FOUND.format(code=esc(code)))
        return
    config = services.config
    tz = config.timezone
    committee = config.committees.get(sub.committee_id)
    topic = config.topics.get(sub.topic_id)
    text = T.SUBMISSION_DETAIL.format(
        code=esc(sub.code), kind=KIND_LABELS.get(sub.kind, sub.kind),
        place=esc(config.unit_label(sub.unit_id) if sub.unit_id in config.units else sub.unit_id),
        topic=esc(topic.name if topic else sub.topic_id),
        committee=esc(committee.name if committee else sub.committee_id),
        icon=STATUS_ICONS.get(sub.status, ""), status=STATUS_LABELS.get(sub.status, sub.status),
        date=fmt_time(sub.created_at, tz), text=esc(sub.text),
    )
    history = await services.store.list_audit(sub.id)
    changes = [e for e in history if e.to_status]
    if changes:
        text += T.DETAIL_HISTORY
        for event in changes:
            text += "\n" + T.DETAIL_HISTORY_LINE.format(
                date=fmt_time(event.at, tz), what=STATUS_LABELS.get(event.to_status, event.to_status))
    await flow.reply(update, text[:4096], citizen_keyboard(sub))


def citizen_keyboard(sub: Any) -> InlineKeyboardMarkup | None:
    """Buttons under a notification: answer the committee, and rate once it has answered."""
    rows = []
    if sub.status not in ("resolved", "out_of_scope"):
        rows.append([InlineKeyboardButton(T.BUTTON_REPLY, callback_data=cb.make(cb.CITIZEN, "reply", sub.id))])
    if sub.status in ("answered", "resolved"):
        rows.append([InlineKeyboardButton(T.BUTTON_RATE, callback_data=cb.make(cb.CITIZEN, "rate", sub.id))])
    return InlineKeyboardMarkup(rows) if rows else None


# ---------------------------------------------------------------- replies and ratings from the citizen

async def on_citizen_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: cb.Callback) -> None:
    services = get_services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    sid = data.int_arg(0)
    sub = await services.store.get_submission(sid) if sid is not None else None
    if sub is None or not await services.store.is_owner(sub.id, user.id):
        await query.answer(NOT_ALLOWED, show_alert=True)
        return
    if data.action == "reply":
        if sub.status in ("resolved", "out_of_scope"):
            await query.answer(T.REPLY_CLOSED.format(code=sub.code), show_alert=True)
            return
        await query.answer()
        draft = await flow.load_draft(services, user.id)
        if draft is not None and draft.step in flow.FLOW_STEPS:
            await flow.reply(update, T.DRAFT_BUSY)
            return
        await services.store.save_draft(user.id, REPLY_STEP, {"submission_id": sub.id},
                                        expected_version=draft.version if draft else None)
        await flow.reply(update, T.ASK_REPLY_TEXT.format(code=esc(sub.code)))
    elif data.action == "rate":
        await query.answer()
        buttons = [InlineKeyboardButton(label, callback_data=cb.make(cb.CITIZEN, "stars", sub.id, n))
                   for n, label in enumerate(T.RATING_LABELS, start=1)]
        await flow.reply(update, T.ASK_RATING.format(code=esc(sub.code)), InlineKeyboardMarkup([buttons]))
    elif data.action == "stars":
        stars = data.int_arg(1)
        if stars is None or not 1 <= stars <= 5:
            await query.answer(STALE_BUTTON, show_alert=True)
            return
        if sub.status not in ("answered", "resolved"):
            await query.answer(T.RATING_NOT_YET, show_alert=True)
            return
        committee = services.config.committees.get(sub.committee_id)
        items = []
        if committee is not None:
            card = await services.store.message_link(sub.id, committee.chat_id, "card")
            items.append(OutboxItem(
                key=f"rated:{sub.code}:{stars}:{query.id}", method="sendMessage", chat_id=committee.chat_id,
                payload=send_message_payload(committee.chat_id, TC.RATED.format(code=esc(sub.code), stars=stars),
                                             reply_to=card),
                submission_id=sub.id, link=None,
            ))
        await services.store.rate(sub.id, user.id, stars, outbox=items)
        services.wake_delivery()
        await query.answer()
        await flow.reply(update, T.RATING_SAVED.format(code=esc(sub.code), stars="⭐" * stars))
    else:
        await query.answer(STALE_BUTTON, show_alert=True)


async def relay_citizen_reply(update: Update, services: Services, user_id: int, sub: Any) -> None:
    """The citizen's answer goes to the committee's group as a reply under the card."""
    message = update.effective_message
    assert message is not None
    if sub.status in ("resolved", "out_of_scope"):
        await flow.reply(update, T.REPLY_CLOSED.format(code=esc(sub.code)))
        return
    committee = services.config.committees.get(sub.committee_id)
    text = clean_text(message.text or message.caption)
    attachment = flow._attachment_of(message)
    if committee is None or (not text and attachment is None):
        await flow.reply(update, T.TEXT_EMPTY)
        return
    limit = services.config.limits.text_max_chars
    if len(text) > limit:
        await flow.reply(update, T.TEXT_TOO_LONG.format(length=len(text), max=limit))
        return
    card = await services.store.message_link(sub.id, committee.chat_id, "card")
    items = []
    if text:
        items.append(OutboxItem(
            key=f"c2o:{sub.code}:{message.chat_id}:{message.message_id}", method="sendMessage",
            chat_id=committee.chat_id,
            payload=send_message_payload(committee.chat_id, TC.CITIZEN_REPLY.format(code=esc(sub.code),
                                                                                      text=esc(text)),
                                         reply_to=card),
            submission_id=sub.id, link="relay_to_committee",
        ))
    if attachment is not None:
        from bot.cards import copy_message_payload

        items.append(OutboxItem(
            key=f"c2o-att:{sub.code}:{message.chat_id}:{message.message_id}", method="copyMessage",
            chat_id=committee.chat_id,
            payload=copy_message_payload(committee.chat_id, message.chat_id, message.message_id,
                                         caption=TC.CITIZEN_ATTACHMENT.format(code=esc(sub.code)),
                                         reply_to=card),
            submission_id=sub.id, link="relay_to_committee",
        ))
    await services.store.add_reply(sub.id, Actor.citizen(user_id), text or "📎", items)
    services.wake_delivery()
    await flow.reply(update, T.REPLY_SENT.format(code=esc(sub.code)))


# ---------------------------------------------------------------- /xoadulieu

async def cmd_delete_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(T.BUTTON_DELETE_YES, callback_data=cb.make(cb.DELETE, "yes")),
        InlineKeyboardButton(T.BUTTON_DELETE_NO, callback_data=cb.make(cb.DELETE, "no")),
    ]])
    await flow.reply(update, T.DELETE_CONFIRM, keyboard)


async def on_delete_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: cb.Callback) -> None:
    services = get_services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    await query.answer()
    if data.action != "yes":
        await flow.reply(update, T.DELETE_KEPT)
        return
    report = await services.store.delete_personal_data(user.id)
    if not report.removed_anything:
        await flow.reply(update, T.DELETE_NOTHING)
        return
    await flow.reply(update, T.DELETE_DONE.format(removed=describe_deletion(report), remaining=report.submissions_kept))


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

async def on_menu_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: cb.Callback) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    services = get_services(context)
    user = update.effective_user
    assert user is not None
    if data.action == "send":
        await flow.start_flow(update, context)
    elif data.action == "status":
        await list_submissions(update, services, user.id)
    elif data.action == "help":
        await flow.reply(update, T.HELP)
    elif data.action in ("ask", "docs", "apply"):
        from bot.handlers import questions

        await questions.on_menu(update, context, data.action)
    else:
        await flow.reply(update, STALE_BUTTON)


async def on_offer_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: cb.Callback) -> None:
    """Free text offered as feedback: "yes" starts the flow with the text already filled in."""
    services = get_services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    await query.answer()
    draft = await flow.load_draft(services, user.id)
    if draft is None or draft.step != OFFER_STEP:
        await flow.reply(update, STALE_BUTTON)
        return
    if data.action != "yes":
        await services.store.delete_draft(user.id)
        await flow.reply(update, T.OFFER_DECLINED)
        return
    await services.store.delete_draft(user.id)
    await flow.start_flow(update, context, text=draft.data.get("text", ""))


async def offer_as_feedback(update: Update, services: Services, user_id: int, text: str) -> None:
    """Keep the text in a draft (not in a button: 64 bytes) and ask whether to send it."""
    draft = await flow.load_draft(services, user_id)
    await services.store.save_draft(user_id, OFFER_STEP, {"text": text[: services.config.limits.text_max_chars]},
                                    expected_version=draft.version if draft else None)
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(T.BUTTON_OFFER_SEND, callback_data=cb.make(cb.OFFER, "yes")),
        InlineKeyboardButton(T.BUTTON_OFFER_NO, callback_data=cb.make(cb.OFFER, "no")),
    ]])
    await flow.reply(update, T.FREE_TEXT_OFFER, keyboard)


# ---------------------------------------------------------------- private message router

async def on_private_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = get_services(context)
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    draft = await flow.load_draft(services, user.id)
    if draft is not None and draft.step in flow.FLOW_STEPS:
        await flow.on_flow_message(update, context, draft)
        return
    if draft is not None and draft.step == REPLY_STEP:
        sid = draft.data.get("submission_id")
        await services.store.delete_draft(user.id)
        sub = await services.store.get_submission(sid) if isinstance(sid, int) else None
        if sub is not None and await services.store.is_owner(sub.id, user.id):
            await relay_citizen_reply(update, services, user.id, sub)
            return
    if message.reply_to_message is not None:
        sub = await submission_of_message(services.store, message.reply_to_message, cb.CITIZEN, "reply")
        if sub is not None and await services.store.is_owner(sub.id, user.id):
            await relay_citizen_reply(update, services, user.id, sub)
            return
    from bot.handlers import questions

    await questions.on_free_text(update, context)
