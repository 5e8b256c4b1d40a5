"""NewsDesk.summarize: one computation per (article, method, count), and long texts that take
turns outside the worker threads, so an ordinary page never waits behind them."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator
from typing import Any

import pytest

import bot.services.desk as desk_module
from bot.errors import UserError
from bot.model import Article, Quote, StoredArticle, Summary
from bot.pipeline.fetch import create_session
from bot.pipeline.quotes import quotes_of
from bot.pipeline.summarize import summarize
from bot.services.desk import LONG_TEXT, LONG_WAITING, NewsDesk
from bot.storage import Storage

PARAGRAPH = (
    "The harbour stayed closed for a third day. Crews inspected the breakwater at dawn. "
    "The council opened the school hall to families who lost power. "
)


def article(title: str, characters: int) -> Article:
    paragraphs = tuple(PARAGRAPH for _ in range(characters // len(PARAGRAPH) + 1))
    return Article(title=title, paragraphs=paragraphs, url=f"https://news.example/{title}")


@pytest.fixture
async def desk(storage: Storage) -> AsyncIterator[NewsDesk]:
    async with create_session() as session:
        yield NewsDesk(storage, session)


async def stored(desk: NewsDesk, title: str, characters: int) -> StoredArticle:
    return await desk.storage.articles.save(article(title, characters), quotes=[])


def counting(monkeypatch: pytest.MonkeyPatch, gate: threading.Event | None = None) -> list[str]:
    """Count the summaries computed (by title); with a `gate`, long ones wait until it opens."""
    computed: list[str] = []

    def summarize_counted(article: Article, method: str, count: int) -> Summary:
        computed.append(article.title)
        if gate is not None and len(article.text) > LONG_TEXT:
            assert gate.wait(timeout=30)
        return summarize(article, method, count)

    monkeypatch.setattr(desk_module, "summarize", summarize_counted)
    return computed


async def test_many_asks_at_once_compute_one_summary(
    desk: NewsDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = counting(monkeypatch)
    page = await stored(desk, "harbour", 2_000)
    summaries = await asyncio.gather(*(desk.summarize(page, "lexrank", 2) for _ in range(50)))
    assert computed == ["harbour"]
    assert len(set(summaries)) == 1
    assert await desk.summarize(page, "lexrank", 2) == summaries[0]  # now from the cache
    assert computed == ["harbour"]


async def test_an_ask_whose_cache_read_missed_a_summary_being_saved_computes_none(
    desk: NewsDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = counting(monkeypatch)
    page = await stored(desk, "harbour", 2_000)
    read = desk.storage.articles.cached_summary
    first_done = asyncio.Event()
    reads = 0

    async def second_read_answered_late(*args: Any) -> Any:
        nonlocal reads
        reads += 1
        this_read = reads
        answer = await read(*args)
        if this_read == 2:  # read before the first ask's summary was saved, answered after
            await first_done.wait()
        return answer

    monkeypatch.setattr(desk.storage.articles, "cached_summary", second_read_answered_late)
    first = asyncio.create_task(desk.summarize(page, "lexrank", 2))
    second = asyncio.create_task(desk.summarize(page, "lexrank", 2))
    summary = await first
    first_done.set()
    assert await second == summary
    assert computed == ["harbour"]


async def test_an_ordinary_page_does_not_wait_behind_long_ones(
    desk: NewsDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    computed = counting(monkeypatch, gate)
    # More long summaries, all held up, than asyncio.to_thread has worker threads.
    workers = min(32, (os.cpu_count() or 1) + 4)
    monkeypatch.setattr(desk_module, "LONG_WAITING", workers)
    long_pages = [await stored(desk, f"long{i}", LONG_TEXT + 1) for i in range(workers)]
    ordinary = await stored(desk, "ordinary", 2_000)
    waiting = [asyncio.ensure_future(desk.summarize(page, "lead", 3)) for page in long_pages]
    try:
        summary = await asyncio.wait_for(desk.summarize(ordinary, "precis", 3), timeout=10)
        assert summary.sentences
        assert computed.count("ordinary") == 1
        assert sum(title.startswith("long") for title in computed) <= 1  # one at a time
        assert not any(task.done() for task in waiting)
    finally:
        gate.set()
    summaries = await asyncio.gather(*waiting)
    assert all(summary.sentences for summary in summaries)


async def test_one_long_text_too_many_is_refused_in_one_line(
    desk: NewsDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    counting(monkeypatch, gate)
    # One computing, LONG_WAITING waiting for their turn, and one too many.
    pages = [await stored(desk, f"long{i}", LONG_TEXT + 1) for i in range(LONG_WAITING + 2)]
    asks = [asyncio.ensure_future(desk.summarize(page, "lead", 3)) for page in pages]
    try:
        (refused,), _ = await asyncio.wait(asks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        gate.set()
    with pytest.raises(UserError) as error:
        refused.result()
    assert str(error.value) == "I'm busy with other long texts. Try again in a minute."
    answered = await asyncio.gather(*(ask for ask in asks if ask is not refused))
    assert all(summary.sentences for summary in answered)


async def test_reading_an_ordinary_page_does_not_wait_behind_long_ones(
    desk: NewsDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding the quotes of long pages takes turns too: the worker threads stay free."""
    gate = threading.Event()
    read: list[str] = []

    def quotes_held(article: Article) -> list[Quote]:
        read.append(article.title)
        if len(article.text) > LONG_TEXT:
            assert gate.wait(timeout=30)
        return quotes_of(article)

    monkeypatch.setattr(desk_module, "quotes_of", quotes_held)
    workers = min(32, (os.cpu_count() or 1) + 4)
    monkeypatch.setattr(desk_module, "LONG_WAITING", workers)
    waiting = [
        asyncio.ensure_future(desk.store(article(f"long{i}", LONG_TEXT + 1)))
        for i in range(workers)
    ]
    try:
        ordinary = await asyncio.wait_for(desk.store(article("ordinary", 2_000)), timeout=10)
        assert ordinary.article.title == "ordinary"
        assert sum(title.startswith("long") for title in read) <= 1  # one at a time
    finally:
        gate.set()
    assert len(await asyncio.gather(*waiting)) == workers
