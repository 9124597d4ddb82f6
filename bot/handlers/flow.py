"""The feedback flow (/gopy) as a state machine over the draft stored in the database.

Each update loads the citizen's draft, applies one step and saves it with the version it read, so a
restart, or another replica answering the next update, continues exactly where the citizen was. A
button from an older step is refused as stale instead of jumping the flow around.

Steps: kind → place → topic → text → attachments → identity (→ contact) → confirm → sent.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz, process
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import ContextTypes

from bot import callbacks as cb
from bot.cards import (
    card_keyboard,
    card_outbox,
    card_parts,
    copy_message_payload,
    related_article,
    send_message_payload,
    send_payload,
)
from bot.config import KINDS, Config
from bot.format import clean_text, esc
from bot.routing import route, suggest_topics
from bot.services import Services, get_services
from bot.texts import citizen as T
from bot.texts import committee as TC
from bot.texts.common import ANONYMOUS, KIND_HINTS, KIND_LABELS, STALE_BUTTON
from knowledge.normalize import normalize
from storage import DraftConflict, OutboxItem

_EDITABLE = ("kind", "place", "topic", "text", "identity")
FLOW_STEPS = ("kind", "place", "topic", "text", "attachments", "identity", "contact", "confirm")
_PHONE = re.compile(r"(\+?84|0)[\s.-]?(\d[\s.-]?){8,10}")
_DONE_WORDS = {"xong", "done", "het", "gui", "ok", "tiep"}


# ---------------------------------------------------------------- draft helpers

class Draft:
    """The citizen's draft as the flow sees it: step, data and the version it was read at."""

    def __init__(self, step: str, data: dict[str, Any], version: int | None) -> None:
        self.step = step
        self.data = data
        self.version = version


async def load_draft(services: Services, user_id: int) -> Draft | None:
    stored = await services.store.get_draft(user_id)
    if stored is None:
        return None
    return Draft(stored.step, dict(stored.data), stored.version)


async def save_draft(services: Services, user_id: int, draft: Draft) -> None:
    saved = await services.store.save_draft(user_id, draft.step, draft.data, expected_version=draft.version)
    draft.version = saved.version


async def start_flow(update: Update, context: ContextTypes.DEFAULT_TYPE, *, unit_id: str | None = None,
                     text: str | None = None) -> None:
    """/gopy, the menu button, a deep link, or free text offered as feedback."""
    services = get_services(context)
    user = update.effective_user
    assert user is not None
    draft = await load_draft(services, user.id)
    if draft is not None and draft.step in FLOW_STEPS and unit_id is None and text is None:
        await prompt(update, services, draft, T.DRAFT_RESUMED)
        return
    data: dict[str, Any] = {"attachments": []}
    if unit_id is not None:
        data["unit_id"] = unit_id
    if text:
        data["text"] = text
        mentioned = services.places.mentioned_in(text)
        if mentioned is not None and unit_id is None:
            data["suggested_unit"] = mentioned.id
    new = Draft("kind", data, draft.version if draft else None)
    await save_draft(services, user.id, new)
    await prompt(update, services, new)


async def cancel_flow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = get_services(context)
    user = update.effective_user
    assert user is not None
    removed = await services.store.delete_draft(user.id)
    await reply(update, T.CANCELLED if removed else T.NOTHING_TO_CANCEL, remove_keyboard=True)


# ---------------------------------------------------------------- prompts

async def reply(update: Update, text: str, markup: Any = None, *, remove_keyboard: bool = False) -> None:
    """A new message (HTML) in the update's chat. Telegram's answer is not parsed (bot.cards.send_payload)."""
    chat = update.effective_chat
    assert chat is not None
    if markup is None and remove_keyboard:
        markup = ReplyKeyboardRemove()
    await send_payload(update.get_bot(), "sendMessage", send_message_payload(chat.id, text, keyboard=markup))


def _buttons(pairs: list[tuple[str, str]], per_row: int = 2) -> list[list[InlineKeyboardButton]]:
    buttons = [InlineKeyboardButton(label, callback_data=data) for label, data in pairs]
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def _cancel_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(T.BUTTON_CANCEL, callback_data=cb.make(cb.FLOW, "cancel"))]


async def prompt(update: Update, services: Services, draft: Draft, note: str | None = None, *,
                 clear_keyboard: bool = False) -> None:
    """Ask for whatever the draft's current step needs; `note` (what was just recorded) rides on the
    same message, so each step costs the citizen one message to read and the bot one request.

    `clear_keyboard`: the contact step's reply keyboard is up. A message carries one markup, so the
    note goes alone to take the keyboard away and the question follows with its buttons.
    """
    await show(update, prompt_view(services, draft), note, clear_keyboard=clear_keyboard)


async def show(update: Update, view: tuple[str, Any], note: str | None = None, *,
               clear_keyboard: bool = False) -> None:
    """A question (text, keyboard) with `note` above it in the same message."""
    text, markup = view
    if note and clear_keyboard:
        await reply(update, note, remove_keyboard=True)
        note = None
    await reply(update, f"{note}\n\n{text}" if note else text, markup)


def prompt_view(services: Services, draft: Draft) -> tuple[str, Any]:
    """The text and keyboard of the current step's question."""
    config = services.config
    step = draft.step
    if step == "kind":
        pairs = [(KIND_LABELS[k], cb.make(cb.FLOW, "k", k)) for k in KINDS]
        hints = "\n".join(f"• <b>{KIND_LABELS[k]}</b>: {KIND_HINTS[k]}" for k in KINDS)
        return f"{T.ASK_KIND}\n{hints}", InlineKeyboardMarkup([*_buttons(pairs, 3), _cancel_row()])
    if step == "place":
        return place_view(services, draft.data.get("browse"))
    if step == "topic":
        suggested = suggest_topics(config, draft.data.get("text", ""))
        ordered = suggested + [t for t in config.topics.values() if t not in suggested]
        pairs = [(("⭐ " if t in suggested[:1] else "") + t.name, cb.make(cb.FLOW, "t", t.id)) for t in ordered]
        return T.ASK_TOPIC, InlineKeyboardMarkup([*_buttons(pairs, 1), _cancel_row()])
    if step == "text":
        return T.ASK_TEXT.format(min=config.limits.text_min_chars, max=config.limits.text_max_chars), None
    if step == "attachments":
        length = len(draft.data.get("text", ""))
        return T.TEXT_RECEIVED.format(length=length, max=config.limits.attachments_max), _done_keyboard()
    if step == "identity":
        rows = _buttons([(T.BUTTON_ANONYMOUS, cb.make(cb.FLOW, "anon")),
                         (T.BUTTON_NAMED, cb.make(cb.FLOW, "named"))], 1)
        return T.ASK_IDENTITY, InlineKeyboardMarkup([*rows, _cancel_row()])
    if step == "contact":
        keyboard = ReplyKeyboardMarkup(
            [[KeyboardButton(T.BUTTON_SHARE_CONTACT, request_contact=True)]],
            resize_keyboard=True, one_time_keyboard=True,
        )
        return T.ASK_CONTACT, keyboard
    return confirm_text(services, draft), _confirm_keyboard()


def _done_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(T.BUTTON_DONE, callback_data=cb.make(cb.FLOW, "done"))],
                                 _cancel_row()])


def _confirm_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(_buttons([
        (T.BUTTON_SEND, cb.make(cb.FLOW, "send")),
        (T.BUTTON_EDIT, cb.make(cb.FLOW, "edit")),
        (T.BUTTON_CANCEL, cb.make(cb.FLOW, "cancel")),
    ], 3))


def place_view(services: Services, parent: str | None) -> tuple[str, Any]:
    """The places to pick from: the top level, or the children of `parent` while browsing down."""
    config = services.config
    if parent and parent in config.units:
        unit = config.units[parent]
        pairs = [(config.units[c].name, cb.make(cb.FLOW, "u", c)) for c in unit.children]
        pairs.insert(0, (T.PLACE_HERE.format(unit=unit.name), cb.make(cb.FLOW, "uh", unit.id)))
        back = unit.parent or "root"
        pairs.append((T.PLACE_BACK, cb.make(cb.FLOW, "u", back)))
        text = T.ASK_PLACE_CHILD.format(unit=esc(unit.name))
    else:
        pairs = [(u.name, cb.make(cb.FLOW, "u", u.id)) for u in config.roots()]
        text = T.ASK_PLACE
    return text, InlineKeyboardMarkup([*_buttons(pairs, 1), _cancel_row()])


def confirm_text(services: Services, draft: Draft) -> str:
    config = services.config
    data = draft.data
    committee = route(config, data["unit_id"], data.get("topic_id"))
    topic = config.topics.get(data.get("topic_id", ""))
    attachments = data.get("attachments", [])
    if data.get("anonymous", True):
        sender = ANONYMOUS
    else:
        sender = f"{esc(data.get('name', ''))}, {esc(data.get('phone', ''))}"
    return T.CONFIRM.format(
        kind=KIND_LABELS[data["kind"]],
        place=esc(config.unit_label(data["unit_id"])),
        topic=esc(topic.name if topic else ""),
        committee=esc(committee.name),
        sender=sender,
        attachments=len(attachments) or T.NO_ATTACHMENTS,
        text=esc(data.get("text", "")),
    )


def next_step(draft: Draft) -> str:
    """After a step is answered: the first step still missing, or back to confirm when editing."""
    data = draft.data
    if "kind" not in data:
        return "kind"
    if "unit_id" not in data:
        return "place"
    if "topic_id" not in data:
        return "topic"
    if not data.get("text"):
        return "text"
    if not data.get("text_done"):
        return "attachments"
    if "anonymous" not in data:
        return "identity"
    if data.get("anonymous") is False and not data.get("phone"):
        return "contact"
    return "confirm"


async def advance(update: Update, services: Services, user_id: int, draft: Draft, note: str | None = None, *,
                  clear_keyboard: bool = False) -> None:
    draft.step = next_step(draft)
    await save_draft(services, user_id, draft)
    await prompt(update, services, draft, note, clear_keyboard=clear_keyboard)


# ---------------------------------------------------------------- button presses

async def on_flow_button(update: Update, context: ContextTypes.DEFAULT_TYPE, data: cb.Callback) -> None:
    services = get_services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    draft = await load_draft(services, user.id)
    if data.action == "cancel":
        await query.answer()
        await cancel_flow(update, context)
        return
    if draft is None or draft.step not in FLOW_STEPS:
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    config = services.config
    action, arg = data.action, data.arg(0)
    expected = {"k": "kind", "u": "place", "uh": "place", "t": "topic", "done": "attachments",
                "anon": "identity", "named": "identity", "send": "confirm", "edit": "confirm", "e": "confirm"}
    known = {"k": arg in KINDS, "u": arg == "root" or arg in config.units, "uh": arg in config.units,
             "t": arg in config.topics, "e": arg in _EDITABLE}.get(action, True)
    if expected.get(action) != draft.step or not known:
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    # The button's spinner stops whenever this answer lands: the step does not wait for it.
    answered = asyncio.ensure_future(query.answer())
    try:
        await _on_valid_button(update, context, services, user.id, draft, action, arg or "")
    finally:
        await answered


async def _on_valid_button(update: Update, context: ContextTypes.DEFAULT_TYPE, services: Services, user_id: int,
                           draft: Draft, action: str, arg: str) -> None:
    """One press that on_flow_button has checked: the action fits the step and its argument is known."""
    config = services.config
    if action == "k":
        await choose_kind(update, services, user_id, draft, arg)
    elif action == "u":
        unit = config.units.get(arg)
        if unit is not None and not unit.children:
            await choose_place(update, services, user_id, draft, unit.id)
        else:
            draft.data["browse"] = None if arg == "root" else arg
            await save_draft(services, user_id, draft)
            await show(update, place_view(services, draft.data["browse"]))
    elif action == "uh":
        await choose_place(update, services, user_id, draft, arg)
    elif action == "t":
        draft.data["topic_id"] = arg
        await advance(update, services, user_id, draft,
                      T.TOPIC_CHOSEN.format(topic=esc(config.topics[arg].name)))
    elif action == "done":
        draft.data["text_done"] = True
        await advance(update, services, user_id, draft)
    elif action == "anon":
        draft.data.update(anonymous=True, name=None, phone=None)
        await advance(update, services, user_id, draft)
    elif action == "named":
        draft.data["anonymous"] = False
        await advance(update, services, user_id, draft)
    elif action == "send":
        await submit(update, context, services, user_id, draft)
    elif action == "edit":
        parts = [(T.EDIT_KIND, "kind"), (T.EDIT_PLACE, "place"), (T.EDIT_TOPIC, "topic"),
                 (T.EDIT_TEXT, "text"), (T.EDIT_IDENTITY, "identity")]
        pairs = [(label, cb.make(cb.FLOW, "e", part)) for label, part in parts]
        await reply(update, T.EDIT_WHAT, InlineKeyboardMarkup(_buttons(pairs, 2)))
    elif action == "e":
        cleared = {"kind": ["kind"], "place": ["unit_id", "browse"], "topic": ["topic_id"],
                   "text": ["text", "text_done"], "identity": ["anonymous", "name", "phone"]}[arg]
        for key in cleared:
            draft.data.pop(key, None)
        await advance(update, services, user_id, draft)


async def choose_kind(update: Update, services: Services, user_id: int, draft: Draft, kind: str) -> None:
    draft.data["kind"] = kind
    if kind in ("khieu_nai", "to_cao"):
        law = T.COMPLAINT_LAW if kind == "khieu_nai" else T.DENUNCIATION_LAW
        label = KIND_LABELS[kind]
        await reply(update, T.FORMAL_COMPLAINT_NOTE.format(kind=label, kind_lower=label.lower(), law=law))
    if "unit_id" in draft.data:
        await reply(update, T.PLACE_CHOSEN.format(unit=esc(services.config.unit_label(draft.data["unit_id"]))))
    suggested = draft.data.get("suggested_unit")
    if suggested and "unit_id" not in draft.data and suggested in services.config.units:
        draft.data["browse"] = services.config.units[suggested].parent
    await advance(update, services, user_id, draft)


async def choose_place(update: Update, services: Services, user_id: int, draft: Draft, unit_id: str) -> None:
    draft.data["unit_id"] = unit_id
    draft.data.pop("browse", None)
    await advance(update, services, user_id, draft,
                  T.PLACE_CHOSEN.format(unit=esc(services.config.unit_label(unit_id))))


# ---------------------------------------------------------------- typed answers

async def on_flow_message(update: Update, context: ContextTypes.DEFAULT_TYPE, draft: Draft) -> None:
    """A message while the citizen is in the flow: the typed alternative of the current step."""
    services = get_services(context)
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    config = services.config
    step = draft.step
    # Telegram delivers updates at least once (a webhook retried, getUpdates after a crash): a message
    # already applied to this draft must not append its text or attachment a second time.
    applied = draft.data.get("last_message_id")
    if isinstance(applied, int) and message.message_id <= applied:
        return
    draft.data["last_message_id"] = message.message_id
    attachment = _attachment_of(message)
    if attachment is None and message.text is None and message.contact is None:
        await reply(update, T.ATTACHMENT_UNSUPPORTED)
        return
    if attachment is not None and step in ("text", "attachments"):
        await add_attachment(update, services, user.id, draft, attachment, clean_text(message.caption))
        return
    if message.contact is not None and step == "contact":
        await take_contact(update, services, user.id, draft)
        return
    text = clean_text(message.text)
    if attachment is not None or message.contact is not None or not text:
        await prompt(update, services, draft, T.DRAFT_BUSY)
        return
    if step == "kind":
        kind = _match_kind(text)
        if kind is None:
            await reply(update, T.KIND_TYPED_UNKNOWN)
            return
        await choose_kind(update, services, user.id, draft, kind)
    elif step == "place":
        matches = services.places.find(text)
        if not matches:
            await show(update, place_view(services, None), T.PLACE_NOT_FOUND.format(text=esc(text[:100])))
        elif len(matches) == 1 or matches[0].score - matches[1].score >= 8:
            await choose_place(update, services, user.id, draft, matches[0].unit.id)
        else:
            pairs = [(config.unit_label(m.unit.id), cb.make(cb.FLOW, "uh", m.unit.id)) for m in matches[:5]]
            await reply(update, T.PLACE_PICK_ONE.format(text=esc(text[:100])),
                        InlineKeyboardMarkup([*_buttons(pairs, 1), _cancel_row()]))
    elif step == "topic":
        topic_id = _match_topic(config, text)
        if topic_id is None:
            await prompt(update, services, draft, T.TOPIC_TYPED_UNKNOWN.format(text=esc(text[:100])))
            return
        draft.data["topic_id"] = topic_id
        await advance(update, services, user.id, draft, T.TOPIC_CHOSEN.format(topic=esc(config.topics[topic_id].name)))
    elif step == "text":
        await take_text(update, services, user.id, draft, text)
    elif step == "attachments":
        if normalize(text) in _DONE_WORDS:
            draft.data["text_done"] = True
            await advance(update, services, user.id, draft)
            return
        combined = f"{draft.data.get('text', '')}\n{text}"
        if len(combined) > config.limits.text_max_chars:
            await reply(update, T.TEXT_TOO_LONG.format(length=len(combined), max=config.limits.text_max_chars),
                        _done_keyboard())
            return
        draft.data["text"] = combined
        await save_draft(services, user.id, draft)
        await reply(update, T.TEXT_APPENDED.format(length=len(combined), max=config.limits.text_max_chars),
                    _done_keyboard())
    elif step == "identity":
        folded = normalize(text)
        if "an danh" in folded or folded in ("an", "khong"):
            draft.data.update(anonymous=True, name=None, phone=None)
            await advance(update, services, user.id, draft)
        elif _PHONE.search(text):
            draft.data["anonymous"] = False
            draft.step = "contact"
            await take_typed_contact(update, services, user.id, draft, text)
        else:
            await prompt(update, services, draft)
    elif step == "contact":
        await take_typed_contact(update, services, user.id, draft, text)
    elif step == "confirm":
        await prompt(update, services, draft, T.DRAFT_BUSY)


def _match_kind(text: str) -> str | None:
    folded = normalize(text)
    choices = {normalize(label): kind for kind, label in KIND_LABELS.items()}
    found = process.extractOne(folded, list(choices), scorer=fuzz.WRatio, score_cutoff=80)
    return choices[found[0]] if found else None


def _match_topic(config: Config, text: str) -> str | None:
    folded = normalize(text)
    names = {normalize(t.name): t.id for t in config.topics.values()}
    found = process.extractOne(folded, list(names), scorer=fuzz.WRatio, score_cutoff=80)
    if found:
        return names[found[0]]
    suggested = suggest_topics(config, text)
    return suggested[0].id if suggested else None


async def take_text(update: Update, services: Services, user_id: int, draft: Draft, text: str) -> None:
    limits = services.config.limits
    if len(text) < limits.text_min_chars:
        await reply(update, T.TEXT_TOO_SHORT.format(length=len(text), min=limits.text_min_chars))
        return
    if len(text) > limits.text_max_chars:
        await reply(update, T.TEXT_TOO_LONG.format(length=len(text), max=limits.text_max_chars))
        return
    draft.data["text"] = text
    await advance(update, services, user_id, draft)


def _attachment_of(message: Message) -> dict[str, Any] | None:
    """What to relay later with copyMessage: the citizen's own chat and message id, and the file."""
    kind: str | None = None
    file_id = unique = None
    if message.photo:
        kind, file_id, unique = "photo", message.photo[-1].file_id, message.photo[-1].file_unique_id
    else:
        for name in ("document", "voice", "audio", "video", "video_note"):
            media = getattr(message, name)
            if media is not None:
                kind, file_id, unique = name, media.file_id, media.file_unique_id
                break
    if kind is None and message.location is not None:
        kind = "location"
    if kind is None:
        return None
    return {"kind": kind, "file_id": file_id, "file_unique_id": unique,
            "chat_id": message.chat_id, "message_id": message.message_id}


async def add_attachment(update: Update, services: Services, user_id: int, draft: Draft,
                         attachment: dict[str, Any], caption: str) -> None:
    limits = services.config.limits
    attachments: list[dict[str, Any]] = draft.data.setdefault("attachments", [])
    if len(attachments) >= limits.attachments_max:
        await reply(update, T.ATTACHMENT_LIMIT.format(max=limits.attachments_max), _done_keyboard())
        return
    attachments.append(attachment)
    if draft.step == "text" and caption and len(caption) >= limits.text_min_chars:
        draft.data["text"] = caption[: limits.text_max_chars]
        draft.step = "attachments"
    await save_draft(services, user_id, draft)
    what = T.ATTACHMENT_WHAT.get(attachment["kind"], attachment["kind"])
    if draft.step == "text":
        await prompt(update, services, draft, T.ATTACHMENT_RECEIVED.format(what=what, count=len(attachments),
                                                                           max=limits.attachments_max))
    else:
        await reply(update, T.ATTACHMENT_RECEIVED.format(what=what, count=len(attachments),
                                                         max=limits.attachments_max), _done_keyboard())


async def take_contact(update: Update, services: Services, user_id: int, draft: Draft) -> None:
    message = update.effective_message
    assert message is not None and message.contact is not None
    contact = message.contact
    if contact.user_id != user_id:
        await reply(update, T.CONTACT_NOT_OWN)
        return
    name = clean_text(" ".join(p for p in (contact.first_name, contact.last_name) if p))[:100]
    draft.data.update(name=name, phone=clean_text(contact.phone_number)[:20])
    await advance(update, services, user_id, draft,
                  T.CONTACT_SAVED.format(name=esc(name), phone=esc(draft.data["phone"])), clear_keyboard=True)


async def take_typed_contact(update: Update, services: Services, user_id: int, draft: Draft, text: str) -> None:
    match = _PHONE.search(text)
    if match is None:
        await reply(update, T.CONTACT_BAD)
        return
    phone = re.sub(r"[\s.-]", "", match.group(0))
    name = clean_text((text[: match.start()] + text[match.end():]).strip(" ,;-:"))[:100]
    if not name:
        await reply(update, T.CONTACT_BAD)
        return
    draft.data.update(name=name, phone=phone, anonymous=False)
    await advance(update, services, user_id, draft, T.CONTACT_SAVED.format(name=esc(name), phone=esc(phone)),
                  clear_keyboard=True)


# ---------------------------------------------------------------- submit

async def submit(update: Update, context: ContextTypes.DEFAULT_TYPE, services: Services, user_id: int,
                 draft: Draft) -> None:
    """Commit the submission with its card and attachment copies in the outbox, then give the code."""
    config = services.config
    data = draft.data
    committee = route(config, data["unit_id"], data.get("topic_id"))
    now = datetime.now(UTC)
    kind = data["kind"]
    anonymous = bool(data.get("anonymous", True))
    attachments: list[dict[str, Any]] = data.get("attachments", [])
    ref = related_article(config, services.kb, services.index, data.get("topic_id"), data["text"])

    def build_outbox(sub: Any) -> list[OutboxItem]:
        sender = None if anonymous else TC.SENDER_NAMED.format(name=data.get("name"), phone=data.get("phone"))
        card = card_parts(config, services.kb, sub, sender=sender, attachments=len(attachments), ref=ref)
        items = card_outbox(f"card:{sub.code}:{committee.id}", committee.chat_id, card, card_keyboard(sub), sub.id)
        for index, att in enumerate(attachments, start=1):
            caption = None
            if att["kind"] != "location":
                caption = TC.ATTACHMENT_CAPTION.format(code=esc(sub.code), index=index, total=len(attachments))
            items.append(OutboxItem(
                key=f"att:{sub.code}:{committee.id}:{index}", method="copyMessage", chat_id=committee.chat_id,
                payload=copy_message_payload(committee.chat_id, att["chat_id"], att["message_id"], caption=caption),
                submission_id=sub.id, link="attachment", after=items[0].key,
            ))
        return items

    try:
        sub = await services.store.submit(
            user_id=user_id,
            chat_id=update.effective_chat.id if update.effective_chat else user_id,
            kind=kind,
            unit_id=data["unit_id"],
            topic_id=data.get("topic_id") or "khac",
            committee_id=committee.id,
            text=data["text"],
            anonymous=anonymous,
            name=None if anonymous else data.get("name"),
            phone=None if anonymous else data.get("phone"),
            attachments=attachments,
            due_ack_at=now + timedelta(days=config.deadlines.acknowledge_days),
            due_resolve_at=now + timedelta(days=config.deadlines.resolve_for(kind)),
            outbox=build_outbox,
            draft_version=draft.version,
        )
    except DraftConflict:  # a double tap on "Gửi", or another replica already sent it
        await reply(update, STALE_BUTTON)
        return
    try:
        await reply(update, T.SENT.format(code=esc(sub.code), committee=esc(committee.name)), remove_keyboard=True)
    finally:  # the card is committed either way; its delivery waits until the citizen has the code
        services.wake_delivery()
