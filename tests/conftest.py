"""Shared fixtures: settings on a temporary database, the fake Discord, and a running precis."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.client import Precis
from bot.composition import open_services
from bot.settings import Settings
from bot.storage import Storage, open_storage
from tests.fake_discord import GUILD_ID, FakeDiscord, fake_discord, running_bot
from tests.fixtures.pages import PageServer, page_server
from tests.postgres import PostgresServer, start_postgres_server

LaunchBot = Callable[..., contextlib.AbstractAsyncContextManager[Precis]]


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 5) -> None:
    """Wait (5 s at most) until `check()` holds: for what the bot records a moment after a
    request that a test can await (a card is in the channel before the bot marks it sent)."""
    for _ in range(int(seconds * 100)):
        if await check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{check.__name__} never held")


def first_pass_done(service: object, method: str) -> asyncio.Event:
    """An event set when `service.method` (a coroutine method) first returns or raises; the
    method is wrapped on this instance only."""
    done = asyncio.Event()
    run = getattr(service, method)

    async def run_and_tell(*args: Any, **kwargs: Any) -> Any:
        try:
            return await run(*args, **kwargs)
        finally:
            done.set()

    setattr(service, method, run_and_tell)
    return done


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server and this session's template database (see tests/postgres.py)."""
    server = start_postgres_server()
    yield server
    server.drop_template()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """A new database of each backend in turn, as `PRECIS_DATABASE` names it: a SQLite file,
    or a PostgreSQL URL. A module of SQLite-only tests overrides this fixture."""
    if request.param == "sqlite":
        yield tmp_path / "precis.db"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    with server.fresh_database() as url:
        yield url


@pytest.fixture
async def storage(database: Path | str) -> AsyncIterator[Storage]:
    """A database of its own, opened (migrations applied) and closed after the test."""
    store = await open_storage(database)
    yield store
    await store.close()


@pytest.fixture
def settings(database: Path | str) -> Settings:
    return Settings(
        token="fake-token",
        database=database,
        prefix="!",
        sync_on_start=str(GUILD_ID),
        log_level="DEBUG",
        allow_private_urls=True,  # the test web servers live on loopback
        poll_seconds=600,
        message_content=True,
        posts_per_second=45,
        metrics_port=0,  # no metrics server
        metrics_host="127.0.0.1",
        cpu_workers=0,  # threads: no worker processes to start for each test
        fast_feeds=True,
        lease_seconds=30,
        retention_days=0,  # keep everything: a test that purges says when
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with fake_discord() as server:
        yield server


@pytest.fixture
def launch(fake: FakeDiscord, settings: Settings) -> LaunchBot:
    """`async with launch(**setting_overrides) as bot:` runs precis against the fake, with its
    own storage and HTTP session, and shuts all of it down afterwards, like `precis run`."""

    @contextlib.asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Precis]:
        configured = dataclasses.replace(settings, **overrides)
        async with open_services(configured) as services:
            # The poll and send loops each make a pass at once on start. A test acts on a bot
            # past both, however fast its database: not on one about to poll or to send.
            first_passes = (
                first_pass_done(services.poller, "poll"),
                first_pass_done(services.dispatcher, "deliver"),
            )
            bot = Precis(configured, services, guild_ready_timeout=0.05)
            async with running_bot(bot):
                for done in first_passes:
                    await asyncio.wait_for(done.wait(), 5)
                yield bot

    return start


@pytest.fixture
async def pages() -> AsyncIterator[PageServer]:
    async with page_server() as server:
        yield server
