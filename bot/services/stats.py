"""What precis has read and posted, in figures, for `/about`."""

from __future__ import annotations

from bot.storage import Storage


class Stats:
    """Counts over everything stored, of every server."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def counts(self) -> dict[str, int]:
        """How many of each thing precis keeps, by what a user would call it ("articles",
        "quotes", "cards posted today"...), in the order to show them."""
        return await self.storage.counts()
