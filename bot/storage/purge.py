"""The purge on SQLite (`Storage.purge`), and the batching both backends share."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence

from bot.model import PurgeReport
from bot.storage.database import Database

# One batch of one kind of row: how many rows it took, and what it deleted with them.
Batch = Callable[[], Awaitable[tuple[int, PurgeReport]]]

# Articles stored before :before that no card owed, or recorded since, points at.
OLD_ARTICLES = (
    "SELECT a.id FROM articles a WHERE a.created_at < :before AND NOT EXISTS ("
    "SELECT 1 FROM deliveries d WHERE d.article_id = a.id "
    "AND (d.state IN ('pending', 'sending') OR d.created_at >= :before)) "
    "ORDER BY a.created_at LIMIT :limit"
)
# Each feed's entries seen before :before and before its :keep newest (those seen in the same
# second as the last of them stay too). The cut-offs first, once per feed: an entry is then
# found by the (feed_id, seen_at) index.
OLD_ENTRIES = (
    "WITH cutoff AS MATERIALIZED (SELECT f.id AS feed_id, min(:before, coalesce(("
    "SELECT k.seen_at FROM feed_entries k WHERE k.feed_id = f.id "
    "ORDER BY k.seen_at DESC LIMIT 1 OFFSET :keep - 1), 0)) AS until FROM feeds f) "
    "SELECT e.feed_id, e.entry_key FROM cutoff c "
    "JOIN feed_entries e ON e.feed_id = c.feed_id AND e.seen_at < c.until LIMIT :limit"
)
OLD_DELIVERIES = (
    "SELECT id FROM deliveries WHERE state IN ('sent', 'failed') AND created_at < :before "
    "LIMIT :limit"
)
# People no quote names any more: their count is 0, checked against the quotes themselves.
UNQUOTED_SPEAKERS = (
    "SELECT id FROM speakers s WHERE quote_count <= 0 "
    "AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.speaker_id = s.id) LIMIT :limit"
)


def check_keep_entries(keep_entries: int) -> None:
    """ValueError unless each feed keeps one seen entry at least."""
    if keep_entries < 1:
        raise ValueError(f"keep_entries must be 1 or more, not {keep_entries}")


async def run_batches(batches: Sequence[Batch], limit: int) -> PurgeReport:
    """Run each kind of batch until one takes fewer than `limit` rows; what they deleted."""
    deleted = PurgeReport()
    for batch in batches:
        taken = limit
        while taken >= limit:
            taken, report = await batch()
            deleted += report
    return deleted


async def purge(db: Database, before: int, *, keep_entries: int, limit: int) -> PurgeReport:
    """See `Storage.purge`. Children are deleted by hand before their articles, so that the
    FTS5 trigger of each quote runs and each count is known; ids travel as one JSON list."""
    check_keep_entries(keep_entries)
    params = {"before": before, "keep": keep_entries, "limit": limit}

    async def articles() -> tuple[int, PurgeReport]:
        async with db.transaction() as conn:
            async with conn.execute(OLD_ARTICLES, params) as cursor:
                ids = json.dumps([row[0] for row in await cursor.fetchall()])
            quotes = await conn.execute(
                "DELETE FROM quotes WHERE article_id IN (SELECT value FROM json_each(?))", (ids,)
            )
            cards = await conn.execute(
                "DELETE FROM deliveries WHERE article_id IN (SELECT value FROM json_each(?))",
                (ids,),
            )
            gone = await conn.execute(
                "DELETE FROM articles WHERE id IN (SELECT value FROM json_each(?))", (ids,)
            )
        report = PurgeReport(gone.rowcount, quotes.rowcount, cards.rowcount)
        return gone.rowcount, report

    async def deleting(select: str, table: str, key: str) -> tuple[int, PurgeReport]:
        async with db.transaction() as conn:
            cursor = await conn.execute(f"DELETE FROM {table} WHERE {key} IN ({select})", params)
        return cursor.rowcount, PurgeReport(**{table: cursor.rowcount})

    async def deliveries() -> tuple[int, PurgeReport]:
        return await deleting(OLD_DELIVERIES, "deliveries", "id")

    async def entries() -> tuple[int, PurgeReport]:
        return await deleting(OLD_ENTRIES, "feed_entries", "(feed_id, entry_key)")

    async def speakers() -> tuple[int, PurgeReport]:
        return await deleting(UNQUOTED_SPEAKERS, "speakers", "id")

    return await run_batches([articles, deliveries, entries, speakers], limit)
