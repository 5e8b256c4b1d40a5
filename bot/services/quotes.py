"""What was said in a server's articles: quotes found by words, by speaker or by article, and
the person a member means by a name typed in part or misspelt.

`shown_speaker` is part of this service's interface: who a reader is shown as a quote's
speaker is decided here, in the core, and every cog shows it the same way.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.errors import UserError
from bot.model import QuoteHit, SpeakerCount, StoredArticle
from bot.pipeline.quotes import shown_speaker
from bot.pipeline.speakers import match_speakers
from bot.services.desk import NewsDesk, Progress
from bot.storage import Storage

__all__ = [
    "ArticleQuotes",
    "EmptyQuery",
    "Found",
    "NoMatchingQuotes",
    "NoQuotesInArticle",
    "QuoteSearch",
    "SpeakerQuotes",
    "UnknownSpeaker",
    "shown_speaker",
]

SUGGESTIONS = 5  # the most quoted people an error suggests


def names(speakers: tuple[SpeakerCount, ...]) -> str:
    """The speakers' names, for a plain message."""
    return ", ".join(speaker.name for speaker in speakers)


class EmptyQuery(UserError):
    """A search with no word in it."""

    def __init__(self) -> None:
        super().__init__("Type some words to look for.")


class UnknownSpeaker(UserError):
    """No one quoted in the server goes by the name typed; `suggestions` are the most quoted
    people there (none when no one has been quoted)."""

    def __init__(self, typed: str, suggestions: tuple[SpeakerCount, ...]) -> None:
        known = f" People quoted here: {names(suggestions)}." if suggestions else ""
        super().__init__(f"No one called “{typed}” has been quoted here yet.{known}")
        self.typed = typed
        self.suggestions = suggestions


class NoMatchingQuotes(UserError):
    """No quote (by `speaker`, when given) holds the words searched for; `suggestions` are
    the most quoted people in the server, whose quotes there are."""

    def __init__(
        self, query: str, speaker: SpeakerCount | None, suggestions: tuple[SpeakerCount, ...]
    ) -> None:
        by = f" by {speaker.name}" if speaker else ""
        hint = f" Try a speaker: {names(suggestions)}." if suggestions else ""
        super().__init__(f"No quotes{by} match “{query}”.{hint}")
        self.query = query
        self.speaker = speaker
        self.suggestions = suggestions


class NoQuotesInArticle(UserError):
    """The article quotes no one."""

    def __init__(self) -> None:
        super().__init__("I found no quotes in that article.")


@dataclass(frozen=True, slots=True)
class Found:
    """Quotes found, and the person they are limited to, if any."""

    hits: list[QuoteHit]
    speaker: SpeakerCount | None = None


@dataclass(frozen=True, slots=True)
class SpeakerQuotes:
    """A person's quotes, newest first."""

    speaker: SpeakerCount
    hits: list[QuoteHit]


@dataclass(frozen=True, slots=True)
class ArticleQuotes:
    """An article and its quotes, in the order of its text."""

    stored: StoredArticle
    hits: list[QuoteHit]


class QuoteSearch:
    """Finds the quotes seen in a server, and the people who said them, from what a member
    typed. Errors carry what a caller needs to word them (the name or words typed, the most
    quoted people to suggest)."""

    def __init__(self, storage: Storage, desk: NewsDesk) -> None:
        self.storage = storage
        self.desk = desk

    async def speakers_like(self, guild_id: int, typed: str) -> list[SpeakerCount]:
        """The people quoted in the server whose name best matches `typed` (see
        `match_speakers`); the most quoted when nothing is typed."""
        speakers = await self.desk.speakers.of(guild_id)
        # In a worker thread: a server may have quoted thousands of people.
        return await asyncio.to_thread(match_speakers, typed, speakers)

    async def speaker(self, guild_id: int, typed: str) -> SpeakerCount:
        """The person quoted in the server that `typed` names best; raises `UnknownSpeaker`."""
        speakers = await self.desk.speakers.of(guild_id)
        matches = await asyncio.to_thread(match_speakers, typed, speakers, limit=1)
        if not matches:
            raise UnknownSpeaker(typed, tuple(speakers[:SUGGESTIONS]))
        return matches[0]

    async def search(self, guild_id: int, query: str, speaker: str | None = None) -> Found:
        """The server's quotes holding the words of `query`, best first, only those of the
        person `speaker` names when given. Raises `EmptyQuery`, `UnknownSpeaker` or, when
        none match, `NoMatchingQuotes`."""
        if not any(ch.isalnum() for ch in query):
            raise EmptyQuery()
        person = await self.speaker(guild_id, speaker) if speaker else None
        hits = await self.storage.quotes.search(
            guild_id, query, speaker=person.key if person else None
        )
        if not hits:
            suggestions = (await self.desk.speakers.of(guild_id))[:SUGGESTIONS]
            raise NoMatchingQuotes(query, person, tuple(suggestions))
        return Found(hits, person)

    async def by_speaker(self, guild_id: int, typed: str) -> SpeakerQuotes:
        """The quotes of the person `typed` names, newest first; raises `UnknownSpeaker`."""
        person = await self.speaker(guild_id, typed)
        return SpeakerQuotes(person, await self.storage.quotes.by_speaker(guild_id, person.key))

    async def in_article(
        self, url: str, *, guild_id: int | None, progress: Progress
    ) -> ArticleQuotes:
        """The quotes of the article at `url`, read by the desk (see `NewsDesk.read_url`,
        whose errors pass through) if it is not stored yet; raises `NoQuotesInArticle`."""
        stored = await self.desk.read_url(url, guild_id=guild_id, progress=progress)
        hits = await self.storage.quotes.for_article(stored.id)
        if not hits:
            raise NoQuotesInArticle()
        return ArticleQuotes(stored, hits)
