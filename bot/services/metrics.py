"""What the feed services tell the metrics, through one small recorder passed in.

The services record events (a poll, a fetch error, a card sent...) through `Metrics`; how they
are counted and shown (Prometheus, in `bot.monitoring`) is the edge's business, so the core
imports nothing of it. `NO_METRICS` records nothing, for services made without a recorder.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.model import Article, Delivery

ISO_DATE_LENGTH = len("2026-12-05")  # a `published` this short has no time of day
# The scopes of Discord's 429s (its `X-RateLimit-Scope` header), and `unknown` for one that
# says none (a Cloudflare ban).
RATE_LIMIT_SCOPES = ("user", "global", "shared", "unknown")


class PollOutcome(StrEnum):
    """What became of one feed's poll."""

    FETCHED = "fetched"  # read and parsed (new entries or not)
    NOT_MODIFIED = "not_modified"  # a 304: nothing new since the last poll
    FAILED = "failed"  # a fetch error, not a feed, or a bug (logged)


class Loop(StrEnum):
    """The background loops whose passes are recorded, so /healthz can tell they still run."""

    POLL = "poll"
    SEND = "send"


class Metrics(Protocol):
    """The events the feed services record. Each call is cheap and never raises."""

    def polled(self, outcome: PollOutcome) -> None:
        """One feed was polled, with this outcome."""
        ...

    def fetch_failed(self, error: Exception) -> None:
        """A feed's poll failed with this error (a `FetchError`, a `FeedError`, or a bug)."""
        ...

    def article_read(self) -> None:
        """A new feed entry's article was read (or the feed's summary stood in for it)."""
        ...

    def cards_owed(self, count: int) -> None:
        """`count` cards were newly owed (recorded `pending`)."""
        ...

    def card_sent(self, latency: float | None) -> None:
        """A card reached its channel; `latency`: seconds from its article's publication to
        the post, for a feed's card (None for /post's)."""
        ...

    def discord_429(self, scope: str) -> None:
        """Discord answered a request with a 429 of this scope (one of RATE_LIMIT_SCOPES)."""
        ...

    def loop_ran(self, loop: Loop) -> None:
        """A pass of this background loop ended."""
        ...


class NoMetrics:
    """A recorder that records nothing."""

    def polled(self, outcome: PollOutcome) -> None:
        """See `Metrics.polled`."""

    def fetch_failed(self, error: Exception) -> None:
        """See `Metrics.fetch_failed`."""

    def article_read(self) -> None:
        """See `Metrics.article_read`."""

    def cards_owed(self, count: int) -> None:
        """See `Metrics.cards_owed`."""

    def card_sent(self, latency: float | None) -> None:
        """See `Metrics.card_sent`."""

    def discord_429(self, scope: str) -> None:
        """See `Metrics.discord_429`."""

    def loop_ran(self, loop: Loop) -> None:
        """See `Metrics.loop_ran`."""


NO_METRICS = NoMetrics()  # it holds nothing, so one serves every service


def published_at(article: Article, first_seen: int) -> float:
    """When an article came out, in unix seconds: its `published` time when that names a
    moment (a date with a time of day and a zone, as feeds give) no later than `first_seen`;
    else `first_seen`, when the bot first saw it (a page's date alone has no time of day)."""
    published = article.published or ""
    if len(published) <= ISO_DATE_LENGTH:
        return first_seen
    try:
        moment = datetime.fromisoformat(published)
    except ValueError:
        return first_seen
    if moment.tzinfo is None:  # a local time of somewhere unknown
        return first_seen
    return min(moment.timestamp(), first_seen)


def delivery_latency(delivery: Delivery, article: Article, now: int) -> float | None:
    """Seconds from a feed card's article's publication to its post at `now`; None for a
    card /post made (its article may be of any age). The delivery was recorded in the same
    transaction that marked its feed entry seen: its `created_at` is when the bot first saw
    the entry."""
    if delivery.topic is None:
        return None
    return max(0.0, now - published_at(article, delivery.created_at))
