"""SQLite backend: a file in WAL mode, writes serialised in transactions, reads on their own
connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import aiosqlite

from bot.model import PurgeReport
from bot.storage.articles import SQLiteArticles
from bot.storage.base import DatabaseUnavailable
from bot.storage.copy import RECOUNT_SPEAKERS, Rows
from bot.storage.database import Database
from bot.storage.feeds import SQLiteDeliveries, SQLiteFeeds, SQLiteSubscriptions
from bot.storage.migrate import schema_version, upgrade
from bot.storage.processes import SQLiteChannelClaims, SQLiteProcesses
from bot.storage.purge import purge
from bot.storage.quotes import SQLiteQuotes


async def connect(path: Path, *, read_only: bool = False) -> aiosqlite.Connection:
    """A connection in WAL mode with foreign keys on, or DatabaseUnavailable."""
    try:
        conn = await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.Error as error:
        raise DatabaseUnavailable(path, f"cannot be opened ({error})") from None
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode = WAL")  # the first read of the file
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA busy_timeout = 5000")
        if read_only:
            await conn.execute("PRAGMA query_only = ON")
    except sqlite3.OperationalError as error:  # read-only, locked...
        await conn.close()
        raise DatabaseUnavailable(path, f"cannot be opened ({error})") from None
    except sqlite3.DatabaseError as error:  # not a database, malformed
        await conn.close()
        raise DatabaseUnavailable(path, f"is not a SQLite database ({error})") from None
    except BaseException:
        await conn.close()
        raise
    return conn


class SQLiteGuildSettings:
    """The `GuildSettingsRepository` on SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get_all(self, guild_id: int) -> dict[str, str]:
        """See `GuildSettingsRepository.get_all`."""
        rows = await self._db.fetch_all(
            "SELECT key, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return {row["key"]: row["value"] for row in rows}

    async def set(self, guild_id: int, key: str, value: str) -> None:
        """See `GuildSettingsRepository.set`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, key) DO UPDATE "
                "SET value = excluded.value, updated_at = unixepoch()",
                (guild_id, key, value),
            )

    async def delete(self, guild_id: int, key: str) -> bool:
        """See `GuildSettingsRepository.delete`."""
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
        self.processes = SQLiteProcesses(db)
        self.channel_claims = SQLiteChannelClaims(db)

    @classmethod
    async def open(cls, path: Path | str) -> SQLiteStorage:
        """Open (creating the file and its folder) and bring the schema up to date; a path
        that can't hold a database raises DatabaseUnavailable."""
        path = Path(path)
        if path.is_dir():
            raise DatabaseUnavailable(path, "is a folder, not a file")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise DatabaseUnavailable(
                path, "is in a folder that cannot be created: a file is in the way"
            ) from None
        except OSError as error:
            raise DatabaseUnavailable(
                path, f"is in a folder that cannot be created ({error.strerror})"
            ) from None
        writer = await connect(path)
        try:
            await upgrade(writer)
            reader = await connect(path, read_only=True)
        except BaseException:
            await writer.close()
            raise
        return cls(Database(writer, reader))

    async def counts(self) -> dict[str, int]:
        """See `Storage.counts`."""
        posted_today = (
            "SELECT COUNT(*) FROM deliveries WHERE sent_at >= unixepoch('now', 'start of day')"
        )
        return {
            "feeds": int(await self.db.fetch_value("SELECT COUNT(*) FROM feeds")),
            "subscriptions": int(await self.db.fetch_value("SELECT COUNT(*) FROM subscriptions")),
            "cards posted today": int(await self.db.fetch_value(posted_today)),
            "cards waiting": int(
                await self.db.fetch_value(
                    "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'sending')"
                )
            ),
            "articles": int(await self.db.fetch_value("SELECT COUNT(*) FROM articles")),
            "summaries": int(await self.db.fetch_value("SELECT COUNT(*) FROM summaries")),
            "quotes": int(await self.db.fetch_value("SELECT COUNT(*) FROM quotes")),
            "speakers": int(
                await self.db.fetch_value("SELECT COUNT(*) FROM speakers WHERE quote_count > 0")
            ),
        }

    async def schema_version(self) -> int:
        """See `Storage.schema_version`."""
        return await schema_version(self.db.conn)

    async def purge(self, before: int, *, keep_entries: int, limit: int) -> PurgeReport:
        """See `Storage.purge`."""
        return await purge(self.db, before, keep_entries=keep_entries, limit=limit)

    async def table_columns(self, table: str) -> list[str]:
        """See `Copyable.table_columns`."""
        rows = await self.db.fetch_all(
            "SELECT name FROM pragma_table_info(?) ORDER BY cid", (table,)
        )
        return [row["name"] for row in rows]

    async def write_tables(self, tables: Sequence[tuple[str, Sequence[str], Rows]]) -> None:
        """See `Copyable.write_tables`; SQLite gives the next ids from the largest itself."""
        async with self.db.transaction() as conn:
            for table, columns, rows in tables:
                names = ", ".join(f'"{column}"' for column in columns)
                marks = ", ".join("?" for _ in columns)
                await conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            await conn.execute(RECOUNT_SPEAKERS)

    async def close(self) -> None:
        """See `Storage.close`."""
        await self.db.close()
