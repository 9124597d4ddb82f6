"""What the private-chat handlers share: the reply helpers and the `Turn` one message or press is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, Message, ReplyKeyboardRemove, Update

from bot.cards import send_message_payload, send_payload
from bot.conversation import State, load_state
from bot.format import clean_text
from bot.services import HopthuContext, Services


async def reply(update: Update, text: str, markup: Any = None, *, remove_keyboard: bool = False) -> None:
    """A new message (HTML) in the update's chat. Telegram's answer is not parsed (bot.cards.send_payload)."""
    chat = update.effective_chat
    assert chat is not None
    if markup is None and remove_keyboard:
        markup = ReplyKeyboardRemove()
    await send_payload(update.get_bot(), "sendMessage", send_message_payload(chat.id, text, keyboard=markup))


async def show(update: Update, view: tuple[str, Any], note: str | None = None, *,
               clear_keyboard: bool = False) -> None:
    """A question (text, keyboard) with `note` above it in the same message.

    `clear_keyboard`: a reply keyboard is up. A message carries one markup, so the note goes alone
    to take the keyboard away and the question follows with its buttons."""
    text, markup = view
    if note and clear_keyboard:
        await reply(update, note, remove_keyboard=True)
        note = None
    await reply(update, f"{note}\n\n{text}" if note else text, markup)


def button_rows(pairs: list[tuple[str, str]], per_row: int = 2) -> list[list[InlineKeyboardButton]]:
    """(label, callback data) pairs as rows of inline buttons."""
    buttons = [InlineKeyboardButton(label, callback_data=data) for label, data in pairs]
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


@dataclass
class Turn:
    """One private message or button press of a citizen, with the state it finds."""

    update: Update
    context: HopthuContext
    user_id: int
    state: State | None

    @property
    def services(self) -> Services:
        return self.context.services

    @property
    def message(self) -> Message:
        message = self.update.effective_message
        assert message is not None
        return message

    @property
    def text(self) -> str:
        """The message's text, cleaned (bot.format.clean_text); empty for anything else."""
        return clean_text(self.message.text)

    @property
    def flow(self) -> State:
        """The state of a turn the conversation table sent to a step handler: it has one."""
        assert self.state is not None
        return self.state

    @classmethod
    async def load(cls, update: Update, context: HopthuContext) -> Turn:
        user = update.effective_user
        assert user is not None
        return cls(update, context, user.id, await load_state(context.services, user.id))
