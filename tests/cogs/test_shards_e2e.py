"""Shards: several processes, each running some of the bot's gateway shards, end to end
through the fake Discord, which routes each guild's events to the shard that owns it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from bot.client import Precis
from bot.composition import open_services
from bot.settings import Settings
from tests.fake_discord import ADMIN_ID, GENERAL_CHANNEL_ID, GUILD_ID, FakeDiscord, running_bot

SHARD_COUNT = 2


def shard_of(guild_id: int) -> int:
    """The shard Discord sends a guild's events to."""
    return (guild_id >> 22) % SHARD_COUNT


@contextlib.asynccontextmanager
async def shard_process(settings: Settings, shard: int) -> AsyncIterator[Precis]:
    """One process of a sharded deployment: its own services, one shard of SHARD_COUNT."""
    async with open_services(settings) as services:
        bot = Precis(
            settings,
            services,
            shard_ids=[shard],
            shard_count=SHARD_COUNT,
            guild_ready_timeout=0.05,
        )
        async with running_bot(bot):
            yield bot


async def test_each_process_serves_the_guilds_of_its_shards(
    fake: FakeDiscord, settings: Settings
) -> None:
    world = fake.world
    other = world.add_guild("Second Guild", guild_id=world.snowflake())
    while shard_of(other.id) == shard_of(GUILD_ID):  # the other shard's guild
        del world.guilds[other.id]
        other = world.add_guild("Second Guild", guild_id=world.snowflake())
    world.add_member(other, world.users[ADMIN_ID])
    channel = world.add_channel(other, "lobby")

    async with (
        shard_process(settings, shard_of(GUILD_ID)) as first,
        shard_process(settings, shard_of(other.id)) as second,
    ):
        assert [guild.id for guild in first.guilds] == [GUILD_ID]
        assert [guild.id for guild in second.guilds] == [other.id]
        for channel_id in (GENERAL_CHANNEL_ID, channel.id):
            answer = await fake.run("about", channel_id=channel_id)
            fields = {field["name"]: field["value"] for field in answer["embeds"][0]["fields"]}
            assert fields["Servers"] == "1"  # the process knows its own shard's guilds
        callbacks = [r for r in fake.requests if r.path.endswith("/callback")]
        assert len(callbacks) == 2  # each interaction answered once, by its shard's process

    identified = [p["d"]["shard"] for p in fake.gateway.payloads if p["op"] == 2]
    assert sorted(identified) == [[0, SHARD_COUNT], [1, SHARD_COUNT]]
