"""The composition root: storage, the HTTP session and the core services, made once and closed
together. `precis run`, the tests and the benchmarks all start the bot from here."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import aiohttp

from bot.pipeline.fetch import create_session
from bot.services.desk import NewsDesk
from bot.services.guild_config import GuildConfig
from bot.services.newsroom import Newsroom
from bot.services.quotes import QuoteSearch
from bot.services.stats import Stats
from bot.services.subscriptions import SubscriptionService
from bot.settings import Settings
from bot.storage import SQLiteStorage, Storage


@dataclass(frozen=True, slots=True)
class Services:
    """What the bot (or a test, or a benchmark) works with; each made once, here."""

    storage: Storage
    session: aiohttp.ClientSession
    guild_config: GuildConfig
    desk: NewsDesk
    newsroom: Newsroom
    subscriptions: SubscriptionService
    quotes: QuoteSearch
    stats: Stats


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    fetch_timeout: float = 15.0,
    clock: Callable[[], float] = time.time,
) -> AsyncIterator[Services]:
    """Open the database (pending migrations applied) and one HTTP session that carries the
    private-address rule, build the services over them, and close both on the way out.

    Raises DatabaseUnavailable or SchemaTooNew when the database cannot be used."""
    storage = await SQLiteStorage.open(settings.database)
    try:
        async with create_session(allow_private=settings.allow_private_urls) as session:
            guild_config = GuildConfig(storage.guild_settings)
            desk = NewsDesk(storage, session, fetch_timeout=fetch_timeout)
            newsroom = Newsroom(
                storage,
                desk,
                guild_config,
                session,
                poll_seconds=settings.poll_seconds,
                clock=clock,
            )
            yield Services(
                storage,
                session,
                guild_config,
                desk,
                newsroom,
                subscriptions=SubscriptionService(storage),
                quotes=QuoteSearch(storage, desk),
                stats=Stats(storage),
            )
    finally:
        await storage.close()
