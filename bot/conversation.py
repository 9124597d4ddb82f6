"""The private chat's conversation state, declared once: its steps, the kinds of input a message
is, and the citizen's saved state (the draft row) with the version it was read at.

The state lives in the database, so a restart, or another replica answering the next update,
continues exactly where the citizen was. Which step accepts which input, and which handler takes
it, is the one table in bot.handlers.private.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from telegram import Message

from bot.services import Services


class Step(StrEnum):
    """What the citizen's next message or press answers (the value is what the draft row stores)."""

    # the feedback flow (/gopy): kind → place → topic → text → attachments → identity (→ contact) → confirm
    KIND = "kind"
    PLACE = "place"
    TOPIC = "topic"
    TEXT = "text"
    ATTACHMENTS = "attachments"
    IDENTITY = "identity"
    CONTACT = "contact"
    CONFIRM = "confirm"
    # outside the flow
    REPLY = "reply"  # the next message answers a committee (the "reply" button of a notification)
    OFFER = "offer"  # free text was offered as feedback; its buttons say whether to send it
    ASK = "ask"  # /hoi alone: the next message is a question


FLOW_STEPS: frozenset[Step] = frozenset({
    Step.KIND, Step.PLACE, Step.TOPIC, Step.TEXT, Step.ATTACHMENTS, Step.IDENTITY, Step.CONTACT, Step.CONFIRM,
})


class Input(StrEnum):
    """What a private message carries, as far as a step cares."""

    TEXT = "text"
    MEDIA = "media"  # photo, document, voice, audio, video, video note
    LOCATION = "location"
    CONTACT = "contact"
    OTHER = "other"  # a sticker, a poll…: nothing a step takes


_MEDIA = ("document", "voice", "audio", "video", "video_note")


def attachment_of(message: Message) -> dict[str, Any] | None:
    """What to relay later with copyMessage: the sender's own chat and message id, and the file."""
    kind: str | None = None
    file_id = unique = None
    if message.photo:
        kind, file_id, unique = "photo", message.photo[-1].file_id, message.photo[-1].file_unique_id
    else:
        for name in _MEDIA:
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


def input_of(message: Message) -> Input:
    attachment = attachment_of(message)
    if attachment is not None:
        return Input.LOCATION if attachment["kind"] == "location" else Input.MEDIA
    if message.contact is not None:
        return Input.CONTACT
    if message.text is not None:
        return Input.TEXT
    return Input.OTHER


@dataclass
class State:
    """The citizen's step and its data, and the version of the draft row it was read at."""

    step: Step
    data: dict[str, Any]
    version: int | None

    @property
    def in_flow(self) -> bool:
        return self.step in FLOW_STEPS


async def load_state(services: Services, user_id: int) -> State | None:
    stored = await services.store.get_draft(user_id)
    if stored is None:
        return None
    return State(Step(stored.step), dict(stored.data), stored.version)


async def save_state(services: Services, user_id: int, state: State, *, chat_id: int | None = None) -> None:
    """Save with the version read (DraftConflict if someone saved in between) and keep the new one."""
    saved = await services.store.save_draft(user_id, state.step, state.data, chat_id=chat_id,
                                            expected_version=state.version)
    state.version = saved.version


async def replace_state(services: Services, user_id: int, step: Step, data: dict[str, Any],
                        previous: State | None, *, chat_id: int | None = None) -> State:
    """A new state over whatever the citizen had (`previous`, as read)."""
    state = State(step, data, previous.version if previous else None)
    await save_state(services, user_id, state, chat_id=chat_id)
    return state
