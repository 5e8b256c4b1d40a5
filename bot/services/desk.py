"""The news desk: reads articles (fetch, extract, store) and summarises them (cached).

Plain async Python over the storage and an HTTP session: the cogs, the feed poller and the CLI
all go through here. CPU work (extraction, quotes, summaries) runs in the CPU pool's worker
processes (or threads) so the event loop keeps answering Discord. Work on long texts takes
turns (see `LONG_TEXT`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Collection
from typing import Any, TypeVar

import aiohttp

from bot.errors import UserError
from bot.model import Article, Quote, StoredArticle, Summary
from bot.pipeline.addresses import normal_url, same_site
from bot.pipeline.clean import TITLE_SEPARATORS, same_text
from bot.pipeline.extract import ExtractionError, declared_canonical, extract_html, extract_text
from bot.pipeline.fetch import FetchError, FetchResult, fetch, parse_url
from bot.pipeline.quotes import filed_quotes, key_quote, quotes_of
from bot.pipeline.speakers import join_surnames, lone_surnames
from bot.pipeline.summarize import summarize, with_cut
from bot.services.cpu import CpuPool
from bot.services.speaker_lists import SpeakerLists
from bot.storage import Storage

Progress = Callable[[str], Awaitable[None]]
T = TypeVar("T")

# Work (extraction, quotes, summaries) on texts longer than this (characters) runs one at a
# time, waiting for its turn outside the workers: a few such at once would otherwise take
# every worker, and an ordinary page would wait behind them.
LONG_TEXT = 100_000
LONG_WAITING = 8  # long pieces of work that may wait for their turn; one more is refused


@dataclasses.dataclass(frozen=True, slots=True)
class Summarized:
    """An article read for a summary, the summary, and its key quote if it has one."""

    stored: StoredArticle
    summary: Summary
    key_quote: Quote | None


class Busy(UserError):
    """Too many long texts are waiting for their turn: ask again later."""


class Workers:
    """CPU work (extraction, quotes, summaries) in the CPU pool. Work on a text over
    LONG_TEXT characters takes turns, one at a time, waiting outside the pool; when
    LONG_WAITING already wait, one more is refused with Busy."""

    def __init__(self, cpu: CpuPool | None = None) -> None:
        self.cpu = cpu or CpuPool()
        self._long_turn = asyncio.Semaphore(1)
        self._long_waiting = 0

    async def run(self, size: int, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` in the pool (a top-level function: it may go to another process);
        `size` is the length of the text it works on."""
        if size <= LONG_TEXT:
            return await self.cpu.run(work, *args)
        if self._long_waiting >= LONG_WAITING:
            raise Busy("I'm busy with other long texts. Try again in a minute.")
        self._long_waiting += 1
        try:
            await self._long_turn.acquire()
        finally:
            self._long_waiting -= 1
        try:
            return await self.cpu.run(work, *args)
        finally:
            self._long_turn.release()


async def _quiet(_: str) -> None:
    """Progress for callers that show none."""


async def article_from_page(page: FetchResult, workers: Workers) -> Article:
    """The article in a fetched page, under the page's own address: the final URL fetched, or
    the canonical URL it names on the same site (see `canonical_url`)."""
    if page.content_type == "text/plain":
        article = await workers.run(len(page.text), extract_text, page.text)
    else:
        article = await workers.run(len(page.text), extract_html, page.text, page.url)
    return dataclasses.replace(article, url=normal_url(article.url or page.url))


async def fetch_article(
    session: aiohttp.ClientSession,
    url: str,
    *,
    timeout: float = 15.0,  # noqa: ASYNC109 - handed to fetch, which bounds every redirect hop
    workers: Workers | None = None,
) -> Article:
    """The article at `url`, under its own address.

    A page that names a canonical URL on another site (a syndicated or AMP copy, or a page
    passing itself off as another site's) is taken at its word only when that URL, fetched,
    carries the same story: the article is then the one read there, text and address. Else it
    is the page's own. One fetch more at most.
    """
    workers = workers or Workers()
    page = await fetch(session, url, timeout=timeout)
    article = await article_from_page(page, workers)
    claimed = other_site_canonical(page)
    if claimed is None:
        return article
    try:
        original = await article_from_page(await fetch(session, claimed, timeout=timeout), workers)
    except (FetchError, ExtractionError):
        return article
    return original if same_story(article, original) else article


def other_site_canonical(page: FetchResult) -> str | None:
    """The canonical URL a page names on a site other than its own, if it names one."""
    if page.content_type == "text/plain":
        return None
    claimed = declared_canonical(page.text, page.url)
    return None if claimed is None or same_site(claimed, page.url) else claimed


def same_story(copy: Article, original: Article) -> bool:
    """Whether two pages carry one story: the same headline, whatever site name the titles add."""
    headline = main_part(original.title)
    return bool(headline) and same_text(main_part(copy.title), headline)


def main_part(title: str) -> str:
    """A title without its section or site name: its longest part (`Harbour vote | Courier`)."""
    return max(TITLE_SEPARATORS.split(title), key=len)


def reading_servers(guild_id: int | None, readers: Collection[int]) -> set[int]:
    """The servers an article is read for: the one asking, if any, and the readers."""
    return {*readers, *([guild_id] if guild_id is not None else [])}


class NewsDesk:
    """Reads and summarises articles for every caller, each URL and each summary worked out
    once: concurrent askers share the work in progress, later ones get the stored result.

    Errors a user caused (a bad or unreachable URL, a page with no article, `Busy`) are
    `UserError`s with a message to show; the rest are bugs or database failures.
    """

    def __init__(
        self,
        storage: Storage,
        session: aiohttp.ClientSession,
        *,
        fetch_timeout: float = 15.0,
        cpu: CpuPool | None = None,
    ) -> None:
        self.storage = storage
        self.session = session
        self.fetch_timeout = fetch_timeout
        # Reads in progress by URL: a second reader of the same link waits for the first.
        self._reading: dict[str, asyncio.Task[StoredArticle]] = {}
        # Summaries in progress by (article, method, count), for the same reason.
        self._summarizing: dict[tuple[int, str, int], asyncio.Task[Summary]] = {}
        self.workers = Workers(cpu)
        # Who is quoted in each server: the desk stores the quotes, so it says when they change.
        self.speakers = SpeakerLists(storage.quotes)

    @staticmethod
    def check_url(url: str) -> None:
        """Raise `InvalidURL` unless `url` is an http(s) link with a host: a caller may check
        it before starting anything slow."""
        parse_url(url)

    async def read_url(
        self,
        url: str,
        *,
        guild_id: int | None = None,
        readers: Collection[int] = (),
        progress: Progress = _quiet,
    ) -> StoredArticle:
        """The article at `url`: from storage when any URL that reached it was read before,
        else fetched, extracted and stored. The asking server is noted as having seen it.

        `guild_id` is the server asking; `readers` are further servers it is read for (a
        feed's followers), whose known speakers name the people it quotes by surname alone.
        Raises `FetchError` (`InvalidURL` before any lookup) or `ExtractionError`; a caller
        that stops waiting does not stop the read for the others.
        """
        address = parse_url(url)  # a bad URL fails here, before any lookup or fetch
        key = normal_url(str(address))  # spellings that differ by a fragment or tracking: one
        known = await self.storage.articles.by_url(key)
        if known is not None:
            await self._sighted(known, guild_id)
            return known
        reading = self._reading.get(key)
        if reading is None:
            await progress(f"Fetching {address.host}…")
            servers = reading_servers(guild_id, readers)
            reading = asyncio.ensure_future(self._fetch_and_store(key, servers))
            self._reading[key] = reading
            reading.add_done_callback(lambda _: self._reading.pop(key, None))
        stored = await asyncio.shield(reading)
        await self._sighted(stored, guild_id)
        return stored

    async def _sighted(self, stored: StoredArticle, guild_id: int | None) -> None:
        """Note that the server asking saw the article: its quotes are that server's now."""
        if guild_id is not None:
            await self.storage.articles.sighted(stored.id, guild_id)
            self.speakers.forget([guild_id])

    async def _fetch_and_store(self, url: str, readers: Collection[int]) -> StoredArticle:
        article = await fetch_article(
            self.session,
            url,
            timeout=self.fetch_timeout,
            workers=self.workers,
        )
        return await self.store(article, requested_url=url, readers=readers)

    async def read_text(
        self, text: str, *, title: str | None = None, guild_id: int | None = None
    ) -> StoredArticle:
        """A pasted text stored as an article with no URL (see `extract_text` for its title).
        Raises `NoArticleText` when it holds no text, `Busy` when too many long texts wait."""
        article = await self.workers.run(len(text), extract_text, text, title)
        return await self.store(article, guild_id=guild_id)

    async def store(
        self,
        article: Article,
        *,
        requested_url: str | None = None,
        guild_id: int | None = None,
        readers: Collection[int] = (),
    ) -> StoredArticle:
        """Store an article with its quotes, found once here for every later lookup.

        A speaker named by surname alone joins the one person of that surname whom the
        servers reading it (`guild_id` and `readers`) have quoted before. Its URLs are stored
        as `normal_url` spells them, which `read_url` looks up.
        """
        if article.url:
            article = dataclasses.replace(article, url=normal_url(article.url))
        requested_url = requested_url and normal_url(requested_url)
        quotes = await self.workers.run(len(article.text), quotes_of, article)
        servers = reading_servers(guild_id, readers)
        surnames = lone_surnames(quotes)
        if servers and surnames:
            known = await self.storage.quotes.full_names(servers, surnames)
            quotes = join_surnames(quotes, known)
        stored = await self.storage.articles.save(
            article,
            quotes=filed_quotes(quotes),
            requested_url=requested_url,
            guild_id=guild_id,
        )
        if guild_id is not None:
            self.speakers.forget([guild_id])
        return stored

    async def summarize(
        self, stored: StoredArticle, method: str, count: int, *, progress: Progress = _quiet
    ) -> Summary:
        """`count` sentences of the article by `method`, computed once and then cached.

        Asked again while it is being computed, the same computation is awaited; it goes on
        to the cache even when every asker stops waiting. Raises ValueError for an unknown
        method or a count under one (callers check both first), `Busy` as `Workers.run`.
        """
        cached = await self.storage.articles.cached_summary(stored.id, method, count)
        if cached is not None:
            return with_cut(cached, stored.article)
        await progress("Summarizing…")
        key = (stored.id, method, count)
        computing = self._summarizing.get(key)
        if computing is None:
            computing = asyncio.ensure_future(self._cached_or_summarized(stored, method, count))
            self._summarizing[key] = computing
            computing.add_done_callback(lambda _: self._summarizing.pop(key, None))
        return await asyncio.shield(computing)

    async def _cached_or_summarized(
        self, stored: StoredArticle, method: str, count: int
    ) -> Summary:
        """The one computation of a key at a time. It reads the cache again: an ask whose
        read missed a summary being saved may come after that summary's computation ended."""
        cached = await self.storage.articles.cached_summary(stored.id, method, count)
        if cached is not None:
            return with_cut(cached, stored.article)
        article = stored.article
        summary = await self.workers.run(len(article.text), summarize, article, method, count)
        await self.storage.articles.save_summary(stored.id, count, summary)
        return summary

    async def summarize_source(
        self,
        *,
        url: str | None = None,
        text: str | None = None,
        method: str,
        count: int,
        guild_id: int | None = None,
        progress: Progress = _quiet,
    ) -> Summarized:
        """The article at `url`, or the pasted `text` (exactly one of them), summarised as
        `summarize` does, with its key quote. Raises what `read_url` or `read_text` raise,
        then as `summarize`."""
        if url is not None:
            stored = await self.read_url(url, guild_id=guild_id, progress=progress)
        else:
            assert text is not None, "a URL or a text to summarise"
            stored = await self.read_text(text, guild_id=guild_id)
        summary = await self.summarize(stored, method, count, progress=progress)
        return Summarized(stored, summary, await self.key_quote(stored, summary))

    async def key_quote(self, stored: StoredArticle, summary: Summary) -> Quote | None:
        """The article's quote most central to its summary, if it has any."""
        hits = await self.storage.quotes.for_article(stored.id)
        return key_quote([hit.quote for hit in hits], summary.sentences)
