"""Many processes on one database (issue 13): heartbeats, feed leases and channel claims, in
storage, on both backends."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from bot.composition import Services
from bot.model import DeliveryState, DeliveryTarget, Feed, ProcessInfo
from bot.services import poller as poller_module
from bot.services.dispatcher import PostedElsewhere
from bot.services.heartbeat import LEASE_SECONDS
from bot.storage import Storage
from tests.bot.test_feed_services import GUILD, NEWS, SPORT, Newsroom, newsroom, subscribe
from tests.bot.test_storage import story as stored_story
from tests.fixtures.feeds import publish, story

__all__ = ["newsroom"]  # the fixture

A, B, C = "process-a", "process-b", "process-c"


async def add_feeds(storage: Storage, count: int, now: int = 100) -> None:
    for n in range(count):
        await storage.feeds.add(
            1, f"https://example.com/{n}.xml", f"Feed {n}", seen=[], added_by=None, now=now
        )


async def test_processes_register_beat_and_are_live_while_their_heartbeat_is_recent(
    storage: Storage,
) -> None:
    await storage.processes.register(ProcessInfo(A, "run", "host", 10, "", started_at=100))
    await storage.processes.register(ProcessInfo(B, "worker", "host", 11, "", started_at=100))
    await storage.processes.beat(B, 120)
    assert await storage.processes.live(since=100) == [A, B]
    assert await storage.processes.live(since=101) == [B]
    await storage.processes.forget(B, now=120)
    assert await storage.processes.live(since=0) == [A]


async def test_a_forgotten_process_leaves_its_feeds_and_channels_free_at_once(
    storage: Storage,
) -> None:
    await storage.processes.register(ProcessInfo(A, "run", "host", 10, "boot/1", 100))
    await storage.processes.register(ProcessInfo(B, "run", "host", 11, "boot/2", 100))
    await add_feeds(storage, 1)
    assert len(await storage.feeds.lease_due(100, 10, A, until=130)) == 1
    assert await storage.channel_claims.hold([1], A, now=100, until=130) == [1]
    assert [p.pid for p in await storage.processes.in_pid_space("boot/1")] == [10]
    await storage.processes.forget(A, now=105)
    assert await storage.processes.in_pid_space("boot/1") == []
    assert len(await storage.feeds.lease_due(105, 10, B, until=135)) == 1
    assert await storage.channel_claims.hold([1], B, now=105, until=135) == [1]


async def test_a_due_feed_is_leased_to_one_caller_until_its_lease_ends_or_it_is_polled(
    storage: Storage,
) -> None:
    await add_feeds(storage, 3)
    first = await storage.feeds.lease_due(100, 2, A, until=130)
    assert len(first) == 2
    rest = await storage.feeds.lease_due(100, 10, B, until=130)
    assert {f.id for f in rest} == {f.id for f in await all_feeds(storage)} - {f.id for f in first}
    assert await storage.feeds.lease_due(129, 10, C, until=160) == []  # theirs hold
    assert len(await storage.feeds.lease_due(110, 10, A, until=130)) == 2  # A's own again
    await storage.feeds.polled(first[0].id, now=110, next_poll=110)
    assert [f.id for f in await storage.feeds.lease_due(129, 10, C, until=160)] == [first[0].id]
    expired = await storage.feeds.lease_due(130, 10, C, until=160)
    # A's and B's leases ended; C gets its own again.
    assert {f.id for f in expired} == {f.id for f in await all_feeds(storage)}


async def test_a_renewed_lease_holds_longer_and_a_failed_poll_ends_it(storage: Storage) -> None:
    await add_feeds(storage, 1)
    [feed] = await storage.feeds.lease_due(100, 10, A, until=130)
    await storage.feeds.renew_leases(A, until=160)
    await storage.feeds.renew_leases(B, until=200)  # B holds nothing: nothing changes
    assert await storage.feeds.lease_due(159, 10, B, until=190) == []
    await storage.feeds.failed(feed.id, "boom", next_poll=100, pause_after=10)
    assert [f.id for f in await storage.feeds.lease_due(101, 10, B, until=130)] == [feed.id]


async def test_leasing_at_once_gives_each_due_feed_to_one_caller(storage: Storage) -> None:
    await add_feeds(storage, 40)
    leased = await asyncio.gather(
        *(storage.feeds.lease_due(100, 10, f"p{n}", until=130) for n in range(6))
    )
    ids = [feed.id for feeds in leased for feed in feeds]
    assert sorted(ids) == sorted(f.id for f in await all_feeds(storage))


async def test_a_channel_is_held_by_one_owner_until_its_claim_ends(storage: Storage) -> None:
    assert await storage.channel_claims.hold([1, 2], A, now=100, until=130) == [1, 2]
    assert await storage.channel_claims.hold([2, 3, 3], B, now=100, until=200) == [3]
    assert await storage.channel_claims.hold([1, 2], A, now=110, until=140) == [1, 2]  # renewed
    await storage.channel_claims.renew(A, until=150)
    assert await storage.channel_claims.hold([1, 2], B, now=149, until=180) == []
    assert await storage.channel_claims.hold([1, 2], B, now=150, until=180) == [1, 2]
    await storage.channel_claims.release([1, 3], A)  # not A's any more: left alone
    assert await storage.channel_claims.hold([1, 3], A, now=151, until=180) == []
    await storage.channel_claims.release([1, 3], B)
    assert await storage.channel_claims.hold([1, 3], A, now=151, until=180) == [1, 3]


async def all_feeds(storage: Storage) -> list[Feed]:
    return await storage.feeds.for_guild(1)


async def test_owed_cards_are_read_in_the_channels_asked_and_not_in_others_holds(
    storage: Storage,
) -> None:
    article = await storage.articles.save(stored_story(), requested_url=None)
    for channel in (1, 2, 3):
        await storage.deliveries.create(DeliveryTarget(9, channel, None), article.id)
    pending = DeliveryState.PENDING
    await storage.channel_claims.hold([2], B, now=100, until=130)
    await storage.channel_claims.hold([3], A, now=100, until=130)
    free = await storage.deliveries.in_state(pending, free_for=(A, 100))
    assert [d.channel_id for d in free] == [1, 3]
    assert [
        d.channel_id for d in await storage.deliveries.in_state(pending, free_for=(A, 130))
    ] == [1, 2, 3]
    assert [d.channel_id for d in await storage.deliveries.in_state(pending, only=[2, 3])] == [2, 3]


# --- Two processes on one database: two sets of services, each its own owner ---------------


@contextlib.asynccontextmanager
async def two_processes(newsroom: Newsroom) -> AsyncIterator[tuple[Services, Services]]:
    async with newsroom.open() as first, newsroom.open() as second:
        yield first, second


async def follow_feeds(newsroom: Newsroom, room: Services, count: int) -> None:
    for n in range(count):
        feed = publish(
            newsroom.pages, f"/feed{n}.xml", f"Feed {n}", [story(f"s{n}", f"Story {n}", "news")]
        )
        await room.feeds.follow(GUILD, feed, user_id=5)
    await subscribe(room, NEWS, "*")


async def test_two_pollers_poll_each_due_feed_once(newsroom: Newsroom) -> None:
    async with two_processes(newsroom) as (first, second):
        await follow_feeds(newsroom, first, 6)
        newsroom.clock.now += 601
        reports = await asyncio.gather(
            first.poller.poll(newsroom.poster), second.poller.poll(newsroom.poster)
        )
        polled_again = await second.poller.poll(newsroom.poster)
    assert sum(report.feeds for report in reports) == 6
    assert polled_again.feeds == 0
    assert all(newsroom.pages.hits[f"/feed{n}.xml"] == 2 for n in range(6))  # follow, one poll


async def test_a_feed_leased_by_a_dead_process_is_polled_once_its_lease_ends(
    newsroom: Newsroom,
) -> None:
    async with newsroom.open_following() as room:
        publish(newsroom.pages, "/feed.xml", "News", [story("d", "Dead story", "dead")])
        newsroom.clock.now += 601
        now = int(newsroom.clock.now)
        await room.storage.feeds.lease_due(now, 10, "dead-process", until=now + LEASE_SECONDS)
        before = await room.poller.poll(newsroom.poster)
        newsroom.clock.now += LEASE_SECONDS - 1
        still = await room.poller.poll(newsroom.poster)
        newsroom.clock.now += 1
        after = await room.poller.poll(newsroom.poster)
    assert (before.feeds, still.feeds, after.feeds) == (0, 0, 1)
    assert after.cards_owed == 1


async def test_two_dispatchers_post_each_card_once_and_each_channel_in_order(
    newsroom: Newsroom,
) -> None:
    slugs = [f"s{n}" for n in range(5)]  # within a channel's window: no waiting
    async with two_processes(newsroom) as (first, second):
        await newsroom.owe_in_two_channels(first, *slugs)
        reports = await asyncio.gather(
            *(room.dispatcher.deliver(newsroom.poster) for room in (first, second, first, second))
        )
        # Whatever a pass left for the other's channels goes in the next passes.
        for room in (first, second):
            await room.dispatcher.deliver(newsroom.poster)
    assert sum(report.sent for report in reports) <= 10
    assert newsroom.poster.slugs(NEWS) == slugs
    assert newsroom.poster.slugs(SPORT) == slugs


async def test_reconcile_leaves_a_live_process_cards_alone_and_takes_a_dead_ones(
    newsroom: Newsroom,
) -> None:
    async with two_processes(newsroom) as (first, second):
        await newsroom.owe_in_two_channels(first, "a", "b")
        # The first process claims NEWS's cards and dies before posting them.
        await first.dispatcher.holds.take([NEWS])
        owed = await first.storage.deliveries.in_state(DeliveryState.PENDING, only=[NEWS])
        await first.storage.deliveries.claim([d.id for d in owed], int(newsroom.clock.now))
        while_live = await second.dispatcher.reconcile(newsroom.poster)
        await second.dispatcher.deliver(newsroom.poster)  # SPORT's only
        sending = await second.storage.deliveries.in_state(DeliveryState.SENDING)
        assert [d.channel_id for d in sending] == [NEWS, NEWS]
        assert newsroom.poster.reads == []
        newsroom.clock.now += LEASE_SECONDS  # no beat since: its hold ends
        after_its_hold = await second.dispatcher.reconcile(newsroom.poster)
        await second.dispatcher.deliver(newsroom.poster)
    assert (while_live.found, while_live.reposted) == (0, 0)
    assert (after_its_hold.found, after_its_hold.reposted) == (0, 2)
    assert newsroom.poster.reads == [NEWS]
    assert newsroom.poster.slugs(NEWS) == ["a", "b"] == newsroom.poster.slugs(SPORT)


async def test_the_pacer_rate_is_shared_among_the_live_processes(newsroom: Newsroom) -> None:
    rate = newsroom.settings.posts_per_second
    async with newsroom.open() as first:
        assert first.dispatcher.pacer.interval == pytest.approx(1 / rate)
        async with newsroom.open():
            await first.heartbeat.beat()
            assert first.dispatcher.pacer.interval == pytest.approx(2 / rate)
        await first.heartbeat.beat()  # the second stopped cleanly: it is gone at once
        assert first.dispatcher.pacer.interval == pytest.approx(1 / rate)


async def test_a_process_whose_pid_is_gone_is_forgotten_and_its_feeds_freed_at_once(
    newsroom: Newsroom,
) -> None:
    async with newsroom.open_following() as room:
        newsroom.clock.now += 601
        now = int(newsroom.clock.now)
        gone = ProcessInfo("gone", "worker", "host", 2**22 + 1, room.heartbeat.pid_space, now)
        await room.storage.processes.register(gone)
        await room.storage.feeds.lease_due(now, 10, "gone", until=now + LEASE_SECONDS)
        await room.heartbeat.beat()
        report = await room.poller.poll(newsroom.poster)
        assert report.feeds == 1
        assert await room.storage.processes.live(since=0) == [room.heartbeat.lease.owner]


async def test_post_in_a_channel_another_process_holds_is_left_to_that_process(
    newsroom: Newsroom,
) -> None:
    async with two_processes(newsroom) as (first, second):
        await newsroom.follow(first)
        publish(newsroom.pages, "/other.xml", "Other", [story("p", "Posted by hand", "p")])
        await first.dispatcher.holds.take([NEWS])
        with pytest.raises(PostedElsewhere, match="Another precis process"):
            await newsroom.post_now(second, "p")
        [owed] = await second.storage.deliveries.in_state(DeliveryState.PENDING)
        assert newsroom.poster.posts == []
        await first.dispatcher.deliver(newsroom.poster)
    assert newsroom.poster.slugs(NEWS) == ["p"]
    assert owed.channel_id == NEWS


async def test_a_pass_its_share_of_the_channels_cut_short_asks_for_the_next_at_once(
    newsroom: Newsroom,
) -> None:
    # With two live processes a pass takes half the channels; when the other process is
    # busy elsewhere, the rest must not wait for the sender's idle wake (30 s).
    async with two_processes(newsroom) as (first, second):
        await newsroom.owe_in_two_channels(first, "a", "b")  # the clock moved on: both beat
        await second.heartbeat.beat()
        await first.heartbeat.beat()
        first.dispatcher.cards_owed.clear()
        cut_short = await first.dispatcher.deliver(newsroom.poster)
        owed_again = first.dispatcher.cards_owed.is_set()
        rest = await first.dispatcher.deliver(newsroom.poster)
    assert (cut_short.sent, owed_again, rest.sent) == (2, True, 2)
    assert newsroom.poster.slugs(NEWS) == ["a", "b"] == newsroom.poster.slugs(SPORT)


async def test_pollers_at_once_share_the_due_feeds_a_few_at_a_time(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Leasing every due feed at once, the first poller would take them all and the second
    # none: adding a process would add nothing.
    monkeypatch.setattr(poller_module, "FEEDS_PER_LEASE", 2)
    async with two_processes(newsroom) as (first, second):
        await follow_feeds(newsroom, first, 8)
        newsroom.clock.now += 601
        reports = await asyncio.gather(
            first.poller.poll(newsroom.poster), second.poller.poll(newsroom.poster)
        )
    assert sorted(report.feeds for report in reports)[0] > 0
    assert sum(report.feeds for report in reports) == 8
    assert all(newsroom.pages.hits[f"/feed{n}.xml"] == 2 for n in range(8))
