"""A local fake of Discord's REST API and gateway, so the real discord.py client can be tested.

Start it with `fake_discord()` (it also points discord.py at it), connect a bot with
`running_bot()`, act as Discord's users with the driver (`slash`, `click`, `send_message`...)
and read what the bot sent (`requests`, `wait_for`, `responses`, `run`, `cards_in`...).
The fake answers at once and without limits unless a test turns Discord's on:
`fake_discord(Limits(route=Window(5, 1.0)))`, `fake.enforce(Limits.real())` for all.

Modules: `world` (guilds, members, channels, messages), `gateway` (the zlib-stream
websocket), `rest` (the recorded REST API), `limits` (Discord's rate limits, ban and
deadlines, off until a test turns them on) and `driver` (`FakeDiscord`, what tests use).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TypeVar

import discord

from tests.fake_discord.driver import (
    WAIT_TIMEOUT,
    FakeDiscord,
    FakeInteraction,
    is_card,
    is_final,
    last_card,
)
from tests.fake_discord.gateway import HEARTBEAT_INTERVAL_MS
from tests.fake_discord.gateway import PATH as GATEWAY_PATH
from tests.fake_discord.limits import Limits, Window
from tests.fake_discord.rest import API_PREFIX, RecordedRequest
from tests.fake_discord.world import (
    ADMIN_ID,
    ADMIN_PERMISSIONS,
    ADMIN_ROLE_ID,
    ALL_PERMISSIONS,
    APPLICATION_ID,
    ATTACHMENT_SIZE_LIMIT,
    BOT_ID,
    BOT_PERMISSIONS,
    BOT_ROLE_ID,
    DM_MESSAGES_INTENT,
    EPHEMERAL,
    EVERYONE_PERMISSIONS,
    GENERAL_CHANNEL_ID,
    GUILD_ID,
    GUILD_MESSAGES_INTENT,
    JSON,
    LOADING,
    MEMBER_ID,
    MESSAGE_CONTENT_INTENT,
    NEWS_CHANNEL_ID,
    OWNER_ID,
    ChannelError,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
)

__all__ = [
    "ADMIN_ID",
    "ADMIN_PERMISSIONS",
    "ADMIN_ROLE_ID",
    "ALL_PERMISSIONS",
    "API_PREFIX",
    "APPLICATION_ID",
    "ATTACHMENT_SIZE_LIMIT",
    "BOT_ID",
    "BOT_PERMISSIONS",
    "BOT_ROLE_ID",
    "DM_MESSAGES_INTENT",
    "EPHEMERAL",
    "EVERYONE_PERMISSIONS",
    "GATEWAY_PATH",
    "GENERAL_CHANNEL_ID",
    "GUILD_ID",
    "GUILD_MESSAGES_INTENT",
    "HEARTBEAT_INTERVAL_MS",
    "JSON",
    "LOADING",
    "MEMBER_ID",
    "MESSAGE_CONTENT_INTENT",
    "NEWS_CHANNEL_ID",
    "OWNER_ID",
    "WAIT_TIMEOUT",
    "ChannelError",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeInteraction",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "Limits",
    "RecordedRequest",
    "Window",
    "fake_discord",
    "is_card",
    "is_final",
    "last_card",
    "running_bot",
]

ClientT = TypeVar("ClientT", bound=discord.Client)


@contextlib.asynccontextmanager
async def fake_discord(limits: Limits | None = None) -> AsyncIterator[FakeDiscord]:
    """A started fake with discord.py pointed at it; stopped and un-pointed afterwards.
    `limits` turns Discord's limits on (none by default; `Limits.real()` for all)."""
    fake = FakeDiscord(limits)
    await fake.start()
    try:
        with fake.patched():
            yield fake
    finally:
        await fake.stop()


@contextlib.asynccontextmanager
async def running_bot(bot: ClientT, token: str = "fake-token") -> AsyncIterator[ClientT]:
    """Log `bot` in, connect it and wait for `on_ready`; close it afterwards. Build the bot
    with a small `guild_ready_timeout` (e.g. 0.05): discord.py waits that long after the last
    GUILD_CREATE before it is ready (2 s by default)."""
    await bot.login(token)
    connection = asyncio.create_task(bot.connect())
    ready = asyncio.create_task(bot.wait_until_ready())
    try:
        done, _ = await asyncio.wait(
            {connection, ready}, timeout=WAIT_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            raise RuntimeError("the bot did not become ready")
        yield bot
    finally:
        ready.cancel()
        await bot.close()
        await connection  # surfaces why the connection ended, if it failed
