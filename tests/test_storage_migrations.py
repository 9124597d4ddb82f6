"""Schema: Alembic migrations agree with the models, Store.open() creates/guards the schema, URLs, SQLite tuning."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from bot.cli import main as hopthu
from storage import SchemaNotCurrent, Store, resolve_database_url
from storage.engine import DEFAULT_DATABASE_URL, create_engine, normalize_url
from storage.migrate import HEAD_REVISION, alembic_config, current_revision, head_revision, schema_diff_sync, upgrade
from storage.models import metadata
from storage.sqlite_driver import offloaded
from tests.storage_fixtures import new_submission


async def _tables_and_diff(url: str) -> tuple[set[str], list[object]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
            diff = await conn.run_sync(schema_diff_sync)
    finally:
        await engine.dispose()
    return tables, diff


async def test_upgrade_from_empty_matches_the_models(empty_db_url: str) -> None:
    assert await current_revision(empty_db_url) is None
    assert await upgrade(empty_db_url) == head_revision()
    tables, diff = await _tables_and_diff(empty_db_url)
    assert tables == {t.name for t in metadata.sorted_tables} | {"alembic_version"}
    assert diff == [], f"models and migrations disagree (autogenerate would write): {diff}"
    # Downgrade and upgrade again: the migration is reversible.
    await asyncio.to_thread(command.downgrade, alembic_config(empty_db_url), "base")
    tables, _ = await _tables_and_diff(empty_db_url)
    assert tables == {"alembic_version"}
    assert await upgrade(empty_db_url) == head_revision()
    assert (await _tables_and_diff(empty_db_url))[1] == []


async def test_open_creates_the_schema_of_an_empty_database(empty_db_url: str) -> None:
    store = Store(empty_db_url)
    await store.open()
    try:
        sub = await store.submit(new_submission())
        assert await store.get_submission(sub.id) == sub
    finally:
        await store.close()
    assert await current_revision(empty_db_url) == head_revision()
    async with Store(empty_db_url) as again:  # reopening an up-to-date database changes nothing
        assert await again.get_submission(sub.id) == sub


async def test_open_refuses_an_outdated_populated_postgres(empty_db_url: str) -> None:
    if not empty_db_url.startswith("postgresql"):
        pytest.skip("SQLite upgrades itself on open")
    await upgrade(empty_db_url)
    await asyncio.to_thread(command.downgrade, alembic_config(empty_db_url), "base")
    with pytest.raises(SchemaNotCurrent) as info:
        await Store(empty_db_url).open()
    assert info.value.head == head_revision() and info.value.current is None
    async with Store(empty_db_url, migrate=True) as store:
        assert await store.get_submission(1) is None


def test_head_revision_constant_names_the_newest_script() -> None:
    assert HEAD_REVISION == head_revision(), "a new migration must update storage.migrate.HEAD_REVISION"


def test_opening_a_current_schema_does_not_load_alembic(tmp_path: Path) -> None:
    """A replica starting on an up-to-date database reads the version with plain SQL (Alembic is ~10 MB)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    assert asyncio.run(upgrade(url)) == HEAD_REVISION
    script = (
        "import asyncio, sys\n"
        "from storage import Store\n"
        f"async def main():\n    async with Store({url!r}) as store:\n        await store.upsert_citizen(1, 1)\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1], check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


@pytest.mark.parametrize("inline_sqlite", [False, True])
async def test_sqlite_is_tuned_for_concurrent_writers(tmp_path: Path, inline_sqlite: bool) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    async with Store(url, inline_sqlite=inline_sqlite) as store:
        async with store.engine.connect() as conn:
            pragmas = {
                name: (await conn.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "foreign_keys", "synchronous")
            }
            # Inline driver: in the event loop's thread a statement never waits for the lock; in the
            # connection's own thread (where a locked one is run again, and long work runs) it waits up to
            # 30 s. By default every statement runs in that thread, so it always may wait there.
            inline_busy = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
            async with offloaded(conn):
                thread_busy = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2}
    assert (inline_busy, thread_busy) == (0 if inline_sqlite else 30000, 30000)


async def test_two_processes_worth_of_writers_never_see_database_is_locked(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
    stores = [Store(url), Store(url)]
    for st in stores:
        await st.open()
    try:
        submitted, _ = await asyncio.gather(
            asyncio.gather(*(stores[i % 2].submit(new_submission(user_id=i)) for i in range(200))),
            asyncio.gather(*(stores[i % 2].upsert_citizen(i, i) for i in range(200))),
        )
        codes = {s.code for s in submitted}
        assert len(codes) == 200
        stats = await stores[0].statistics()
        assert stats.total == 200
    finally:
        for st in stores:
            await st.close()


def test_resolve_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HOPTHU_DATABASE_URL", raising=False)
    assert resolve_database_url(None) == DEFAULT_DATABASE_URL
    assert (tmp_path / "data").is_dir(), "the directory of the default file is created"
    assert resolve_database_url("sqlite:///var/x.db") == "sqlite+aiosqlite:///var/x.db"
    assert (tmp_path / "var").is_dir()
    assert resolve_database_url("postgresql://u:p@db/hopthu") == "postgresql+asyncpg://u:p@db/hopthu"
    monkeypatch.setenv("HOPTHU_DATABASE_URL", "postgres://u@db2/x")
    assert resolve_database_url("sqlite:///ignored.db") == "postgresql+asyncpg://u@db2/x"
    monkeypatch.setenv("HOPTHU_DATABASE_URL", "  ")
    assert resolve_database_url("sqlite:///y.db") == "sqlite+aiosqlite:///y.db"
    assert normalize_url("sqlite+aiosqlite:///:memory:") == "sqlite+aiosqlite:///:memory:"
    assert Store("postgresql://u:secret@db/x").display_url == "postgresql+asyncpg://u:***@db/x"


def test_hopthu_db_upgrade(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "new" / "hopthu.sqlite3"
    assert hopthu(["db", "upgrade", "--url", f"sqlite:///{target}"]) == 0
    assert head_revision() in capsys.readouterr().out
    assert target.is_file()
    assert asyncio.run(current_revision(f"sqlite+aiosqlite:///{target}")) == head_revision()
    assert hopthu(["db", "upgrade", "--url", "postgresql://nobody@127.0.0.1:1/none"]) == 1


async def test_open_creates_the_directory_of_a_sqlite_file(tmp_path: Path) -> None:
    target = tmp_path / "not" / "yet" / "there.sqlite3"
    async with Store(f"sqlite:///{target}") as store:
        assert store.dialect == "sqlite" and (await store.upsert_citizen(1, 1)).user_id == 1
    assert target.is_file()
