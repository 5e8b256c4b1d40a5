"""Two aiosqlite connections to one WAL database: one writes, in serialised transactions;
the other reads, and sees only what is committed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiosqlite

# Positional (`?`) or named (`:name`) parameters.
Params = Sequence[Any] | Mapping[str, Any]


class Database:
    """A writer with a lock, so that concurrent coroutines never interleave a transaction, and
    a read-only reader. Each read on the reader is its own transaction on the last committed
    state (WAL gives readers a snapshot), so it never sees another task's uncommitted writes
    and never waits for them. A transaction that must read its own writes reads on `conn`."""

    def __init__(self, writer: aiosqlite.Connection, reader: aiosqlite.Connection) -> None:
        self.conn = writer
        self.reader = reader
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """The writer inside `BEGIN IMMEDIATE`, one task at a time: committed when the block
        ends, rolled back when it raises (the error goes on)."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            await self.conn.commit()

    async def fetch_all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Every row of a read on the reader."""
        async with self.reader.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetch_one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """The first row of a read on the reader, or None."""
        async with self.reader.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row of a read, or None when there is no row."""
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]

    async def close(self) -> None:
        """Close both connections."""
        # The writer last: the last connection to close checkpoints the WAL into the file.
        await self.reader.close()
        await self.conn.close()
