"""PostgreSQL repositories for feeds, topic subscriptions and card deliveries."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from bot.model import Delivery, DeliveryState, DeliveryTarget, Feed, Subscription
from bot.storage.postgresql.database import PostgresDatabase, affected
from bot.storage.rows import DELIVERY_COLUMNS, FEED_COLUMNS, delivery_from_row, feed_from_row


class PostgresFeeds:
    """The `FeedRepository` on PostgreSQL."""

    def __init__(self, db: PostgresDatabase) -> None:
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
            created = await conn.fetchval(
                "INSERT INTO feeds (url, title, last_success, next_poll) VALUES ($1, $2, $3, $3) "
                "ON CONFLICT (url) DO NOTHING RETURNING id",
                url,
                title,
                now,
            )
            if created is not None:
                entries = list(seen)
                await conn.execute(
                    "INSERT INTO feed_entries (feed_id, entry_key, link) "
                    "SELECT $1, entry.key, entry.link "
                    "FROM unnest($2::text[], $3::text[]) AS entry(key, link) "
                    "ON CONFLICT DO NOTHING",
                    created,
                    [key for key, _ in entries],
                    [link for _, link in entries],
                )
            status = await conn.execute(
                "INSERT INTO guild_feeds (guild_id, feed_id, added_by) "
                "SELECT $1, id, $2 FROM feeds WHERE url = $3 ON CONFLICT DO NOTHING",
                guild_id,
                added_by,
                url,
            )
            return affected(status) > 0

    async def remove(self, guild_id: int, url: str) -> bool:
        """See `FeedRepository.remove`."""
        async with self._db.transaction() as conn:
            status = await conn.execute(
                "DELETE FROM guild_feeds WHERE guild_id = $1 "
                "AND feed_id = (SELECT id FROM feeds WHERE url = $2)",
                guild_id,
                url,
            )
            await conn.execute(
                "DELETE FROM feeds WHERE url = $1 "
                "AND NOT EXISTS (SELECT 1 FROM guild_feeds g WHERE g.feed_id = feeds.id)",
                url,
            )
            return affected(status) > 0

    async def for_guild(self, guild_id: int) -> list[Feed]:
        """See `FeedRepository.for_guild`."""
        rows = await self._db.fetch_all(
            f"SELECT {FEED_COLUMNS} FROM feeds f JOIN guild_feeds g ON g.feed_id = f.id "
            'WHERE g.guild_id = $1 ORDER BY lower(f.title) COLLATE "C"',
            (guild_id,),
        )
        return [feed_from_row(row) for row in rows]

    async def by_url(self, url: str) -> Feed | None:
        """See `FeedRepository.by_url`."""
        row = await self._db.fetch_one(f"SELECT {FEED_COLUMNS} FROM feeds f WHERE url = $1", (url,))
        return None if row is None else feed_from_row(row)

    async def lease_due(
        self, now: int, limit: int, owner: str, until: int, *, excluding: Collection[int] = ()
    ) -> list[Feed]:
        """See `FeedRepository.lease_due`: the due feeds are locked as they are read, and
        those another transaction has locked are skipped, not waited for."""
        async with self._db.transaction() as conn:
            rows = await conn.fetch(
                "UPDATE feeds f SET leased_by = $1, lease_until = $2 WHERE id IN (SELECT id "
                "FROM feeds WHERE paused = 0 AND next_poll <= $3 "
                "AND (coalesce(lease_until, 0) <= $3 OR leased_by = $1) "
                "AND NOT (id = ANY($5::bigint[])) "
                "ORDER BY next_poll LIMIT $4 "
                f"FOR UPDATE SKIP LOCKED) RETURNING {FEED_COLUMNS}",
                owner,
                until,
                now,
                limit,
                list(excluding),
            )
        return sorted((feed_from_row(row) for row in rows), key=lambda feed: feed.next_poll)

    async def renew_leases(self, owner: str, until: int) -> None:
        """See `FeedRepository.renew_leases`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET lease_until = $1 WHERE leased_by = $2", until, owner
            )

    async def followers(self, feed_id: int) -> list[int]:
        """See `FeedRepository.followers`."""
        rows = await self._db.fetch_all(
            "SELECT guild_id FROM guild_feeds WHERE feed_id = $1", (feed_id,)
        )
        return [row["guild_id"] for row in rows]

    async def unseen(self, feed_id: int, keys: Sequence[str]) -> set[str]:
        """See `FeedRepository.unseen`."""
        if not keys:
            return set()
        rows = await self._db.fetch_all(
            "SELECT entry_key FROM feed_entries WHERE feed_id = $1 AND entry_key = ANY($2::text[])",
            (feed_id, list(keys)),
        )
        return set(keys) - {row["entry_key"] for row in rows}

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
                "UPDATE feeds SET last_success = $1, next_poll = $2, failures = 0, "
                "last_error = NULL, leased_by = NULL, lease_until = NULL, "
                "title = coalesce($3, title), etag = coalesce($4, etag), "
                "last_modified = coalesce($5, last_modified) WHERE id = $6",
                now,
                next_poll,
                title,
                etag,
                last_modified,
                feed_id,
            )

    async def failed(self, feed_id: int, error: str, *, next_poll: int, pause_after: int) -> Feed:
        """See `FeedRepository.failed`."""
        async with self._db.transaction() as conn:
            row = await conn.fetchrow(
                "UPDATE feeds f SET failures = failures + 1, last_error = $1, next_poll = $2, "
                "paused = (failures + 1 >= $3)::int, leased_by = NULL, lease_until = NULL "
                f"WHERE id = $4 RETURNING {FEED_COLUMNS}",
                error,
                next_poll,
                pause_after,
                feed_id,
            )
        assert row is not None
        return feed_from_row(row)

    async def resume(self, feed_id: int, now: int) -> None:
        """See `FeedRepository.resume`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET paused = 0, failures = 0, next_poll = $1 WHERE id = $2",
                now,
                feed_id,
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
                "INSERT INTO feed_entries (feed_id, entry_key, link, article_id) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                feed_id,
                entry_key,
                link,
                article_id,
            )
            if article_id is None:
                return 0
            await conn.execute(
                "INSERT INTO article_sightings (article_id, guild_id) "
                "SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
                article_id,
                list(readers),
            )
            owed = await conn.fetch(
                "INSERT INTO deliveries (guild_id, channel_id, article_id, topic) "
                "SELECT target.guild_id, target.channel_id, $1, target.topic "
                "FROM unnest($2::bigint[], $3::bigint[], $4::text[]) "
                "AS target(guild_id, channel_id, topic) ON CONFLICT DO NOTHING RETURNING id",
                article_id,
                [t.guild_id for t in targets],
                [t.channel_id for t in targets],
                [t.topic for t in targets],
            )
            return len(owed)


class PostgresSubscriptions:
    """The `SubscriptionRepository` on PostgreSQL."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def add(self, guild_id: int, channel_id: int, topic: str, created_by: int) -> bool:
        """See `SubscriptionRepository.add`."""
        async with self._db.transaction() as conn:
            status = await conn.execute(
                "INSERT INTO subscriptions (guild_id, channel_id, topic, created_by) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                guild_id,
                channel_id,
                topic,
                created_by,
            )
            # Only the paused rows are locked, in id order: adds at once in one channel
            # (two admins, two processes) must not wait on each other's locks in a cycle.
            await conn.execute(
                "UPDATE subscriptions SET paused = 0 WHERE id IN (SELECT id FROM subscriptions "
                "WHERE channel_id = $1 AND paused <> 0 ORDER BY id FOR UPDATE)",
                channel_id,
            )
            return affected(status) > 0

    async def remove(self, channel_id: int, topic: str) -> bool:
        """See `SubscriptionRepository.remove`."""
        async with self._db.transaction() as conn:
            status = await conn.execute(
                "DELETE FROM subscriptions WHERE channel_id = $1 AND topic = $2",
                channel_id,
                topic,
            )
            return affected(status) > 0

    async def in_guild(self, guild_id: int, channel_id: int | None = None) -> list[Subscription]:
        """See `SubscriptionRepository.in_guild`."""
        rows = await self._db.fetch_all(
            "SELECT id, guild_id, channel_id, topic, paused FROM subscriptions "
            "WHERE guild_id = $1 AND ($2::bigint IS NULL OR channel_id = $2) "
            'ORDER BY channel_id, topic COLLATE "C"',
            (guild_id, channel_id),
        )
        return [Subscription(*row) for row in rows]

    async def active(self, guild_ids: Sequence[int] | None = None) -> list[Subscription]:
        """See `SubscriptionRepository.active`."""
        rows = await self._db.fetch_all(
            "SELECT id, guild_id, channel_id, topic, paused FROM subscriptions "
            "WHERE paused = 0 AND ($1::bigint[] IS NULL OR guild_id = ANY($1)) ORDER BY id",
            (None if guild_ids is None else list(guild_ids),),
        )
        return [Subscription(*row) for row in rows]

    async def pause_channel(self, channel_id: int) -> int:
        """See `SubscriptionRepository.pause_channel`."""
        async with self._db.transaction() as conn:
            status = await conn.execute(
                "UPDATE subscriptions SET paused = 1 WHERE channel_id = $1 AND paused = 0",
                channel_id,
            )
            return affected(status)


class PostgresDeliveries:
    """The `DeliveryRepository` on PostgreSQL. Claims hold across processes: an UPDATE waits
    for another transaction's lock on a row, then finds it no longer pending."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    async def create(
        self, target: DeliveryTarget, article_id: int, *, claimed_at: int | None = None
    ) -> Delivery | None:
        """See `DeliveryRepository.create`."""
        claimed = claimed_at is not None
        async with self._db.transaction() as conn:
            row = await conn.fetchrow(
                "INSERT INTO deliveries "
                "(guild_id, channel_id, article_id, topic, state, attempts, sending_at) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (channel_id, article_id) "
                f"DO NOTHING RETURNING {DELIVERY_COLUMNS}",
                target.guild_id,
                target.channel_id,
                article_id,
                target.topic,
                DeliveryState.SENDING if claimed else DeliveryState.PENDING,
                int(claimed),
                claimed_at,
            )
        return None if row is None else delivery_from_row(row)

    async def find(self, channel_id: int, article_id: int) -> Delivery | None:
        """See `DeliveryRepository.find`."""
        row = await self._db.fetch_one(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE channel_id = $1 AND article_id = $2",
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
            "FROM deliveries WHERE state = $1 AND NOT channel_id = ANY($2::bigint[]) "
            "AND ($5::bigint[] IS NULL OR channel_id = ANY($5::bigint[])) "
            "AND ($6::text IS NULL OR channel_id NOT IN (SELECT channel_id FROM channel_claims "
            "WHERE owner <> $6 AND until > $7))) AS owed "
            "WHERE place <= $3 ORDER BY created_at, id LIMIT $4",
            (
                str(state),
                list(excluding),
                per_channel or limit,
                limit,
                None if only is None else list(only),
                owner,
                now,
            ),
        )
        return [delivery_from_row(row) for row in rows]

    async def claim(self, delivery_ids: Sequence[int], now: int) -> list[Delivery]:
        """See `DeliveryRepository.claim`."""
        async with self._db.transaction() as conn:
            rows = await conn.fetch(
                "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, "
                "sending_at = $1 WHERE id = ANY($2::bigint[]) AND state = 'pending' "
                f"RETURNING {DELIVERY_COLUMNS}",
                now,
                list(delivery_ids),
            )
        claimed = [delivery_from_row(row) for row in rows]
        return sorted(claimed, key=lambda delivery: (delivery.created_at, delivery.id))

    async def sent(self, marks: Sequence[tuple[int, int]], now: int) -> None:
        """See `DeliveryRepository.sent`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries d SET state = 'sent', message_id = mark.message_id, "
                "sent_at = $1, last_error = NULL "
                "FROM unnest($2::bigint[], $3::bigint[]) AS mark(id, message_id) "
                "WHERE d.id = mark.id",
                now,
                [delivery_id for delivery_id, _ in marks],
                [message_id for _, message_id in marks],
            )

    async def retry(self, delivery_ids: Sequence[int], error: str, *, tried: bool = True) -> None:
        """See `DeliveryRepository.retry`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET state = 'pending', last_error = $1, "
                "attempts = attempts - $2 WHERE id = ANY($3::bigint[]) AND state = 'sending'",
                error,
                int(not tried),
                list(delivery_ids),
            )

    async def give_up(
        self, error: str, *, delivery_id: int | None = None, channel_id: int | None = None
    ) -> None:
        """See `DeliveryRepository.give_up`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE deliveries SET state = 'failed', last_error = $1 "
                "WHERE state IN ('pending', 'sending') AND (id = $2 OR channel_id = $3)",
                error,
                delivery_id,
                channel_id,
            )

    async def sent_since(self, channel_id: int, since: int) -> int:
        """See `DeliveryRepository.sent_since`."""
        count = await self._db.fetch_value(
            "SELECT COUNT(*) FROM deliveries WHERE channel_id = $1 AND sent_at >= $2",
            (channel_id, since),
        )
        return int(count)
