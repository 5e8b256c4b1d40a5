"""Discord as the feed services see it: the `Poster` protocol, the cards it posts, the notices
it tells admins, and the ways it fails. The articles cog implements it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from bot.model import Quote, StoredArticle, Summary


class ChannelUnavailable(Exception):
    """The channel is gone, or the bot may no longer post in it."""


class DiscordUnavailable(Exception):
    """A post or a read failed for a reason that may pass (an outage, a rate limit)."""


class PostUncertain(DiscordUnavailable):
    """No answer came (a timeout, a dropped connection): the card may or may not be in its
    channel, so it is looked for there before it is posted again."""


class CardRefused(Exception):
    """Discord refused this card (a 4xx other than 403, 404 and 429): posting it again would
    be refused again, and each refusal counts towards a ban."""


@dataclass(frozen=True, slots=True)
class Card:
    """What a poster renders for one delivery: the article, its summary and key quote."""

    stored: StoredArticle
    summary: Summary
    requested: int  # the sentences asked for (the summary may have fewer)
    key_quote: Quote | None
    topic: str | None  # the subscription that matched; None for /post


@dataclass(frozen=True, slots=True)
class FeedPaused:
    """A feed paused after `failures` failed polls in a row; `error` is the last one."""

    title: str
    url: str
    failures: int
    error: str


@dataclass(frozen=True, slots=True)
class ChannelLost:
    """A channel the bot may no longer post in; its `paused` subscriptions are paused."""

    channel_id: int
    error: str
    paused: int


# What a server's admins are told; the poster words it for them.
AdminNotice = FeedPaused | ChannelLost


class Poster(Protocol):
    """Discord as the poller and the dispatcher see it (the articles cog, `cogs/articles.py`,
    implements it)."""

    async def post(self, channel_id: int, card: Card) -> int:
        """Post the card; return its message id. Raises ChannelUnavailable (also before any
        request, when the bot's permissions in the channel are known to fall short),
        DiscordUnavailable or CardRefused."""
        ...

    async def find_cards(
        self, channel_id: int, urls: Collection[str], after: int
    ) -> dict[str, int]:
        """The ids of the cards for these `urls` this bot posted in the channel since `after`
        (unix time), by URL, those found, however many messages came after them, in one read
        of the channel's history. Raises ChannelUnavailable or DiscordUnavailable."""
        ...

    async def notify_admins(self, guild_id: int, notice: AdminNotice) -> None:
        """Tell the server's admins (in its `admin_channel`); a notice Discord does not take
        is logged and dropped, not raised."""
        ...
