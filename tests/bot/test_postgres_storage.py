"""What only the PostgreSQL backend has: its migrations (a `schema_version` table, a lock for
processes starting at once), its URL, and its errors. Everything the repositories promise is
tested on both backends by the `storage` fixture's tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import pytest

from bot.model import Article, DeliveryTarget
from bot.storage import DatabaseUnavailable, SchemaTooNew, latest_version, open_storage
from bot.storage.migrate import Migration, available_migrations
from bot.storage.postgresql import PostgresStorage
from tests.postgres import PostgresServer


@pytest.fixture
def empty_database(postgres_server: PostgresServer) -> Iterator[str]:
    """A new PostgreSQL database that precis has never opened."""
    with postgres_server.fresh_database(migrated=False) as url:
        yield url


async def execute(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def fetch_value(url: str, sql: str) -> object:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


TABLES = "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"


def test_both_dialects_number_the_same_migrations() -> None:
    """A schema change made for SQLite is made for PostgreSQL too, under the same number."""
    sqlite = [(m.version, m.name) for m in available_migrations("sqlite")]
    postgresql = [(m.version, m.name) for m in available_migrations("postgresql")]
    assert postgresql == sqlite


async def test_new_database_is_at_the_latest_version(empty_database: str) -> None:
    storage = await open_storage(empty_database)
    try:
        assert await storage.schema_version() == latest_version() >= 1
    finally:
        await storage.close()
    assert await fetch_value(empty_database, "SELECT COUNT(*) FROM schema_version") == 1


async def test_older_database_upgrades_and_keeps_its_data(empty_database: str) -> None:
    await execute(  # a database written by version 1 of the schema
        empty_database,
        available_migrations("postgresql")[0].sql,
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        "INSERT INTO schema_version VALUES (1)",
        "INSERT INTO guild_settings (guild_id, key, value) VALUES (1, 'summary_sentences', '6')",
    )
    storage = await open_storage(empty_database)
    try:
        assert await storage.schema_version() == latest_version()
        assert await storage.guild_settings.get_all(1) == {"summary_sentences": "6"}
    finally:
        await storage.close()


async def test_cards_left_sending_before_the_upgrade_count_from_when_they_were_owed(
    empty_database: str,
) -> None:
    await execute(  # a database of version 4, before `sending_at`
        empty_database,
        *(migration.sql for migration in available_migrations("postgresql")[:4]),
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        "INSERT INTO schema_version VALUES (4)",
        "INSERT INTO articles (id, content_hash, title, paragraphs, word_count) "
        "VALUES (7, 'h', 't', '[]', 0)",
        "INSERT INTO deliveries (guild_id, channel_id, article_id, state, created_at) "
        "VALUES (1, 10, 7, 'sending', 1000), (1, 11, 7, 'pending', 1000)",
    )
    storage = await open_storage(empty_database)
    try:
        (sending,) = await storage.deliveries.in_state("sending")
        (pending,) = await storage.deliveries.in_state("pending")
    finally:
        await storage.close()
    assert (sending.sending_at, pending.sending_at) == (1000, None)


async def test_newer_database_is_refused_untouched(empty_database: str) -> None:
    await execute(
        empty_database,
        "CREATE TABLE schema_version (version INTEGER NOT NULL)",
        f"INSERT INTO schema_version VALUES ({latest_version() + 1})",
    )
    with pytest.raises(SchemaTooNew, match="upgrade precis"):
        await open_storage(empty_database)
    assert await fetch_value(empty_database, "SELECT version FROM schema_version") == (
        latest_version() + 1
    )
    assert await fetch_value(empty_database, TABLES) == 1


async def test_failed_migration_leaves_the_database_as_it_was(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.storage.postgresql import migrate

    broken = [
        *available_migrations("postgresql"),
        Migration(latest_version() + 1, "broken", "CREATE TABLE x (;"),
    ]
    monkeypatch.setattr(migrate, "available_migrations", lambda dialect: broken)
    with pytest.raises(asyncpg.PostgresSyntaxError):
        await open_storage(empty_database)
    assert await fetch_value(empty_database, TABLES) == 0


async def test_processes_starting_at_once_migrate_one_after_the_other(
    empty_database: str,
) -> None:
    opened = await asyncio.gather(*(PostgresStorage.open(empty_database) for _ in range(4)))
    try:
        versions = [await storage.schema_version() for storage in opened]
    finally:
        for storage in opened:
            await storage.close()
    assert versions == [latest_version()] * 4
    assert await fetch_value(empty_database, "SELECT COUNT(*) FROM schema_version") == 1


async def test_a_database_that_cannot_be_opened_is_unavailable_and_its_password_kept_quiet(
    postgres_server: PostgresServer,
) -> None:
    missing = postgres_server.admin_url.replace("://", "://ghost:s3cret@", 1)
    missing = missing.rsplit("/", 1)[0] + "/precis_no_such_database"
    with pytest.raises(DatabaseUnavailable) as raised:
        await open_storage(missing)
    assert "s3cret" not in str(raised.value)
    assert raised.value.reason.startswith("cannot be opened (")
    assert ":***@" in str(raised.value.path)


async def test_two_processes_claiming_the_same_cards_take_each_once(
    postgres_server: PostgresServer,
) -> None:
    """Two bots on one database (two pools, as two processes have) claim at the same time."""
    with postgres_server.fresh_database() as url:
        first, second = await PostgresStorage.open(url), await PostgresStorage.open(url)
        try:
            article = await first.articles.save(Article("Bridge", ("It opens.",)))
            owed = [
                await first.deliveries.create(DeliveryTarget(1, channel, "x"), article.id)
                for channel in range(100, 140)
            ]
            ids = [delivery.id for delivery in owed if delivery is not None]
            rounds = await asyncio.gather(
                *(storage.deliveries.claim(ids, now=50) for storage in (first, second) * 5)
            )
        finally:
            await first.close()
            await second.close()
    claimed = sorted(delivery.id for taken in rounds for delivery in taken)
    assert claimed == sorted(ids)  # every card once, none twice
