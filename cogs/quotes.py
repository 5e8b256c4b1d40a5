"""`/quote`: what was said in this server's articles, by words, by speaker or by article."""

from __future__ import annotations

import asyncio
import contextlib
import math
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Precis
from bot.errors import UserError
from bot.news.quotes import shown_speaker
from bot.news.speakers import match_speakers
from bot.storage import QuoteHit, SpeakerCount
from cogs._cards import link, shorten, shown
from cogs._progress import finish_work, start_work

PAGE_SIZE = 5
# A page of five quotes stays under Discord's 6000 by construction: five fields of a name
# and a value (the words, the source and its date), a title and a footer:
# 5 * (150 + 2 + 700 + 1 + 250 + 13) + 256 + 60 = 5896.
NAME_BUDGET = 150
QUOTE_BUDGET = 700
SOURCE_BUDGET = 250
SUGGESTIONS = 5


def quote_field(hit: QuoteHit) -> tuple[str, str]:
    """A quote as an embed field: who said it as the name; the words, as written, and where."""
    quote = hit.quote
    speaker = shown_speaker(quote) or "Unattributed"
    if quote.description:
        speaker = f"{speaker}, {quote.description}"
    source = link(hit.title or "an article", hit.url, SOURCE_BUDGET)
    if hit.published:
        source += f" · {hit.published[:10]}"
    return shown(speaker, NAME_BUDGET), f"“{shown(quote.text, QUOTE_BUDGET)}”\n{source}"


class QuotePages(discord.ui.View):
    """Quotes shown a page at a time; only the member who asked turns the pages."""

    def __init__(self, title: str, hits: list[QuoteHit], owner_id: int) -> None:
        super().__init__(timeout=300)
        self.title = shorten(title, 256)
        self.hits = hits
        self.owner_id = owner_id
        self.page = 0
        self.message: discord.InteractionMessage | None = None
        self._update_buttons()

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(len(self.hits) / PAGE_SIZE))

    def embed(self) -> discord.Embed:
        embed = discord.Embed(title=self.title, colour=discord.Colour.dark_gold())
        for hit in self.hits[self.page * PAGE_SIZE : (self.page + 1) * PAGE_SIZE]:
            name, value = quote_field(hit)
            embed.add_field(name=name, value=value, inline=False)
        count = f"{len(self.hits)} quote" + ("" if len(self.hits) == 1 else "s")
        embed.set_footer(text=f"Page {self.page + 1} of {self.page_count} · {count}")
        return embed

    def _update_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.page_count - 1

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the member who asked can turn these pages; run the command yourself.",
            ephemeral=True,
        )
        return False

    async def _turn(self, interaction: discord.Interaction[Precis], step: int) -> None:
        self.page = min(max(0, self.page + step), self.page_count - 1)
        self._update_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[Precis], _: discord.ui.Button[QuotePages]
    ) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(
        self, interaction: discord.Interaction[Precis], _: discord.ui.Button[QuotePages]
    ) -> None:
        await self._turn(interaction, 1)

    async def on_timeout(self) -> None:
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):  # deleted, or the token expired
                await self.message.edit(view=None)


def speaker_names(speakers: list[SpeakerCount]) -> str:
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
        speakers = await self._speakers(interaction.guild_id)
        # In a worker thread: a server may have quoted thousands of people.
        matches = await asyncio.to_thread(match_speakers, current, speakers)
        return [
            app_commands.Choice(name=shorten(f"{s.name} ({s.quotes})", 100), value=s.name[:100])
            for s in matches
        ]

    @staticmethod
    async def _show(interaction: discord.Interaction[Precis], pages: QuotePages) -> None:
        view = pages if pages.page_count > 1 else discord.utils.MISSING
        if interaction.response.is_done():
            await finish_work(interaction, embed=pages.embed(), view=view)
        else:
            await interaction.response.send_message(embed=pages.embed(), view=view)
        pages.message = await interaction.original_response()

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
        await self._show(interaction, QuotePages(title, hits, interaction.user.id))

    @quote.command(name="speaker")
    @app_commands.describe(name="The person (start typing to pick one)")
    @app_commands.autocomplete(name=speaker_autocomplete)
    async def speaker(self, interaction: discord.Interaction[Precis], name: str) -> None:
        """One person's quotes, newest first."""
        assert interaction.guild_id is not None
        person = await self._resolve_speaker(interaction.guild_id, name)
        hits = await self.bot.storage.quotes.by_speaker(interaction.guild_id, person.key)
        await self._show(
            interaction,
            QuotePages(f"What {shown(person.name, 200)} said", hits, interaction.user.id),
        )

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
        await self._show(interaction, QuotePages(title, hits, interaction.user.id))


async def setup(bot: Precis) -> None:
    await bot.add_cog(Quotes(bot))
