"""Exactly once under SIGKILL (issue 12): the real bot, in its own process, is killed 50 times
while it polls feeds and delivers cards, and restarted each time.

The test's process runs the fake Discord and the feed server of the feed benchmark (30 feeds
on loopback hosts); nine channels follow feeds so that each entry owes a card in two of
them. Before each start a few feeds publish a new entry and every feed is made due, as if a
poll interval had passed while the bot was down. Each run is killed at a seeded random moment:
a delay after it starts (start-up, reconcile, polling), once it has read its n-th article page
(polling), or once it has posted its n-th card (delivery). After the last kill, one run goes
on until nothing is owed. Then every owed card is in its channel exactly once, no delivery is
left pending or sending, and the database passes `PRAGMA integrity_check`.

The fake enforces Discord's real limits (`Limits.real()`): rate limits, permissions, deadlines.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from multiprocessing.context import ForkServerProcess
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from discord.gateway import DiscordWebSocket

from benchmarks.feeds import ENTRIES, FeedServer, follow
from bot.composition import open_services
from bot.model import Delivery, DeliveryState
from bot.pipeline.topics import parse_topic
from bot.settings import Settings, load_settings
from bot.storage import SQLiteStorage
from cogs.articles import SENDER_IDLE_SECONDS
from tests.crash.launch import precis_process, running
from tests.fake_discord import (
    ADMIN_ID,
    GUILD_ID,
    FakeDiscord,
    Limits,
    RecordedRequest,
    fake_discord,
)

SEED = 20261205
KILLS = 50
FEEDS = 30
NEW_PER_FEED = 3  # 90 entries: under the 120 cards an hour the busiest channel may take
HOSTS = 4
MAX_NEW_PER_RUN = 4
DELAY_S = 1.0  # kills by delay fall within this long after the start
MOMENT_TIMEOUT_S = 2.0  # a page or a card that never comes (nothing left to do): kill anyway
START_TIMEOUT_S = 30.0  # from its start to its connection to the gateway
STALL_S = SENDER_IDLE_SECONDS + 10  # the last run: a card at least this often, or it failed
TICK_S = 0.002
IDENTIFY = DiscordWebSocket.IDENTIFY

Entry = tuple[int, int]  # (feed, index): the article at /a/{feed}/{index}

# Which feeds each channel follows: every entry owes a card in two channels, and no channel
# gets more than a quarter of them (Discord takes about a message a second in one channel).
CHANNEL_FEEDS: dict[str, Callable[[int], bool]] = {
    **{f"fifths-{k}": (lambda feed, k=k: feed % 5 == k) for k in range(5)},
    **{f"quarters-{k}": (lambda feed, k=k: feed % 4 == k) for k in range(4)},
}


def environ(database: Path) -> dict[str, str]:
    """The bot's settings, as `precis run` reads them from the environment."""
    return {
        "DISCORD_TOKEN": "fake-token",
        "PRECIS_DATABASE": str(database),
        "PRECIS_SYNC_ON_START": "",
        "PRECIS_LOG_LEVEL": "INFO",
        "PRECIS_ALLOW_PRIVATE_URLS": "true",  # the feed server is on loopback
        "PRECIS_POLL_SECONDS": "600",
        "PRECIS_MESSAGE_CONTENT": "false",
    }


@dataclass(frozen=True, slots=True)
class Moment:
    """When a run is killed: `count` seconds after it starts, or once it has read `count`
    article pages, or once it has posted `count` cards."""

    kind: Literal["delay", "page", "card"]
    count: float

    @staticmethod
    def draw(rng: random.Random, new_entries: int, cards_owed: int) -> Moment:
        """A page moment needs new entries, a card moment cards owed; else a delay."""
        kind = rng.choice(("delay", "page", "card"))
        if kind == "page" and new_entries:
            return Moment("page", rng.randint(1, new_entries))
        if kind == "card" and cards_owed:
            return Moment("card", rng.randint(1, min(cards_owed, 6)))
        return Moment("delay", round(rng.uniform(0, DELAY_S), 3))


@dataclass
class Tally:
    """What the kills hit, for the report."""

    kills: Counter[str] = field(default_factory=Counter)  # moment kind, or "late" if it never came
    cards_owed: int = 0
    card_requests: int = 0  # card POSTs the fake recorded: duplicates and retries included


class CrashWorld:
    """The world the bot runs in: the fake Discord, the feed server, the channels, the entries
    published so far, and the database the bot's runs share."""

    def __init__(self, fake: FakeDiscord, server: FeedServer, folder: Path) -> None:
        self.fake = fake
        self.server = server
        self.folder = folder
        self.settings: Settings = load_settings(environ(self.database), env_file=None)
        guild = fake.guilds[GUILD_ID]
        self.channels = {name: fake.add_channel(guild, name).id for name in CHANNEL_FEEDS}
        self.published: list[Entry] = []
        self.runs = 0

    @property
    def database(self) -> Path:
        return self.folder / "precis.db"

    async def set_up(self) -> None:
        """Follow every feed (its current entries seen) and subscribe the channels."""
        async with open_services(self.settings) as services:
            await services.guild_config.set(GUILD_ID, "max_posts_per_hour", "120")
            await follow(services, self.server, FEEDS, int(time.time()))
            subscriptions = services.storage.subscriptions
            for name, follows in CHANNEL_FEEDS.items():
                for feed in filter(follows, range(FEEDS)):
                    topic = parse_topic(f'feed:"Bench Feed {feed}"').text
                    await subscriptions.add(GUILD_ID, self.channels[name], topic, ADMIN_ID)

    def publish(self, feeds: list[int]) -> None:
        """Each of `feeds` publishes one new entry."""
        for feed in feeds:
            newest = self.server.newest.get(feed, ENTRIES)
            self.server.newest[feed] = newest + 1
            self.published.append((feed, newest))

    async def all_due(self) -> None:
        """Every feed due now, as if a poll interval had passed while the bot was down."""
        async with stored(self.database) as storage:
            for feed in await storage.feeds.for_guild(GUILD_ID):
                await storage.feeds.resume(feed.id, int(time.time()))

    def owed(self) -> Counter[tuple[int, str]]:
        """One card per (channel, article path) for every entry published."""
        return Counter(
            (channel, f"/a/{feed}/{index}")
            for feed, index in self.published
            for name, channel in self.channels.items()
            if CHANNEL_FEEDS[name](feed)
        )

    def posted(self) -> Counter[tuple[int, str]]:
        """The bot's cards in the channels, by (channel, article path)."""
        return Counter(
            (channel, urlsplit(embed["url"]).path)
            for channel in self.channels.values()
            for message in self.fake.bot_messages(channel)
            for embed in message["embeds"]
        )

    def card_posts(self, since: int = 0) -> int:
        """The cards the bot posted (duplicates too) from its `since`-th request to the fake."""
        return sum(1 for request in self.fake.requests[since:] if is_card_post(request))

    @contextlib.asynccontextmanager
    async def bot_process(self) -> AsyncIterator[ForkServerProcess]:
        """`precis run` in a process of its own; reaped on the way out."""
        self.runs += 1
        log = self.folder / f"run-{self.runs:02}.log"
        async with running(precis_process(environ(self.database), self.fake, log)) as process:
            yield process

    async def run_and_kill(self, moment: Moment, tally: Tally) -> None:
        """Start the bot and SIGKILL it at `moment`. A page or a card that has not come
        MOMENT_TIMEOUT_S after the bot connected (nothing left to read or post) kills it then:
        counted from the connection, so that a slow machine still reaches the work."""
        pages, requests = self.server.counts["pages"], len(self.fake.requests)
        identified = self.identifies()
        reached = {
            "delay": lambda: False,
            "page": lambda: self.server.counts["pages"] - pages >= moment.count,
            "card": lambda: self.card_posts(requests) >= moment.count,
        }[moment.kind]
        async with self.bot_process() as process:
            began = time.monotonic()
            deadline = began + moment.count if moment.kind == "delay" else math.inf
            while not reached() and time.monotonic() < deadline:
                assert process.exitcode is None, self.log_tail()
                assert time.monotonic() - began < START_TIMEOUT_S, "the bot never connected"
                if deadline == math.inf and self.identifies() > identified:
                    deadline = time.monotonic() + MOMENT_TIMEOUT_S
                await asyncio.sleep(TICK_S)
            process.kill()
            await asyncio.to_thread(process.join)
        assert process.exitcode == -signal.SIGKILL, self.log_tail()
        tally.kills[moment.kind if moment.kind == "delay" or reached() else "late"] += 1

    async def run_to_the_end(self) -> None:
        """Start the bot once more, wait until every owed card is out and recorded as sent,
        then stop it as SIGTERM does. It fails when no card comes for STALL_S (however long
        the fake's rate limits make the whole take)."""
        async with self.bot_process() as process:
            posts, progressed = -1, time.monotonic()
            while self.missing():
                assert process.exitcode is None, self.log_tail()
                if self.card_posts() != posts:
                    posts, progressed = self.card_posts(), time.monotonic()
                stalled = time.monotonic() - progressed
                assert stalled < STALL_S, f"no card for {STALL_S} s; missing: {self.missing()}"
                await asyncio.sleep(0.05)
            async with stored(self.database) as storage:
                while await open_deliveries(storage):
                    assert time.monotonic() - progressed < STALL_S, "deliveries left open"
                    await asyncio.sleep(0.05)
            process.terminate()
            await asyncio.to_thread(process.join)
        assert process.exitcode == 0, self.log_tail()

    def missing(self) -> Counter[tuple[int, str]]:
        """The owed cards not in their channel yet."""
        return self.owed() - self.posted()

    def identifies(self) -> int:
        """How many times a bot has identified on the gateway."""
        return sum(1 for payload in self.fake.gateway_payloads if payload["op"] == IDENTIFY)

    def log_tail(self) -> str:
        log = self.folder / f"run-{self.runs:02}.log"
        return log.read_text()[-3000:] if log.exists() else "(no log)"


@contextlib.asynccontextmanager
async def stored(database: Path) -> AsyncIterator[SQLiteStorage]:
    """The bot's storage, opened by the test while the bot is down or to read."""
    storage = await SQLiteStorage.open(database)
    try:
        yield storage
    finally:
        await storage.close()


async def open_deliveries(storage: SQLiteStorage) -> list[Delivery]:
    """The deliveries still pending or sending."""
    return [
        delivery
        for state in (DeliveryState.PENDING, DeliveryState.SENDING)
        for delivery in await storage.deliveries.in_state(state)
    ]


def is_card_post(request: RecordedRequest) -> bool:
    """A message with an embed: a card (the bot posts nothing else here)."""
    return (
        request.method == "POST"
        and request.path.endswith("/messages")
        and bool(request.json and request.json.get("embeds"))
    )


def publishing(rng: random.Random, runs: int) -> list[list[int]]:
    """The feeds that publish an entry before each run: a few at a time until every feed has
    published NEW_PER_FEED; the last run gets what is left, one entry at least, so that its
    poll wakes the sender at once (cards a kill left pending otherwise wait for the sender's
    idle tick, SENDER_IDLE_SECONDS)."""
    queue = [feed for feed in range(FEEDS) for _ in range(NEW_PER_FEED)]
    rng.shuffle(queue)
    plan = [
        [queue.pop() for _ in range(min(rng.randint(0, MAX_NEW_PER_RUN), len(queue) - 1))]
        for _ in range(runs - 1)
    ]
    return [*plan, queue]


def integrity(database: Path) -> list[str]:
    """SQLite's own check of the file, read without the bot's code."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]


async def crash_and_restart(
    folder: Path, *, kills: int = KILLS, seed: int = SEED, limits: Limits | None = None
) -> Tally:
    """Kill the bot `kills` times as it polls and delivers, let a last run finish, and check
    that every owed card is in its channel once. `limits` turns the fake's limits on."""
    rng, tally = random.Random(seed), Tally()
    server = FeedServer(HOSTS)
    await server.start()
    try:
        async with fake_discord(limits) as fake:
            world = CrashWorld(fake, server, folder)
            await world.set_up()
            *killed, last = publishing(rng, kills + 1)
            for new in killed:
                world.publish(new)
                await world.all_due()
                moment = Moment.draw(rng, len(new), world.missing().total())
                await world.run_and_kill(moment, tally)
            world.publish(last)
            await world.all_due()
            await world.run_to_the_end()
    finally:
        await server.stop()
    await assert_exactly_once(world)
    tally.cards_owed, tally.card_requests = world.owed().total(), world.card_posts()
    return tally


async def assert_exactly_once(world: CrashWorld) -> None:
    """Every owed card in its channel once, every delivery sent, and a sound database."""
    owed, posted = world.owed(), world.posted()
    assert posted - owed == Counter(), f"cards posted more than once or not owed: {posted - owed}"
    assert owed - posted == Counter(), f"cards owed and never posted: {owed - posted}"
    async with stored(world.database) as storage:
        assert await open_deliveries(storage) == []
        assert await storage.deliveries.in_state(DeliveryState.FAILED) == []
    assert integrity(world.database) == ["ok"]


async def test_every_owed_card_is_posted_once_across_50_sigkills(tmp_path: Path) -> None:
    began = time.monotonic()
    tally = await crash_and_restart(tmp_path, limits=Limits.real())
    assert sum(tally.kills.values()) == KILLS
    print(f"{tally} in {time.monotonic() - began:.1f} s")
