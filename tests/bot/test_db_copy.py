"""`precis db copy SRC DST`: SQLite to PostgreSQL and back, ids kept, into empty targets only."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.model import Article, DeliveryState, DeliveryTarget, Summary
from bot.storage import open_storage
from bot.storage.copy import read_table
from tests.bot.test_quote_store import BUDGET, HARBOUR, save
from tests.postgres import PostgresServer


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> Iterator[str]:
    with postgres_server.fresh_database() as url:
        yield url


async def fill(path: Path) -> None:
    """A database with a row in every table, and gaps in its ids (a feed removed)."""
    storage = await open_storage(path)
    try:
        await storage.guild_settings.set(1, "summary_sentences", "5")
        await storage.feeds.add(1, "https://gone.test/feed", "Gone", seen=(), added_by=9, now=5)
        harbour = await save(storage, HARBOUR, guild_id=1)
        await save(storage, BUDGET, guild_id=2)
        await storage.articles.save(Article("Pasted", ("Only text.",)), requested_url="https://t/1")
        await storage.articles.save_summary(harbour, 3, Summary("lead", ("It closes.",), 4))
        await storage.feeds.add(
            1, "https://city.test/feed", "City", seen=[("k", "l")], added_by=9, now=5
        )
        await storage.feeds.remove(1, "https://gone.test/feed")  # feed 2 is left
        await storage.subscriptions.add(1, 10, "bridge", created_by=9)
        owed = await storage.deliveries.create(DeliveryTarget(1, 10, "bridge"), harbour)
        assert owed is not None
        await storage.deliveries.claim([owed.id], now=60)
        await storage.deliveries.sent([(owed.id, 1234567890123456789)], now=70)
    finally:
        await storage.close()


async def snapshot(target: Path | str) -> tuple[object, ...]:
    """What a reader of the database sees, through the repositories."""
    storage = await open_storage(target)
    try:
        return (
            await storage.counts(),
            await storage.guild_settings.get_all(1),
            await storage.articles.recent(10),
            await storage.quotes.search(1, "harbour"),
            await storage.quotes.speakers(1),
            await storage.feeds.for_guild(1),
            await storage.subscriptions.in_guild(1),
            await storage.deliveries.in_state(DeliveryState.SENT),
            await storage.articles.cached_summary(1, "lead", 3),
            # Each speaker's count, which triggers keep as quotes come and go.
            sorted(await read_table(storage, "speakers", ["id", "key", "name", "quote_count"])),
        )
    finally:
        await storage.close()


def test_sqlite_to_postgresql_and_back_keeps_every_row_and_id(
    tmp_path: Path, postgres_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    original, back = tmp_path / "original.db", tmp_path / "back.db"
    asyncio.run(fill(original))
    assert main(["db", "copy", str(original), postgres_database]) == 0
    assert main(["db", "copy", postgres_database, str(back)]) == 0
    seen = [asyncio.run(snapshot(target)) for target in (original, postgres_database, back)]
    assert seen[0] == seen[1] == seen[2]
    assert seen[0][3] != []  # the copied quotes are searchable: the target indexed them
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("copied ") and "articles 3" in out[0] and "quotes 4" in out[0]

    async def next_feed_id() -> int:
        storage = await open_storage(postgres_database)
        try:
            await storage.feeds.add(2, "https://new.test/feed", "New", seen=(), added_by=1, now=1)
            feed = await storage.feeds.by_url("https://new.test/feed")
        finally:
            await storage.close()
        assert feed is not None
        return feed.id

    assert asyncio.run(next_feed_id()) == 3  # after the copied ids, not over them


def test_a_target_with_rows_is_refused_and_left_as_it_was(
    tmp_path: Path, postgres_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "precis.db"
    asyncio.run(fill(source))
    assert main(["db", "copy", str(source), postgres_database]) == 0
    before = asyncio.run(snapshot(postgres_database))
    capsys.readouterr()
    assert main(["db", "copy", str(source), postgres_database]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("precis: cannot copy into postgresql://")
    assert "the target is not empty (guild_settings, articles" in err
    assert asyncio.run(snapshot(postgres_database)) == before


def test_a_missing_source_file_is_refused_before_anything_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "copy", str(tmp_path / "none.db"), str(tmp_path / "copy.db")]) == 2
    assert capsys.readouterr().err == (
        f"precis: {tmp_path / 'none.db'}: there is no such database file to copy from.\n"
    )
    assert list(tmp_path.iterdir()) == []
