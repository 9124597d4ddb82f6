"""The bot's HTTP client for the Bot API: PTB's request interface on aiohttp instead of httpx.

Why: every Bot API call goes through here, more than one per update in the feedback flow. With PTB's
HTTPXRequest (httpx → httpcore → anyio → h11) the HTTP client was most of the bot's CPU, and httpcore's
pool re-checks every open connection at each request; benchmarks/e2e.py prints both clients side by
side (the echo and bare flow bots on each).
aiohttp is already a dependency (the emulator's server), and PTB documents BaseRequest for this use.

What PTB's own class does and this one keeps: form fields, multipart uploads (files or handles),
a connection pool with a wait limit, the four timeouts with PTB's defaults (5 s each, 1 s to get a
pooled connection, 20 s to write an upload) and its errors — TimedOut for any timeout, NetworkError for
everything else that went wrong on the wire. BaseRequest turns HTTP status codes into PTB's errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

FORM_URLENCODED = "application/x-www-form-urlencoded"
POOL_SIZE = 256  # as PTB's HTTPXRequest; aiohttp finds a free connection without walking the others


@dataclass
class Timeouts:
    """Seconds; None waits for ever. Defaults as PTB's HTTPXRequest."""

    read: float | None = 5.0
    write: float | None = 5.0
    connect: float | None = 5.0
    pool: float | None = 1.0
    media_write: float | None = 20.0


class AiohttpRequest(BaseRequest):
    """One aiohttp session, created in `initialize` (inside the running loop), closed in `shutdown`."""

    def __init__(self, pool_size: int = POOL_SIZE, timeouts: Timeouts | None = None) -> None:
        self.pool_size = pool_size
        self.timeouts = timeouts or Timeouts()
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self.timeouts.read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.pool_size),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none; keep nothing between calls
            )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data is not None else None
        defaults = self.timeouts

        def pick(given: Any, default: float | None) -> float | None:
            return default if given is BaseRequest.DEFAULT_NONE else given

        read = pick(read_timeout, defaults.read)
        write = pick(write_timeout, defaults.media_write if files else defaults.write)
        connect = pick(connect_timeout, defaults.connect)
        pool = pick(pool_timeout, defaults.pool)
        parts = (read, write, connect, pool)
        timeout = aiohttp.ClientTimeout(
            # aiohttp has no write timeout: the whole call is bounded by the sum of the four instead
            total=None if None in parts else sum(p for p in parts if p is not None),
            connect=None if connect is None or pool is None else connect + pool,  # waiting for a connection
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(method, url, data=self._body(request_data, files),
                                             timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's timeouts are TimeoutError too
            raise TimedOut(f"Timed out: {_describe(exc, url)}") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise NetworkError(_describe(exc, url)) from None

    @staticmethod
    def _body(request_data: RequestData | None, files: dict[str, Any] | None) -> Any:
        """Form fields as PTB encodes them (strings; JSON for the rest), multipart when there are files."""
        if request_data is None:
            return None
        fields = request_data.json_parameters
        if not files:  # what aiohttp makes of a dict, without its FormData and MultipartWriter per call
            return aiohttp.BytesPayload(urlencode(fields).encode(), content_type=FORM_URLENCODED)
        form = aiohttp.FormData(quote_fields=False)  # names as UTF-8, as httpx sends them (not %-escaped)
        for name, value in fields.items():
            form.add_field(name, value)
        for name, (filename, content, mimetype) in files.items():
            form.add_field(name, content, filename=filename, content_type=mimetype)
        return form


def _describe(error: BaseException, url: str) -> str:
    """The error's class and text without the URL, which carries the token (aiohttp puts it into
    "Connection timeout to host …"). Not chained, for the same reason: a traceback would print it."""
    return f"aiohttp.{type(error).__name__}: {str(error).replace(url, '<url>')}"
