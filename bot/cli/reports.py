"""`hopthu export` (the period report as .xlsx or .csv) and `hopthu qr` (notice-board QR posters).

Both work without Telegram and without a token: an admin prepares the quarterly meeting or prints the
posters from the server's shell. The database is the bot's own (HOPTHU_DATABASE_URL, else bot.yaml).
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import DEFAULT_CONFIG_PATH, Config, ConfigError, load_config
from bot.reports.periods import Period, PeriodError, parse_period, span, today_in
from bot.texts import config as TC
from bot.texts import reports as T

if TYPE_CHECKING:
    from storage import ExportRow

FORMATS = ("xlsx", "csv")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = subparsers.add_parser("export", help=T.CLI_EXPORT_HELP, description=T.CLI_EXPORT_HELP)
    export.add_argument("--config", default=str(DEFAULT_CONFIG_PATH), help="đường dẫn tới bot.yaml")
    export.add_argument("--from", dest="date_from", metavar="TỪ", help=T.CLI_EXPORT_FROM)
    export.add_argument("--to", dest="date_to", metavar="ĐẾN", help=T.CLI_EXPORT_TO)
    export.add_argument("--committee", metavar="MÃ_BAN", help=T.CLI_EXPORT_COMMITTEE)
    export.add_argument("--format", choices=FORMATS, default="xlsx", help=T.CLI_EXPORT_FORMAT)
    export.add_argument("--out", metavar="TỆP", help=T.CLI_EXPORT_OUT)
    export.set_defaults(func=run_export)

    qr = subparsers.add_parser("qr", help=T.CLI_QR_HELP, description=T.CLI_QR_HELP)
    qr.add_argument("unit", nargs="?", metavar="MÃ_ĐỊA_BÀN", help=T.CLI_QR_UNIT)
    qr.add_argument("--all", action="store_true", help=T.CLI_QR_ALL)
    qr.add_argument("--out", metavar="THƯ_MỤC", default=".", help=T.CLI_QR_OUT)
    qr.add_argument("--config", default=str(DEFAULT_CONFIG_PATH), help="đường dẫn tới bot.yaml")
    qr.set_defaults(func=run_qr)


def _config(path: str) -> Config | None:
    try:
        return load_config(path)
    except ConfigError as exc:
        print(TC.CONFIG_INVALID.format(path=exc.path, count=len(exc.issues)))
        for issue in exc.issues:
            print(TC.CONFIG_ERROR_LINE.format(place=issue.place or "(tệp)", reason=issue.reason))
        return None


# ------------------------------------------------------------------------------------------ export

def run_export(args: argparse.Namespace) -> int:
    config = _config(args.config)
    if config is None:
        return 1
    if args.committee and args.committee not in config.committees:
        print(T.CLI_UNKNOWN_COMMITTEE.format(value=args.committee, known=", ".join(config.committees)))
        return 2
    if args.date_to and not args.date_from:
        print(T.CLI_BAD_PERIOD.format(error=T.CLI_TO_WITHOUT_FROM))
        return 2
    today = today_in(config.timezone)
    try:
        # each option is one mark, possibly of several words ("quý 3/2026")
        marks = [parse_period(word, today) for word in (args.date_from, args.date_to) if word]
        period = span(marks[0], marks[-1]) if marks else parse_period([], today)
    except PeriodError as exc:
        print(T.CLI_BAD_PERIOD.format(error=exc))
        return 2
    slug = args.committee or "tat-ca"
    out = Path(args.out) if args.out else Path(f"{T.REPORT_FILE_STEM}_{slug}_{period.slug}.{args.format}")
    if out.is_dir():
        out = out / f"{T.REPORT_FILE_STEM}_{slug}_{period.slug}.{args.format}"
    from bot.reports.labels import Labels
    from bot.reports.spreadsheet import build_csv, build_xlsx
    from storage import SchemaNotCurrent

    try:
        rows, now = asyncio.run(_fetch(config, period, args.committee))
    except SchemaNotCurrent:
        print(T.CLI_SCHEMA_OLD)
        return 1
    labels = Labels(config)
    scope = labels.committee(args.committee)
    if args.format == "csv":
        data = build_csv(rows, labels, tz=config.timezone, now=now)
    else:
        data = build_xlsx(rows, labels, tz=config.timezone, period=period, scope=scope, now=now)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        print(T.CLI_WRITE_FAILED.format(path=out, error=exc))
        return 1
    print(T.CLI_EXPORT_DONE.format(count=len(rows), scope=scope, period=period.label, path=out, size=len(data)))
    return 0


async def _fetch(config: Config, period: Period, committee_id: str | None) -> tuple[list[ExportRow], datetime]:
    from storage import Store, resolve_database_url

    store = Store(resolve_database_url(config.database_url))
    await store.open()
    try:
        since, until = period.bounds(config.timezone)
        return await store.export_rows(since, until, committee_id), store.clock()
    finally:
        await store.close()


# ------------------------------------------------------------------------------------------ qr

def run_qr(args: argparse.Namespace) -> int:
    from bot.reports.qrcode import build_qr_poster, deep_link, file_name

    if args.all and args.unit:
        print(T.CLI_QR_BOTH)
        return 2
    if not args.all and not args.unit:
        print(T.CLI_QR_NEED_UNIT)
        return 2
    config = _config(args.config)
    if config is None:
        return 1
    if not config.username:
        print(T.CLI_NO_USERNAME)
        return 1
    if args.unit and args.unit not in config.units:
        print(T.CLI_UNKNOWN_UNIT.format(value=args.unit, known=", ".join(config.units)))
        return 2
    out_dir = Path(args.out)
    units = list(config.units) if args.all else [args.unit]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(T.CLI_WRITE_FAILED.format(path=out_dir, error=exc))
        return 1
    for unit_id in units:
        link = deep_link(config.username, unit_id)
        label = config.unit_label(unit_id)
        path = out_dir / file_name(unit_id)
        try:
            path.write_bytes(build_qr_poster(link, label, username=config.username))
        except OSError as exc:
            print(T.CLI_WRITE_FAILED.format(path=path, error=exc))
            return 1
        print(T.CLI_QR_DONE.format(path=path, label=label, link=link))
    return 0
