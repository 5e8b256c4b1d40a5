"""`/feed`: admins choose the feeds this server reads."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Precis, Wordings
from bot.model import Feed
from bot.services.feeds import AlreadyFollowing, FeedLimitReached, NotFollowing
from cogs._cards import (
    BudgetEmbed,
    bare_link,
    code,
    fit_lines,
    link,
    safe_url,
    shorten,
    shown,
)
from cogs._checks import admin
from cogs._choices import CHOICE_LIMIT, choice_value, referenced_id
from cogs._progress import finish_work, start_work

LIST_BUDGET = 3800
PREVIEW_ENTRIES = 5
# The /feed add embed stays under Discord's limits by construction: a description of five
# entries, each a line of at most ENTRY_BUDGET, under 4096; with the title and the
# footer, under 6000.
ENTRY_BUDGET = 700

# The feed service's refusals, with the command that helps.
WORDINGS: Wordings = {
    FeedLimitReached: lambda error: (
        f"This server follows {error.limit} feeds already, its limit "
        "(`/config set max_feeds`). Remove one first."
    ),
    AlreadyFollowing: lambda _: "This server already follows that feed; `/feed list` shows it.",
    NotFollowing: lambda _: (
        "This server doesn't follow that feed; `/feed list` shows the ones it does."
    ),
}


def when(timestamp: int | None) -> str:
    """A time as Discord shows it relative to now (`in 5 minutes`), or `never`."""
    return f"<t:{timestamp}:R>" if timestamp else "never"


def feed_line(feed: Feed) -> str:
    """A feed in `/feed list`: title, link, last success, next poll or paused, last error."""
    state = "⏸️ paused" if feed.paused else f"next poll {when(feed.next_poll)}"
    line = (
        f"**{shown(feed.title, 100)}** — {bare_link(feed.url)}\n"
        f"last success {when(feed.last_success)} · {state}"
    )
    if feed.last_error:
        line += f"\nlast error: {shown(feed.last_error, 150)}"
    return line


class Feeds(commands.Cog):
    wordings = WORDINGS

    feed = app_commands.Group(
        name="feed",
        description="The news feeds this server reads",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: Precis) -> None:
        self.bot = bot

    async def _picked(self, guild_id: int, typed: str) -> str:
        """The address of the feed a member picked: the autocomplete gives a reference for an
        address too long to be a choice's value."""
        feed_id = referenced_id(typed)
        if feed_id is None:
            return typed
        feeds = await self.bot.feeds.followed(guild_id)
        return next((feed.url for feed in feeds if feed.id == feed_id), typed)

    async def feed_autocomplete(
        self, interaction: discord.Interaction[Precis], current: str
    ) -> list[app_commands.Choice[str]]:
        """This server's feeds whose title or URL holds what is typed."""
        assert interaction.guild_id is not None
        typed = current.casefold()
        feeds = await self.bot.feeds.followed(interaction.guild_id)
        return [
            app_commands.Choice(
                name=shorten(f"{feed.title} — {feed.url}", CHOICE_LIMIT),
                value=choice_value(feed.url, feed.id),
            )
            for feed in feeds
            if typed in feed.title.casefold() or typed in feed.url.casefold()
        ][:25]

    @feed.command(name="add")
    @admin(manage_guild=True)
    @app_commands.describe(url="An RSS or Atom feed, or a page that names one")
    async def add(self, interaction: discord.Interaction[Precis], url: str) -> None:
        """Follow a feed: its new entries become cards in subscribed channels."""
        assert interaction.guild_id is not None
        progress = await start_work(interaction, ephemeral=True)
        await progress("Reading the feed…")
        added = await self.bot.feeds.follow(interaction.guild_id, url, interaction.user.id)
        newest = [
            "• " + link(entry.title or entry.link, entry.link, ENTRY_BUDGET)
            for entry in added.entries[:PREVIEW_ENTRIES]
        ]
        embed = BudgetEmbed(
            title=f"Following {shown(added.title, 200)}",
            url=safe_url(added.url),
            description="\n".join(["Newest entries:", *newest]) if newest else "No entries yet.",
            colour=discord.Colour.green(),
        )
        backlog = (
            f"{added.backfilled} of them will be posted now (`backfill`)."
            if added.backfilled
            else "Only entries published from now on will be posted."
        )
        embed.set_footer(text=backlog)
        await finish_work(interaction, embed=embed)

    @feed.command(name="remove")
    @admin(manage_guild=True)
    @app_commands.describe(url="The feed to stop following")
    @app_commands.autocomplete(url=feed_autocomplete)
    async def remove(self, interaction: discord.Interaction[Precis], url: str) -> None:
        """Stop following a feed."""
        assert interaction.guild_id is not None
        url = await self._picked(interaction.guild_id, url)
        await self.bot.feeds.unfollow(interaction.guild_id, url)
        await interaction.response.send_message(
            f"Stopped following {bare_link(url)}.", ephemeral=True
        )

    @feed.command(name="list")
    @admin(manage_guild=True)
    async def list_(self, interaction: discord.Interaction[Precis]) -> None:
        """The feeds this server follows, and how their polls went."""
        assert interaction.guild_id is not None
        feeds = await self.bot.feeds.followed(interaction.guild_id)
        embed = BudgetEmbed(
            title=f"Feeds ({len(feeds)})",
            description=fit_lines([feed_line(feed) + "\n" for feed in feeds], LIST_BUDGET)
            or "None yet: add one with `/feed add`.",
            colour=discord.Colour.blurple(),
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @feed.command(name="resume")
    @admin(manage_guild=True)
    @app_commands.describe(url="A paused feed")
    @app_commands.autocomplete(url=feed_autocomplete)
    async def resume(self, interaction: discord.Interaction[Precis], url: str) -> None:
        """Poll a paused feed again."""
        assert interaction.guild_id is not None
        url = await self._picked(interaction.guild_id, url)
        feed = await self.bot.feeds.resume(interaction.guild_id, url)
        await interaction.response.send_message(
            f"**{shown(feed.title, 200)}** will be polled again now.", ephemeral=True
        )

    @feed.command(name="test")
    @admin(manage_guild=True)
    @app_commands.describe(url="A feed, followed or not")
    @app_commands.autocomplete(url=feed_autocomplete)
    async def test(self, interaction: discord.Interaction[Precis], url: str) -> None:
        """A dry run: what would be posted now, and where. Nothing is posted."""
        assert interaction.guild_id is not None
        progress = await start_work(interaction, ephemeral=True)
        await progress("Reading the feed…")
        dry_run = await self.bot.feeds.dry_run(interaction.guild_id, url)
        lines = []
        for item in dry_run.items:
            where = ", ".join(
                f"<#{t.channel_id}> ({code(shorten(t.topic or '', 60))})" for t in item.targets
            )
            lines.append(
                f"• {shown(item.entry.title or item.entry.link, 120)} → {where or 'no channel'}"
            )
        embed = BudgetEmbed(
            title=f"Dry run: {shown(dry_run.title, 200)}",
            description=fit_lines(lines, LIST_BUDGET) or "Nothing would be posted now.",
            colour=discord.Colour.orange(),
        )
        embed.set_footer(text="Matched on each entry's title and summary. Nothing was posted.")
        await finish_work(interaction, embed=embed)


async def setup(bot: Precis) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(Feeds(bot))
