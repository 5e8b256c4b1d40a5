"""`/subscribe`, `/unsubscribe`, `/subscriptions`: which topics each channel gets cards for."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Precis
from bot.errors import UserError
from bot.news.newsroom import cached_topic
from bot.news.topics import MatchDocument, Topic
from bot.storage import StoredArticle
from cogs._cards import fit_lines, shorten
from cogs._checks import require_bot_can_post, target_channel

RECENT_ARTICLES = 100


def matches_any(topic: Topic, articles: list[StoredArticle]) -> bool:
    return any(topic.matches(MatchDocument.from_article(s.article)) for s in articles)


class Subscriptions(commands.Cog):
    def __init__(self, bot: Precis) -> None:
        self.bot = bot

    async def topic_autocomplete(
        self, interaction: discord.Interaction[Precis], current: str
    ) -> list[app_commands.Choice[str]]:
        assert interaction.guild_id is not None
        channel_id = getattr(interaction.namespace, "channel", None)
        channel_id = channel_id.id if channel_id is not None else interaction.channel_id
        subscriptions = await self.bot.storage.subscriptions.in_guild(
            interaction.guild_id, channel_id
        )
        typed = current.casefold()
        return [
            app_commands.Choice(name=shorten(s.topic, 100), value=s.topic[:100])
            for s in subscriptions
            if typed in s.topic.casefold()
        ][:25]

    @app_commands.command(name="subscribe")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_channels=True)
    @app_commands.describe(
        topic='Words to match (all of them), "a phrase", OR, -excluded, site:bbc.co.uk, '
        "feed:<title>, or * for everything",
        channel="Where the cards go (default: here)",
    )
    async def subscribe(
        self,
        interaction: discord.Interaction[Precis],
        topic: str,
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Get a card in a channel for each new article that matches a topic."""
        assert interaction.guild_id is not None
        where = target_channel(interaction, channel, manage_channels=True)
        parsed = cached_topic(topic)  # a TopicError says what is wrong, privately
        require_bot_can_post(where)
        added = await self.bot.storage.subscriptions.add(
            interaction.guild_id, where.id, parsed.text, interaction.user.id
        )
        if not added:
            raise UserError(f"{where.mention} already follows `{parsed.text}`.")
        recent = await self.bot.storage.articles.recent(RECENT_ARTICLES)
        message = f"{where.mention} now gets cards for `{parsed.text}`."
        if recent and not await asyncio.to_thread(matches_any, parsed, recent):
            message += (
                f"\n⚠️ It matches none of the last {len(recent)} articles I stored; "
                "check the spelling, or widen it with `OR`."
            )
        await interaction.response.send_message(message, ephemeral=True)

    @app_commands.command(name="unsubscribe")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_channels=True)
    @app_commands.describe(topic="The topic to drop", channel="The channel (default: here)")
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def unsubscribe(
        self,
        interaction: discord.Interaction[Precis],
        topic: str,
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Stop a channel's cards for a topic."""
        where = target_channel(interaction, channel, manage_channels=True)
        if not await self.bot.storage.subscriptions.remove(where.id, topic.strip()):
            raise UserError(f"{where.mention} doesn't follow `{shorten(topic, 100)}`.")
        await interaction.response.send_message(
            f"{where.mention} no longer gets cards for `{topic.strip()}`.", ephemeral=True
        )

    @app_commands.command(name="subscriptions")
    @app_commands.guild_only()
    @app_commands.describe(channel="One channel (default: the whole server)")
    async def subscriptions(
        self, interaction: discord.Interaction[Precis], channel: discord.TextChannel | None = None
    ) -> None:
        """The topics each channel gets cards for."""
        assert interaction.guild_id is not None
        found = await self.bot.storage.subscriptions.in_guild(
            interaction.guild_id, channel.id if channel else None
        )
        lines = [
            f"<#{s.channel_id}> `{shorten(s.topic, 150)}`" + (" ⏸️ paused" if s.paused else "")
            for s in found
        ]
        embed = discord.Embed(
            title=f"Subscriptions ({len(found)})",
            description=fit_lines(lines, 4000) or "None yet: add one with `/subscribe`.",
            colour=discord.Colour.blurple(),
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: Precis) -> None:
    await bot.add_cog(Subscriptions(bot))
