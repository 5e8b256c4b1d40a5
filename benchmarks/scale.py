"""Scale benchmark (issue 13): many feeds and subscriptions, polled and delivered by `precis
worker` processes against the fake Discord.

    python -m benchmarks.scale [--feeds 10000] [--channels 2000] [--subscriptions 100000]
                               [--configs sqlite:1,postgresql:1,postgresql:2,postgresql:4]
                               [--limits on,off] [--cpu-workers 0]

Setup, not measured: the feed server of the feed benchmark (a child process on loopback
addresses) serves `--feeds` feeds of 20 entries; every feed is followed with its entries
seen, then publishes one new entry. `--subscriptions` topics spread evenly over `--channels`
channels of one guild: each feed's title is one channel's topic (`feed:"Bench Feed 7"`), so
every new entry owes exactly one card, and the rest are topics drawn from the articles'
vocabulary with one word the generated news never uses, so that every article is matched
against all of them and none matches. Measured: the worker processes start (each forked
from a server that imported the bot once), log in, and poll and deliver on their own; the
poll ends when every feed has been polled, the run when every card is in its channel and
recorded as sent. With limits on, the fake enforces Discord's rate limits and the bot paces
at its default rate; with limits off, it paces at LIMITS_OFF_POSTS_PER_SECOND, so what is
measured is the bot's own cost. Each worker runs its CPU work in threads by default
(`--cpu-workers 0`), so that it uses one core and N processes use N. Prints a Markdown
table. Exits 1 if a card was lost or posted twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import os
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from multiprocessing.context import ForkServerProcess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from benchmarks.feeds import (
    MAX_POSTS_PER_HOUR,
    POLL_SECONDS,
    RemoteServer,
    follow,
    remote_server,
    topics,
)

UNUSED_WORD = "quasar"  # in no generated article: a topic with it matches nothing
LIMITS_OFF_POSTS_PER_SECOND = 1000
STALL_SECONDS = 180.0  # no feed polled and no card posted for this long: the run is stuck
TICK_SECONDS = 0.2
SET_UP_AT_ONCE = 50  # subscriptions added at once while setting up

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class Config:
    """A database backend and how many worker processes share it."""

    backend: str  # sqlite | postgresql
    processes: int

    def __str__(self) -> str:
        return f"{self.backend} x{self.processes}"


@dataclasses.dataclass
class Figures:
    config: str
    limits: str
    feeds: int
    subscriptions: int
    channels: int
    poll_s: float = 0.0
    wall_s: float = 0.0
    cards: int = 0
    cards_per_s: float = 0.0
    peak_rss_mb: list[float] = dataclasses.field(default_factory=list)
    database_mb: float = 0.0
    discord_429s: int = 0
    twice: int = 0
    missing: int = 0


def environ(database: str, posts_per_second: float, cpu_workers: str = "0") -> dict[str, str]:
    """A worker's settings, as `precis worker` reads them from the environment."""
    return {
        "PRECIS_CPU_WORKERS": cpu_workers,
        "DISCORD_TOKEN": "fake-token",
        "PRECIS_DATABASE": database,
        "PRECIS_SYNC_ON_START": "",
        "PRECIS_LOG_LEVEL": os.environ.get("PRECIS_LOG_LEVEL", "WARNING"),
        "PRECIS_ALLOW_PRIVATE_URLS": "true",  # the feed server is on loopback
        "PRECIS_POLL_SECONDS": str(POLL_SECONDS),
        "PRECIS_MESSAGE_CONTENT": "false",
        "PRECIS_POSTS_PER_SECOND": f"{posts_per_second:g}",
    }


def channel_topics(feeds: int, channels: int, subscriptions: int) -> list[list[str]]:
    """Each channel's topics: its share of the feed titles, then unmatchable topics."""
    per_channel = subscriptions // channels
    fillers = iter(topics(subscriptions))
    chosen: list[list[str]] = [[] for _ in range(channels)]
    for feed in range(feeds):
        chosen[feed % channels].append(f'feed:"Bench Feed {feed}"')
    for topic_list in chosen:
        while len(topic_list) < per_channel:
            topic_list.append(f"{next(fillers)} {UNUSED_WORD}")
    return chosen


async def set_up(settings: Any, server: RemoteServer, channels: list[int], args: Any) -> None:
    """Follow every feed (entries seen), subscribe the channels, then publish one entry."""
    from bot.composition import open_services
    from tests.fake_discord import GUILD_ID

    async with open_services(settings) as services:
        await services.guild_config.set(GUILD_ID, "max_posts_per_hour", MAX_POSTS_PER_HOUR)
        await follow(services, server, args.feeds, int(time.time()))
        chosen = channel_topics(args.feeds, len(channels), args.subscriptions)
        wanted = [
            (channel, topic)
            for channel, topic_list in zip(channels, chosen, strict=True)
            for topic in topic_list
        ]
        add = services.storage.subscriptions.add
        for start in range(0, len(wanted), SET_UP_AT_ONCE):  # PostgreSQL's pool: side by side
            batch = wanted[start : start + SET_UP_AT_ONCE]
            await asyncio.gather(*(add(GUILD_ID, c, t, created_by=1) for c, t in batch))
    await server.publish(args.feeds, 1)


class Database:
    """The benchmark's own view of a database: made, read and dropped without the bot."""

    def __init__(self, backend: str, target: str) -> None:
        self.backend = backend
        self.target = target  # what PRECIS_DATABASE says

    @classmethod
    @contextlib.asynccontextmanager
    async def made(cls, backend: str, folder: Path) -> AsyncIterator[Database]:
        """A new, empty database of `backend`: a file in `folder`, or a database on the
        PostgreSQL server the tests use, dropped on the way out."""
        if backend == "sqlite":
            yield cls(backend, str(folder / "precis.db"))
            return
        if backend != "postgresql":
            raise SystemExit(f"backend {backend!r} is not supported by this precis")
        from tests.postgres import reachable_server, with_database

        admin, why = await reachable_server()
        if admin is None:
            raise SystemExit(f"PostgreSQL not reachable: {why}")
        name = f"precis_bench_{secrets.token_hex(6)}"
        await _execute(admin, f"CREATE DATABASE {name}")
        try:
            yield cls(backend, with_database(admin, name))
        finally:
            await _execute(admin, f"DROP DATABASE {name} WITH (FORCE)")

    async def polled_since(self, since: int) -> int:
        """Feeds polled (successfully or not) at or after `since`: their next poll is later."""
        return int(await self._value(f"SELECT COUNT(*) FROM feeds WHERE next_poll > {since:d}"))

    async def open_deliveries(self) -> int:
        return int(
            await self._value(
                "SELECT COUNT(*) FROM deliveries WHERE state IN ('pending', 'sending')"
            )
        )

    async def size_mb(self) -> float:
        if self.backend == "postgresql":
            return int(await self._value("SELECT pg_database_size(current_database())")) / 2**20
        path = Path(self.target)
        files = [path, path.with_name(path.name + "-wal")]
        return sum(file.stat().st_size for file in files if file.exists()) / 2**20

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.backend == "postgresql":
            conn = await asyncpg.connect(self.target)
            try:
                return [tuple(row) for row in await conn.fetch(sql)]
            finally:
                await conn.close()
        return await asyncio.to_thread(self._sqlite_rows, sql)

    def _sqlite_rows(self, sql: str) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.target, timeout=30)) as connection:
            return connection.execute(sql).fetchall()

    async def _value(self, sql: str) -> Any:
        return (await self.rows(sql))[0][0]


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def peak_rss_mb(pid: int | None) -> float:
    """A live process's peak resident set size (VmHWM), read before it is stopped."""
    if pid is None:
        return 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextlib.asynccontextmanager
async def workers(
    count: int, settings_env: dict[str, str], fake: Any, folder: Path
) -> AsyncIterator[list[ForkServerProcess]]:
    """`count` processes of `precis worker`, stopped (SIGTERM) and reaped on the way out."""
    from tests.crash.launch import precis_process

    processes = [
        precis_process(settings_env, fake, folder / f"worker-{number}.log", "worker")
        for number in range(count)
    ]
    for process in processes:
        process.start()
    try:
        yield processes
    finally:
        for process in processes:
            if process.exitcode is None:
                process.terminate()
        for process in processes:
            await asyncio.to_thread(process.join, 30)
            if process.exitcode is None:
                process.kill()


def cards_posted(fake: Any, channels: list[int]) -> Counter[tuple[int, str]]:
    """The bot's cards in the channels, by (channel, article path)."""
    return Counter(
        (channel, urlsplit(embed["url"]).path)
        for channel in channels
        for message in fake.bot_messages(channel)
        for embed in message["embeds"]
    )


def card_posts(fake: Any, since: int) -> int:
    """Cards Discord took since the fake's `since`-th request (each, even twice)."""
    return sum(
        1
        for request in fake.requests[since:]
        if request.status == 200 and request.method == "POST" and request.path.endswith("/messages")
    )


def owed_cards(feeds: int, channels: list[int]) -> Counter[tuple[int, str]]:
    """One card per feed's new entry (index 20: its 21st), in the channel of its title."""
    return Counter((channels[feed % len(channels)], f"/a/{feed}/20") for feed in range(feeds))


async def run_config(config: Config, limits_on: bool, args: Any) -> Figures:
    from tests.fake_discord import GUILD_ID, Limits, fake_discord

    figures = Figures(
        str(config), "on" if limits_on else "off", args.feeds, args.subscriptions, args.channels
    )
    pace = default_pace() if limits_on else LIMITS_OFF_POSTS_PER_SECOND
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        async with (
            Database.made(config.backend, folder) as database,
            fake_discord(Limits.real() if limits_on else None) as fake,
            remote_server() as server,
        ):
            guild = fake.guilds[GUILD_ID]
            channels = [fake.add_channel(guild, f"news-{n}").id for n in range(args.channels)]
            settings = bench_settings(database.target, pace)
            began = time.perf_counter()
            await set_up(settings, server, channels, args)
            log.warning("%s: set up in %.0f s", config, time.perf_counter() - began)
            owed = owed_cards(args.feeds, channels)
            requests_before = len(fake.requests)
            async with workers(
                config.processes, environ(database.target, pace, args.cpu_workers), fake, folder
            ) as processes:
                try:
                    await watch(figures, database, fake, owed, processes, args)
                except Stalled as stalled:
                    raise await kept_for_diagnosis(stalled, database, folder) from None
                figures.peak_rss_mb = [peak_rss_mb(process.pid) for process in processes]
            posted = cards_posted(fake, channels)
            figures.discord_429s = sum(
                1 for request in fake.requests[requests_before:] if request.status == 429
            )
            figures.database_mb = await database.size_mb()
    figures.cards = sum(posted.values())
    figures.twice = sum((posted - owed).values())
    figures.missing = sum((owed - posted).values())
    figures.cards_per_s = figures.cards / figures.wall_s if figures.wall_s else 0.0
    return figures


async def watch(
    figures: Figures,
    database: Database,
    fake: Any,
    owed: Counter[tuple[int, str]],
    processes: list[ForkServerProcess],
    args: Any,
) -> None:
    """Wait until every feed is polled and every owed card is out and recorded, noting when."""
    requests_before = len(fake.requests)
    since, began = int(time.time()), time.perf_counter()
    progress, moved = (-1, -1), time.perf_counter()
    while True:
        await asyncio.sleep(TICK_SECONDS)
        for process in processes:
            assert process.exitcode is None, f"a worker stopped ({process.exitcode})"
        polled = await database.polled_since(since)
        if polled >= args.feeds and not figures.poll_s:
            figures.poll_s = time.perf_counter() - began
        out = card_posts(fake, requests_before)
        if out >= len(owed) and not await database.open_deliveries():
            figures.wall_s = time.perf_counter() - began
            return
        if (polled, out) != progress:
            progress, moved = (polled, out), time.perf_counter()
        if time.perf_counter() - moved > STALL_SECONDS:
            raise Stalled(f"{figures.config}: stuck at {polled} feeds polled, {out} cards")


def _kept(folder: Path, state: str) -> Path:
    kept = Path(tempfile.mkdtemp(prefix="precis-scale-stalled-"))
    for log_file in folder.glob("*.log"):
        shutil.copy(log_file, kept)
    (kept / "state.txt").write_text(state)
    return kept


class Stalled(Exception):
    """Nothing moved for STALL_SECONDS."""


async def kept_for_diagnosis(stalled: Stalled, database: Database, folder: Path) -> SystemExit:
    """The way out of a stalled run: the workers' logs copied where they outlive the run, and
    the deliveries' states beside them, named in the message."""
    states = await database.rows("SELECT state, COUNT(*) FROM deliveries GROUP BY state")
    claims = await database.rows("SELECT owner, COUNT(*) FROM channel_claims GROUP BY owner")
    kept = await asyncio.to_thread(
        _kept, folder, f"deliveries: {states}\nchannel claims: {claims}\n"
    )
    return SystemExit(f"{stalled}; logs and state in {kept}")


def bench_settings(database: str, posts_per_second: float) -> Any:
    from bot.settings import load_settings

    return load_settings(environ(database, posts_per_second), env_file=None)


def default_pace() -> float:
    from benchmarks.feeds import default_posts_per_second

    return default_posts_per_second()


COLUMNS = (
    ("config", "configuration"),
    ("limits", "limits"),
    ("poll_s", "poll s"),
    ("wall_s", "all cards out s"),
    ("cards", "cards"),
    ("cards_per_s", "cards/s"),
    ("peak_rss_mb", "peak RSS MB per process"),
    ("database_mb", "database MB"),
    ("discord_429s", "429s"),
    ("twice", "twice"),
    ("missing", "missing"),
)


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(f"{item:.0f}" for item in value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def table(rows: Sequence[Figures]) -> list[str]:
    lines = [
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|---|---|" + "---:|" * (len(COLUMNS) - 2),
    ]
    for row in rows:
        values = dataclasses.asdict(row)
        lines.append("| " + " | ".join(_cell(values[name]) for name, _ in COLUMNS) + " |")
    return lines


def _configs(raw: str) -> list[Config]:
    configs = []
    for part in raw.split(","):
        backend, _, processes = part.strip().partition(":")
        configs.append(Config(backend, int(processes or 1)))
    return configs


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=2_000)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument(
        "--configs",
        type=_configs,
        default=_configs("sqlite:1,postgresql:1,postgresql:2,postgresql:4"),
        help="backend:processes, comma-separated",
    )
    parser.add_argument(
        "--cpu-workers",
        default="0",
        help="each worker's PRECIS_CPU_WORKERS; 0 (threads): a process uses one core, so "
        "N processes use N",
    )
    parser.add_argument(
        "--limits",
        type=lambda raw: [part.strip() == "on" for part in raw.split(",")],
        default=[True, False],
        help="on, off, or on,off: the fake's rate limits",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    rows = [
        asyncio.run(run_config(config, limits_on, args))
        for limits_on in args.limits
        for config in args.configs
    ]
    print(
        f"{args.feeds:,} feeds with one new entry each; {args.subscriptions:,} subscriptions "
        f"on {args.channels:,} channels (one card per entry); fake Discord limits on: paced "
        f"at {default_pace():g}/s, off: at {LIMITS_OFF_POSTS_PER_SECOND}/s. Each worker with "
        f"PRECIS_CPU_WORKERS={args.cpu_workers}, on a machine of {os.cpu_count()} cores.\n"
    )
    print("\n".join(table(rows)))
    return 1 if any(row.twice or row.missing for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
