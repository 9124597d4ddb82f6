"""Proof: the authorization matrix of every committee action.

Actions: each card button (ack, prog, reply, fwd, fto, back, done, oos), replying to a card, and the
commands /thongke, /quahan, /baocao. Places: the owning committee's group, another committee's group,
an admin in the owning group, in another group, in a group the bot does not know and in private, the
citizen who sent it (private chat), a stranger in an unknown group.

A refused action is answered (an alert for a button, a sentence for a command) and changes nothing:
every row of the submission (status, audit trail, outbox, message links) is compared before and after.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa

from bot import callbacks as cb
from bot.texts import citizen as TCit
from bot.texts import committee as TC
from bot.texts import reports as TR
from tests.bot_fixtures import ADMIN_ID, BotHarness, shown
from tests.test_proof_support import (
    Intent,
    ResilientCitizen,
    card_of,
    drain_outbox,
    snapshot_tables,
)
from tgemulator import User

OWNER, OTHER, UNKNOWN = "bcd-nong-ha", "bcd-cho-don", -100_888_000
FORWARD_TO = "bcd-cho-moi"
BUTTONS = ["ack", "prog", "reply", "fwd", "fto", "back", "done", "oos"]
STATUS_AFTER = {"ack": "acknowledged", "prog": "in_progress", "done": "resolved", "oos": "out_of_scope",
                "fto": "forwarded"}


@dataclass(frozen=True)
class Place:
    """Who acts, and where."""

    name: str
    actor: str  # "official", "other-official", "admin", "citizen", "stranger"
    chat: str  # "owner-group", "other-group", "unknown-group", "private"
    buttons_allowed: bool
    reply_allowed: bool
    reports: str  # "owner" | "other" | "all" | "refused-private" | "refused-unknown"


PLACES = [
    Place("owner-group", "official", "owner-group", True, True, "owner"),
    Place("other-committee-group", "other-official", "other-group", False, False, "other"),
    Place("admin-in-owner-group", "admin", "owner-group", True, True, "owner"),
    Place("admin-in-other-group", "admin", "other-group", True, False, "other"),
    Place("admin-in-unknown-group", "admin", "unknown-group", True, False, "refused-unknown"),
    Place("admin-private", "admin", "private", False, False, "all"),
    Place("citizen-private", "citizen", "private", False, False, "refused-private"),
    Place("stranger-unknown-group", "stranger", "unknown-group", False, False, "refused-unknown"),
]


def expected_matrix() -> list[tuple[str, str, str]]:
    """(action, place, expected outcome) — the table this file proves, printed by the test."""
    rows = []
    for place in PLACES:
        for action in BUTTONS:
            rows.append((action, place.name, "allowed" if place.buttons_allowed else "refused"))
        rows.append(("reply-to-card", place.name, "allowed" if place.reply_allowed else "not possible/ignored"))
        for command in ("/thongke", "/quahan", "/baocao"):
            rows.append((command, place.name, place.reports))
    return rows


class World:
    """One bot, nine submissions to the owning committee (one per button, one for the reply)."""

    def __init__(self, bot: BotHarness) -> None:
        self.bot = bot
        self.emu = bot.emulator
        self.codes: dict[str, str] = {}
        self.citizens: dict[str, User] = {}

    async def seed(self) -> None:
        actions = [*BUTTONS, "reply-to-card"]
        people = [self.emu.user(91_000 + i, "Dân", "Nguyễn") for i in range(len(actions))]
        runs = [ResilientCitizen(self.emu, u, Intent(f"Đề nghị xã sửa cống thoát nước số {i} ở thôn Nà Mố."))
                .run() for i, u in enumerate(people)]
        for action, user, code in zip(actions, people, await asyncio.gather(*runs), strict=True):
            self.codes[action] = code
            self.citizens[action] = user
        group = self.bot.group_of(OWNER)
        await self.emu.wait_for(lambda: {card_of(m) for m in self.emu.bot_messages(group)} >= set(self.codes.values()),
                                timeout=30, description="all cards delivered")
        await drain_outbox(self.bot.store)

    def card(self, action: str) -> dict[str, Any]:
        group = self.bot.group_of(OWNER)
        return next(m for m in self.emu.bot_messages(group) if card_of(m) == self.codes[action])

    async def submission_id(self, action: str) -> int:
        sub = await self.bot.store.get_by_code(self.codes[action])
        assert sub is not None
        return sub.id

    async def actor_and_chat(self, place: Place, action: str) -> tuple[User, int | None, int]:
        """The user, the chat (None: their private chat) and the message their button is under."""
        bot, emu = self.bot, self.emu
        actor = {
            "official": lambda: bot.official(OWNER, 6001, "Cán bộ Nông Hạ"),
            "other-official": lambda: bot.official(OTHER, 6101, "Cán bộ Chợ Đồn"),
            "admin": lambda: emu.user(ADMIN_ID, "Quản trị"),
            "citizen": lambda: self.citizens[action],
            "stranger": lambda: emu.user(6666, "Người lạ"),
        }[place.actor]()
        if place.chat == "owner-group":
            return actor, bot.group_of(OWNER), self.card(action)["message_id"]
        if place.chat == "private":
            last = emu.last_bot_message(actor.id)
            if last is None:
                await bot.say(actor, "/start")
                last = await bot.next_message(actor, shown(TCit.WELCOME))
            return actor, None, last["message_id"]
        chat = bot.group_of(OTHER) if place.chat == "other-group" else UNKNOWN
        emu.group(chat, "Nhóm")
        sent = await bot.say(actor, "/id", chat)
        answer = await emu.wait_for(lambda: next((m for m in emu.bot_messages(chat)
                                                  if m.get("reply_to_message", {}).get("message_id")
                                                  == sent["message_id"] or m["message_id"] > sent["message_id"]),
                                                 None), description="the /id answer")
        return actor, chat, answer["message_id"]


async def new_bot_messages(bot: BotHarness, chat: int, since: int) -> list[dict[str, Any]]:
    await bot.emulator.wait_idle(quiet=0.2, timeout=30)
    return [m for m in bot.emulator.bot_messages(chat) if m["message_id"] > since]


@pytest.mark.parametrize("place", PLACES, ids=[p.name for p in PLACES])
async def test_authorization_matrix(bot: BotHarness, place: Place) -> None:
    world = World(bot)
    await world.seed()
    emu = bot.emulator
    outcomes: list[str] = []

    # ------------------------------------------------------------ the card's buttons
    for action in BUTTONS:
        sid = await world.submission_id(action)
        actor, chat, message_id = await world.actor_and_chat(place, action)
        chat_id = chat if chat is not None else actor.id
        before = await snapshot_tables(bot.store, sid)
        on_screen = emu.message(chat_id, message_id)
        last = max(m["message_id"] for m in emu.chat_messages(chat_id))
        data = cb.make("c", action, sid, FORWARD_TO) if action == "fto" else cb.make("c", action, sid)
        query = await emu.click(actor, chat, message_id, data, strict=False)
        answer = await emu.wait_for_callback_answer(query, timeout=15)
        await drain_outbox(bot.store)
        after = await snapshot_tables(bot.store, sid)
        sub = await bot.store.get_submission(sid)
        assert sub is not None
        if place.buttons_allowed:
            if action in STATUS_AFTER:
                assert str(sub.status) == STATUS_AFTER[action], (action, sub.status)
                assert after != before
                if action == "fto":
                    assert sub.committee_id == FORWARD_TO
            else:
                assert after == before, f"{action} only changes the chat, not the submission"
                if action == "reply":
                    assert any(shown(TC.REPLY_HOW) in str(m.get("text"))
                               for m in await new_bot_messages(bot, chat_id, last))
                elif action == "fwd":
                    markup = str((emu.message(chat_id, message_id) or {}).get("reply_markup"))
                    assert TC.BUTTON_BACK in markup and "Chợ Mới" in markup
                else:  # back: the message shows the card again
                    assert world.codes[action] in str((emu.message(chat_id, message_id) or {}).get("text"))
            outcomes.append(f"{action}:allowed")
        else:
            assert answer.get("show_alert") and answer.get("text"), (action, answer)
            assert after == before, f"refused {action} changed the database"
            assert str(sub.status) == "new" and sub.committee_id == OWNER
            assert await new_bot_messages(bot, chat_id, last) == []
            assert emu.message(chat_id, message_id) == on_screen, "a refused press edited the message"
            outcomes.append(f"{action}:refused ({answer['text'][:40]})")

    # ------------------------------------------------------------ replying to the card
    action = "reply-to-card"
    sid = await world.submission_id(action)
    actor, chat, message_id = await world.actor_and_chat(place, action)
    chat_id = chat if chat is not None else actor.id
    before = await snapshot_tables(bot.store, sid)
    last = max(m["message_id"] for m in emu.chat_messages(chat_id))
    await bot.say(actor, "Xã đã cử người xuống kiểm tra, tuần sau sửa xong.", chat, reply_to=message_id)
    answers = await new_bot_messages(bot, chat_id, last)
    await drain_outbox(bot.store)
    after = await snapshot_tables(bot.store, sid)
    sub = await bot.store.get_submission(sid)
    assert sub is not None
    if place.reply_allowed:
        assert str(sub.status) == "answered" and after != before
        assert any(shown(TC.REPLY_RELAYED) in str(m.get("text")) for m in answers)
        await bot.next_message(world.citizens[action], "tuần sau sửa xong")
        outcomes.append("reply-to-card:allowed")
    else:
        assert after == before and str(sub.status) == "new", "a reply from here changed the submission"
        if chat is not None:
            assert answers == [], "a reply in a group that does not own the card is ignored"
        outcomes.append(f"reply-to-card:no effect ({len(answers)} answers)")

    # ------------------------------------------------------------ reports
    async with bot.store.writer.begin() as conn:  # make them overdue, so /quahan has something to list
        await conn.execute(sa.text("UPDATE submissions SET due_ack_at = :past, due_resolve_at = :past"),
                           {"past": datetime.now(UTC) - timedelta(days=20)})
    snapshot = await snapshot_tables(bot.store)
    actor, chat, _ = await world.actor_and_chat(place, "ack")
    chat_id = chat if chat is not None else actor.id
    tz = bot.config.timezone
    today = datetime.now(tz).date()
    period = f"{(today - timedelta(days=1)):%d/%m/%Y} {(today + timedelta(days=1)):%d/%m/%Y}"
    all_codes = set(world.codes.values())
    owner_name = bot.config.committees[OWNER].name
    subs = [await bot.store.get_by_code(c) for c in sorted(all_codes)]
    in_scope = {s.code for s in subs if s is not None and (place.reports == "all" or s.committee_id == OWNER)}
    still_open = {s.code for s in subs if s is not None and s.code in in_scope
                  and str(s.status) not in ("resolved", "out_of_scope")}
    for command in (f"/thongke {period}", "/quahan", f"/baocao {period}"):
        last = max(m["message_id"] for m in emu.chat_messages(chat_id))
        files_before = len(emu.files_sent_to(chat_id))
        await bot.say(actor, command, chat)
        name = command.split()[0]
        refused = place.reports.startswith("refused")
        # what marks the end of the answer (the report's files are rendered in a thread: never rely on quiet)
        if refused:
            await emu.wait_for(lambda since=last: [m for m in emu.bot_messages(chat_id) if m["message_id"] > since],
                               timeout=30, description=f"the refusal of {name}")
        elif name == "/baocao":
            await emu.wait_for(lambda had=files_before: len(emu.files_sent_to(chat_id)) >= had + 2, timeout=60,
                               description="the spreadsheet and the chart")
        else:
            # /quahan: the list, or the line saying nothing is late
            markers = ((shown(TR.STATS_TITLE),) if name == "/thongke"
                       else (shown(TR.OVERDUE_TITLE), TR.OVERDUE_NONE.split("}", 1)[1]))
            await emu.wait_for(lambda ms=markers, since=last: any(
                m in str(x.get("text")) for x in emu.bot_messages(chat_id) if x["message_id"] > since for m in ms),
                timeout=30, description=name)
        answers = await new_bot_messages(bot, chat_id, last)
        text = "\n".join(str(m.get("text") or m.get("caption") or "") for m in answers)
        files = emu.files_sent_to(chat_id)[files_before:]
        listed = set(_codes_in(text)) | {c for f in files if f.filename and f.filename.endswith(".xlsx")
                                         for c in _xlsx_codes(f.data)}
        if place.reports == "refused-private":
            assert TR.GROUP_ONLY[:40] in text and not files, (name, text)
        elif place.reports == "refused-unknown":
            assert TC.GROUP_UNKNOWN in text and not files, (name, text)
        elif place.reports == "other":
            assert not listed & all_codes and owner_name not in text, (name, text)
        else:
            assert answers, name
            if name == "/thongke":
                assert (owner_name if place.reports == "owner" else TR.SCOPE_ALL) in text
            else:
                expected = still_open if name == "/quahan" else in_scope
                assert listed & all_codes == expected, (name, sorted(listed), sorted(expected))
        outcomes.append(f"{name}:{place.reports} ({len(answers)} messages, {len(files)} files)")
    assert await snapshot_tables(bot.store) == snapshot, "a report changed the database"
    print(f"\n[{place.name}] " + "; ".join(outcomes))


def _codes_in(text: str) -> list[str]:
    from tests.test_proof_support import CODE

    return CODE.findall(text)


def _xlsx_codes(data: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[TR.SHEET_ROWS]
    return [str(row[1]) for row in sheet.iter_rows(min_row=2, values_only=True) if row and row[1]]


def test_the_matrix_covers_every_action_and_place() -> None:
    rows = expected_matrix()
    print("\n" + "\n".join(f"{a:>14} × {p:<24} → {o}" for a, p, o in rows))
    assert len(rows) == len(PLACES) * (len(BUTTONS) + 4)
