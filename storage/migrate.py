"""Schema migrations (Alembic) driven from code: `hopthu db upgrade` and `Store.open()` use this.

Why in code: the application must not depend on the working directory or an alembic.ini to find its
migrations; the scripts ship inside the package (storage/migrations/).

Alembic is imported only when a migration has to run: a bot starting on a current schema reads the
version row with plain SQL and compares it with HEAD_REVISION, which spares every replica the memory
and the start-up time of loading Alembic (tests/test_storage_migrations.py checks the constant).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.engine import WRITE_OPTION, create_engine, normalize_url
from storage.models import metadata

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest script's revision; a new migration must update it (a test compares it with the scripts).
HEAD_REVISION = "0001"
VERSION_TABLE = "alembic_version"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic Config pointing at the packaged migrations; `url` (if given) is what env.py migrates."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.attributes["url"] = normalize_url(url)
    return config


def head_revision() -> str:
    """The head of the migration scripts, as Alembic reads them (HEAD_REVISION must equal it)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migration scripts"
    return head


def current_revision_sync(connection: Connection) -> str | None:
    """The database's revision (None for a database Alembic never touched), read as Alembic stores it."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(versions) > 1:
        raise RuntimeError(f"the database has several migration heads: {', '.join(versions)}")
    return versions[0] if versions else None


def is_empty_sync(connection: Connection) -> bool:
    """No tables at all (a brand-new database)."""
    return not inspect(connection).get_table_names()


def _upgrade_sync(connection: Connection, revision: str) -> None:
    from alembic import command

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
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))
