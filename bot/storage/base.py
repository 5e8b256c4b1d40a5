"""The storage interface the rest of the bot sees. All SQL lives behind it.

A backend (SQLite: `bot.storage.sqlite`) implements
these protocols; cogs and core services only ever call them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Protocol

from bot.model import (
    Article,
    Delivery,
    DeliveryState,
    DeliveryTarget,
    Feed,
    FiledQuote,
    QuoteHit,
    SpeakerCount,
    StoredArticle,
    Subscription,
    Summary,
)


class GuildSettingsRepository(Protocol):
    async def get_all(self, guild_id: int) -> dict[str, str]: ...

    async def set(self, guild_id: int, key: str, value: str) -> None: ...

    async def delete(self, guild_id: int, key: str) -> bool: ...


class ArticleRepository(Protocol):
    async def get(self, article_id: int) -> StoredArticle | None: ...

    async def recent(self, limit: int) -> list[StoredArticle]:
        """The newest stored articles, newest first."""
        ...

    async def by_url(self, url: str) -> StoredArticle | None:
        """The article stored under this canonical URL, or reached before from this URL."""
        ...

    async def save(
        self,
        article: Article,
        *,
        quotes: Sequence[FiledQuote] = (),
        requested_url: str | None = None,
        guild_id: int | None = None,
    ) -> StoredArticle:
        """Store the article with its quotes (when new or changed), in one transaction. Each
        quote comes filed under its speaker: storage keeps names, it does not find them."""
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

    async def full_names(
        self, guild_ids: Collection[int], surnames: Collection[str]
    ) -> list[SpeakerCount]:
        """Speakers quoted in these servers whose key is several words, the last in
        `surnames` (speaker keys): the people a surname alone may mean."""
        ...


class FeedRepository(Protocol):
    async def add(
        self,
        guild_id: int,
        url: str,
        title: str,
        *,
        seen: Iterable[tuple[str, str]],
        added_by: int | None,
        now: int,
    ) -> bool: ...

    async def remove(self, guild_id: int, url: str) -> bool: ...

    async def for_guild(self, guild_id: int) -> list[Feed]: ...

    async def by_url(self, url: str) -> Feed | None: ...

    async def due(self, now: int, limit: int) -> list[Feed]: ...

    async def followers(self, feed_id: int) -> list[int]: ...

    async def unseen(self, feed_id: int, keys: Sequence[str]) -> set[str]: ...

    async def polled(
        self,
        feed_id: int,
        *,
        now: int,
        next_poll: int,
        title: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None: ...

    async def failed(
        self, feed_id: int, error: str, *, next_poll: int, pause_after: int
    ) -> Feed: ...

    async def resume(self, feed_id: int, now: int) -> None: ...

    async def record_entry(
        self,
        feed_id: int,
        entry_key: str,
        link: str,
        article_id: int | None,
        *,
        readers: Sequence[int],
        targets: Sequence[DeliveryTarget],
    ) -> int: ...


class SubscriptionRepository(Protocol):
    async def add(self, guild_id: int, channel_id: int, topic: str, created_by: int) -> bool: ...

    async def remove(self, channel_id: int, topic: str) -> bool: ...

    async def in_guild(
        self, guild_id: int, channel_id: int | None = None
    ) -> list[Subscription]: ...

    async def active(self, guild_ids: Sequence[int] | None = None) -> list[Subscription]: ...

    async def pause_channel(self, channel_id: int) -> int: ...


class DeliveryRepository(Protocol):
    async def create(
        self, target: DeliveryTarget, article_id: int, *, claimed_at: int | None = None
    ) -> Delivery | None:
        """Owe one card; None when this channel already has this article's. With
        `claimed_at` it is recorded already claimed (`sending`), for the caller to post."""
        ...

    async def find(self, channel_id: int, article_id: int) -> Delivery | None: ...

    async def in_state(self, state: DeliveryState, limit: int = 1000) -> list[Delivery]: ...

    async def claim(self, delivery_id: int, now: int) -> Delivery | None:
        """Take a pending card to post it: `sending`, committed before the post. None when it
        is not pending any more (someone else took it)."""
        ...

    async def sent(self, delivery_id: int, message_id: int, now: int) -> None: ...

    async def retry(self, delivery_id: int, error: str) -> None: ...

    async def give_up(
        self, error: str, *, delivery_id: int | None = None, channel_id: int | None = None
    ) -> None: ...

    async def sent_since(self, channel_id: int, since: int) -> int: ...


class Storage(Protocol):
    @property
    def guild_settings(self) -> GuildSettingsRepository: ...

    @property
    def articles(self) -> ArticleRepository: ...

    @property
    def quotes(self) -> QuoteRepository: ...

    @property
    def feeds(self) -> FeedRepository: ...

    @property
    def subscriptions(self) -> SubscriptionRepository: ...

    @property
    def deliveries(self) -> DeliveryRepository: ...

    async def counts(self) -> dict[str, int]:
        """Row counts for /about, by what a user would call them ("articles", "quotes", ...)."""
        ...

    async def schema_version(self) -> int: ...

    async def close(self) -> None: ...
