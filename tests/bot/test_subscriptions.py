"""The subscription service: follow, unfollow, list, find and preview, without Discord; its
errors carry data and a plain message, which the cog words."""

from __future__ import annotations

import asyncio

import pytest

from bot.model import Article
from bot.pipeline.topics import TopicError
from bot.services.subscriptions import AlreadyFollowed, NotFollowed, SubscriptionService
from bot.storage import Storage

GUILD, CHANNEL, OTHER_CHANNEL, MEMBER = 1, 10, 11, 100
BRIDGE = Article(
    title="Harbour bridge to close",
    url="https://news.test/bridge",
    paragraphs=("The harbour bridge closes on Tuesday for repairs.",),
)


@pytest.fixture
def service(storage: Storage) -> SubscriptionService:
    return SubscriptionService(storage)


async def test_follow_stores_the_topic_as_parsed_and_refuses_it_twice(
    service: SubscriptionService,
) -> None:
    followed = await service.follow(GUILD, CHANNEL, "  NASA  launch ", MEMBER)
    with pytest.raises(AlreadyFollowed) as again:
        await service.follow(GUILD, CHANNEL, "nasa launch", MEMBER)
    assert followed.topic == "nasa launch"
    assert (followed.preview.tried, followed.preview.matches_nothing) == (0, False)
    assert (again.value.channel_id, again.value.topic) == (CHANNEL, "nasa launch")
    assert str(again.value) == "That channel already follows nasa launch."
    assert [s.topic for s in await service.followed(GUILD)] == ["nasa launch"]


async def test_a_topic_that_does_not_parse_is_refused_before_anything_is_stored(
    service: SubscriptionService,
) -> None:
    with pytest.raises(TopicError):
        service.check_topic('bridge "unclosed')
    with pytest.raises(TopicError):
        await service.follow(GUILD, CHANNEL, 'bridge "unclosed', MEMBER)
    assert await service.followed(GUILD) == []


async def test_the_preview_tries_a_topic_on_the_articles_stored_lately(
    service: SubscriptionService, storage: Storage
) -> None:
    await storage.articles.save(BRIDGE, quotes=[], guild_id=GUILD)
    matching = await service.follow(GUILD, CHANNEL, "bridges", MEMBER)
    unlikely = await service.follow(GUILD, CHANNEL, "zebra crossing", MEMBER)
    assert (matching.preview.tried, matching.preview.matched) == (1, True)
    assert not matching.preview.matches_nothing
    assert (unlikely.preview.tried, unlikely.preview.matches_nothing) == (1, True)


async def test_unfollow_finds_a_topic_typed_another_way_or_by_reference(
    service: SubscriptionService,
) -> None:
    for topic in ("bridge", "harbour ferry"):
        await service.follow(GUILD, CHANNEL, topic, MEMBER)
    await service.follow(GUILD, OTHER_CHANNEL, "bridge", MEMBER)
    ferry = await service.find(GUILD, CHANNEL, "harbour ferry")
    assert ferry is not None
    dropped = await service.unfollow(GUILD, CHANNEL, "  BRIDGE ")
    by_reference = await service.unfollow(GUILD, CHANNEL, f"#{ferry.id}", ferry.id)
    with pytest.raises(NotFollowed) as missing:
        await service.unfollow(GUILD, CHANNEL, "bridge")
    assert (dropped.topic, by_reference.topic) == ("bridge", "harbour ferry")
    assert (missing.value.channel_id, missing.value.typed) == (CHANNEL, "bridge")
    assert str(missing.value) == "That channel doesn't follow bridge."
    assert [(s.channel_id, s.topic) for s in await service.followed(GUILD)] == [
        (OTHER_CHANNEL, "bridge")
    ]


async def test_a_listing_marks_a_topic_stored_before_topics_were_checked(
    service: SubscriptionService, storage: Storage
) -> None:
    await service.follow(GUILD, CHANNEL, "bridge", MEMBER)
    await storage.subscriptions.add(GUILD, CHANNEL, 'feed:"nhk news', MEMBER)
    await service.follow(GUILD, OTHER_CHANNEL, "ferry", MEMBER)
    listed = await service.listing(GUILD, CHANNEL)
    assert [(item.subscription.topic, item.readable) for item in listed] == [
        ("bridge", True),
        ('feed:"nhk news', False),
    ]


async def test_topics_added_at_once_in_one_channel_are_all_stored(storage: Storage) -> None:
    # Two admins, or two processes, at the same moment: on PostgreSQL each add also resumes
    # the channel's subscriptions, and those row locks once deadlocked.
    topics = [f"topic {n}" for n in range(40)]
    added = await asyncio.gather(
        *(storage.subscriptions.add(1, 10, topic, created_by=5) for topic in topics)
    )
    assert all(added)
    assert sorted(s.topic for s in await storage.subscriptions.in_guild(1)) == sorted(topics)
