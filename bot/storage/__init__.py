"""Storage: the repository interface and its SQLite backend."""

from bot.storage.base import (
    ArticleRepository,
    Delivery,
    DeliveryRepository,
    DeliveryTarget,
    Feed,
    FeedRepository,
    GuildSettingsRepository,
    QuoteHit,
    QuoteRepository,
    SpeakerCount,
    Storage,
    StoredArticle,
    Subscription,
    SubscriptionRepository,
)
from bot.storage.migrate import SchemaTooNew, latest_version
from bot.storage.sqlite import DatabaseUnavailable, SQLiteStorage

__all__ = [
    "ArticleRepository",
    "DatabaseUnavailable",
    "Delivery",
    "DeliveryRepository",
    "DeliveryTarget",
    "Feed",
    "FeedRepository",
    "GuildSettingsRepository",
    "QuoteHit",
    "QuoteRepository",
    "SQLiteStorage",
    "SchemaTooNew",
    "SpeakerCount",
    "Storage",
    "StoredArticle",
    "Subscription",
    "SubscriptionRepository",
    "latest_version",
]
