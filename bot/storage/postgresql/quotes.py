"""PostgreSQL repository for quotes and their speakers; search runs on a `tsvector` column."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import asyncpg

from bot.model import FiledQuote, QuoteHit, SpeakerCount
from bot.storage.postgresql.database import PostgresDatabase
from bot.storage.rows import (
    HIT_COLUMNS,
    SEARCH_LIMIT,
    SPEAKER_COUNTS,
    ending_with,
    hit_from_row,
    search_words,
)

IN_GUILD = "JOIN article_sightings g ON g.article_id = q.article_id AND g.guild_id = $1"
# ts_rank_cd's weights for D, C, B, A: the columns weighted as SQLite's bm25 weighs them
# (description 0.5, text 1.0, speaker 2.0; see migration V3).
RANK_WEIGHTS = "'{0.1, 0.25, 0.5, 1.0}'"
# Divide the rank by 1 + log(length): a long quote is not a better match for being long.
RANK_BY_LENGTH = 1


def tsquery(text: str) -> str | None:
    """The user's words as a `to_tsquery` text that matches all of them, the last as a prefix.

    Every word is quoted, so tsquery syntax typed by a user (`!`, `|`, `<->`) is only text.
    """
    words = search_words(text)
    if not words:
        return None
    return " & ".join(f"'{word}'" for word in words) + ":*"


async def replace_quotes(
    conn: asyncpg.Connection, article_id: int, quotes: Sequence[FiledQuote]
) -> None:
    """Store an article's quotes in place of any it had, inside the caller's transaction."""
    await conn.execute("DELETE FROM quotes WHERE article_id = $1", article_id)
    for filed in quotes:
        quote = filed.quote
        speaker_id = await _speaker_id(conn, filed.speaker_name, filed.speaker_key)
        await conn.execute(
            'INSERT INTO quotes (article_id, start, "end", text, speaker, speaker_resolved, '
            "speaker_id, description, cue, sentence) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
            "$10) ON CONFLICT DO NOTHING",
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
        )


async def _speaker_id(conn: asyncpg.Connection, name: str | None, key: str | None) -> int | None:
    if not (name and key):
        return None
    speaker_id = await conn.fetchval(
        # The longest spelling seen names the person: "Jake Sullivan" over "Sullivan".
        "INSERT INTO speakers (key, name) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET name = "
        "CASE WHEN length(excluded.name) > length(speakers.name) THEN excluded.name "
        "ELSE speakers.name END RETURNING id",
        key,
        name,
    )
    return int(speaker_id)


class PostgresQuotes:
    """The `QuoteRepository` on PostgreSQL."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def for_article(self, article_id: int) -> list[QuoteHit]:
        """See `QuoteRepository.for_article`."""
        rows = await self._db.fetch_all(
            f"SELECT {HIT_COLUMNS} FROM quotes q JOIN articles a ON a.id = q.article_id "
            "WHERE q.article_id = $1 ORDER BY q.start",
            (article_id,),
        )
        return [hit_from_row(row) for row in rows]

    async def search(
        self, guild_id: int, text: str, *, speaker: str | None = None
    ) -> list[QuoteHit]:
        """See `QuoteRepository.search`; the best match is by `ts_rank_cd`."""
        query = tsquery(text)
        if query is None:
            return []
        rows = await self._db.fetch_all(
            f"SELECT {HIT_COLUMNS} FROM quotes q JOIN articles a ON a.id = q.article_id "
            f"{IN_GUILD} LEFT JOIN speakers s ON s.id = q.speaker_id, "
            "to_tsquery('precis', $2) AS query "
            "WHERE q.search @@ query AND ($3::text IS NULL OR s.key = $3) "
            f"ORDER BY ts_rank_cd({RANK_WEIGHTS}, q.search, query, {RANK_BY_LENGTH}) DESC, "
            f"a.created_at DESC LIMIT {SEARCH_LIMIT}",
            (guild_id, query, speaker),
        )
        return [hit_from_row(row) for row in rows]

    async def by_speaker(self, guild_id: int, key: str) -> list[QuoteHit]:
        """See `QuoteRepository.by_speaker`."""
        rows = await self._db.fetch_all(
            f"SELECT {HIT_COLUMNS} FROM quotes q JOIN speakers s ON s.id = q.speaker_id "
            f"JOIN articles a ON a.id = q.article_id {IN_GUILD} WHERE s.key = $2 "
            "ORDER BY coalesce(a.published, "
            "to_char(to_timestamp(a.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD')) DESC, "
            f"a.created_at DESC, q.start LIMIT {SEARCH_LIMIT}",
            (guild_id, key),
        )
        return [hit_from_row(row) for row in rows]

    async def speakers(self, guild_id: int, limit: int = 5000) -> list[SpeakerCount]:
        """See `QuoteRepository.speakers`."""
        rows = await self._db.fetch_all(
            # Names in code point order, as SQLite sorts them, whatever the server's locale.
            f"SELECT s.key, s.name, c.quotes FROM ({SPEAKER_COUNTS.format(guild='$1')}) c "
            'JOIN speakers s ON s.id = c.speaker_id ORDER BY c.quotes DESC, s.name COLLATE "C" '
            "LIMIT $2",
            (guild_id, limit),
        )
        return [SpeakerCount(row["key"], row["name"], row["quotes"]) for row in rows]

    async def full_names(
        self, guild_ids: Collection[int], surnames: Collection[str]
    ) -> list[SpeakerCount]:
        """See `QuoteRepository.full_names`."""
        if not guild_ids or not surnames:
            return []
        rows = await self._db.fetch_all(
            # LIKE's escape is `\` unless told otherwise, as `ending_with` writes it.
            "SELECT s.key, s.name, COUNT(DISTINCT q.id) AS quotes FROM speakers s "
            "JOIN quotes q ON q.speaker_id = s.id "
            "JOIN article_sightings g ON g.article_id = q.article_id "
            "WHERE g.guild_id = ANY($1::bigint[]) AND s.key LIKE ANY($2::text[]) GROUP BY s.id",
            (list(guild_ids), [ending_with(surname) for surname in surnames]),
        )
        return [SpeakerCount(row["key"], row["name"], row["quotes"]) for row in rows]
