"""PostgreSQL repositories for the processes sharing the database and their channel claims."""

from __future__ import annotations

from collections.abc import Collection

from bot.model import ProcessInfo
from bot.storage.postgresql.database import PostgresDatabase
from bot.storage.rows import PROCESS_COLUMNS


class PostgresProcesses:
    """The `ProcessRepository` on PostgreSQL."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def register(self, process: ProcessInfo) -> None:
        """See `ProcessRepository.register`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO processes (id, kind, host, pid, pid_space, started_at, heartbeat_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $6)",
                process.id,
                process.kind,
                process.host,
                process.pid,
                process.pid_space,
                process.started_at,
            )

    async def beat(self, process_id: str, now: int) -> None:
        """See `ProcessRepository.beat`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE processes SET heartbeat_at = $1 WHERE id = $2", now, process_id
            )

    async def live(self, since: int) -> list[str]:
        """See `ProcessRepository.live`."""
        rows = await self._db.fetch_all(
            "SELECT id FROM processes WHERE heartbeat_at >= $1 ORDER BY id", (since,)
        )
        return [row[0] for row in rows]

    async def in_pid_space(self, pid_space: str) -> list[ProcessInfo]:
        """See `ProcessRepository.in_pid_space`."""
        rows = await self._db.fetch_all(
            f"SELECT {PROCESS_COLUMNS} FROM processes WHERE pid_space = $1 ORDER BY id",
            (pid_space,),
        )
        return [ProcessInfo(*row) for row in rows]

    async def forget(self, process_id: str, now: int) -> None:
        """See `ProcessRepository.forget`."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM processes WHERE id = $1", process_id)
            await conn.execute(
                "UPDATE feeds SET lease_until = $1 WHERE leased_by = $2", now, process_id
            )
            await conn.execute(
                "UPDATE channel_claims SET until = $1 WHERE owner = $2", now, process_id
            )


class PostgresChannelClaims:
    """The `ChannelClaimRepository` on PostgreSQL."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def hold(
        self, channel_ids: Collection[int], owner: str, now: int, until: int
    ) -> list[int]:
        """See `ChannelClaimRepository.hold`: a claim another transaction is taking is
        waited for, then its condition read again on the row as that one left it."""
        async with self._db.transaction() as conn:
            rows = await conn.fetch(
                "INSERT INTO channel_claims (channel_id, owner, until) "
                "SELECT channel, $1, $2 FROM unnest($3::bigint[]) AS channel "
                "ON CONFLICT (channel_id) DO UPDATE SET owner = excluded.owner, "
                "until = excluded.until "
                "WHERE channel_claims.owner = excluded.owner OR channel_claims.until <= $4 "
                "RETURNING channel_id",
                owner,
                until,
                sorted(set(channel_ids)),  # locked in one order: two holds never deadlock
                now,
            )
        return sorted(row[0] for row in rows)

    async def renew(self, owner: str, until: int) -> None:
        """See `ChannelClaimRepository.renew`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE channel_claims SET until = $1 WHERE owner = $2", until, owner
            )

    async def release(self, channel_ids: Collection[int], owner: str) -> None:
        """See `ChannelClaimRepository.release`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM channel_claims WHERE owner = $1 AND channel_id = ANY($2::bigint[])",
                owner,
                list(channel_ids),
            )
