"""Every command the cogs register, walked without connecting: no two share a name, and every
admin command is server only and checked by the bot itself, not only hinted to Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.client import Precis, discover_cogs
from bot.composition import open_services
from bot.settings import Settings
from cogs._checks import ADMIN_CHECK
from tests.conftest import LaunchBot, eventually
from tests.fake_discord import (
    ADMIN_ROLE_ID,
    GENERAL_CHANNEL_ID,
    GUILD_ID,
    NEWS_CHANNEL_ID,
    FakeDiscord,
)

ADMIN_COMMANDS = {"config", "feed", "subscribe", "unsubscribe", "post"}
AppCommand = app_commands.Command[Any, ..., Any] | app_commands.ContextMenu


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[Precis]:
    """precis with every cog loaded, never logged in."""
    # Set up as `precis run` does, but never logged in.
    async with (
        open_services(settings) as services,
        Precis(settings, services) as bot,
    ):
        for name in discover_cogs():
            await bot.load_extension(name)
        yield bot


def leaves(
    command: app_commands.Command[Any, ..., Any] | app_commands.Group | app_commands.ContextMenu,
) -> Iterator[AppCommand]:
    """The commands a member can run under `command` (itself, if it is not a group)."""
    if isinstance(command, app_commands.Group):
        for child in command.commands:
            yield from leaves(child)
    else:
        yield command


def admin_permissions(checks: list[Any]) -> list[discord.Permissions]:
    """The permissions each of `admin`'s checks among `checks` requires."""
    return [
        discord.Permissions(**getattr(c, ADMIN_CHECK)) for c in checks if hasattr(c, ADMIN_CHECK)
    ]


def test_every_cog_loads_and_no_two_commands_share_a_name(bot: Precis) -> None:
    assert len(bot.cogs) == len(discover_cogs())
    names: list[tuple[discord.AppCommandType, str]] = []
    for top in bot.tree.get_commands():
        kind = (
            top.type
            if isinstance(top, app_commands.ContextMenu)
            else discord.AppCommandType.chat_input
        )
        names.append((kind, top.name))
        if isinstance(top, app_commands.Group):
            names += [(kind, child.qualified_name) for child in top.walk_commands()]
    assert len(names) == len(set(names)), sorted(names)
    prefix = [command.qualified_name for command in bot.walk_commands()]
    assert len(prefix) == len(set(prefix)), sorted(prefix)


def test_admin_commands_are_server_only_and_checked_by_the_bot(bot: Precis) -> None:
    tops = {top.name: top for top in bot.tree.get_commands()}
    hinted = {name for name, top in tops.items() if top.default_permissions is not None}
    assert hinted >= ADMIN_COMMANDS, "an admin command lost its default permissions"
    for name in hinted:
        top = tops[name]
        assert top.guild_only, f"/{name} is not server only"
        assert top.default_permissions
        for leaf in leaves(top):
            assert admin_permissions(leaf.checks) == [top.default_permissions], (
                f"/{leaf.qualified_name} is not checked by the bot for what Discord is told"
            )


def test_admin_prefix_commands_are_server_only_and_checked(bot: Precis) -> None:
    for command in bot.walk_commands():
        if (command.root_parent or command).name not in ADMIN_COMMANDS:
            continue
        predicates = command.checks
        assert admin_permissions(predicates), f"{command.qualified_name} is not checked"
        assert any("guild_only" in getattr(p, "__qualname__", "") for p in predicates), (
            f"{command.qualified_name} is not server only"
        )


async def test_a_channel_admin_command_checks_the_channel_it_acts_on(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    """The moderators may manage channels, but not #news: they can't subscribe #news from
    #general, and can subscribe #general from #news."""
    async with launch() as bot:
        news = {
            **fake.world.channels[NEWS_CHANNEL_ID].payload(),
            "permission_overwrites": [
                {"id": str(ADMIN_ROLE_ID), "type": 0, "allow": "0", "deny": str(1 << 4)}
            ],
        }
        await fake.dispatch("CHANNEL_UPDATE", news)
        channel = bot.get_channel(NEWS_CHANNEL_ID)
        assert isinstance(channel, discord.TextChannel)

        async def denied() -> bool:
            return bool(channel.overwrites)

        await eventually(denied)
        answers = []
        for target, where in (
            (NEWS_CHANNEL_ID, GENERAL_CHANNEL_ID),
            (GENERAL_CHANNEL_ID, NEWS_CHANNEL_ID),
        ):
            channel_data = {**fake.world.channels[target].payload(), "permissions": "0"}
            resolved = {"channels": {str(target): channel_data}}
            option = {"name": "channel", "type": 7, "value": str(target)}
            answer = await fake.run(
                "subscribe",
                {"topic": "bridge", "channel": option},
                resolved=resolved,
                channel_id=where,
            )
            answers.append(answer["content"])
        followed = await bot.storage.subscriptions.in_guild(GUILD_ID)
    assert answers[0] == "You need the Manage Channels permission to do that."
    assert answers[1].startswith(f"<#{GENERAL_CHANNEL_ID}> now gets cards for")
    assert [s.channel_id for s in followed] == [GENERAL_CHANNEL_ID]
