"""Committee side in its group: card buttons, replies to cards, forwarding, /id.

Authorisation is checked on every callback and reply against the database, never trusted from the
payload: the chat must be the group of the committee that owns the submission (admins may act
anywhere). A forged or replayed payload gets a refusal and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import callbacks as cb
from bot.cards import (
    STATUS_ACTIONS,
    card_keyboard,
    card_text,
    copy_message_payload,
    forward_keyboard,
    related_article,
    send_message_payload,
    submission_of_message,
)
from bot.config import Committee
from bot.format import clean_text, esc
from bot.handlers.citizen import citizen_keyboard
from bot.services import Services, get_services
from bot.texts import citizen as TCit
from bot.texts import committee as T
from bot.texts.common import STALE_BUTTON, STATUS_ICONS, STATUS_LABELS
from storage import Actor, OutboxItem, Submission, TransitionRefused

log = logging.getLogger(__name__)


def acting_committee(services: Services, chat_id: int) -> Committee | None:
    return services.config.committee_by_chat(chat_id)


def may_act(services: Services, chat_id: int, user_id: int | None, sub: Submission) -> bool:
    if services.is_admin(user_id):
        return True
    committee = acting_committee(services, chat_id)
    return committee is not None and committee.id == sub.committee_id


def actor_for(services: Services, user_id: int) -> Actor:
    return Actor.admin(user_id) if services.is_admin(user_id) else Actor.official(user_id)


def render_card(services: Services, sub: Submission, attachments: int, forwarded_from: str | None = None) -> str:
    sender = None
    if not sub.anonymous and sub.contact_name:
        sender = T.SENDER_NAMED.format(name=sub.contact_name, phone=sub.contact_phone or "—")
    ref = related_article(services.config, services.kb, services.index, sub.topic_id, sub.text)
    return card_text(services.config, services.kb, sub, sender=sender, attachments=attachments, ref=ref,
                     forwarded_from=forwarded_from)


def notify_citizen(sub: Submission, text: str, key: str, *, with_buttons: bool = True,
                   link: str | None = "relay_to_citizen") -> list[OutboxItem]:
    """A message to the sender, unless they erased their personal data (then nobody can be told)."""
    if sub.citizen_chat_id is None:
        return []
    keyboard = citizen_keyboard(sub) if with_buttons else None
    return [OutboxItem(key=key, method="sendMessage", chat_id=sub.citizen_chat_id,
                       payload=send_message_payload(sub.citizen_chat_id, text, keyboard=keyboard),
                       submission_id=sub.id, link=link)]


def status_notice(sub: Submission) -> str:
    icon, label = STATUS_ICONS.get(sub.status, ""), STATUS_LABELS.get(sub.status, sub.status)
    if sub.status == "out_of_scope":
        return TCit.STATUS_CHANGED_NOTE.format(icon=icon, code=esc(sub.code), status=label,
                                               note=TCit.OUT_OF_SCOPE_GUIDANCE)
    return TCit.STATUS_CHANGED.format(icon=icon, code=esc(sub.code), status=label)


async def refresh_card(update: Update, services: Services, sub: Submission) -> None:
    """Best effort: the card in the group shows the new status (the change itself is already stored)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    attachments = len(await services.store.list_attachments(sub.id))
    try:
        await query.edit_message_text(render_card(services, sub, attachments), reply_markup=card_keyboard(sub))
    except TelegramError as exc:  # "message is not modified", or the card is too old to edit
        log.info("card %s not refreshed: %s", sub.code, exc)


async def on_committee_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: cb.Callback) -> None:
    services = get_services(context)
    query = update.callback_query
    chat = update.effective_chat
    user = update.effective_user
    assert query is not None and chat is not None and user is not None
    sid = data.int_arg(0)
    sub = await services.store.get_submission(sid) if sid is not None else None
    if sub is None:
        await query.answer(T.UNKNOWN_SUBMISSION, show_alert=True)
        return
    if not may_act(services, chat.id, user.id, sub):
        log.warning("refused %s on %s from chat %s user %s", data.action, sub.code, chat.id, user.id)
        await query.answer(T.NOT_OWNER, show_alert=True)
        return
    action = data.action
    if action in STATUS_ACTIONS:
        target = STATUS_ACTIONS[action]
        try:
            updated = await services.store.change_status(
                sub.id, target, actor_for(services, user.id),
                outbox=lambda s: notify_citizen(s, status_notice(s), f"status:{s.code}:{s.revision}"),
            )
        except TransitionRefused:
            await query.answer(T.TRANSITION_REFUSED.format(status=STATUS_LABELS.get(sub.status, sub.status)),
                               show_alert=True)
            return
        services.wake_delivery()
        await query.answer(T.ACTION_DONE.format(status=STATUS_LABELS[target]))
        await refresh_card(update, services, updated)
    elif action == "reply":
        await query.answer()
        await chat.send_message(T.REPLY_HOW.format(code=esc(sub.code)),
                                reply_parameters=_reply_to(query.message))
    elif action == "fwd":
        if sub.final:
            await query.answer(T.TRANSITION_REFUSED.format(status=STATUS_LABELS[sub.status]), show_alert=True)
            return
        await query.answer()
        try:
            await query.edit_message_reply_markup(forward_keyboard(services.config, sub))
        except TelegramError as exc:
            log.info("forward menu not shown: %s", exc)
    elif action == "back":
        await query.answer()
        await refresh_card(update, services, sub)
    elif action == "fto":
        await forward(update, services, sub, data.arg(1), user.id)
    else:
        await query.answer(STALE_BUTTON, show_alert=True)


def _reply_to(message: Any) -> Any:
    from telegram import ReplyParameters

    return ReplyParameters(message.message_id, allow_sending_without_reply=True) if message else None


async def forward(update: Update, services: Services, sub: Submission, target_id: str | None, user_id: int) -> None:
    query = update.callback_query
    assert query is not None
    config = services.config
    target = config.committees.get(target_id or "")
    if target is None:
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    if target.id == sub.committee_id:
        await query.answer(T.FORWARD_SAME, show_alert=True)
        return
    source = config.committees[sub.committee_id]
    attachments = await services.store.list_attachments(sub.id)

    def build(s: Submission) -> list[OutboxItem]:
        card_key = f"card:{s.code}:{target.id}:{s.revision}"
        items = [OutboxItem(
            key=card_key, method="sendMessage", chat_id=target.chat_id,
            payload=send_message_payload(target.chat_id, render_card(services, s, len(attachments), source.name),
                                         keyboard=card_keyboard(s)),
            submission_id=s.id, link="card",
        )]
        for index, att in enumerate(attachments, start=1):
            if att.source_chat_id is None or att.source_message_id is None:
                continue
            caption = None if att.kind == "location" else T.ATTACHMENT_CAPTION.format(
                code=esc(s.code), index=index, total=len(attachments))
            items.append(OutboxItem(
                key=f"att:{s.code}:{target.id}:{s.revision}:{index}", method="copyMessage", chat_id=target.chat_id,
                payload=copy_message_payload(target.chat_id, att.source_chat_id, att.source_message_id,
                                             caption=caption),
                submission_id=s.id, link="attachment", after=card_key,
            ))
        items += notify_citizen(s, TCit.FORWARDED_TO.format(code=esc(s.code), committee=esc(target.name)),
                                f"forwarded:{s.code}:{s.revision}")
        return items

    try:
        updated = await services.store.forward(sub.id, target.id, actor_for(services, user_id), outbox=build)
    except TransitionRefused:
        await query.answer(T.TRANSITION_REFUSED.format(status=STATUS_LABELS.get(sub.status, sub.status)),
                           show_alert=True)
        return
    services.wake_delivery()
    await query.answer(T.FORWARDED.format(code=sub.code, committee=target.name))
    try:
        text = render_card(services, updated, len(attachments)) + "\n\n" + T.FORWARDED.format(
            code=esc(sub.code), committee=esc(target.name))
        await query.edit_message_text(text[:4096], reply_markup=None)
    except TelegramError as exc:
        log.info("old card not updated: %s", exc)


async def on_group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply to a card (or to a relayed citizen message) is the committee's answer to the citizen."""
    services = get_services(context)
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    if message is None or chat is None or user is None or message.reply_to_message is None:
        return  # ordinary chatter in the group: not ours
    committee = acting_committee(services, chat.id)
    if committee is None:
        return  # unknown group: ignored on purpose (see /id)
    sub = await submission_of_message(services.store, message.reply_to_message, cb.COMMITTEE)
    if sub is None:
        return
    if not may_act(services, chat.id, user.id, sub):
        await message.reply_text(T.NOT_OWNER)
        return
    text = clean_text(message.text or message.caption)
    from bot.handlers.flow import _attachment_of

    attachment = _attachment_of(message)
    if not text and attachment is None:
        await message.reply_text(T.REPLY_EMPTY)
        return
    limit = services.config.limits.text_max_chars
    if len(text) > limit:
        await message.reply_text(T.REPLY_TOO_LONG.format(length=len(text), max=limit))
        return

    def build(s: Submission) -> list[OutboxItem]:
        items: list[OutboxItem] = []
        base = f"o2c:{s.code}:{chat.id}:{message.message_id}"
        if text:
            body = TCit.REPLY_FROM_COMMITTEE.format(committee=esc(committee.name), code=esc(s.code), text=esc(text))
            items += notify_citizen(s, body, base)
        if attachment is not None and s.citizen_chat_id is not None:
            items.append(OutboxItem(
                key=f"{base}:att", method="copyMessage", chat_id=s.citizen_chat_id,
                payload=copy_message_payload(
                    s.citizen_chat_id, chat.id, message.message_id,
                    caption=TCit.ATTACHMENT_FROM_COMMITTEE.format(committee=esc(committee.name), code=esc(s.code))),
                submission_id=s.id, link="relay_to_citizen",
            ))
        return items

    updated = await services.store.add_reply(sub.id, actor_for(services, user.id), text or "📎", build,
                                             mark_answered=True)
    services.wake_delivery()
    if updated.citizen_chat_id is None:
        await message.reply_text(T.REPLY_NO_CITIZEN.format(code=esc(sub.code)))
    else:
        await message.reply_text(T.REPLY_RELAYED.format(code=esc(sub.code)))


async def cmd_id(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/id works in any chat, known or not: it is how an admin sets up bot.yaml."""
    services = get_services(context)
    chat = update.effective_chat
    assert chat is not None
    text = T.CHAT_ID.format(chat_id=chat.id)
    committee = acting_committee(services, chat.id)
    if committee is not None:
        text += T.CHAT_ID_KNOWN.format(committee=esc(committee.name))
    await chat.send_message(text)
