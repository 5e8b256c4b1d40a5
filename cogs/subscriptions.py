"""`/subscribe`, `/unsubscribe`, `/subscriptions`: which topics each channel gets cards for."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Precis, Wordings
from bot.services.subscriptions import AlreadyFollowed, Listed, NotFollowed
from cogs._cards import BudgetEmbed, code, shorten
from cogs._checks import admin, require_bot_can_post, target_channel
from cogs._choices import CHOICE_LIMIT, choice_value, referenced_id
from cogs._pages import Pages, pack_lines
from cogs._progress import finish_work, start_work

REPLY_TOPIC_BUDGET = 1500  # of a reply's 2000
WORDINGS: Wordings = {
    AlreadyFollowed: lambda error: f"<#{error.channel_id}> already follows {code(error.topic)}.",
    NotFollowed: lambda error: (
        f"<#{error.channel_id}> doesn't follow {code(shorten(error.typed, 100))}: pick a topic "
        "from the list as you type, or see `/subscriptions`."
    ),
}


def choice_name(topic: str) -> str:
    """A topic within a choice's 100 characters, its start and its end: long topics often
    differ only at the end."""
    if len(topic) <= CHOICE_LIMIT:
        return topic
    half = (CHOICE_LIMIT - 1) // 2
    return f"{topic[:half]}…{topic[-(CHOICE_LIMIT - 1 - half) :]}"


def listing_line(listed: Listed) -> str:
    """A subscription in a list: channel and topic, and whether it is paused or unreadable."""
    subscription = listed.subscription
    line = f"<#{subscription.channel_id}> {code(subscription.topic)}"
    if subscription.paused:
        line += " ⏸️ paused"
    if not listed.readable:
        line += " ⚠️ unreadable, so never matched: `/unsubscribe` it and subscribe again"
    return line


class Subscriptions(commands.Cog):
    wordings = WORDINGS

    def __init__(self, bot: Precis) -> None:
        self.bot = bot

    async def topic_autocomplete(
        self, interaction: discord.Interaction[Precis], current: str
    ) -> list[app_commands.Choice[str]]:
        """The topics of the chosen channel (else this one) holding what is typed."""
        assert interaction.guild_id is not None
        channel_id = getattr(interaction.namespace, "channel", None)
        channel_id = channel_id.id if channel_id is not None else interaction.channel_id
        subscriptions = await self.bot.subscriptions.followed(interaction.guild_id, channel_id)
        typed = current.casefold()
        return [
            app_commands.Choice(name=choice_name(s.topic), value=choice_value(s.topic, s.id))
            for s in subscriptions
            if typed in s.topic.casefold()
        ][:25]

    @app_commands.command(name="subscribe")
    @admin(in_channel=True, manage_channels=True)
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
        where = target_channel(interaction, channel)
        self.bot.subscriptions.check_topic(topic)  # what is wrong with it, privately, first
        require_bot_can_post(where)
        await start_work(interaction, ephemeral=True)  # the preview may take seconds
        followed = await self.bot.subscriptions.follow(
            where.guild.id, where.id, topic, interaction.user.id
        )
        message = f"{where.mention} now gets cards for {code(followed.topic)}."
        if followed.preview.matches_nothing:
            message += (
                f"\n⚠️ It matches none of the last {followed.preview.tried} articles I stored; "
                "check the spelling, or widen it with `OR`."
            )
        await finish_work(interaction, content=message)

    @app_commands.command(name="unsubscribe")
    @admin(in_channel=True, manage_channels=True)
    @app_commands.describe(topic="The topic to drop", channel="The channel (default: here)")
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def unsubscribe(
        self,
        interaction: discord.Interaction[Precis],
        topic: str,
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Stop a channel's cards for a topic."""
        where = target_channel(interaction, channel)
        found = await self.bot.subscriptions.unfollow(
            where.guild.id, where.id, topic, referenced_id(topic)
        )
        await interaction.response.send_message(
            f"{where.mention} no longer gets cards for "
            f"{code(shorten(found.topic, REPLY_TOPIC_BUDGET))}.",
            ephemeral=True,
        )

    @app_commands.command(name="subscriptions")
    @app_commands.guild_only()
    @app_commands.describe(channel="One channel (default: the whole server)")
    async def subscriptions(
        self, interaction: discord.Interaction[Precis], channel: discord.TextChannel | None = None
    ) -> None:
        """The topics each channel gets cards for."""
        assert interaction.guild_id is not None
        found = await self.bot.subscriptions.listing(
            interaction.guild_id, channel.id if channel else None
        )
        pages = pack_lines([listing_line(s) for s in found]) or [
            "None yet: add one with `/subscribe`."
        ]
        embeds = [
            BudgetEmbed(
                title=f"Subscriptions ({len(found)})",
                description=page,
                colour=discord.Colour.blurple(),
            )
            for page in pages
        ]
        await Pages(embeds, interaction.user.id).send(interaction, ephemeral=True)


async def setup(bot: Precis) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(Subscriptions(bot))
