"""The emulator's HTTP side: a real Bot API server on 127.0.0.1 that PTB talks to unmodified.

Routes are the real ones (`/bot<token>/<method>`, `/file/bot<token>/<path>`) so that
`ApplicationBuilder().base_url(emu.base_url).base_file_url(emu.base_file_url)` is the only change a bot
needs. Every request is recorded; faults are injected here, before a request takes effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from tgemulator.actors import UserActions
from tgemulator.core import ChatRef, WebhookState
from tgemulator.faults import FaultInjector, FaultKind, FaultRule, InjectedFault
from tgemulator.methods import API_METHODS, LOCAL_HOSTS, SENDING_METHODS, BotApiMethods, api
from tgemulator.objects import JSON, ApiError, ChatEvent, RecordedCall, SentFile, StoredMessage
from tgemulator.params import describe_params, read_params
from tgemulator.ratelimit import RateLimits, Violation
from tgemulator.render import render_message

__all__ = ["BotApiEmulator"]

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

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


class BotApiEmulator(BotApiMethods, UserActions):
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
        self.host = host
        self.port = port
        self.webhook_concurrency = max(1, webhook_concurrency)
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout
        self.webhook_deliveries: list[JSON] = []  # {update_id, status, error, time} per POST attempt
        self._runner: web.AppRunner | None = None
        self._webhook_tasks: list[asyncio.Task[None]] = []
        self._webhook_session: aiohttp.ClientSession | None = None
        self._webhook_inflight: set[int] = set()
        self._webhook_inflight_chats: set[int] = set()
        self._poll_generation = 0
        self.webhook_secret_override: str | None = None  # send this secret instead, to test refusal

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

    # ================================================================= webhook delivery
    def _webhook_changed(self) -> None:
        self._updates_signal.fire()
        for task in self._webhook_tasks:
            task.cancel()
        self._webhook_tasks = []
        if self.webhook is not None:
            hook = self.webhook
            self._webhook_tasks = [
                asyncio.create_task(self._webhook_worker(hook), name=f"emulator-webhook-{i}")
                for i in range(self.webhook_concurrency)
            ]

    async def _stop_webhook_workers(self) -> None:
        tasks, self._webhook_tasks = self._webhook_tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._webhook_session is not None:
            await self._webhook_session.close()
            self._webhook_session = None

    @staticmethod
    def _update_chat(update: JSON) -> int | None:
        for key, value in update.items():
            if key == "update_id" or not isinstance(value, dict):
                continue
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if chat:
                return int(chat["id"])
            sender = value.get("from")
            if sender:
                return int(sender["id"])
        return None

    def _next_webhook_update(self) -> JSON | None:
        """The oldest pending update not in flight whose chat has nothing in flight (per-chat order)."""
        for update in self._pending:
            if update["update_id"] in self._webhook_inflight:
                continue
            chat = self._update_chat(update)
            if chat is not None and chat in self._webhook_inflight_chats:
                continue
            return update
        return None

    async def _webhook_worker(self, hook: WebhookState) -> None:
        if self._webhook_session is None or self._webhook_session.closed:
            self._webhook_session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.webhook_timeout))
        session = self._webhook_session
        delay = self.webhook_retry_delay
        while self.webhook is hook and not self._stopping:
            update = self._next_webhook_update()
            if update is None:
                await self._updates_signal.wait(1.0)
                continue
            chat = self._update_chat(update)
            self._webhook_inflight.add(update["update_id"])
            if chat is not None:
                self._webhook_inflight_chats.add(chat)
            status: int | None = None
            error: str | None = None
            headers = {"Content-Type": "application/json"}
            secret = self.webhook_secret_override or hook.secret_token
            if secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            try:
                body = json.dumps(update, ensure_ascii=False).encode("utf-8")
                async with session.post(hook.url, data=body, headers=headers, ssl=False) as response:
                    status = response.status
                    if not 200 <= status <= 299:
                        error = f"Wrong response from the webhook: {status} {response.reason}"
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                error = f"Connection failed: {exc.__class__.__name__}"
            finally:
                self._webhook_inflight.discard(update["update_id"])
                if chat is not None:
                    self._webhook_inflight_chats.discard(chat)
            self.webhook_deliveries.append(
                {"update_id": update["update_id"], "status": status, "error": error, "time": time.monotonic()}
            )
            self._touch()
            if error is None:
                self._pending = [u for u in self._pending if u["update_id"] != update["update_id"]]
                delay = self.webhook_retry_delay
                self._updates_signal.fire()
                self._notify()
                continue
            hook.last_error_date = self._now()
            hook.last_error_message = error
            self._notify()
            await self._stop_signal.wait(delay)
            delay = min(delay * 2, 1.0)

    # ================================================================= observing
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

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by the bot (getUpdates offset) or not yet accepted by its webhook."""
        return list(self._pending)

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[RecordedCall]:
        """Recorded calls of one method (case-insensitive), optionally only (un)successful ones."""
        return [c for c in self.calls if c.method.lower() == method.lower() and (ok is None or c.ok == ok)]

    def chat_messages(self, chat: ChatRef, *, include_deleted: bool = False) -> list[JSON]:
        """The chat as it looks now: users' and bot's messages in order, edits applied, deletions gone."""
        stored = self._messages.get(self._chat_key(chat), {}).values()
        return [copy.deepcopy(s.data) for s in stored if include_deleted or not s.deleted]

    def bot_messages(self, chat: ChatRef) -> list[JSON]:
        """Only the bot's messages in the chat, as they are now."""
        stored = self._messages.get(self._chat_key(chat), {}).values()
        return [copy.deepcopy(s.data) for s in stored if s.from_bot and not s.deleted]

    def last_bot_message(self, chat: ChatRef) -> JSON | None:
        messages = self.bot_messages(chat)
        return messages[-1] if messages else None

    def message(self, chat: ChatRef, message_id: int) -> JSON | None:
        """One message as it is now (None if it never existed or was deleted)."""
        stored = self._stored(self._chat_key(chat), message_id)
        return None if stored is None else copy.deepcopy(stored.data)

    def stored_message(self, chat: ChatRef, message_id: int) -> StoredMessage | None:
        """The emulator's record of a message, including deleted ones and copy/forward provenance."""
        return self._messages.get(self._chat_key(chat), {}).get(message_id)

    def copied_from(self, chat: ChatRef, message_id: int) -> tuple[int, int] | None:
        stored = self.stored_message(chat, message_id)
        return None if stored is None else stored.copied_from

    def reply_keyboard(self, chat: ChatRef) -> JSON | None:
        """The reply keyboard the user currently sees under the input field, if any."""
        return self._reply_keyboards.get(self._chat_key(chat))

    def files_sent_to(self, chat: ChatRef) -> list[SentFile]:
        key = self._chat_key(chat)
        return [f for f in self.sent_files if f.chat_id == key]

    def file_bytes(self, file_id: str) -> bytes:
        return self.files[file_id].data

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """What setMyCommands registered for this scope and language."""
        return list(self.my_commands.get(self._commands_key({"scope": scope, "language_code": language_code}), []))

    def render_chat(self, chat: ChatRef, *, last: int | None = None) -> str:
        """A chat as terminal text (demo, and failure messages in tests)."""
        messages = self.chat_messages(chat)
        if last is not None:
            messages = messages[-last:]
        key = self._chat_key(chat)
        parts = []
        for i, message in enumerate(messages):
            keyboard = self.reply_keyboard(key) if i == len(messages) - 1 else None
            parts.append(render_message(message, reply_keyboard=keyboard))
        return "\n\n".join(parts)

    def subscribe(self, chat: ChatRef | None = None) -> asyncio.Queue[ChatEvent]:
        """A queue of new / edited / deleted messages (one chat, or all with None) for live watchers."""
        queue: asyncio.Queue[ChatEvent] = asyncio.Queue()
        self._subscribers.append((None if chat is None else self._chat_key(chat), queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[ChatEvent]) -> None:
        self._subscribers = [(c, q) for c, q in self._subscribers if q is not queue]

    def add_listener(self, callback: Callable[[ChatEvent], None]) -> None:
        """Call `callback(event)` synchronously on every chat change."""
        self._listeners.append(callback)

    # ================================================================= waiting
    def _recent_calls(self, n: int = 8) -> str:
        lines = []
        for call in self.calls[-n:]:
            outcome = "ok" if call.ok else (call.fault or f"{call.error_code} {call.description}")
            lines.append(f"  {call.method} -> {outcome}")
        return "\n".join(lines) or "  (none)"

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109 - the tests' API: an explicit timeout per wait
        *,
        description: str = "condition",
    ) -> T:
        """Wait until predicate() is truthy and return its value.

        Re-checked on every change in the emulator and every 50 ms, so predicates on the bot's own state
        (e.g. the database) work too. Raises TimeoutError listing the last calls, to make failures readable.
        """
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{description} not met within {timeout}s; last calls:\n{self._recent_calls()}")
            await self._changed.wait(min(remaining, 0.05))  # also re-check state the emulator cannot see

    async def wait_for_message(
        self,
        chat: ChatRef,
        contains: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSON:
        """The next bot message in the chat not yet returned by this method (optionally containing a text).

        Messages skipped over while looking for `contains` count as seen. The text searched is what the
        user sees: text or caption after parsing, plus a document's file name.
        """
        key = self._chat_key(chat)

        def find() -> JSON | None:
            order = self._bot_order.get(key, [])
            for index in range(self._message_cursor.get(key, 0), len(order)):
                stored = self._messages[key][order[index]]
                if stored.deleted:
                    continue
                data = stored.data
                visible = " ".join(
                    str(x)
                    for x in (data.get("text"), data.get("caption"), (data.get("document") or {}).get("file_name"))
                    if x
                )
                if contains is None or contains in visible:
                    self._message_cursor[key] = index + 1
                    return copy.deepcopy(data)
            return None

        try:
            return await self.wait_for(find, timeout, description=f"bot message in chat {key}")
        except TimeoutError as exc:
            wanted = f" containing {contains!r}" if contains else ""
            raise TimeoutError(
                f"no new bot message{wanted} in chat {key} within {timeout}s.\n"
                f"chat now:\n{self.render_chat(key, last=5) or '  (empty)'}\n{exc}"
            ) from None

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[RecordedCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> RecordedCall:
        """The next finished call of `method` not yet returned by this method (and matching predicate)."""
        name = method.lower()

        def find() -> RecordedCall | None:
            for index in range(self._call_cursor.get(name, 0), len(self.calls)):
                call = self.calls[index]
                if call.method.lower() != name or call.finished is None:
                    continue
                if predicate is None or predicate(call):
                    self._call_cursor[name] = index + 1
                    return call
            return None

        return await self.wait_for(find, timeout, description=f"call to {method}")

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSON:
        """The answerCallbackQuery parameters the bot gave for this click."""
        return await self.wait_for(
            lambda: self.callback_answers.get(query_id), timeout, description=f"answer to callback {query_id}"
        )

    async def wait_for_inline_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JSON:
        """The answerInlineQuery parameters (results...) the bot gave for this inline query."""
        return await self.wait_for(
            lambda: self.inline_answers.get(query_id), timeout, description=f"answer to inline query {query_id}"
        )

    def is_idle(self, quiet: float = 0.15) -> bool:
        return (
            not self._pending
            and self._inflight == 0
            and not self._webhook_inflight
            and time.monotonic() - self._last_activity >= quiet
        )

    async def wait_idle(
        self,
        quiet: float = 0.15,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Wait until every update is taken and no request came for `quiet` seconds.

        For "nothing else happens" assertions; prefer wait_for/wait_for_message for positive ones.
        """
        deadline = time.monotonic() + timeout
        while not self.is_idle(quiet):
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"not idle within {timeout}s: {len(self._pending)} pending updates, "
                    f"{self._inflight} requests in flight; last calls:\n{self._recent_calls()}"
                )
            await asyncio.sleep(min(0.02, quiet / 4))
