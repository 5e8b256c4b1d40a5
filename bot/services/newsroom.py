"""The newsroom: polls feeds, turns new entries into owed cards, and delivers them exactly once.

Plain async Python: Discord is behind the `Poster` protocol, which the articles cog implements.

Exactly once: an entry is marked seen in the same transaction that records the cards it owes
(`deliveries`, one per channel and article, ever). Only whoever claims a card posts it: the
sender claims a pending one (marks it `sending`, if it is still pending) before posting it, and
/post records its card already claimed; it is marked `sent` after the post. After a crash,
`reconcile` looks in each channel for the cards left `sending`: found ones are marked sent, the
others are posted again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import aiohttp
from yarl import URL

from bot.errors import UserError
from bot.model import (
    Article,
    Delivery,
    DeliveryState,
    DeliveryTarget,
    Feed,
    PostOutcome,
    Quote,
    StoredArticle,
    Summary,
)
from bot.pipeline.addresses import same_site
from bot.pipeline.extract import ExtractionError
from bot.pipeline.feeds import (
    FeedEntry,
    FeedError,
    ParsedFeed,
    discover_feed_urls,
    entry_key,
    looks_like_feed,
    parse_feed,
)
from bot.pipeline.fetch import FEED_TYPES, PAGE_TYPES, FetchError, FetchResult, fetch
from bot.pipeline.topics import MatchDocument
from bot.services.desk import Busy, NewsDesk, Progress
from bot.services.guild_config import GuildConfig, GuildSettings
from bot.services.subscriptions import SubscriptionIndex, match_channels, topic_index
from bot.storage import Storage

log = logging.getLogger(__name__)

FEED_OR_PAGE = FEED_TYPES | PAGE_TYPES
ENTRIES_PER_POLL = 50  # enormous feeds are cut to their newest entries
PAUSE_AFTER_FAILURES = 10
MAX_BACKOFF_SECONDS = 6 * 3600
MAX_POST_ATTEMPTS = 5
RECONCILE_RETRY_SECONDS = 30  # a channel whose history could not be read is read again after
RECONCILE_MAX_WAIT = 3600  # ...30 s, 1 min, 2 min... at most an hour
DELIVERY_BATCH = 1000
FEEDS_PER_CYCLE = 10_000
HOUR = 3600


class ChannelUnavailable(Exception):
    """The channel is gone, or the bot may no longer post in it."""


class DiscordUnavailable(Exception):
    """A post or a read failed for a reason that may pass (an outage, a rate limit)."""


@dataclass(frozen=True, slots=True)
class Card:
    """What a poster renders for one delivery: the article, its summary and key quote."""

    stored: StoredArticle
    summary: Summary
    requested: int  # the sentences asked for (the summary may have fewer)
    key_quote: Quote | None
    topic: str | None  # the subscription that matched; None for /post


@dataclass(frozen=True, slots=True)
class FeedPaused:
    """A feed paused after `failures` failed polls in a row; `error` is the last one."""

    title: str
    url: str
    failures: int
    error: str


@dataclass(frozen=True, slots=True)
class ChannelLost:
    """A channel the bot may no longer post in; its `paused` subscriptions are paused."""

    channel_id: int
    error: str
    paused: int


# What a server's admins are told; the poster words it for them.
AdminNotice = FeedPaused | ChannelLost


class Poster(Protocol):
    """Discord as the newsroom sees it (the articles cog implements it)."""

    async def post(self, channel_id: int, card: Card) -> int:
        """Post the card; return its message id. Raises ChannelUnavailable or
        DiscordUnavailable."""
        ...

    async def find_card(self, channel_id: int, url: str, after: int) -> int | None:
        """The id of a card for `url` this bot posted in the channel since `after` (unix time),
        if any, however many messages came after it. Raises ChannelUnavailable or
        DiscordUnavailable."""
        ...

    async def notify_admins(self, guild_id: int, notice: AdminNotice) -> None:
        """Tell the server's admins (in its `admin_channel`); a notice Discord does not take
        is logged and dropped, not raised."""
        ...


@dataclass(slots=True)
class PollReport:
    """What one `poll` did, in counts (for the log)."""

    feeds: int = 0
    not_modified: int = 0
    failed: int = 0
    new_entries: int = 0
    cards_owed: int = 0


@dataclass(slots=True)
class DeliveryReport:
    """What one `deliver` pass did, in counts."""

    sent: int = 0
    waiting: int = 0  # held back by a channel's hourly cap
    failed: int = 0
    more: bool = False  # the batch was full: more cards are owed than one pass takes


@dataclass(slots=True)
class ReconcileReport:
    """What one `reconcile` did with the cards left `sending`, in counts."""

    found: int = 0  # already in their channel: marked sent
    reposted: int = 0  # not there: pending again
    held: int = 0  # their channel could not be read: asked again later


@dataclass(slots=True)
class _LeftSending:
    """A card a previous run left `sending`, until its channel says whether it is there."""

    delivery: Delivery
    failures: int = 0
    next_try: int = 0


@dataclass(frozen=True, slots=True)
class AddedFeed:
    """A feed just followed: its URL (the feed's, maybe found from a page), title, the
    entries it lists now, and how many of them were carded (`backfill`)."""

    url: str
    title: str
    entries: tuple[FeedEntry, ...]
    backfilled: int


@dataclass(frozen=True, slots=True)
class DryRunItem:
    """An entry `dry_run` would card, and the channels it would go to (maybe none)."""

    entry: FeedEntry
    targets: tuple[DeliveryTarget, ...]


@dataclass(slots=True)
class _Limits:
    """Concurrency limits for fetching: overall and per host."""

    overall: asyncio.Semaphore
    per_host: int
    hosts: dict[str, asyncio.Semaphore] = field(default_factory=dict)

    @contextlib.asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        host = URL(url).host or ""
        per_host = self.hosts.setdefault(host, asyncio.Semaphore(self.per_host))
        async with per_host, self.overall:
            yield


def backoff_seconds(base: int, failures: int, cap: int = MAX_BACKOFF_SECONDS) -> int:
    """The wait after `failures` in a row: `base` doubled each time, at most `cap`."""
    return int(min(base * 2 ** min(failures, 16), cap))


def conditional_headers(feed: Feed) -> dict[str, str]:
    """The headers that let an unchanged feed answer 304, from its last successful poll."""
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


class Newsroom:
    """Feeds in, cards out: follows and polls feeds, records the cards their new entries owe,
    and delivers them exactly once (see the module's docstring). One per bot; the articles
    cog runs its loops (`poll`, `deliver`, `reconcile`) and the feed cogs call the rest.

    Errors a user caused are `UserError`s with a message to show.
    """

    def __init__(
        self,
        storage: Storage,
        desk: NewsDesk,
        config: GuildConfig,
        session: aiohttp.ClientSession,
        *,
        poll_seconds: int,
        concurrency: int = 16,
        per_host: int = 2,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.storage = storage
        self.desk = desk
        self.config = config
        self.session = session
        self.poll_seconds = poll_seconds
        self.limits = _Limits(asyncio.Semaphore(concurrency), per_host)
        self.clock = clock
        self.cards_owed = asyncio.Event()  # set when new cards are recorded; the sender waits
        self._left_sending: dict[int, _LeftSending] | None = None  # read once, see `reconcile`
        self._reading_left = asyncio.Lock()
        self._reconciling = asyncio.Lock()

    def now(self) -> int:
        """The clock's time in whole seconds (tests pass their own clock)."""
        return int(self.clock())

    # --- Feeds ------------------------------------------------------------------------------

    async def _fetch(self, url: str, headers: dict[str, str] | None = None) -> FetchResult:
        async with self.limits.slot(url):
            return await fetch(
                self.session,
                url,
                accept=FEED_OR_PAGE,
                headers=headers,
            )

    async def read_feed(self, url: str) -> tuple[str, ParsedFeed]:
        """The feed at `url`, or the one a web page names in `<link rel="alternate">`.

        Pages and feeds are parsed in a worker thread: a big one takes seconds."""
        page = await self._fetch(url)
        if not looks_like_feed(page.raw):
            found = []
            if "html" in page.content_type:
                found = await asyncio.to_thread(discover_feed_urls, page.text, page.url)
            if not found:
                raise UserError("That address is not a feed, and the page names no feed.")
            page = await self._fetch(found[0])
        parsed = await asyncio.to_thread(
            parse_feed, page.raw, page.url, max_entries=ENTRIES_PER_POLL
        )
        return page.url, parsed

    async def add_feed(self, guild_id: int, url: str, user_id: int | None) -> AddedFeed:
        """Follow the feed at `url` (or the one its page names) in this server, and card its
        newest `backfill` entries; the rest of what it lists now is never posted. Raises
        `UserError` at the server's `max_feeds`, when it already follows the feed, or when
        the address is no feed (`FetchError`, `FeedError`)."""
        settings = await self.config.all(guild_id)
        if len(await self.storage.feeds.for_guild(guild_id)) >= settings.max_feeds:
            raise UserError(
                f"This server follows {settings.max_feeds} feeds already, its limit "
                "(`/config set max_feeds`). Remove one first."
            )
        feed_url, parsed = await self.read_feed(url)
        seen = [(entry_key(entry), entry.link) for entry in parsed.entries]
        added = await self.storage.feeds.add(
            guild_id, feed_url, parsed.title, seen=seen, added_by=user_id, now=self.now()
        )
        if not added:
            raise UserError("This server already follows that feed; `/feed list` shows it.")
        feed = await self.storage.feeds.by_url(feed_url)
        assert feed is not None
        backlog = parsed.entries[: settings.backfill]
        for entry in reversed(backlog):  # oldest first, so cards arrive in order
            await self.process_entry(feed, entry, readers=[guild_id])
        return AddedFeed(feed_url, parsed.title, parsed.entries, len(backlog))

    async def poll(self, poster: Poster) -> PollReport:
        """Fetch every due feed (conditional GET, with limits) and record what is new."""
        report = PollReport()
        due = await self.storage.feeds.due(self.now(), FEEDS_PER_CYCLE)
        report.feeds = len(due)
        if due:
            # Once a cycle: topics added meanwhile count from the next.
            index = await topic_index(self.storage)
            await asyncio.gather(*(self._poll_feed(feed, report, poster, index) for feed in due))
        return report

    async def _poll_feed(
        self, feed: Feed, report: PollReport, poster: Poster, index: SubscriptionIndex
    ) -> None:
        try:
            await self._poll_feed_unguarded(feed, report, poster, index)
        except Exception:  # a bug met by one feed must not stop the others, nor the loop
            log.exception("polling feed %s failed", feed.url)
            report.failed += 1
            await self._feed_failed(feed, "an unexpected error (logged)", poster)

    async def _poll_feed_unguarded(
        self, feed: Feed, report: PollReport, poster: Poster, index: SubscriptionIndex
    ) -> None:
        try:
            page = await self._fetch(feed.url, conditional_headers(feed))
            if page.not_modified:
                report.not_modified += 1
                await self._polled(feed)
                return
            parsed = await asyncio.to_thread(
                parse_feed, page.raw, page.url, max_entries=ENTRIES_PER_POLL
            )
        except (FetchError, FeedError) as error:
            report.failed += 1
            await self._feed_failed(feed, str(error), poster)
            return
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
        now = self.now()
        await self.storage.feeds.polled(
            feed.id,
            now=now,
            next_poll=now + self.poll_seconds,
            title=title,
            etag=page.etag if page else None,
            last_modified=page.last_modified if page else None,
        )

    async def _feed_failed(self, feed: Feed, error: str, poster: Poster) -> None:
        """Back off; after PAUSE_AFTER_FAILURES in a row, pause it and tell each server once."""
        now = self.now()
        updated = await self.storage.feeds.failed(
            feed.id,
            error,
            next_poll=now + backoff_seconds(self.poll_seconds, feed.failures),
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
        """Read a new entry's article and record the cards it owes in the readers' channels."""
        stored = await self._article_for(feed, entry, readers)
        targets: list[DeliveryTarget] = []
        if stored is not None:
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
        if owed:
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

    async def dry_run(self, guild_id: int, url: str) -> tuple[str, list[DryRunItem]]:
        """What polling this feed would post now, and where, without posting or storing.

        A followed feed owes its unseen entries; a new one its newest `backfill`. Matching
        uses each entry's title and summary, as no page is fetched."""
        feed_url, parsed = await self.read_feed(url)
        feed = await self.storage.feeds.by_url(feed_url)
        if feed is not None and guild_id in await self.storage.feeds.followers(feed.id):
            fresh = await self.storage.feeds.unseen(feed.id, [entry_key(e) for e in parsed.entries])
            entries = [entry for entry in parsed.entries if entry_key(entry) in fresh]
        else:
            entries = list(parsed.entries[: (await self.config.all(guild_id)).backfill])
        index = await topic_index(self.storage, [guild_id])
        items = []
        for entry in entries:
            document = MatchDocument.from_texts(
                (entry.title, entry.summary), entry.link, parsed.title
            )
            items.append(DryRunItem(entry, tuple(match_channels(document, index, [guild_id]))))
        return parsed.title, items

    async def resume_feed(self, guild_id: int, url: str) -> Feed:
        """Unpause a feed this server follows and poll it at once; returns it as it was
        before. Raises `UserError` when the server does not follow it."""
        feed = await self._followed(guild_id, url)
        await self.storage.feeds.resume(feed.id, self.now())
        return feed

    async def _followed(self, guild_id: int, url: str) -> Feed:
        feed = await self.storage.feeds.by_url(url)
        if feed is None or guild_id not in await self.storage.feeds.followers(feed.id):
            raise UserError(
                "This server doesn't follow that feed; `/feed list` shows the ones it does."
            )
        return feed

    # --- Cards ------------------------------------------------------------------------------

    async def card(self, delivery: Delivery, settings: GuildSettings) -> Card | None:
        """The card a delivery owes, summarised with its server's `settings`."""
        stored = await self.storage.articles.get(delivery.article_id)
        if stored is None:
            return None
        count, method = settings.summary_sentences, settings.summary_method
        summary = await self.desk.summarize(stored, method, count)
        quote = await self.desk.key_quote(stored, summary)
        return Card(stored, summary, count, quote, delivery.topic)

    async def deliver(self, poster: Poster) -> DeliveryReport:
        """Post the cards owed, oldest first, within each channel's hourly cap."""
        await self._cards_left_sending()  # read before this run claims any
        report = DeliveryReport()
        since = self.now() - HOUR
        sent_this_hour: dict[int, int] = {}
        lost: set[int] = set()
        settings_of: dict[int, GuildSettings] = {}  # each server's settings, read once a pass
        batch = await self.storage.deliveries.in_state(DeliveryState.PENDING, DELIVERY_BATCH)
        report.more = len(batch) == DELIVERY_BATCH
        for delivery in batch:
            channel = delivery.channel_id
            if channel in lost:
                continue
            if delivery.guild_id not in settings_of:
                settings_of[delivery.guild_id] = await self.config.all(delivery.guild_id)
            settings = settings_of[delivery.guild_id]
            if channel not in sent_this_hour:
                sent_this_hour[channel] = await self.storage.deliveries.sent_since(channel, since)
            if sent_this_hour[channel] >= settings.max_posts_per_hour:
                report.waiting += 1  # not dropped: it is still pending next hour
                continue
            # Claimed only if still pending: /post, or another pass, may have taken it since
            # the batch was read.
            claimed = await self.storage.deliveries.claim(delivery.id, self.now())
            if claimed is None:
                continue
            outcome = await self._post(claimed, poster, settings)
            if outcome is PostOutcome.SENT:
                report.sent += 1
                sent_this_hour[channel] += 1
            elif outcome is not PostOutcome.RETRY:
                report.failed += 1
                if outcome is PostOutcome.LOST:
                    lost.add(channel)
        return report

    async def _post(
        self, delivery: Delivery, poster: Poster, settings: GuildSettings
    ) -> PostOutcome:
        """Post a card this run claimed."""
        deliveries = self.storage.deliveries
        try:
            card = await self.card(delivery, settings)
            if card is None:
                await deliveries.give_up("the article is gone", delivery_id=delivery.id)
                return PostOutcome.FAILED
            message_id = await poster.post(delivery.channel_id, card)
        except ChannelUnavailable as error:
            await self._channel_lost(delivery, str(error), poster)
            return PostOutcome.LOST
        except (DiscordUnavailable, Busy) as error:  # for a moment: the card waits its turn
            if delivery.attempts >= MAX_POST_ATTEMPTS:
                await deliveries.give_up(str(error), delivery_id=delivery.id)
                return PostOutcome.FAILED
            await deliveries.retry(delivery.id, str(error))
            return PostOutcome.RETRY
        except Exception as error:  # e.g. a summarizer bug: this card fails, not the queue
            log.exception("delivery %d failed", delivery.id)
            await deliveries.give_up(repr(error), delivery_id=delivery.id)
            return PostOutcome.FAILED
        await deliveries.sent(delivery.id, message_id, self.now())
        return PostOutcome.SENT

    async def _channel_lost(self, delivery: Delivery, error: str, poster: Poster) -> None:
        """Pause a channel's subscriptions and tell the admins once, instead of retrying."""
        channel = delivery.channel_id
        paused = await self.storage.subscriptions.pause_channel(channel)
        await self.storage.deliveries.give_up(error, channel_id=channel)
        if paused:
            await poster.notify_admins(delivery.guild_id, ChannelLost(channel, error, paused))

    async def _cards_left_sending(self) -> dict[int, _LeftSending]:
        """The cards a previous run left `sending`: read once, before this run claims any, so
        that a card this run is posting is never taken for one."""
        async with self._reading_left:
            if self._left_sending is None:
                left = await self.storage.deliveries.in_state(DeliveryState.SENDING)
                self._left_sending = {d.id: _LeftSending(d) for d in left}
        return self._left_sending

    async def reconcile(self, poster: Poster) -> ReconcileReport:
        """After a restart: cards left `sending` that are in their channel are marked sent, the
        others go back to pending. A card whose channel can't be read now (a 503) stays
        `sending`, and a later call asks again, with backoff; call it before the first
        `deliver` and then now and again."""
        report = ReconcileReport()
        async with self._reconciling:
            left = await self._cards_left_sending()
            lost: set[int] = set()
            for key, waiting in list(left.items()):
                delivery = waiting.delivery
                if delivery.channel_id in lost:
                    del left[key]  # failed with its channel
                    continue
                if waiting.next_try > self.now():
                    report.held += 1
                    continue
                outcome = await self._reconcile_one(delivery, poster)
                if outcome == "held":
                    report.held += 1
                    waiting.next_try = self.now() + backoff_seconds(
                        RECONCILE_RETRY_SECONDS, waiting.failures, RECONCILE_MAX_WAIT
                    )
                    waiting.failures += 1
                    continue
                del left[key]
                if outcome == "found":
                    report.found += 1
                elif outcome == "reposted":
                    report.reposted += 1
                else:
                    lost.add(delivery.channel_id)
        if report.reposted:
            self.cards_owed.set()
        return report

    async def _reconcile_one(self, delivery: Delivery, poster: Poster) -> str:
        """'found', 'reposted' (pending again), 'held' (not known yet) or 'lost' (the channel)."""
        stored = await self.storage.articles.get(delivery.article_id)
        url = stored.article.url if stored else None
        since = delivery.sending_at or delivery.created_at
        try:
            message_id = await poster.find_card(delivery.channel_id, url, since) if url else None
        except ChannelUnavailable as error:
            await self._channel_lost(delivery, str(error), poster)
            return "lost"
        except Exception as error:  # a 503, a timeout, or a bug: not known, so not reposted
            log.warning(
                "could not read channel %d for delivery %d (%s); it stays held",
                delivery.channel_id,
                delivery.id,
                error,
                exc_info=not isinstance(error, DiscordUnavailable),
            )
            return "held"
        if message_id is None:
            await self.storage.deliveries.retry(delivery.id, "not found after a restart")
            return "reposted"
        await self.storage.deliveries.sent(delivery.id, message_id, self.now())
        return "found"

    async def post_now(
        self, target: DeliveryTarget, url: str, poster: Poster, *, progress: Progress
    ) -> Delivery:
        """/post: one article's card in one channel now, recorded so no poll posts it again.
        It is recorded already claimed, so the sender never takes it meanwhile."""
        await self._cards_left_sending()  # read before this run claims any
        stored = await self.desk.read_url(url, guild_id=target.guild_id, progress=progress)
        settings = await self.config.all(target.guild_id)
        await progress("Posting…")
        delivery = await self.storage.deliveries.create(target, stored.id, claimed_at=self.now())
        if delivery is None:
            raise UserError(f"That article's card is already in <#{target.channel_id}>.")
        outcome = await self._post(delivery, poster, settings)
        where = f"<#{target.channel_id}>"
        if outcome is PostOutcome.RETRY:  # pending again: the sender posts it when Discord answers
            raise UserError(
                f"Discord didn't take the card just now; it will go out in {where} shortly."
            )
        if outcome is PostOutcome.LOST:
            raise UserError(f"I can't post in {where}; check my permissions there.")
        if outcome is not PostOutcome.SENT:
            raise UserError(f"I couldn't post that card in {where}.")
        return delivery
