"""`/quote`: what was said in this server's articles, by words, by speaker or by article."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Precis
from bot.errors import UserError
from bot.model import QuoteHit, SpeakerCount
from bot.pipeline.speakers import match_speakers
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
SUGGESTIONS = 5


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


def speaker_names(speakers: list[SpeakerCount]) -> str:
    """The first few speakers' names, for a suggestion."""
    return ", ".join(shown(speaker.name, 60) for speaker in speakers[:SUGGESTIONS])


class Quotes(commands.Cog):
    quote = app_commands.Group(
        name="quote",
        description="Look up what people said in this server's articles",
        guild_only=True,
    )

    def __init__(self, bot: Precis) -> None:
        self.bot = bot

    async def _speakers(self, guild_id: int | None) -> list[SpeakerCount]:
        assert guild_id is not None  # the group is guild_only
        return await self.bot.storage.quotes.speakers(guild_id)

    async def _resolve_speaker(self, guild_id: int | None, typed: str) -> SpeakerCount:
        speakers = await self._speakers(guild_id)
        matches = await asyncio.to_thread(match_speakers, typed, speakers, limit=1)
        if not matches:
            known = f" People quoted here: {speaker_names(speakers)}." if speakers else ""
            raise UserError(f"No one called “{shown(typed, 80)}” has been quoted here yet.{known}")
        return matches[0]

    async def speaker_autocomplete(
        self, interaction: discord.Interaction[Precis], current: str
    ) -> list[app_commands.Choice[str]]:
        """The people quoted in this server whose name matches what is typed."""
        speakers = await self._speakers(interaction.guild_id)
        # In a worker thread: a server may have quoted thousands of people.
        matches = await asyncio.to_thread(match_speakers, current, speakers)
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
        if not any(ch.isalnum() for ch in query):
            raise UserError("Type some words to look for, like `/quote search climate`.")
        person = await self._resolve_speaker(interaction.guild_id, speaker) if speaker else None
        hits = await self.bot.storage.quotes.search(
            interaction.guild_id, query, speaker=person.key if person else None
        )
        if not hits:
            speakers = await self._speakers(interaction.guild_id)
            hint = f" Try a speaker: {speaker_names(speakers)}." if speakers else ""
            by = f" by {shown(person.name, 80)}" if person else ""
            raise UserError(f"No quotes{by} match “{shown(query, 80)}”.{hint}")
        title = f"Quotes matching “{shown(query, 150)}”" + (
            f" by {shown(person.name, 80)}" if person else ""
        )
        await self._show(interaction, title, hits)

    @quote.command(name="speaker")
    @app_commands.describe(name="The person (start typing to pick one)")
    @app_commands.autocomplete(name=speaker_autocomplete)
    async def speaker(self, interaction: discord.Interaction[Precis], name: str) -> None:
        """One person's quotes, newest first."""
        assert interaction.guild_id is not None
        person = await self._resolve_speaker(interaction.guild_id, name)
        hits = await self.bot.storage.quotes.by_speaker(interaction.guild_id, person.key)
        await self._show(interaction, f"What {shown(person.name, 200)} said", hits)

    @quote.command(name="article")
    @app_commands.describe(url="A link to an article")
    async def article(self, interaction: discord.Interaction[Precis], url: str) -> None:
        """List the quotes in one article."""
        progress = await start_work(interaction)
        stored = await self.bot.desk.read_url(url, guild_id=interaction.guild_id, progress=progress)
        hits = await self.bot.storage.quotes.for_article(stored.id)
        if not hits:
            raise UserError("I found no quotes in that article.")
        title = f"Quotes in “{shown(stored.article.title or 'the article', 200)}”"
        await self._show(interaction, title, hits)


async def setup(bot: Precis) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(Quotes(bot))
