"""PostgreSQL repository for articles, the URLs that reach them, and their cached summaries."""

from __future__ import annotations

import json
from collections.abc import Sequence

import asyncpg

from bot.model import Article, FiledQuote, StoredArticle, Summary
from bot.storage.postgresql.database import PostgresDatabase
from bot.storage.postgresql.quotes import replace_quotes
from bot.storage.rows import ARTICLE_COLUMNS, article_from_row

FIND_ARTICLE = (
    "SELECT id, content_hash FROM articles WHERE url = $1 OR content_hash = $2 "
    "ORDER BY coalesce(url = $1, false) DESC LIMIT 1"
)


class PostgresArticles:
    """The `ArticleRepository` on PostgreSQL."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def get(self, article_id: int) -> StoredArticle | None:
        """See `ArticleRepository.get`."""
        row = await self._db.fetch_one(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = $1", (article_id,)
        )
        return None if row is None else article_from_row(row)

    async def recent(self, limit: int) -> list[StoredArticle]:
        """See `ArticleRepository.recent`."""
        rows = await self._db.fetch_all(
            f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY id DESC LIMIT $1", (limit,)
        )
        return [article_from_row(row) for row in rows]

    async def by_url(self, url: str) -> StoredArticle | None:
        """See `ArticleRepository.by_url`."""
        row = await self._db.fetch_one(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE url = $1 OR id = "
            "(SELECT article_id FROM article_urls WHERE url = $1)",
            (url,),
        )
        return None if row is None else article_from_row(row)

    async def save(
        self,
        article: Article,
        *,
        quotes: Sequence[FiledQuote] = (),
        requested_url: str | None = None,
        guild_id: int | None = None,
    ) -> StoredArticle:
        """See `ArticleRepository.save`."""
        async with self._db.transaction() as conn:
            article_id, changed = await self._upsert(conn, article)
            if changed:
                await replace_quotes(conn, article_id, quotes)
            await conn.execute(
                "INSERT INTO article_urls (url, article_id) SELECT url, $2 "
                "FROM unnest($1::text[]) AS url ON CONFLICT DO NOTHING",
                sorted({url for url in (requested_url, article.url) if url is not None}),
                article_id,
            )
            if guild_id is not None:
                await self._sighted(conn, article_id, guild_id)
        return StoredArticle(article_id, article)

    async def _upsert(self, conn: asyncpg.Connection, article: Article) -> tuple[int, bool]:
        """The article's id, and whether its content is new or changed."""
        content = {
            "content_hash": article.content_hash,
            "title": article.title,
            "paragraphs": json.dumps(article.paragraphs, ensure_ascii=False),
            "author": article.author,
            "published": article.published,
            "site_name": article.site_name,
            "image": article.image,
            "word_count": article.word_count,
        }
        existing = await conn.fetchrow(FIND_ARTICLE, article.url, article.content_hash)
        if existing is None:
            values = {"url": article.url, **content}
            placeholders = ", ".join(f"${n}" for n in range(1, len(values) + 1))
            created = await conn.fetchval(
                f"INSERT INTO articles ({', '.join(values)}) VALUES ({placeholders}) "
                "ON CONFLICT DO NOTHING RETURNING id",
                *values.values(),
            )
            if created is not None:
                return int(created), True
            # Another process stored the same URL or text since: that one is this article.
            existing = await conn.fetchrow(FIND_ARTICLE, article.url, article.content_hash)
            assert existing is not None
        if existing["content_hash"] == article.content_hash:
            return int(existing["id"]), False
        # The story was updated, unless the new text is another stored article's: then this
        # one keeps its text, and so its quotes and summaries, rather than being mixed with it.
        assignments = ", ".join(f"{name} = ${n}" for n, name in enumerate(content, start=2))
        updated = await conn.fetchval(
            f"UPDATE articles SET {assignments} WHERE id = $1 AND NOT EXISTS "
            "(SELECT 1 FROM articles other WHERE other.content_hash = $2) RETURNING id",
            existing["id"],
            *content.values(),
        )
        if updated is not None:
            await conn.execute("DELETE FROM summaries WHERE article_id = $1", existing["id"])
        return int(existing["id"]), updated is not None

    async def sighted(self, article_id: int, guild_id: int) -> None:
        """See `ArticleRepository.sighted`."""
        async with self._db.transaction() as conn:
            await self._sighted(conn, article_id, guild_id)

    @staticmethod
    async def _sighted(conn: asyncpg.Connection, article_id: int, guild_id: int) -> None:
        await conn.execute(
            "INSERT INTO article_sightings (article_id, guild_id) VALUES ($1, $2) "
            "ON CONFLICT DO NOTHING",
            article_id,
            guild_id,
        )

    async def cached_summary(self, article_id: int, method: str, length: int) -> Summary | None:
        """See `ArticleRepository.cached_summary`."""
        row = await self._db.fetch_one(
            "SELECT sentences, total_sentences FROM summaries "
            "WHERE article_id = $1 AND method = $2 AND length = $3",
            (article_id, method, length),
        )
        if row is None:
            return None
        return Summary(method, tuple(json.loads(row["sentences"])), row["total_sentences"])

    async def save_summary(self, article_id: int, length: int, summary: Summary) -> None:
        """See `ArticleRepository.save_summary`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO summaries (article_id, method, length, sentences, total_sentences) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (article_id, method, length) DO UPDATE "
                "SET sentences = excluded.sentences, total_sentences = excluded.total_sentences, "
                "created_at = excluded.created_at",
                article_id,
                summary.method,
                length,
                json.dumps(summary.sentences, ensure_ascii=False),
                summary.total_sentences,
            )
