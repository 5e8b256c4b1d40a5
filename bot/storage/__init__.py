"""Storage: the repository interface and its SQLite backend."""

from bot.storage.base import (
    ArticleRepository,
    DeliveryRepository,
    FeedRepository,
    GuildSettingsRepository,
    QuoteRepository,
    Storage,
    SubscriptionRepository,
)
from bot.storage.migrate import SchemaTooNew, latest_version
from bot.storage.sqlite import DatabaseUnavailable, SQLiteStorage

__all__ = [
    "ArticleRepository",
    "DatabaseUnavailable",
    "DeliveryRepository",
    "FeedRepository",
    "GuildSettingsRepository",
    "QuoteRepository",
    "SQLiteStorage",
    "SchemaTooNew",
    "Storage",
    "SubscriptionRepository",
    "latest_version",
]
