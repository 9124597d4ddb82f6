"""Fixtures and helpers to run the real PTB Application against the Bot API emulator.

Imported by tests/conftest.py with `from tests.emulator_fixtures import *`. Nothing here knows our bot's
handlers: the bot layer builds its Application with `make_application` (or its own builder pointed at
`emulator.base_url`) and adds them.
"""

from __future__ import annotations

import contextlib
import datetime as dtm
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram.ext import Application, ApplicationBuilder

from tgemulator import BotApiEmulator

__all__ = [
    "EMULATOR_TOKEN",
    "emulator",
    "free_port",
    "make_application",
    "run_polling",
    "run_webhook",
]

EMULATOR_TOKEN = "123456789:EMULATOR-test-token_abcdefghijklmnop"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for PTB's webhook server)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """A started emulator on a free port, stopped after the test."""
    emu = BotApiEmulator(token=EMULATOR_TOKEN)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


def make_application(emulator: BotApiEmulator, **builder_options: Any) -> Application:  # type: ignore[type-arg]
    """An Application talking to the emulator; each option calls the ApplicationBuilder method of that name,
    e.g. `make_application(emu, read_timeout=0.5, rate_limiter=AIORateLimiter(), concurrent_updates=True)`.
    """
    builder = (
        ApplicationBuilder()
        .token(emulator.token)
        .base_url(emulator.base_url)
        .base_file_url(emulator.base_file_url)
    )
    for name, value in builder_options.items():
        builder = getattr(builder, name)(value)
    return builder.build()


@contextlib.asynccontextmanager
async def run_polling(application: Application, **polling_options: Any) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """initialize → start → updater.start_polling, and the reverse on exit (what run_polling does, awaitable)."""
    options: dict[str, Any] = {"poll_interval": 0.0, "timeout": dtm.timedelta(seconds=2)}
    options.update(polling_options)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(**options)
    try:
        yield application
    finally:
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()


@contextlib.asynccontextmanager
async def run_webhook(
    application: Application,  # type: ignore[type-arg]
    *,
    secret_token: str | None = "emulator-secret",
    port: int | None = None,
    **webhook_options: Any,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Webhook mode: PTB's server on 127.0.0.1, registered with setWebhook; the emulator POSTs to it."""
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_webhook(
        listen="127.0.0.1", port=port or free_port(), secret_token=secret_token, **webhook_options
    )
    try:
        yield application
    finally:
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
