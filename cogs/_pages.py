"""Long listings as embeds a page at a time, within Discord's limits, turned by buttons."""

from __future__ import annotations

import contextlib
from typing import Any

import discord

from cogs._cards import BudgetEmbed
from cogs._progress import finish_work

# Under Discord's description limit of 4096; the rest of an embed (title, footer) stays well
# under the 2000 left of the 6000 in all (a BudgetEmbed refuses it otherwise).
PAGE_BUDGET = 4000


def pack_lines(lines: list[str], budget: int = PAGE_BUDGET) -> list[str]:
    """The lines as pages of at most `budget` characters, every line whole on one page; a
    line longer than a page is cut across consecutive pages, so nothing is left out."""
    pieces = [
        line[start : start + budget] for line in lines for start in range(0, len(line) or 1, budget)
    ]
    pages: list[list[str]] = []
    size = 0
    for piece in pieces:
        if pages and size + 1 + len(piece) <= budget:
            pages[-1].append(piece)
            size += 1 + len(piece)
        else:
            pages.append([piece])
            size = len(piece)
    return ["\n".join(page) for page in pages]


class Pages(discord.ui.View):
    """Embeds shown one at a time; only the member who asked turns the pages. Each is a
    BudgetEmbed, so the page number added to its footer is checked against the limits too."""

    def __init__(self, embeds: list[BudgetEmbed], owner_id: int) -> None:
        super().__init__(timeout=300)
        self.embeds = embeds
        self.owner_id = owner_id
        self.page = 0
        self.message: discord.InteractionMessage | None = None
        if len(embeds) > 1:  # "Page 2 of 3", before what the footer already says
            for number, embed in enumerate(embeds, start=1):
                page = f"Page {number} of {len(embeds)}"
                embed.set_footer(
                    text=f"{page} · {embed.footer.text}" if embed.footer.text else page
                )
        self._update_buttons()

    async def send(self, interaction: discord.Interaction[Any], *, ephemeral: bool = False) -> None:
        """The first page as the answer; in place of the placeholder if the work was deferred."""
        view = self if len(self.embeds) > 1 else discord.utils.MISSING
        if interaction.response.is_done():
            await finish_work(interaction, embed=self.embeds[0], view=view)
        else:
            await interaction.response.send_message(
                embed=self.embeds[0], view=view, ephemeral=ephemeral
            )
        if len(self.embeds) > 1:
            self.message = await interaction.original_response()

    def _update_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.embeds) - 1

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Only the member who asked turns the pages; anyone else is told so."""
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(
            "Only the member who asked can turn these pages; run the command yourself.",
            ephemeral=True,
        )
        return False

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        self.page = min(max(0, self.page + step), len(self.embeds) - 1)
        self._update_buttons()
        await interaction.response.edit_message(embed=self.embeds[self.page], view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[Any], _: discord.ui.Button[Pages]
    ) -> None:
        """Show the page before."""
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(
        self, interaction: discord.Interaction[Any], _: discord.ui.Button[Pages]
    ) -> None:
        """Show the page after."""
        await self._turn(interaction, 1)

    async def on_timeout(self) -> None:
        """Remove the buttons, which no longer answer."""
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):  # deleted, or the token expired
                await self.message.edit(view=None)
