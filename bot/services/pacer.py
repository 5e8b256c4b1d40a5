"""The pace of the requests the bot makes to deliver cards: one budget for every channel."""

from __future__ import annotations

import asyncio
import math
from collections import deque

WAKE_SLACK = 0.1  # of a slot: how late a sleeper may wake and still count as on time


class Pacer:
    """Spaces requests evenly, at most `rate` a second, whoever makes them: Discord gives a
    bot one global budget (50 requests a second), and a bot that goes over it gets 429s, which
    count towards a ban. Like MonitoRSS's fixed cap, it paces before Discord has to.

    Each caller takes the next free slot, `1 / rate` seconds after the one before, and sleeps
    until it; an idle pacer lets the next request go at once, never a burst. A loop blocked
    for a while wakes its late sleepers all at once: they still go a slot apart (less
    WAKE_SLACK).

    Several processes on one database share the budget: `share` gives this one its part."""

    def __init__(self, rate: float) -> None:
        self.rate = rate  # for all the processes together
        self.interval = 1 / rate
        self._next_slot = 0.0  # in the event loop's time
        self._last_gone = -math.inf  # the slot the last request went in
        self._going = asyncio.Lock()

    def share(self, processes: int) -> None:
        """Pace this process at its part of the rate, with `processes` live in all."""
        self.interval = max(1, processes) / self.rate

    async def wait(self) -> None:
        """Return when this request may go."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(now, self._next_slot)
        self._next_slot = slot + self.interval  # taken before sleeping: no await in between
        if slot > now:
            await asyncio.sleep(slot - now)
        async with self._going:  # one at a time, so sleepers woken together still go apart
            earliest = self._last_gone + self.interval
            if earliest > loop.time():
                await asyncio.sleep(earliest - loop.time())
            # Counted from its slot, not from the moment its sleep ended: a wake a little late
            # (under WAKE_SLACK of a slot) costs the pace nothing.
            self._last_gone = max(earliest, loop.time() - self.interval * WAKE_SLACK)


class ChannelWindow:
    """At most `limit` requests in any `seconds`, for each channel: Discord takes about 5
    messages in 5 s in one channel and answers the next with a 429 of its own (one the
    bot cannot see coming in any header). A channel's queue waits here before each post."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._recent: dict[int, deque[float]] = {}  # channel -> its last `limit` requests
        self._next_sweep = 0.0  # when the quiet channels are next forgotten, in loop time

    def __len__(self) -> int:
        """How many channels' windows are held."""
        return len(self._recent)

    async def wait(self, channel_id: int) -> None:
        """Return when the channel may take one more request."""
        loop = asyncio.get_running_loop()
        if loop.time() >= self._next_sweep:
            self._forget_quiet(loop.time())
        recent = self._recent.setdefault(channel_id, deque(maxlen=self.limit))
        if len(recent) == self.limit:
            await asyncio.sleep(max(0.0, recent[0] + self.seconds - loop.time()))
        # Held again by key: a sweep while this slept may have dropped it.
        self._recent.setdefault(channel_id, recent).append(loop.time())

    def _forget_quiet(self, now: float) -> None:
        """Drop the channels whose last request is older than the window: they would not
        wait. Once a window at most, so a sweep costs about one per channel posted in."""
        self._recent = {
            channel: recent
            for channel, recent in self._recent.items()
            if recent[-1] + self.seconds > now
        }
        self._next_sweep = now + self.seconds
