"""What both backends share: the columns they read and the records made from those rows.

A row is an `aiosqlite.Row` or an `asyncpg.Record`: both are read by column name and iterate
over their values in column order.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any, Protocol

from bot.model import Article, Delivery, DeliveryState, Feed, Quote, QuoteHit, StoredArticle

SEARCH_LIMIT = 100  # results of a quote search or of one speaker's quotes
SEARCH_WORD = re.compile(r"\w+")
LIKE_SPECIAL = re.compile(r"[%_\\]")

ARTICLE_COLUMNS = "id, url, title, paragraphs, author, published, site_name, image"
HIT_COLUMNS = (
    'q.text, q.start, q."end", q.speaker, q.speaker_resolved, q.description, q.cue, q.sentence, '
    "a.id AS article_id, a.title, a.url, a.site_name, a.published, a.created_at"
)
# A server's quotes counted by speaker, from the (article_id, speaker_id) index alone (V7):
# the speakers' names are joined to the counts afterwards, once per person, not per quote.
SPEAKER_COUNTS = (
    "SELECT q.speaker_id, COUNT(*) AS quotes FROM article_sightings g "
    "JOIN quotes q ON q.article_id = g.article_id "
    "WHERE g.guild_id = {guild} AND q.speaker_id IS NOT NULL GROUP BY q.speaker_id"
)
# A feed's columns as a statement's RETURNING names them (SQLite's takes no table prefix)...
FEED_FIELDS = (
    "id, url, title, etag, last_modified, last_success, last_error, failures, next_poll, paused"
)
# ...and as a query of `feeds f` (joined to other tables) names them.
FEED_COLUMNS = ", ".join(f"f.{column}" for column in FEED_FIELDS.split(", "))
PROCESS_COLUMNS = "id, kind, host, pid, pid_space, started_at"
DELIVERY_COLUMNS = (
    "id, guild_id, channel_id, article_id, topic, state, created_at, attempts, message_id, "
    "sending_at"
)


class Row(Protocol):
    """A result row of either backend."""

    def __getitem__(self, key: str) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


def search_words(text: str) -> list[str]:
    """The words of a user's quote search: its runs of letters and digits, nothing else, so
    that query syntax typed by a user is only text."""
    return SEARCH_WORD.findall(text)


def ending_with(word: str) -> str:
    """A LIKE pattern (with `\\` as its escape) for a key whose last word is `word`."""
    return "% " + LIKE_SPECIAL.sub(lambda special: "\\" + special.group(), word)


def article_from_row(row: Row) -> StoredArticle:
    """A `StoredArticle` from a row of `ARTICLE_COLUMNS`."""
    article = Article(
        title=row["title"],
        paragraphs=tuple(json.loads(row["paragraphs"])),
        url=row["url"],
        author=row["author"],
        published=row["published"],
        site_name=row["site_name"],
        image=row["image"],
    )
    return StoredArticle(row["id"], article)


def hit_from_row(row: Row) -> QuoteHit:
    """A `QuoteHit` from a row of `HIT_COLUMNS`."""
    quote = Quote(
        text=row["text"],
        start=row["start"],
        end=row["end"],
        speaker=row["speaker"],
        speaker_resolved=row["speaker_resolved"],
        description=row["description"],
        cue=row["cue"],
        sentence=row["sentence"],
    )
    return QuoteHit(
        quote=quote,
        article_id=row["article_id"],
        title=row["title"],
        url=row["url"],
        site_name=row["site_name"],
        published=row["published"],
    )


def feed_from_row(row: Row) -> Feed:
    """A `Feed` from a row of `FEED_COLUMNS`."""
    return Feed(*row)


def delivery_from_row(row: Row) -> Delivery:
    """A `Delivery` from a row of `DELIVERY_COLUMNS`, its state as a `DeliveryState`."""
    delivery = Delivery(*row)
    return dataclasses.replace(delivery, state=DeliveryState(delivery.state))
