"""`/about`, and the owner's prefix commands `sync` and `reload`."""

from __future__ import annotations

from typing import Literal

import discord
from discord.ext import commands

import bot as precis
from bot.client import Precis, discover_cogs
from bot.errors import UserError
from cogs._cards import BudgetEmbed


def format_duration(seconds: float) -> str:
    """`2 d 3 h 5 min`: days and hours when there are any, minutes always."""
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min"]
    return " ".join(part for part in parts if part)


class Meta(commands.Cog):
    def __init__(self, bot: Precis) -> None:
        self.bot = bot

    @commands.hybrid_command(name="about")
    async def about(self, ctx: commands.Context[Precis]) -> None:
        """What precis is, how long it has been up, and what it has read."""
        embed = BudgetEmbed(
            title="precis",
            description="Reads the news for this community: summaries, quotes and feeds.",
            colour=discord.Colour.blurple(),
        )
        embed.add_field(name="Version", value=precis.__version__)
        embed.add_field(name="Uptime", value=format_duration(self.bot.uptime_seconds))
        embed.add_field(name="Servers", value=str(len(self.bot.guilds)))
        dropped = self.bot.last_disconnect
        embed.add_field(
            name="Last disconnect",
            value=discord.utils.format_dt(dropped, "R") if dropped else "never",
        )
        for name, count in (await self.bot.stats.counts()).items():
            embed.add_field(name=name.capitalize(), value=f"{count:,}")
        await ctx.send(embed=embed)

    @commands.command(name="sync", hidden=True)
    @commands.is_owner()
    async def sync(
        self, ctx: commands.Context[Precis], where: Literal["global", "guild"] = "global"
    ) -> None:
        """Register the slash commands with Discord: everywhere, or in this server at once."""
        if where == "guild":
            if ctx.guild is None:
                raise commands.NoPrivateMessage()
            self.bot.tree.copy_global_to(guild=ctx.guild)
            synced = await self.bot.tree.sync(guild=ctx.guild)
        else:
            synced = await self.bot.tree.sync()
        await ctx.send(f"Synced {len(synced)} commands ({where}).")

    @commands.command(name="reload", hidden=True)
    @commands.is_owner()
    async def reload(self, ctx: commands.Context[Precis], cog: str) -> None:
        """Reload one cog from disk, by its file name (`config`) or module (`cogs.config`)."""
        name = cog if cog.startswith("cogs.") else f"cogs.{cog}"
        if name not in discover_cogs():
            raise commands.BadArgument(f"There is no cog `{cog}`.")
        try:
            if name in self.bot.extensions:
                await self.bot.reload_extension(name)
            else:
                await self.bot.load_extension(name)
        except commands.ExtensionError as error:
            raise UserError(f"`{name}` did not load: {error.__cause__ or error}") from error
        await ctx.send(f"Reloaded `{name}`.")


async def setup(bot: Precis) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(Meta(bot))
