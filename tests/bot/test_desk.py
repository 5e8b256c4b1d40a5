"""The news desk's addresses: an article is stored under its own address, and read once.

Two loopback addresses play two sites: 127.0.0.1 the attacker's or a mirror, 127.0.0.2 the
victim's or the original publisher's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.model import Article
from bot.pipeline.feeds import entry_key, parse_feed
from bot.pipeline.fetch import InvalidURL, create_session
from bot.services.clock import Clock
from bot.services.desk import NewsDesk, same_story
from bot.services.feed_reader import FeedReader
from bot.services.feeds import FeedService
from bot.services.guild_config import GuildConfig
from bot.services.heartbeat import Lease
from bot.services.poller import Poller
from bot.services.poster import AdminNotice, Card
from bot.storage import Storage
from tests.fixtures.feeds import rss, story
from tests.fixtures.pages import ARTICLE_PARAGRAPHS, TITLE, PageServer, article_html, page_server

INVENTED = (
    "Mayor Alice Novak said the bridge would be blown up at dawn. “Nobody can stop us now, "
    "and the harbour will burn,” she said."
)
FAKE_PARAGRAPHS = [INVENTED, *ARTICLE_PARAGRAPHS[2:]]
FAKE_TITLE = "Riverton mayor vows to blow up harbour bridge"


def with_canonical(html: str, url: str) -> str:
    return html.replace("<head>", f'<head><link rel="canonical" href="{url}">', 1)


@pytest.fixture
async def victim() -> AsyncIterator[PageServer]:
    async with page_server("127.0.0.2") as server:
        yield server


@pytest.fixture
async def desk(storage: Storage) -> AsyncIterator[NewsDesk]:
    async with create_session(allow_private=True) as session:
        yield NewsDesk(storage, session, fetch_timeout=5)


def fake_page(victim_url: str) -> str:
    return with_canonical(article_html(FAKE_TITLE, FAKE_PARAGRAPHS), victim_url)


async def test_a_page_claiming_another_site_s_address_is_stored_under_its_own(
    desk: NewsDesk, pages: PageServer, victim: PageServer
) -> None:
    victim_url = victim.add("/news/bridge", article_html())
    fake_url = pages.add("/fake", fake_page(victim_url))

    fake = await desk.read_url(fake_url, guild_id=1)
    assert fake.article.url == fake_url
    assert fake.article.title == FAKE_TITLE

    real = await desk.read_url(victim_url, guild_id=2)
    assert real.id != fake.id
    assert real.article.url == victim_url
    assert real.article.title == TITLE
    assert INVENTED not in real.article.text
    quotes = await desk.storage.quotes.for_article(real.id)
    assert quotes and all("blown up" not in hit.quote.text for hit in quotes)


async def test_a_stored_article_is_never_replaced_by_another_site_s_page(
    desk: NewsDesk, pages: PageServer, victim: PageServer
) -> None:
    victim_url = victim.add("/news/bridge", article_html())
    real = await desk.read_url(victim_url, guild_id=1)
    real_quotes = await desk.storage.quotes.for_article(real.id)

    fake = await desk.read_url(pages.add("/fake", fake_page(victim_url)), guild_id=2)

    assert fake.id != real.id
    again = await desk.read_url(victim_url, guild_id=3)
    assert again == real
    assert await desk.storage.articles.get(real.id) == real
    assert await desk.storage.quotes.for_article(real.id) == real_quotes
    assert victim.hits["/news/bridge"] == 2  # read, then once more to check the fake's claim


async def test_a_copy_whose_canonical_page_confirms_it_is_read_from_the_original(
    desk: NewsDesk, pages: PageServer, victim: PageServer
) -> None:
    original_url = victim.add("/news/bridge", article_html())
    # A syndicated or AMP copy: the same story on another site, cut short, naming the original.
    copy = with_canonical(article_html(paragraphs=ARTICLE_PARAGRAPHS[:3]), original_url)
    copy_url = pages.add("/amp/bridge", copy)

    from_copy = await desk.read_url(copy_url, guild_id=1)
    assert from_copy.article.url == original_url
    assert from_copy.article.paragraphs[-1] == ARTICLE_PARAGRAPHS[-1]  # the original's text

    assert await desk.read_url(original_url, guild_id=2) == from_copy
    assert await desk.read_url(copy_url, guild_id=2) == from_copy
    assert victim.hits["/news/bridge"] == 1 and pages.hits["/amp/bridge"] == 1


@pytest.mark.parametrize(
    ("copy", "original", "same"),
    [
        ("Harbour bridge to close | Yahoo News", "Harbour bridge to close - Courier", True),
        ("Harbour Bridge To Close", "Harbour bridge to close", True),
        ("Harbour bridge to close | Courier", "Budget passes | Courier", False),
        ("Harbour bridge to close", "", False),
    ],
)
def test_a_copy_carries_the_same_story_when_it_has_the_same_headline(
    copy: str, original: str, same: bool
) -> None:
    def titled(title: str) -> Article:
        return Article(title=title, paragraphs=("Text.",))

    assert same_story(titled(copy), titled(original)) is same


async def test_a_same_site_canonical_is_the_article_s_address(
    desk: NewsDesk, pages: PageServer
) -> None:
    canonical = pages.url("/news/bridge")
    page_url = pages.add("/news/bridge/print", with_canonical(article_html(), canonical))
    stored = await desk.read_url(page_url)
    assert stored.article.url == canonical
    assert await desk.read_url(canonical) == stored
    assert pages.hits == {"/news/bridge/print": 1}


async def redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound(request.query["to"])


@pytest.fixture
async def redirector() -> AsyncIterator[TestServer]:
    """A third site (127.0.0.3) whose /go?to=URL redirects anywhere: an open redirect."""
    app = web.Application()
    app.router.add_get("/go", redirect)
    async with TestServer(app, host="127.0.0.3") as server:
        yield server


async def test_a_redirect_s_final_page_is_the_address_that_counts(
    desk: NewsDesk, pages: PageServer, victim: PageServer, redirector: TestServer
) -> None:
    victim_url = victim.add("/news/bridge", article_html())
    fake_url = pages.add("/fake", fake_page(victim_url))
    # The victim's own link shortener, or open redirect, sends readers to the attacker's page.
    short_url = str(redirector.make_url("/go").with_query(to=fake_url))

    through = await desk.read_url(short_url)
    assert through.article.url == fake_url
    assert await desk.read_url(short_url) == through  # the link that reached it finds it
    real = await desk.read_url(victim_url)
    assert real.article.title == TITLE and real.id != through.id


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

    async def find_cards(
        self, channel_id: int, urls: Collection[str], after: int
    ) -> dict[str, int]:
        return {}

    async def notify_admins(self, guild_id: int, notice: AdminNotice) -> None:
        pass


async def test_a_feed_entry_whose_page_names_no_text_charset_is_recorded(
    desk: NewsDesk, pages: PageServer
) -> None:
    item = story("rot", "Bridge story", "bridge")
    pages.add("/a/rot", article_html(item.title, item.body), "text/html; charset=rot13")
    feed_url = pages.add("/feed.xml", rss("News", [item], pages.url("")), "application/rss+xml")
    clock = [1_800_000_000.0]
    reader, ticks = FeedReader(desk.session), Clock(lambda: clock[0])
    poller = Poller(
        desk.storage,
        desk,
        reader,
        poll_seconds=600,
        clock=ticks,
        cards_owed=asyncio.Event(),
        lease=Lease(),
    )
    feeds = FeedService(
        desk.storage, GuildConfig(desk.storage.guild_settings), reader, poller, clock=ticks
    )
    pages.pages["/feed.xml"] = (rss("News", [], pages.url("")), "application/rss+xml")
    await feeds.follow(1, feed_url, user_id=5)
    pages.pages["/feed.xml"] = (rss("News", [item], pages.url("")), "application/rss+xml")

    for _ in range(2):
        clock[0] += 601
        report = await poller.poll(Poster())
        assert report.failed == 0
    feed = await desk.storage.feeds.by_url(feed_url)
    assert feed is not None
    parsed = parse_feed(pages.pages["/feed.xml"][0].encode(), feed_url)
    assert await desk.storage.feeds.unseen(feed.id, [entry_key(parsed.entries[0])]) == set()
    assert pages.hits["/a/rot"] == 1
    assert pages.not_modified["/feed.xml"] == 1  # recorded, so the next poll is a 304
    stored = await desk.storage.articles.by_url(pages.url("/a/rot"))
    assert stored is not None and stored.article.title == "Bridge story"


def test_a_link_is_checked_before_anything_slow() -> None:
    NewsDesk.check_url("https://news.test/bridge")
    for bad in ("ftp://news.test/file", "news.test/bridge", "https://"):
        with pytest.raises(InvalidURL):
            NewsDesk.check_url(bad)


async def test_a_source_is_read_and_summarised_with_its_key_quote(
    desk: NewsDesk, pages: PageServer
) -> None:
    url = pages.add("/story", article_html())
    from_link = await desk.summarize_source(url=url, method="lead", count=2, guild_id=1)
    from_text = await desk.summarize_source(text=INVENTED, method="lead", count=1)
    assert from_link.stored.article.title == TITLE
    assert from_link.summary == await desk.summarize(from_link.stored, "lead", 2)
    assert len(from_link.summary.sentences) == 2
    assert from_link.key_quote == await desk.key_quote(from_link.stored, from_link.summary)
    assert from_text.stored.article.url is None
    assert from_text.key_quote is not None and "Nobody can stop us" in from_text.key_quote.text
