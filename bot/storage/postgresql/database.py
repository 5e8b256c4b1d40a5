"""A pool of asyncpg connections to one PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg

from bot.storage.base import DatabaseUnavailable

# The server is away (restarting, shut down, unreachable) or dropped the connection: the
# statement may be tried again once it is back. The pool replaces a broken connection on
# its next use, so nothing else is needed to reconnect.
SERVER_AWAY = (
    OSError,  # refused, reset, timed out
    asyncpg.PostgresConnectionError,  # class 08, with "connection closed mid-operation"
    asyncpg.exceptions.OperatorInterventionError,  # shutting down, starting up
    asyncpg.exceptions.TooManyConnectionsError,
)


class PostgresDatabase:
    """Each read takes a pooled connection for one statement, so it sees only committed
    state; each write is a transaction on one connection. Transactions of this process and
    of others run side by side: PostgreSQL's row locks, not a lock here, keep them apart.
    While the server is away, every statement raises DatabaseUnavailable."""

    def __init__(self, pool: asyncpg.Pool, name: str) -> None:
        self.pool = pool
        self.name = name  # as messages show it: without a password

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection inside a transaction (READ COMMITTED): committed when the block
        ends, rolled back when it raises (the error goes on)."""
        with self._server_away():
            async with self.pool.acquire() as conn, conn.transaction():
                yield conn

    async def fetch_all(self, sql: str, params: Sequence[Any] = ()) -> list[asyncpg.Record]:
        """Every row of a read (parameters `$1`, `$2`...)."""
        with self._server_away():
            return list(await self.pool.fetch(sql, *params))

    async def fetch_one(self, sql: str, params: Sequence[Any] = ()) -> asyncpg.Record | None:
        """The first row of a read, or None."""
        with self._server_away():
            return await self.pool.fetchrow(sql, *params)

    async def fetch_value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row of a read, or None when there is no row."""
        with self._server_away():
            return await self.pool.fetchval(sql, *params)

    @contextmanager
    def _server_away(self) -> Iterator[None]:
        try:
            yield
        except SERVER_AWAY as error:
            raise DatabaseUnavailable(self.name, f"is unavailable ({error!r})") from error

    async def close(self) -> None:
        """Close every connection of the pool, waiting for those in use to be given back."""
        await self.pool.close()


def affected(status: str) -> int:
    """The rows a statement changed, from its status ("INSERT 0 1", "UPDATE 3", "DELETE 0")."""
    return int(status.rsplit(" ", 1)[-1])
