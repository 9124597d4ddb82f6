"""Free text that reads like feedback is offered as feedback: "send it?" — yes starts the flow with
the text already filled in. The text waits in the citizen's state (Step.OFFER), not in the button:
callback data holds 64 bytes."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callbacks import OfferButton, YesNoAnswer
from bot.conversation import Step, load_state, replace_state
from bot.handlers import flow
from bot.handlers.common import reply
from bot.services import HopthuContext, Services
from bot.texts import citizen as T
from bot.texts.common import STALE_BUTTON


async def offer_as_feedback(update: Update, services: Services, user_id: int, text: str) -> None:
    """Keep the text and ask whether to send it."""
    state = await load_state(services, user_id)
    await replace_state(services, user_id, Step.OFFER, {"text": text[: services.config.limits.text_max_chars]},
                        state)
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(T.BUTTON_OFFER_SEND, callback_data=OfferButton(YesNoAnswer.YES).pack()),
        InlineKeyboardButton(T.BUTTON_OFFER_NO, callback_data=OfferButton(YesNoAnswer.NO).pack()),
    ]])
    await reply(update, T.FREE_TEXT_OFFER, keyboard)


async def on_offer_button(update: Update, context: HopthuContext, button: OfferButton) -> None:
    services = context.services
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    await query.answer()
    state = await load_state(services, user.id)
    if state is None or state.step is not Step.OFFER:
        await reply(update, STALE_BUTTON)
        return
    await services.store.delete_draft(user.id)
    if not button.yes:
        await reply(update, T.OFFER_DECLINED)
        return
    await flow.start_flow(update, context, text=state.data.get("text", ""))
