"""Topic subscriptions: which channels get cards for which topics, and the index that matches
articles against them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache

from bot.model import DeliveryTarget, Subscription
from bot.pipeline.topics import MatchDocument, Topic, TopicError, TopicIndex, parse_topic
from bot.storage import Storage

log = logging.getLogger(__name__)

SubscriptionIndex = TopicIndex[Subscription]


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
