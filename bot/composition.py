"""The composition root: storage, the HTTP session and the core services, made once and closed
together. `precis run`, the tests and the benchmarks all start the bot from here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import aiohttp

from bot.monitoring import PrometheusMetrics, metrics_server
from bot.pipeline.fetch import create_session
from bot.services.clock import Clock
from bot.services.cpu import CpuPool, available_cores
from bot.services.desk import NewsDesk
from bot.services.dispatcher import Dispatcher
from bot.services.feed_reader import FeedReader
from bot.services.feeds import FeedService
from bot.services.guild_config import GuildConfig
from bot.services.heartbeat import Heartbeat, Lease
from bot.services.holds import ChannelHolds
from bot.services.pacer import Pacer
from bot.services.poller import Poller
from bot.services.quotes import QuoteSearch
from bot.services.retention import Retention
from bot.services.stats import Stats
from bot.services.subscriptions import SubscriptionService
from bot.settings import Settings
from bot.storage import Storage, open_storage

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Services:
    """What the bot (or a test, or a benchmark) works with; each made once, here."""

    storage: Storage
    session: aiohttp.ClientSession
    guild_config: GuildConfig
    desk: NewsDesk
    feeds: FeedService
    poller: Poller
    dispatcher: Dispatcher
    subscriptions: SubscriptionService
    quotes: QuoteSearch
    stats: Stats
    metrics: PrometheusMetrics
    heartbeat: Heartbeat
    retention: Retention


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    kind: str = "run",
    fetch_timeout: float = 15.0,
    clock: Callable[[], float] = time.time,
) -> AsyncIterator[Services]:
    """Open the database (pending migrations applied), the CPU pool (`PRECIS_CPU_WORKERS`
    processes, warmed up) and one HTTP session that carries the private-address rule, build
    the services over them, register this process (`kind`: `run` or `worker`) and keep its
    heartbeat, serve their metrics when the settings ask, and close it all on the way out
    (the process's feeds and channels given back first).

    Raises DatabaseUnavailable or SchemaTooNew when the database cannot be used, and
    MetricsServerError when the metrics port can't be listened on."""
    storage = await open_storage(settings.database)
    metrics = PrometheusMetrics(clock)
    cpu = CpuPool(available_cores() if settings.cpu_workers is None else settings.cpu_workers)
    try:
        await cpu.start()
        async with (
            create_session(allow_private=settings.allow_private_urls) as session,
            metrics_server(settings.metrics_host, settings.metrics_port, storage, metrics),
        ):
            guild_config = GuildConfig(storage.guild_settings)
            desk = NewsDesk(storage, session, fetch_timeout=fetch_timeout, cpu=cpu)
            # One clock, and one reader so that /feed add and the poller share its limits.
            services_clock = Clock(clock)
            reader = FeedReader(session, cpu=cpu, fast_feeds=settings.fast_feeds)
            # Who this process is to the others on the database, and what it holds.
            lease = Lease(seconds=settings.lease_seconds)
            holds = ChannelHolds(storage.channel_claims, services_clock, lease.owner, lease.seconds)
            pacer = Pacer(settings.posts_per_second)
            dispatcher = Dispatcher(
                storage,
                desk,
                guild_config,
                clock=services_clock,
                pacer=pacer,
                holds=holds,
                metrics=metrics,
            )
            poller = Poller(
                storage,
                desk,
                reader,
                poll_seconds=settings.poll_seconds,
                clock=services_clock,
                cards_owed=dispatcher.cards_owed,
                lease=lease,
                metrics=metrics,
            )
            feeds = FeedService(storage, guild_config, reader, poller, clock=services_clock)
            heartbeat = Heartbeat(storage, services_clock, lease, kind, pacer, holds)
            async with beating(heartbeat):
                yield Services(
                    storage,
                    session,
                    guild_config,
                    desk,
                    feeds,
                    poller,
                    dispatcher,
                    subscriptions=SubscriptionService(storage),
                    quotes=QuoteSearch(storage, desk),
                    stats=Stats(storage),
                    metrics=metrics,
                    heartbeat=heartbeat,
                    retention=Retention(
                        storage, desk.speakers, days=settings.retention_days, clock=services_clock
                    ),
                )
    finally:
        await cpu.close()
        await storage.close()


@contextlib.asynccontextmanager
async def beating(heartbeat: Heartbeat) -> AsyncIterator[None]:
    """The process registered and beating for as long as the block runs; stopped cleanly
    (its feeds and channels given back at once) when it ends."""
    await heartbeat.start()
    beats = asyncio.create_task(heartbeat.run())
    try:
        yield
    finally:
        beats.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beats
        try:
            await heartbeat.stop()
        except Exception:  # the database away: what it held ends with its lease anyway
            log.exception("could not remove this process from the database")
