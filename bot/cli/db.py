"""`hopthu db upgrade [--url URL] [--config bot.yaml]`: bring the database schema to the latest migration.

Run it once per deployment before starting new replicas on PostgreSQL (they refuse an outdated
schema rather than race each other migrating it). SQLite deployments do not need it — the bot
upgrades its own file at start — but it does no harm. The URL: --url, else env HOPTHU_DATABASE_URL,
else bot.yaml's `database_url`, else the default SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.texts import cli as T

# Technical diagnostics not yet in bot/texts/cli.py (the lead may move them there).


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("db", help="Quản lý cơ sở dữ liệu (nâng cấp lược đồ)")
    commands = parser.add_subparsers(dest="db_command", metavar="LỆNH")
    upgrade = commands.add_parser("upgrade", help="Nâng cấp lược đồ cơ sở dữ liệu lên phiên bản mới nhất")
    upgrade.add_argument("--url", help="địa chỉ cơ sở dữ liệu (mặc định: HOPTHU_DATABASE_URL, rồi bot.yaml)")
    upgrade.add_argument("--config", default="bot.yaml", help="đường dẫn tới bot.yaml")
    upgrade.add_argument("--revision", default="head", help=argparse.SUPPRESS)
    upgrade.set_defaults(func=run_upgrade)
    parser.set_defaults(func=lambda _args: parser.print_help() or 2)


def _config_url(path: str) -> str | None:
    """bot.yaml's database_url, if the file exists (a broken file is reported by `hopthu check`)."""
    if not Path(path).is_file():
        return None
    from bot.config import ConfigError, load_config

    try:
        return load_config(path).database_url
    except ConfigError:
        import yaml

        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        section = raw.get("bot") if isinstance(raw, dict) else None
        value = (section or {}).get("database_url") if isinstance(section, dict) else None
        return value if isinstance(value, str) else None


def run_upgrade(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from storage import resolve_database_url
    from storage.engine import prepare_url
    from storage.migrate import upgrade

    url = prepare_url(args.url) if args.url else resolve_database_url(_config_url(args.config))
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        revision = asyncio.run(upgrade(url, args.revision))
    except Exception as exc:
        print(T.DB_UPGRADE_FAILED.format(db=shown, error=f"{type(exc).__name__}: {exc}"))
        return 1
    print(T.DB_UPGRADED.format(db=shown, revision=revision))
    return 0
