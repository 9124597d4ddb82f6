"""Committee side in its group: card buttons, replies to cards, forwarding, /id.

Authorisation is checked on every callback and reply against the database, never trusted from the
payload: the chat must be the group of the committee that owns the submission (admins may act
anywhere). A forged or replayed payload gets a refusal and changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import ReplyParameters, Update
from telegram.error import TelegramError

from bot import outbox_items
from bot.callbacks import STATUS_ACTIONS, CommitteeAction, CommitteeButton
from bot.cards import (
    CARD_NOTE_SEPARATOR,
    card_keyboard,
    card_parts,
    forward_keyboard,
    related_article,
    submission_of_message,
)
from bot.config import Committee
from bot.conversation import attachment_of
from bot.format import clean_text, esc
from bot.services import HopthuContext, Services
from bot.texts import committee as T
from bot.texts.common import STALE_BUTTON, STATUS_LABELS
from storage import Actor, Submission, TransitionRefused

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


def render_card(services: Services, sub: Submission, attachments: int,
                forwarded_from: str | None = None) -> list[str]:
    """The card's messages (bot.cards.card_parts): the first carries the buttons and is the one edited."""
    sender = None
    if not sub.anonymous and sub.contact_name:
        sender = T.SENDER_NAMED.format(name=sub.contact_name, phone=sub.contact_phone or "—")
    ref = related_article(services.config, services.kb, services.index, sub.topic_id, sub.text)
    return card_parts(services.config, services.kb, sub, sender=sender, attachments=attachments, ref=ref,
                     forwarded_from=forwarded_from)


async def refresh_card(update: Update, services: Services, sub: Submission) -> None:
    """Best effort: the card in the group shows the new status (the change itself is already stored)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    attachments = len(await services.store.list_attachments(sub.id))
    try:
        await query.edit_message_text(render_card(services, sub, attachments)[0], reply_markup=card_keyboard(sub))
    except TelegramError as exc:  # "message is not modified", or the card is too old to edit
        log.info("card %s not refreshed: %s", sub.code, exc)


async def on_committee_button(update: Update, context: HopthuContext, button: CommitteeButton) -> None:
    services = context.services
    query = update.callback_query
    chat = update.effective_chat
    user = update.effective_user
    assert query is not None and chat is not None and user is not None
    sub = await services.store.get_submission(button.submission_id)
    if sub is None:
        await query.answer(T.UNKNOWN_SUBMISSION, show_alert=True)
        return
    if not may_act(services, chat.id, user.id, sub):
        log.warning("refused %s on %s from chat %s user %s", button.action, sub.code, chat.id, user.id)
        await query.answer(T.NOT_OWNER, show_alert=True)
        return
    action = button.action
    if action in STATUS_ACTIONS:
        target = STATUS_ACTIONS[action]
        try:
            updated = await services.store.change_status(
                sub.id, target, actor_for(services, user.id),
                outbox=outbox_items.status_changed,
            )
        except TransitionRefused:
            await query.answer(T.TRANSITION_REFUSED.format(status=STATUS_LABELS.get(sub.status, sub.status)),
                               show_alert=True)
            return
        services.wake_delivery()
        await query.answer(T.ACTION_DONE.format(status=STATUS_LABELS[target]))
        await refresh_card(update, services, updated)
    elif action is CommitteeAction.REPLY:
        await query.answer()
        await chat.send_message(T.REPLY_HOW.format(code=esc(sub.code)),
                                reply_parameters=_reply_to(query.message))
    elif action is CommitteeAction.FORWARD_MENU:
        if sub.final:
            await query.answer(T.TRANSITION_REFUSED.format(status=STATUS_LABELS[sub.status]), show_alert=True)
            return
        await query.answer()
        try:
            await query.edit_message_reply_markup(forward_keyboard(services.config, sub))
        except TelegramError as exc:
            log.info("forward menu not shown: %s", exc)
    elif action is CommitteeAction.BACK:
        await query.answer()
        await refresh_card(update, services, sub)
    else:
        await forward(update, services, sub, button.target, user.id)


def _reply_to(message: Any) -> ReplyParameters | None:
    return ReplyParameters(message.message_id, allow_sending_without_reply=True) if message else None


async def forward(update: Update, services: Services, sub: Submission, target_id: str, user_id: int) -> None:
    query = update.callback_query
    assert query is not None
    config = services.config
    target = config.committees.get(target_id)
    if target is None:
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    if target.id == sub.committee_id:
        await query.answer(T.FORWARD_SAME, show_alert=True)
        return
    source = config.committees[sub.committee_id]
    attachments = await services.store.list_attachments(sub.id)

    copies = [outbox_items.Copy(a.kind, a.source_chat_id, a.source_message_id) for a in attachments]

    try:
        updated = await services.store.forward(
            sub.id, target.id, actor_for(services, user_id),
            outbox=lambda s: outbox_items.forwarded_submission(
                s, target, render_card(services, s, len(attachments), source.name), copies))
    except TransitionRefused:
        await query.answer(T.TRANSITION_REFUSED.format(status=STATUS_LABELS.get(sub.status, sub.status)),
                           show_alert=True)
        return
    services.wake_delivery()
    await query.answer(T.FORWARDED.format(code=sub.code, committee=target.name))
    try:
        text = render_card(services, updated, len(attachments))[0] + CARD_NOTE_SEPARATOR + T.FORWARDED.format(
            code=esc(sub.code), committee=esc(target.name))
        await query.edit_message_text(text, reply_markup=None)
    except TelegramError as exc:
        log.info("old card not updated: %s", exc)


async def on_group_message(update: Update, context: HopthuContext) -> None:
    """A reply to a card (or to a relayed citizen message) is the committee's answer to the citizen."""
    services = context.services
    message = update.effective_message
    chat = update.effective_chat
    user = update.effective_user
    if message is None or chat is None or user is None or message.reply_to_message is None:
        return  # ordinary chatter in the group: not ours
    committee = acting_committee(services, chat.id)
    if committee is None:
        return  # unknown group: ignored on purpose (see /id)
    sub = await submission_of_message(services.store, message.reply_to_message, CommitteeButton)
    if sub is None:
        return
    if not may_act(services, chat.id, user.id, sub):
        await message.reply_text(T.NOT_OWNER)
        return
    text = clean_text(message.text or message.caption)
    attachment = attachment_of(message)
    if not text and attachment is None:
        await message.reply_text(T.REPLY_EMPTY)
        return
    limit = services.config.limits.text_max_chars
    if len(text) > limit:
        await message.reply_text(T.REPLY_TOO_LONG.format(length=len(text), max=limit))
        return

    updated = await services.store.add_reply(
        sub.id, actor_for(services, user.id), text or "📎",
        lambda s: outbox_items.committee_reply(s, committee, chat.id, message.message_id, text, attachment is not None),
        mark_answered=True)
    services.wake_delivery()
    if updated.citizen_chat_id is None:
        await message.reply_text(T.REPLY_NO_CITIZEN.format(code=esc(sub.code)))
    else:
        await message.reply_text(T.REPLY_RELAYED.format(code=esc(sub.code)))


async def cmd_id(update: Update, context: HopthuContext) -> None:
    """/id works in any chat, known or not: it is how an admin sets up bot.yaml."""
    services = context.services
    chat = update.effective_chat
    assert chat is not None
    text = T.CHAT_ID.format(chat_id=chat.id)
    committee = acting_committee(services, chat.id)
    if committee is not None:
        text += T.CHAT_ID_KNOWN.format(committee=esc(committee.name))
    await chat.send_message(text)
