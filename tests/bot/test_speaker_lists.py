"""The speaker lists cache: a keystroke reads no quotes, a change this process makes to a
server's quotes shows at once, any other within the ttl."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.model import SpeakerCount
from bot.pipeline.fetch import create_session
from bot.pipeline.quotes import filed_quotes, quotes_of
from bot.services.clock import Clock
from bot.services.desk import NewsDesk
from bot.services.speaker_lists import TTL_SECONDS, SpeakerLists
from bot.storage import QuoteRepository, Storage
from tests.bot.test_quote_store import BUDGET, HARBOUR

GUILD, OTHER = 1, 2


class CountingQuotes:
    """The storage's quotes, counting the reads of speakers, and held while `gate` is shut."""

    def __init__(self, quotes: QuoteRepository) -> None:
        self.quotes = quotes
        self.reads = 0
        self.reading = asyncio.Event()
        self.gate = asyncio.Event()
        self.gate.set()

    async def speakers(self, guild_id: int, limit: int = 5000) -> list[SpeakerCount]:
        self.reads += 1
        self.reading.set()
        found = await self.quotes.speakers(guild_id, limit)
        await self.gate.wait()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.quotes, name)


class Time:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def names(speakers: list[SpeakerCount]) -> list[str]:
    return [speaker.name for speaker in speakers]


async def save_behind_its_back(storage: Storage, guild_id: int) -> None:
    """Quotes stored as another process would: this cache is not told."""
    await storage.articles.save(BUDGET, quotes=filed_quotes(quotes_of(BUDGET)), guild_id=guild_id)


@pytest.fixture
async def desk(storage: Storage) -> AsyncIterator[NewsDesk]:
    async with create_session(allow_private=True) as session:
        yield NewsDesk(storage, session)


async def test_a_list_is_read_once_and_again_after_its_ttl(storage: Storage) -> None:
    time = Time()
    quotes = CountingQuotes(storage.quotes)
    lists = SpeakerLists(quotes, Clock(time))
    await storage.articles.save(HARBOUR, quotes=filed_quotes(quotes_of(HARBOUR)), guild_id=GUILD)
    first = await lists.of(GUILD)
    await save_behind_its_back(storage, GUILD)
    assert await lists.of(GUILD) == first and quotes.reads == 1
    time.now += TTL_SECONDS
    assert "Maria Lopez" in names(await lists.of(GUILD))
    assert quotes.reads == 2


async def test_quotes_the_desk_stores_for_a_server_drop_only_its_list(
    storage: Storage, desk: NewsDesk
) -> None:
    assert await desk.speakers.of(GUILD) == []
    other = await desk.speakers.of(OTHER)
    await desk.store(HARBOUR, guild_id=GUILD)
    assert names(await desk.speakers.of(GUILD)) == ["Alice Novak", "Tom Baker"]
    await save_behind_its_back(storage, OTHER)
    assert await desk.speakers.of(OTHER) == other  # not told: still the cached list


async def test_a_server_seeing_a_stored_article_drops_its_list(
    storage: Storage, desk: NewsDesk
) -> None:
    stored = await desk.store(HARBOUR, guild_id=GUILD)
    assert await desk.speakers.of(OTHER) == []
    assert stored.article.url is not None
    await desk.read_url(stored.article.url, guild_id=OTHER)  # stored already: only sighted
    assert names(await desk.speakers.of(OTHER)) == ["Alice Novak", "Tom Baker"]


async def test_askers_share_one_read_and_a_read_overtaken_by_a_change_is_not_kept(
    storage: Storage,
) -> None:
    quotes = CountingQuotes(storage.quotes)
    lists = SpeakerLists(quotes)
    quotes.gate.clear()
    askers = [asyncio.create_task(lists.of(GUILD)) for _ in range(3)]
    await quotes.reading.wait()
    await save_behind_its_back(storage, GUILD)
    lists.forget([GUILD])  # during the read
    quotes.gate.set()
    assert [await asker for asker in askers] == [[], [], []]  # each asked before the change
    assert quotes.reads == 1
    assert names(await lists.of(GUILD)) == ["Maria Lopez"]


async def test_forget_all_drops_every_list(storage: Storage) -> None:
    lists = SpeakerLists(storage.quotes)
    assert await lists.of(GUILD) == await lists.of(OTHER) == []
    await save_behind_its_back(storage, GUILD)
    await save_behind_its_back(storage, OTHER)
    lists.forget_all()
    assert names(await lists.of(GUILD)) == names(await lists.of(OTHER)) == ["Maria Lopez"]
