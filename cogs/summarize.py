"""`/summarize` and the "Summarize" message menu: a link or a text in, a summary card out."""

from __future__ import annotations

import asyncio
import logging
import re

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Precis
from bot.errors import UserError
from bot.model import SUMMARY_METHODS
from cogs._cards import summary_card
from cogs._progress import finish_work, start_work

FIRST_LINK = re.compile(r"https?://[^\s<>|]+")
METHOD_CHOICES = [app_commands.Choice(name=name, value=name) for name in SUMMARY_METHODS]
# Seconds one /summarize may take, from "thinking…" to the card. The work goes on after it
# (a fetch and a summary finish into storage), so asking again soon gets the answer at once.
DEADLINE = 30.0

log = logging.getLogger(__name__)


class Summarize(commands.Cog):
    def __init__(self, bot: Precis) -> None:
        self.bot = bot
        self.deadline = DEADLINE
        self.menu = app_commands.ContextMenu(name="Summarize", callback=self.summarize_message)

    async def cog_load(self) -> None:
        """Add the Summarize message menu (a context menu can't live in a cog by itself)."""
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        """Remove the message menu."""
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(name="summarize")
    @app_commands.describe(
        url="A link to an article",
        text="Or the text itself",
        sentences="How many sentences (1 to 10; default: this server's setting)",
        method="How to pick them (default: this server's setting)",
        private="Show the summary to you only",
    )
    @app_commands.choices(method=METHOD_CHOICES)
    async def summarize(
        self,
        interaction: discord.Interaction[Precis],
        url: str | None = None,
        text: str | None = None,
        sentences: app_commands.Range[int, 1, 10] | None = None,
        method: str | None = None,
        private: bool = False,
    ) -> None:
        """Summarize an article from a link, or a text you paste."""
        if (url is None) == (text is None):
            raise UserError("Give me either a `url` or a `text` to summarize, not both.")
        if url is not None:
            # A malformed link gets its answer at once, before "thinking…".
            self.bot.desk.check_url(url)
        await self.respond(
            interaction, url=url, text=text, count=sentences, method=method, private=private
        )

    async def summarize_message(
        self, interaction: discord.Interaction[Precis], message: discord.Message
    ) -> None:
        link = FIRST_LINK.search(message.content)
        if link is None and not message.content.strip():
            raise UserError("That message has no link or text to summarize.")
        url = link[0].rstrip(").,>") if link else None
        await self.respond(interaction, url=url, text=None if url else message.content)

    async def respond(
        self,
        interaction: discord.Interaction[Precis],
        *,
        url: str | None,
        text: str | None,
        count: int | None = None,
        method: str | None = None,
        private: bool = False,
    ) -> None:
        """Defer, read and summarise with progress in the placeholder, then show the card;
        a one-line answer instead if that takes more than `deadline` seconds."""
        progress = await start_work(interaction, ephemeral=private)
        settings = await self.bot.guild_config.all(interaction.guild_id)
        count = count or settings.summary_sentences
        method = method or settings.summary_method
        waiting = True

        async def report(status: str) -> None:
            if waiting:  # after the deadline the placeholder is gone
                await progress(status)

        # Shielded: the deadline stops the waiting, never a fetch or a write half done.
        work = asyncio.ensure_future(
            self.bot.desk.summarize_source(
                url=url,
                text=text,
                method=method,
                count=count,
                guild_id=interaction.guild_id,
                progress=report,
            )
        )
        try:
            async with asyncio.timeout(self.deadline):
                done = await asyncio.shield(work)
        except TimeoutError:
            waiting = False
            work.add_done_callback(_log_failure)
            raise UserError(
                f"That is taking more than {self.deadline:g} seconds. I'll keep at it: ask again"
                " in a minute."
            ) from None
        card = summary_card(done.stored, done.summary, count, key_quote=done.key_quote)
        await finish_work(interaction, embed=card)


def _log_failure(work: asyncio.Future[object]) -> None:
    """Log how work no one waits for any more failed, if it did."""
    if not work.cancelled() and work.exception() is not None:
        error = work.exception()
        if not isinstance(error, UserError):
            log.error("summary work failed after its deadline", exc_info=error)


async def setup(bot: Precis) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(Summarize(bot))
