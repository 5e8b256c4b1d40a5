"""`precis worker`: polling and delivery with no gateway connection, end to end through the
fake Discord, on the database a gateway process set up."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator

from bot.cli.main import run_bot
from bot.client import Precis
from bot.composition import open_services
from bot.settings import Settings
from tests.cogs.test_feeds_e2e import articles_cog, follow_city_news, messages_posted_in
from tests.conftest import LaunchBot, eventually
from tests.fake_discord import NEWS_CHANNEL_ID, FakeDiscord
from tests.fixtures.feeds import publish, story
from tests.fixtures.pages import PageServer


@contextlib.asynccontextmanager
async def worker(settings: Settings) -> AsyncIterator[Precis]:
    """A worker process's client: logged in over REST, its loops running, no gateway."""
    async with (
        open_services(settings) as services,
        Precis(settings, services, gateway=False) as bot,
    ):
        working = asyncio.create_task(bot.work(settings.token))

        async def cogs_loaded() -> bool:  # so logged in
            return bot.get_cog("Articles") is not None

        try:
            await eventually(cogs_loaded)
            yield bot
        finally:
            await bot.close()
            await working


def identifies(fake: FakeDiscord) -> int:
    return sum(1 for payload in fake.gateway.payloads if payload["op"] == 2)


async def test_a_worker_polls_and_posts_without_the_gateway(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer, settings: Settings
) -> None:
    async with launch():  # a gateway process: the admins follow a feed and subscribe
        await follow_city_news(fake, pages)
    connected = identifies(fake)
    news = [story(f"s{i}", f"Story {i}", "news") for i in range(3)]
    publish(pages, "/feed.xml", "City News", news)
    requests_before = len(fake.requests)

    async with worker(settings) as bot:
        await articles_cog(bot).poll_feeds()

        async def all_sent() -> bool:
            return len(await bot.storage.deliveries.in_state("sent")) == len(news)

        await eventually(all_sent)
        assert not bot.guilds  # it knows no server: it never connected to the gateway

    assert identifies(fake) == connected
    titles = [card.json["embeds"][0]["title"] for card in fake.cards_in(NEWS_CHANNEL_ID)]
    assert sorted(titles) == ["Story 0", "Story 1", "Story 2"]
    asked = [r for r in fake.requests[requests_before:] if r.path.startswith("/channels/")]
    assert asked == messages_posted_in(fake, NEWS_CHANNEL_ID)  # no channel lookups on top


async def test_precis_worker_stops_cleanly_on_sigterm(
    fake: FakeDiscord, settings: Settings
) -> None:
    running = asyncio.create_task(run_bot(settings, gateway=False))
    await fake.wait_for(lambda r: r.method == "GET" and r.path == "/users/@me")
    await asyncio.sleep(0.1)  # its loops started
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(running, 10) == 0
    assert identifies(fake) == 0
    assert not [r for r in fake.requests if r.method == "PUT"]  # commands are not synced
