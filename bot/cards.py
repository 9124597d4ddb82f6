"""The committee's card for a submission, and the Bot API payloads that carry it.

Payloads are plain dicts because they are stored in the outbox and sent later, possibly by another
replica; `to_dict()` of PTB's own objects keeps them exactly what the Bot API expects. `send_payload` is
the one way such a payload is sent: by the outbox worker, and for the handlers' plain replies.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, TelegramObject
from telegram.warnings import PTBUserWarning

from bot.callbacks import CitizenAction, CitizenButton, CommitteeAction, CommitteeButton, submission_in_buttons
from bot.config import Config
from bot.format import TELEGRAM_LIMIT, esc, fmt_date, fmt_time, split_message, telegram_length
from bot.texts import committee as TC
from bot.texts.common import ANONYMOUS, KIND_LABELS, STATUS_ICONS, STATUS_LABELS
from knowledge.model import ArticleRef, KnowledgeBase
from knowledge.search import SearchIndex
from storage.statuses import FINAL_STATUSES, SubmissionStatus, allowed_transitions

if TYPE_CHECKING:
    from storage import Store, Submission

CARD_NOTE_SEPARATOR = "\n\n"  # before a note added to a card when it is edited (forwarded…)
MIN_CARD_ROOM = 500  # for the citizen's text in the card's message, however long the card's lines

def related_article(
    config: Config, kb: KnowledgeBase, index: SearchIndex, topic_id: str | None, text: str
) -> ArticleRef | None:
    """The article most related to a submission: the search when it is sure, else the topic's first."""
    result = index.search(text, limit=1)
    if result.sure and result.hits:
        hit = result.hits[0]
        current = hit.current[0] if hit.current else None
        return current or ArticleRef(hit.document, hit.article)
    topic = config.topics.get(topic_id or "")
    if topic and topic.articles:
        ref = topic.articles[0]
        return ArticleRef(ref.document, ref.article)
    return None


def article_label(kb: KnowledgeBase, ref: ArticleRef | None) -> str:
    """"Điều 11 Luật 10/2022/QH15 — Nội dung công khai…", escaped."""
    if ref is None:
        return TC.CARD_NO_ARTICLE
    article = kb.article(ref.document, ref.article)
    name = f"Điều {ref.article} {kb.label(ref.document)}"
    if article is not None and article.title:
        name += f" — {article.title}"
    return TC.CARD_ARTICLE.format(article=esc(name))


def card_parts(config: Config, kb: KnowledgeBase, sub: Any, *, sender: str | None, attachments: int,
               ref: ArticleRef | None, forwarded_from: str | None = None) -> list[str]:
    """The card, as one message or — when the citizen's text does not fit beside the card's lines — the
    card with the text's beginning, then continuations: nothing is cut, no message is over Telegram's
    limit. `sender` is None for anonymous submissions, and nothing else names the citizen.

    Whether and where the text is split does not depend on the status nor on `forwarded_from`: the card's
    lines are measured with the longest of each, so re-rendering the card after a button (which edits
    only the first message) never moves text between it and its continuations."""
    tz = config.timezone
    topic = config.topics.get(sub.topic_id)
    fields = {
        "kind": esc(KIND_LABELS.get(sub.kind, sub.kind)),
        "code": esc(sub.code),
        "topic": esc(topic.name if topic else sub.topic_id),
        "place": esc(config.unit_label(sub.unit_id) if sub.unit_id in config.units else sub.unit_id),
        "date": fmt_time(sub.created_at, tz),
        "sender": esc(sender) if sender else ANONYMOUS,
        "due_ack": fmt_date(sub.due_ack_at, tz),
        "due_resolve": fmt_date(sub.due_resolve_at, tz),
        "article": article_label(kb, ref),
    }
    status = {"icon": STATUS_ICONS.get(sub.status, ""), "status": esc(STATUS_LABELS.get(sub.status, sub.status))}
    body, tail = esc(sub.text), _card_tail(sub, attachments, forwarded_from)
    room = _card_room(config, fields, attachments)
    if telegram_length(body) <= room:
        return [TC.CARD.format(**fields, **status, text=body) + tail]
    chunks = split_message(body, _continuation_room(sub),
                           first_limit=max(room - telegram_length(TC.CARD_CONTINUED.format(rest=99)), MIN_CARD_ROOM))
    more = TC.CARD_CONTINUED.format(rest=len(chunks) - 1)
    return [
        TC.CARD.format(**fields, **status, text=chunks[0] + more) + tail,
        *(TC.CARD_CONTINUATION.format(code=esc(sub.code), part=n, total=len(chunks), text=chunk)
          for n, chunk in enumerate(chunks[1:], start=2)),
    ]


def _card_tail(sub: Any, attachments: int, forwarded_from: str | None) -> str:
    text = TC.CARD_FORWARDED_FROM.format(committee=esc(forwarded_from)) if forwarded_from else ""
    if attachments:
        text += TC.CARD_ATTACHMENTS.format(count=attachments)
    if sub.status not in FINAL_STATUSES:
        text += TC.CARD_FOOTER
    return text


def _card_room(config: Config, fields: dict[str, str], attachments: int) -> int:
    """What is left for the citizen's text in the card's message at its longest: the longest status and
    icon, the footer, a "forwarded from" line and the note added to the card when it is forwarded."""
    longest = max(config.committees.values(), key=lambda c: len(c.name), default=None)
    name = esc(longest.name) if longest else ""
    status = max(STATUS_LABELS.values(), key=len)
    icon = max(STATUS_ICONS.values(), key=telegram_length)
    lines = TC.CARD.format(**fields, icon=icon, status=esc(status), text="")
    lines += TC.CARD_FORWARDED_FROM.format(committee=name) + TC.CARD_FOOTER
    lines += TC.CARD_ATTACHMENTS.format(count=attachments) if attachments else ""
    lines += CARD_NOTE_SEPARATOR + TC.FORWARDED.format(code=fields["code"], committee=name)
    return max(TELEGRAM_LIMIT - telegram_length(lines), MIN_CARD_ROOM)


def _continuation_room(sub: Any) -> int:
    return TELEGRAM_LIMIT - telegram_length(TC.CARD_CONTINUATION.format(code=esc(sub.code), part=99, total=99,
                                                                       text=""))


def card_keyboard(sub: Any) -> InlineKeyboardMarkup | None:
    """Buttons for what may still happen; none once the submission is closed."""
    if sub.status in FINAL_STATUSES:
        return None
    sid = sub.id

    def button(label: str, action: CommitteeAction) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=CommitteeButton(action, sid).pack())

    rows = []
    first = []
    allowed = allowed_transitions(sub.status)
    if SubmissionStatus.ACKNOWLEDGED in allowed:
        first.append(button(TC.BUTTON_ACK, CommitteeAction.ACKNOWLEDGE))
    if SubmissionStatus.IN_PROGRESS in allowed:
        first.append(button(TC.BUTTON_PROGRESS, CommitteeAction.IN_PROGRESS))
    if first:
        rows.append(first)
    rows.append([button(TC.BUTTON_REPLY, CommitteeAction.REPLY),
                 button(TC.BUTTON_FORWARD, CommitteeAction.FORWARD_MENU)])
    rows.append([button(TC.BUTTON_RESOLVED, CommitteeAction.RESOLVED),
                 button(TC.BUTTON_OUT_OF_SCOPE, CommitteeAction.OUT_OF_SCOPE)])
    return InlineKeyboardMarkup(rows)


def forward_keyboard(config: Config, sub: Any) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(c.name, callback_data=CommitteeButton(CommitteeAction.FORWARD_TO, sub.id, c.id).pack())]
        for c in config.committees.values()
        if c.id != sub.committee_id
    ]
    rows.append([InlineKeyboardButton(TC.BUTTON_BACK,
                                      callback_data=CommitteeButton(CommitteeAction.BACK, sub.id).pack())])
    return InlineKeyboardMarkup(rows)


async def send_payload(bot: Bot, method: str, payload: dict[str, Any]) -> Any:
    """One Bot API call from a JSON payload; Telegram's answer comes back as JSON.

    Not `bot.send_message`: PTB would parse every answer into a Message that nobody reads, several times
    the CPU of the call itself. PTB warns that known methods
    have typed shortcuts; the outbox stores plain JSON on purpose (any replica, any later version sends
    it), so the warning is silenced. The rate limiter and the error classes (RetryAfter, BadRequest,
    Forbidden…) are PTB's as usual."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        return await bot.do_api_request(method, api_kwargs=payload)


def send_message_payload(chat_id: int, text: str, *, keyboard: TelegramObject | None = None,
                         reply_to: int | None = None) -> dict[str, Any]:
    """sendMessage in HTML without link previews; `keyboard`: any reply markup."""
    payload: dict[str, Any] = {
        "chat_id": chat_id,
        "text": text,
        "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
    }
    if keyboard is not None:
        payload["reply_markup"] = keyboard.to_dict()
    if reply_to is not None:
        payload["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
    return payload


def copy_message_payload(chat_id: int, from_chat_id: int, message_id: int, *,
                         caption: str | None = None, reply_to: int | None = None) -> dict[str, Any]:
    """copyMessage, never forwardMessage: a copy carries no trace of who sent the original."""
    payload: dict[str, Any] = {"chat_id": chat_id, "from_chat_id": from_chat_id, "message_id": message_id}
    if caption is not None:
        payload["caption"] = caption
        payload["parse_mode"] = "HTML"
    if reply_to is not None:
        payload["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
    return payload


async def submission_of_message(store: Store, message: Any, family: type[CitizenButton | CommitteeButton],
                                action: CitizenAction | CommitteeAction | None = None) -> Submission | None:
    """The submission a bot message (a card, a citizen's notice) stands for: by the recorded message link,
    or — when someone answers it before the delivery worker recorded its id — by its own buttons."""
    sub = await store.submission_by_message(message.chat_id, message.message_id)
    if sub is None:
        sid = submission_in_buttons(message.reply_markup, family, action)
        sub = await store.get_submission(sid) if sid is not None else None
    return sub
