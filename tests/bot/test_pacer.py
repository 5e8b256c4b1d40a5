"""The pacer spaces requests evenly under its rate, and lets an idle caller go at once."""

import asyncio
import itertools
import time

from bot.services.pacer import ChannelWindow, Pacer


async def test_requests_at_once_are_spaced_and_an_idle_pacer_does_not_wait() -> None:
    pacer = Pacer(50)  # a slot every 20 ms
    loop = asyncio.get_running_loop()
    began = loop.time()
    await pacer.wait()
    first = loop.time() - began
    await asyncio.gather(*(pacer.wait() for _ in range(10)))
    burst = loop.time() - began
    await asyncio.sleep(0.1)  # idle: the next slot is long past
    idle_began = loop.time()
    await pacer.wait()
    after_idle = loop.time() - idle_began
    assert first < 0.01 and after_idle < 0.01
    assert 10 * 0.02 * 0.9 <= burst < 2  # ten slots after the first, never a burst


async def test_a_channel_window_lets_five_go_then_waits_for_the_oldest_to_age() -> None:
    window = ChannelWindow(limit=5, seconds=0.3)  # Discord: about 5 messages in 5 s a channel
    loop = asyncio.get_running_loop()
    began = loop.time()
    for _ in range(5):
        await window.wait(10)
    five = loop.time() - began
    await window.wait(11)  # another channel has a window of its own
    other = loop.time() - began
    await window.wait(10)
    sixth = loop.time() - began
    assert five < 0.05 and other < 0.05
    assert 0.3 <= sixth < 2


async def test_a_channel_window_forgets_channels_quiet_for_longer_than_it() -> None:
    """A public bot posts in many thousands of channels: the windows of past ones go."""
    window = ChannelWindow(limit=5, seconds=0.01)
    for channel in range(5000):
        await window.wait(channel)
    await asyncio.sleep(0.02)
    for channel in range(5000, 5100):
        await window.wait(channel)
    assert len(window) <= 200


async def test_a_busy_event_loop_does_not_turn_the_waiting_requests_into_a_burst() -> None:
    """Sleepers that a blocked loop wakes late all wake at once: they still go one a slot."""
    pacer = Pacer(50)  # a slot every 20 ms
    loop = asyncio.get_running_loop()
    released: list[float] = []

    async def request() -> None:
        await pacer.wait()
        released.append(loop.time())

    waiting = [asyncio.create_task(request()) for _ in range(20)]
    await asyncio.sleep(0.05)  # the first few go on time
    time.sleep(0.2)  # noqa: ASYNC251 - the loop is blocked (a slow callback) for ten slots
    await asyncio.gather(*waiting)
    gaps = [later - earlier for earlier, later in itertools.pairwise(released)]
    assert min(gaps) >= 0.02 * 0.8
