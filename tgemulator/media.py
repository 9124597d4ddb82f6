"""Bot API methods for files and media: uploads, photos in several sizes, albums, getFile.

Nothing leaves the machine: a URL given instead of an upload is recorded, never fetched.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from tgemulator.messages import MessageMethods
from tgemulator.objects import JSON, SentFile, StoredFile, bad_request
from tgemulator.params import UploadPart
from tgemulator.registry import api

__all__ = ["MediaMethods", "photo_sizes"]


def _image_size(data: bytes) -> tuple[int, int]:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:  # not an image Pillow knows: Telegram would still accept a document-ish photo
        return 512, 512


def photo_sizes(file: StoredFile, width: int, height: int, new_file: Callable[[], StoredFile]) -> list[JSON]:
    """Several PhotoSize objects, smallest first, as Telegram produces for one photo."""
    sizes: list[JSON] = []
    for target in (90, 320, 800):
        if target < width:
            thumb = new_file()
            sizes.append(
                {
                    "file_id": thumb.file_id,
                    "file_unique_id": thumb.file_unique_id,
                    "file_size": len(thumb.data),
                    "width": target,
                    "height": max(1, round(height * target / width)),
                }
            )
    sizes.append(
        {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_size": len(file.data),
            "width": width,
            "height": height,
        }
    )
    return sizes


class MediaMethods(MessageMethods):
    """Handlers that send or look up files; captions, replies and keyboards are the message methods' job."""

    def _upload(
        self, kind: str, params: JSON, files: dict[str, UploadPart], field: str | None = None
    ) -> tuple[StoredFile, UploadPart | None]:
        """The file a send method refers to: an upload, a known file_id, or an (unfetched) URL."""
        field = field or kind
        value = params.get(field)
        part = files.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            part = files.get(value[len("attach://") :])
            if part is None:
                raise bad_request(f"file of field {value} not found")
        if part is not None:
            mime = part.content_type if part.content_type != "application/octet-stream" else None
            return self._new_file(kind, part.data, file_name=part.filename, mime_type=mime), part
        if isinstance(value, str) and value in self.files:
            return self.files[value], None
        if isinstance(value, str) and re.match(r"https?://", value):
            # Nothing leaves the machine: a URL is recorded, never fetched.
            name = urlsplit(value).path.rsplit("/", 1)[-1] or None
            return self._new_file(kind, b"", file_name=name), None
        if value in (None, ""):
            raise bad_request(f"there is no {kind} in the request")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _media_content(self, kind: str, file: StoredFile, params: JSON) -> JSON:
        if kind == "photo":
            width, height = _image_size(file.data)
            return {"photo": photo_sizes(file, width, height, lambda: self._new_file("photo", file.data))}
        base: JSON = {"file_id": file.file_id, "file_unique_id": file.file_unique_id, "file_size": len(file.data)}
        if kind == "document":
            if file.file_name:
                base["file_name"] = file.file_name
            if file.mime_type:
                base["mime_type"] = file.mime_type
        elif kind in ("voice", "audio", "video", "animation"):
            base["duration"] = int(params.get("duration") or 0)
            if kind == "voice":
                base["mime_type"] = "audio/ogg"
            if kind in ("video", "animation"):
                base["width"] = int(params.get("width") or 640)
                base["height"] = int(params.get("height") or 360)
        elif kind == "sticker":
            base.update({"type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False})
            if params.get("emoji"):
                base["emoji"] = params["emoji"]
        return {kind: base}

    async def _send_media(self, kind: str, params: JSON, files: dict[str, UploadPart], method: str) -> JSON:
        chat = self._writable_chat(params.get("chat_id"))
        caption = self._caption(params)
        self._check_markup(params.get("reply_markup"))
        reply = self._reply_target(chat, params)
        file, part = self._upload(kind, params, files)
        stored = self._bot_message(chat, {**self._media_content(kind, file, params), **caption}, params, reply=reply)
        if part is not None:
            self.sent_files.append(
                SentFile(
                    method,
                    chat.id,
                    stored.message_id,
                    kind,
                    part.filename,
                    part.data,
                    part.content_type,
                    caption.get("caption"),
                    file.file_id,
                )
            )
        return copy.deepcopy(stored.data)

    @api("sendPhoto")
    async def m_send_photo(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("photo", params, files, "sendPhoto")

    @api("sendDocument")
    async def m_send_document(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("document", params, files, "sendDocument")

    @api("sendVoice")
    async def m_send_voice(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("voice", params, files, "sendVoice")

    @api("sendAudio")
    async def m_send_audio(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("audio", params, files, "sendAudio")

    @api("sendVideo")
    async def m_send_video(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("video", params, files, "sendVideo")

    @api("sendAnimation")
    async def m_send_animation(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("animation", params, files, "sendAnimation")

    @api("sendSticker")
    async def m_send_sticker(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        return await self._send_media("sticker", params, files, "sendSticker")

    @api("sendMediaGroup")
    async def m_send_media_group(self, params: JSON, files: dict[str, UploadPart]) -> list[JSON]:
        chat = self._writable_chat(params.get("chat_id"))
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("wrong number of messages to send as an album")
        reply = self._reply_target(chat, params)
        group_id = f"emu{self._next_update_id}{chat.id}"
        prepared = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in ("photo", "document", "audio", "video"):
                raise bad_request("can't parse InputMedia JSON object")
            kind = item["type"]
            caption = self._caption(item)
            file, part = self._upload(kind, {kind: item.get("media")}, files)
            prepared.append((kind, file, part, caption))
        results = []
        for kind, file, part, caption in prepared:
            content = {**self._media_content(kind, file, {}), **caption, "media_group_id": group_id}
            stored = self._bot_message(chat, content, {}, reply=reply)
            if part is not None:
                self.sent_files.append(
                    SentFile(
                        "sendMediaGroup",
                        chat.id,
                        stored.message_id,
                        kind,
                        part.filename,
                        part.data,
                        part.content_type,
                        caption.get("caption"),
                        file.file_id,
                    )
                )
            results.append(copy.deepcopy(stored.data))
        return results

    # ----------------------------------------------------------------- files
    @api("getFile")
    async def m_get_file(self, params: JSON, files: dict[str, UploadPart]) -> JSON:
        stored = self.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.to_file_json()
