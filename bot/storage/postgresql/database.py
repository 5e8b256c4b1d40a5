"""A pool of asyncpg connections to one PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg


class PostgresDatabase:
    """Each read takes a pooled connection for one statement, so it sees only committed
    state; each write is a transaction on one connection. Transactions of this process and
    of others run side by side: PostgreSQL's row locks, not a lock here, keep them apart."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection inside a transaction (READ COMMITTED): committed when the block
        ends, rolled back when it raises (the error goes on)."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield conn

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[asyncpg.Record]:
        """Every row of a read (parameters `$1`, `$2`...)."""
        return list(await self.pool.fetch(sql, *params))

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> asyncpg.Record | None:
        """The first row of a read, or None."""
        return await self.pool.fetchrow(sql, *params)

    async def fetch_value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row of a read, or None when there is no row."""
        return await self.pool.fetchval(sql, *params)

    async def close(self) -> None:
        """Close every connection of the pool, waiting for those in use to be given back."""
        await self.pool.close()


def affected(status: str) -> int:
    """The rows a statement changed, from its status ("INSERT 0 1", "UPDATE 3", "DELETE 0")."""
    return int(status.rsplit(" ", 1)[-1])
