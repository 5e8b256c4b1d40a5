"""Storage benchmark (issue 13, item 5): quote search and speaker autocomplete on a database of
100,000 articles, and the purge that keeps it from growing.

    python -m benchmarks.storage [--articles 100000] [--postgresql URL]

Setup, not measured: `--articles` generated articles (about 5 KB of text each, as the bot
stores real news), created evenly over the last SPREAD_DAYS days, each with
QUOTES_PER_ARTICLE quotes (each a sentence of its own, its words as common as in the text) by
people drawn from SPEAKERS, a posted card and a seen feed entry (of one of FEEDS feeds); one
server has seen them all, the worst case for it. Rows go in through the storage's bulk copy,
as `precis db copy` writes them. Measured on SQLite (a new
file), and on PostgreSQL when `--postgresql` names an empty database: the median and p95 of
SAMPLES quote searches (two words, the last a prefix, as /quotes search takes them) and of
SAMPLES autocomplete keystrokes (`QuoteSearch.speakers_like`: cold, the server's list dropped
before each; warm, from the cache), the database's size, then the hourly purge of the older
half (`Retention`'s batches) and its time, and the size after it. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from bot.pipeline.fetch import create_session
from bot.services.desk import NewsDesk
from bot.services.quotes import QuoteSearch
from bot.services.retention import BATCH_ROWS, KEEP_ENTRIES
from bot.storage import Storage, open_storage

GUILD = 1
SPREAD_DAYS = 180
QUOTES_PER_ARTICLE = 3
SPEAKERS = 5_000
FEEDS = 100
CHANNELS = 20
SENTENCES = 4_000  # the pool each article's text is drawn from (each quote is new)
SENTENCES_PER_ARTICLE = 28
WORDS = 6_000
CHUNK = 2_000  # articles per bulk write
SAMPLES = 50
SEED = 13
DAY = 86_400


@dataclasses.dataclass(frozen=True, slots=True)
class Figures:
    backend: str
    articles: int
    search_ms: tuple[float, float]  # median, p95
    cold_ms: tuple[float, float]
    warm_ms: tuple[float, float]
    size_before_mb: float
    purge_s: float
    purged: int
    size_after_mb: float


class Corpus:
    """Deterministic generated news: words with a Zipf-like spread, sentences made of them,
    and people with first names and surnames."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        syllables = ["ka", "lo", "mi", "ren", "sa", "tor", "vel", "an", "dis", "por", "ult", "ne"]
        self.words = sorted(
            {"".join(self.rng.choices(syllables, k=self.rng.randint(2, 4))) for _ in range(WORDS)}
        )
        self.rng.shuffle(self.words)
        ranks = range(1, len(self.words) + 1)
        self.spread = list(itertools.accumulate(1 / rank for rank in ranks))  # Zipf-like
        self.sentences = [self.sentence(self.rng) for _ in range(SENTENCES)]
        firsts = [word.capitalize() for word in self.words[100:400]]
        lasts = [word.capitalize() for word in self.words[400:1400]]
        people = {f"{self.rng.choice(firsts)} {self.rng.choice(lasts)}" for _ in range(SPEAKERS)}
        self.people = sorted(people)

    def sentence(self, rng: random.Random) -> str:
        """12 to 24 words, the common ones often."""
        words = rng.choices(self.words, cum_weights=self.spread, k=rng.randint(12, 24))
        return " ".join(words).capitalize() + "."

    def queries(self, count: int) -> list[str]:
        """Two words of a quote (one like them: each is a sentence of its own), the second cut
        to a prefix."""
        picks = []
        for _ in range(count):
            sentence = self.sentence(self.rng).rstrip(".").lower().split()
            first, second = self.rng.sample(sentence, 2)
            picks.append(f"{first} {second[: max(3, len(second) - 2)]}")
        return picks

    def typed_names(self, count: int) -> list[str]:
        """What a member has typed of a name at some keystroke: a first name's start, or more."""
        typed = []
        for _ in range(count):
            name = self.rng.choice(self.people)
            typed.append(name[: self.rng.randint(2, len(name))])
        return typed


def rows(corpus: Corpus, articles: int, now: int) -> Iterator[list[tuple[str, list[str], list]]]:
    """The tables' rows, CHUNK articles at a time, each chunk ready for `write_tables`."""
    rng = random.Random(SEED)
    step = SPREAD_DAYS * DAY / articles
    yield [
        (
            "feeds",
            ["id", "url", "title"],
            [(f, f"https://feed.test/{f}", f"Feed {f}") for f in range(1, FEEDS + 1)],
        ),
        (
            "speakers",
            ["id", "key", "name"],
            [(i, name.lower(), name) for i, name in enumerate(corpus.people, start=1)],
        ),
    ]
    quote_id = 0
    for start in range(1, articles + 1, CHUNK):
        chunk: dict[str, list[tuple[Any, ...]]] = {
            "articles": [],
            "article_sightings": [],
            "quotes": [],
            "deliveries": [],
            "feed_entries": [],
        }
        for article_id in range(start, min(start + CHUNK, articles + 1)):
            created = int(now - SPREAD_DAYS * DAY + (article_id - 1) * step)
            text = rng.sample(corpus.sentences, SENTENCES_PER_ARTICLE)
            url = f"https://news.test/{article_id}"
            chunk["articles"].append(
                (
                    article_id,
                    url,
                    f"{article_id:064x}",
                    text[0],
                    json.dumps(text),
                    len(text) * 18,
                    created,
                )
            )
            chunk["article_sightings"].append((article_id, GUILD, created))
            for place in range(QUOTES_PER_ARTICLE):
                quote_id += 1
                person = rng.randrange(len(corpus.people))
                said = corpus.sentence(rng)
                chunk["quotes"].append(
                    (
                        quote_id,
                        article_id,
                        place * 1000,
                        place * 1000 + len(said),
                        said,
                        corpus.people[person],
                        corpus.people[person],
                        person + 1,
                        said,
                    )
                )
            chunk["deliveries"].append(
                (article_id, GUILD, article_id % CHANNELS, article_id, "sent", created, created)
            )
            chunk["feed_entries"].append(
                (article_id % FEEDS + 1, f"entry-{article_id}", url, article_id, created)
            )
        yield [
            (
                "articles",
                ["id", "url", "content_hash", "title", "paragraphs", "word_count", "created_at"],
                chunk["articles"],
            ),
            (
                "article_sightings",
                ["article_id", "guild_id", "seen_at"],
                chunk["article_sightings"],
            ),
            (
                "quotes",
                [
                    "id",
                    "article_id",
                    "start",
                    "end",
                    "text",
                    "speaker",
                    "speaker_resolved",
                    "speaker_id",
                    "sentence",
                ],
                chunk["quotes"],
            ),
            (
                "deliveries",
                ["id", "guild_id", "channel_id", "article_id", "state", "created_at", "sent_at"],
                chunk["deliveries"],
            ),
            (
                "feed_entries",
                ["feed_id", "entry_key", "link", "article_id", "seen_at"],
                chunk["feed_entries"],
            ),
        ]


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    """Median and p95, in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


async def timed(calls: Sequence[Callable[[], Awaitable[Any]]]) -> tuple[float, float]:
    """Each call once, one after the other; the median and p95 of their times."""
    times = []
    for call in calls:
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return percentiles(times)


async def size_mb(storage: Any, target: Path | str) -> float:
    """The database's size: SQLite's pages in use (free pages are reused before the file
    grows), PostgreSQL's `pg_database_size` after a VACUUM (which frees dead rows for reuse,
    not to the system)."""
    if isinstance(target, Path):
        await storage.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = await storage.db.fetch_value("PRAGMA page_count")
        free = await storage.db.fetch_value("PRAGMA freelist_count")
        size = await storage.db.fetch_value("PRAGMA page_size")
        return (pages - free) * size / 2**20
    async with storage.db.pool.acquire() as conn:
        await conn.execute("VACUUM ANALYZE")
        return await conn.fetchval("SELECT pg_database_size(current_database())") / 2**20


async def run_backend(target: Path | str, articles: int) -> Figures:
    corpus = Corpus()
    now = int(time.time())
    storage: Any = await open_storage(target)
    try:
        for tables in rows(corpus, articles, now):
            await storage.write_tables(tables)
        async with create_session() as session:
            return await measure(storage, target, corpus, articles, now, session)
    finally:
        await storage.close()


async def measure(
    storage: Storage, target: Path | str, corpus: Corpus, articles: int, now: int, session: Any
) -> Figures:
    desk = NewsDesk(storage, session)
    search = QuoteSearch(storage, desk)
    size_before = await size_mb(storage, target)
    queries = corpus.queries(SAMPLES)
    typed = corpus.typed_names(SAMPLES)

    def cold(text: str) -> Callable[[], Awaitable[Any]]:
        async def keystroke() -> Any:
            desk.speakers.forget_all()
            return await search.speakers_like(GUILD, text)

        return keystroke

    searched = await timed([lambda q=q: storage.quotes.search(GUILD, q) for q in queries])
    cold_ms = await timed([cold(text) for text in typed])
    warm_ms = await timed([lambda t=t: search.speakers_like(GUILD, t) for t in typed])
    started = time.perf_counter()
    report = await storage.purge(
        now - SPREAD_DAYS * DAY // 2, keep_entries=KEEP_ENTRIES, limit=BATCH_ROWS
    )
    purge_s = time.perf_counter() - started
    backend = "SQLite" if isinstance(target, Path) else "PostgreSQL"
    return Figures(
        backend,
        articles,
        searched,
        cold_ms,
        warm_ms,
        size_before,
        purge_s,
        report.articles,
        await size_mb(storage, target),
    )


COLUMNS = (
    ("backend", "backend"),
    ("articles", "articles"),
    ("search_ms", "search ms (median, p95)"),
    ("cold_ms", "autocomplete cold ms"),
    ("warm_ms", "autocomplete warm ms"),
    ("size_before_mb", "size MB"),
    ("purge_s", "purge of the older half s"),
    ("purged", "articles purged"),
    ("size_after_mb", "size after MB"),
)


def _cell(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(f"{item:.1f}" for item in value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(figures: Sequence[Figures]) -> list[str]:
    lines = [
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|---|" + "---:|" * (len(COLUMNS) - 1),
    ]
    for row in figures:
        values = {field.name: getattr(row, field.name) for field in dataclasses.fields(row)}
        lines.append("| " + " | ".join(_cell(values[name]) for name, _ in COLUMNS) + " |")
    return lines


@contextlib.asynccontextmanager
async def sqlite_file() -> AsyncIterator[Path]:
    with tempfile.TemporaryDirectory(prefix="precis-bench-storage-") as folder:
        yield Path(folder) / "precis.db"


async def run(args: argparse.Namespace) -> list[Figures]:
    figures = []
    async with sqlite_file() as path:
        figures.append(await run_backend(path, args.articles))
    if args.postgresql:
        figures.append(await run_backend(args.postgresql, args.articles))
    return figures


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--postgresql", metavar="URL", help="an empty PostgreSQL database")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    print("\n".join(table(asyncio.run(run(args)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
