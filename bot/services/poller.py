"""The poller: fetches the feeds that are due and turns their new entries into owed cards.

An entry is marked seen in the same transaction that records the cards it owes (`deliveries`,
one per channel and article, ever); the dispatcher (`bot.services.dispatcher`) posts them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import KW_ONLY, dataclass

from bot.model import Article, DeliveryTarget, Feed, StoredArticle
from bot.pipeline.addresses import same_site
from bot.pipeline.extract import ExtractionError
from bot.pipeline.feeds import FeedEntry, FeedError, entry_key
from bot.pipeline.fetch import FetchError, FetchResult
from bot.pipeline.topics import MatchDocument
from bot.services.clock import Clock, backoff_seconds
from bot.services.desk import NewsDesk
from bot.services.feed_reader import FeedReader, conditional_headers
from bot.services.heartbeat import Lease
from bot.services.metrics import NO_METRICS, Loop, Metrics, PollOutcome
from bot.services.poster import FeedPaused, Poster
from bot.services.subscriptions import SubscriptionIndex, match_channels, topic_index
from bot.storage import DatabaseUnavailable, Storage

log = logging.getLogger(__name__)

PAUSE_AFTER_FAILURES = 10
FEEDS_PER_CYCLE = 10_000
FEEDS_PER_LEASE = 64  # leased at once: 4 times the reader's fetches at once


@dataclass(slots=True)
class PollReport:
    """What one `poll` did, in counts (for the log)."""

    feeds: int = 0
    not_modified: int = 0
    failed: int = 0
    new_entries: int = 0
    cards_owed: int = 0


@dataclass(eq=False)
class Poller:
    """Polls every due feed once for all the servers that follow it (conditional GET, within
    the reader's limits), backs off a failing one and pauses it after PAUSE_AFTER_FAILURES,
    and records the cards its new entries owe. Each due feed is leased to this process while
    it polls it, so processes sharing the database poll it once between them. One per bot;
    the articles cog runs `poll` in its loop, and the feed service cards a new feed's backlog
    with `process_entry`."""

    storage: Storage
    desk: NewsDesk
    reader: FeedReader
    _: KW_ONLY
    poll_seconds: int
    clock: Clock
    cards_owed: asyncio.Event  # set when cards are recorded: the dispatcher waits on it
    lease: Lease  # this process, to the others polling the same database
    metrics: Metrics = NO_METRICS

    async def poll(self, poster: Poster) -> PollReport:
        """Fetch every due feed no other process is polling (conditional GET, with limits) and
        record what is new. Feeds are leased a few at a time, more as those in hand finish:
        processes polling at once share the due feeds, and a process that dies leaves few
        leased."""
        report = PollReport()
        index: SubscriptionIndex | None = None  # once a cycle: later topics count from the next
        polling: set[asyncio.Task[None]] = set()
        taken: set[int] = set()  # each feed once a cycle, even one whose poll left it due
        try:
            while True:
                if len(polling) <= FEEDS_PER_LEASE // 2 and report.feeds < FEEDS_PER_CYCLE:
                    due = await self._lease_due(excluding=taken)
                    report.feeds += len(due)
                    if due and index is None:
                        index = await topic_index(self.storage)
                    for feed in due:
                        assert index is not None
                        taken.add(feed.id)
                        polled = self._poll_feed(feed, report, poster, index)
                        polling.add(asyncio.create_task(polled))
                    if not due and not polling:
                        break
                if polling:
                    done, polling = await asyncio.wait(polling, return_when=asyncio.FIRST_COMPLETED)
                    for task in done:
                        task.result()  # _poll_feed raises nothing but a cancellation
        finally:
            for task in polling:  # the loop stopped (the bot closes): so do the polls
                task.cancel()
        self.metrics.loop_ran(Loop.POLL)
        return report

    async def _lease_due(self, *, excluding: Collection[int]) -> list[Feed]:
        """The next due feeds, leased to this process (another one polling now takes
        others), but those it polled this cycle."""
        now = self.clock.now()
        return await self.storage.feeds.lease_due(
            now, FEEDS_PER_LEASE, self.lease.owner, self.lease.until(now), excluding=excluding
        )

    async def _poll_feed(
        self, feed: Feed, report: PollReport, poster: Poster, index: SubscriptionIndex
    ) -> None:
        try:
            await self._poll_feed_unguarded(feed, report, poster, index)
        except DatabaseUnavailable as error:  # not the feed's fault: it stays due, unblamed
            log.warning("polling feed %s stopped: %s", feed.url, error)
            report.failed += 1
        except (
            Exception
        ) as error:  # a bug met by one feed must stop neither the others nor the loop
            log.exception("polling feed %s failed", feed.url)
            report.failed += 1
            self._poll_failed(error)
            await self._feed_failed(feed, "an unexpected error (logged)", poster)

    async def _poll_feed_unguarded(
        self, feed: Feed, report: PollReport, poster: Poster, index: SubscriptionIndex
    ) -> None:
        try:
            page = await self.reader.fetch(feed.url, conditional_headers(feed))
            if page.not_modified:
                report.not_modified += 1
                self.metrics.polled(PollOutcome.NOT_MODIFIED)
                await self._polled(feed)
                return
            parsed = await self.reader.parse(page)
        except (FetchError, FeedError) as error:
            report.failed += 1
            self._poll_failed(error)
            await self._feed_failed(feed, str(error), poster)
            return
        self.metrics.polled(PollOutcome.FETCHED)
        fresh = await self.storage.feeds.unseen(feed.id, [entry_key(e) for e in parsed.entries])
        readers = await self.storage.feeds.followers(feed.id)
        all_recorded = True
        for entry in reversed(parsed.entries):  # oldest first
            if entry_key(entry) not in fresh:
                continue
            fresh.discard(entry_key(entry))  # a feed may list the same entry twice
            report.new_entries += 1
            try:
                owed = await self.process_entry(feed, entry, readers=readers, index=index)
            except DatabaseUnavailable:
                raise
            except Exception:  # one bad entry must not stop the feed
                log.exception("entry %s of feed %s failed; it stays new", entry.link, feed.url)
                all_recorded = False
            else:
                report.cards_owed += owed  # after the await: other feeds add to it meanwhile
        # Keep the old validators while an entry stays new, so the next poll reads it again
        # instead of getting a 304.
        await self._polled(feed, parsed.title, page if all_recorded else None)

    async def _polled(
        self, feed: Feed, title: str | None = None, page: FetchResult | None = None
    ) -> None:
        now = self.clock.now()
        await self.storage.feeds.polled(
            feed.id,
            now=now,
            next_poll=now + self.poll_seconds,
            title=title,
            etag=page.etag if page else None,
            last_modified=page.last_modified if page else None,
        )

    def _poll_failed(self, error: Exception) -> None:
        self.metrics.polled(PollOutcome.FAILED)
        self.metrics.fetch_failed(error)

    async def _feed_failed(self, feed: Feed, error: str, poster: Poster) -> None:
        """Back off; after PAUSE_AFTER_FAILURES in a row, pause it and tell each server once."""
        updated = await self.storage.feeds.failed(
            feed.id,
            error,
            next_poll=self.clock.now() + backoff_seconds(self.poll_seconds, feed.failures),
            pause_after=PAUSE_AFTER_FAILURES,
        )
        log.info("feed %s failed (%d in a row): %s", feed.url, updated.failures, error)
        if updated.paused:
            for guild_id in await self.storage.feeds.followers(feed.id):
                await poster.notify_admins(
                    guild_id, FeedPaused(feed.title, feed.url, updated.failures, error)
                )

    async def process_entry(
        self,
        feed: Feed,
        entry: FeedEntry,
        *,
        readers: Sequence[int],
        index: SubscriptionIndex | None = None,
    ) -> int:
        """Read a new entry's article and record the cards it owes in the readers' channels;
        return how many. `index` defaults to the readers' subscriptions now."""
        stored = await self._article_for(feed, entry, readers)
        targets: list[DeliveryTarget] = []
        if stored is not None:
            self.metrics.article_read()
            index = index if index is not None else await topic_index(self.storage, readers)
            document = MatchDocument.from_article(stored.article, feed.title)
            targets = match_channels(document, index, readers)
        owed = await self.storage.feeds.record_entry(
            feed.id,
            entry_key(entry),
            entry.link,
            stored.id if stored else None,
            readers=readers,
            targets=targets,
        )
        if stored is not None:
            self.desk.speakers.forget(readers)  # their servers have seen its quotes now
        if owed:
            self.metrics.cards_owed(owed)
            self.cards_owed.set()
        return owed

    async def _article_for(
        self, feed: Feed, entry: FeedEntry, readers: Sequence[int]
    ) -> StoredArticle | None:
        """The entry's article; the feed's own summary of it when the page can't be read.

        The summary stands in only for a page of the feed's own site: stored under another
        site's address, it would be what /summarize of that address finds.
        """
        try:
            return await self.desk.read_url(entry.link, readers=readers)
        except (FetchError, ExtractionError) as error:
            if not entry.summary or not same_site(entry.link, feed.url):
                log.warning(
                    "skipping %s: %s, and the feed cannot stand in for it", entry.link, error
                )
                return None
            article = Article(
                title=entry.title,
                paragraphs=(entry.summary,),
                url=entry.link,
                published=entry.published,
            )
            return await self.desk.store(article, requested_url=entry.link, readers=readers)
