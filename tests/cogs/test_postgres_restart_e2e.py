"""PostgreSQL restarts in the middle of a cycle (issue 13): the bot's connections drop and new
ones are refused for a while, then the server is back. The bot reconnects and carries on:
every card owed goes out once, and the next poll works. The restart is played by a proxy
between the bot and the server, so the server itself (shared by the other tests) runs on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.storage import DatabaseUnavailable, open_storage
from tests.cogs.test_feeds_e2e import follow_city_news
from tests.conftest import LaunchBot, eventually
from tests.fake_discord import NEWS_CHANNEL_ID, FakeDiscord
from tests.fixtures.feeds import publish, story
from tests.fixtures.pages import PageServer
from tests.fixtures.tcp_proxy import TcpProxy, tcp_proxy
from tests.postgres import PostgresServer

DOWN_SECONDS = 1.5  # how long the server is away


@pytest.fixture
async def proxy(postgres_server: PostgresServer) -> AsyncIterator[TcpProxy]:
    server = urlsplit(postgres_server.admin_url)
    async with tcp_proxy(server.hostname or "127.0.0.1", server.port or 5432) as proxy:
        yield proxy


@pytest.fixture
def database(postgres_server: PostgresServer, proxy: TcpProxy) -> Iterator[str]:
    """A fresh PostgreSQL database, reached through the proxy."""
    with postgres_server.fresh_database() as url:
        parts = urlsplit(url)
        yield urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))


def card_titles(fake: FakeDiscord) -> list[str]:
    return [card.json["embeds"][0]["title"] for card in fake.cards_in(NEWS_CHANNEL_ID)]


async def within(seconds: float, check: Callable[[], bool]) -> None:
    async def holds() -> bool:
        return check()

    await eventually(holds, seconds)


async def restart(proxy: TcpProxy) -> None:
    await proxy.cut()
    await asyncio.sleep(DOWN_SECONDS)
    await proxy.restore()


async def test_storage_says_unavailable_while_the_server_is_away_and_reconnects_after(
    database: str, proxy: TcpProxy
) -> None:
    storage = await open_storage(database)
    try:
        await storage.guild_settings.set(1, "summary_sentences", "3")
        await proxy.cut()
        with pytest.raises(DatabaseUnavailable):
            await storage.guild_settings.get_all(1)
        await proxy.restore()
        assert await storage.guild_settings.get_all(1) == {"summary_sentences": "3"}
    finally:
        await storage.close()


async def test_cards_go_out_once_when_postgresql_restarts_while_they_are_sent(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer, proxy: TcpProxy
) -> None:
    news = [story(f"s{i}", f"Story {i}", "news") for i in range(8)]
    async with launch(poll_seconds=1):  # the bot polls on its own, every second
        await follow_city_news(fake, pages)
        publish(pages, "/feed.xml", "City News", news)
        await within(15, lambda: len(card_titles(fake)) >= 2)  # the sender is under way
        await restart(proxy)
        await within(60, lambda: len(card_titles(fake)) >= len(news))

        news.append(story("s8", "Story 8", "news"))  # polls after the restart work
        publish(pages, "/feed.xml", "City News", news)
        await within(30, lambda: len(card_titles(fake)) >= len(news))
        await asyncio.sleep(1.5)  # anything posted twice would be posted by now

    assert sorted(card_titles(fake)) == sorted(item.title for item in news)


async def test_a_poll_cut_by_a_postgresql_restart_is_finished_after_it(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer, proxy: TcpProxy
) -> None:
    news = [story(f"s{i}", f"Story {i}", "news") for i in range(6)]
    async with launch(poll_seconds=1):
        await follow_city_news(fake, pages)
        pages.delay = 0.3  # each article takes a while: the restart falls inside the poll
        publish(pages, "/feed.xml", "City News", news)
        await within(15, lambda: sum(pages.hits[f"/a/{item.slug}"] for item in news) >= 2)
        await restart(proxy)
        pages.delay = 0.0
        await within(60, lambda: len(card_titles(fake)) >= len(news))
        await asyncio.sleep(1.5)

    assert sorted(card_titles(fake)) == sorted(item.title for item in news)
