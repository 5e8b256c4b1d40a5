"""The news desk's addresses: an article is read once, whatever the spelling of its URL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.guild_config import GuildConfig
from bot.news.desk import NewsDesk
from bot.news.feeds import entry_key, parse_feed
from bot.news.fetch import create_session
from bot.news.newsroom import Card, Newsroom
from bot.storage import SQLiteStorage
from tests.fixtures.feeds import rss, story
from tests.fixtures.pages import PageServer, article_html


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[NewsDesk]:
    storage = await SQLiteStorage.open(tmp_path / "precis.db")
    try:
        async with create_session() as session:
            yield NewsDesk(storage, session, allow_private=True, fetch_timeout=5)
    finally:
        await storage.close()


def spellings(url: str) -> list[str]:
    """Fifty spellings of `url` that differ by case, fragments and click-tracking parameters."""
    host = url.split("/")[2]
    return [
        url,
        url.replace(host, host.upper()).replace("http:", "HTTP:"),
        f"{url}?",
        f"{url}#comments",
        f"{url}?fbclid=IwAR0abc",
        f"{url}?gclid=xyz&utm_campaign=spring#top",
        f"{url}?mc_cid=1&mc_eid=2",
        f"{url}?ref_src=twsrc%5Etfw",
        *(f"{url}?utm_source=rss&utm_content={n}#p{n}" for n in range(42)),
    ]


async def test_fifty_spellings_of_one_url_are_fetched_once(
    desk: NewsDesk, pages: PageServer
) -> None:
    url = pages.add("/news/bridge", article_html())
    urls = spellings(url)
    assert len(set(urls)) == 50
    first = await asyncio.gather(*(desk.read_url(u) for u in urls[:25]))
    rest = [await desk.read_url(u) for u in urls[25:]]
    assert {stored.id for stored in [*first, *rest]} == {first[0].id}
    assert pages.hits["/news/bridge"] == 1


async def test_other_query_parameters_make_another_address(
    desk: NewsDesk, pages: PageServer
) -> None:
    url = pages.add("/news", article_html())
    pages.add("/NEWS", article_html())
    await desk.read_url(f"{url}?id=1&page=2")
    await desk.read_url(f"{url}?page=2&id=1")  # their order may matter to the site
    await desk.read_url(url.replace("/news", "/NEWS"))
    assert pages.hits == {"/news": 2, "/NEWS": 1}


class Poster:
    async def post(self, channel_id: int, card: Card) -> int:
        return 1

    async def find_card(self, channel_id: int, url: str, after: int) -> int | None:
        return None

    async def notify_admins(self, guild_id: int, message: str) -> None:
        pass


async def test_a_feed_entry_whose_page_names_no_text_charset_is_recorded(
    desk: NewsDesk, pages: PageServer
) -> None:
    item = story("rot", "Bridge story", "bridge")
    pages.add("/a/rot", article_html(item.title, item.body), "text/html; charset=rot13")
    feed_url = pages.add("/feed.xml", rss("News", [item], pages.url("")), "application/rss+xml")
    clock = [1_800_000_000.0]
    room = Newsroom(
        desk.storage,
        desk,
        GuildConfig(desk.storage.guild_settings),
        desk.session,
        poll_seconds=600,
        allow_private=True,
        clock=lambda: clock[0],
    )
    pages.pages["/feed.xml"] = (rss("News", [], pages.url("")), "application/rss+xml")
    await room.add_feed(1, feed_url, user_id=5)
    pages.pages["/feed.xml"] = (rss("News", [item], pages.url("")), "application/rss+xml")

    for _ in range(2):
        clock[0] += 601
        report = await room.poll(Poster())
        assert report.failed == 0
    feed = await desk.storage.feeds.by_url(feed_url)
    assert feed is not None
    parsed = parse_feed(pages.pages["/feed.xml"][0].encode(), feed_url)
    assert await desk.storage.feeds.unseen(feed.id, [entry_key(parsed.entries[0])]) == set()
    assert pages.hits["/a/rot"] == 1
    assert pages.not_modified["/feed.xml"] == 1  # recorded, so the next poll is a 304
    stored = await desk.storage.articles.by_url(pages.url("/a/rot"))
    assert stored is not None and stored.article.title == "Bridge story"
