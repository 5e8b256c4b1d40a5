"""Every command the cogs register, walked without connecting: no two share a name, and every
admin command is server only and checked by the bot itself, not only hinted to Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.client import Precis, discover_cogs
from bot.news.fetch import create_session
from bot.settings import Settings
from bot.storage import SQLiteStorage
from cogs._checks import ADMIN_CHECK

ADMIN_COMMANDS = {"config", "feed", "subscribe", "unsubscribe", "post"}
AppCommand = app_commands.Command[Any, ..., Any] | app_commands.ContextMenu


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[Precis]:
    """precis with every cog loaded, never logged in."""
    storage = await SQLiteStorage.open(settings.database)
    try:
        # Set up as `precis run` does, but never logged in.
        async with create_session() as session, Precis(settings, storage, session) as bot:
            for name in discover_cogs():
                await bot.load_extension(name)
            yield bot
    finally:
        await storage.close()


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
