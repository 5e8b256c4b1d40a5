"""The figures /about shows, without Discord."""

from __future__ import annotations

from bot.model import Article
from bot.services.stats import Stats
from bot.storage import Storage


async def test_counts_name_what_precis_keeps_in_the_order_to_show_them(
    storage: Storage,
) -> None:
    await storage.articles.save(Article(title="T", paragraphs=("Words.",)), quotes=[])
    counts = await Stats(storage).counts()
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
