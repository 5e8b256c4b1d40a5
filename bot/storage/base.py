"""The storage interface the rest of the bot sees. All SQL lives behind it.

A backend (SQLite today; PostgreSQL for sharded, multi-process deployments later) implements
these protocols; cogs and core services only ever call them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.news.article import Article
from bot.news.quotes import Quote
from bot.news.summarize import Summary


@dataclass(frozen=True, slots=True)
class StoredArticle:
    id: int
    article: Article


@dataclass(frozen=True, slots=True)
class QuoteHit:
    """A stored quote with the article it came from."""

    quote: Quote
    article_id: int
    title: str
    url: str | None
    site_name: str | None
    published: str | None


@dataclass(frozen=True, slots=True)
class SpeakerCount:
    key: str  # speaker_key of the name
    name: str
    quotes: int


class GuildSettingsRepository(Protocol):
    async def get_all(self, guild_id: int) -> dict[str, str]: ...

    async def set(self, guild_id: int, key: str, value: str) -> None: ...

    async def delete(self, guild_id: int, key: str) -> bool: ...


class ArticleRepository(Protocol):
    async def get(self, article_id: int) -> StoredArticle | None: ...

    async def by_url(self, url: str) -> StoredArticle | None:
        """The article stored under this canonical URL, or reached before from this URL."""
        ...

    async def save(
        self,
        article: Article,
        *,
        quotes: Sequence[Quote] = (),
        requested_url: str | None = None,
        guild_id: int | None = None,
    ) -> StoredArticle:
        """Store the article with its quotes (when new or changed), in one transaction."""
        ...

    async def sighted(self, article_id: int, guild_id: int) -> None: ...

    async def cached_summary(self, article_id: int, method: str, length: int) -> Summary | None: ...

    async def save_summary(self, article_id: int, length: int, summary: Summary) -> None: ...


class QuoteRepository(Protocol):
    async def for_article(self, article_id: int) -> list[QuoteHit]: ...

    async def search(
        self, guild_id: int, text: str, *, speaker: str | None = None
    ) -> list[QuoteHit]: ...

    async def by_speaker(self, guild_id: int, key: str) -> list[QuoteHit]: ...

    async def speakers(self, guild_id: int, limit: int = 5000) -> list[SpeakerCount]: ...


class Storage(Protocol):
    @property
    def guild_settings(self) -> GuildSettingsRepository: ...

    @property
    def articles(self) -> ArticleRepository: ...

    @property
    def quotes(self) -> QuoteRepository: ...

    async def counts(self) -> dict[str, int]:
        """Row counts for /about, by what a user would call them ("articles", "quotes", ...)."""
        ...

    async def schema_version(self) -> int: ...

    async def close(self) -> None: ...
