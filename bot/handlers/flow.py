"""The feedback flow (/gopy): starting and cancelling it, moving from step to step, its buttons, and
sending the submission.

Each update loads the citizen's state, applies one step and saves it with the version it read
(bot.conversation). Which step takes which button is the table in bot.handlers.private; a button
from an older step is refused there as stale instead of jumping the flow around.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update

from bot import outbox_items
from bot.callbacks import ROOT_UNIT, EditPart
from bot.cards import card_parts, related_article
from bot.conversation import State, Step, load_state, replace_state, save_state
from bot.format import esc
from bot.handlers.common import Turn, reply, show
from bot.handlers.flow_views import edit_keyboard, place_view, prompt_view
from bot.routing import route
from bot.services import HopthuContext, Services
from bot.texts import citizen as T
from bot.texts import committee as TC
from bot.texts.common import KIND_LABELS, STALE_BUTTON
from storage import DraftConflict
from storage.statuses import Kind

# What choosing "edit" on a part forgets, so the flow asks for it again.
_EDIT_CLEARS: dict[EditPart, tuple[str, ...]] = {
    EditPart.KIND: ("kind",), EditPart.PLACE: ("unit_id", "browse"), EditPart.TOPIC: ("topic_id",),
    EditPart.TEXT: ("text", "text_done"), EditPart.IDENTITY: ("anonymous", "name", "phone"),
}
_FORMAL = {Kind.KHIEU_NAI: T.COMPLAINT_LAW, Kind.TO_CAO: T.DENUNCIATION_LAW}


async def start_flow(update: Update, context: HopthuContext, *, unit_id: str | None = None,
                     text: str | None = None) -> None:
    """/gopy, the menu button, a deep link, or free text offered as feedback."""
    services = context.services
    user = update.effective_user
    assert user is not None
    state = await load_state(services, user.id)
    if state is not None and state.in_flow and unit_id is None and text is None:
        await prompt(update, services, state, T.DRAFT_RESUMED)
        return
    data: dict[str, Any] = {"attachments": []}
    if unit_id is not None:
        data["unit_id"] = unit_id
    if text:
        data["text"] = text
        mentioned = services.places.mentioned_in(text)
        if mentioned is not None and unit_id is None:
            data["suggested_unit"] = mentioned.id
    new = await replace_state(services, user.id, Step.KIND, data, state)
    await prompt(update, services, new)


async def cancel_flow(update: Update, context: HopthuContext) -> None:
    user = update.effective_user
    assert user is not None
    removed = await context.services.store.delete_draft(user.id)
    await reply(update, T.CANCELLED if removed else T.NOTHING_TO_CANCEL, remove_keyboard=True)


async def prompt(update: Update, services: Services, state: State, note: str | None = None, *,
                 clear_keyboard: bool = False) -> None:
    """Ask for whatever the current step needs; `note` (what was just recorded) rides on the same
    message, so each step costs the citizen one message to read and the bot one request."""
    await show(update, prompt_view(services.config, state), note, clear_keyboard=clear_keyboard)


def next_step(state: State) -> Step:
    """After a step is answered: the first step still missing, or back to confirm when editing."""
    data = state.data
    if "kind" not in data:
        return Step.KIND
    if "unit_id" not in data:
        return Step.PLACE
    if "topic_id" not in data:
        return Step.TOPIC
    if not data.get("text"):
        return Step.TEXT
    if not data.get("text_done"):
        return Step.ATTACHMENTS
    if "anonymous" not in data:
        return Step.IDENTITY
    if data.get("anonymous") is False and not data.get("phone"):
        return Step.CONTACT
    return Step.CONFIRM


async def advance(turn: Turn, note: str | None = None, *, clear_keyboard: bool = False) -> None:
    state = turn.flow
    state.step = next_step(state)
    await save_state(turn.services, turn.user_id, state)
    await prompt(turn.update, turn.services, state, note, clear_keyboard=clear_keyboard)


# ---------------------------------------------------------------- answers to the steps (buttons and typed)

async def choose_kind(turn: Turn, kind: str) -> None:
    data = turn.flow.data
    data["kind"] = kind
    if kind in _FORMAL:
        label = KIND_LABELS[kind]
        await reply(turn.update, T.FORMAL_COMPLAINT_NOTE.format(kind=label, kind_lower=label.lower(),
                                                                law=_FORMAL[Kind(kind)]))
    config = turn.services.config
    if "unit_id" in data:
        await reply(turn.update, T.PLACE_CHOSEN.format(unit=esc(config.unit_label(data["unit_id"]))))
    suggested = data.get("suggested_unit")
    if suggested and "unit_id" not in data and suggested in config.units:
        data["browse"] = config.units[suggested].parent
    await advance(turn)


async def choose_place(turn: Turn, unit_id: str) -> None:
    turn.flow.data["unit_id"] = unit_id
    turn.flow.data.pop("browse", None)
    await advance(turn, T.PLACE_CHOSEN.format(unit=esc(turn.services.config.unit_label(unit_id))))


async def open_place(turn: Turn, unit_id: str) -> None:
    """A place pressed while browsing: chosen if it has no children, else opened (or back to the top)."""
    unit = turn.services.config.units.get(unit_id)
    if unit is not None and not unit.children:
        await choose_place(turn, unit.id)
        return
    turn.flow.data["browse"] = None if unit_id == ROOT_UNIT else unit_id
    await save_state(turn.services, turn.user_id, turn.flow)
    await show(turn.update, place_view(turn.services.config, turn.flow.data["browse"]))


async def choose_topic(turn: Turn, topic_id: str) -> None:
    turn.flow.data["topic_id"] = topic_id
    await advance(turn, T.TOPIC_CHOSEN.format(topic=esc(turn.services.config.topics[topic_id].name)))


async def text_done(turn: Turn, _: str = "") -> None:
    turn.flow.data["text_done"] = True
    await advance(turn)


async def choose_anonymous(turn: Turn, _: str = "") -> None:
    turn.flow.data.update(anonymous=True, name=None, phone=None)
    await advance(turn)


async def choose_named(turn: Turn, _: str) -> None:
    turn.flow.data["anonymous"] = False
    await advance(turn)


async def ask_what_to_edit(turn: Turn, _: str) -> None:
    await reply(turn.update, T.EDIT_WHAT, edit_keyboard())


async def edit_part(turn: Turn, part: str) -> None:
    for key in _EDIT_CLEARS[EditPart(part)]:
        turn.flow.data.pop(key, None)
    await advance(turn)


# ---------------------------------------------------------------- submit

async def submit(turn: Turn, _: str = "") -> None:
    """Commit the submission with its card and attachment copies in the outbox, then give the code."""
    update, services, user_id, state = turn.update, turn.services, turn.user_id, turn.flow
    config = services.config
    data = state.data
    committee = route(config, data["unit_id"], data.get("topic_id"))
    now = datetime.now(UTC)
    kind = data["kind"]
    anonymous = bool(data.get("anonymous", True))
    attachments: list[dict[str, Any]] = data.get("attachments", [])
    copies = [outbox_items.Copy(a["kind"], a["chat_id"], a["message_id"]) for a in attachments]
    ref = related_article(config, services.kb, services.index, data.get("topic_id"), data["text"])
    sender = None if anonymous else TC.SENDER_NAMED.format(name=data.get("name"), phone=data.get("phone"))
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
            outbox=lambda sub: outbox_items.new_submission(
                sub, committee,
                card_parts(config, services.kb, sub, sender=sender, attachments=len(attachments), ref=ref), copies),
            draft_version=state.version,
        )
    except DraftConflict:  # a double tap on "Gửi", or another replica already sent it
        await reply(update, STALE_BUTTON)
        return
    try:
        await reply(update, T.SENT.format(code=esc(sub.code), committee=esc(committee.name)), remove_keyboard=True)
    finally:  # the card is committed either way; its delivery waits until the citizen has the code
        services.wake_delivery()
