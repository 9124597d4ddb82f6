"""`hopthu run [--webhook]`: the bot against Telegram (or TELEGRAM_BASE_URL), until Ctrl+C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal

from bot.config import DEFAULT_CONFIG_PATH, Config, bot_token, load_config, telegram_base_url
from bot.texts import cli as T


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("run", help="Chạy bot (long polling, hoặc --webhook)")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG_PATH), help="đường dẫn tới bot.yaml")
    parser.add_argument("--webhook", action="store_true", help="nhận cập nhật qua webhook thay vì long polling")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.cli.config import run_check

    if run_check(args) != 0:
        return 1
    token = bot_token()
    if token is None:
        print(T.NO_TOKEN)
        return 2
    config = load_config(args.config)
    webhook = None
    if args.webhook:
        secret = os.environ.get("HOPTHU_WEBHOOK_SECRET", "").strip()
        if not secret:
            print(T.NO_WEBHOOK_SECRET)
            return 2
        if not config.webhook.public_url:
            print(T.NO_WEBHOOK_URL)
            return 2
        webhook = {
            "listen": config.webhook.listen, "port": config.webhook.port, "url_path": config.webhook.url_path,
            "webhook_url": config.webhook.public_url, "secret_token": secret,
        }
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(config, token, webhook))
    print(T.STOPPED)
    return 0


async def serve(config: Config, token: str, webhook: dict[str, object] | None) -> None:
    from bot.app import build_application, install_token_redaction, settle_heap, start_bot, stop_bot
    from knowledge.loader import load_knowledge_base
    from knowledge.search import SearchIndex
    from storage import Store, resolve_database_url

    install_token_redaction(token)
    kb = load_knowledge_base()
    url = resolve_database_url(config.database_url)
    store = Store(url, inline_sqlite=config.sqlite_inline_driver)
    await store.open()
    application = build_application(config, store, kb, SearchIndex(kb), token=token, base_url=telegram_base_url())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows event loops have no signal handlers
            loop.add_signal_handler(sig, stop.set)
    try:
        await start_bot(application, webhook=webhook)
        settle_heap()
        if webhook:
            print(T.RUNNING_WEBHOOK.format(listen=webhook["listen"], port=webhook["port"], path=webhook["url_path"],
                                           db=store.display_url))
        else:
            print(T.RUNNING_POLLING.format(db=store.display_url))
        await stop.wait()
    finally:
        await stop_bot(application)
        await store.close()
