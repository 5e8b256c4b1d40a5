"""`config`: admins change this server's settings (slash, prefix or mention)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Precis
from bot.services.guild_config import CONFIG_KEYS, ConfigKey, InvalidValue, UnknownSetting
from cogs._cards import BudgetEmbed
from cogs._checks import admin

KEY_CHOICES = [app_commands.Choice(name=name, value=name) for name in CONFIG_KEYS]

WORDINGS = {
    UnknownSetting: lambda error: (
        f"There is no setting `{error.name}`. Settings: {', '.join(CONFIG_KEYS)}."
    ),
    InvalidValue: lambda error: (
        f"`{error.raw}` is not a valid {error.key.name}: use {error.key.valid}."
    ),
}


def shown_value(key: ConfigKey, value: Any) -> str:
    """A setting's value for Discord: a channel as its mention (which code would show as
    typed), anything else as code."""
    if value is None:
        return "`not set`"
    return f"<#{value}>" if key.is_channel else f"`{value}`"


class Config(commands.Cog):
    wordings = WORDINGS

    def __init__(self, bot: Precis) -> None:
        self.bot = bot

    @commands.hybrid_group(name="config")
    @admin(manage_guild=True)
    async def config(self, ctx: commands.Context[Precis]) -> None:
        """Show or change this server's settings."""
        await self.show(ctx)

    @config.command(name="show")
    @admin(manage_guild=True)
    async def show(self, ctx: commands.Context[Precis]) -> None:
        """Show this server's settings."""
        assert ctx.guild is not None
        values = await self.bot.guild_config.all(ctx.guild.id)
        embed = BudgetEmbed(title=f"Settings for {ctx.guild.name}", colour=discord.Colour.blurple())
        for name, key in CONFIG_KEYS.items():
            value = getattr(values, name)
            marker = "" if value == key.default else " (changed)"
            embed.add_field(
                name=f"{name}{marker}",
                value=f"{shown_value(key, value)} — {key.description}\nValid: {key.valid}",
                inline=False,
            )
        await ctx.send(embed=embed, ephemeral=True)

    @config.command(name="set")
    @admin(manage_guild=True)
    @app_commands.describe(key="The setting to change", value="Its new value")
    @app_commands.choices(key=KEY_CHOICES)
    async def set_(self, ctx: commands.Context[Precis], key: str, *, value: str) -> None:
        """Change one of this server's settings."""
        assert ctx.guild is not None
        new_value = await self.bot.guild_config.set(ctx.guild.id, key, value)
        await self._confirm(ctx, key, new_value, "set to")

    @config.command(name="reset")
    @admin(manage_guild=True)
    @app_commands.describe(key="The setting to put back to its default")
    @app_commands.choices(key=KEY_CHOICES)
    async def reset(self, ctx: commands.Context[Precis], key: str) -> None:
        """Put one of this server's settings back to its default."""
        assert ctx.guild is not None
        default = await self.bot.guild_config.reset(ctx.guild.id, key)
        await self._confirm(ctx, key, default, "reset to")

    async def _confirm(
        self, ctx: commands.Context[Precis], name: str, value: Any, verb: str
    ) -> None:
        key = CONFIG_KEYS[name.strip().lower()]
        await ctx.send(f"`{key.name}` {verb} {shown_value(key, value)}.", ephemeral=True)


async def setup(bot: Precis) -> None:
    await bot.add_cog(Config(bot))
