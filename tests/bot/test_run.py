"""`precis run` in-process against the fake Discord: start-up, retries, and shutdown."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
from pathlib import Path

import pytest
from discord.gateway import DiscordWebSocket as Op

from bot import client
from bot.cli.main import CLIError, run_bot
from bot.settings import Settings
from tests.conftest import eventually
from tests.fake_discord import FakeDiscord


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """SQLite only: these tests are about the process, and one reads the file after."""
    return tmp_path / "precis.db"


def is_login(request: object) -> bool:
    return getattr(request, "method", "") == "GET" and getattr(request, "path", "") == "/users/@me"


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


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client, "LOGIN_RETRY_DELAYS", (0.01, 0.01))


def retry_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.client"]


async def test_unreachable_discord_is_retried_then_one_line(
    fake: FakeDiscord, settings: Settings, quick_retries: None, caplog: pytest.LogCaptureFixture
) -> None:
    await fake.stop()  # nothing listens there any more
    with pytest.raises(CLIError, match=r"^could not reach Discord \(Cannot connect to host"):
        await asyncio.wait_for(run_bot(settings), 10)
    lines = retry_lines(caplog)
    assert len(lines) == 2  # the third try was the last
    assert lines[0].startswith("could not reach Discord (Cannot connect to host")
    assert lines[0].endswith("attempt 1 of 3; trying again in 0.01 s")
    assert not any(r.exc_info for r in caplog.records)  # no tracebacks in the log


async def test_discord_back_during_the_retries_starts_the_bot(
    fake: FakeDiscord, settings: Settings, quick_retries: None, caplog: pytest.LogCaptureFixture
) -> None:
    fake.drop_next(2, method="GET", path="/users/@me")
    running = asyncio.create_task(run_bot(settings))
    await fake.wait_for(lambda r: r.method == "PUT")
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(running, 10) == 0
    assert sum(map(is_login, fake.requests)) == 3
    assert retry_lines(caplog)[0].endswith("attempt 1 of 3; trying again in 0.01 s")


async def test_refused_token_stops_at_once(
    fake: FakeDiscord, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail_next(5, status=401, method="GET", path="/users/@me")
    with caplog.at_level(logging.WARNING), pytest.raises(CLIError, match="refused DISCORD_TOKEN"):
        await asyncio.wait_for(run_bot(settings), 10)
    assert sum(map(is_login, fake.requests)) == 1
    assert retry_lines(caplog) == []


async def test_sigterm_while_waiting_to_retry_stops_at_once(
    fake: FakeDiscord, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "LOGIN_RETRY_DELAYS", (60.0,))
    fake.drop_next(5, method="GET", path="/users/@me")
    running = asyncio.create_task(run_bot(settings))
    await fake.wait_for(is_login)
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(running, 10) == 0


async def test_run_connects_the_shards_asked_for(fake: FakeDiscord, settings: Settings) -> None:
    def identified() -> list[list[int]]:
        return [p["d"]["shard"] for p in fake.gateway.payloads if p["op"] == Op.IDENTIFY]

    async def connected() -> bool:
        return bool(identified())

    running = asyncio.create_task(run_bot(settings, ([1], 2)))
    await eventually(connected)
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(running, 10) == 0
    assert identified() == [[1, 2]]
