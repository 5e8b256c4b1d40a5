"""The feed service: the feeds a server follows, and what following one would post."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

from bot.errors import UserError
from bot.model import DeliveryTarget, Feed
from bot.pipeline.feeds import FeedEntry, entry_key
from bot.pipeline.topics import MatchDocument
from bot.services.clock import Clock
from bot.services.feed_reader import FeedReader
from bot.services.guild_config import GuildConfig
from bot.services.poller import Poller
from bot.services.subscriptions import match_channels, topic_index
from bot.storage import Storage


class FeedLimitReached(UserError):
    """The server follows as many feeds as its `max_feeds` allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"This server follows {limit} feeds already, its limit. Remove one first.")
        self.limit = limit


class AlreadyFollowing(UserError):
    """The server follows that feed already."""

    def __init__(self, url: str) -> None:
        super().__init__("This server already follows that feed.")
        self.url = url


class NotFollowing(UserError):
    """The server does not follow that feed."""

    def __init__(self, url: str) -> None:
        super().__init__("This server doesn't follow that feed.")
        self.url = url


@dataclass(frozen=True, slots=True)
class AddedFeed:
    """A feed just followed: its URL (the feed's, maybe found from a page), title, the
    entries it lists now, and how many of them were carded (`backfill`)."""

    url: str
    title: str
    entries: tuple[FeedEntry, ...]
    backfilled: int


@dataclass(frozen=True, slots=True)
class DryRunItem:
    """An entry `dry_run` would card, and the channels it would go to (maybe none)."""

    entry: FeedEntry
    targets: tuple[DeliveryTarget, ...]


@dataclass(frozen=True, slots=True)
class DryRun:
    """What polling a feed would card now: the feed's title and each entry's channels."""

    title: str
    items: tuple[DryRunItem, ...]


@dataclass(eq=False)
class FeedService:
    """Which feeds each server follows: follow (and card the backlog), list, unfollow, resume,
    and a dry run.
    One per bot; the feeds cog calls it. Errors a user caused are `UserError`s that carry
    their data, with a plain message that the cog may word for Discord."""

    storage: Storage
    config: GuildConfig
    reader: FeedReader
    poller: Poller
    _: KW_ONLY
    clock: Clock

    async def follow(self, guild_id: int, url: str, user_id: int | None) -> AddedFeed:
        """Follow the feed at `url` (or the one its page names) in this server, and card its
        newest `backfill` entries; the rest of what it lists now is never posted. Raises
        FeedLimitReached at the server's `max_feeds`, AlreadyFollowing, or, when the address
        is no feed, NotAFeed, FetchError or FeedError."""
        settings = await self.config.all(guild_id)
        if len(await self.storage.feeds.for_guild(guild_id)) >= settings.max_feeds:
            raise FeedLimitReached(settings.max_feeds)
        feed_url, parsed = await self.reader.read(url)
        seen = [(entry_key(entry), entry.link) for entry in parsed.entries]
        added = await self.storage.feeds.add(
            guild_id, feed_url, parsed.title, seen=seen, added_by=user_id, now=self.clock.now()
        )
        if not added:
            raise AlreadyFollowing(feed_url)
        feed = await self.storage.feeds.by_url(feed_url)
        assert feed is not None
        backlog = parsed.entries[: settings.backfill]
        for entry in reversed(backlog):  # oldest first, so cards arrive in order
            await self.poller.process_entry(feed, entry, readers=[guild_id])
        return AddedFeed(feed_url, parsed.title, parsed.entries, len(backlog))

    async def followed(self, guild_id: int) -> list[Feed]:
        """The feeds this server follows, by title."""
        return await self.storage.feeds.for_guild(guild_id)

    async def unfollow(self, guild_id: int, url: str) -> None:
        """Stop following a feed in this server; one that no server follows any more is
        forgotten, with its seen entries. Raises NotFollowing."""
        if not await self.storage.feeds.remove(guild_id, url):
            raise NotFollowing(url)

    async def resume(self, guild_id: int, url: str) -> Feed:
        """Unpause a feed this server follows and poll it at once; returns it as it was
        before. Raises NotFollowing."""
        feed = await self._followed(guild_id, url)
        await self.storage.feeds.resume(feed.id, self.clock.now())
        return feed

    async def _followed(self, guild_id: int, url: str) -> Feed:
        feed = await self.storage.feeds.by_url(url)
        if feed is None or guild_id not in await self.storage.feeds.followers(feed.id):
            raise NotFollowing(url)
        return feed

    async def dry_run(self, guild_id: int, url: str) -> DryRun:
        """What polling this feed would post now, and where, without posting or storing.

        A followed feed owes its unseen entries; a new one its newest `backfill`. Matching
        uses each entry's title and summary, as no page is fetched."""
        feed_url, parsed = await self.reader.read(url)
        feed = await self.storage.feeds.by_url(feed_url)
        if feed is not None and guild_id in await self.storage.feeds.followers(feed.id):
            fresh = await self.storage.feeds.unseen(feed.id, [entry_key(e) for e in parsed.entries])
            entries = [entry for entry in parsed.entries if entry_key(entry) in fresh]
        else:
            entries = list(parsed.entries[: (await self.config.all(guild_id)).backfill])
        index = await topic_index(self.storage, [guild_id])
        items = []
        for entry in entries:
            document = MatchDocument.from_texts(
                (entry.title, entry.summary), entry.link, parsed.title
            )
            items.append(DryRunItem(entry, tuple(match_channels(document, index, [guild_id]))))
        return DryRun(parsed.title, tuple(items))
