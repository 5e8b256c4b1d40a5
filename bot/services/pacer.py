"""The pace of the requests the bot makes to deliver cards: one budget for every channel."""

from __future__ import annotations

import asyncio


class Pacer:
    """Spaces requests evenly, at most `rate` a second, whoever makes them: Discord gives a
    bot one global budget (50 requests a second), and a bot that goes over it gets 429s, which
    count towards a ban. Like MonitoRSS's fixed cap, it paces before Discord has to.

    Each caller takes the next free slot, `1 / rate` seconds after the one before, and sleeps
    until it; an idle pacer lets the next request go at once, never a burst."""

    def __init__(self, rate: float) -> None:
        self.interval = 1 / rate
        self._next_slot = 0.0  # in the event loop's time

    async def wait(self) -> None:
        """Return when this request may go."""
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval  # taken before sleeping: no await in between
        if slot > now:
            await asyncio.sleep(slot - now)
