"""The conversation in private chat: ONE table of what each step accepts and which handler takes it,
and the dispatch of private messages and feedback-flow buttons through it.

A message finds the citizen in a step (bot.conversation.Step) or in none. In a step of the feedback
flow, the step's handler for that kind of input takes it; any other input gets `otherwise` (say what
the step needs). A pending reply to a committee takes any message. Outside the flow (no step, an
offer, /hoi waiting), a reply to one of the bot's notices goes to the committee, and other text is
read as a question or as feedback (bot.handlers.questions).

A flow button is taken only by the step it belongs to: one from an older step is stale.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from telegram import Update

from bot.callbacks import ROOT_UNIT, FlowAction, FlowButton
from bot.config import Config
from bot.conversation import Input, Step, input_of
from bot.handlers import citizen, flow, flow_input, questions
from bot.handlers.common import Turn
from bot.services import HopthuContext
from bot.texts.common import STALE_BUTTON

MessageHandler = Callable[[Turn], Awaitable[None]]
ButtonHandler = Callable[[Turn, str], Awaitable[None]]


@dataclass(frozen=True)
class StepRule:
    """What a step accepts: messages by kind of input, and the flow's buttons by action."""

    messages: Mapping[Input, MessageHandler] = field(default_factory=dict)
    otherwise: MessageHandler | None = None  # any other message (None: read as outside the flow)
    buttons: Mapping[FlowAction, ButtonHandler] = field(default_factory=dict)

    @property
    def accepts(self) -> frozenset[Input]:
        return frozenset(self.messages)


async def _pending_reply(turn: Turn) -> None:
    if not await citizen.on_pending_reply(turn):
        await _outside_flow(turn)


async def _outside_flow(turn: Turn) -> None:
    if await citizen.on_quoted_notice(turn):
        return
    await questions.on_free_text(turn)


_MEDIA = {Input.MEDIA: flow_input.add_attachment, Input.LOCATION: flow_input.add_attachment}

STEPS: dict[Step, StepRule] = {
    Step.KIND: StepRule({Input.TEXT: flow_input.kind_typed}, flow_input.not_now,
                        {FlowAction.KIND: flow.choose_kind}),
    Step.PLACE: StepRule({Input.TEXT: flow_input.place_typed}, flow_input.not_now,
                         {FlowAction.UNIT: flow.open_place, FlowAction.UNIT_HERE: flow.choose_place}),
    Step.TOPIC: StepRule({Input.TEXT: flow_input.topic_typed}, flow_input.not_now,
                         {FlowAction.TOPIC: flow.choose_topic}),
    Step.TEXT: StepRule({Input.TEXT: flow_input.content_typed, **_MEDIA}, flow_input.not_now),
    Step.ATTACHMENTS: StepRule({Input.TEXT: flow_input.more_text, **_MEDIA}, flow_input.not_now,
                               {FlowAction.DONE: flow.text_done}),
    Step.IDENTITY: StepRule({Input.TEXT: flow_input.identity_typed}, flow_input.not_now,
                            {FlowAction.ANONYMOUS: flow.choose_anonymous, FlowAction.NAMED: flow.choose_named}),
    Step.CONTACT: StepRule({Input.CONTACT: flow_input.contact_shared, Input.TEXT: flow_input.contact_typed},
                           flow_input.not_now),
    Step.CONFIRM: StepRule({}, flow_input.not_now,
                           {FlowAction.SEND: flow.submit, FlowAction.EDIT: flow.ask_what_to_edit,
                            FlowAction.EDIT_PART: flow.edit_part}),
    # outside the flow: any message answers the committee; a new text replaces an offer; /hoi's question
    Step.REPLY: StepRule(otherwise=_pending_reply),
    Step.OFFER: StepRule(),
    Step.ASK: StepRule(),
}


async def on_private_message(update: Update, context: HopthuContext) -> None:
    turn = await Turn.load(update, context)
    state = turn.state
    if state is None:
        await _outside_flow(turn)
        return
    rule = STEPS[state.step]
    if state.in_flow:
        # Telegram delivers updates at least once (a webhook retried, getUpdates after a crash): a
        # message already applied to this state must not append its text or attachment a second time.
        applied = state.data.get("last_message_id")
        if isinstance(applied, int) and turn.message.message_id <= applied:
            return
        state.data["last_message_id"] = turn.message.message_id
    kind = input_of(turn.message)
    handler = rule.messages.get(kind)
    if kind is Input.TEXT and not turn.text:
        handler = None  # only spaces or control characters: nothing a step can take
    if handler is None:
        handler = rule.otherwise or _outside_flow
    await handler(turn)


# ---------------------------------------------------------------- flow buttons

def _known(config: Config, button: FlowButton) -> bool:
    """A place or topic named by a button must be one of this deployment's (the payload is untrusted)."""
    if button.action is FlowAction.UNIT:
        return button.arg == ROOT_UNIT or button.arg in config.units
    if button.action is FlowAction.UNIT_HERE:
        return button.arg in config.units
    if button.action is FlowAction.TOPIC:
        return button.arg in config.topics
    return True


async def on_flow_button(update: Update, context: HopthuContext, button: FlowButton) -> None:
    query = update.callback_query
    assert query is not None
    if button.action is FlowAction.CANCEL:
        await query.answer()
        await flow.cancel_flow(update, context)
        return
    turn = await Turn.load(update, context)
    state = turn.state
    handler = STEPS[state.step].buttons.get(button.action) if state is not None and state.in_flow else None
    if handler is None or not _known(context.services.config, button):
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    # The button's spinner stops whenever this answer lands: the step does not wait for it.
    answered = asyncio.ensure_future(query.answer())
    try:
        await handler(turn, button.arg)
    finally:
        await answered
