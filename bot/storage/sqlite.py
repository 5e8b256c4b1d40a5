"""SQLite backend: one aiosqlite connection in WAL mode, writes serialised in transactions."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from bot.storage.articles import SQLiteArticles
from bot.storage.database import Database
from bot.storage.feeds import SQLiteDeliveries, SQLiteFeeds, SQLiteSubscriptions
from bot.storage.migrate import schema_version, upgrade
from bot.storage.quotes import SQLiteQuotes


class SQLiteGuildSettings:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get_all(self, guild_id: int) -> dict[str, str]:
        rows = await self._db.fetch_all(
            "SELECT key, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return {row["key"]: row["value"] for row in rows}

    async def set(self, guild_id: int, key: str, value: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, key) DO UPDATE "
                "SET value = excluded.value, updated_at = unixepoch()",
                (guild_id, key, value),
            )

    async def delete(self, guild_id: int, key: str) -> bool:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key)
            )
            return cursor.rowcount > 0


class SQLiteStorage:
    """The `Storage` protocol on one SQLite file."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.guild_settings = SQLiteGuildSettings(db)
        self.articles = SQLiteArticles(db)
        self.quotes = SQLiteQuotes(db)
        self.feeds = SQLiteFeeds(db)
        self.subscriptions = SQLiteSubscriptions(db)
        self.deliveries = SQLiteDeliveries(db)

    @classmethod
    async def open(cls, path: Path | str) -> SQLiteStorage:
        """Open (creating the file and its folder) and bring the schema up to date."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA busy_timeout = 5000")
            await upgrade(conn)
        except BaseException:
            await conn.close()
            raise
        return cls(Database(conn))

    async def counts(self) -> dict[str, int]:
        posted_today = (
            "SELECT COUNT(*) FROM deliveries WHERE sent_at >= unixepoch('now', 'start of day')"
        )
        return {
            "feeds": int(await self.db.fetch_value("SELECT COUNT(*) FROM feeds")),
            "subscriptions": int(await self.db.fetch_value("SELECT COUNT(*) FROM subscriptions")),
            "cards posted today": int(await self.db.fetch_value(posted_today)),
            "articles": int(await self.db.fetch_value("SELECT COUNT(*) FROM articles")),
            "summaries": int(await self.db.fetch_value("SELECT COUNT(*) FROM summaries")),
            "quotes": int(await self.db.fetch_value("SELECT COUNT(*) FROM quotes")),
            "speakers": int(
                await self.db.fetch_value("SELECT COUNT(*) FROM speakers WHERE quote_count > 0")
            ),
        }

    async def schema_version(self) -> int:
        return await schema_version(self.db.conn)

    async def close(self) -> None:
        await self.db.conn.close()
