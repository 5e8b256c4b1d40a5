"""The records every layer hands to the next: articles, quotes, summaries, and what storage
keeps of feeds, subscriptions and deliveries.

The lowest layer: it imports nothing of the project (tests/test_layers.py holds it so), so
storage, the news pipeline and the cogs can all share these without importing each other.
Their logic lives with the code that makes them (`bot.pipeline.quotes`, `bot.pipeline.summarize`).
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple, dataclass, field
from enum import StrEnum

PARAGRAPH_SEPARATOR = "\n\n"
# The summary methods, by name; `bot.pipeline.summarize` refuses to load unless it has exactly
# these. Here so that settings can be checked without loading the summarizers.
SUMMARY_METHODS: tuple[str, ...] = (
    "precis",
    "lead",
    "lexrank",
    "textrank",
    "lsa",
    "luhn",
    "kl",
    "sumbasic",
)
DEFAULT_SUMMARY_METHOD = "precis"
# How much of a long text every summary method but Lead-N reads: its first sentences within
# its first characters. `bot.pipeline.summarize` cuts there; here so that a card can say so
# without loading the summarizers.
SUMMARY_MAX_SENTENCES = 200
SUMMARY_MAX_CHARACTERS = 30_000


@dataclass(frozen=True, slots=True)
class Article:
    """An article's text as paragraphs, plus what the page said about it.

    `text` joins the paragraphs with a blank line; quote offsets index into it.
    """

    title: str
    paragraphs: tuple[str, ...]
    url: str | None = None
    author: str | None = None
    published: str | None = None
    site_name: str | None = None
    image: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def text(self) -> str:
        """The paragraphs joined by blank lines: what quote offsets index."""
        return PARAGRAPH_SEPARATOR.join(self.paragraphs)

    @property
    def content_hash(self) -> str:
        """Identifies the same story reached through different URLs."""
        return hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()

    @property
    def word_count(self) -> int:
        """Words, split on whitespace."""
        return sum(len(paragraph.split()) for paragraph in self.paragraphs)


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation in an article, with who said it when the text tells.

    `start` and `end` index `Article.text`. `speaker` is the speaker phrase as written near
    the quote ("he", "Sullivan"), `speaker_resolved` the person it means, by full name
    without title; `description` is the role the article gives them, `cue` the verb that
    attributes the quote ("said"), `sentence` the sentence around it.
    """

    text: str
    start: int
    end: int
    speaker: str | None
    speaker_resolved: str | None
    description: str | None
    cue: str | None
    sentence: str


@dataclass(frozen=True, slots=True)
class FiledQuote:
    """A quote to store, with the person it is filed under: their name and `speaker_key`,
    both None when no one is named (the caller finds them, storage only keeps them)."""

    quote: Quote
    speaker_name: str | None
    speaker_key: str | None


@dataclass(frozen=True, slots=True)
class Summary:
    """The sentences a summary method picked from an article, of its `total_sentences`."""

    method: str
    sentences: tuple[str, ...]  # in document order
    total_sentences: int
    cut: bool = False  # the method read only the text's opening (SUMMARY_MAX_SENTENCES)


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article with its id in storage."""

    id: int
    article: Article


@dataclass(frozen=True, slots=True)
class QuoteHit:
    """A stored quote with the article it came from."""

    quote: Quote
    article_id: int
    title: str
    url: str | None
    site_name: str | None
    published: str | None


@dataclass(frozen=True, slots=True)
class SpeakerCount:
    """A person quoted, by the longest spelling of their name seen, and how many quotes."""

    key: str  # speaker_key of the name
    name: str
    quotes: int


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    """A precis process working on the database: `id` is a uuid made at its start, `kind`
    `run` (with the gateway) or `worker`, `pid_space` the machine and pid namespace its `pid`
    is in ('' when unknown); times are unix seconds."""

    id: str
    kind: str
    host: str
    pid: int
    pid_space: str
    started_at: int


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed the bot polls for every server that follows it. Times are unix seconds;
    `etag` and `last_modified` are the validators of its last successful poll, `failures`
    the failed polls in a row (it is `paused` after too many, until resumed)."""

    id: int
    url: str
    title: str
    etag: str | None
    last_modified: str | None
    last_success: int | None
    last_error: str | None
    failures: int
    next_poll: int
    paused: bool


@dataclass(frozen=True, slots=True)
class Subscription:
    """A channel's topic (its canonical text); `paused` while the bot cannot post there."""

    id: int
    guild_id: int
    channel_id: int
    topic: str
    paused: bool


@dataclass(frozen=True, slots=True)
class DeliveryTarget:
    """Where a card goes, and the topic that sent it there (None for /post)."""

    guild_id: int
    channel_id: int
    topic: str | None


class DeliveryState(StrEnum):
    """Where a card is on its way (see `bot.storage.base.DeliveryRepository`)."""

    PENDING = "pending"  # owed
    SENDING = "sending"  # claimed for posting; it may or may not have reached Discord
    SENT = "sent"
    FAILED = "failed"  # given up


class PostOutcome(StrEnum):
    """What became of posting one claimed card."""

    SENT = "sent"
    RETRY = "retry"  # pending again: Discord did not take it just now
    FAILED = "failed"
    LOST = "lost"  # the channel can't be posted in: its other cards failed with it
    UNANSWERED = "unanswered"  # still sending: its channel is read before it is posted again


@dataclass(frozen=True, slots=True)
class Delivery:
    """One card for one article in one channel, owed, in flight, posted or given up.
    Times are unix seconds; `attempts` counts the tries to post it (a claim given back
    untried, behind a card that must wait, does not count)."""

    id: int
    guild_id: int
    channel_id: int
    article_id: int
    topic: str | None
    state: DeliveryState
    created_at: int
    attempts: int
    message_id: int | None
    sending_at: int | None  # when it was last claimed for posting


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What one purge deleted, in rows of each kind (summaries, sightings and URLs went with
    their articles)."""

    articles: int = 0
    quotes: int = 0
    deliveries: int = 0
    feed_entries: int = 0
    speakers: int = 0  # people no stored quote names any more

    def __add__(self, other: PurgeReport) -> PurgeReport:
        pairs = zip(astuple(self), astuple(other), strict=True)
        return PurgeReport(*(mine + theirs for mine, theirs in pairs))
