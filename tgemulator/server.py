"""The emulator's HTTP side: a real Bot API server on 127.0.0.1 that PTB talks to unmodified.

Routes are the real ones (`/bot<token>/<method>`, `/file/bot<token>/<path>`) so that
`ApplicationBuilder().base_url(emu.base_url).base_file_url(emu.base_file_url)` is the only change a bot
needs. Every request is recorded; faults are injected here, before a request takes effect.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from tgemulator.account import AccountMethods
from tgemulator.actors import UserActions
from tgemulator.chats import ChatMethods
from tgemulator.faults import FaultInjector, FaultKind, FaultRule, InjectedFault
from tgemulator.media import MediaMethods
from tgemulator.objects import JSON, ApiError, RecordedCall
from tgemulator.observe import EmulatorObserver
from tgemulator.params import describe_params, read_params
from tgemulator.ratelimit import RateLimits, Violation
from tgemulator.registry import API_METHODS, LOCAL_HOSTS, SENDING_METHODS, api
from tgemulator.webhook import WebhookDelivery

__all__ = ["BotApiEmulator"]

_LOGGER = logging.getLogger(__name__)

_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
)


def _json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status=status,
        content_type="application/json",
    )


class BotApiEmulator(MediaMethods, ChatMethods, AccountMethods, WebhookDelivery, EmulatorObserver, UserActions):
    """A local Telegram Bot API for the real PTB Application: tests, `hopthu demo`, benchmarks.

    Only 127.0.0.1 (or localhost) is ever bound or contacted. Use as `async with BotApiEmulator() as emu:`
    or `await emu.start()` / `await emu.stop()`.
    """

    def __init__(
        self,
        token: str = "123456789:EMULATOR-test-token_abcdefghijklmnop",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        bot_username: str = "hopthu_test_bot",
        bot_name: str = "Hòm thư góp ý",
        seed: int | None = 0,
        privacy_mode: bool = False,
        rate_limits: RateLimits | None = None,
        enforce_rate_limits: bool = False,
        webhook_concurrency: int = 1,
        webhook_retry_delay: float = 0.05,
        webhook_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if host not in LOCAL_HOSTS:
            raise ValueError("the emulator only listens on 127.0.0.1 / localhost")
        super().__init__(
            token,
            bot_username=bot_username,
            bot_name=bot_name,
            seed=seed,
            privacy_mode=privacy_mode,
            rate_limits=rate_limits,
            enforce_rate_limits=enforce_rate_limits,
            clock=clock,
        )
        self._setup_webhook_delivery(webhook_concurrency, webhook_retry_delay, webhook_timeout)
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._poll_generation = 0

    # ================================================================= lifecycle
    @property
    def base_url(self) -> str:
        """For ApplicationBuilder().base_url(...): PTB appends the token, then "/<method>"."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ApplicationBuilder().base_file_url(...): PTB appends the token, then "/<file_path>"."""
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> BotApiEmulator:
        """Bind (port 0 = a free port) and serve."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # access_log=None: aiohttp's access log would print the token, which is in every path.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._stopping = False
        return self

    async def stop(self) -> None:
        """Stop delivering and serving; waiting long polls and held requests return at once."""
        self._stopping = True
        self._stop_signal.fire()
        self._updates_signal.fire()
        self._changed.fire()
        await self._stop_webhook_workers()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiEmulator:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # ================================================================= HTTP handlers
    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return _json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        name = request.match_info["method"]
        canonical, attribute = API_METHODS.get(name.lower(), (name, ""))
        call = RecordedCall(method=canonical, params={}, started=time.monotonic())
        polling = canonical == "getUpdates"
        if not polling:
            self._inflight += 1
            self._touch()
        self.calls.append(call)
        try:
            try:
                params, files = await read_params(request)
            except ApiError as error:
                return self._answer_error(call, error)
            call.params = describe_params(params, files)
            if not attribute:
                return self._answer_error(call, ApiError(404, "Not Found"))
            handler = getattr(self, attribute)
            chat_id = self._resolve_chat_id(params.get("chat_id")) if "chat_id" in params else None

            async def run() -> Any:
                return await handler(params, files)

            fault = self.faults.pick(canonical, chat_id if chat_id is not None else params.get("chat_id"))
            if fault is not None:
                return await self._inject(request, call, fault, run)
            if self.enforce_rate_limits and canonical in SENDING_METHODS and chat_id is not None:
                if self.rate.check(chat_id):
                    retry = self.rate.retry_after(chat_id)
                    self.faults.record(canonical, FaultKind.RETRY_AFTER)
                    call.fault = "rate_limit"
                    error = ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
                    return self._answer_error(call, error)
            try:
                result = await run()
            except ApiError as error:
                return self._answer_error(call, error)
            return self._answer(call, result)
        except asyncio.CancelledError:
            call.description = call.description or "client went away before the answer"
            raise
        except Exception as exc:  # a bug in the emulator must not look like a Telegram answer
            _LOGGER.exception("emulator failed on %s", canonical)
            return self._answer_error(call, ApiError(500, f"Internal Server Error: emulator bug: {exc!r}"))
        finally:
            call.finished = time.monotonic()
            if not polling:
                self._inflight -= 1
                self._touch()
            self._notify()

    def _answer(self, call: RecordedCall, result: Any) -> web.Response:
        call.result = result
        return _json_response({"ok": True, "result": result})

    def _answer_error(self, call: RecordedCall, error: ApiError) -> web.Response:
        call.error_code = error.code
        call.description = error.description
        return _json_response(error.to_json(), error.code)

    async def _inject(
        self, request: web.Request, call: RecordedCall, fault: InjectedFault, run: Callable[[], Any]
    ) -> web.StreamResponse:
        rule = fault.rule
        call.fault = fault.kind.value
        if fault.kind is FaultKind.RETRY_AFTER:
            error = ApiError(
                429, f"Too Many Requests: retry after {rule.retry_after}", {"retry_after": rule.retry_after}
            )
            return self._answer_error(call, error)
        if fault.kind is FaultKind.SERVER_ERROR:
            return self._answer_error(call, ApiError(500, "Internal Server Error"))
        if fault.kind is FaultKind.BAD_GATEWAY:
            call.error_code, call.description = 502, "Bad Gateway"
            return web.Response(text=_BAD_GATEWAY_HTML, status=502, content_type="text/html")
        result: Any = None
        error: ApiError | None = None
        if rule.takes_effect:
            try:
                result = await run()
            except ApiError as exc:
                error = exc
        if fault.kind is FaultKind.DROP:
            call.description = "connection dropped without an answer"
            if request.transport is not None:
                request.transport.close()
            await self._stop_signal.wait(5.0)  # aiohttp cancels us as the connection is gone
            raise asyncio.CancelledError
        # TIMEOUT: hold the answer; a client that gives up first cancels this handler (no effect).
        call.description = f"held {rule.hold}s"
        await self._stop_signal.wait(rule.hold)
        if not rule.takes_effect:
            try:
                result = await run()
            except ApiError as exc:
                error = exc
        call.fault = None  # the client waited long enough: it got a real answer
        if error is not None:
            return self._answer_error(call, error)
        return self._answer(call, result)

    # ================================================================= getUpdates
    @api("getUpdates")
    async def m_get_updates(self, params: JSON, files: dict[str, Any]) -> list[JSON]:
        """Long polling: answer at once when updates are pending, else when one arrives or on timeout."""
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.fire()  # an older poll still waiting learns it was superseded
        self._set_allowed_updates(params.get("allowed_updates"))
        offset = params.get("offset")
        if isinstance(offset, int):
            self._confirm(offset)
        limit = params.get("limit")
        limit = min(100, max(1, limit)) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        deadline = time.monotonic() + (max(0, timeout) if isinstance(timeout, int | float) else 0)
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            if self.webhook is not None:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            ready = [copy.deepcopy(u) for u in self._pending[:limit]]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._stopping:
                if ready:
                    self._touch()
                return ready
            await self._updates_signal.wait(remaining)

    # ================================================================= faults
    def inject(
        self,
        kind: FaultKind | str,
        methods: str | list[str] | None = None,
        **options: Any,
    ) -> FaultRule:
        """Shortcut for `emu.faults.add(...)`; e.g. `emu.inject("429", "sendMessage", retry_after=1)`."""
        return self.faults.add(kind, methods, **options)

    @property
    def fault_injector(self) -> FaultInjector:
        return self.faults

    @property
    def rate_violations(self) -> list[Violation]:
        return self.rate.violations
