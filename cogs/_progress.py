"""Long work in an interaction: a public "thinking…" placeholder that shows progress and then
becomes the answer. While it is only a placeholder, the error handler replaces it with a
private message (see `bot.client.reply_ephemeral`)."""

from __future__ import annotations

from typing import Any

import discord

from bot.client import PLACEHOLDER
from bot.services.desk import Progress


async def start_work(interaction: discord.Interaction[Any], *, ephemeral: bool = False) -> Progress:
    """Defer at once, and return a callback that shows what is happening in the placeholder."""
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    interaction.extras[PLACEHOLDER] = True

    async def progress(status: str) -> None:
        await interaction.edit_original_response(content=status)

    return progress


async def finish_work(interaction: discord.Interaction[Any], **answer: Any) -> None:
    """Turn the placeholder into the answer (`embed=`, `view=`, `content=`)."""
    await interaction.edit_original_response(**{"content": None, **answer})
    interaction.extras[PLACEHOLDER] = False
