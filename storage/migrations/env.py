"""Alembic environment: async engines, URL given by the caller.

Three ways in, one code path (`_run_migrations` on a sync Connection):

* `storage.migrate.upgrade()` / `Store.open()` pass an open connection in
  `config.attributes["connection"]` (the application's own engine, already set up for SQLite);
* they may instead pass a URL in `config.attributes["url"]`;
* the `alembic` command line (developers) takes `-x url=...`, else HOPTHU_DATABASE_URL, else the default.

On PostgreSQL the migration holds a transaction-level advisory lock, so several replicas starting at
once against an empty database migrate it once; the others wait, then find it at head.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.engine import WRITE_OPTION, create_engine, normalize_url, resolve_database_url
from storage.models import metadata

config = context.config
target_metadata = metadata

# pg_advisory_xact_lock key shared by every process migrating this schema ("hopthu" in ASCII).
PG_MIGRATION_LOCK = 0x686F70746875


def _url() -> str:
    given = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    if given:
        return normalize_url(given)
    return resolve_database_url(config.get_main_option("sqlalchemy.url") or None)


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=True,  # SQLite can only ALTER through table copies; harmless on PostgreSQL
        literal_binds=connection is None,
    )


def _run_migrations(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()


async def _run_async(url: str) -> None:
    engine = create_engine(url).execution_options(**{WRITE_OPTION: True})
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_migrations)
    finally:
        await engine.dispose()


def run_migrations_offline() -> None:
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_migrations(connection)
    else:
        asyncio.run(_run_async(_url()))


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
