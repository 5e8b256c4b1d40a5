"""PostgreSQL backend: a pool of asyncpg connections, each write one transaction, for several
precis processes sharing one database."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from bot.model import PurgeReport
from bot.storage.base import DatabaseUnavailable, display_name
from bot.storage.copy import RECOUNT_SPEAKERS, Rows
from bot.storage.postgresql.articles import PostgresArticles
from bot.storage.postgresql.database import PostgresDatabase
from bot.storage.postgresql.feeds import PostgresDeliveries, PostgresFeeds, PostgresSubscriptions
from bot.storage.postgresql.migrate import schema_version, upgrade
from bot.storage.postgresql.processes import PostgresChannelClaims, PostgresProcesses
from bot.storage.postgresql.purge import purge
from bot.storage.postgresql.quotes import PostgresQuotes

CONNECT_TIMEOUT = 10.0  # seconds, for each connection the pool opens
POOL_SIZE = 10  # connections at most; reads and writes of one process share them
# What opening a database that can't be used raises: no server, refused login, no database.
CONNECT_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


class PostgresGuildSettings:
    """The `GuildSettingsRepository` on PostgreSQL."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def get_all(self, guild_id: int) -> dict[str, str]:
        """See `GuildSettingsRepository.get_all`."""
        rows = await self._db.fetch_all(
            "SELECT key, value FROM guild_settings WHERE guild_id = $1", (guild_id,)
        )
        return {row["key"]: row["value"] for row in rows}

    async def set(self, guild_id: int, key: str, value: str) -> None:
        """See `GuildSettingsRepository.set`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, key, value) VALUES ($1, $2, $3) "
                "ON CONFLICT (guild_id, key) DO UPDATE "
                "SET value = excluded.value, updated_at = excluded.updated_at",
                guild_id,
                key,
                value,
            )

    async def delete(self, guild_id: int, key: str) -> bool:
        """See `GuildSettingsRepository.delete`."""
        async with self._db.transaction() as conn:
            status = await conn.execute(
                "DELETE FROM guild_settings WHERE guild_id = $1 AND key = $2", guild_id, key
            )
            return status != "DELETE 0"


class PostgresStorage:
    """The `Storage` protocol on one PostgreSQL database."""

    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db
        self.guild_settings = PostgresGuildSettings(db)
        self.articles = PostgresArticles(db)
        self.quotes = PostgresQuotes(db)
        self.feeds = PostgresFeeds(db)
        self.subscriptions = PostgresSubscriptions(db)
        self.deliveries = PostgresDeliveries(db)
        self.processes = PostgresProcesses(db)
        self.channel_claims = PostgresChannelClaims(db)

    @classmethod
    async def open(cls, url: str) -> PostgresStorage:
        """Connect (`postgresql://user:password@host:port/database`) and bring the schema up
        to date; a database that can't be reached or used raises DatabaseUnavailable."""
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=POOL_SIZE, timeout=CONNECT_TIMEOUT
            )
        except CONNECT_ERRORS as error:
            reason = f"cannot be opened ({error})"
            raise DatabaseUnavailable(display_name(url), reason) from None
        except ValueError as error:  # asyncpg's word for a URL it cannot read
            reason = f"is not a PostgreSQL URL ({error})"
            raise DatabaseUnavailable(display_name(url), reason) from None
        try:
            async with pool.acquire() as conn:
                await upgrade(conn)
        except BaseException:
            await pool.close()
            raise
        return cls(PostgresDatabase(pool, display_name(url)))

    async def counts(self) -> dict[str, int]:
        """See `Storage.counts`."""
        row = await self.db.fetch_one(
            "SELECT (SELECT COUNT(*) FROM feeds) AS feeds, "
            "(SELECT COUNT(*) FROM subscriptions) AS subscriptions, "
            "(SELECT COUNT(*) FROM deliveries "
            " WHERE sent_at >= extract(epoch FROM date_trunc('day', now(), 'UTC'))) AS today, "
            "(SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'sending')) AS waiting, "
            "(SELECT COUNT(*) FROM articles) AS articles, "
            "(SELECT COUNT(*) FROM summaries) AS summaries, "
            "(SELECT COUNT(*) FROM quotes) AS quotes, "
            "(SELECT COUNT(*) FROM speakers WHERE quote_count > 0) AS speakers"
        )
        assert row is not None
        return {
            "feeds": row["feeds"],
            "subscriptions": row["subscriptions"],
            "cards posted today": row["today"],
            "cards waiting": row["waiting"],
            "articles": row["articles"],
            "summaries": row["summaries"],
            "quotes": row["quotes"],
            "speakers": row["speakers"],
        }

    async def schema_version(self) -> int:
        """See `Storage.schema_version`."""
        async with self.db.pool.acquire() as conn:
            return await schema_version(conn)

    async def purge(self, before: int, *, keep_entries: int, limit: int) -> PurgeReport:
        """See `Storage.purge`."""
        return await purge(self.db, before, keep_entries=keep_entries, limit=limit)

    async def table_columns(self, table: str) -> list[str]:
        """See `Copyable.table_columns`: the generated search column is left out."""
        rows = await self.db.fetch_all(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = $1 AND is_generated = 'NEVER' "
            "ORDER BY ordinal_position",
            (table,),
        )
        return [row["column_name"] for row in rows]

    async def write_tables(self, tables: Sequence[tuple[str, Sequence[str], Rows]]) -> None:
        """See `Copyable.write_tables`: rows go in by COPY, and each id sequence then starts
        after the largest id copied."""
        async with self.db.transaction() as conn:
            for table, columns, rows in tables:
                await conn.copy_records_to_table(table, records=rows, columns=list(columns))
                if "id" in columns:
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"coalesce(max(id), 0) + 1, false) FROM {table}"
                    )
            await conn.execute(RECOUNT_SPEAKERS)

    async def close(self) -> None:
        """See `Storage.close`."""
        await self.db.close()
