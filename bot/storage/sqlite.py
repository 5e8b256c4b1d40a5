"""SQLite backend: one aiosqlite connection in WAL mode, writes serialised in transactions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.migrate import schema_version, upgrade


class Database:
    """A connection plus a lock, so that concurrent coroutines never interleave a transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            await self.conn.commit()

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def fetch_value(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]


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
        servers = await self.db.fetch_value("SELECT COUNT(DISTINCT guild_id) FROM guild_settings")
        return {"configured servers": int(servers or 0)}

    async def schema_version(self) -> int:
        return await schema_version(self.db.conn)

    async def close(self) -> None:
        await self.db.conn.close()
