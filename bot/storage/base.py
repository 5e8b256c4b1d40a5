"""The storage interface the rest of the bot sees. All SQL lives behind it.

A backend (SQLite today; PostgreSQL for sharded, multi-process deployments later) implements
these protocols; cogs and core services only ever call them.
"""

from __future__ import annotations

from typing import Protocol


class GuildSettingsRepository(Protocol):
    async def get_all(self, guild_id: int) -> dict[str, str]: ...

    async def set(self, guild_id: int, key: str, value: str) -> None: ...

    async def delete(self, guild_id: int, key: str) -> bool: ...


class Storage(Protocol):
    @property
    def guild_settings(self) -> GuildSettingsRepository: ...

    async def counts(self) -> dict[str, int]:
        """Row counts for /about, by what a user would call them ("articles", "quotes", ...)."""
        ...

    async def schema_version(self) -> int: ...

    async def close(self) -> None: ...
