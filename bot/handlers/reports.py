"""Committee reports: /thongke, /quahan, /baocao [từ] [đến], the daily overdue digest and the retention purge.

Who sees what: in a committee's group, that committee's submissions only; an admin in a private chat
sees every committee (or one, named by its id as the first word). Anyone else gets a short refusal, so
a citizen who types /thongke learns where the command works instead of seeing nothing.

The digest goes through the outbox with one key per committee and local day: several replicas (or a
restart) running the same daily job enqueue it once, and delivery honours Telegram's limits and retries.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application

from bot.cards import send_message_payload
from bot.config import Config
from bot.format import esc, split_message
from bot.reports.labels import Labels
from bot.reports.messages import digest_text, local_date, overdue_text, stats_text
from bot.reports.periods import Period, PeriodError, parse_period, today_in
from bot.reports.render import render_in_child
from bot.services import SERVICES_KEY, HopthuContext, Services
from bot.texts import reports as T
from storage import OutboxItem, OverdueItem

log = logging.getLogger(__name__)

DIGEST_JOB = "overdue-digest"
PURGE_JOB = "retention-purge"
PURGE_TIME = time(3, 15)  # local time: the quietest hour
ALL_SLUG = "tat-ca"


@dataclass(frozen=True)
class Scope:
    """Whose submissions a command reports on: one committee, or all (committee_id None)."""

    committee_id: str | None
    name: str

    @property
    def slug(self) -> str:
        return self.committee_id or ALL_SLUG


def schedule_jobs(app: Application, config: Config) -> None:  # type: ignore[type-arg]
    """Daily digest at digest_time and daily purge, both in the deployment's timezone."""
    if app.job_queue is None:  # PTB installed without the job-queue extra
        log.warning("no JobQueue: the overdue digest and the retention purge will not run")
        return
    app.job_queue.run_daily(_digest_job, time=config.digest_time.replace(tzinfo=config.timezone), name=DIGEST_JOB)
    app.job_queue.run_daily(_purge_job, time=PURGE_TIME.replace(tzinfo=config.timezone), name=PURGE_JOB)


# ------------------------------------------------------------------------------------------ scope

async def _scope(update: Update, services: Services, args: list[str]) -> tuple[Scope, list[str]] | None:
    """The committee of this group, or every committee for an admin in private; None after refusing."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None
    committee = services.config.committee_by_chat(chat.id)
    if committee is not None:
        return Scope(committee.id, committee.name), args
    if chat.type == "private" and services.is_admin(user.id if user else None):
        if args and args[0] in services.config.committees:
            named = services.config.committees[args[0]]
            return Scope(named.id, named.name), args[1:]
        return Scope(None, T.SCOPE_ALL), args
    await chat.send_message(T.GROUP_ONLY)
    return None


async def _period(update: Update, services: Services, args: list[str]) -> Period | None:
    try:
        return parse_period(args, today_in(services.config.timezone, services.store.clock()))
    except PeriodError as exc:
        assert update.effective_chat is not None
        await update.effective_chat.send_message(esc(str(exc)))
        return None


async def _send_long(update: Update, text: str) -> None:
    assert update.effective_chat is not None
    for part in split_message(text):
        await update.effective_chat.send_message(part)


# ------------------------------------------------------------------------------------------ /thongke

async def cmd_thongke(update: Update, context: HopthuContext) -> None:
    """/thongke [kỳ]: counts and timings of the period (this quarter by default)."""
    services = context.services
    scoped = await _scope(update, services, list(context.args or []))
    if scoped is None:
        return
    scope, args = scoped
    period = await _period(update, services, args)
    if period is None:
        return
    since, until = period.bounds(services.config.timezone)
    stats = await services.store.statistics(since, until, scope.committee_id)
    await _send_long(update, stats_text(stats, Labels(services.config), period, scope.name))


# ------------------------------------------------------------------------------------------ /quahan

async def cmd_quahan(update: Update, context: HopthuContext) -> None:
    """/quahan: the open submissions past a deadline, most overdue first, each with how late it is."""
    services = context.services
    scoped = await _scope(update, services, list(context.args or []))
    if scoped is None:
        return
    scope, _ = scoped
    config = services.config
    labels = Labels(config)
    items = await services.store.overdue(scope.committee_id)
    if scope.committee_id is not None:
        await _send_long(update, overdue_text(items, labels, config.timezone, scope.name, config.deadlines))
        return
    by_committee = _group(items)
    if not by_committee:
        await _send_long(update, overdue_text([], labels, config.timezone, scope.name, config.deadlines))
        return
    for committee_id, late in by_committee.items():
        await _send_long(update, overdue_text(late, labels, config.timezone, labels.committee(committee_id),
                                              config.deadlines))


def _group(items: list[OverdueItem]) -> dict[str, list[OverdueItem]]:
    grouped: dict[str, list[OverdueItem]] = defaultdict(list)
    for item in items:
        grouped[item.submission.committee_id].append(item)
    return dict(grouped)


# ------------------------------------------------------------------------------------------ /baocao

async def cmd_baocao(update: Update, context: HopthuContext) -> None:
    """/baocao [từ] [đến]: the spreadsheet and the chart of the period, as two documents."""
    services = context.services
    chat = update.effective_chat
    assert chat is not None
    scoped = await _scope(update, services, list(context.args or []))
    if scoped is None:
        return
    scope, args = scoped
    period = await _period(update, services, args)
    if period is None:
        return
    config = services.config
    since, until = period.bounds(config.timezone)
    rows = await services.store.export_rows(since, until, scope.committee_id)
    try:
        await chat.send_action(ChatAction.UPLOAD_DOCUMENT)
    except TelegramError:
        pass  # a typing indicator is a courtesy, never a reason to fail the report
    try:
        # In a spawned child (bot/reports/render.py): the bot keeps its GIL and its memory meanwhile.
        xlsx, png = await render_in_child(rows, config, period, scope.name, services.store.clock())
    except Exception:
        log.exception("/baocao: rendering %d rows (%s, %s) failed", len(rows), scope.slug, period.slug)
        await chat.send_message(T.REPORT_FAILED)
        return
    count = len(rows)
    del rows  # a quarter's rows are tens of megabytes: not kept through the uploads
    stem = f"{scope.slug}_{period.slug}"
    await chat.send_document(
        document=xlsx, filename=f"{T.REPORT_FILE_STEM}_{stem}.xlsx",
        caption=T.REPORT_XLSX_CAPTION.format(scope=esc(scope.name), period=esc(period.label), count=count),
    )
    await chat.send_document(
        document=png, filename=f"{T.CHART_FILE_STEM}_{stem}.png",
        caption=T.REPORT_CHART_CAPTION.format(scope=esc(scope.name), period=esc(period.label)),
    )


# ------------------------------------------------------------------------------------------ daily jobs

async def send_digest(application: Application, now: datetime | None = None) -> dict[str, int]:  # type: ignore[type-arg]
    """Queue each committee's overdue items to its own group (nothing for a committee with none).

    Returns {committee id: number of overdue items} for the committees that get a digest. Keys are per
    committee and local day, so running it twice the same day sends nothing new.
    """
    services: Services = application.bot_data[SERVICES_KEY]
    config = services.config
    now = now or services.store.clock()
    labels = Labels(config)
    day = local_date(now, config.timezone)
    outbox: list[OutboxItem] = []
    sent: dict[str, int] = {}
    for committee_id, items in _group(await services.store.overdue(now=now)).items():
        committee = config.committees.get(committee_id)
        if committee is None:  # removed from bot.yaml: nobody to tell
            log.warning("digest: %d overdue items of unknown committee %s", len(items), committee_id)
            continue
        text = digest_text(items, labels, config.timezone, committee.name)
        for index, part in enumerate(split_message(text)):
            outbox.append(OutboxItem(
                key=f"digest:{committee.id}:{day}:{index}", method="sendMessage", chat_id=committee.chat_id,
                payload=send_message_payload(committee.chat_id, part),
            ))
        sent[committee.id] = len(items)
    if outbox:
        queued = await services.store.enqueue(outbox, now=now)
        log.info("digest %s: %d committees, %d new messages queued", day, len(sent), queued)
        services.wake_delivery()
    return sent


async def purge_personal_data(application: Application, now: datetime | None = None) -> None:  # type: ignore[type-arg]
    """Retention: personal data older than retention.personal_data_days goes (bot.yaml)."""
    services: Services = application.bot_data[SERVICES_KEY]
    report = await services.store.purge_personal_data(services.config.retention_days, now=now)
    log.info(
        "retention purge (before %s): %d citizens deleted, %d submissions anonymised, %d drafts deleted, "
        "%d questions unlinked, %d outbox rows deleted, %d message links deleted",
        report.cutoff.isoformat(), report.citizens_deleted, report.submissions_anonymised,
        report.drafts_deleted, report.questions_unlinked, report.outbox_rows_deleted, report.message_links_deleted,
    )


async def _digest_job(context: HopthuContext) -> None:
    await send_digest(context.application)


async def _purge_job(context: HopthuContext) -> None:
    await purge_personal_data(context.application)
