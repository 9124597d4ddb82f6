"""Callback data: one small typed dataclass per button family, packed short and parsed defensively.

Telegram gives us back whatever string a client sends, so a press is parsed into its family's
dataclass or refused (`CallbackRefused`, answered with the stale-button alert in one place, bot.app);
handlers then re-check what the payload cannot prove (ownership, the draft's step) against the
database. `pack()` checks Telegram's 64-byte limit, so no handler can build a button that is cut off.

Wire format: `<prefix>:<action>[:<arg>…]`, lowercase ASCII, one letter per family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Self, TypeVar

from storage.statuses import Kind, SubmissionStatus

MAX_CALLBACK_BYTES = 64
_SAFE = re.compile(r"^[a-z0-9_:-]{1,64}$")


class CallbackRefused(ValueError):
    """Callback data this bot could not have produced (forged, truncated, or of an older version)."""


@dataclass(frozen=True)
class Callback:
    """The raw parts of a payload, before its family gives them a type."""

    prefix: str
    action: str
    args: tuple[str, ...]


def make(prefix: str, action: str, *args: object) -> str:
    """The wire form of a payload; ValueError if it would exceed 64 bytes or leave the safe alphabet."""
    data = ":".join([prefix, action, *(str(a) for a in args)])
    if len(data.encode()) > MAX_CALLBACK_BYTES or not _SAFE.match(data):
        raise ValueError(f"callback data not allowed: {data!r}")
    return data


def parse(data: str | None) -> Callback | None:
    """None for anything that is not shaped like a payload of this bot."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES or not _SAFE.match(data):
        return None
    parts = data.split(":")
    if len(parts) < 2 or not parts[1]:
        return None
    return Callback(parts[0], parts[1], tuple(parts[2:]))


def _raw(data: str | None, prefix: str) -> Callback:
    raw = parse(data)
    if raw is None or raw.prefix != prefix:
        raise CallbackRefused(data)
    return raw


_Enum = TypeVar("_Enum", bound=StrEnum)


def _action(enum: type[_Enum], value: str) -> _Enum:
    try:
        return enum(value)
    except ValueError:
        raise CallbackRefused(value) from None


def _id(value: str) -> int:
    """A database id as we print it: digits only, no sign, no leading zero."""
    if not value.isdigit() or str(int(value)) != value:
        raise CallbackRefused(value)
    return int(value)


# ---------------------------------------------------------------- main menu

class MenuAction(StrEnum):
    SEND = "send"
    ASK = "ask"
    STATUS = "status"
    DOCS = "docs"
    APPLY = "apply"
    HELP = "help"


@dataclass(frozen=True)
class MenuButton:
    PREFIX: ClassVar[str] = "m"
    action: MenuAction

    def pack(self) -> str:
        return make(self.PREFIX, self.action)

    @classmethod
    def parse(cls, data: str | None) -> Self:
        raw = _raw(data, cls.PREFIX)
        if raw.args:
            raise CallbackRefused(data)
        return cls(_action(MenuAction, raw.action))


# ---------------------------------------------------------------- the feedback flow

class FlowAction(StrEnum):
    KIND = "k"          # arg: the kind
    UNIT = "u"          # arg: a place to open (or "root")
    UNIT_HERE = "uh"    # arg: the place chosen
    TOPIC = "t"         # arg: the topic
    DONE = "done"       # no more attachments
    ANONYMOUS = "anon"
    NAMED = "named"
    SEND = "send"
    EDIT = "edit"       # which part to change?
    EDIT_PART = "e"     # arg: the part (EditPart)
    CANCEL = "cancel"


class EditPart(StrEnum):
    KIND = "kind"
    PLACE = "place"
    TOPIC = "topic"
    TEXT = "text"
    IDENTITY = "identity"


ROOT_UNIT = "root"
_FLOW_WITH_ARG = frozenset({FlowAction.KIND, FlowAction.UNIT, FlowAction.UNIT_HERE, FlowAction.TOPIC,
                            FlowAction.EDIT_PART})


@dataclass(frozen=True)
class FlowButton:
    """A press in the feedback flow. Places and topics are checked against the config by the flow."""

    PREFIX: ClassVar[str] = "g"
    action: FlowAction
    arg: str = ""

    def pack(self) -> str:
        return make(self.PREFIX, self.action, *((self.arg,) if self.arg else ()))

    @classmethod
    def parse(cls, data: str | None) -> Self:
        raw = _raw(data, cls.PREFIX)
        action = _action(FlowAction, raw.action)
        if len(raw.args) != (1 if action in _FLOW_WITH_ARG else 0):
            raise CallbackRefused(data)
        arg = raw.args[0] if raw.args else ""
        if action is FlowAction.KIND:
            _action(Kind, arg)
        elif action is FlowAction.EDIT_PART:
            _action(EditPart, arg)
        return cls(action, arg)


# ---------------------------------------------------------------- yes/no questions

class YesNoAnswer(StrEnum):
    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class _YesNo:
    PREFIX: ClassVar[str]
    answer: YesNoAnswer

    def pack(self) -> str:
        return make(self.PREFIX, self.answer)

    @classmethod
    def parse(cls, data: str | None) -> Self:
        raw = _raw(data, cls.PREFIX)
        if raw.args:
            raise CallbackRefused(data)
        return cls(_action(YesNoAnswer, raw.action))

    @property
    def yes(self) -> bool:
        return self.answer is YesNoAnswer.YES


@dataclass(frozen=True)
class OfferButton(_YesNo):
    """Free text offered as feedback: send it through the flow, or not."""

    PREFIX: ClassVar[str] = "o"


@dataclass(frozen=True)
class DeleteButton(_YesNo):
    """/xoadulieu's confirmation."""

    PREFIX: ClassVar[str] = "x"


# ---------------------------------------------------------------- a citizen's notification

class CitizenAction(StrEnum):
    REPLY = "reply"
    RATE = "rate"
    STARS = "stars"  # arg: 1–5


@dataclass(frozen=True)
class CitizenButton:
    PREFIX: ClassVar[str] = "p"
    action: CitizenAction
    submission_id: int
    stars: int = 0

    def pack(self) -> str:
        extra = (self.stars,) if self.action is CitizenAction.STARS else ()
        return make(self.PREFIX, self.action, self.submission_id, *extra)

    @classmethod
    def parse(cls, data: str | None) -> Self:
        raw = _raw(data, cls.PREFIX)
        action = _action(CitizenAction, raw.action)
        if len(raw.args) != (2 if action is CitizenAction.STARS else 1):
            raise CallbackRefused(data)
        stars = _id(raw.args[1]) if action is CitizenAction.STARS else 0
        if action is CitizenAction.STARS and not 1 <= stars <= 5:
            raise CallbackRefused(data)
        return cls(action, _id(raw.args[0]), stars)


# ---------------------------------------------------------------- the committee's card

class CommitteeAction(StrEnum):
    ACKNOWLEDGE = "ack"
    IN_PROGRESS = "prog"
    RESOLVED = "done"
    OUT_OF_SCOPE = "oos"
    REPLY = "reply"
    FORWARD_MENU = "fwd"
    FORWARD_TO = "fto"  # arg: the committee
    BACK = "back"


# What a status button does to the status; the other actions open a dialogue instead.
STATUS_ACTIONS: dict[CommitteeAction, SubmissionStatus] = {
    CommitteeAction.ACKNOWLEDGE: SubmissionStatus.ACKNOWLEDGED,
    CommitteeAction.IN_PROGRESS: SubmissionStatus.IN_PROGRESS,
    CommitteeAction.RESOLVED: SubmissionStatus.RESOLVED,
    CommitteeAction.OUT_OF_SCOPE: SubmissionStatus.OUT_OF_SCOPE,
}


@dataclass(frozen=True)
class CommitteeButton:
    PREFIX: ClassVar[str] = "c"
    action: CommitteeAction
    submission_id: int
    target: str = ""  # FORWARD_TO: the committee's id, checked against the config by the handler

    def pack(self) -> str:
        extra = (self.target,) if self.action is CommitteeAction.FORWARD_TO else ()
        return make(self.PREFIX, self.action, self.submission_id, *extra)

    @classmethod
    def parse(cls, data: str | None) -> Self:
        raw = _raw(data, cls.PREFIX)
        action = _action(CommitteeAction, raw.action)
        if len(raw.args) != (2 if action is CommitteeAction.FORWARD_TO else 1):
            raise CallbackRefused(data)
        return cls(action, _id(raw.args[0]), raw.args[1] if len(raw.args) == 2 else "")


# ---------------------------------------------------------------- questions and browsing

class QuestionAction(StrEnum):
    ARTICLE = "a"    # <doc>:<art>                 show an article (a new message)
    VOTE = "v"       # <question-id>:<1|0>         👍 / 👎 on an answer
    DOCUMENTS = "l"  #                             the list of documents
    DOCUMENT = "d"   # <doc>                       a document: its chapters
    CHAPTER = "c"    # <doc>:<chapter>:<page>      the articles of a chapter, by pages
    PAGES = "p"      # <doc>:<page>                all articles of a document, by pages
    ROLES = "r"      # [<role>]                    /apdung: the roles, or the answer for one role


NEW_MESSAGE = "n"


@dataclass(frozen=True)
class QuestionButton:
    """A questions button. `new`: send a new message (the button sits under an article, which must
    stay) instead of replacing the pressed one. The arguments name documents, articles and pages of
    the knowledge base, so bot.handlers.question_views checks them against it."""

    PREFIX: ClassVar[str] = "q"
    action: QuestionAction
    args: tuple[str, ...] = ()
    new: bool = False

    def pack(self) -> str:
        return make(self.PREFIX, self.action, *self.args, *((NEW_MESSAGE,) if self.new else ()))

    @classmethod
    def parse(cls, data: str | None) -> Self:
        raw = _raw(data, cls.PREFIX)
        action = _action(QuestionAction, raw.action)
        args = raw.args
        new = action is not QuestionAction.VOTE and bool(args) and args[-1] == NEW_MESSAGE
        return cls(action, args[:-1] if new else args, new)

    def number(self, index: int) -> int | None:
        """Argument `index` as a number written the way pack writes it, else None."""
        try:
            return _id(self.args[index])
        except (IndexError, CallbackRefused):
            return None


AnyButton = MenuButton | FlowButton | OfferButton | DeleteButton | CitizenButton | CommitteeButton | QuestionButton

FAMILIES: dict[str, type[AnyButton]] = {
    family.PREFIX: family
    for family in (MenuButton, FlowButton, OfferButton, DeleteButton, CitizenButton, CommitteeButton, QuestionButton)
}


def parse_any(data: str | None) -> AnyButton:
    """The typed button for any payload of this bot; CallbackRefused for anything else."""
    raw = parse(data)
    family = FAMILIES.get(raw.prefix) if raw is not None else None
    if family is None:
        raise CallbackRefused(data)
    return family.parse(data)


def submission_in_buttons(markup: object, family: type[CitizenButton | CommitteeButton],
                          action: CitizenAction | CommitteeAction | None = None) -> int | None:
    """The submission id a message's own buttons act on (e.g. the card's `c:ack:<id>`), or None.

    Lets a reply to that message be threaded even before its message id was recorded."""
    for row in getattr(markup, "inline_keyboard", None) or ():
        for button in row:
            try:
                data = family.parse(getattr(button, "callback_data", None))
            except CallbackRefused:
                continue
            if action is None or data.action == action:
                return data.submission_id
    return None
