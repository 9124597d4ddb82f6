"""The emulator's world: users, chats, stored messages and files, recorded calls.

Plain dataclasses that serialise to exactly the Bot API JSON PTB expects, so the objects the bot
receives are the ones a real client would produce.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ApiError",
    "Chat",
    "ChatEvent",
    "RecordedCall",
    "SentFile",
    "StoredFile",
    "StoredMessage",
    "User",
    "tiny_png",
]

JSON = dict[str, Any]


class ApiError(Exception):
    """A Bot API error answer: HTTP status = error_code, `description` is Telegram's wording."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    """400 with the "Bad Request: " prefix every Telegram 400 carries."""
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class User:
    """A Telegram account played by a test; `blocked_bot` makes the bot's messages to it fail with 403."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "vi"
    is_bot: bool = False
    blocked_bot: bool = False

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


@dataclass
class Chat:
    """A private chat (id = user id) or a group; supergroups have negative ids like -100xxxxxxxxxx."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    bot_is_member: bool = True
    bot_is_admin: bool = False
    members: dict[int, str] = field(default_factory=dict)  # user id -> chat member status

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data

    @property
    def is_private(self) -> bool:
        return self.type == "private"


@dataclass
class StoredMessage:
    """A message in a chat as it is now (edits applied); `data` is its Bot API JSON."""

    data: JSON
    from_bot: bool
    created: float
    deleted: bool = False
    copied_from: tuple[int, int] | None = None  # (chat id, message id) of a copyMessage source
    forwarded_from: tuple[int, int] | None = None

    @property
    def chat_id(self) -> int:
        return int(self.data["chat"]["id"])

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])


@dataclass
class StoredFile:
    """A file known to the emulator: sent by a user or uploaded by the bot; downloadable via getFile."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    def to_file_json(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class SentFile:
    """A file the bot uploaded (multipart), kept so tests can open the .xlsx / .png the bot produced."""

    method: str
    chat_id: int
    message_id: int
    field: str
    filename: str | None
    data: bytes
    mime_type: str | None
    caption: str | None
    file_id: str


@dataclass
class RecordedCall:
    """One request the bot made, failed or not: what was asked and what the emulator answered."""

    method: str
    params: JSON
    started: float
    finished: float | None = None
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    fault: str | None = None  # FaultKind value when the answer was an injected fault

    @property
    def ok(self) -> bool:
        return self.error_code is None and self.fault is None and self.finished is not None


@dataclass(frozen=True)
class ChatEvent:
    """A change in a chat, for `subscribe()` watchers such as `hopthu demo`."""

    kind: str  # "new" | "edited" | "deleted"
    chat_id: int
    message: JSON
    from_bot: bool


def tiny_png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid PNG built without Pillow, as the default content of a citizen's photo."""

    def chunk(tag: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", zlib.crc32(tag + payload) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
