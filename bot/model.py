"""The records every layer hands to the next: articles, quotes, summaries, and what storage
keeps of feeds, subscriptions and deliveries.

The lowest layer: it imports nothing of the project (tests/test_layers.py holds it so), so
storage, the news pipeline and the cogs can all share these without importing each other.
Their logic lives with the code that makes them (`bot.news.quotes`, `bot.news.summarize`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

PARAGRAPH_SEPARATOR = "\n\n"
# The summary methods, by name; `bot.news.summarize` refuses to load unless it has exactly
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
        return PARAGRAPH_SEPARATOR.join(self.paragraphs)

    @property
    def content_hash(self) -> str:
        """Identifies the same story reached through different URLs."""
        return hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()

    @property
    def word_count(self) -> int:
        return sum(len(paragraph.split()) for paragraph in self.paragraphs)


@dataclass(frozen=True, slots=True)
class Quote:
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
    method: str
    sentences: tuple[str, ...]  # in document order
    total_sentences: int
    cut: bool = False  # the method read only the text's opening (see MAX_SENTENCES)


@dataclass(frozen=True, slots=True)
class StoredArticle:
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
    key: str  # speaker_key of the name
    name: str
    quotes: int


@dataclass(frozen=True, slots=True)
class Feed:
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


@dataclass(frozen=True, slots=True)
class Delivery:
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
