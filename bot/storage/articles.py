"""SQLite repository for articles, the URLs that reach them, and their cached summaries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import aiosqlite

from bot.model import Article, FiledQuote, StoredArticle, Summary
from bot.storage.database import Database
from bot.storage.quotes import replace_quotes
from bot.storage.rows import ARTICLE_COLUMNS, article_from_row


class SQLiteArticles:
    """The `ArticleRepository` on SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, article_id: int) -> StoredArticle | None:
        """See `ArticleRepository.get`."""
        row = await self._db.fetch_one(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        )
        return None if row is None else article_from_row(row)

    async def recent(self, limit: int) -> list[StoredArticle]:
        """See `ArticleRepository.recent`."""
        rows = await self._db.fetch_all(
            f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [article_from_row(row) for row in rows]

    async def by_url(self, url: str) -> StoredArticle | None:
        """See `ArticleRepository.by_url`."""
        row = await self._db.fetch_one(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE url = ? OR id = "
            "(SELECT article_id FROM article_urls WHERE url = ?)",
            (url, url),
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
            for url in {requested_url, article.url} - {None}:
                await conn.execute(
                    "INSERT OR IGNORE INTO article_urls (url, article_id) VALUES (?, ?)",
                    (url, article_id),
                )
            if guild_id is not None:
                await self._sighted(conn, article_id, guild_id)
        return StoredArticle(article_id, article)

    async def _upsert(self, conn: aiosqlite.Connection, article: Article) -> tuple[int, bool]:
        """The article's id, and whether its content is new or changed."""
        values: dict[str, Any] = {
            "url": article.url,
            "content_hash": article.content_hash,
            "title": article.title,
            "paragraphs": json.dumps(article.paragraphs, ensure_ascii=False),
            "author": article.author,
            "published": article.published,
            "site_name": article.site_name,
            "image": article.image,
            "word_count": article.word_count,
        }
        async with conn.execute(
            "SELECT id, content_hash FROM articles WHERE url = ? OR content_hash = ? "
            "ORDER BY url = ? DESC LIMIT 1",
            (article.url, article.content_hash, article.url),
        ) as cursor:
            existing = await cursor.fetchone()
        if existing is None:
            cursor = await conn.execute(
                f"INSERT INTO articles ({', '.join(values)}) "
                f"VALUES ({', '.join(':' + name for name in values)})",
                values,
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid, True
        changed = existing["content_hash"] != article.content_hash  # the story was updated
        if changed:
            del values["url"]
            cursor = await conn.execute(
                f"UPDATE OR IGNORE articles SET {', '.join(f'{n} = :{n}' for n in values)} "
                "WHERE id = :id",
                {**values, "id": existing["id"]},
            )
            # Ignored when the new text is another stored article's: this one keeps its text,
            # and so its quotes and summaries, rather than being mixed with that one's.
            changed = cursor.rowcount > 0
            if changed:
                await conn.execute("DELETE FROM summaries WHERE article_id = ?", (existing["id"],))
        return int(existing["id"]), changed

    async def sighted(self, article_id: int, guild_id: int) -> None:
        """See `ArticleRepository.sighted`."""
        async with self._db.transaction() as conn:
            await self._sighted(conn, article_id, guild_id)

    @staticmethod
    async def _sighted(conn: aiosqlite.Connection, article_id: int, guild_id: int) -> None:
        await conn.execute(
            "INSERT OR IGNORE INTO article_sightings (article_id, guild_id) VALUES (?, ?)",
            (article_id, guild_id),
        )

    async def cached_summary(self, article_id: int, method: str, length: int) -> Summary | None:
        """See `ArticleRepository.cached_summary`."""
        row = await self._db.fetch_one(
            "SELECT sentences, total_sentences FROM summaries "
            "WHERE article_id = ? AND method = ? AND length = ?",
            (article_id, method, length),
        )
        if row is None:
            return None
        return Summary(method, tuple(json.loads(row["sentences"])), row["total_sentences"])

    async def save_summary(self, article_id: int, length: int, summary: Summary) -> None:
        """See `ArticleRepository.save_summary`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO summaries "
                "(article_id, method, length, sentences, total_sentences) VALUES (?, ?, ?, ?, ?)",
                (
                    article_id,
                    summary.method,
                    length,
                    json.dumps(summary.sentences, ensure_ascii=False),
                    summary.total_sentences,
                ),
            )
