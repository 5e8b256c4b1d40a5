"""The dispatcher: posts the cards the poller and /post owe, exactly once.

Plain async Python: Discord is behind the `Poster` protocol (`bot.services.poster`), which the
articles cog implements.

Exactly once: an entry is marked seen in the same transaction that records the cards it owes
(`deliveries`, one per channel and article, ever; see `bot.services.poller`). Only whoever
claims a card posts it: the sender claims a pending one (marks it `sending`, if it is still
pending) before posting it, and /post records its card already claimed; it is marked `sent`
after the post. After a crash, `reconcile` looks in each channel for the cards left
`sending`: found ones are marked sent, the others are posted again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import UserError
from bot.model import Delivery, DeliveryState, DeliveryTarget, PostOutcome
from bot.services.clock import Clock, backoff_seconds
from bot.services.desk import Busy, NewsDesk, Progress
from bot.services.guild_config import GuildConfig, GuildSettings
from bot.services.poster import Card, ChannelLost, ChannelUnavailable, DiscordUnavailable, Poster
from bot.storage import Storage

log = logging.getLogger(__name__)

MAX_POST_ATTEMPTS = 5
RECONCILE_RETRY_SECONDS = 30  # a channel whose history could not be read is read again after
RECONCILE_MAX_WAIT = 3600  # ...30 s, 1 min, 2 min... at most an hour
DELIVERY_BATCH = 1000
HOUR = 3600


class PostRefused(UserError):
    """/post's card did not go out in `channel_id`. Its message names the channel plainly;
    `saying` names it as the caller likes (a mention, in Discord)."""

    def __init__(self, channel_id: int, why: str) -> None:
        self.channel_id = channel_id
        self.why = why  # one sentence, with {where} for the channel
        super().__init__(self.saying(f"channel {channel_id}"))

    def saying(self, where: str) -> str:
        """The message, with `where` for the channel."""
        return self.why.format(where=where)


class AlreadyPosted(PostRefused):
    """The article's card is in that channel already (or on its way)."""

    def __init__(self, channel_id: int) -> None:
        super().__init__(channel_id, "That article's card is already in {where}.")


# Why a claimed card did not go out, by its outcome.
NOT_POSTED = {
    PostOutcome.RETRY: "Discord didn't take the card just now; it will go out in {where} shortly.",
    PostOutcome.LOST: "I can't post in {where}; check my permissions there.",
    PostOutcome.FAILED: "I couldn't post that card in {where}.",
}


class NotPosted(PostRefused):
    """The card did not go out; `outcome` says why (RETRY: the sender posts it later)."""

    def __init__(self, channel_id: int, outcome: PostOutcome) -> None:
        super().__init__(channel_id, NOT_POSTED[outcome])
        self.outcome = outcome


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


class Reconciled(StrEnum):
    """What `reconcile` learnt of one card left `sending`."""

    FOUND = "found"  # in its channel: marked sent
    REPOSTED = "reposted"  # not there: pending again
    HELD = "held"  # the channel could not be read: not known yet, asked again later
    LOST = "lost"  # the channel is gone or closed to the bot: its cards failed with it


@dataclass(slots=True)
class _LeftSending:
    """A card a previous run left `sending`, until its channel says whether it is there."""

    delivery: Delivery
    failures: int = 0
    next_try: int = 0


class Dispatcher:
    """Cards out: makes each owed card, posts it within its channel's hourly cap, and posts it
    exactly once (see the module's docstring), also across a crash (`reconcile`) and for
    /post (`post_now`). One per bot; the articles cog runs `deliver` and `reconcile` in its
    loops, woken by `cards_owed`. Errors a user caused are `UserError`s that carry their
    data, with a plain message that the cog may word for Discord."""

    def __init__(
        self, storage: Storage, desk: NewsDesk, config: GuildConfig, *, clock: Clock
    ) -> None:
        self.storage = storage
        self.desk = desk
        self.config = config
        self.clock = clock
        self.cards_owed = asyncio.Event()  # set when new cards are recorded; the sender waits
        self._left_sending: dict[int, _LeftSending] | None = None  # read once, see `reconcile`
        self._reading_left = asyncio.Lock()
        self._reconciling = asyncio.Lock()

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
        since = self.clock.now() - HOUR
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
            claimed = await self.storage.deliveries.claim(delivery.id, self.clock.now())
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
        await deliveries.sent(delivery.id, message_id, self.clock.now())
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
                if waiting.next_try > self.clock.now():
                    report.held += 1
                    continue
                outcome = await self._reconcile_one(delivery, poster)
                if outcome is Reconciled.HELD:
                    report.held += 1
                    waiting.next_try = self.clock.now() + backoff_seconds(
                        RECONCILE_RETRY_SECONDS, waiting.failures, RECONCILE_MAX_WAIT
                    )
                    waiting.failures += 1
                    continue
                del left[key]
                if outcome is Reconciled.FOUND:
                    report.found += 1
                elif outcome is Reconciled.REPOSTED:
                    report.reposted += 1
                else:  # LOST
                    lost.add(delivery.channel_id)
        if report.reposted:
            self.cards_owed.set()
        return report

    async def _reconcile_one(self, delivery: Delivery, poster: Poster) -> Reconciled:
        """Look for one card left `sending` in its channel, and record what was found."""
        stored = await self.storage.articles.get(delivery.article_id)
        url = stored.article.url if stored else None
        since = delivery.sending_at or delivery.created_at
        try:
            message_id = await poster.find_card(delivery.channel_id, url, since) if url else None
        except ChannelUnavailable as error:
            await self._channel_lost(delivery, str(error), poster)
            return Reconciled.LOST
        except Exception as error:  # a 503, a timeout, or a bug: not known, so not reposted
            log.warning(
                "could not read channel %d for delivery %d (%s); it stays held",
                delivery.channel_id,
                delivery.id,
                error,
                exc_info=not isinstance(error, DiscordUnavailable),
            )
            return Reconciled.HELD
        if message_id is None:
            await self.storage.deliveries.retry(delivery.id, "not found after a restart")
            return Reconciled.REPOSTED
        await self.storage.deliveries.sent(delivery.id, message_id, self.clock.now())
        return Reconciled.FOUND

    async def post_now(
        self, target: DeliveryTarget, url: str, poster: Poster, *, progress: Progress
    ) -> Delivery:
        """/post: one article's card in one channel now, recorded so no poll posts it again.
        It is recorded already claimed, so the sender never takes it meanwhile. Raises
        AlreadyPosted, or NotPosted with the outcome."""
        await self._cards_left_sending()  # read before this run claims any
        stored = await self.desk.read_url(url, guild_id=target.guild_id, progress=progress)
        settings = await self.config.all(target.guild_id)
        await progress("Posting…")
        delivery = await self.storage.deliveries.create(
            target, stored.id, claimed_at=self.clock.now()
        )
        if delivery is None:
            raise AlreadyPosted(target.channel_id)
        outcome = await self._post(delivery, poster, settings)
        # RETRY left it pending again: the sender posts it when Discord answers.
        if outcome is not PostOutcome.SENT:
            raise NotPosted(target.channel_id, outcome)
        return delivery
