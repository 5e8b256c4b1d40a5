"""The storage interface the rest of the bot sees. All SQL lives behind it.

A backend (SQLite: `bot.storage.sqlite`; PostgreSQL: `bot.storage.postgresql`) implements
these protocols; cogs and core services only ever call them.

What holds for every method unless its docstring says otherwise: each write is one transaction
(all of it or none of it), and no write sees another's half done, whether it comes from this
process or (PostgreSQL) from another one; a read sees only committed state. A
method given an id that no row has is a no-op (a write) or returns None or nothing (a read).
A write that would point at a missing article or feed raises the driver's integrity error
(`sqlite3.IntegrityError`, or asyncpg's `IntegrityConstraintViolationError`); any other
database failure raises the driver's error (`sqlite3.Error`, `asyncpg.PostgresError`) and
rolls the write back. Both backends keep the same tables, columns and values.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from bot.model import (
    Article,
    Delivery,
    DeliveryState,
    DeliveryTarget,
    Feed,
    FiledQuote,
    ProcessInfo,
    PurgeReport,
    QuoteHit,
    SpeakerCount,
    StoredArticle,
    Subscription,
    Summary,
)


class DatabaseUnavailable(Exception):
    """The database named (a SQLite path, or a PostgreSQL URL without its password) can't be
    opened; `reason` says why."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path} {reason}")
        self.path = path
        self.reason = reason


def display_name(target: Path | str) -> str:
    """A database as messages and logs show it: a path as it is, a URL without its password."""
    parts = urlsplit(str(target))
    if parts.password is None:
        return str(target)
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


class GuildSettingsRepository(Protocol):
    """Per-server settings as raw text; `bot.services.guild_config` parses and validates them."""

    async def get_all(self, guild_id: int) -> dict[str, str]:
        """Every setting this server has stored, key to value; empty when it has none."""
        ...

    async def set(self, guild_id: int, key: str, value: str) -> None:
        """Store the value, replacing any the server had for this key."""
        ...

    async def delete(self, guild_id: int, key: str) -> bool:
        """Forget the server's value for this key (it falls back to the default); False when
        there was none."""
        ...


class ArticleRepository(Protocol):
    """Extracted articles, the URLs that reached them, the servers that saw them, and their
    cached summaries. An article is one row per canonical URL and per content."""

    async def get(self, article_id: int) -> StoredArticle | None:
        """The article with this id; None when there is none (deleted, or never stored)."""
        ...

    async def recent(self, limit: int) -> list[StoredArticle]:
        """The newest stored articles (last stored first), at most `limit`, of every server."""
        ...

    async def by_url(self, url: str) -> StoredArticle | None:
        """The article stored under this canonical URL, or reached before from this URL
        (a redirect, a link with tracking parameters); None when neither."""
        ...

    async def save(
        self,
        article: Article,
        *,
        quotes: Sequence[FiledQuote] = (),
        requested_url: str | None = None,
        guild_id: int | None = None,
    ) -> StoredArticle:
        """Store the article with its quotes, note the URL it was asked for and the server
        that saw it, in one transaction; returns it with its id.

        An article already stored under the same URL (first) or the same content is reused,
        not duplicated. When its content changed, the stored copy is updated in place (its
        URL kept), its cached summaries are dropped and its quotes replaced by `quotes`; when
        it did not, `quotes` are ignored. A URL already leading to another article keeps
        leading there. Each quote comes filed under its speaker: storage keeps names, it does
        not find them.
        """
        ...

    async def sighted(self, article_id: int, guild_id: int) -> None:
        """Note that this server saw the article, so its quotes are searchable there.
        Idempotent."""
        ...

    async def cached_summary(self, article_id: int, method: str, length: int) -> Summary | None:
        """The summary saved for this article, method and length; None when there is none
        (never made, or dropped because the article changed)."""
        ...

    async def save_summary(self, article_id: int, length: int, summary: Summary) -> None:
        """Cache the summary under its article, `summary.method` and `length`, replacing any
        there was."""
        ...


class QuoteRepository(Protocol):
    """Read access to quotes (written with their article by `ArticleRepository.save`). A
    server sees only the quotes of articles it saw (`ArticleRepository.sighted`); result
    lists are capped (100 for `search` and `by_speaker`)."""

    async def for_article(self, article_id: int) -> list[QuoteHit]:
        """The article's quotes in the order of its text; empty for an unknown article."""
        ...

    async def search(
        self, guild_id: int, text: str, *, speaker: str | None = None
    ) -> list[QuoteHit]:
        """Quotes seen in this server holding every word of `text`, the last as a prefix,
        best match first, newer articles first among equals. `text` is words, never query
        syntax; with no word in it the result is empty. `speaker` (a speaker key) keeps
        only that person's quotes."""
        ...

    async def by_speaker(self, guild_id: int, key: str) -> list[QuoteHit]:
        """One person's quotes (by speaker key) seen in this server, newest article first."""
        ...

    async def speakers(self, guild_id: int, limit: int = 5000) -> list[SpeakerCount]:
        """The people quoted in this server's articles, most quoted first, then by name; at
        most `limit`."""
        ...

    async def full_names(
        self, guild_ids: Collection[int], surnames: Collection[str]
    ) -> list[SpeakerCount]:
        """Speakers quoted in these servers whose key is several words, the last in
        `surnames` (speaker keys): the people a surname alone may mean. In no order; empty
        when either collection is."""
        ...


class FeedRepository(Protocol):
    """The feeds the bot polls, the servers following each, and the entries already seen.
    A feed is one row per URL, shared by every server that follows it."""

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
        """Follow the feed at `url` in this server; False if it already did. A feed new to
        the bot is due at `now` and starts from the entries in `seen` ((key, link) pairs),
        marked seen so that its backlog is never posted; for a known feed `seen` is
        ignored."""
        ...

    async def remove(self, guild_id: int, url: str) -> bool:
        """Stop following; False if this server did not follow it. A feed that no server
        follows any more is forgotten, with its seen entries."""
        ...

    async def for_guild(self, guild_id: int) -> list[Feed]:
        """The feeds this server follows, by title (case-insensitive)."""
        ...

    async def by_url(self, url: str) -> Feed | None:
        """The feed at this URL, whichever servers follow it; None when the bot has none."""
        ...

    async def lease_due(
        self, now: int, limit: int, owner: str, until: int, *, excluding: Collection[int] = ()
    ) -> list[Feed]:
        """Take the feeds to poll now and lease them to `owner` until `until`, in one
        transaction: not paused, `next_poll` at or before `now`, not leased by another owner
        (`lease_until` after `now`), not among `excluding` (those the owner is polling), the
        longest waiting first, at most `limit`. Two owners at once never get the same feed;
        an owner gets its own leased feeds again (a poll that could not record its end).
        `polled` and `failed` end the lease."""
        ...

    async def renew_leases(self, owner: str, until: int) -> None:
        """Extend every lease `owner` holds to `until` (it is still polling them)."""
        ...

    async def followers(self, feed_id: int) -> list[int]:
        """The ids of the servers following this feed, in no order."""
        ...

    async def unseen(self, feed_id: int, keys: Sequence[str]) -> set[str]:
        """Those of these entry keys not yet recorded for this feed."""
        ...

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
        """Record a successful poll (a 304 included): failures and the last error are
        forgotten, the next poll set and the lease ended; a None title, ETag or
        Last-Modified keeps the stored one. A paused feed stays paused."""
        ...

    async def failed(self, feed_id: int, error: str, *, next_poll: int, pause_after: int) -> Feed:
        """Count a failed poll and keep its error, and end the lease; the feed is paused when
        it reaches `pause_after` failures in a row. Returns the feed as updated, which must
        exist."""
        ...

    async def resume(self, feed_id: int, now: int) -> None:
        """Unpause the feed and forget its failures; it is due at `now`."""
        ...

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
        """Mark an entry seen, note that the `readers` servers saw its article, and owe its
        card to each target (`pending`), in one transaction: a crash before leaves the entry
        new, after it the cards are owed. Returns how many cards are newly owed (an article
        already carded in a channel, from another feed say, owes nothing there), so it is
        idempotent: recording an entry again owes nothing. With no article (the page could
        not be read) the entry is only marked seen."""
        ...


class SubscriptionRepository(Protocol):
    """Topic subscriptions: one per channel and topic (the topic's canonical text). A
    subscription is paused, not deleted, when the bot can no longer post in its channel."""

    async def add(self, guild_id: int, channel_id: int, topic: str, created_by: int) -> bool:
        """Subscribe the channel to the topic; False if it already was. Either way every
        paused subscription of the channel resumes (its permissions are back)."""
        ...

    async def remove(self, channel_id: int, topic: str) -> bool:
        """Unsubscribe; False if there was no such subscription."""
        ...

    async def in_guild(self, guild_id: int, channel_id: int | None = None) -> list[Subscription]:
        """The server's subscriptions, paused ones included, only this channel's when given;
        by channel, then topic."""
        ...

    async def active(self, guild_ids: Sequence[int] | None = None) -> list[Subscription]:
        """The subscriptions not paused, of these servers or (None) of all, oldest first."""
        ...

    async def pause_channel(self, channel_id: int) -> int:
        """Pause every subscription of the channel; returns how many were not paused yet.
        `add` in that channel resumes them."""
        ...


class DeliveryRepository(Protocol):
    """The cards owed, in flight and posted: one per article and channel, ever, in any state.

    States: `pending` (to post) -> `sending` (claimed; a post may be in flight) -> `sent`
    (posted) or back to `pending` (retry); `pending` or `sending` -> `failed` (given up).
    Cards are claimed, and marked sent, many at a time: after a crash a `sending` card may or
    may not be out, so the caller reconciles it against the channel.
    """

    async def create(
        self, target: DeliveryTarget, article_id: int, *, claimed_at: int | None = None
    ) -> Delivery | None:
        """Owe one card (`pending`); None when this channel already has a delivery of this
        article, in whatever state. With `claimed_at` (/post) it is recorded already claimed
        (`sending`, one attempt), so no sender takes it and the caller posts it."""
        ...

    async def find(self, channel_id: int, article_id: int) -> Delivery | None:
        """The delivery of this article in this channel, in whatever state; None if none."""
        ...

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
        """The deliveries in this state, oldest first, at most `limit`, and at most
        `per_channel` of each channel (its oldest) when given; none in the channels
        `excluding` names, only in those `only` names when given, and, with `free_for`
        (owner, now), none in a channel another owner holds at that moment."""
        ...

    async def claim(self, delivery_ids: Sequence[int], now: int) -> list[Delivery]:
        """Take pending cards to post them, in one transaction committed before the posts:
        `sending` since `now`, one more attempt each. Returns those taken, oldest first; a
        card not pending any more (someone else took it) or gone is left out."""
        ...

    async def sent(self, marks: Sequence[tuple[int, int]], now: int) -> None:
        """Record cards posted, as (delivery id, message id) pairs, at `now`, in one
        transaction: `sent`, from whatever state (the message exists), last error cleared."""
        ...

    async def retry(self, delivery_ids: Sequence[int], error: str, *, tried: bool = True) -> None:
        """Cards in flight (`sending`) go back to `pending` with this error; a card in any
        other state is left as it is (one failed meanwhile stays failed). `tried=False` gives
        back cards claimed but never posted: their claim is not counted as an attempt."""
        ...

    async def give_up(
        self, error: str, *, delivery_id: int | None = None, channel_id: int | None = None
    ) -> None:
        """Fail (`failed`, with this error) one delivery, or every open one (`pending` or
        `sending`) of a channel; sent and failed cards are left as they are."""
        ...

    async def sent_since(self, channel_id: int, since: int) -> int:
        """How many cards were posted in this channel at or after `since` (epoch seconds)."""
        ...


class ProcessRepository(Protocol):
    """The precis processes working on this database, each with its last heartbeat."""

    async def register(self, process: ProcessInfo) -> None:
        """Add a process that has just started (its heartbeat is its start)."""
        ...

    async def beat(self, process_id: str, now: int) -> None:
        """Record that the process is alive at `now`."""
        ...

    async def live(self, since: int) -> list[str]:
        """The ids of the processes whose last heartbeat is at or after `since`, in order."""
        ...

    async def in_pid_space(self, pid_space: str) -> list[ProcessInfo]:
        """The processes registered from this machine and pid namespace, by id."""
        ...

    async def forget(self, process_id: str, now: int) -> None:
        """Remove a process (stopped cleanly, or found dead), and end its feed leases and
        channel claims at `now`, in one transaction: the others may take them at once."""
        ...


class ChannelClaimRepository(Protocol):
    """Which process sends each channel's cards, until when: one at a time, so that a
    channel's cards go in order and once. A claim whose `until` has passed is free."""

    async def hold(
        self, channel_ids: Collection[int], owner: str, now: int, until: int
    ) -> list[int]:
        """Hold these channels for `owner` until `until`, each that is free, expired or held
        by `owner` already, in one transaction; the channels now held, in order. A channel
        another owner holds beyond `now` is left out."""
        ...

    async def renew(self, owner: str, until: int) -> None:
        """Extend every claim `owner` holds to `until`."""
        ...

    async def release(self, channel_ids: Collection[int], owner: str) -> None:
        """Give up `owner`'s claims on these channels (others' are left alone)."""
        ...


class Storage(Protocol):
    """One open database: its repositories, made once and shared by every caller."""

    @property
    def guild_settings(self) -> GuildSettingsRepository:
        """Per-server settings."""
        ...

    @property
    def articles(self) -> ArticleRepository:
        """Articles, their URLs, sightings and cached summaries."""
        ...

    @property
    def quotes(self) -> QuoteRepository:
        """Quotes and their speakers."""
        ...

    @property
    def feeds(self) -> FeedRepository:
        """Followed feeds and their seen entries."""
        ...

    @property
    def subscriptions(self) -> SubscriptionRepository:
        """Topic subscriptions of channels."""
        ...

    @property
    def deliveries(self) -> DeliveryRepository:
        """Cards owed and posted."""
        ...

    @property
    def processes(self) -> ProcessRepository:
        """The processes working on the database, and their heartbeats."""
        ...

    @property
    def channel_claims(self) -> ChannelClaimRepository:
        """Which process sends each channel's cards."""
        ...

    async def counts(self) -> dict[str, int]:
        """Row counts for /about, by what a user would call them ("articles", "quotes", ...)."""
        ...

    async def schema_version(self) -> int:
        """The number of the last migration applied to the open database."""
        ...

    async def purge(self, before: int, *, keep_entries: int, limit: int) -> PurgeReport:
        """Delete what is older than `before` (epoch seconds), keeping what dedupe needs.

        Goes: each article stored before then, with its quotes (out of the search index too),
        summaries, URLs and sightings, unless a card is still owed for it (`pending` or
        `sending`) or was recorded since; sent and failed cards recorded before then; the
        people no quote names any more; and each feed's entries seen before then, all but
        its newest `keep_entries` (an entry its feed still lists must stay seen: feeds list
        100 at most). An entry whose article goes stays seen, without its article.

        Deletes `limit` rows at most per transaction, so other writes wait for one batch at
        most, never for the whole purge. ValueError when `keep_entries` is under 1."""
        ...

    async def close(self) -> None:
        """Close the database (committed writes are in the file); the storage is unusable
        afterwards."""
        ...
