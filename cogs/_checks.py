"""The one decorator for admin commands, and the checks cogs share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError

T = TypeVar("T")
# Set on the predicates `admin` adds, so that a test can see every admin command is checked
# by the bot and not only hinted to Discord.
ADMIN_CHECK = "admin_permissions"


def admin(*, in_channel: bool = False, **permissions: bool) -> Callable[[T], T]:
    """An admin command, server only: `permissions` are declared to Discord as the slash
    command's default permissions (a UI hint an admin may widen) and checked by the bot on
    every invocation, slash or prefix. With `in_channel`, they are checked in the channel the
    command acts on (its `channel` option, else where it was run), which must be a text channel.
    """

    def check_slash(interaction: discord.Interaction[Any]) -> bool:
        where = _slash_target(interaction) if in_channel else None
        _require(interaction.user, where, permissions, app_commands.MissingPermissions)
        return True

    def check_prefix(ctx: commands.Context[Any]) -> bool:
        where = ctx.channel if in_channel else None
        if where is not None and not isinstance(where, discord.abc.GuildChannel):
            raise commands.NoPrivateMessage()
        _require(ctx.author, where, permissions, commands.MissingPermissions)
        return True

    for predicate in (check_slash, check_prefix):
        setattr(predicate, ADMIN_CHECK, permissions)

    def decorator(func: T) -> T:
        func = commands.guild_only()(func)
        func = commands.check(check_prefix)(func)
        func = app_commands.guild_only()(func)
        func = app_commands.check(check_slash)(func)
        return app_commands.default_permissions(**permissions)(func)

    return decorator


def _slash_target(interaction: discord.Interaction[Any]) -> discord.TextChannel:
    """The channel a slash command will act on; its options are not converted yet, so the
    `channel` option is looked up here, and never mistaken for where the command was run."""
    option = getattr(interaction.namespace, "channel", None)
    if option is None:
        return target_channel(interaction, None)
    chosen = option.resolve()
    if not isinstance(chosen, discord.TextChannel):
        raise UserError("Pick a text channel for the cards.")
    return chosen


def _require(
    member: discord.Member | discord.User,
    channel: discord.abc.GuildChannel | None,
    permissions: dict[str, bool],
    missing_error: type[commands.MissingPermissions] | type[app_commands.MissingPermissions],
) -> None:
    """Raise `missing_error` unless the member has `permissions` in `channel` (in the whole
    server when None); the tree's handler words it for the user."""
    if not isinstance(member, discord.Member):
        raise commands.NoPrivateMessage()
    granted = member.guild_permissions if channel is None else channel.permissions_for(member)
    missing = [name for name, value in permissions.items() if getattr(granted, name) != value]
    if missing:
        raise missing_error(missing)


def target_channel(
    interaction: discord.Interaction[Any], channel: discord.abc.GuildChannel | None
) -> discord.TextChannel:
    """The channel a command acts on: the option, else where it was run; a text channel.
    An `admin(in_channel=True)` command has checked the member's permissions there."""
    chosen = channel or interaction.channel
    if not isinstance(chosen, discord.TextChannel):
        raise UserError("Pick a text channel for the cards.")
    return chosen


# What posting a card takes, by discord.py's flag, as Discord's UI names it.
CARD_PERMISSIONS = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
}


def missing_card_permissions(channel: discord.abc.GuildChannel) -> list[str]:
    """The permissions the bot lacks to post cards in the channel, as the gateway's data
    shows them (roles and the channel's overwrites); none when its member is not cached."""
    me = channel.guild.me
    if me is None:  # typed as always there, but only a cached member is
        return []
    granted = channel.permissions_for(me)
    return [name for flag, name in CARD_PERMISSIONS.items() if not getattr(granted, flag)]


def require_bot_can_post(channel: discord.abc.GuildChannel) -> None:
    """UserError unless the bot can view the channel and post embeds in it."""
    if missing_card_permissions(channel):
        raise UserError(
            f"I can't post cards in {channel.mention}: give me View Channel, Send Messages "
            "and Embed Links there."
        )
