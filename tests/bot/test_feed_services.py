"""The feed services (feeds, poller, dispatcher) together without Discord: feeds on a local
server, a recording poster, a real database."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from typing import Any

import pytest

from bot.composition import Services, open_services
from bot.errors import UserError
from bot.model import Delivery, DeliveryTarget, PostOutcome
from bot.services import dispatcher
from bot.services.desk import Busy
from bot.services.dispatcher import (
    MAX_POST_ATTEMPTS,
    RETRY_MAX_REST,
    AlreadyPosted,
    DeliveryReport,
    NotPosted,
    ReconcileReport,
)
from bot.services.feed_reader import NotAFeed
from bot.services.feeds import AlreadyFollowing, FeedLimitReached, NotFollowing
from bot.services.poller import PAUSE_AFTER_FAILURES, PollReport
from bot.services.poster import (
    AdminNotice,
    Card,
    CardRefused,
    ChannelLost,
    ChannelUnavailable,
    DiscordUnavailable,
    FeedPaused,
    PostUncertain,
)
from bot.settings import Settings
from bot.storage import DatabaseUnavailable
from tests.conftest import eventually
from tests.fixtures.feeds import Item, publish, rss, story
from tests.fixtures.pages import PageServer, page_server

GUILD, OTHER_GUILD = 1, 2
NEWS, SPORT, ADMIN = 10, 11, 12


class Crash(BaseException):
    """The process dies here."""


class RecordingPoster:
    def __init__(self) -> None:
        self.posts: list[tuple[int, str | None, str | None]] = []  # channel, url, topic
        self.tries: list[int] = []  # the channel of every post tried, taken or not
        self.refused: set[str] = set()  # the URLs whose card Discord answers with a 400
        self.before_post: Callable[[int], Awaitable[None]] | None = None
        self.notices: list[tuple[int, AdminNotice]] = []
        self.lost: set[int] = set()
        self.flaky = 0  # this many posts fail for a while
        self.crash: str | None = None  # "before" or "after" the post reaches Discord
        self.unanswered: str | None = None  # "before" or "after": no answer; posted or not
        self.unreadable: dict[int, int] = {}  # channel -> history reads that fail (a 503)
        self.reads: list[int] = []  # the channels whose history was read

    async def post(self, channel_id: int, card: Card) -> int:
        self.tries.append(channel_id)
        if self.before_post is not None:
            await self.before_post(channel_id)
        if card.stored.article.url in self.refused:
            raise CardRefused("400 Bad Request (error code: 50035): Invalid Form Body")
        if channel_id in self.lost:
            raise ChannelUnavailable("Missing Permissions")
        if self.flaky:
            self.flaky -= 1
            raise DiscordUnavailable("503 Service Unavailable")
        if self.crash == "before":
            raise Crash
        if self.unanswered == "before":
            raise PostUncertain("the request timed out")
        self.posts.append((channel_id, card.stored.article.url, card.topic))
        if self.crash == "after":
            raise Crash
        if self.unanswered == "after":
            raise PostUncertain("the connection dropped")
        return len(self.posts)

    async def find_cards(
        self, channel_id: int, urls: Collection[str], after: int
    ) -> dict[str, int]:
        self.reads.append(channel_id)
        if self.unreadable.get(channel_id):
            self.unreadable[channel_id] -= 1
            raise DiscordUnavailable("503 Service Unavailable")
        return {
            url: number
            for number, (channel, url, _) in enumerate(self.posts, start=1)
            if channel == channel_id and url in urls
        }

    async def notify_admins(self, guild_id: int, notice: AdminNotice) -> None:
        self.notices.append((guild_id, notice))

    def slugs(self, channel: int) -> list[str]:
        """The articles posted in this channel, in the order they were posted."""
        return [url.rsplit("/", 1)[1] for where, url, _ in self.posts if where == channel and url]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def subscribe(room: Services, channel: int, topic: str, guild: int = GUILD) -> None:
    await room.storage.subscriptions.add(guild, channel, topic, created_by=5)


async def quiet(_: str) -> None:
    return None


@dataclasses.dataclass
class Newsroom:
    """The world the feed services run in: feeds on a local server, a clock the test moves, a
    poster that records; the methods thread them through, so a test reads as its scenario."""

    settings: Settings
    pages: PageServer
    clock: Clock = dataclasses.field(default_factory=Clock)
    poster: RecordingPoster = dataclasses.field(default_factory=RecordingPoster)

    @contextlib.asynccontextmanager
    async def open(self, settings: Settings | None = None) -> AsyncIterator[Services]:
        """A fresh process on the same database file: opened again, a restart. A test that
        needs other settings passes its own."""
        chosen = settings or self.settings
        async with open_services(chosen, fetch_timeout=2, clock=self.clock) as services:
            yield services

    @contextlib.asynccontextmanager
    async def open_following(self, title: str = "News") -> AsyncIterator[Services]:
        """`open`, in a server that follows one feed with all of it sent to NEWS (`follow`)."""
        async with self.open() as room:
            await self.follow(room, title)
            yield room

    async def follow(self, room: Services, title: str = "News") -> str:
        """Serve an empty feed, follow it in GUILD, and send everything in it to NEWS."""
        feed = publish(self.pages, "/feed.xml", title, [])
        await room.feeds.follow(GUILD, feed, user_id=5)
        await subscribe(room, NEWS, "*")
        return feed

    async def next_poll(self, room: Services) -> PollReport:
        """Poll once the feeds are due again."""
        self.clock.now += 601
        return await room.poller.poll(self.poster)

    async def poll_stories(self, room: Services, *items: Item, title: str = "News") -> PollReport:
        """Publish these stories in the feed `follow` serves (under the title it was followed
        with), then poll."""
        publish(self.pages, "/feed.xml", title, list(items))
        return await self.next_poll(room)

    async def owe_in_two_channels(self, room: Services, *slugs: str) -> None:
        """Cards for these stories in NEWS and SPORT, recorded in this order (the feed lists the
        newest first)."""
        await self.follow(room)
        await subscribe(room, SPORT, "*")
        items = [story(slug, f"Story {slug}", slug) for slug in reversed(slugs)]
        await self.poll_stories(room, *items)

    async def post_now(self, room: Services, slug: str, channel: int = NEWS) -> Delivery:
        """Post the article /a/<slug> in this channel by hand, as /post does."""
        target, url = DeliveryTarget(GUILD, channel, None), self.pages.url(f"/a/{slug}")
        return await room.dispatcher.post_now(target, url, self.poster, progress=quiet)

    async def deliver(self, room: Services) -> DeliveryReport:
        return await room.dispatcher.deliver(self.poster)

    async def reconcile(self, room: Services) -> ReconcileReport:
        return await room.dispatcher.reconcile(self.poster)


@pytest.fixture
def newsroom(settings: Settings, pages: PageServer) -> Newsroom:
    return Newsroom(settings, pages)


def hold_first_summary(room: Services, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """The first card's summary waits for `release`; `started` is set when it begins."""
    started, release = asyncio.Event(), asyncio.Event()
    summarize = room.desk.summarize

    async def held(*args: Any, **kwargs: Any) -> Any:
        if not started.is_set():
            started.set()
            await release.wait()
        return await summarize(*args, **kwargs)

    monkeypatch.setattr(room.desk, "summarize", held)
    return started, release


def assert_plain(error: UserError) -> None:
    """The core's message names no command and holds no Discord markup: the cogs word that."""
    assert not any(mark in str(error) for mark in ("`", "<#", "**", "/feed", "/config")), error


@pytest.mark.parametrize("cpu_workers", [0, 1], ids=["threads", "worker process"])
async def test_new_entries_become_one_card_per_matching_channel(
    newsroom: Newsroom, cpu_workers: int
) -> None:
    newsroom.settings = dataclasses.replace(newsroom.settings, cpu_workers=cpu_workers)
    old = story("old", "Old bridge story", "bridge")
    feed = publish(newsroom.pages, "/feed.xml", "City News", [old])
    async with newsroom.open() as room:
        added = await room.feeds.follow(GUILD, feed, user_id=5)
        assert (added.title, added.backfilled) == ("City News", 0)
        await subscribe(room, NEWS, "bridge")
        await subscribe(room, NEWS, "closure OR bridge")  # two topics, one channel: one card
        await subscribe(room, SPORT, "football")
        items = [
            story("new", "Bridge closes to cars", "bridge closure"),
            story("match", "Cup final tonight", "football"),
            story("old", "Old bridge story", "bridge"),
        ]
        report = await newsroom.poll_stories(room, *items, title="City News")
        assert (report.new_entries, report.cards_owed) == (2, 2)
        await newsroom.deliver(room)
    assert sorted(
        (channel, url.rsplit("/", 1)[1], topic) for channel, url, topic in newsroom.poster.posts
    ) == [
        (NEWS, "new", "bridge"),
        (SPORT, "match", "football"),
    ]


async def test_backfill_posts_only_the_newest_entries(newsroom: Newsroom) -> None:
    items = [story(f"s{i}", f"Harbour story {i}", "harbour") for i in range(5)]
    feed = publish(newsroom.pages, "/feed.xml", "Harbour", items)
    async with newsroom.open() as room:
        await subscribe(room, NEWS, "harbour")
        await room.guild_config.set(GUILD, "backfill", "2")
        added = await room.feeds.follow(GUILD, feed, user_id=5)
        await newsroom.deliver(room)
    assert added.backfilled == 2
    posted = [url.rsplit("/", 1)[1] for _, url, _ in newsroom.poster.posts]
    assert posted == ["s1", "s0"]  # oldest first


async def test_same_story_with_a_new_date_or_from_a_second_feed_is_not_new(
    newsroom: Newsroom,
) -> None:
    pages = newsroom.pages
    first = publish(pages, "/one.xml", "One", [])
    second = publish(pages, "/two.xml", "Two", [])
    async with newsroom.open() as room:
        await room.feeds.follow(GUILD, first, user_id=5)
        await room.feeds.follow(GUILD, second, user_id=5)
        await subscribe(room, NEWS, "*")
        item = story("x", "Shared story", "tunnel", guid="urn:story:x")
        publish(pages, "/one.xml", "One", [item])
        publish(pages, "/two.xml", "Two", [story("x", "Shared story", "tunnel")])  # by link
        await newsroom.next_poll(room)
        await newsroom.deliver(room)
        redated = story(
            "x", "Shared story", "tunnel", guid="urn:story:x", date="Wed, 25 Nov 2026 09:00:00 GMT"
        )
        publish(pages, "/one.xml", "One", [redated])
        report = await newsroom.next_poll(room)
        await newsroom.deliver(room)
    assert report.new_entries == 0
    assert len(newsroom.poster.posts) == 1
    assert pages.hits["/a/x"] == 1  # read once, though two feeds carried it


async def test_second_poll_with_nothing_new_is_a_conditional_get(newsroom: Newsroom) -> None:
    feed = publish(newsroom.pages, "/feed.xml", "Quiet", [story("a", "A story", "quiet")])
    async with newsroom.open() as room:
        await room.feeds.follow(GUILD, feed, user_id=5)
        await newsroom.next_poll(room)
        report = await newsroom.next_poll(room)
    assert report.not_modified == 1
    assert newsroom.pages.not_modified["/feed.xml"] >= 1


async def test_hourly_cap_holds_cards_for_the_next_hour(newsroom: Newsroom) -> None:
    async with newsroom.open_following("Busy") as room:
        await room.guild_config.set(GUILD, "max_posts_per_hour", "2")
        items = [story(f"b{i}", f"Busy story {i}", "busy") for i in range(5)]
        await newsroom.poll_stories(room, *items, title="Busy")
        first = await newsroom.deliver(room)
        newsroom.clock.now += 1800
        same_hour = await newsroom.deliver(room)
        newsroom.clock.now += 1801
        next_hour = await newsroom.deliver(room)
        newsroom.clock.now += 3601
        last = await newsroom.deliver(room)
    assert (first.sent, first.waiting) == (2, 3)
    assert same_hour.sent == 0
    assert (next_hour.sent, next_hour.waiting) == (2, 1)
    assert last.sent == 1
    assert len({url for _, url, _ in newsroom.poster.posts}) == 5


@pytest.mark.parametrize("reached", ["before", "after"])
async def test_a_post_without_an_answer_is_looked_for_not_posted_again(
    newsroom: Newsroom, reached: str
) -> None:
    # A timeout or a dropped connection says nothing of whether Discord took the card:
    # posting it again could post it twice, so its channel is read first, as after a crash.
    poster = newsroom.poster
    async with newsroom.open_following() as room:
        await newsroom.poll_stories(room, story("u", "Unanswered story", "u"))
        poster.unanswered = reached
        first = await newsroom.deliver(room)
        poster.unanswered = None
        await newsroom.deliver(room)  # not posted again while it is not known
        newsroom.clock.now += 3600
        reconciled = await newsroom.reconcile(room)
        await newsroom.deliver(room)
        (sent,) = await room.storage.deliveries.in_state("sent")
    assert (first.sent, first.failed) == (0, 0)
    assert len(poster.posts) == 1
    assert (reconciled.found, reconciled.reposted) == ((1, 0) if reached == "after" else (0, 1))
    assert sent.message_id == 1


@pytest.mark.parametrize("crash", ["before", "after"])
async def test_exactly_once_across_a_crash_while_posting(newsroom: Newsroom, crash: str) -> None:
    async with newsroom.open_following("Crashy") as room:
        crash_story = story("c", "Crash story", "crash")
        await newsroom.poll_stories(room, crash_story, title="Crashy")
        newsroom.poster.crash = crash
        with pytest.raises(Crash):
            await newsroom.deliver(room)
    newsroom.poster.crash = None
    async with newsroom.open() as room:  # the restart
        reconciled = await newsroom.reconcile(room)
        await newsroom.deliver(room)
        await newsroom.next_poll(room)
        await newsroom.deliver(room)
    assert (reconciled.found, reconciled.reposted) == ((1, 0) if crash == "after" else (0, 1))
    assert len(newsroom.poster.posts) == 1


async def test_exactly_once_across_a_crash_between_recording_and_posting(
    newsroom: Newsroom,
) -> None:
    async with newsroom.open_following("Crashy") as room:
        crash_story = story("c", "Crash story", "crash")
        # The cards are recorded; the process dies before sending them.
        await newsroom.poll_stories(room, crash_story, title="Crashy")
    async with newsroom.open() as room:
        await newsroom.reconcile(room)
        await newsroom.deliver(room)
        await newsroom.deliver(room)
    assert len(newsroom.poster.posts) == 1


async def test_a_failing_feed_backs_off_then_pauses_with_one_notice(newsroom: Newsroom) -> None:
    pages, clock, poster = newsroom.pages, newsroom.clock, newsroom.poster
    feed = publish(pages, "/feed.xml", "Fragile", [])
    async with newsroom.open() as room:
        await room.feeds.follow(GUILD, feed, user_id=5)
        await room.feeds.follow(OTHER_GUILD, feed, user_id=6)
        pages.pages.pop("/feed.xml")
        pages.hits.clear()
        waits = []
        for _ in range(PAUSE_AFTER_FAILURES + 2):
            (stored,) = await room.storage.feeds.for_guild(GUILD)
            clock.now = max(clock.now, stored.next_poll)
            before = clock.now
            await room.poller.poll(poster)
            (stored,) = await room.storage.feeds.for_guild(GUILD)
            waits.append(stored.next_poll - before)
        assert stored.paused and stored.failures == PAUSE_AFTER_FAILURES
        assert stored.last_error == "That page doesn't exist (the site says it isn't there)."
        assert pages.hits["/feed.xml"] == PAUSE_AFTER_FAILURES  # paused feeds are not fetched
        publish(pages, "/feed.xml", "Fragile", [])
        await room.feeds.resume(GUILD, feed)
        await room.poller.poll(poster)
        (stored,) = await room.storage.feeds.for_guild(GUILD)
    assert waits[:3] == [600, 1200, 2400]
    assert max(waits) == 6 * 3600
    assert sorted(guild for guild, _ in poster.notices) == [GUILD, OTHER_GUILD]
    notice = poster.notices[0][1]
    assert isinstance(notice, FeedPaused) and (notice.title, notice.failures) == ("Fragile", 10)
    assert not stored.paused and stored.failures == 0


async def test_a_channel_lost_pauses_its_subscriptions_with_one_notice(newsroom: Newsroom) -> None:
    poster = newsroom.poster
    poster.lost.add(NEWS)
    async with newsroom.open_following() as room:
        await subscribe(room, NEWS, "bridge")
        await subscribe(room, SPORT, "*")
        items = [story(f"n{i}", f"Bridge news {i}", "bridge") for i in range(3)]
        await newsroom.poll_stories(room, *items)
        report = await newsroom.deliver(room)
        again = await newsroom.deliver(room)
        subscriptions = await room.storage.subscriptions.in_guild(GUILD)
    assert report.failed == 1
    assert again.sent == 0 and again.failed == 0
    assert [channel for channel, _, _ in poster.posts] == [SPORT] * 3
    assert len(poster.notices) == 1
    notice = poster.notices[0][1]
    assert isinstance(notice, ChannelLost) and (notice.channel_id, notice.paused) == (10, 2)
    assert {(s.channel_id, bool(s.paused)) for s in subscriptions} == {(NEWS, True), (SPORT, False)}


async def test_a_stored_topic_that_does_not_parse_is_skipped_not_fatal(
    newsroom: Newsroom, caplog: pytest.LogCaptureFixture
) -> None:
    """Rows stored before topics were checked as stored: an unclosed quote (from full-width
    quotes) and one over the length limit (from a character that expands)."""
    pages = newsroom.pages
    unclosed, too_long = 'feed:"nhk news', '"' + " ".join(["صلى الله عليه وسلم"] * 12) + '"'
    city = publish(pages, "/city.xml", "City News", [])
    harbour = publish(pages, "/harbour.xml", "Harbour News", [])
    async with newsroom.open() as room:
        await room.feeds.follow(GUILD, city, user_id=5)
        for url in (city, harbour):
            await room.feeds.follow(OTHER_GUILD, url, user_id=5)
        await subscribe(room, NEWS, "bridge")
        await subscribe(room, SPORT, unclosed, guild=OTHER_GUILD)
        await subscribe(room, SPORT, too_long, guild=OTHER_GUILD)
        await subscribe(room, SPORT, "bridge", guild=OTHER_GUILD)
        bad = {s.id for s in await room.storage.subscriptions.in_guild(OTHER_GUILD)} - {
            s.id for s in await room.storage.subscriptions.active() if s.topic == "bridge"
        }
        publish(pages, "/city.xml", "City News", [story("new", "Bridge closes", "bridge")])
        publish(pages, "/harbour.xml", "Harbour News", [story("h", "Harbour bridge", "bridge")])
        with caplog.at_level(logging.WARNING, logger="bot.services.subscriptions"):
            report = await newsroom.next_poll(room)
        await newsroom.deliver(room)
    posted = newsroom.poster.posts
    assert report.feeds == 2 and report.failed == 0
    assert sorted((channel, url.rsplit("/", 1)[1]) for channel, url, _ in posted) == [
        (NEWS, "new"),
        (SPORT, "h"),
        (SPORT, "new"),
    ]
    skipped = [r.getMessage() for r in caplog.records if "skipping subscription" in r.getMessage()]
    assert len(skipped) == 2  # once per poll, not once per feed
    for subscription_id in bad:
        (line,) = [line for line in skipped if f"subscription {subscription_id} " in line]
        assert f"(server {OTHER_GUILD}, channel {SPORT})" in line


async def test_channels_are_served_at_once_each_in_its_order(newsroom: Newsroom) -> None:
    sport_posted = asyncio.Event()

    async def news_waits_for_sport(channel_id: int) -> None:
        if channel_id == SPORT:
            sport_posted.set()
        else:  # a sender that serves one channel at a time never gets to SPORT
            await asyncio.wait_for(sport_posted.wait(), 5)

    poster = newsroom.poster
    poster.before_post = news_waits_for_sport
    async with newsroom.open() as room:
        await newsroom.owe_in_two_channels(room, "a", "b", "c")
        report = await newsroom.deliver(room)
    assert report.sent == 6
    assert poster.slugs(NEWS) == poster.slugs(SPORT) == ["a", "b", "c"]
    assert poster.posts[0][0] == SPORT  # NEWS's first card waited for SPORT's


async def test_the_pacer_spaces_every_post_whatever_the_channel(newsroom: Newsroom) -> None:
    paced = dataclasses.replace(newsroom.settings, posts_per_second=20)
    async with newsroom.open(paced) as room:
        await newsroom.owe_in_two_channels(room, "a", "b", "c", "d", "e")
        began = time.perf_counter()
        report = await newsroom.deliver(room)
        took = time.perf_counter() - began
    assert report.sent == 10
    assert 9 / 20 * 0.9 <= took < 5  # nine intervals of 50 ms between ten posts


async def test_a_card_discord_refuses_fails_at_once_and_the_next_goes_out(
    newsroom: Newsroom,
) -> None:
    poster = newsroom.poster
    async with newsroom.open_following() as room:
        await newsroom.poll_stories(room, story("b", "Fine", "fine"), story("a", "Bad", "bad"))
        poster.refused.add(newsroom.pages.url("/a/a"))
        report = await newsroom.deliver(room)
        newsroom.clock.now += 3600
        again = await newsroom.deliver(room)
        (failed,) = await room.storage.deliveries.in_state("failed")
    assert (report.sent, report.failed, again.sent, again.failed) == (1, 1, 0, 0)
    assert poster.slugs(NEWS) == ["b"]
    assert poster.tries == [NEWS, NEWS]  # the refused card was tried once, never again
    assert failed.attempts == 1


async def test_a_card_discord_cannot_take_now_waits_and_its_channel_with_it(
    newsroom: Newsroom,
) -> None:
    outages = {NEWS: 2}  # NEWS's posts fail twice (a 503, or a 429 after discord.py's retries)

    async def news_unavailable(channel_id: int) -> None:
        if outages.get(channel_id):
            outages[channel_id] -= 1
            raise DiscordUnavailable("503 Service Unavailable")

    poster = newsroom.poster
    poster.before_post = news_unavailable
    passes = []
    async with newsroom.open() as room:
        await newsroom.owe_in_two_channels(room, "a", "b")
        for wait in (0, 1, 29, 30, 31):  # NEWS rests 30 s after its first failure, then 60 s
            newsroom.clock.now += wait
            tries = len(poster.tries)
            report = await newsroom.deliver(room)
            passes.append((report.sent, report.waiting, len(poster.tries) - tries))
        (first, second) = [
            d for d in await room.storage.deliveries.in_state("sent", 10) if d.channel_id == NEWS
        ]
    assert passes == [(2, 0, 3), (0, 2, 0), (0, 0, 1), (0, 2, 0), (2, 0, 2)]
    assert poster.slugs(NEWS) == poster.slugs(SPORT) == ["a", "b"]
    assert (first.attempts, second.attempts) == (3, 1)  # b waited behind a, untried


async def test_a_card_whose_attempts_run_out_fails_and_its_channel_still_rests(
    newsroom: Newsroom,
) -> None:
    poster = newsroom.poster

    async def news_down(channel_id: int) -> None:
        if channel_id == NEWS and len(poster.tries) <= MAX_POST_ATTEMPTS:
            raise DiscordUnavailable("502 Bad Gateway")

    poster.before_post = news_down
    async with newsroom.open_following() as room:
        await newsroom.poll_stories(room, story("b", "B", "b"), story("a", "A", "a"))
        reports = []
        for _ in range(MAX_POST_ATTEMPTS + 1):
            reports.append(await newsroom.deliver(room))
            newsroom.clock.now += RETRY_MAX_REST
        (failed,) = await room.storage.deliveries.in_state("failed")
    assert [(r.sent, r.failed) for r in reports] == [(0, 0)] * 4 + [(0, 1), (1, 0)]
    assert failed.attempts == MAX_POST_ATTEMPTS
    assert poster.slugs(NEWS) == ["b"]  # after the rest, not straight after the last failure


async def test_a_pass_ends_when_the_cards_left_must_wait(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Else the sender would read the same waiting cards again and again, without a pause;
    and the cards this pass posted count against the cap before it claims more."""
    monkeypatch.setattr(dispatcher, "DELIVERY_BATCH", 2)
    async with newsroom.open_following() as room:
        await room.guild_config.set(GUILD, "max_posts_per_hour", "1")
        items = [story(slug, f"Story {slug}", slug) for slug in "cba"]
        await newsroom.poll_stories(room, *items)
        first = await newsroom.deliver(room)
        capped = await newsroom.deliver(room)
    assert (first.sent, first.waiting) == (1, 2)
    assert (capped.sent, capped.waiting) == (0, 2)
    assert newsroom.poster.slugs(NEWS) == ["a"]


async def test_a_busy_channel_does_not_fill_the_batch_and_hold_the_others_back(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dispatcher, "DELIVERY_BATCH", 3)
    monkeypatch.setattr(dispatcher, "CHANNEL_SHARE", 2)
    async with newsroom.open_following() as room:  # NEWS gets every story
        await subscribe(room, SPORT, "late")
        await room.guild_config.set(GUILD, "max_posts_per_hour", "1")
        items = [story("late", "Late", "late"), *(story(s, s, s) for s in "cba")]
        await newsroom.poll_stories(room, *items)
        report = await newsroom.deliver(room)
    poster = newsroom.poster
    assert (report.sent, report.waiting) == (2, 2)  # NEWS's b and c, as its cap holds them
    assert sorted(poster.slugs(NEWS) + poster.slugs(SPORT)) == ["a", "late"]


async def test_a_channel_with_more_than_its_share_gets_the_rest_in_the_same_pass(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dispatcher, "CHANNEL_SHARE", 2)
    async with newsroom.open_following() as room:
        await newsroom.poll_stories(room, *(story(s, s, s) for s in "cba"))
        first = await newsroom.deliver(room)
        last = await newsroom.deliver(room)
    assert (first.sent, last.sent) == (3, 0)
    assert newsroom.poster.slugs(NEWS) == ["a", "b", "c"]


async def test_a_channel_whose_post_hangs_holds_back_only_its_own_cards(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A post without an answer waits up to 30 s: the other channels' next cards go on."""
    monkeypatch.setattr(dispatcher, "CHANNEL_SHARE", 1)  # one card a channel a claim
    monkeypatch.setattr(dispatcher, "CLAIM_EVERY_SECONDS", 0.01)
    poster = newsroom.poster
    answered = asyncio.Event()

    async def news_hangs(channel_id: int) -> None:
        if channel_id == NEWS:
            await answered.wait()

    async def sport_all_posted() -> bool:
        return poster.slugs(SPORT) == ["a", "b", "c"]

    poster.before_post = news_hangs
    async with newsroom.open() as room:
        await newsroom.owe_in_two_channels(room, "a", "b", "c")
        delivering = asyncio.create_task(newsroom.deliver(room))
        await eventually(sport_all_posted)
        assert poster.slugs(NEWS) == []
        answered.set()
        report = await delivering
    assert report.sent == 6
    assert poster.slugs(NEWS) == ["a", "b", "c"]


async def test_a_pass_claims_its_cards_in_one_write_and_marks_them_sent_in_one(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with newsroom.open() as room:
        await newsroom.owe_in_two_channels(room, "a", "b", "c")
        writes: list[str] = []
        deliveries = room.storage.deliveries
        for name in ("claim", "sent", "retry", "give_up"):
            write = getattr(deliveries, name)

            async def counted(*args: Any, _write: Any = write, _name: str = name, **kw: Any) -> Any:
                writes.append(_name)
                return await _write(*args, **kw)

            monkeypatch.setattr(deliveries, name, counted)
        report = await newsroom.deliver(room)
    assert report.sent == 6
    assert writes == ["claim", "sent"]


async def test_a_crash_before_the_pass_marks_its_cards_sent_is_reconciled_none_twice(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with newsroom.open() as room:
        await newsroom.owe_in_two_channels(room, "a", "b")

        async def crash(*args: Any, **kwargs: Any) -> None:
            raise Crash

        monkeypatch.setattr(room.storage.deliveries, "sent", crash)
        with pytest.raises(Crash):  # the four cards are out; the process dies before marking
            await newsroom.deliver(room)
    async with newsroom.open() as room:  # the restart
        reconciled = await newsroom.reconcile(room)
        delivered = await newsroom.deliver(room)
        await newsroom.next_poll(room)
        await newsroom.deliver(room)
        sent = await room.storage.deliveries.in_state("sent")
    assert (reconciled.found, reconciled.reposted, delivered.sent) == (4, 0, 0)
    assert len(newsroom.poster.posts) == len(sent) == 4
    assert sorted(newsroom.poster.reads) == [NEWS, SPORT]  # one read a channel, not a card


async def test_a_card_waits_while_the_desk_is_busy_with_long_texts(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    poster = newsroom.poster
    async with newsroom.open_following() as room:
        await newsroom.poll_stories(room, story("r", "Busy story", "busy"))
        summarize = room.desk.summarize

        async def busy_once(*args: Any, **kwargs: Any) -> Any:
            monkeypatch.setattr(room.desk, "summarize", summarize)
            raise Busy("I'm busy with other long texts. Try again in a minute.")

        monkeypatch.setattr(room.desk, "summarize", busy_once)
        await newsroom.deliver(room)
        assert poster.posts == [] and await room.storage.deliveries.in_state("failed") == []
        await newsroom.deliver(room)
    assert len(poster.posts) == 1


async def test_bad_feeds_and_entries_never_stop_the_poll(newsroom: Newsroom) -> None:
    pages = newsroom.pages
    good = publish(pages, "/good.xml", "Good", [])
    broken = publish(pages, "/broken.xml", "Broken", [])
    huge = publish(pages, "/huge.xml", "Huge", [])
    async with newsroom.open() as room:
        for url in (good, broken, huge):
            await room.feeds.follow(GUILD, url, user_id=5)
        await subscribe(room, NEWS, "*")
        pages.add("/broken.xml", "<rss><channel><title>Broken", "application/rss+xml")
        base = pages.url("")
        no_link = rss("Good", [story("fine", "<b>Bold</b> &amp; fine", "fine")], base).replace(
            "<item>", "<item><title>No link here</title></item><item>", 1
        )
        pages.add("/good.xml", no_link, "application/rss+xml")
        publish(pages, "/good.xml", "Good", [])  # serve the article page for "fine"
        pages.add("/good.xml", no_link, "application/rss+xml")
        many = [
            Item(f"h{i}", f"Huge {i}", [f"Entry {i} of a huge feed is here today."])
            for i in range(500)
        ]
        pages.add("/huge.xml", rss("Huge", many, base), "application/rss+xml")
        pages.delay = 0.0
        report = await newsroom.next_poll(room)
    assert report.feeds == 3
    assert report.failed == 1  # broken
    assert report.new_entries == 1 + 50  # good's linked entry, and the huge feed's newest 50


async def test_post_now_records_so_the_poll_skips_it(newsroom: Newsroom) -> None:
    item = story("p", "Posted by hand", "manual")
    async with newsroom.open_following() as room:
        publish(newsroom.pages, "/feed.xml", "News", [item])
        await newsroom.post_now(room, "p")
        await newsroom.next_poll(room)
        await newsroom.deliver(room)
    assert len(newsroom.poster.posts) == 1


async def test_an_entry_that_fails_stays_new_and_one_bad_card_does_not_block_the_rest(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with newsroom.open_following() as room:
        read_url = room.desk.read_url

        async def broken_for_b(url: str, **kwargs: Any) -> Any:
            if url.endswith("/a/b"):
                raise RuntimeError("extractor bug")
            return await read_url(url, **kwargs)

        monkeypatch.setattr(room.desk, "read_url", broken_for_b)
        items = [story("a", "Story A", "alpha"), story("b", "Story B", "beta")]
        first = await newsroom.poll_stories(room, *items)
        monkeypatch.setattr(room.desk, "read_url", read_url)
        second = await newsroom.next_poll(room)  # the feed is unchanged: no 304 this time

        summarize = room.desk.summarize

        async def broken_summary(stored: Any, method: str, count: int, **kwargs: Any) -> Any:
            if stored.article.url.endswith("/a/a"):
                raise ValueError("summarizer bug")
            return await summarize(stored, method, count, **kwargs)

        monkeypatch.setattr(room.desk, "summarize", broken_summary)
        report = await newsroom.deliver(room)
    assert (first.new_entries, first.cards_owed) == (2, 1)
    assert (second.new_entries, second.cards_owed, second.not_modified) == (1, 1, 0)
    assert (report.sent, report.failed) == (1, 1)
    assert [url.rsplit("/", 1)[1] for _, url, _ in newsroom.poster.posts] == ["b"]


async def test_a_page_naming_its_feed_is_followed_and_the_cap_holds(newsroom: Newsroom) -> None:
    pages = newsroom.pages
    feed = publish(pages, "/feed.xml", "Found Feed", [story("d", "Discovered", "found")])
    home = pages.add(
        "/",
        f'<html><head><link rel="alternate" type="application/rss+xml" href="{feed}"></head>'
        "<body><p>Welcome to the site.</p></body></html>",
    )
    other = publish(pages, "/other.xml", "Other", [])
    async with newsroom.open() as room:
        await room.guild_config.set(GUILD, "max_feeds", "1")
        added = await room.feeds.follow(GUILD, home, user_id=5)
        with pytest.raises(FeedLimitReached, match="follows 1 feeds already") as full:
            await room.feeds.follow(GUILD, other, user_id=5)
        await room.guild_config.set(GUILD, "max_feeds", "5")
        with pytest.raises(AlreadyFollowing, match="already follows that feed") as again:
            await room.feeds.follow(GUILD, feed, user_id=5)
        not_a_feed = pages.add(
            "/plain", "<html><body><p>No feed named here at all.</p></body></html>"
        )
        with pytest.raises(NotAFeed, match="not a feed") as no_feed:
            await room.feeds.follow(GUILD, not_a_feed, user_id=5)
        with pytest.raises(NotFollowing) as not_followed:
            await room.feeds.resume(GUILD, other)
    assert (added.url, added.title) == (feed, "Found Feed")
    assert full.value.limit == 1
    assert (again.value.url, no_feed.value.url, not_followed.value.url) == (feed, not_a_feed, other)
    for error in (full.value, again.value, no_feed.value, not_followed.value):
        assert_plain(error)


async def test_two_sender_passes_at_once_post_each_card_once(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with newsroom.open_following() as room:
        await newsroom.poll_stories(room, story("a", "Story A", "a"), story("b", "Story B", "b"))
        started, release = hold_first_summary(room, monkeypatch)
        first = asyncio.create_task(newsroom.deliver(room))
        await started.wait()  # the first pass is making its first card; its batch holds both
        second = await newsroom.deliver(room)
        release.set()
        reports = [await first, second]
    assert sorted(url.rsplit("/", 1)[1] for _, url, _ in newsroom.poster.posts) == ["a", "b"]
    assert sum(report.sent for report in reports) == 2


async def test_post_now_is_never_posted_by_the_sender_nor_taken_by_reconcile(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(newsroom.pages, "/feed.xml", "News", [story("p", "Posted by hand", "manual")])
    async with newsroom.open() as room:  # a fresh start: /post comes before the first reconcile
        started, release = hold_first_summary(room, monkeypatch)
        post = asyncio.create_task(newsroom.post_now(room, "p"))
        await started.wait()  # /post has recorded its card and is summarising it
        reconciled = await newsroom.reconcile(room)
        delivered = await newsroom.deliver(room)
        release.set()
        await post
        (sent,) = await room.storage.deliveries.in_state("sent")
    assert (reconciled.found, reconciled.reposted, delivered.sent) == (0, 0, 0)
    assert len(newsroom.poster.posts) == 1
    assert sent.attempts == 1


async def test_an_unreadable_channel_is_read_again_with_backoff_and_others_go_on(
    newsroom: Newsroom,
) -> None:
    poster = newsroom.poster
    async with newsroom.open_following() as room:
        await subscribe(room, SPORT, "*")
        await newsroom.poll_stories(room, story("x", "Story X", "x"))
        news, sport = await room.storage.deliveries.in_state("pending")
        for delivery in (news, sport):  # both in flight when the process dies...
            await room.storage.deliveries.claim([delivery.id], room.dispatcher.clock.now())
        poster.posts.append((NEWS, newsroom.pages.url("/a/x"), "*"))  # ...and one reached Discord
    poster.unreadable[SPORT] = 2
    async with newsroom.open() as room:
        passes = []
        for wait in (0, 10, 21, 59, 2):  # retried 30 s, then 60 s after a failed read
            newsroom.clock.now += wait
            reads = len(poster.reads)
            report = await newsroom.reconcile(room)
            passes.append((report.found, report.reposted, report.held, poster.reads[reads:]))
            await newsroom.deliver(room)
    assert passes == [
        (1, 0, 1, [NEWS, SPORT]),
        (0, 0, 1, []),
        (0, 0, 1, [SPORT]),
        (0, 0, 1, []),
        (0, 1, 0, [SPORT]),
    ]
    assert sorted(channel for channel, _, _ in poster.posts) == [NEWS, SPORT]


async def test_a_feed_summary_stands_in_only_for_a_page_of_the_feed_s_own_site(
    newsroom: Newsroom,
) -> None:
    """A feed may list another site's address whose page fails to load: its summary must not
    be stored as that site's article, where /summarize of the address would then find it."""
    pages = newsroom.pages
    async with newsroom.open() as room, page_server("127.0.0.2") as victim:
        await newsroom.follow(room, "Planted")
        items = [
            Item("own", "Own page gone", ["The feed's own story, summarised by the feed itself."]),
        ]
        planted = rss("Planted", items, victim.url("")).replace(
            "<item>",
            f"<item><title>Own page gone</title><link>{pages.url('/a/gone')}</link>"
            "<description>The feed's own story, told by its summary.</description></item><item>",
            1,
        )
        pages.add("/feed.xml", planted, "application/rss+xml")
        await newsroom.next_poll(room)
        assert await room.storage.articles.by_url(victim.url("/a/own")) is None
        assert await room.storage.articles.by_url(pages.url("/a/gone")) is not None


async def test_a_server_lists_and_unfollows_its_feeds_through_the_feed_service(
    newsroom: Newsroom,
) -> None:
    city = publish(newsroom.pages, "/city.xml", "City News", [])
    harbour = publish(newsroom.pages, "/harbour.xml", "Harbour News", [])
    async with newsroom.open() as room:
        for url in (city, harbour):
            await room.feeds.follow(GUILD, url, user_id=5)
        await room.feeds.follow(OTHER_GUILD, city, user_id=6)
        before = [feed.title for feed in await room.feeds.followed(GUILD)]
        await room.feeds.unfollow(GUILD, city)
        with pytest.raises(NotFollowing, match="doesn't follow that feed"):
            await room.feeds.unfollow(GUILD, city)
        after = [feed.title for feed in await room.feeds.followed(GUILD)]
        others = [feed.title for feed in await room.feeds.followed(OTHER_GUILD)]
    assert before == ["City News", "Harbour News"]
    assert after == ["Harbour News"]
    assert others == ["City News"]


async def test_post_now_says_why_a_card_was_not_posted_with_typed_errors(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [story(slug, f"Story {slug}", "hand") for slug in "abcd"]
    publish(newsroom.pages, "/feed.xml", "News", items)
    async with newsroom.open() as room:
        summarize = room.desk.summarize

        async def buggy_for_c(stored: Any, method: str, count: int, **kwargs: Any) -> Any:
            if stored.article.url.endswith("/a/c"):
                raise ValueError("summarizer bug")
            return await summarize(stored, method, count, **kwargs)

        async def refused(channel: int, slug: str) -> UserError:
            with pytest.raises(UserError) as caught:
                await newsroom.post_now(room, slug, channel)
            return caught.value

        monkeypatch.setattr(room.desk, "summarize", buggy_for_c)
        await newsroom.post_now(room, "a")
        already = await refused(NEWS, "a")
        newsroom.poster.flaky = 1
        retry = await refused(NEWS, "b")
        failed = await refused(NEWS, "c")
        newsroom.poster.lost.add(SPORT)
        lost = await refused(SPORT, "d")
    assert isinstance(already, AlreadyPosted) and already.channel_id == NEWS
    assert [(type(e), e.channel_id, e.outcome) for e in (retry, failed, lost)] == [
        (NotPosted, NEWS, PostOutcome.RETRY),
        (NotPosted, NEWS, PostOutcome.FAILED),
        (NotPosted, SPORT, PostOutcome.LOST),
    ]
    for error in (already, retry, failed, lost):
        assert_plain(error)


def database_away(*args: Any, **kwargs: Any) -> Any:
    raise DatabaseUnavailable("precis.db", "is unavailable (the server restarts)")


async def test_a_database_outage_in_a_poll_blames_no_feed_and_loses_no_entry(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with newsroom.open_following() as room:
        with monkeypatch.context() as outage:
            outage.setattr(room.storage.feeds, "record_entry", database_away)
            cut = await newsroom.poll_stories(room, story("a", "Story A", "alpha"))
        (feed,) = await room.storage.feeds.for_guild(GUILD)
        again = await room.poller.poll(newsroom.poster)  # still due: the same time
        await newsroom.deliver(room)
    assert (cut.failed, cut.cards_owed, feed.failures) == (1, 0, 0)
    assert (again.feeds, again.cards_owed) == (1, 1)
    assert not newsroom.poster.notices
    assert len(newsroom.poster.posts) == 1


async def test_a_card_made_during_a_database_outage_is_not_given_up(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with newsroom.open_following() as room:
        await newsroom.poll_stories(room, story("a", "Story A", "alpha"))
        with monkeypatch.context() as outage:
            outage.setattr(room.storage.articles, "get", database_away)
            with pytest.raises(DatabaseUnavailable):
                await newsroom.deliver(room)
        reconciled = await newsroom.reconcile(room)  # the pass's card is looked for, not lost
        delivered = await newsroom.deliver(room)
        failed = await room.storage.deliveries.in_state("failed")
    assert (reconciled.reposted, delivered.sent, failed) == (1, 1, [])
    assert len(newsroom.poster.posts) == 1


async def test_an_old_entry_its_feed_still_lists_is_not_posted_again_after_a_purge(
    newsroom: Newsroom,
) -> None:
    # A day of retention, on a clock ahead of the database's: everything stored is old.
    newsroom.settings = dataclasses.replace(newsroom.settings, retention_days=1)
    async with newsroom.open_following() as room:
        items = [story("a", "Story a", "tunnel"), story("b", "Story b", "tunnel")]
        await newsroom.poll_stories(room, *items)
        await newsroom.deliver(room)
        purged = await room.retention.purge()
        again = await newsroom.poll_stories(room, story("c", "Story c", "tunnel"), *items)
        await newsroom.deliver(room)
        left = await room.storage.counts()
    assert (purged.articles, purged.deliveries, purged.feed_entries) == (2, 2, 0)
    assert again.new_entries == 1
    assert newsroom.poster.slugs(NEWS) == ["b", "a", "c"]
    assert left["articles"] == 1


async def test_quotes_a_poll_stores_show_at_once_in_the_speakers_and_go_with_the_purge(
    newsroom: Newsroom,
) -> None:
    newsroom.settings = dataclasses.replace(newsroom.settings, retention_days=1)
    quoted = Item("q", "Tunnel opens", ["“The tunnel opens in spring,” said Ann Ray, the mayor."])
    async with newsroom.open_following() as room:
        before = await room.quotes.speakers_like(GUILD, "")
        await newsroom.poll_stories(room, quoted)
        polled = await room.quotes.speakers_like(GUILD, "")
        await newsroom.deliver(room)  # a card still owed keeps its article
        await room.retention.purge()
        purged = await room.quotes.speakers_like(GUILD, "")
    assert (before, [s.name for s in polled], purged) == ([], ["Ann Ray"], [])
