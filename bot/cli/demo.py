"""`hopthu demo`: try the bot with no token and no internet.

Starts the local Bot API emulator and the real bot on 127.0.0.1, then gives a terminal chat: you are
a citizen (Lan), and every message the bot sends to a committee's group is printed beside it, so a
newcomer sees both sides of the suggestion box. Reads commands from standard input, so it can also be
scripted: `printf '/gopy\\n1\\n' | hopthu demo`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.config import DEFAULT_CONFIG_PATH, load_config
from bot.texts import demo as T

DEMO_TOKEN = "100000001:DEMO-local-emulator-token"
CITIZEN_ID = 900001
OFFICIAL_ID = 900002


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("demo", help="Thử bot ngay trên máy, không cần token, không cần Internet")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG_PATH), help="đường dẫn tới bot.yaml")
    parser.add_argument("--db", default=None, help="URL cơ sở dữ liệu (mặc định: một tệp SQLite tạm)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.cli.config import run_check

    if run_check(args) != 0:
        return 1
    logging.basicConfig(level=logging.WARNING)
    try:
        asyncio.run(_demo(args))
    except KeyboardInterrupt:
        pass
    print(T.BYE)
    return 0


@dataclasses.dataclass
class _Session:
    emulator: Any
    citizen: Any
    official: Any
    group_titles: dict[int, str]
    citizen_buttons: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # (message id, data)
    last_card: dict[int, int] = dataclasses.field(default_factory=dict)  # group -> card message id
    last_group: int | None = None


async def _demo(args: argparse.Namespace) -> None:
    from bot.app import build_application, install_token_redaction, start_bot, stop_bot
    from knowledge.loader import load_knowledge_base
    from knowledge.search import SearchIndex
    from storage import Store
    from tgemulator import BotApiEmulator

    config = load_config(args.config)
    config = dataclasses.replace(config, admins=frozenset({*config.admins, OFFICIAL_ID}))
    install_token_redaction(DEMO_TOKEN)
    with tempfile.TemporaryDirectory(prefix="hopthu-demo-") as tmp:
        url = args.db or f"sqlite+aiosqlite:///{Path(tmp) / 'demo.sqlite3'}"
        emulator = BotApiEmulator(token=DEMO_TOKEN, bot_username=config.username)
        await emulator.start()
        store = Store(url)
        await store.open()
        kb = load_knowledge_base()
        app = build_application(config, store, kb, SearchIndex(kb), token=DEMO_TOKEN, base_url=emulator.base_url,
                                base_file_url=emulator.base_file_url,
                                worker_options={"poll_seconds": 0.2, "base_backoff": 0.2})
        session = _Session(
            emulator=emulator,
            citizen=emulator.user(CITIZEN_ID, "Lan", "Nguyễn"),
            official=emulator.user(OFFICIAL_ID, "Cán bộ BCĐ"),
            group_titles={},
        )
        for committee in config.committees.values():
            emulator.group(committee.chat_id, committee.name)
            session.group_titles[committee.chat_id] = committee.name
        emulator.add_listener(lambda event: _show(session, event))
        await start_bot(app, poll_timeout=1)
        try:
            print(T.INTRO)
            await _loop(session)
        finally:
            await stop_bot(app)
            await store.close()
            await emulator.stop()


def _show(session: _Session, event: Any) -> None:
    from tgemulator import render_message

    if not event.from_bot or event.kind == "deleted":
        return
    message = event.message
    buttons = [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row
               if "callback_data" in b]
    rendered = render_message(message, show_header=False,
                              reply_keyboard=session.emulator.reply_keyboard(event.chat_id))
    if event.chat_id == session.citizen.id:
        if buttons:
            session.citizen_buttons = [(message["message_id"], b["callback_data"]) for b in buttons]
            rendered = _number_buttons(rendered, [b["text"] for b in buttons])
        print(("\n✏️  " if event.kind == "edited" else "\n") + T.BOT_SAYS + "\n" + _indent(rendered))
    elif event.chat_id in session.group_titles:
        if event.kind == "new" and "GY-" in (message.get("text") or "") and buttons:
            session.last_card[event.chat_id] = message["message_id"]
        session.last_group = event.chat_id
        title = session.group_titles[event.chat_id]
        print("\n" + T.GROUP_SAYS.format(group=title) + ("  ✏️" if event.kind == "edited" else "") + "\n"
              + _indent(rendered, "    │ "))
    sys.stdout.flush()


def _number_buttons(rendered: str, labels: list[str]) -> str:
    for number, label in enumerate(labels, start=1):
        rendered = rendered.replace(f"[ {label} ]", f"[{number}: {label} ]", 1)
    return rendered


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


async def _loop(session: _Session) -> None:
    loop = asyncio.get_running_loop()
    emu = session.emulator
    while True:
        await asyncio.sleep(0.3)  # let the bot's answer print before the next prompt
        with contextlib.suppress(TimeoutError):
            await emu.wait_idle(quiet=0.2, timeout=3)
        print(T.PROMPT, end="", flush=True)
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        line = line.strip()
        if not line:
            continue
        if line in (":thoat", ":q", ":exit"):
            return
        try:
            await _act(session, line)
        except LookupError as exc:
            print(T.CANNOT.format(error=exc))


async def _act(session: _Session, line: str) -> None:
    emu = session.emulator
    lan = session.citizen
    if line.isdigit():
        index = int(line) - 1
        if not 0 <= index < len(session.citizen_buttons):
            raise LookupError(T.NO_SUCH_BUTTON)
        message_id, data = session.citizen_buttons[index]
        await emu.click(lan, None, message_id, data)
    elif line == ":lienhe":
        await emu.send_contact(lan, phone_number="0912345678")
    elif line == ":anh":
        await emu.send_photo(lan, caption="Ảnh hiện trường")
    elif line == ":vitri":
        await emu.send_location(lan)
    elif line.startswith(":ban "):
        group, card = _current_card(session)
        await emu.click_button(session.official, group, card, line[5:].strip())
    elif line.startswith(":traloi "):
        group, card = _current_card(session)
        await emu.send_text(session.official, group, line[8:].strip(), reply_to=card)
    elif line.startswith(":nhom "):
        group, _ = _current_card(session)
        await emu.send_text(session.official, group, line[6:].strip())
    elif line == ":giup":
        print(T.INTRO)
    else:
        await emu.send_text(lan, line)


def _current_card(session: _Session) -> tuple[int, int]:
    if session.last_group is None or session.last_group not in session.last_card:
        raise LookupError(T.NO_CARD_YET)
    return session.last_group, session.last_card[session.last_group]
