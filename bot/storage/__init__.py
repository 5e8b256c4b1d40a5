"""Storage: the repository interface and its SQLite backend."""

from bot.storage.base import (
    ArticleRepository,
    GuildSettingsRepository,
    QuoteHit,
    QuoteRepository,
    SpeakerCount,
    Storage,
    StoredArticle,
)
from bot.storage.migrate import SchemaTooNew, latest_version
from bot.storage.sqlite import SQLiteStorage

__all__ = [
    "ArticleRepository",
    "GuildSettingsRepository",
    "QuoteHit",
    "QuoteRepository",
    "SQLiteStorage",
    "SchemaTooNew",
    "SpeakerCount",
    "Storage",
    "StoredArticle",
    "latest_version",
]
