"""Storage: the repository interface and its SQLite backend."""

from bot.storage.base import GuildSettingsRepository, Storage
from bot.storage.migrate import SchemaTooNew, latest_version
from bot.storage.sqlite import SQLiteStorage

__all__ = ["GuildSettingsRepository", "SQLiteStorage", "SchemaTooNew", "Storage", "latest_version"]
