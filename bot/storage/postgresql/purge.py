"""The purge on PostgreSQL (`Storage.purge`): SQLite's (`bot.storage.purge`) in this dialect."""

from __future__ import annotations

from bot.model import PurgeReport
from bot.storage.postgresql.database import PostgresDatabase, affected
from bot.storage.purge import check_keep_entries, run_batches

# As SQLite's OLD_ARTICLES ($1 before, $2 limit); locked, so that no card can be recorded for
# one of them until the batch is done (that write then finds it gone), and skipped when
# another transaction holds one.
OLD_ARTICLES = (
    "SELECT a.id FROM articles a WHERE a.created_at < $1 AND NOT EXISTS ("
    "SELECT 1 FROM deliveries d WHERE d.article_id = a.id "
    "AND (d.state IN ('pending', 'sending') OR d.created_at >= $1)) "
    "ORDER BY a.created_at LIMIT $2 FOR UPDATE SKIP LOCKED"
)
# As SQLite's OLD_ENTRIES ($1 before, $2 limit, $3 keep). LEAST, unlike SQLite's min(),
# skips a NULL: the coalesce keeps a feed with fewer entries than `keep` whole.
OLD_ENTRIES = (
    "WITH cutoff AS MATERIALIZED (SELECT f.id AS feed_id, LEAST($1, coalesce(("
    "SELECT k.seen_at FROM feed_entries k WHERE k.feed_id = f.id "
    "ORDER BY k.seen_at DESC LIMIT 1 OFFSET $3 - 1), 0)) AS until FROM feeds f) "
    "SELECT e.feed_id, e.entry_key FROM cutoff c "
    "JOIN feed_entries e ON e.feed_id = c.feed_id AND e.seen_at < c.until LIMIT $2"
)
OLD_DELIVERIES = (
    "SELECT id FROM deliveries WHERE state IN ('sent', 'failed') AND created_at < $1 LIMIT $2"
)
UNQUOTED_SPEAKERS = (
    "SELECT id FROM speakers s WHERE quote_count <= 0 "
    "AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.speaker_id = s.id) LIMIT $1"
)


async def purge(db: PostgresDatabase, before: int, *, keep_entries: int, limit: int) -> PurgeReport:
    """See `Storage.purge`; ids travel as one array, as SQLite's as one JSON list."""
    check_keep_entries(keep_entries)

    async def articles() -> tuple[int, PurgeReport]:
        async with db.transaction() as conn:
            ids = [row[0] for row in await conn.fetch(OLD_ARTICLES, before, limit)]
            quotes = await conn.execute(
                "DELETE FROM quotes WHERE article_id = ANY($1::bigint[])", ids
            )
            cards = await conn.execute(
                "DELETE FROM deliveries WHERE article_id = ANY($1::bigint[])", ids
            )
            gone = affected(
                await conn.execute("DELETE FROM articles WHERE id = ANY($1::bigint[])", ids)
            )
        return gone, PurgeReport(gone, affected(quotes), affected(cards))

    async def deleting(select: str, table: str, key: str, *params: int) -> tuple[int, PurgeReport]:
        async with db.transaction() as conn:
            status = await conn.execute(f"DELETE FROM {table} WHERE {key} IN ({select})", *params)
        return affected(status), PurgeReport(**{table: affected(status)})

    async def deliveries() -> tuple[int, PurgeReport]:
        return await deleting(OLD_DELIVERIES, "deliveries", "id", before, limit)

    async def entries() -> tuple[int, PurgeReport]:
        return await deleting(
            OLD_ENTRIES, "feed_entries", "(feed_id, entry_key)", before, limit, keep_entries
        )

    async def speakers() -> tuple[int, PurgeReport]:
        return await deleting(UNQUOTED_SPEAKERS, "speakers", "id", limit)

    return await run_batches([articles, deliveries, entries, speakers], limit)
