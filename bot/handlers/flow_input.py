"""Typed answers in the feedback flow: the text alternative of every step's buttons, the content and
its attachments, and the contact. bot.handlers.private says which step takes which of these.
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz, process

from bot.config import Config
from bot.conversation import Step, attachment_of, save_state
from bot.format import clean_text, esc
from bot.handlers.common import Turn, reply, show
from bot.handlers.flow import advance, choose_anonymous, choose_kind, choose_place, choose_topic, prompt, text_done
from bot.handlers.flow_views import done_keyboard, place_choices, place_view
from bot.routing import suggest_topics
from bot.texts import citizen as T
from bot.texts.common import KIND_LABELS
from knowledge.normalize import normalize

_PHONE = re.compile(r"(\+?84|0)[\s.-]?(\d[\s.-]?){8,10}")
_DONE_WORDS = {"xong", "done", "het", "gui", "ok", "tiep"}
PLACE_CHOICES = 5  # places offered when what was typed fits several
PLACE_CLEAR_LEAD = 8  # score by which the best place must beat the next to be taken at once


async def not_now(turn: Turn) -> None:
    """A message the current step does not take: say what the bot accepts, or ask the step again."""
    message = turn.message
    if message.text is None and attachment_of(message) is None and message.contact is None:
        await reply(turn.update, T.ATTACHMENT_UNSUPPORTED)
        return
    await prompt(turn.update, turn.services, turn.flow, T.DRAFT_BUSY)


async def kind_typed(turn: Turn) -> None:
    folded = normalize(turn.text)
    choices = {normalize(label): kind for kind, label in KIND_LABELS.items()}
    found = process.extractOne(folded, list(choices), scorer=fuzz.WRatio, score_cutoff=80)
    if found is None:
        await reply(turn.update, T.KIND_TYPED_UNKNOWN)
        return
    await choose_kind(turn, choices[found[0]])


async def place_typed(turn: Turn) -> None:
    text, config = turn.text, turn.services.config
    matches = turn.services.places.find(text)
    if not matches:
        await show(turn.update, place_view(config, None), T.PLACE_NOT_FOUND.format(text=esc(text[:100])))
    elif len(matches) == 1 or matches[0].score - matches[1].score >= PLACE_CLEAR_LEAD:
        await choose_place(turn, matches[0].unit.id)
    else:
        await reply(turn.update, T.PLACE_PICK_ONE.format(text=esc(text[:100])),
                    place_choices(config, [m.unit.id for m in matches[:PLACE_CHOICES]]))


def _match_topic(config: Config, text: str) -> str | None:
    folded = normalize(text)
    names = {normalize(t.name): t.id for t in config.topics.values()}
    found = process.extractOne(folded, list(names), scorer=fuzz.WRatio, score_cutoff=80)
    if found:
        return names[found[0]]
    suggested = suggest_topics(config, text)
    return suggested[0].id if suggested else None


async def topic_typed(turn: Turn) -> None:
    topic_id = _match_topic(turn.services.config, turn.text)
    if topic_id is None:
        await prompt(turn.update, turn.services, turn.flow, T.TOPIC_TYPED_UNKNOWN.format(text=esc(turn.text[:100])))
        return
    await choose_topic(turn, topic_id)


async def content_typed(turn: Turn) -> None:
    """Step 4: the content itself, within the configured length."""
    text, limits = turn.text, turn.services.config.limits
    if len(text) < limits.text_min_chars:
        await reply(turn.update, T.TEXT_TOO_SHORT.format(length=len(text), min=limits.text_min_chars))
        return
    if len(text) > limits.text_max_chars:
        await reply(turn.update, T.TEXT_TOO_LONG.format(length=len(text), max=limits.text_max_chars))
        return
    turn.flow.data["text"] = text
    await advance(turn)


async def more_text(turn: Turn) -> None:
    """While attachments are collected: "xong" ends them; other text is appended to the content."""
    text, limit, state = turn.text, turn.services.config.limits.text_max_chars, turn.flow
    if normalize(text) in _DONE_WORDS:
        await text_done(turn)
        return
    combined = f"{state.data.get('text', '')}\n{text}"
    if len(combined) > limit:
        await reply(turn.update, T.TEXT_TOO_LONG.format(length=len(combined), max=limit), done_keyboard())
        return
    state.data["text"] = combined
    await save_state(turn.services, turn.user_id, state)
    await reply(turn.update, T.TEXT_APPENDED.format(length=len(combined), max=limit), done_keyboard())


async def add_attachment(turn: Turn) -> None:
    """A photo, file, voice… or location: kept to be copied to the committee; a caption long enough
    counts as the content when none was written yet."""
    state, limits = turn.flow, turn.services.config.limits
    attachment: dict[str, Any] | None = attachment_of(turn.message)
    assert attachment is not None
    attachments: list[dict[str, Any]] = state.data.setdefault("attachments", [])
    if len(attachments) >= limits.attachments_max:
        await reply(turn.update, T.ATTACHMENT_LIMIT.format(max=limits.attachments_max), done_keyboard())
        return
    attachments.append(attachment)
    caption = clean_text(turn.message.caption)
    if state.step is Step.TEXT and caption and len(caption) >= limits.text_min_chars:
        state.data["text"] = caption[: limits.text_max_chars]
        state.step = Step.ATTACHMENTS
    await save_state(turn.services, turn.user_id, state)
    what = T.ATTACHMENT_WHAT.get(attachment["kind"], attachment["kind"])
    received = T.ATTACHMENT_RECEIVED.format(what=what, count=len(attachments), max=limits.attachments_max)
    if state.step is Step.TEXT:
        await prompt(turn.update, turn.services, state, received)
    else:
        await reply(turn.update, received, done_keyboard())


async def identity_typed(turn: Turn) -> None:
    """"ẩn danh" / "không", or a name with a phone number right away."""
    text = turn.text
    folded = normalize(text)
    if "an danh" in folded or folded in ("an", "khong"):
        await choose_anonymous(turn)
    elif _PHONE.search(text):
        turn.flow.data["anonymous"] = False
        turn.flow.step = Step.CONTACT
        await contact_typed(turn)
    else:
        await prompt(turn.update, turn.services, turn.flow)


async def contact_shared(turn: Turn) -> None:
    """The "share my number" button: only the citizen's own contact card is taken."""
    contact = turn.message.contact
    assert contact is not None
    if contact.user_id != turn.user_id:
        await reply(turn.update, T.CONTACT_NOT_OWN)
        return
    name = clean_text(" ".join(p for p in (contact.first_name, contact.last_name) if p))[:100]
    turn.flow.data.update(name=name, phone=clean_text(contact.phone_number)[:20])
    await advance(turn, T.CONTACT_SAVED.format(name=esc(name), phone=esc(turn.flow.data["phone"])),
                  clear_keyboard=True)


async def contact_typed(turn: Turn) -> None:
    """"Nguyễn Văn A, 0912345678": a name and a Vietnamese phone number."""
    text = turn.text
    match = _PHONE.search(text)
    if match is None:
        await reply(turn.update, T.CONTACT_BAD)
        return
    phone = re.sub(r"[\s.-]", "", match.group(0))
    name = clean_text((text[: match.start()] + text[match.end():]).strip(" ,;-:"))[:100]
    if not name:
        await reply(turn.update, T.CONTACT_BAD)
        return
    turn.flow.data.update(name=name, phone=phone, anonymous=False)
    await advance(turn, T.CONTACT_SAVED.format(name=esc(name), phone=esc(phone)), clear_keyboard=True)

