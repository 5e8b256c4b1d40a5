"""Storage: the repository interface, its SQLite and PostgreSQL backends, and `open_storage`
that picks one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.storage.base import (
    ArticleRepository,
    ChannelClaimRepository,
    DatabaseUnavailable,
    DeliveryRepository,
    FeedRepository,
    GuildSettingsRepository,
    ProcessRepository,
    QuoteRepository,
    Storage,
    SubscriptionRepository,
    display_name,
)
from bot.storage.migrate import SchemaTooNew, latest_version
from bot.storage.sqlite import SQLiteStorage

if TYPE_CHECKING:
    from bot.storage.postgresql import PostgresStorage

# A database named by one of these is PostgreSQL's; anything else is a SQLite file.
POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")


def is_postgresql(target: Path | str) -> bool:
    """Whether `target` (`PRECIS_DATABASE`) is a PostgreSQL URL rather than a SQLite path."""
    return isinstance(target, str) and target.startswith(POSTGRESQL_SCHEMES)


async def open_storage(target: Path | str) -> SQLiteStorage | PostgresStorage:
    """Open the database `target` names, a PostgreSQL URL or a SQLite path, with its pending
    migrations applied; DatabaseUnavailable or SchemaTooNew when it can't be used."""
    if is_postgresql(target):
        from bot.storage.postgresql import PostgresStorage  # asyncpg only for those who use it

        return await PostgresStorage.open(str(target))
    return await SQLiteStorage.open(target)


__all__ = [
    "ArticleRepository",
    "ChannelClaimRepository",
    "DatabaseUnavailable",
    "DeliveryRepository",
    "FeedRepository",
    "GuildSettingsRepository",
    "ProcessRepository",
    "QuoteRepository",
    "SQLiteStorage",
    "SchemaTooNew",
    "Storage",
    "SubscriptionRepository",
    "display_name",
    "is_postgresql",
    "latest_version",
    "open_storage",
]
