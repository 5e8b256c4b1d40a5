"""Two `precis worker` processes on one PostgreSQL database (issue 13, item 8a): one is
SIGKILLed in the middle of a cycle, holding channels whose cards it had claimed; the survivor
takes its feeds and channels (at once when it sees the pid gone, on the same machine; once
its lease ends, from another), and every owed card is in its channel exactly once.

The world is the crash test's (`test_sigkill`): the fake Discord, the feed benchmark's server
(30 feeds), nine channels that each entry owes a card in two of. The lease is short
(`PRECIS_LEASE_SECONDS=3`) so that the survivor takes over within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator
from multiprocessing.context import ForkServerProcess
from pathlib import Path

import pytest

from benchmarks.feeds import FeedServer
from bot.model import DeliveryState
from bot.storage import open_storage
from bot.storage.postgresql import PostgresStorage
from tests.crash.launch import precis_process, running
from tests.crash.test_sigkill import FEEDS, CrashWorld, environ
from tests.fake_discord import GUILD_ID, fake_discord
from tests.postgres import PostgresServer

LEASE_S = 3
NEW_PER_FEED = 2  # 60 entries, 120 cards: at most 15 in one channel
KILL_TIMEOUT_S = 60.0  # from the start until the moment to kill comes
FINISH_TIMEOUT_S = 60.0  # from the kill until every card is out and recorded


class SharedWorld(CrashWorld):
    """The crash test's world on a PostgreSQL database that worker processes share."""

    def __init__(self, url: str, *args: object) -> None:
        self.url = url
        super().__init__(*args)  # type: ignore[arg-type]

    @property
    def database(self) -> str:  # type: ignore[override]
        return self.url

    def worker_environ(self) -> dict[str, str]:
        return {
            **environ(self.database),  # type: ignore[arg-type]
            "PRECIS_LEASE_SECONDS": str(LEASE_S),
            "PRECIS_CPU_WORKERS": "0",
        }

    async def all_due(self) -> None:
        async with shared(self.url) as storage:
            for feed in await storage.feeds.for_guild(GUILD_ID):
                await storage.feeds.resume(feed.id, int(time.time()))

    @contextlib.asynccontextmanager
    async def worker(self, name: str) -> AsyncIterator[ForkServerProcess]:
        """`precis worker` in a process of its own, logging to `{name}.log`; reaped after."""
        log = self.folder / f"{name}.log"
        async with running(precis_process(self.worker_environ(), self.fake, log, "worker")) as p:
            yield p

    def logs(self) -> str:
        return "\n".join(log.read_text()[-2000:] for log in sorted(self.folder.glob("*.log")))


@contextlib.asynccontextmanager
async def shared(url: str) -> AsyncIterator[PostgresStorage]:
    storage = await open_storage(url)
    assert isinstance(storage, PostgresStorage)
    try:
        yield storage
    finally:
        await storage.close()


async def held_by(storage: PostgresStorage, pid: int) -> tuple[int, int]:
    """The cards `sending` in the channels the process with this pid holds, and the feeds
    leased to it, now."""
    row = await storage.db.fetch_one(
        "SELECT (SELECT COUNT(*) FROM deliveries d JOIN channel_claims c USING (channel_id) "
        "  WHERE d.state = 'sending' AND c.owner = p.id AND c.until > $2) AS sending, "
        "(SELECT COUNT(*) FROM feeds f WHERE f.leased_by = p.id AND f.lease_until > $2) AS feeds "
        "FROM processes p WHERE p.pid = $1",
        (pid, int(time.time())),
    )
    return (row["sending"], row["feeds"]) if row else (0, 0)


async def due_feeds(storage: PostgresStorage) -> int:
    """The feeds due now."""
    return int(
        await storage.db.fetch_value(
            "SELECT COUNT(*) FROM feeds WHERE next_poll <= $1", (int(time.time()),)
        )
    )


async def open_cards(storage: PostgresStorage) -> int:
    return int(
        await storage.db.fetch_value(
            "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'sending')"
        )
    )


@pytest.mark.parametrize("machine", ["same", "another"])
async def test_a_worker_killed_mid_cycle_leaves_its_feeds_and_cards_to_the_other(
    postgres_server: PostgresServer, tmp_path: Path, machine: str
) -> None:
    """On the same machine the survivor sees the pid gone at its next beat; from another,
    it waits for the lease to end."""
    began = time.monotonic()
    server = FeedServer()
    await server.start()
    try:
        with postgres_server.fresh_database() as url:
            async with fake_discord() as fake:
                world = SharedWorld(url, fake, server, tmp_path)
                await world.set_up()
                async with (
                    shared(url) as storage,
                    world.worker("doomed") as doomed,
                    world.worker("survivor") as survivor,
                ):
                    # Both up and past their first poll (nothing new) before any news.
                    while len(await storage.processes.live(0)) < 2 or await due_feeds(storage):
                        assert time.monotonic() - began < KILL_TIMEOUT_S, world.logs()
                        await asyncio.sleep(0.05)
                    if machine == "another":  # as if: the survivor can't see its pid
                        await storage.db.fetch_value(
                            "UPDATE processes SET pid_space = 'another' WHERE pid = $1",
                            (doomed.pid,),
                        )
                    for _ in range(NEW_PER_FEED):
                        world.publish(list(range(FEEDS)))
                    await world.all_due()
                    # Killed once it holds channels with cards claimed, after some went out.
                    while True:
                        assert doomed.exitcode is None and survivor.exitcode is None, world.logs()
                        assert time.monotonic() - began < KILL_TIMEOUT_S, world.logs()
                        assert doomed.pid is not None
                        sending, leased = await held_by(storage, doomed.pid)
                        if sending and world.card_posts():
                            break
                        await asyncio.sleep(0.005)
                    doomed.kill()
                    await asyncio.to_thread(doomed.join)
                    killed_at, posted_before = time.monotonic(), world.card_posts()
                    assert world.missing(), "every card was out before the kill"
                    while world.missing() or await open_cards(storage):
                        assert survivor.exitcode is None, world.logs()
                        waited = time.monotonic() - killed_at
                        assert waited < FINISH_TIMEOUT_S, f"{world.missing()}\n{world.logs()}"
                        await asyncio.sleep(0.05)
                    finished_in = time.monotonic() - killed_at
                    failed = await storage.deliveries.in_state(DeliveryState.FAILED)
                    survivor.terminate()  # SIGTERM: a clean stop
                    await asyncio.to_thread(survivor.join)
                assert doomed.exitcode == -signal.SIGKILL
                assert survivor.exitcode == 0, world.logs()
                owed, posted = world.owed(), world.posted()
                assert posted - owed == {}, f"posted twice or not owed: {posted - owed}"
                assert owed - posted == {}, f"never posted: {owed - posted}"
                assert failed == []
    finally:
        await server.stop()
    print(
        f"killed holding {sending} cards sending and {leased} feeds, after {posted_before} of "
        f"{owed.total()} cards; the survivor finished {finished_in:.1f} s later; "
        f"{time.monotonic() - began:.1f} s in all"
    )
