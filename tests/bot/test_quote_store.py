"""Quotes in storage: saved with their article, searched per server, ranked, by speaker."""

from __future__ import annotations

import asyncio
import dataclasses

import aiohttp
import pytest

from bot.model import Article, SpeakerCount, Summary
from bot.pipeline.quotes import filed_quotes, quotes_of
from bot.pipeline.speakers import match_speakers
from bot.services.desk import NewsDesk
from bot.storage import Storage

HARBOUR = Article(
    title="Harbour bridge to close",
    url="https://news.test/bridge",
    published="2026-11-20",
    paragraphs=(
        "Mayor Alice Novak announced the closure on Tuesday.",
        "“The bridge is no longer safe for cars, and the bridge must close,” Novak said.",
        "“Nobody asked the harbour traders about this,” said Tom Baker, who owns a shop.",
        "“We will look at a shuttle bus for the harbour,” said Alice Novak, the mayor of Riverton.",
    ),
)
BUDGET = Article(
    title="Budget passes",
    url="https://news.test/budget",
    published="2026-11-25",
    paragraphs=(
        "Finance chief Maria Lopez presented the budget.",
        "“This budget keeps the bridge fund intact for another year,” Lopez said.",
    ),
)


async def save(storage: Storage, article: Article, guild_id: int) -> int:
    stored = await storage.articles.save(
        article, quotes=filed_quotes(quotes_of(article)), guild_id=guild_id
    )
    return stored.id


async def test_quotes_are_stored_with_resolved_speakers(storage: Storage) -> None:
    article_id = await save(storage, HARBOUR, guild_id=1)
    hits = await storage.quotes.for_article(article_id)
    assert [hit.quote.speaker_resolved for hit in hits] == [
        "Alice Novak",
        "Tom Baker",
        "Alice Novak",
    ]
    text = HARBOUR.text
    assert all(text[h.quote.start : h.quote.end] == h.quote.text for h in hits)
    speakers = await storage.quotes.speakers(1)
    assert speakers == [
        SpeakerCount("alice novak", "Alice Novak", 2),
        SpeakerCount("tom baker", "Tom Baker", 1),
    ]
    counts = await storage.counts()
    assert counts["quotes"] == 3 and counts["speakers"] == 2


async def test_search_is_per_server_and_ranked(storage: Storage) -> None:
    await save(storage, HARBOUR, guild_id=1)
    await save(storage, BUDGET, guild_id=2)
    hits = await storage.quotes.search(1, "bridge")
    assert [h.quote.speaker_resolved for h in hits] == ["Alice Novak"]  # budget is server 2's
    assert await storage.quotes.search(2, "bridge") != []
    harbour = await storage.quotes.search(1, "harbour")
    assert len(harbour) == 2
    assert "traders" in harbour[0].quote.text or "shuttle" in harbour[0].quote.text
    by_name = await storage.quotes.search(1, "baker")
    assert [h.quote.speaker_resolved for h in by_name] == ["Tom Baker"]
    prefix = await storage.quotes.search(1, "shutt")
    assert len(prefix) == 1


async def test_a_word_in_the_speakers_name_outranks_it_in_a_newer_quotes_text(
    storage: Storage,
) -> None:
    """The speaker's name weighs twice the quote's text, as the search index declares."""
    market = Article(
        title="Market day",
        url="https://news.test/market",
        published="2026-11-26",
        paragraphs=("“Ask Baker about the harbour stalls,” said Maria Lopez.",),
    )
    await save(storage, HARBOUR, guild_id=1)
    await save(storage, market, guild_id=1)
    hits = await storage.quotes.search(1, "baker")
    assert [h.quote.speaker_resolved for h in hits] == ["Tom Baker", "Maria Lopez"]


async def test_search_with_a_speaker_filter(storage: Storage) -> None:
    await save(storage, HARBOUR, guild_id=1)
    hits = await storage.quotes.search(1, "harbour", speaker="tom baker")
    assert [h.quote.speaker_resolved for h in hits] == ["Tom Baker"]


@pytest.mark.parametrize("query", ['"*(', "NEAR", "NEAR(", "a OR", "bridge AND -", "'", "^", "*"])
async def test_fts_syntax_is_only_text(storage: Storage, query: str) -> None:
    await save(storage, HARBOUR, guild_id=1)
    assert isinstance(await storage.quotes.search(1, query), list)


async def test_by_speaker_is_newest_first(storage: Storage) -> None:
    later = Article(
        title="Bridge reopens",
        url="https://news.test/reopen",
        published="2026-12-01",
        paragraphs=(
            "Mayor Alice Novak cut the ribbon.",
            "“It took longer than we hoped, but the bridge is open,” Novak said.",
        ),
    )
    await save(storage, HARBOUR, guild_id=1)
    await save(storage, later, guild_id=1)
    hits = await storage.quotes.by_speaker(1, "alice novak")
    assert [h.published for h in hits] == ["2026-12-01", "2026-11-20", "2026-11-20"]


async def test_a_changed_story_replaces_its_quotes(storage: Storage) -> None:
    article_id = await save(storage, HARBOUR, guild_id=1)
    shorter = Article(
        title=HARBOUR.title,
        url=HARBOUR.url,
        paragraphs=HARBOUR.paragraphs[:2],
        published="2026-11-20",
    )
    assert await save(storage, shorter, guild_id=1) == article_id
    assert len(await storage.quotes.for_article(article_id)) == 1
    assert await storage.quotes.speakers(1) == [SpeakerCount("alice novak", "Alice Novak", 1)]


async def test_a_page_now_carrying_another_stored_story_leaves_both_whole(
    storage: Storage,
) -> None:
    """HARBOUR's address now serves BUDGET's story, which is stored under its own address:
    neither article's text, quotes nor summaries may be mixed with the other's."""
    harbour = await save(storage, HARBOUR, guild_id=1)
    await save(storage, BUDGET, guild_id=1)
    summary = Summary("lead", HARBOUR.paragraphs[:1], len(HARBOUR.paragraphs))
    await storage.articles.save_summary(harbour, 1, summary)
    moved = dataclasses.replace(BUDGET, url=HARBOUR.url)
    await storage.articles.save(moved, quotes=filed_quotes(quotes_of(moved)), guild_id=1)
    stored = await storage.articles.by_url(HARBOUR.url)
    assert stored is not None and stored.article.text == HARBOUR.text
    hits = await storage.quotes.for_article(harbour)
    assert [h.quote.speaker_resolved for h in hits] == ["Alice Novak", "Tom Baker", "Alice Novak"]
    assert all(HARBOUR.text[h.quote.start : h.quote.end] == h.quote.text for h in hits)
    assert await storage.articles.cached_summary(harbour, "lead", 1) == summary


def test_speaker_matching_prefix_word_and_typos() -> None:
    speakers = [
        SpeakerCount("alice novak", "Alice Novak", 5),
        SpeakerCount("jake sullivan", "Jake Sullivan", 9),
        SpeakerCount("zhao lijian", "Zhao Lijian", 2),
        SpeakerCount("novak djokovic", "Novak Djokovic", 1),
    ]
    assert [s.name for s in match_speakers("", speakers)] == [s.name for s in speakers]
    assert [s.name for s in match_speakers("nov", speakers)] == ["Novak Djokovic", "Alice Novak"]
    assert match_speakers("Mr. Sullivan", speakers)[0].name == "Jake Sullivan"
    assert [s.name for s in match_speakers("sulivan", speakers)] == ["Jake Sullivan"]
    assert [s.name for s in match_speakers("lijian", speakers)] == ["Zhao Lijian"]
    assert match_speakers("qwxz", speakers) == []
    many = [SpeakerCount(f"person {i}", f"Person {i}", i) for i in range(40)]
    assert len(match_speakers("person", many)) == 25


FOLLOW_UP = Article(
    title="Bridge reopens",
    url="https://news.test/reopens",
    paragraphs=("“The repairs were finished ahead of time,” Novak said on Friday.",),
)


async def test_a_surname_alone_joins_the_full_name_the_server_knows(
    storage: Storage,
) -> None:
    async with aiohttp.ClientSession() as session:
        desk = NewsDesk(storage, session)
        await desk.store(HARBOUR, guild_id=1)
        joined = await desk.store(FOLLOW_UP, guild_id=1)
        alone = await desk.store(
            dataclasses.replace(FOLLOW_UP, title="Bridge open", url="https://other.test/b"),
            guild_id=2,
        )
    [hit] = await storage.quotes.for_article(joined.id)
    assert hit.quote.speaker_resolved == "Alice Novak"
    assert [s.name for s in await storage.quotes.speakers(1)] == ["Alice Novak", "Tom Baker"]
    [other] = await storage.quotes.for_article(alone.id)
    assert other.quote.speaker_resolved == "Novak"  # server 2 has never quoted Alice Novak


async def test_searches_and_speakers_do_not_wait_for_a_write_in_progress(
    storage: Storage,
) -> None:
    await save(storage, HARBOUR, guild_id=1)
    writing, done = asyncio.Event(), asyncio.Event()

    async def long_write() -> None:  # a poll's transaction, say
        async with storage.db.transaction() as conn:  # type: ignore[attr-defined]
            await conn.execute("DELETE FROM guild_settings")
            writing.set()
            await done.wait()

    writer = asyncio.create_task(long_write())
    await writing.wait()
    try:
        hits = await asyncio.wait_for(storage.quotes.search(1, "harbour"), 2)
        speakers = await asyncio.wait_for(storage.quotes.speakers(1), 2)
    finally:
        done.set()
        await writer
    assert len(hits) == 2 and len(speakers) == 2
