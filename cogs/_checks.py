"""Permission decorators shared by the cogs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from discord import app_commands
from discord.ext import commands

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
