"""SQLite repositories for feeds, topic subscriptions and card deliveries."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence

from bot.model import Delivery, DeliveryState, DeliveryTarget, Feed, Subscription
from bot.storage.database import Database
from bot.storage.rows import (
    DELIVERY_COLUMNS,
    FEED_COLUMNS,
    FEED_FIELDS,
    delivery_from_row,
    feed_from_row,
)


def placeholders(values: Sequence[object]) -> str:
    """One `?` per value, comma-separated, for an `IN (...)` list."""
    return ", ".join("?" for _ in values)


class SQLiteFeeds:
    """The `FeedRepository` on SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        guild_id: int,
        url: str,
        title: str,
        *,
        seen: Iterable[tuple[str, str]],
        added_by: int | None,
        now: int,
    ) -> bool:
        """See `FeedRepository.add`."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "INSERT INTO feeds (url, title, last_success, next_poll) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (url) DO NOTHING RETURNING id",
                (url, title, now, now),
            ) as cursor:
                created = await cursor.fetchone()
            if created is not None:
                await conn.executemany(
                    "INSERT OR IGNORE INTO feed_entries (feed_id, entry_key, link) "
                    "VALUES (?, ?, ?)",
                    [(created[0], key, link) for key, link in seen],
                )
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO guild_feeds (guild_id, feed_id, added_by) "
                "SELECT ?, id, ? FROM feeds WHERE url = ?",
                (guild_id, added_by, url),
            )
            return cursor.rowcount > 0

    async def remove(self, guild_id: int, url: str) -> bool:
        """See `FeedRepository.remove`."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM guild_feeds WHERE guild_id = ? "
                "AND feed_id = (SELECT id FROM feeds WHERE url = ?)",
                (guild_id, url),
            )
            await conn.execute(
                "DELETE FROM feeds WHERE url = ? "
                "AND NOT EXISTS (SELECT 1 FROM guild_feeds g WHERE g.feed_id = feeds.id)",
                (url,),
            )
            return cursor.rowcount > 0

    async def for_guild(self, guild_id: int) -> list[Feed]:
        """See `FeedRepository.for_guild`."""
        rows = await self._db.fetch_all(
            f"SELECT {FEED_COLUMNS} FROM feeds f JOIN guild_feeds g ON g.feed_id = f.id "
            "WHERE g.guild_id = ? ORDER BY f.title COLLATE NOCASE",
            (guild_id,),
        )
        return [feed_from_row(row) for row in rows]

    async def by_url(self, url: str) -> Feed | None:
        """See `FeedRepository.by_url`."""
        row = await self._db.fetch_one(f"SELECT {FEED_COLUMNS} FROM feeds f WHERE url = ?", (url,))
        return None if row is None else feed_from_row(row)

    async def lease_due(
        self, now: int, limit: int, owner: str, until: int, *, excluding: Collection[int] = ()
    ) -> list[Feed]:
        """See `FeedRepository.lease_due`: one write transaction (BEGIN IMMEDIATE), so no
        other process reads the feeds free meanwhile."""
        async with (
            self._db.transaction() as conn,
            conn.execute(
                "UPDATE feeds SET leased_by = ?, lease_until = ? WHERE id IN (SELECT id FROM "
                "feeds WHERE paused = 0 AND next_poll <= ? "
                "AND (coalesce(lease_until, 0) <= ? OR leased_by = ?) "
                "AND id NOT IN (SELECT value FROM json_each(?)) "
                f"ORDER BY next_poll LIMIT ?) RETURNING {FEED_FIELDS}",
                (owner, until, now, now, owner, json.dumps(list(excluding)), limit),
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        return sorted((feed_from_row(row) for row in rows), key=lambda feed: feed.next_poll)

    async def renew_leases(self, owner: str, until: int) -> None:
        """See `FeedRepository.renew_leases`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET lease_until = ? WHERE leased_by = ?", (until, owner)
            )

    async def followers(self, feed_id: int) -> list[int]:
        """See `FeedRepository.followers`."""
        rows = await self._db.fetch_all(
            "SELECT guild_id FROM guild_feeds WHERE feed_id = ?", (feed_id,)
        )
        return [row[0] for row in rows]

    async def unseen(self, feed_id: int, keys: Sequence[str]) -> set[str]:
        """See `FeedRepository.unseen`."""
        if not keys:
            return set()
        rows = await self._db.fetch_all(
            f"SELECT entry_key FROM feed_entries WHERE feed_id = ? "
            f"AND entry_key IN ({placeholders(keys)})",
            (feed_id, *keys),
        )
        return set(keys) - {row[0] for row in rows}

    async def polled(
        self,
        feed_id: int,
        *,
        now: int,
        next_poll: int,
        title: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """See `FeedRepository.polled`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET last_success = ?, next_poll = ?, failures = 0, last_error = NULL,"
                " leased_by = NULL, lease_until = NULL, title = coalesce(?, title),"
                " etag = coalesce(?, etag),"
                " last_modified = coalesce(?, last_modified) WHERE id = ?",
                (now, next_poll, title, etag, last_modified, feed_id),
            )

    async def failed(self, feed_id: int, error: str, *, next_poll: int, pause_after: int) -> Feed:
        """See `FeedRepository.failed`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET failures = failures + 1, last_error = ?, next_poll = ?, "
                "paused = (failures + 1 >= ?), leased_by = NULL, lease_until = NULL WHERE id = ?",
                (error, next_poll, pause_after, feed_id),
            )
            async with conn.execute(
                f"SELECT {FEED_COLUMNS} FROM feeds f WHERE id = ?", (feed_id,)
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return feed_from_row(row)

    async def resume(self, feed_id: int, now: int) -> None:
        """See `FeedRepository.resume`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET paused = 0, failures = 0, next_poll = ? WHERE id = ?",
                (now, feed_id),
            )

    async def record_entry(
        self,
        feed_id: int,
        entry_key: str,
        link: str,
        article_id: int | None,
        *,
        readers: Sequence[int],
        targets: Sequence[DeliveryTarget],
    ) -> int:
        """See `FeedRepository.record_entry`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO feed_entries (feed_id, entry_key, link, article_id) "
                "VALUES (?, ?, ?, ?)",
                (feed_id, entry_key, link, article_id),
            )
            if article_id is None:
                return 0
            await conn.executemany(
                "INSERT OR IGNORE INTO article_sightings (article_id, guild_id) VALUES (?, ?)",
                [(article_id, guild_id) for guild_id in readers],
            )
            before = conn.total_changes
            await conn.executemany(
                "INSERT OR IGNORE INTO deliveries (guild_id, channel_id, article_id, topic) "
                "VALUES (?, ?, ?, ?)",
                [(t.guild_id, t.channel_id, article_id, t.topic) for t in targets],
            )
            return conn.total_changes - before


class SQLiteSubscriptions:
    """The `SubscriptionRepository` on SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, guild_id: int, channel_id: int, topic: str, created_by: int) -> bool:
        """See `SubscriptionRepository.add`."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO subscriptions (guild_id, channel_id, topic, created_by) "
                "VALUES (?, ?, ?, ?)",
                (guild_id, channel_id, topic, created_by),
            )
            await conn.execute(
                "UPDATE subscriptions SET paused = 0 WHERE channel_id = ? AND paused <> 0",
                (channel_id,),
            )
            return cursor.rowcount > 0

    async def remove(self, channel_id: int, topic: str) -> bool:
        """See `SubscriptionRepository.remove`."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM subscriptions WHERE channel_id = ? AND topic = ?", (channel_id, topic)
            )
            return cursor.rowcount > 0

    async def in_guild(self, guild_id: int, channel_id: int | None = None) -> list[Subscription]:
        """See `SubscriptionRepository.in_guild`."""
        rows = await self._db.fetch_all(
            "SELECT id, guild_id, channel_id, topic, paused FROM subscriptions "
            "WHERE guild_id = ? AND (? IS NULL OR channel_id = ?) ORDER BY channel_id, topic",
            (guild_id, channel_id, channel_id),
        )
        return [Subscription(*row) for row in rows]

    async def active(self, guild_ids: Sequence[int] | None = None) -> list[Subscription]:
        """See `SubscriptionRepository.active`."""
        in_guilds = "" if guild_ids is None else f"AND guild_id IN ({placeholders(guild_ids)})"
        rows = await self._db.fetch_all(
            "SELECT id, guild_id, channel_id, topic, paused FROM subscriptions "
            f"WHERE paused = 0 {in_guilds} ORDER BY id",
            tuple(guild_ids or ()),
        )
        return [Subscription(*row) for row in rows]

    async def pause_channel(self, channel_id: int) -> int:
        """See `SubscriptionRepository.pause_channel`."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE subscriptions SET paused = 1 WHERE channel_id = ? AND paused = 0",
                (channel_id,),
            )
            return cursor.rowcount


class SQLiteDeliveries:
    """The `DeliveryRepository` on SQLite."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, target: DeliveryTarget, article_id: int, *, claimed_at: int | None = None
    ) -> Delivery | None:
        """See `DeliveryRepository.create`."""
        claimed = claimed_at is not None
        async with (
            self._db.transaction() as conn,
            conn.execute(
                "INSERT INTO deliveries "
                "(guild_id, channel_id, article_id, topic, state, attempts, sending_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (channel_id, article_id) DO NOTHING "
                f"RETURNING {DELIVERY_COLUMNS}",
                (
                    target.guild_id,
                    target.channel_id,
                    article_id,
                    target.topic,
                    DeliveryState.SENDING if claimed else DeliveryState.PENDING,
                    int(claimed),
                    claimed_at,
                ),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return None if row is None else delivery_from_row(row)

    async def find(self, channel_id: int, article_id: int) -> Delivery | None:
        """See `DeliveryRepository.find`."""
        row = await self._db.fetch_one(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE channel_id = ? AND article_id = ?",
            (channel_id, article_id),
        )
        return None if row is None else delivery_from_row(row)

    async def in_state(
        self,
        state: DeliveryState,
        limit: int = 1000,
        *,
        per_channel: int | None = None,
        excluding: Collection[int] = (),
        only: Collection[int] | None = None,
        free_for: tuple[str, int] | None = None,
    ) -> list[Delivery]:
        """See `DeliveryRepository.in_state`."""
        owner, now = free_for or (None, 0)
        rows = await self._db.fetch_all(
            f"SELECT {DELIVERY_COLUMNS} FROM (SELECT {DELIVERY_COLUMNS}, row_number() OVER "
            "(PARTITION BY channel_id ORDER BY created_at, id) AS place "
            "FROM deliveries WHERE state = :state "
            "AND channel_id NOT IN (SELECT value FROM json_each(:excluding)) "
            "AND (:only IS NULL OR channel_id IN (SELECT value FROM json_each(:only))) "
            "AND (:owner IS NULL OR channel_id NOT IN (SELECT channel_id FROM channel_claims "
            "WHERE owner <> :owner AND until > :now))) "
            "WHERE place <= :per_channel ORDER BY created_at, id LIMIT :limit",
            {
                "state": state,
                "excluding": json.dumps(list(excluding)),
                "only": None if only is None else json.dumps(list(only)),
                "owner": owner,
                "now": now,
                "per_channel": per_channel or limit,
                "limit": limit,
            },
        )
        return [delivery_from_row(row) for row in rows]

    async def _set(self, sql: str, params: Sequence[object]) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(sql, params)

    async def claim(self, delivery_ids: Sequence[int], now: int) -> list[Delivery]:
        """See `DeliveryRepository.claim`."""
        async with (
            self._db.transaction() as conn,
            conn.execute(
                "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, sending_at = ? "
                "WHERE id IN (SELECT value FROM json_each(?)) AND state = 'pending' "
                f"RETURNING {DELIVERY_COLUMNS}",
                (now, json.dumps(list(delivery_ids))),
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        claimed = [delivery_from_row(row) for row in rows]
        return sorted(claimed, key=lambda delivery: (delivery.created_at, delivery.id))

    async def sent(self, marks: Sequence[tuple[int, int]], now: int) -> None:
        """See `DeliveryRepository.sent`."""
        async with self._db.transaction() as conn:
            await conn.executemany(
                "UPDATE deliveries SET state = 'sent', message_id = ?, sent_at = ?, "
                "last_error = NULL WHERE id = ?",
                [(message_id, now, delivery_id) for delivery_id, message_id in marks],
            )

    async def retry(self, delivery_ids: Sequence[int], error: str, *, tried: bool = True) -> None:
        """See `DeliveryRepository.retry`."""
        await self._set(
            "UPDATE deliveries SET state = 'pending', last_error = ?, attempts = attempts - ? "
            "WHERE id IN (SELECT value FROM json_each(?)) AND state = 'sending'",
            (error, int(not tried), json.dumps(list(delivery_ids))),
        )

    async def give_up(
        self, error: str, *, delivery_id: int | None = None, channel_id: int | None = None
    ) -> None:
        """See `DeliveryRepository.give_up`."""
        await self._set(
            "UPDATE deliveries SET state = 'failed', last_error = ? "
            "WHERE state IN ('pending', 'sending') AND (id = ? OR channel_id = ?)",
            (error, delivery_id, channel_id),
        )

    async def sent_since(self, channel_id: int, since: int) -> int:
        """See `DeliveryRepository.sent_since`."""
        count = await self._db.fetch_value(
            "SELECT COUNT(*) FROM deliveries WHERE channel_id = ? AND sent_at >= ?",
            (channel_id, since),
        )
        return int(count)
