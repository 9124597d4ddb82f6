"""What the feedback flow shows: each step's question with its keyboard, and the confirmation.

Pure: text and markup from the config and the state, nothing sent, nothing stored.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.callbacks import ROOT_UNIT, EditPart, FlowAction, FlowButton
from bot.config import Config
from bot.conversation import State, Step
from bot.format import esc
from bot.handlers.common import button_rows
from bot.routing import route, suggest_topics
from bot.texts import citizen as T
from bot.texts.common import ANONYMOUS, KIND_HINTS, KIND_LABELS
from storage.statuses import Kind

View = tuple[str, Any]  # HTML text and its reply markup (None, inline or reply keyboard)

EDIT_LABELS: dict[EditPart, str] = {
    EditPart.KIND: T.EDIT_KIND, EditPart.PLACE: T.EDIT_PLACE, EditPart.TOPIC: T.EDIT_TOPIC,
    EditPart.TEXT: T.EDIT_TEXT, EditPart.IDENTITY: T.EDIT_IDENTITY,
}


def _pack(action: FlowAction, arg: str = "") -> str:
    return FlowButton(action, arg).pack()


def cancel_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(T.BUTTON_CANCEL, callback_data=_pack(FlowAction.CANCEL))]


def done_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(T.BUTTON_DONE, callback_data=_pack(FlowAction.DONE))],
                                 cancel_row()])


def confirm_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(button_rows([
        (T.BUTTON_SEND, _pack(FlowAction.SEND)),
        (T.BUTTON_EDIT, _pack(FlowAction.EDIT)),
        (T.BUTTON_CANCEL, _pack(FlowAction.CANCEL)),
    ], 3))


def edit_keyboard() -> InlineKeyboardMarkup:
    pairs = [(label, _pack(FlowAction.EDIT_PART, part)) for part, label in EDIT_LABELS.items()]
    return InlineKeyboardMarkup(button_rows(pairs, 2))


def prompt_view(config: Config, state: State) -> View:
    """The text and keyboard of the current step's question."""
    step = state.step
    if step is Step.KIND:
        pairs = [(KIND_LABELS[k], _pack(FlowAction.KIND, k)) for k in Kind]
        hints = "\n".join(f"• <b>{KIND_LABELS[k]}</b>: {KIND_HINTS[k]}" for k in Kind)
        return f"{T.ASK_KIND}\n{hints}", InlineKeyboardMarkup([*button_rows(pairs, 3), cancel_row()])
    if step is Step.PLACE:
        return place_view(config, state.data.get("browse"))
    if step is Step.TOPIC:
        suggested = suggest_topics(config, state.data.get("text", ""))
        ordered = suggested + [t for t in config.topics.values() if t not in suggested]
        pairs = [(("⭐ " if t in suggested[:1] else "") + t.name, _pack(FlowAction.TOPIC, t.id)) for t in ordered]
        return T.ASK_TOPIC, InlineKeyboardMarkup([*button_rows(pairs, 1), cancel_row()])
    if step is Step.TEXT:
        return T.ASK_TEXT.format(min=config.limits.text_min_chars, max=config.limits.text_max_chars), None
    if step is Step.ATTACHMENTS:
        length = len(state.data.get("text", ""))
        return T.TEXT_RECEIVED.format(length=length, max=config.limits.attachments_max), done_keyboard()
    if step is Step.IDENTITY:
        rows = button_rows([(T.BUTTON_ANONYMOUS, _pack(FlowAction.ANONYMOUS)),
                            (T.BUTTON_NAMED, _pack(FlowAction.NAMED))], 1)
        return T.ASK_IDENTITY, InlineKeyboardMarkup([*rows, cancel_row()])
    if step is Step.CONTACT:
        keyboard = ReplyKeyboardMarkup(
            [[KeyboardButton(T.BUTTON_SHARE_CONTACT, request_contact=True)]],
            resize_keyboard=True, one_time_keyboard=True,
        )
        return T.ASK_CONTACT, keyboard
    return confirm_text(config, state), confirm_keyboard()


def place_view(config: Config, parent: str | None) -> View:
    """The places to pick from: the top level, or the children of `parent` while browsing down."""
    if parent and parent in config.units:
        unit = config.units[parent]
        pairs = [(config.units[c].name, _pack(FlowAction.UNIT, c)) for c in unit.children]
        pairs.insert(0, (T.PLACE_HERE.format(unit=unit.name), _pack(FlowAction.UNIT_HERE, unit.id)))
        pairs.append((T.PLACE_BACK, _pack(FlowAction.UNIT, unit.parent or ROOT_UNIT)))
        text = T.ASK_PLACE_CHILD.format(unit=esc(unit.name))
    else:
        pairs = [(u.name, _pack(FlowAction.UNIT, u.id)) for u in config.roots()]
        text = T.ASK_PLACE
    return text, InlineKeyboardMarkup([*button_rows(pairs, 1), cancel_row()])


def place_choices(config: Config, unit_ids: list[str]) -> InlineKeyboardMarkup:
    """Several places match what the citizen typed: one button each."""
    pairs = [(config.unit_label(u), _pack(FlowAction.UNIT_HERE, u)) for u in unit_ids]
    return InlineKeyboardMarkup([*button_rows(pairs, 1), cancel_row()])


def confirm_text(config: Config, state: State) -> str:
    data = state.data
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
