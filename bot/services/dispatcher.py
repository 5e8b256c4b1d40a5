"""The dispatcher: posts the cards the poller and /post owe, exactly once, as fast as
Discord allows.

Plain async Python: Discord is behind the `Poster` protocol (`bot.services.poster`), which the
articles cog implements.

Exactly once: an entry is marked seen in the same transaction that records the cards it owes
(`deliveries`, one per channel and article, ever; see `bot.services.poller`). Only whoever
claims a card posts it: a send pass claims the pending cards it will post (marks them
`sending`, those still pending, many in one transaction) before posting them, and /post
records its card already claimed; cards are marked `sent` after their posts, many in one
transaction.
After a crash, `reconcile` looks in each channel for the cards left `sending`: found ones are
marked sent, the others are posted again.

Many processes: a process sends only in the channels it holds (`ChannelHolds`, one process
at a time each). It takes a channel before claiming its cards, and the cards it finds left
`sending` there when it takes it are someone else's (a dead process's, or a hold of its own
that lapsed): those it reconciles before posting any other card of that channel. A post
goes out only while the hold it was claimed under is still this process's.

Pace: each channel's cards go out in order, one queue per channel, and the channels are
served at once; every request goes through one `Pacer`, under Discord's global budget. A card
Discord cannot take just now (a 5xx, or a 429 after discord.py's own waits) goes back to
pending and its channel rests, longer each time; one Discord refuses (another 4xx) fails at
once; a channel the bot can't post in is paused.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum

from bot.errors import UserError
from bot.model import Delivery, DeliveryState, DeliveryTarget, PostOutcome
from bot.services.clock import Clock, backoff_seconds
from bot.services.desk import LONG_WAITING, Busy, NewsDesk, Progress
from bot.services.guild_config import GuildConfig, GuildSettings
from bot.services.holds import ChannelHolds, Hold
from bot.services.metrics import NO_METRICS, Loop, Metrics, delivery_latency
from bot.services.pacer import ChannelWindow, Pacer
from bot.services.poster import (
    Card,
    CardRefused,
    ChannelLost,
    ChannelUnavailable,
    DiscordUnavailable,
    Poster,
    PostUncertain,
)
from bot.storage import DatabaseUnavailable, DeliveryRepository, Storage

log = logging.getLogger(__name__)

MAX_POST_ATTEMPTS = 5
RECONCILE_RETRY_SECONDS = 30  # a channel whose history could not be read is read again after
RECONCILE_MAX_WAIT = 3600  # ...30 s, 1 min, 2 min... at most an hour
RETRY_REST_SECONDS = 30  # a channel whose card Discord could not take rests 30 s, 1 min...
RETRY_MAX_REST = 600  # ...at most 10 min, until the card's attempts run out
DELIVERY_BATCH = 1000  # cards claimed (`sending`) at once: after a crash, reconcile reads them
# A claim takes at most this many cards of one channel: a channel takes about a message a
# second (5 in 5 s), so a few busy channels with long queues would fill the batch while the
# others' cards wait.
CHANNEL_SHARE = 25
CLAIM_EVERY_SECONDS = 1.0  # a pass claims more (once half the batch is done) at most this often
# Discord takes about 5 messages in 5 s in one channel; the margin covers the request's trip,
# so that Discord never sees a sixth within its window.
CHANNEL_MESSAGES, CHANNEL_WINDOW_SECONDS = 5, 5.2
SENT_BATCH = 100  # cards marked sent in one transaction (after a crash, reconcile finds them)
# Cards left `sending` read when channels are taken: what one pass of a process that died may
# have left (its claimed cards, and those posted but not yet marked sent).
LEFT_SENDING_READ = DELIVERY_BATCH + SENT_BATCH
# Cards made at once, under the desk's queue for long texts: the sender alone never fills it.
CARDS_MADE_AT_ONCE = LONG_WAITING // 2
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
    PostOutcome.UNANSWERED: (
        "Discord didn't answer; I'll look for the card in {where} and post it if it isn't there."
    ),
}


class PostedElsewhere(PostRefused):
    """Another process holds the channel: the card is owed there, and that process posts it."""

    def __init__(self, channel_id: int) -> None:
        super().__init__(
            channel_id, "Another precis process is posting in {where}; the card will go out soon."
        )


class NotPosted(PostRefused):
    """The card did not go out; `outcome` says why (RETRY: the sender posts it later)."""

    def __init__(self, channel_id: int, outcome: PostOutcome) -> None:
        super().__init__(channel_id, NOT_POSTED[outcome])
        self.outcome = outcome


@dataclass(slots=True)
class DeliveryReport:
    """What one `deliver` pass did, in counts."""

    sent: int = 0
    waiting: int = 0  # left pending by a channel's hourly cap or rest, as the last claim found
    failed: int = 0


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
    """A card left `sending` (by a previous run, another process, or a post that got no
    answer), until its channel says whether it is there."""

    delivery: Delivery
    failures: int = 0
    next_try: int = 0
    looked_for: bool = False  # until it is, no other card of its channel is claimed


class SentMarks:
    """Cards posted and not yet marked sent: marked in one transaction every SENT_BATCH cards
    and when the pass ends. A crash in between leaves them `sending`: `reconcile` finds them."""

    def __init__(self, deliveries: DeliveryRepository, clock: Clock) -> None:
        self._deliveries = deliveries
        self._clock = clock
        self._marks: list[tuple[int, int]] = []

    async def add(self, delivery_id: int, message_id: int) -> None:
        """Note a card posted as this message; mark the batch sent once it is full."""
        self._marks.append((delivery_id, message_id))
        if len(self._marks) >= SENT_BATCH:
            await self.flush()

    async def flush(self) -> None:
        """Mark the cards noted so far sent."""
        marks, self._marks = self._marks, []  # swapped first: others note more meanwhile
        if marks:
            await self._deliveries.sent(marks, self._clock.now())


@dataclass
class _SendPass:
    """One `deliver` pass: a sender task for each channel it serves, with that channel's
    cards, and the channels it set aside (their cards wait, or the channel is no longer this
    process's), which it does not claim again."""

    poster: Poster
    marks: SentMarks
    report: DeliveryReport = field(default_factory=DeliveryReport)
    senders: dict[asyncio.Task[bool], list[Delivery]] = field(default_factory=dict)
    set_aside: set[int] = field(default_factory=set)
    channels: set[int] = field(default_factory=set)  # every channel the pass claimed in

    def room(self) -> int:
        """How many more cards the pass may claim."""
        return DELIVERY_BATCH - sum(len(queue) for queue in self.senders.values())

    def busy(self) -> set[int]:
        """The channels not to claim for: served now, or set aside."""
        return self.set_aside | {queue[0].channel_id for queue in self.senders.values()}

    async def settle(self) -> None:
        """Wait a while for senders to finish; a channel whose cards must wait is set aside."""
        done, _ = await asyncio.wait(
            self.senders, timeout=CLAIM_EVERY_SECONDS, return_when=asyncio.FIRST_COMPLETED
        )
        for sender in done:
            queue = self.senders.pop(sender)
            if not sender.result():  # a crash in one sender raises here, and ends the pass
                self.set_aside.add(queue[0].channel_id)

    def cancel(self) -> None:
        """Stop the senders still running."""
        for sender in self.senders:
            sender.cancel()


class Dispatcher:
    """Cards out: makes each owed card, posts it within its channel's hourly cap and at the
    pacer's rate, and posts it exactly once (see the module's docstring), also across a crash
    (`reconcile`) and for /post (`post_now`). One per bot; the articles cog runs `deliver` and
    `reconcile` in its loops, woken by `cards_owed`. Errors a user caused are `UserError`s
    that carry their data, with a plain message that the cog may word for Discord."""

    def __init__(
        self,
        storage: Storage,
        desk: NewsDesk,
        config: GuildConfig,
        *,
        clock: Clock,
        pacer: Pacer,
        holds: ChannelHolds,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.storage = storage
        self.desk = desk
        self.config = config
        self.clock = clock
        self.pacer = pacer
        self.holds = holds
        self.metrics = metrics
        self.channel_window = ChannelWindow(CHANNEL_MESSAGES, CHANNEL_WINDOW_SECONDS)
        self.cards_owed = asyncio.Event()  # set when new cards are recorded; the sender waits
        self._resting: dict[int, int] = {}  # channel -> when it may be posted in again
        self._making = asyncio.Semaphore(CARDS_MADE_AT_ONCE)
        # Cards left `sending` in the channels held, by delivery id: read when a channel is
        # taken, before this process claims any card there (see `reconcile`).
        self._left_sending: dict[int, _LeftSending] = {}
        self._taking = asyncio.Lock()
        self._sending_in: Counter[int] = Counter()  # channel -> its queues and /posts at work
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
        """Post the cards owed, oldest first, within each channel's hourly cap, until none is
        left that may go now: each channel's in order, the channels at once. At most
        DELIVERY_BATCH cards are claimed at a time; as channels finish, their places go to
        other channels' cards, so a slow channel (a post without an answer waits up to
        30 s) holds back only its own. Only channels this process holds are served; at the
        end it gives back those it has nothing more to do in."""
        run = _SendPass(poster, SentMarks(self.storage.deliveries, self.clock))
        loop = asyncio.get_running_loop()
        next_claim = loop.time()
        try:
            while True:
                if not run.senders or (
                    run.room() >= DELIVERY_BATCH // 2 and loop.time() >= next_claim
                ):
                    next_claim = loop.time() + CLAIM_EVERY_SECONDS
                    # A dead process's channels, free now: their cards left sending first.
                    await self.reconcile(run.poster)
                    await self._start_senders(run)
                if not run.senders:
                    break
                await run.settle()
            await run.marks.flush()
        except Exception:
            # The database went away mid-pass: whether its claimed cards went out is not
            # known, so its channels are taken afresh and those cards looked for first.
            self.holds.lapse(run.channels)
            raise
        finally:
            run.cancel()  # one sender raised (a crash): the others stop with it
        await self._release_idle()
        self.metrics.loop_ran(Loop.SEND)
        return run.report

    async def _start_senders(self, run: _SendPass) -> None:
        """Claim what the pass has room for, in channels it is not serving, and start a
        sender for each channel."""
        await run.marks.flush()  # the hourly caps count the cards posted so far
        for queue, hold, settings in await self._claim(run.room(), run.busy(), run.report):
            posting = self._send_queue(queue, hold, run.poster, settings, run.marks, run.report)
            self._sending_in[queue[0].channel_id] += 1  # until the queue is done: kept held
            run.senders[asyncio.create_task(posting)] = queue
            run.channels.add(queue[0].channel_id)

    async def _claim(
        self, limit: int, busy: set[int], report: DeliveryReport
    ) -> list[tuple[list[Delivery], Hold, GuildSettings]]:
        """Claim up to `limit` pending cards, of channels not `busy` with earlier ones nor
        held by another process, that may go now: each channel's queue, oldest first, with
        the hold it is posted under and its server's settings."""
        owed = await self.storage.deliveries.in_state(
            DeliveryState.PENDING,
            limit,
            per_channel=CHANNEL_SHARE,
            excluding=busy | self._unsettled(),
            free_for=(self.holds.owner, self.clock.now()),
        )
        owed_in = [d.channel_id for d in owed]
        share = self.holds.fair_share(owed_in)
        if len(share) < len(set(owed_in)):  # beyond its share: the next pass, not an idle wait
            self.cards_owed.set()
        held = await self._hold(share)
        unsettled = self._unsettled()  # a channel just taken may have cards left sending
        batch = [d for d in owed if d.channel_id in held and d.channel_id not in unsettled]
        chosen, settings_of, report.waiting = await self._within_caps(batch)
        # Claimed only if still pending: /post, or another pass, may have taken some since
        # the batch was read.
        claimed = await self.storage.deliveries.claim(chosen, self.clock.now()) if chosen else []
        queues: dict[int, list[Delivery]] = {}
        for delivery in claimed:
            queues.setdefault(delivery.channel_id, []).append(delivery)
        return [
            (queue, hold, settings_of[queue[0].guild_id])
            for queue in queues.values()
            if (hold := self.holds.current(queue[0].channel_id)) is not None
        ]

    async def _hold(self, channel_ids: Collection[int]) -> set[int]:
        """Hold these channels, those no other live process holds: the channels held. In one
        just taken, the cards left `sending` are read before this process claims any there,
        so that a card it is posting is never taken for one; they are looked for before any
        other card of that channel is claimed."""
        if not channel_ids:
            return set()
        async with self._taking:
            held, fresh = await self.holds.take(channel_ids)
            if fresh:
                left = await self.storage.deliveries.in_state(
                    DeliveryState.SENDING, LEFT_SENDING_READ, only=fresh
                )
                for delivery in left:  # those known already keep their state
                    self._left_sending.setdefault(delivery.id, _LeftSending(delivery))
                if left:
                    self.cards_owed.set()  # the send loop reconciles them, then sends
        return held

    def _unsettled(self) -> set[int]:
        """The channels with cards left `sending` not looked for yet: nothing else is
        claimed there until they are."""
        return {
            waiting.delivery.channel_id
            for waiting in self._left_sending.values()
            if not waiting.looked_for
        }

    async def _release_idle(self) -> None:
        """Give back the channels held with nothing left to do: no card left `sending` to
        look for, no queue (of another pass) or /post at work."""
        keep = {waiting.delivery.channel_id for waiting in self._left_sending.values()}
        await self.holds.release(self.holds.held() - keep - set(+self._sending_in))

    async def _within_caps(
        self, batch: list[Delivery]
    ) -> tuple[list[int], dict[int, GuildSettings], int]:
        """The ids of the cards of `batch` this pass may post: within their channel's hourly
        cap, in a channel not resting; each server's settings, read once a claim; and how
        many cards wait."""
        now = self.clock.now()
        room_left: dict[int, int] = {}  # channel -> posts its cap still allows this hour
        settings_of: dict[int, GuildSettings] = {}
        chosen = []
        waiting = 0
        for delivery in batch:
            channel = delivery.channel_id
            if self._rests(channel):
                waiting += 1
                continue
            if delivery.guild_id not in settings_of:
                settings_of[delivery.guild_id] = await self.config.all(delivery.guild_id)
            if channel not in room_left:
                sent = await self.storage.deliveries.sent_since(channel, now - HOUR)
                room_left[channel] = settings_of[delivery.guild_id].max_posts_per_hour - sent
            if room_left[channel] <= 0:
                waiting += 1  # not dropped: it is still pending next hour
                continue
            room_left[channel] -= 1
            chosen.append(delivery.id)
        return chosen, settings_of, waiting

    async def _send_queue(
        self,
        queue: list[Delivery],
        hold: Hold,
        poster: Poster,
        settings: GuildSettings,
        marks: SentMarks,
        report: DeliveryReport,
    ) -> bool:
        """Post one channel's claimed cards, in order; False if the channel must wait. When
        one card must wait, or the channel rests, the rest wait behind it (given back
        untried); when the channel is lost, they failed with it. When the hold they were
        claimed under lapsed, they are left `sending` as they are, for whoever holds the
        channel next to look for."""
        try:
            for position, delivery in enumerate(queue):
                if not self.holds.still(delivery.channel_id, hold):
                    log.warning(
                        "lost the hold on channel %d; its cards are left to reconcile",
                        delivery.channel_id,
                    )
                    return False
                outcome = await self._post(delivery, poster, settings, marks)
                if outcome is PostOutcome.SENT:
                    report.sent += 1
                    continue
                waits = outcome in (PostOutcome.RETRY, PostOutcome.UNANSWERED)
                if not waits:
                    report.failed += 1
                if outcome is PostOutcome.LOST:
                    return False
                if waits or self._rests(delivery.channel_id):
                    behind = [waiting.id for waiting in queue[position + 1 :]]
                    if behind:
                        await self.storage.deliveries.retry(
                            behind, "an earlier card in its channel waits", tried=False
                        )
                    return False
            return True
        finally:
            self._sending_in[queue[0].channel_id] -= 1

    async def _post(
        self, delivery: Delivery, poster: Poster, settings: GuildSettings, marks: SentMarks
    ) -> PostOutcome:
        """Post a card this run claimed; once posted, it is noted in `marks`."""
        deliveries = self.storage.deliveries
        try:
            async with self._making:
                card = await self.card(delivery, settings)
            if card is None:
                await deliveries.give_up("the article is gone", delivery_id=delivery.id)
                return PostOutcome.FAILED
            await self.channel_window.wait(delivery.channel_id)
            await self.pacer.wait()
            message_id = await poster.post(delivery.channel_id, card)
        except ChannelUnavailable as error:
            await self._channel_lost(delivery, str(error), poster)
            return PostOutcome.LOST
        except PostUncertain as error:  # it may be out: reconcile looks for it, later
            log.info("no answer to delivery %d (%s); its channel will be read", delivery.id, error)
            self._rest(delivery)
            self._left_sending_after(delivery, RECONCILE_RETRY_SECONDS)
            return PostOutcome.UNANSWERED
        except DiscordUnavailable as error:  # discord.py waited and retried already: rest
            self._rest(delivery)
            return await self._retry_later(delivery, str(error))
        except Busy as error:  # our desk, not Discord: the card waits its turn
            return await self._retry_later(delivery, str(error))
        except CardRefused as error:  # it would be refused again: never retried
            await deliveries.give_up(str(error), delivery_id=delivery.id)
            return PostOutcome.FAILED
        except DatabaseUnavailable:  # not the card's fault: the pass ends, see `deliver`
            raise
        except Exception as error:  # e.g. a summarizer bug: this card fails, not the queue
            log.exception("delivery %d failed", delivery.id)
            await deliveries.give_up(repr(error), delivery_id=delivery.id)
            return PostOutcome.FAILED
        await marks.add(delivery.id, message_id)
        self.metrics.card_sent(delivery_latency(delivery, card.stored.article, self.clock.now()))
        return PostOutcome.SENT

    def _rests(self, channel_id: int) -> bool:
        """Whether the channel rests now, after Discord could not take a card there."""
        return self._resting.get(channel_id, 0) > self.clock.now()

    def _rest(self, delivery: Delivery) -> None:
        """Post nothing more in the card's channel for a while, longer after each attempt."""
        wait = backoff_seconds(RETRY_REST_SECONDS, delivery.attempts - 1, RETRY_MAX_REST)
        self._resting[delivery.channel_id] = self.clock.now() + wait

    async def _retry_later(self, delivery: Delivery, error: str) -> PostOutcome:
        """The card goes back to pending, or fails once its attempts are spent."""
        if delivery.attempts >= MAX_POST_ATTEMPTS:
            await self.storage.deliveries.give_up(error, delivery_id=delivery.id)
            return PostOutcome.FAILED
        await self.storage.deliveries.retry([delivery.id], error)
        return PostOutcome.RETRY

    async def _channel_lost(self, delivery: Delivery, error: str, poster: Poster) -> None:
        """Pause a channel's subscriptions and tell the admins once, instead of retrying."""
        channel = delivery.channel_id
        paused = await self.storage.subscriptions.pause_channel(channel)
        await self.storage.deliveries.give_up(error, channel_id=channel)
        if paused:
            await self.pacer.wait()
            await poster.notify_admins(delivery.guild_id, ChannelLost(channel, error, paused))

    def _left_sending_after(self, delivery: Delivery, seconds: int) -> None:
        """Leave a claimed card `sending`, for `reconcile` to look for in `seconds`."""
        self._left_sending[delivery.id] = _LeftSending(
            delivery, next_try=self.clock.now() + seconds, looked_for=True
        )

    async def reconcile(self, poster: Poster) -> ReconcileReport:
        """After a restart: cards left `sending` that are in their channel are marked sent, the
        others go back to pending; each channel's history is read once for all its cards, the
        channels at once. A card whose channel can't be read now (a 503) stays `sending`, and
        a later call asks again, with backoff; call it before the first `deliver` and then
        now and again. Only the channels this process holds are read: it takes those with
        cards left `sending` that no other live process holds (a dead one's, once its hold
        has ended), and one another process took meanwhile is that one's to reconcile."""
        report = ReconcileReport()
        async with self._reconciling:
            left = self._left_sending
            orphaned = await self.storage.deliveries.in_state(
                DeliveryState.SENDING,
                LEFT_SENDING_READ,
                free_for=(self.holds.owner, self.clock.now()),
            )
            held = await self._hold(
                {delivery.channel_id for delivery in orphaned}
                | {waiting.delivery.channel_id for waiting in left.values()}
            )
            for key in [k for k, w in left.items() if w.delivery.channel_id not in held]:
                del left[key]
            due: dict[int, list[_LeftSending]] = {}  # channel -> its cards to look for now
            for waiting in left.values():
                if waiting.next_try > self.clock.now():
                    report.held += 1
                else:
                    due.setdefault(waiting.delivery.channel_id, []).append(waiting)
            outcomes = await asyncio.gather(
                *(self._reconcile_channel(waits, poster) for waits in due.values())
            )
            for (channel, waits), found in zip(due.items(), outcomes, strict=True):
                self._note_reconciled(left, channel, waits, found, report)
        if report.reposted:
            self.cards_owed.set()
        return report

    def _note_reconciled(
        self,
        left: dict[int, _LeftSending],
        channel: int,
        waits: list[_LeftSending],
        outcomes: list[Reconciled],
        report: ReconcileReport,
    ) -> None:
        """Count what one channel's read found; forget the cards it settled, and ask again
        later, with backoff, for those it could not."""
        if Reconciled.LOST in outcomes:  # the channel's cards, due or not, failed with it
            for key in [key for key, w in left.items() if w.delivery.channel_id == channel]:
                del left[key]
            return
        for waiting, outcome in zip(waits, outcomes, strict=True):
            if outcome is Reconciled.HELD:
                report.held += 1
                waiting.looked_for = True  # the channel's other cards need not wait for it
                waiting.next_try = self.clock.now() + backoff_seconds(
                    RECONCILE_RETRY_SECONDS, waiting.failures, RECONCILE_MAX_WAIT
                )
                waiting.failures += 1
                continue
            del left[waiting.delivery.id]
            if outcome is Reconciled.FOUND:
                report.found += 1
            else:
                report.reposted += 1

    async def _reconcile_channel(
        self, waits: list[_LeftSending], poster: Poster
    ) -> list[Reconciled]:
        """Look for a channel's cards left `sending` in one read of its history, and record
        what was found: an outcome for each card, in order."""
        deliveries = [waiting.delivery for waiting in waits]
        channel = deliveries[0].channel_id
        hold = self.holds.current(channel)
        url_of = {d.id: await self._article_url(d) for d in deliveries}
        try:
            found = await self._find_cards(deliveries, url_of, poster)
        except ChannelUnavailable as error:
            await self._channel_lost(deliveries[0], str(error), poster)
            return [Reconciled.LOST] * len(deliveries)
        except Exception as error:  # a 503, a timeout, or a bug: not known, so not reposted
            log.warning(
                "could not read channel %d for %d cards left sending (%s); they stay held",
                channel,
                len(deliveries),
                error,
                exc_info=not isinstance(error, DiscordUnavailable),
            )
            return [Reconciled.HELD] * len(deliveries)
        if hold is None or not self.holds.still(channel, hold):  # another's now: not ours
            return [Reconciled.HELD] * len(deliveries)
        return await self._record_found({d.id: found.get(url_of[d.id] or "") for d in deliveries})

    async def _find_cards(
        self, deliveries: list[Delivery], url_of: dict[int, str | None], poster: Poster
    ) -> dict[str, int]:
        """The cards of these deliveries of one channel found in it, by URL: one read of its
        history, from when the earliest of them was claimed."""
        wanted = {url for url in url_of.values() if url}
        if not wanted:
            return {}
        since = min(delivery.sending_at or delivery.created_at for delivery in deliveries)
        await self.pacer.wait()
        return await poster.find_cards(deliveries[0].channel_id, wanted, since)

    async def _article_url(self, delivery: Delivery) -> str | None:
        """The URL a delivery's card links to; None when its article is gone."""
        stored = await self.storage.articles.get(delivery.article_id)
        return stored.article.url if stored else None

    async def _record_found(self, message_of: dict[int, int | None]) -> list[Reconciled]:
        """Mark sent the cards found (delivery id -> message id), the others pending again:
        one write each; their outcomes, in order."""
        marks = [(d, message) for d, message in message_of.items() if message is not None]
        missing = [d for d, message in message_of.items() if message is None]
        if marks:
            await self.storage.deliveries.sent(marks, self.clock.now())
        if missing:
            await self.storage.deliveries.retry(missing, "not found after a restart")
        return [
            Reconciled.REPOSTED if message is None else Reconciled.FOUND
            for message in message_of.values()
        ]

    async def post_now(
        self, target: DeliveryTarget, url: str, poster: Poster, *, progress: Progress
    ) -> Delivery:
        """/post: one article's card in one channel now, recorded so no poll posts it again.
        It is recorded already claimed, so the sender never takes it meanwhile. Raises
        AlreadyPosted, PostedElsewhere (another process holds the channel: the card is owed
        there, pending, for it to post), or NotPosted with the outcome."""
        channel = target.channel_id
        self._sending_in[channel] += 1  # kept held until its card is out
        try:
            held = channel in await self._hold([channel])
            stored = await self.desk.read_url(url, guild_id=target.guild_id, progress=progress)
            settings = await self.config.all(target.guild_id)
            await progress("Posting…")
            delivery = await self.storage.deliveries.create(
                target, stored.id, claimed_at=self.clock.now() if held else None
            )
            if delivery is None:
                raise AlreadyPosted(channel)
            if not held:
                raise PostedElsewhere(channel)
            marks = SentMarks(self.storage.deliveries, self.clock)
            outcome = await self._post(delivery, poster, settings, marks)
            await marks.flush()
        finally:
            self._sending_in[channel] -= 1
        # RETRY left it pending again: the sender posts it when Discord answers.
        if outcome is not PostOutcome.SENT:
            raise NotPosted(target.channel_id, outcome)
        return delivery
