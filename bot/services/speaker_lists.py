"""Each server's quoted people, kept between keystrokes: speaker autocomplete asks for them at
every key, and reading them counts every quote the server has seen.

A server's list is dropped when this process stores quotes it sees (`forget`) or purges
quotes (`forget_all`), and is read again at most `ttl` seconds after it was read whatever
happens: another process sharing a PostgreSQL database (a worker polling feeds) does not tell
this one, and an article whose text changed changes the lists of every server that saw it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.model import SpeakerCount
from bot.services.clock import Clock
from bot.storage import QuoteRepository

TTL_SECONDS = 60


class SpeakerLists:
    """`QuoteRepository.speakers` of each server, cached; concurrent askers of a server whose
    list is not cached share one read."""

    def __init__(
        self, quotes: QuoteRepository, clock: Clock | None = None, ttl: int = TTL_SECONDS
    ) -> None:
        self.quotes = quotes
        self.clock = clock or Clock()
        self.ttl = ttl
        self._lists: dict[int, tuple[int, list[SpeakerCount]]] = {}  # server -> (read at, list)
        self._reading: dict[int, asyncio.Task[list[SpeakerCount]]] = {}
        # Counts every `forget`: a read that started before one is not kept (it may be stale).
        self._changes = 0

    async def of(self, guild_id: int) -> list[SpeakerCount]:
        """The people quoted in the server, most quoted first (see `QuoteRepository.speakers`)."""
        cached = self._lists.get(guild_id)
        if cached is not None and self.clock.now() - cached[0] < self.ttl:
            return cached[1]
        reading = self._reading.get(guild_id)
        if reading is None:
            reading = asyncio.ensure_future(self._read(guild_id))
            self._reading[guild_id] = reading
            reading.add_done_callback(lambda done: self._read_done(guild_id, done))
        return await asyncio.shield(reading)

    async def _read(self, guild_id: int) -> list[SpeakerCount]:
        changes, read_at = self._changes, self.clock.now()
        speakers = await self.quotes.speakers(guild_id)
        if changes == self._changes:
            self._drop_expired(read_at)
            self._lists[guild_id] = (read_at, speakers)
        return speakers

    def _read_done(self, guild_id: int, done: asyncio.Task[list[SpeakerCount]]) -> None:
        if self._reading.get(guild_id) is done:
            del self._reading[guild_id]

    def _drop_expired(self, now: int) -> None:
        """Forget the lists no one asked for within their ttl: servers come and go."""
        for guild_id, (read_at, _) in list(self._lists.items()):
            if now - read_at >= self.ttl:
                del self._lists[guild_id]

    def forget(self, guild_ids: Iterable[int]) -> None:
        """These servers' quotes changed: their next list is read again."""
        self._changes += 1
        for guild_id in guild_ids:
            self._lists.pop(guild_id, None)
            self._reading.pop(guild_id, None)

    def forget_all(self) -> None:
        """Quotes of any server may have changed (a purge): every list is read again."""
        self._changes += 1
        self._lists.clear()
        self._reading.clear()
