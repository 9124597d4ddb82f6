"""Schema migrations (Alembic) driven from code: `hopthu db upgrade` and `Store.open()` use this.

Why in code: the application must not depend on the working directory or an alembic.ini to find its
migrations; the scripts ship inside the package (storage/migrations/).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.engine import WRITE_OPTION, create_engine, normalize_url
from storage.models import metadata

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic Config pointing at the packaged migrations; `url` (if given) is what env.py migrates."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.attributes["url"] = normalize_url(url)
    return config


def head_revision() -> str:
    """The revision the code expects."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migration scripts"
    return head


def current_revision_sync(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def is_empty_sync(connection: Connection) -> bool:
    """No tables at all (a brand-new database)."""
    return not inspect(connection).get_table_names()


def _upgrade_sync(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade_connection(connection: AsyncConnection, revision: str = "head") -> None:
    """Upgrade the database behind an open connection (which should be a writing one on SQLite)."""
    await connection.run_sync(_upgrade_sync, revision)


async def upgrade(target: str | AsyncEngine, revision: str = "head") -> str | None:
    """Upgrade the database at `target` (URL or engine) to `revision`; returns the revision reached."""
    engine = create_engine(target) if isinstance(target, str) else target
    try:
        async with engine.execution_options(**{WRITE_OPTION: True}).connect() as connection:
            await upgrade_connection(connection, revision)
        async with engine.connect() as connection:
            return await connection.run_sync(current_revision_sync)
    finally:
        if isinstance(target, str):
            await engine.dispose()


async def current_revision(target: str | AsyncEngine) -> str | None:
    engine = create_engine(target) if isinstance(target, str) else target
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(current_revision_sync)
    finally:
        if isinstance(target, str):
            await engine.dispose()


def schema_diff_sync(connection: Connection) -> list[object]:
    """Differences between the database and the models as Alembic autogenerate sees them ([] = agree)."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))
