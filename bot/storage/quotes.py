"""SQLite repository for quotes, their speakers and the full-text index over them."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import aiosqlite

from bot.model import FiledQuote, QuoteHit, SpeakerCount
from bot.storage.database import Database
from bot.storage.rows import (
    HIT_COLUMNS,
    SEARCH_LIMIT,
    SPEAKER_COUNTS,
    ending_with,
    hit_from_row,
    search_words,
)

IN_GUILD = "JOIN article_sightings g ON g.article_id = q.article_id AND g.guild_id = :guild"


def fts_query(text: str) -> str | None:
    """The user's words as an FTS5 query that matches all of them, the last as a prefix.

    Every word is quoted, so FTS syntax typed by a user (`"*(`, `NEAR`, `OR`) is only text.
    """
    words = search_words(text)
    if not words:
        return None
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


async def replace_quotes(
    conn: aiosqlite.Connection, article_id: int, quotes: Sequence[FiledQuote]
) -> None:
    """Store an article's quotes in place of any it had, inside the caller's transaction."""
    await conn.execute("DELETE FROM quotes WHERE article_id = ?", (article_id,))
    for filed in quotes:
        quote = filed.quote
        speaker_id = await _speaker_id(conn, filed.speaker_name, filed.speaker_key)
        await conn.execute(
            "INSERT OR IGNORE INTO quotes (article_id, start, end, text, speaker, speaker_resolved,"
            " speaker_id, description, cue, sentence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article_id,
                quote.start,
                quote.end,
                quote.text,
                quote.speaker,
                quote.speaker_resolved,
                speaker_id,
                quote.description,
                quote.cue,
                quote.sentence,
            ),
        )


async def _speaker_id(conn: aiosqlite.Connection, name: str | None, key: str | None) -> int | None:
    if not (name and key):
        return None
    async with conn.execute(
        # The longest spelling seen names the person: "Jake Sullivan" over "Sullivan".
        "INSERT INTO speakers (key, name) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET name = "
        "CASE WHEN length(excluded.name) > length(name) THEN excluded.name ELSE name END "
        "RETURNING id",
        (key, name),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


class SQLiteQuotes:
    """The `QuoteRepository` on SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def for_article(self, article_id: int) -> list[QuoteHit]:
        """See `QuoteRepository.for_article`."""
        rows = await self._db.fetch_all(
            f"SELECT {HIT_COLUMNS} FROM quotes q JOIN articles a ON a.id = q.article_id "
            "WHERE q.article_id = ? ORDER BY q.start",
            (article_id,),
        )
        return [hit_from_row(row) for row in rows]

    async def search(
        self, guild_id: int, text: str, *, speaker: str | None = None
    ) -> list[QuoteHit]:
        """See `QuoteRepository.search`; the best match is by FTS5's bm25."""
        query = fts_query(text)
        if query is None:
            return []
        speaker_filter = "AND s.key = :speaker" if speaker is not None else ""
        rows = await self._db.fetch_all(
            f"SELECT {HIT_COLUMNS} FROM quotes_fts f JOIN quotes q ON q.id = f.rowid "
            f"JOIN articles a ON a.id = q.article_id {IN_GUILD} "
            f"LEFT JOIN speakers s ON s.id = q.speaker_id "
            f"WHERE quotes_fts MATCH :query {speaker_filter} "
            f"ORDER BY bm25(quotes_fts, 1.0, 2.0, 0.5), a.created_at DESC LIMIT {SEARCH_LIMIT}",
            {"query": query, "guild": guild_id, "speaker": speaker},
        )
        return [hit_from_row(row) for row in rows]

    async def by_speaker(self, guild_id: int, key: str) -> list[QuoteHit]:
        """See `QuoteRepository.by_speaker`."""
        rows = await self._db.fetch_all(
            f"SELECT {HIT_COLUMNS} FROM quotes q JOIN speakers s ON s.id = q.speaker_id "
            f"JOIN articles a ON a.id = q.article_id {IN_GUILD} WHERE s.key = :key "
            f"ORDER BY coalesce(a.published, date(a.created_at, 'unixepoch')) DESC, "
            f"a.created_at DESC, q.start LIMIT {SEARCH_LIMIT}",
            {"guild": guild_id, "key": key},
        )
        return [hit_from_row(row) for row in rows]

    async def speakers(self, guild_id: int, limit: int = 5000) -> list[SpeakerCount]:
        """See `QuoteRepository.speakers`."""
        rows = await self._db.fetch_all(
            f"SELECT s.key, s.name, c.quotes FROM ({SPEAKER_COUNTS.format(guild=':guild')}) c "
            "JOIN speakers s ON s.id = c.speaker_id ORDER BY c.quotes DESC, s.name LIMIT :limit",
            {"guild": guild_id, "limit": limit},
        )
        return [SpeakerCount(row["key"], row["name"], row["quotes"]) for row in rows]

    async def full_names(
        self, guild_ids: Collection[int], surnames: Collection[str]
    ) -> list[SpeakerCount]:
        """See `QuoteRepository.full_names`."""
        if not guild_ids or not surnames:
            return []
        servers = ", ".join("?" * len(guild_ids))
        endings = " OR ".join(["s.key LIKE ? ESCAPE '\\'"] * len(surnames))
        rows = await self._db.fetch_all(
            f"SELECT s.key, s.name, COUNT(DISTINCT q.id) AS quotes FROM speakers s "
            f"JOIN quotes q ON q.speaker_id = s.id "
            f"JOIN article_sightings g ON g.article_id = q.article_id "
            f"WHERE g.guild_id IN ({servers}) AND ({endings}) GROUP BY s.id",
            (*guild_ids, *(ending_with(surname) for surname in surnames)),
        )
        return [SpeakerCount(row["key"], row["name"], row["quotes"]) for row in rows]
