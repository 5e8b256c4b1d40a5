"""The quote-search service: quotes by words, by speaker and by article, and the person a
member means; its errors carry data and a plain message, which the cog words."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.pipeline.fetch import create_session
from bot.pipeline.quotes import filed_quotes, quotes_of
from bot.services.desk import NewsDesk
from bot.services.quotes import (
    EmptyQuery,
    NoMatchingQuotes,
    NoQuotesInArticle,
    QuoteSearch,
    UnknownSpeaker,
)
from bot.storage import Storage
from tests.bot.test_quote_store import BUDGET, HARBOUR
from tests.fixtures.pages import PageServer, article_html

GUILD = 1


@pytest.fixture
async def search(storage: Storage) -> AsyncIterator[QuoteSearch]:
    async with create_session(allow_private=True) as session:
        search = QuoteSearch(storage, NewsDesk(storage, session, fetch_timeout=5))
        for article in (HARBOUR, BUDGET):
            await storage.articles.save(
                article, quotes=filed_quotes(quotes_of(article)), guild_id=GUILD
            )
        yield search


async def test_search_by_words_and_by_a_misspelt_speaker(search: QuoteSearch) -> None:
    everyone = await search.search(GUILD, "harbour")
    baker = await search.search(GUILD, "harbour", "tom bakr")
    assert len(everyone.hits) == 2 and everyone.speaker is None
    assert baker.speaker is not None and baker.speaker.name == "Tom Baker"
    assert [hit.quote.speaker_resolved for hit in baker.hits] == ["Tom Baker"]


async def test_a_search_with_no_words_or_no_match_says_why(search: QuoteSearch) -> None:
    with pytest.raises(EmptyQuery) as empty:
        await search.search(GUILD, " ?! ")
    with pytest.raises(NoMatchingQuotes) as nothing:
        await search.search(GUILD, "zebra", "Novak")
    assert str(empty.value) == "Type some words to look for."
    error = nothing.value
    assert (error.query, error.speaker and error.speaker.name) == ("zebra", "Alice Novak")
    assert [s.name for s in error.suggestions] == ["Alice Novak", "Maria Lopez", "Tom Baker"]
    assert str(error) == (
        "No quotes by Alice Novak match “zebra”. "
        "Try a speaker: Alice Novak, Maria Lopez, Tom Baker."
    )


async def test_an_unknown_speaker_comes_with_the_people_quoted(search: QuoteSearch) -> None:
    with pytest.raises(UnknownSpeaker) as unknown:
        await search.by_speaker(GUILD, "Zelda")
    with pytest.raises(UnknownSpeaker) as elsewhere:
        await search.speaker(GUILD + 1, "Novak")
    assert unknown.value.typed == "Zelda"
    assert [s.name for s in unknown.value.suggestions][:1] == ["Alice Novak"]
    assert str(elsewhere.value) == "No one called “Novak” has been quoted here yet."


async def test_by_speaker_and_speakers_like(search: QuoteSearch) -> None:
    novak = await search.by_speaker(GUILD, "novak")
    assert novak.speaker.name == "Alice Novak" and len(novak.hits) == 2
    assert [s.name for s in await search.speakers_like(GUILD, "lop")] == ["Maria Lopez"]
    assert len(await search.speakers_like(GUILD, "")) == 3


async def test_an_article_s_quotes_or_none(search: QuoteSearch, pages: PageServer) -> None:
    quoted = pages.add("/quoted", article_html(HARBOUR.title, list(HARBOUR.paragraphs)))
    quiet = pages.add("/quiet", article_html("Tide tables", ["The tide turns at noon."] * 3))
    found = await search.in_article(quoted, guild_id=GUILD, progress=_ignore)
    with pytest.raises(NoQuotesInArticle):
        await search.in_article(quiet, guild_id=GUILD, progress=_ignore)
    assert found.stored.article.title == HARBOUR.title
    assert [hit.quote.speaker_resolved for hit in found.hits] == [
        "Alice Novak",
        "Tom Baker",
        "Alice Novak",
    ]


async def _ignore(_: str) -> None:
    pass
