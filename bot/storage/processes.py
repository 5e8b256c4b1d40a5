"""SQLite repositories for the processes sharing the database and their channel claims."""

from __future__ import annotations

import json
from collections.abc import Collection

from bot.model import ProcessInfo
from bot.storage.database import Database
from bot.storage.rows import PROCESS_COLUMNS


class SQLiteProcesses:
    """The `ProcessRepository` on SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def register(self, process: ProcessInfo) -> None:
        """See `ProcessRepository.register`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO processes (id, kind, host, pid, pid_space, started_at, heartbeat_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    process.id,
                    process.kind,
                    process.host,
                    process.pid,
                    process.pid_space,
                    process.started_at,
                    process.started_at,
                ),
            )

    async def beat(self, process_id: str, now: int) -> None:
        """See `ProcessRepository.beat`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE processes SET heartbeat_at = ? WHERE id = ?", (now, process_id)
            )

    async def live(self, since: int) -> list[str]:
        """See `ProcessRepository.live`."""
        rows = await self._db.fetch_all(
            "SELECT id FROM processes WHERE heartbeat_at >= ? ORDER BY id", (since,)
        )
        return [row[0] for row in rows]

    async def in_pid_space(self, pid_space: str) -> list[ProcessInfo]:
        """See `ProcessRepository.in_pid_space`."""
        rows = await self._db.fetch_all(
            f"SELECT {PROCESS_COLUMNS} FROM processes WHERE pid_space = ? ORDER BY id",
            (pid_space,),
        )
        return [ProcessInfo(*row) for row in rows]

    async def forget(self, process_id: str, now: int) -> None:
        """See `ProcessRepository.forget`."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM processes WHERE id = ?", (process_id,))
            await conn.execute(
                "UPDATE feeds SET lease_until = ? WHERE leased_by = ?", (now, process_id)
            )
            await conn.execute(
                "UPDATE channel_claims SET until = ? WHERE owner = ?", (now, process_id)
            )


class SQLiteChannelClaims:
    """The `ChannelClaimRepository` on SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def hold(
        self, channel_ids: Collection[int], owner: str, now: int, until: int
    ) -> list[int]:
        """See `ChannelClaimRepository.hold`."""
        async with (
            self._db.transaction() as conn,
            conn.execute(
                # `WHERE true` tells SQLite's parser the upsert's ON is not a join's.
                "INSERT INTO channel_claims (channel_id, owner, until) "
                "SELECT value, ?, ? FROM json_each(?) WHERE true "
                "ON CONFLICT (channel_id) DO UPDATE SET owner = excluded.owner, "
                "until = excluded.until "
                "WHERE channel_claims.owner = excluded.owner OR channel_claims.until <= ? "
                "RETURNING channel_id",
                (owner, until, json.dumps(list(channel_ids)), now),
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        return sorted({row[0] for row in rows})

    async def renew(self, owner: str, until: int) -> None:
        """See `ChannelClaimRepository.renew`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE channel_claims SET until = ? WHERE owner = ?", (until, owner)
            )

    async def release(self, channel_ids: Collection[int], owner: str) -> None:
        """See `ChannelClaimRepository.release`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM channel_claims WHERE owner = ? "
                "AND channel_id IN (SELECT value FROM json_each(?))",
                (owner, json.dumps(list(channel_ids))),
            )
