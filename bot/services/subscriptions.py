"""Topic subscriptions: which channels get cards for which topics (`SubscriptionService`), and
the index that matches articles against them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.errors import UserError
from bot.model import DeliveryTarget, StoredArticle, Subscription
from bot.pipeline.topics import MatchDocument, Topic, TopicError, TopicIndex, parse_topic
from bot.storage import Storage

log = logging.getLogger(__name__)

SubscriptionIndex = TopicIndex[Subscription]
# The stored articles a new topic is tried on, to warn of one that would match nothing.
RECENT_ARTICLES = 100


@lru_cache(maxsize=50_000)
def cached_topic(text: str) -> Topic:
    """A stored topic parsed once: every poll indexes them all again."""
    return parse_topic(text)


async def topic_index(
    storage: Storage, guild_ids: Sequence[int] | None = None
) -> SubscriptionIndex:
    """The active subscriptions of these servers (default: all), indexed by topic."""
    entries = []
    for subscription in await storage.subscriptions.active(guild_ids):
        try:
            entries.append((cached_topic(subscription.topic), subscription))
        except TopicError as error:  # stored before topics were checked as stored
            log.warning(
                "skipping subscription %d (server %d, channel %d): topic %r does not parse: %s",
                subscription.id,
                subscription.guild_id,
                subscription.channel_id,
                subscription.topic,
                error,
            )
    return TopicIndex(entries)


def match_channels(
    document: MatchDocument, index: SubscriptionIndex, readers: Sequence[int]
) -> list[DeliveryTarget]:
    """One target per readers' channel with a matching topic (the first, by subscription)."""
    chosen: dict[int, DeliveryTarget] = {}
    for subscription in index.matching(document):
        if subscription.guild_id in readers and subscription.channel_id not in chosen:
            chosen[subscription.channel_id] = DeliveryTarget(
                subscription.guild_id, subscription.channel_id, subscription.topic
            )
    return list(chosen.values())


def matches_any(topic: Topic, articles: Sequence[StoredArticle]) -> bool:
    """Whether the topic matches one of these articles."""
    return any(topic.matches(MatchDocument.from_article(s.article)) for s in articles)


def readable(subscription: Subscription) -> bool:
    """Whether its stored topic parses; one stored before topics were checked as stored may
    not, and the poll skips it."""
    try:
        cached_topic(subscription.topic)
    except TopicError:
        return False
    return True


def find_subscription(
    subscriptions: Sequence[Subscription], typed: str, reference: int | None = None
) -> Subscription | None:
    """The subscription a member means: its stored topic, the one whose id is `reference`
    (an autocomplete's stand-in for a long topic), or a topic typed another way that is
    stored the same (`NASA`)."""
    typed = typed.strip()
    for subscription in subscriptions:
        if subscription.topic == typed or subscription.id == reference:
            return subscription
    try:
        stored = cached_topic(typed).text
    except TopicError:
        return None
    return next((s for s in subscriptions if s.topic == stored), None)


class AlreadyFollowed(UserError):
    """The channel follows that topic already."""

    def __init__(self, channel_id: int, topic: str) -> None:
        super().__init__(f"That channel already follows {topic}.")
        self.channel_id = channel_id
        self.topic = topic


class NotFollowed(UserError):
    """The channel follows no topic that what was typed names."""

    def __init__(self, channel_id: int, typed: str) -> None:
        super().__init__(f"That channel doesn't follow {typed}.")
        self.channel_id = channel_id
        self.typed = typed


@dataclass(frozen=True, slots=True)
class Preview:
    """How a topic fares against the articles stored lately: `tried` of them (none on a
    new bot), and whether it matched one."""

    tried: int
    matched: bool

    @property
    def matches_nothing(self) -> bool:
        """Whether it was tried on some articles and matched none: likely a misspelling."""
        return self.tried > 0 and not self.matched


@dataclass(frozen=True, slots=True)
class Followed:
    """A topic a channel now follows, as stored, and how it fares against recent articles."""

    topic: str
    preview: Preview


@dataclass(frozen=True, slots=True)
class Listed:
    """A subscription in a listing, and whether its topic is readable (see `readable`)."""

    subscription: Subscription
    readable: bool


class SubscriptionService:
    """Which topics each channel follows: follow, unfollow, list and find them, and preview
    a topic against the articles stored lately. Raises `TopicError` for a topic that does
    not parse, `AlreadyFollowed` and `NotFollowed`; each carries what a caller words."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    @staticmethod
    def check_topic(typed: str) -> None:
        """Raise `TopicError`, saying what is wrong, unless the topic parses: a caller may
        check it before anything else it checks."""
        cached_topic(typed)

    async def follow(self, guild_id: int, channel_id: int, typed: str, member_id: int) -> Followed:
        """Subscribe the channel to the topic (resuming its paused ones) and preview it.
        Raises `TopicError`, or `AlreadyFollowed` when the channel follows it already."""
        topic = cached_topic(typed)
        if not await self.storage.subscriptions.add(guild_id, channel_id, topic.text, member_id):
            raise AlreadyFollowed(channel_id, topic.text)
        return Followed(topic.text, await self.preview(topic))

    async def preview(self, topic: Topic) -> Preview:
        """How the topic fares against the last RECENT_ARTICLES articles stored."""
        recent = await self.storage.articles.recent(RECENT_ARTICLES)
        # In a worker thread: stemming a hundred articles takes a while.
        matched = bool(recent) and await asyncio.to_thread(matches_any, topic, recent)
        return Preview(len(recent), matched)

    async def unfollow(
        self, guild_id: int, channel_id: int, typed: str, reference: int | None = None
    ) -> Subscription:
        """Drop the channel's subscription that `typed` (or `reference`) names, as `find`
        finds it, and return it; raises `NotFollowed` when there is none."""
        found = await self.find(guild_id, channel_id, typed, reference)
        if found is None or not await self.storage.subscriptions.remove(channel_id, found.topic):
            raise NotFollowed(channel_id, typed)
        return found

    async def find(
        self, guild_id: int, channel_id: int, typed: str, reference: int | None = None
    ) -> Subscription | None:
        """The channel's subscription a member means (see `find_subscription`), if any."""
        followed = await self.storage.subscriptions.in_guild(guild_id, channel_id)
        return find_subscription(followed, typed, reference)

    async def followed(self, guild_id: int, channel_id: int | None = None) -> list[Subscription]:
        """The server's subscriptions, paused ones included, only this channel's when given;
        by channel, then topic."""
        return await self.storage.subscriptions.in_guild(guild_id, channel_id)

    async def listing(self, guild_id: int, channel_id: int | None = None) -> list[Listed]:
        """As `followed`, each with whether its topic is readable."""
        return [Listed(s, readable(s)) for s in await self.followed(guild_id, channel_id)]
