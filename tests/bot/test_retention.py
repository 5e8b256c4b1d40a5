"""Retention: the purge deletes what is old and everything hanging off it, and keeps what
dedupe needs (cards still owed, each feed's newest seen entries)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.model import Article, DeliveryState, DeliveryTarget, PurgeReport, Summary
from bot.pipeline.quotes import filed_quotes, quotes_of
from bot.storage import Storage

DAY = 86_400
GUILD, CHANNEL = 1, 10
OLD = Article(
    title="Harbour bridge to close",
    url="https://news.test/bridge",
    paragraphs=(
        "“The bridge is no longer safe for cars, and the bridge must close,” said Alice Novak.",
        "“Nobody asked the harbour traders about this,” said Tom Baker, who owns a shop.",
    ),
)
NEW = Article(
    title="Budget passes",
    url="https://news.test/budget",
    paragraphs=("“This budget keeps the bridge fund intact for a year,” said Maria Lopez.",),
)


async def run(storage: Storage, sql: str) -> None:
    """A statement both dialects read alike: how a test makes rows old."""
    conn: Any
    async with storage.db.transaction() as conn:  # type: ignore[attr-defined]
        await conn.execute(sql)


async def save(storage: Storage, article: Article, requested_url: str | None = None) -> int:
    stored = await storage.articles.save(
        article,
        quotes=filed_quotes(quotes_of(article)),
        requested_url=requested_url,
        guild_id=GUILD,
    )
    return stored.id


async def purge(storage: Storage, *, keep_entries: int = 100, limit: int = 1) -> PurgeReport:
    """A purge of what is older than 30 days, in batches of one row to cross every batch."""
    return await storage.purge(int(time.time()) - 30 * DAY, keep_entries=keep_entries, limit=limit)


async def test_purge_removes_old_articles_and_everything_hanging_off_them(
    storage: Storage,
) -> None:
    old = await save(storage, OLD, requested_url="https://news.test/b?utm=1")
    new = await save(storage, NEW)
    await storage.articles.save_summary(old, 3, Summary("lead", ("One.",), 2))
    delivery = await storage.deliveries.create(DeliveryTarget(GUILD, CHANNEL, None), old)
    assert delivery is not None
    await storage.deliveries.sent([(delivery.id, 99)], now=int(time.time()))
    await storage.feeds.add(GUILD, "https://news.test/feed", "News", seen=[], added_by=5, now=0)
    feed = await storage.feeds.by_url("https://news.test/feed")
    assert feed is not None
    await storage.feeds.record_entry(feed.id, "k", OLD.url or "", old, readers=[GUILD], targets=[])
    await run(
        storage, f"UPDATE articles SET created_at = created_at - {100 * DAY} WHERE id = {old}"
    )
    await run(storage, f"UPDATE deliveries SET created_at = created_at - {100 * DAY}")

    report = await purge(storage)

    assert report == PurgeReport(articles=1, quotes=2, deliveries=1, speakers=2)
    assert await storage.articles.get(old) is None
    assert await storage.articles.by_url("https://news.test/b?utm=1") is None
    assert await storage.articles.cached_summary(old, "lead", 3) is None
    assert await storage.quotes.for_article(old) == []
    assert await storage.quotes.search(GUILD, "harbour traders") == []
    assert await storage.deliveries.find(CHANNEL, old) is None
    assert [s.name for s in await storage.quotes.speakers(GUILD)] == ["Maria Lopez"]
    assert [h.quote.speaker_resolved for h in await storage.quotes.search(GUILD, "bridge")] == [
        "Maria Lopez"
    ]
    assert await storage.articles.get(new) is not None
    assert await storage.feeds.unseen(feed.id, ["k"]) == set()  # still seen, its article gone
    counts = await storage.counts()
    assert (counts["articles"], counts["quotes"], counts["speakers"]) == (1, 1, 1)


# SQLite's only: PostgreSQL's search vector is a column of the quote, and goes with it.
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_sqlites_fts_index_stays_in_step_with_the_quotes(storage: Storage) -> None:
    old = await save(storage, OLD)
    await save(storage, NEW)
    await run(storage, f"UPDATE articles SET created_at = 1000 WHERE id = {old}")
    await purge(storage, limit=10)
    # The external-content FTS5 index lists exactly the quotes left.
    await run(storage, "INSERT INTO quotes_fts (quotes_fts) VALUES ('integrity-check')")
    rows = await storage.db.fetch_value(  # type: ignore[attr-defined]
        "SELECT COUNT(*) FROM quotes_fts WHERE quotes_fts MATCH 'traders'"
    )
    assert rows == 0


async def test_purge_keeps_cards_still_owed_and_their_articles(storage: Storage) -> None:
    pending_id = await save(storage, OLD)
    sending_id = await save(storage, NEW)
    await storage.deliveries.create(DeliveryTarget(GUILD, CHANNEL, None), pending_id)
    await storage.deliveries.create(DeliveryTarget(GUILD, CHANNEL, None), sending_id, claimed_at=5)
    await run(storage, "UPDATE articles SET created_at = 1000")
    await run(storage, "UPDATE deliveries SET created_at = 1000")

    report = await purge(storage)

    assert report == PurgeReport()
    assert await storage.articles.get(pending_id) is not None
    assert await storage.articles.get(sending_id) is not None
    assert len(await storage.quotes.for_article(pending_id)) == 2
    assert [d.article_id for d in await storage.deliveries.in_state(DeliveryState.PENDING)] == [
        pending_id
    ]
    assert len(await storage.deliveries.in_state(DeliveryState.SENDING)) == 1


async def test_an_old_article_a_recent_card_points_at_is_kept(storage: Storage) -> None:
    article_id = await save(storage, OLD)
    delivery = await storage.deliveries.create(DeliveryTarget(GUILD, CHANNEL, None), article_id)
    assert delivery is not None
    await storage.deliveries.sent([(delivery.id, 99)], now=int(time.time()))
    await run(storage, "UPDATE articles SET created_at = 1000")  # posted by /post yesterday

    assert await purge(storage) == PurgeReport()
    assert await storage.deliveries.find(CHANNEL, article_id) is not None


async def test_purge_keeps_each_feeds_newest_seen_entries(storage: Storage) -> None:
    entries = [(f"k{i}", f"https://news.test/{i}") for i in range(6)]
    for url in ("https://news.test/one", "https://news.test/two"):
        await storage.feeds.add(GUILD, url, "News", seen=entries, added_by=5, now=0)
    one = await storage.feeds.by_url("https://news.test/one")
    two = await storage.feeds.by_url("https://news.test/two")
    assert one is not None and two is not None
    for i in range(6):  # k0 oldest, k5 newest; all older than the cut but feed two's k5
        await run(storage, f"UPDATE feed_entries SET seen_at = {1000 + i} WHERE entry_key = 'k{i}'")
    await run(
        storage,
        f"UPDATE feed_entries SET seen_at = 2000000000 WHERE feed_id = {two.id} "
        "AND entry_key = 'k5'",
    )

    report = await purge(storage, keep_entries=2)

    keys = [key for key, _ in entries]
    assert await storage.feeds.unseen(one.id, keys) == {"k0", "k1", "k2", "k3"}
    assert await storage.feeds.unseen(two.id, keys) == {"k0", "k1", "k2", "k3"}
    assert report.feed_entries == 8


async def test_purge_keeps_a_feeds_entries_seen_at_the_same_time(storage: Storage) -> None:
    entries = [(f"k{i}", f"https://news.test/{i}") for i in range(5)]
    await storage.feeds.add(GUILD, "https://news.test/f", "News", seen=entries, added_by=5, now=0)
    feed = await storage.feeds.by_url("https://news.test/f")
    assert feed is not None
    await run(storage, "UPDATE feed_entries SET seen_at = 1000")  # one backlog, one second

    assert (await purge(storage, keep_entries=2)).feed_entries == 0
    assert await storage.feeds.unseen(feed.id, [key for key, _ in entries]) == set()


@pytest.mark.parametrize("keep_entries", [0, -1])
async def test_purge_refuses_to_forget_every_seen_entry(
    storage: Storage, keep_entries: int
) -> None:
    with pytest.raises(ValueError, match="keep_entries"):
        await purge(storage, keep_entries=keep_entries)
