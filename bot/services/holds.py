"""The channels this process sends cards in: one process at a time holds a channel, so that
its cards go out in order and once (see `bot.services.dispatcher`)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.services.clock import Clock
from bot.storage import ChannelClaimRepository


@dataclass(eq=False, slots=True)
class Hold:
    """This process's claim on one channel, until `until` (renewed in place). A new claim
    after one lapsed is a new `Hold`: work begun under the old one must not go on."""

    until: int


class ChannelHolds:
    """This process's channel claims, as stored (`channel_claims`) and as it last wrote
    them: `take` holds channels, the heartbeat `renew`s them, `release` gives them back."""

    def __init__(self, claims: ChannelClaimRepository, clock: Clock, owner: str, seconds: int):
        self._claims = claims
        self._clock = clock
        self._owner = owner
        self._seconds = seconds
        self._held: dict[int, Hold] = {}
        self._taking = asyncio.Lock()
        self.processes = 1  # live on the database, as the last heartbeat counted them

    @property
    def owner(self) -> str:
        """The process these holds are for."""
        return self._owner

    def current(self, channel_id: int) -> Hold | None:
        """The channel's hold, if this process holds it now."""
        hold = self._held.get(channel_id)
        return hold if hold is not None and hold.until > self._clock.now() else None

    def still(self, channel_id: int, hold: Hold) -> bool:
        """Whether `hold` is still this process's hold on the channel, unexpired."""
        return self.current(channel_id) is hold

    def held(self) -> set[int]:
        """The channels held now."""
        return {channel for channel in self._held if self.current(channel) is not None}

    def fair_share(self, wanted: Sequence[int]) -> list[int]:
        """Those of the channels `wanted` (in order) this process should take: the ones it
        holds, and new ones up to its part of them all (a part per live process), so that
        one process does not take every channel while the others wait."""
        channels, held = list(dict.fromkeys(wanted)), self.held()
        share = math.ceil(len(held | set(channels)) / self.processes)
        new = [channel for channel in channels if channel not in held]
        return [channel for channel in channels if channel in held] + new[
            : max(0, share - len(held))
        ]

    async def take(self, channel_ids: Collection[int]) -> tuple[set[int], set[int]]:
        """Hold whichever of these channels are free, expired or this process's already:
        those held now, and of them those newly taken (not held a moment ago), whose cards
        left `sending` are someone else's, or a lapsed hold's, to reconcile."""
        async with self._taking:
            now = self._clock.now()
            until = now + self._seconds
            got = set(await self._claims.hold(channel_ids, self._owner, now, until))
            fresh = {channel for channel in got if self.current(channel) is None}
            for channel in set(channel_ids) - got:
                self._held.pop(channel, None)
            for channel in got:
                if channel in fresh:
                    self._held[channel] = Hold(until)
                else:
                    self._held[channel].until = until
            return got, fresh

    async def renew(self, now: int) -> None:
        """Keep every channel held another lease from `now` (the heartbeat)."""
        until = now + self._seconds
        await self._claims.renew(self._owner, until)
        for hold in self._held.values():
            if hold.until > now:  # a lapsed one may be another's now: taken again, not renewed
                hold.until = until

    async def release(self, channel_ids: Collection[int]) -> None:
        """Give these channels back."""
        if channel_ids:
            await self._claims.release(channel_ids, self._owner)
            for channel in channel_ids:
                self._held.pop(channel, None)

    def lapse(self, channel_ids: Collection[int]) -> None:
        """Forget these holds here, not in storage: the next `take` of each is a fresh one,
        so the cards left `sending` there are read again."""
        for channel in channel_ids:
            self._held.pop(channel, None)

    def clear(self) -> None:
        """Forget every hold: the process stopped, and storage ended them."""
        self._held.clear()
