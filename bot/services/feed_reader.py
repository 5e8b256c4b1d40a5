"""Reading feeds over HTTP within limits: the one reader that `/feed add`, `/feed test` and the
poller share, so that their fetches count against the same limits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
from yarl import URL

from bot.errors import UserError
from bot.model import Feed
from bot.pipeline.feeds import ParsedFeed, discover_feed_urls, looks_like_feed, parse_feed
from bot.pipeline.fetch import FEED_TYPES, PAGE_TYPES, FetchResult, fetch
from bot.services.cpu import CpuPool

FEED_OR_PAGE = FEED_TYPES | PAGE_TYPES
ENTRIES_PER_POLL = 50  # enormous feeds are cut to their newest entries


class NotAFeed(UserError):
    """The address is neither a feed nor a page that names one."""

    def __init__(self, url: str) -> None:
        super().__init__("That address is not a feed, and the page names no feed.")
        self.url = url


@dataclass(slots=True)
class _Limits:
    """Concurrency limits for fetching: overall and per host."""

    overall: asyncio.Semaphore
    per_host: int
    hosts: dict[str, asyncio.Semaphore] = field(default_factory=dict)

    @contextlib.asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        host = URL(url).host or ""
        per_host = self.hosts.setdefault(host, asyncio.Semaphore(self.per_host))
        async with per_host, self.overall:
            yield


def conditional_headers(feed: Feed) -> dict[str, str]:
    """The headers that let an unchanged feed answer 304, from its last successful poll."""
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


class FeedReader:
    """Fetches feeds and pages, at most `concurrency` at once and `per_host` per host, and
    parses them in the CPU pool (a big one takes seconds); `fast_feeds` False reads every
    feed with feedparser. One per bot."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        concurrency: int = 16,
        per_host: int = 2,
        cpu: CpuPool | None = None,
        fast_feeds: bool = True,
    ) -> None:
        self.session = session
        self.limits = _Limits(asyncio.Semaphore(concurrency), per_host)
        self.cpu = cpu or CpuPool()
        self.fast_feeds = fast_feeds

    async def fetch(self, url: str, headers: dict[str, str] | None = None) -> FetchResult:
        """A feed or a page, within the limits. Raises FetchError."""
        async with self.limits.slot(url):
            return await fetch(self.session, url, accept=FEED_OR_PAGE, headers=headers)

    async def parse(self, page: FetchResult) -> ParsedFeed:
        """The feed's newest ENTRIES_PER_POLL entries, parsed in the CPU pool. Raises
        FeedError."""
        return await self.cpu.run(
            parse_feed, page.raw, page.url, max_entries=ENTRIES_PER_POLL, fast=self.fast_feeds
        )

    async def read(self, url: str) -> tuple[str, ParsedFeed]:
        """The feed at `url`, or the one a web page names in `<link rel="alternate">`, and
        the feed's own URL. Raises NotAFeed, FetchError or FeedError."""
        page = await self.fetch(url)
        if not looks_like_feed(page.raw):
            found = []
            if "html" in page.content_type:
                found = await asyncio.to_thread(discover_feed_urls, page.text, page.url)
            if not found:
                raise NotAFeed(url)
            page = await self.fetch(found[0])
        return page.url, await self.parse(page)
