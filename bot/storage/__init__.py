"""Storage: the repository interface and its SQLite backend."""

from bot.storage.base import ArticleRepository, GuildSettingsRepository, Storage, StoredArticle
from bot.storage.migrate import SchemaTooNew, latest_version
from bot.storage.sqlite import SQLiteStorage

__all__ = [
    "ArticleRepository",
    "GuildSettingsRepository",
    "SQLiteStorage",
    "SchemaTooNew",
    "Storage",
    "StoredArticle",
    "latest_version",
]
