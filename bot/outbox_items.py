"""Every outbox item the handlers enqueue, with its idempotency key, built in one place.

An item is written in the same transaction as the change that causes it and delivered later, maybe
by another replica (bot.delivery). Its key makes a retried update enqueue it once: the key names what
the message is about (the submission's code, its revision, the Telegram message that caused it), so
two different messages never share one and the same message always gets the same one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import CitizenAction, CitizenButton
from bot.cards import card_keyboard, copy_message_payload, send_message_payload
from bot.config import Committee
from bot.format import esc
from bot.texts import citizen as TCit
from bot.texts import committee as TCom
from bot.texts.common import STATUS_ICONS, STATUS_LABELS
from storage import OutboxItem, Submission
from storage.statuses import FINAL_STATUSES, RATEABLE, MessageRole, SubmissionStatus


class Copy(NamedTuple):
    """A citizen's attachment to copy: its kind and where the original message is."""

    kind: str
    chat_id: int | None
    message_id: int | None


def citizen_keyboard(sub: Submission) -> InlineKeyboardMarkup | None:
    """Buttons under a notice to the citizen: answer the committee, and rate once it has answered."""
    rows = []
    if sub.status not in FINAL_STATUSES:
        rows.append([InlineKeyboardButton(TCit.BUTTON_REPLY,
                                          callback_data=CitizenButton(CitizenAction.REPLY, sub.id).pack())])
    if sub.status in RATEABLE:
        rows.append([InlineKeyboardButton(TCit.BUTTON_RATE,
                                          callback_data=CitizenButton(CitizenAction.RATE, sub.id).pack())])
    return InlineKeyboardMarkup(rows) if rows else None


def _cards(sub: Submission, committee: Committee, card: Sequence[str], copies: Sequence[Copy],
           scope: str) -> list[OutboxItem]:
    """The card in the committee's group (its first message with the buttons, then its continuations,
    bot.cards.card_parts), then a copy of each attachment threaded under it.

    Every part is linked to the submission once sent, so an official may reply under any of them; the
    continuations under their own role, so `message_link(…, "card")` still finds the card itself."""
    card_key = f"card:{scope}"
    chat_id = committee.chat_id
    items = [OutboxItem(
        key=card_key, method="sendMessage", chat_id=chat_id,
        payload=send_message_payload(chat_id, card[0], keyboard=card_keyboard(sub)),
        submission_id=sub.id, link=MessageRole.CARD,
    )]
    items += [OutboxItem(key=f"{card_key}:{n}", method="sendMessage", chat_id=chat_id,
                         payload=send_message_payload(chat_id, part), submission_id=sub.id,
                         link=MessageRole.CARD_CONTINUATION, after=card_key)
              for n, part in enumerate(card[1:], start=2)]
    for index, copy in enumerate(copies, start=1):
        if copy.chat_id is None or copy.message_id is None:
            continue  # the citizen erased their data: the original is gone
        caption = None
        if copy.kind != "location":
            caption = TCom.ATTACHMENT_CAPTION.format(code=esc(sub.code), index=index, total=len(copies))
        items.append(OutboxItem(
            key=f"att:{scope}:{index}", method="copyMessage", chat_id=committee.chat_id,
            payload=copy_message_payload(committee.chat_id, copy.chat_id, copy.message_id, caption=caption),
            submission_id=sub.id, link=MessageRole.ATTACHMENT, after=card_key,
        ))
    return items


def new_submission(sub: Submission, committee: Committee, card: Sequence[str],
                   copies: Sequence[Copy]) -> list[OutboxItem]:
    """A submission just sent: its card and attachments for the committee it was routed to."""
    return _cards(sub, committee, card, copies, f"{sub.code}:{committee.id}")


def forwarded_submission(sub: Submission, target: Committee, card: Sequence[str],
                         copies: Sequence[Copy]) -> list[OutboxItem]:
    """A forwarded submission: the card and attachments for the new committee, and a notice to the citizen.
    The revision is in the keys: a submission forwarded back and forth gets a new card each time."""
    notice = TCit.FORWARDED_TO.format(code=esc(sub.code), committee=esc(target.name))
    return [*_cards(sub, target, card, copies, f"{sub.code}:{target.id}:{sub.revision}"),
            *citizen_notice(sub, notice, f"forwarded:{sub.code}:{sub.revision}")]


def citizen_notice(sub: Submission, text: str, key: str, *, with_buttons: bool = True,
                   link: str | None = MessageRole.RELAY_TO_CITIZEN) -> list[OutboxItem]:
    """A message to the sender, unless they erased their personal data (then nobody can be told)."""
    if sub.citizen_chat_id is None:
        return []
    keyboard = citizen_keyboard(sub) if with_buttons else None
    return [OutboxItem(key=key, method="sendMessage", chat_id=sub.citizen_chat_id,
                       payload=send_message_payload(sub.citizen_chat_id, text, keyboard=keyboard),
                       submission_id=sub.id, link=link)]


def status_text(sub: Submission) -> str:
    icon, label = STATUS_ICONS.get(sub.status, ""), STATUS_LABELS.get(sub.status, sub.status)
    if sub.status == SubmissionStatus.OUT_OF_SCOPE:
        return TCit.STATUS_CHANGED_NOTE.format(icon=icon, code=esc(sub.code), status=label,
                                               note=TCit.OUT_OF_SCOPE_GUIDANCE)
    return TCit.STATUS_CHANGED.format(icon=icon, code=esc(sub.code), status=label)


def status_changed(sub: Submission) -> list[OutboxItem]:
    """The citizen is told of each new status once (the revision changes with every change)."""
    return citizen_notice(sub, status_text(sub), f"status:{sub.code}:{sub.revision}")


def committee_reply(sub: Submission, committee: Committee, chat_id: int, message_id: int, text: str,
                    has_attachment: bool) -> list[OutboxItem]:
    """An official's reply in the group, relayed to the citizen: the text, then the attachment copied."""
    items: list[OutboxItem] = []
    base = f"o2c:{sub.code}:{chat_id}:{message_id}"
    if text:
        body = TCit.REPLY_FROM_COMMITTEE.format(committee=esc(committee.name), code=esc(sub.code), text=esc(text))
        items += citizen_notice(sub, body, base)
    if has_attachment and sub.citizen_chat_id is not None:
        items.append(OutboxItem(
            key=f"{base}:att", method="copyMessage", chat_id=sub.citizen_chat_id,
            payload=copy_message_payload(
                sub.citizen_chat_id, chat_id, message_id,
                caption=TCit.ATTACHMENT_FROM_COMMITTEE.format(committee=esc(committee.name), code=esc(sub.code))),
            submission_id=sub.id, link=MessageRole.RELAY_TO_CITIZEN,
        ))
    return items


def citizen_reply(sub: Submission, committee: Committee, card_message_id: int | None, chat_id: int,
                  message_id: int, text: str, has_attachment: bool) -> list[OutboxItem]:
    """A citizen's answer, relayed to the committee's group under the card."""
    items = []
    if text:
        items.append(OutboxItem(
            key=f"c2o:{sub.code}:{chat_id}:{message_id}", method="sendMessage", chat_id=committee.chat_id,
            payload=send_message_payload(committee.chat_id, TCom.CITIZEN_REPLY.format(code=esc(sub.code),
                                                                                      text=esc(text)),
                                         reply_to=card_message_id),
            submission_id=sub.id, link=MessageRole.RELAY_TO_COMMITTEE,
        ))
    if has_attachment:
        items.append(OutboxItem(
            key=f"c2o-att:{sub.code}:{chat_id}:{message_id}", method="copyMessage", chat_id=committee.chat_id,
            payload=copy_message_payload(committee.chat_id, chat_id, message_id,
                                         caption=TCom.CITIZEN_ATTACHMENT.format(code=esc(sub.code)),
                                         reply_to=card_message_id),
            submission_id=sub.id, link=MessageRole.RELAY_TO_COMMITTEE,
        ))
    return items


def rated(sub: Submission, committee: Committee, card_message_id: int | None, stars: int,
          press_id: str) -> list[OutboxItem]:
    """The committee learns the citizen's rating, under the card (one item per press)."""
    return [OutboxItem(
        key=f"rated:{sub.code}:{stars}:{press_id}", method="sendMessage", chat_id=committee.chat_id,
        payload=send_message_payload(committee.chat_id, TCom.RATED.format(code=esc(sub.code), stars=stars),
                                     reply_to=card_message_id),
        submission_id=sub.id, link=None,
    )]
