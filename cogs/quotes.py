"""`/quote`: what was said in this server's articles, by words, by speaker or by article."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Precis, Wordings
from bot.model import QuoteHit, SpeakerCount
from bot.services.quotes import EmptyQuery, NoMatchingQuotes, UnknownSpeaker
from cogs._cards import (
    TITLE_LIMIT,
    BudgetEmbed,
    link,
    quote_speaker,
    quote_words,
    shorten,
    shown,
)
from cogs._pages import Pages
from cogs._progress import start_work

PAGE_SIZE = 5
# A page of five quotes stays under Discord's 6000 by construction: five fields of a name
# and a value (the words, the source and its date), a title and a footer:
# 5 * (150 + 702 + 1 + 250 + 13) + 256 + 60 = 5896, the name being SPEAKER_BUDGET.
QUOTE_BUDGET = 702  # the words and their two quotation marks
SOURCE_BUDGET = 250


def quote_field(hit: QuoteHit) -> tuple[str, str]:
    """A quote as an embed field: who said it as the name; the words, as written, and where."""
    source = link(hit.title or "an article", hit.url, SOURCE_BUDGET)
    if hit.published:
        source += f" · {hit.published[:10]}"
    speaker = quote_speaker(hit.quote, described=True, unknown="Unattributed")
    return speaker, f"{quote_words(hit.quote, QUOTE_BUDGET)}\n{source}"


def quote_pages(title: str, hits: list[QuoteHit]) -> list[BudgetEmbed]:
    """The quotes as embeds of PAGE_SIZE fields each, every one saying how many there are."""
    count = f"{len(hits)} quote" + ("" if len(hits) == 1 else "s")
    embeds = []
    for start in range(0, max(1, len(hits)), PAGE_SIZE):
        embed = BudgetEmbed(title=shorten(title, TITLE_LIMIT), colour=discord.Colour.dark_gold())
        for hit in hits[start : start + PAGE_SIZE]:
            name, value = quote_field(hit)
            embed.add_field(name=name, value=value, inline=False)
        embeds.append(embed.set_footer(text=count))
    return embeds


def speaker_names(speakers: tuple[SpeakerCount, ...]) -> str:
    """The speakers' names, for a suggestion."""
    return ", ".join(shown(speaker.name, 60) for speaker in speakers)


def unknown_speaker(error: UnknownSpeaker) -> str:
    """No one of that name, and who has been quoted instead."""
    known = f" People quoted here: {speaker_names(error.suggestions)}." if error.suggestions else ""
    return f"No one called “{shown(error.typed, 80)}” has been quoted here yet.{known}"


def no_matching_quotes(error: NoMatchingQuotes) -> str:
    """No quote has those words, and whose quotes there are."""
    hint = f" Try a speaker: {speaker_names(error.suggestions)}." if error.suggestions else ""
    by = f" by {shown(error.speaker.name, 80)}" if error.speaker else ""
    return f"No quotes{by} match “{shown(error.query, 80)}”.{hint}"


WORDINGS: Wordings = {
    EmptyQuery: lambda _: "Type some words to look for, like `/quote search climate`.",
    UnknownSpeaker: unknown_speaker,
    NoMatchingQuotes: no_matching_quotes,
}


class Quotes(commands.Cog):
    wordings = WORDINGS

    quote = app_commands.Group(
        name="quote",
        description="Look up what people said in this server's articles",
        guild_only=True,
    )

    def __init__(self, bot: Precis) -> None:
        self.bot = bot

    async def speaker_autocomplete(
        self, interaction: discord.Interaction[Precis], current: str
    ) -> list[app_commands.Choice[str]]:
        """The people quoted in this server whose name matches what is typed."""
        assert interaction.guild_id is not None  # the group is guild_only
        matches = await self.bot.quotes.speakers_like(interaction.guild_id, current)
        return [
            app_commands.Choice(name=shorten(f"{s.name} ({s.quotes})", 100), value=s.name[:100])
            for s in matches
        ]

    @staticmethod
    async def _show(
        interaction: discord.Interaction[Precis], title: str, hits: list[QuoteHit]
    ) -> None:
        await Pages(quote_pages(title, hits), interaction.user.id).send(interaction)

    @quote.command(name="search")
    @app_commands.describe(query="Words the quote contains", speaker="Only quotes by this person")
    @app_commands.autocomplete(speaker=speaker_autocomplete)
    async def search(
        self, interaction: discord.Interaction[Precis], query: str, speaker: str | None = None
    ) -> None:
        """Search the quotes seen in this server."""
        assert interaction.guild_id is not None
        found = await self.bot.quotes.search(interaction.guild_id, query, speaker)
        title = f"Quotes matching “{shown(query, 150)}”" + (
            f" by {shown(found.speaker.name, 80)}" if found.speaker else ""
        )
        await self._show(interaction, title, found.hits)

    @quote.command(name="speaker")
    @app_commands.describe(name="The person (start typing to pick one)")
    @app_commands.autocomplete(name=speaker_autocomplete)
    async def speaker(self, interaction: discord.Interaction[Precis], name: str) -> None:
        """One person's quotes, newest first."""
        assert interaction.guild_id is not None
        found = await self.bot.quotes.by_speaker(interaction.guild_id, name)
        await self._show(interaction, f"What {shown(found.speaker.name, 200)} said", found.hits)

    @quote.command(name="article")
    @app_commands.describe(url="A link to an article")
    async def article(self, interaction: discord.Interaction[Precis], url: str) -> None:
        """List the quotes in one article."""
        progress = await start_work(interaction)
        found = await self.bot.quotes.in_article(
            url, guild_id=interaction.guild_id, progress=progress
        )
        title = f"Quotes in “{shown(found.stored.article.title or 'the article', 200)}”"
        await self._show(interaction, title, found.hits)


async def setup(bot: Precis) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(Quotes(bot))
