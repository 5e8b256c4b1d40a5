"""The figures /about shows, without Discord."""

from __future__ import annotations

from pathlib import Path

from bot.model import Article
from bot.services.stats import Stats
from bot.storage import SQLiteStorage


async def test_counts_name_what_precis_keeps_in_the_order_to_show_them(tmp_path: Path) -> None:
    storage = await SQLiteStorage.open(tmp_path / "precis.db")
    try:
        await storage.articles.save(Article(title="T", paragraphs=("Words.",)), quotes=[])
        counts = await Stats(storage).counts()
    finally:
        await storage.close()
    assert list(counts) == [
        "feeds",
        "subscriptions",
        "cards posted today",
        "cards waiting",
        "articles",
        "summaries",
        "quotes",
        "speakers",
    ]
    assert counts["articles"] == 1 and counts["quotes"] == 0
