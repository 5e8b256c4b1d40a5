"""`precis run` in-process against the fake Discord: SIGTERM shuts down and closes the database."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3

from bot.cli import run_bot
from bot.settings import Settings
from tests.fake_discord import FakeDiscord


async def test_sigterm_closes_the_bot_and_the_database(
    fake: FakeDiscord, settings: Settings
) -> None:
    running = asyncio.create_task(run_bot(settings))
    await fake.wait_for(lambda r: r.method == "PUT")  # started, and synced as configured
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(running, 10) == 0
    # Closed cleanly: the write-ahead log was checkpointed into the file and removed.
    assert not settings.database.with_name("precis.db-wal").exists()
    with sqlite3.connect(settings.database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
