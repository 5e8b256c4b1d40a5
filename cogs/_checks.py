"""Permission decorators shared by the cogs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError

T = TypeVar("T")


def requires(**permissions: bool) -> Callable[[T], T]:
    """Server-only, with these permissions: checked by the bot for prefix and slash invocations,
    and declared to Discord as the slash command's default permissions (a UI hint only)."""

    def decorator(func: T) -> T:
        func = commands.guild_only()(func)
        func = commands.has_guild_permissions(**permissions)(func)
        func = app_commands.guild_only()(func)
        return app_commands.default_permissions(**permissions)(func)

    return decorator


def require_channel_permissions(
    member: discord.Member | discord.User, channel: discord.abc.GuildChannel, **permissions: bool
) -> None:
    """Server-side check of a member's permissions in one channel (an option of the command,
    so no decorator can see it); raises the error the tree's handler words for the user."""
    if not isinstance(member, discord.Member):
        raise commands.NoPrivateMessage()
    granted = channel.permissions_for(member)
    missing = [name for name, value in permissions.items() if getattr(granted, name) != value]
    if missing:
        raise app_commands.MissingPermissions(missing)


def target_channel(
    interaction: discord.Interaction[Any],
    channel: discord.TextChannel | None,
    **permissions: bool,
) -> discord.TextChannel:
    """The channel a command acts on (the option, else where it was run), checked to be a text
    channel in which the member has `permissions`."""
    chosen = channel or interaction.channel
    if not isinstance(chosen, discord.TextChannel):
        raise UserError("Pick a text channel for the cards.")
    require_channel_permissions(interaction.user, chosen, **permissions)
    return chosen


def require_bot_can_post(channel: discord.abc.GuildChannel) -> None:
    granted = channel.permissions_for(channel.guild.me)
    if not (granted.view_channel and granted.send_messages and granted.embed_links):
        raise UserError(
            f"I can't post cards in {channel.mention}: give me View Channel, Send Messages "
            "and Embed Links there."
        )
