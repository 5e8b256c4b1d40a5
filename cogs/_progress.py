"""Long work in an interaction: a public "thinking…" placeholder that shows progress and then
becomes the answer. While it is only a placeholder, the error handler replaces it with a
private message (see `bot.client.reply_ephemeral`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import discord
from discord.utils import utcnow

from bot.client import PLACEHOLDER
from bot.services.desk import Progress

# An interaction's token lives 15 minutes; past this, its placeholder is no longer edited.
EDIT_WINDOW = timedelta(minutes=14)
PRIVATE = "precis_private"  # interaction.extras: whether the placeholder is ephemeral


def editable(interaction: discord.Interaction[Any]) -> bool:
    """Whether the interaction's token is still good for editing its placeholder."""
    return utcnow() - interaction.created_at < EDIT_WINDOW


async def start_work(interaction: discord.Interaction[Any], *, ephemeral: bool = False) -> Progress:
    """Defer at once, and return a callback that shows what is happening in the placeholder."""
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    interaction.extras[PLACEHOLDER] = True
    interaction.extras[PRIVATE] = ephemeral

    async def progress(status: str) -> None:
        if editable(interaction):
            await interaction.edit_original_response(content=status)

    return progress


async def finish_work(interaction: discord.Interaction[Any], **answer: Any) -> None:
    """Turn the placeholder into the answer (`embed=`, `view=`, `content=`). Past the edit
    window the answer is sent as a plain message instead: in the channel, or to the member
    directly when the placeholder was private."""
    if editable(interaction):
        await interaction.edit_original_response(**{"content": None, **answer})
        interaction.extras[PLACEHOLDER] = False
        return
    private = interaction.extras.get(PRIVATE, False)
    where = interaction.user if private or interaction.channel is None else interaction.channel
    if isinstance(where, discord.abc.Messageable):
        await where.send(**answer)
