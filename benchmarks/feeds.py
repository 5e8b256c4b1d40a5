"""Feed polling benchmark: one poll-and-deliver cycle of the real bot at 100 and 1,000 feeds.

    python -m benchmarks.feeds [--feeds 100,1000] [--new-per-feed 1] [--posts-per-second 45]
                               [--configs today,pool] [--repeat 1] [--tracemalloc]

A local server (a child process, on loopback addresses 127.0.0.1-8) serves generated RSS
feeds of 20 entries with ETags (304 on If-None-Match) and their article pages, and counts what
it serves. The real precis client runs against the fake Discord (tests/fake_discord/), which
records every REST request. Each scale runs in a fresh process, so caches and peak RSS are its
own. Setup, not measured: the guild gets one channel per 10 subscriptions (topics drawn from the
articles' vocabulary), every feed is followed with its 20 current entries already seen, then
each feed publishes `--new-per-feed` new entries. Cycle 1 is `Poller.poll` then
`Dispatcher.deliver` until nothing more goes out, with the Articles cog as poster (its own loops
are stopped); cycle 2 is the next poll with nothing new. Prints a Markdown table and how each
figure grows from the smallest to the largest scale. Exits 0.

Each scale runs in each configuration (`CONFIGS`), one after the other, `--repeat` times:
`today`, CPU work in threads and every feed read by feedparser (as before the CPU pool), and
`pool`, CPU work in one worker process per core and plain feeds read by the lxml reader. The
comparison lines give each one's median cycle-1 times and pool's over today's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from html import escape
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ENTRIES = 20
SUBSCRIPTIONS_PER_CHANNEL = 10
SUBSCRIPTIONS_PER_FEED = 10  # 1,000 feeds: 10,000 subscriptions across 1,000 channels
HOSTS = 8  # feeds spread over 127.0.0.1-8, as real feeds spread over many sites
POLL_SECONDS = 600
MAX_POSTS_PER_HOUR = "120"  # the highest a server may set
SEED = 20261124
# name -> (PRECIS_CPU_WORKERS, PRECIS_FAST_FEEDS); None workers: one per core.
CONFIGS: dict[str, tuple[int | None, bool]] = {"today": (0, False), "pool": (None, True)}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SUBJECTS = _words(
    "bridge airport tram harbour stadium library hospital museum railway tunnel ferry canal "
    "reservoir pipeline motorway cathedral orchard vineyard brewery bakery factory shipyard "
    "refinery quarry mine wind solar battery hydrogen vaccine measles flu dementia obesity "
    "budget pension tax tariff inflation mortgage rent wages strike union election referendum "
    "coalition senate mayor police prison court verdict fraud bribery smuggling drought flood "
    "wildfire storm earthquake avalanche glacier heatwave pollution recycling plastic wolves "
    "bees salmon whales coral forest football rugby cricket tennis cycling marathon rowing "
    "sailing chess orchestra opera theatre festival carnival film novel poetry telescope "
    "satellite rocket robot drone chip software broadband privacy hackers ransomware bitcoin "
    "tourism hotel cruise farmers fishermen dockers nurses teachers students pilots"
)
PLACES = _words(
    "Riverton Ashford Bramley Calder Dunmore Elmstead Fairhaven Glenrock Halton Ironbridge "
    "Jarrow Kelso Larkhill Marston Norbury Oakridge Pellham Quenby Rosedale Saltash Thornbury "
    "Upton Vexford Westmoor Yarrow Zennor Alderney Bexley Coldwater Deepdale Eastwick Foxley "
    "Greystone Hartwell Inverby Juniper Kingsmere Lowther Millbrook Newhaven Ormsby Penrith "
    "Quarrydale Redcliff Stonebridge Tidewell Underhill Valemont Whitby Yelverton Ashcombe "
    "Brackwater Cresswell Dovecote Embleton Fernhill Goldcrest Holloway Ivybridge Kestrel"
)
FIRST_NAMES = _words(
    "Alice Bruno Carla Dmitri Elena Farid Greta Hamid Ingrid Jonas Keiko Lars Maya Nadia Oscar "
    "Petra Quentin Rosa Samir Tessa Ulrich Vera Walter Xenia Yusuf Zofia Anton Beatriz Cyril "
    "Dalia Emil Fiona Gustav Hana Igor Julia Kofi Leila Marco Nina"
)
LAST_NAMES = _words(
    "Novak Okafor Lindqvist Moreau Haddad Brennan Kowalski Tanaka Varga Oduya Petrov Silva "
    "Lindgren Castillo Nakamura Dubois Mensah Horvat Andersen Rossi Fischer Quigley Abbott "
    "Byrne Carver Dalton Ellison Fairley Garner Hollis Ingram Jarvis Keating Lowell Mercer "
    "Nolan Osborne Pryce Radley Sutton"
)
ROLES = (
    "a council member",
    "a local shop owner",
    "the head of the residents' association",
    "an engineer who advised the council",
    "a spokeswoman for the regional government",
    "a professor at the city university",
)
OPENINGS = (
    "Officials in {place} confirmed on {day} that the long-debated {subject} plan will go ahead, "
    "after months of public meetings and a narrow vote.",
    "The {subject} project in {place} has been delayed again, officials said on {day}, blaming "
    "rising costs and a shortage of skilled workers.",
    "Residents of {place} woke on {day} to news that the {subject} scheme they had opposed for "
    "years had won final approval from the regional government.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
HEADLINES = (
    "{place} approves {subject} plan after narrow vote",
    "{subject} row deepens in {place}",
    "New delay for {place} {subject} scheme",
    "{place} residents divided over {subject} decision",
)

log = logging.getLogger(__name__)


# --- Generated news ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Story:
    title: str
    paragraphs: tuple[str, ...]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def story(feed: int, index: int) -> Story:
    """Entry `index` of feed `feed`: one place, a main and a side subject, two speakers."""
    rng = random.Random(feed * 1_000_003 + index)
    place, subject, side = rng.choice(PLACES), *rng.sample(SUBJECTS, 2)
    first, second = _person(rng), _person(rng)
    words = {"place": place, "subject": subject, "day": rng.choice(DAYS)}
    title = rng.choice(HEADLINES).format(**words)
    paragraphs = (
        rng.choice(OPENINGS).format(**words),
        f"“We have waited a very long time for a clear answer on the {subject}, and people here "
        f"deserve to know what happens next,” said {first}, {rng.choice(ROLES)}.",
        f"The work is expected to cost about {rng.randint(12, 900)} million and to take "
        f"{rng.randint(2, 9)} years, according to documents published by the council last "
        "month, which also set out how the money would be raised.",
        f"Critics argue that the money would be better spent on the {side}, which they say "
        f"has been neglected for a decade while the {subject} took all the attention.",
        f"{second}, {rng.choice(ROLES)}, said the decision was “a gamble with public money” "
        "and promised to keep pressing for an independent review before any contract is signed.",
        "A final report is due before the end of the year, and a public meeting has been "
        f"called for next {rng.choice(DAYS)} evening in the town hall.",
    )
    return Story(title, paragraphs)


def article_page(item: Story) -> str:
    body = "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in item.paragraphs)
    title = escape(item.title)
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f'<title>{title}</title><meta property="og:title" content="{title}">'
        '<meta property="og:site_name" content="Bench Herald">'
        '<meta property="article:published_time" content="2026-11-20T08:00:00Z">'
        '</head><body><nav><a href="/">Home</a></nav>'
        f'<article><h1>{title}</h1><p class="byline">By Sam Reporter</p>\n{body}\n</article>'
        "<footer>Copyright Bench Herald.</footer></body></html>"
    )


def feed_xml(feed: int, newest: int, base: str) -> str:
    """The feed's 20 latest entries, newest first; entry i is /a/{feed}/{i}."""
    items = []
    for index in range(newest - 1, max(newest - ENTRIES, 0) - 1, -1):
        item = story(feed, index)
        items.append(
            f"<item><title>{escape(item.title)}</title><link>{base}/a/{feed}/{index}</link>"
            f"<guid>bench-{feed}-{index}</guid><pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>"
            f"<description>{escape(item.paragraphs[0])}</description></item>"
        )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench Feed {feed}</title>'
        f"<link>{base}/</link>{''.join(items)}</channel></rss>"
    )


def topics(count: int, seed: int = SEED) -> list[str]:
    """Subscription topics from the articles' vocabulary: mostly narrow, as real channels are."""
    rng = random.Random(seed)
    kinds = (
        (55, lambda: f"{rng.choice(PLACES)} {rng.choice(SUBJECTS)}"),
        (20, lambda: "{} {}".format(*rng.sample(SUBJECTS, 2))),
        (10, lambda: f'"{_person(rng)}"'),
        (10, lambda: "{} {} OR {}".format(rng.choice(PLACES), *rng.sample(SUBJECTS, 2))),
        (5, lambda: "{} {} -{}".format(rng.choice(PLACES), *rng.sample(SUBJECTS, 2))),
    )
    weights = [weight for weight, _ in kinds]
    return [rng.choices(kinds, weights)[0][1]() for _ in range(count)]


# --- The feed server --------------------------------------------------------------------------


class FeedServer:
    """Feeds and article pages on 127.0.0.1..N (one port); counts what it serves."""

    def __init__(self, hosts: int = HOSTS) -> None:
        self.hosts = [f"127.0.0.{number}" for number in range(1, hosts + 1)]
        self.newest: dict[int, int] = {}  # feed -> entries published (default ENTRIES)
        self.counts: Counter[str] = Counter()
        self._runner: web.AppRunner | None = None
        self.port = 0

    def feed_url(self, feed: int) -> str:
        return f"http://{self.hosts[feed % len(self.hosts)]}:{self.port}/feed/{feed}.xml"

    def publish(self, feeds: int, count: int) -> None:
        for feed in range(feeds):
            self.newest[feed] = self.newest.get(feed, ENTRIES) + count

    async def _feed(self, request: web.Request) -> web.Response:
        feed = int(request.match_info["feed"])
        newest = self.newest.get(feed, ENTRIES)
        etag = f'"{feed}-{newest}"'
        if request.headers.get("If-None-Match") == etag:
            self.counts["feeds_304"] += 1
            return web.Response(status=304, headers={"ETag": etag})
        self.counts["feeds_200"] += 1
        base = f"http://{request.host}"
        body = feed_xml(feed, newest, base)
        self.counts["bytes"] += len(body)
        return web.Response(text=body, content_type="application/rss+xml", headers={"ETag": etag})

    async def _article(self, request: web.Request) -> web.Response:
        self.counts["pages"] += 1
        info = request.match_info
        body = article_page(story(int(info["feed"]), int(info["index"])))
        self.counts["bytes"] += len(body)
        return web.Response(text=body, content_type="text/html")

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(dict(self.counts))

    async def _publish(self, request: web.Request) -> web.Response:
        self.publish(int(request.query["feeds"]), int(request.query["count"]))
        return web.json_response({"ok": True})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/feed/{feed:\\d+}.xml", self._feed)
        app.router.add_get("/a/{feed:\\d+}/{index:\\d+}", self._article)
        app.router.add_get("/_stats", self._stats)
        app.router.add_post("/_publish", self._publish)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        first = web.TCPSite(self._runner, self.hosts[0], 0)
        await first.start()
        self.port = self._runner.addresses[0][1]
        for host in self.hosts[1:]:
            await web.TCPSite(self._runner, host, self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def serve_forever(hosts: int) -> None:
    """`--serve`: run the server until stdin closes; print its port first."""
    server = FeedServer(hosts)
    await server.start()
    print(server.port, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await server.stop()


class RemoteServer:
    """The feed server in a child process, so its CPU and memory are not the bot's."""

    def __init__(self, port: int, hosts: int, session: aiohttp.ClientSession) -> None:
        self.hosts = [f"127.0.0.{number}" for number in range(1, hosts + 1)]
        self.port = port
        self.session = session

    def feed_url(self, feed: int) -> str:
        return f"http://{self.hosts[feed % len(self.hosts)]}:{self.port}/feed/{feed}.xml"

    async def stats(self) -> Counter[str]:
        async with self.session.get(f"http://127.0.0.1:{self.port}/_stats") as response:
            return Counter(await response.json())

    async def publish(self, feeds: int, count: int) -> None:
        url = f"http://127.0.0.1:{self.port}/_publish"
        params = {"feeds": str(feeds), "count": str(count)}
        async with self.session.post(url, params=params) as response:
            response.raise_for_status()


@contextlib.asynccontextmanager
async def remote_server(hosts: int = HOSTS) -> AsyncIterator[RemoteServer]:
    child = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "benchmarks.feeds", "--serve", "--hosts", str(hosts)),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None and child.stdin is not None
    try:
        port = int(await child.stdout.readline())
        async with aiohttp.ClientSession() as session:
            yield RemoteServer(port, hosts, session)
    finally:
        child.stdin.close()
        try:
            await asyncio.wait_for(child.wait(), 10)
        except TimeoutError:
            child.kill()
            await child.wait()


# --- One scale --------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@dataclasses.dataclass
class CycleFigures:
    feeds: int
    cycle: int
    config: str = "pool"
    wall_s: float = 0.0
    poll_s: float = 0.0
    deliver_s: float = 0.0
    feeds_polled: int = 0
    feeds_200: int = 0
    feeds_304: int = 0
    new_entries: int = 0
    pages_fetched: int = 0
    cards_owed: int = 0
    cards_sent: int = 0
    cards_waiting: int = 0
    cards_failed: int = 0
    deliver_calls: int = 0
    discord_requests: int = 0
    discord_posts: int = 0
    loop_lag_s: float = 0.0  # the longest the event loop was late (Discord waits meanwhile)
    poll_cpu_s: float = 0.0  # CPU time of the bot's own process during the poll
    workers_cpu_s: float = 0.0  # and of its CPU workers (the feed server's not counted)
    rss_before_mb: float = 0.0
    rss_peak_mb: float = 0.0
    tracemalloc_peak_mb: float | None = None


def rss_mb() -> float:
    """The resident set size now (Linux: /proc/self/statm)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


class RssSampler:
    """The peak RSS while it runs, sampled every 20 ms from a thread (ru_maxrss is the
    process's lifetime peak, which setup may have set)."""

    def __init__(self) -> None:
        self.peak = rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


async def subscribe(bot: Any, channels: Sequence[int], count: int) -> None:
    from tests.fake_discord import GUILD_ID

    storage = bot.storage
    for number, topic in enumerate(topics(count)):
        channel = channels[number // SUBSCRIPTIONS_PER_CHANNEL]
        await storage.subscriptions.add(GUILD_ID, channel, topic, created_by=1)


async def follow(bot: Any, server: RemoteServer | FeedServer, feeds: int, now: int) -> None:
    """What `FeedService.follow` does (read, mark the current entries seen), minus its limit."""
    from bot.pipeline.feeds import entry_key
    from tests.fake_discord import GUILD_ID

    reader = bot.feeds.reader

    async def one(feed: int) -> None:
        url, parsed = await reader.read(server.feed_url(feed))
        seen = [(entry_key(entry), entry.link) for entry in parsed.entries]
        await bot.storage.feeds.add(GUILD_ID, url, parsed.title, seen=seen, added_by=1, now=now)

    for start in range(0, feeds, 50):
        await asyncio.gather(*(one(feed) for feed in range(start, min(start + 50, feeds))))


class LoopLag:
    """How late the event loop ran a 50 ms timer, at worst: while it is late, the bot answers
    no interaction and no gateway heartbeat ACK."""

    TICK = 0.05

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            began = time.perf_counter()
            await asyncio.sleep(self.TICK)
            self.worst = max(self.worst, time.perf_counter() - began - self.TICK)

    async def __aenter__(self) -> LoopLag:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def deliveries(bot: Any) -> int:
    return int(await bot.storage.db.fetch_value("SELECT COUNT(*) FROM deliveries"))


async def drain(bot: Any, figures: CycleFigures) -> None:
    """`deliver` until it posts nothing more (one call takes at most 1,000 pending cards)."""
    cog, dispatcher = bot.get_cog("Articles"), bot.dispatcher
    while True:
        report = await dispatcher.deliver(cog)
        figures.deliver_calls += 1
        figures.cards_sent += report.sent
        figures.cards_failed += report.failed
        figures.cards_waiting = report.waiting
        if not report.sent and not report.failed:
            return


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux: /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_pids() -> list[int]:
    """The bot's descendant processes (the forkserver and the CPU workers), not the feed
    server it started (`--serve`)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    found, frontier = [], [os.getpid()]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return [pid for pid in found if b"--serve" not in _command_line(pid)]


def _command_line(pid: int) -> bytes:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    return b""


def _workers_cpu(pids: Sequence[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            total += _cpu_seconds(pid)
    return total


async def timed_cycle(bot: Any, figures: CycleFigures, trace: bool) -> None:
    if trace:
        tracemalloc.start()
    workers = worker_pids()
    workers_before, cpu_before = _workers_cpu(workers), time.process_time()
    began = time.perf_counter()
    polled = await bot.poller.poll(bot.get_cog("Articles"))
    figures.poll_s = time.perf_counter() - began
    figures.poll_cpu_s = time.process_time() - cpu_before
    figures.workers_cpu_s = _workers_cpu(workers) - workers_before
    await drain(bot, figures)
    figures.wall_s = time.perf_counter() - began
    figures.deliver_s = figures.wall_s - figures.poll_s
    if trace:
        figures.tracemalloc_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    figures.feeds_polled, figures.new_entries = polled.feeds, polled.new_entries


async def measure_cycle(
    bot: Any, fake: Any, server: Any, feeds: int, cycle: int, *, trace: bool
) -> CycleFigures:
    figures = CycleFigures(feeds, cycle, rss_before_mb=rss_mb())
    served, requests_before = await server.stats(), len(fake.requests)
    owed_before = await deliveries(bot)
    with RssSampler() as rss:
        async with LoopLag() as lag:
            await timed_cycle(bot, figures, trace)
    figures.rss_peak_mb, figures.loop_lag_s = rss.peak, lag.worst
    # Counted in the database: PollReport.cards_owed loses concurrent increments.
    figures.cards_owed = await deliveries(bot) - owed_before
    served = (await server.stats()) - served
    made = fake.requests[requests_before:]
    figures.feeds_200, figures.feeds_304 = served["feeds_200"], served["feeds_304"]
    figures.pages_fetched = served["pages"]
    figures.discord_requests = len(made)
    figures.discord_posts = sum(
        1 for r in made if r.method == "POST" and r.path.endswith("/messages")
    )
    return figures


def bench_settings(
    folder: Path, posts_per_second: float | None = None, config: str = "pool"
) -> Any:
    """The bot's settings for a benchmark: a database in `folder`, pages on loopback, cards
    paced at `posts_per_second` (default: the setting's), CPU work as `config` does it."""
    from bot.settings import Settings

    cpu_workers, fast_feeds = CONFIGS[config]
    return Settings(
        token="fake-token",
        database=folder / "precis.db",
        prefix="!",
        sync_on_start="",
        log_level="WARNING",
        allow_private_urls=True,  # the feed server is on loopback
        poll_seconds=POLL_SECONDS,
        message_content=False,
        posts_per_second=posts_per_second or default_posts_per_second(),
        metrics_port=0,  # no metrics server
        metrics_host="127.0.0.1",
        cpu_workers=cpu_workers,
        fast_feeds=fast_feeds,
        lease_seconds=30,
        retention_days=0,  # nothing is old within a benchmark
    )


async def run_scale(
    feeds: int,
    new_per_feed: int,
    *,
    trace: bool = False,
    hosts: int = HOSTS,
    posts_per_second: float | None = None,
    config: str = "pool",
) -> list[CycleFigures]:
    from bot.client import Precis
    from bot.composition import open_services
    from tests.fake_discord import GUILD_ID, fake_discord, running_bot

    channel_count = feeds * SUBSCRIPTIONS_PER_FEED // SUBSCRIPTIONS_PER_CHANNEL
    with tempfile.TemporaryDirectory() as folder:
        settings = bench_settings(Path(folder), posts_per_second, config)
        async with fake_discord() as fake, remote_server(hosts) as server:
            guild = fake.guilds[GUILD_ID]
            channels = [fake.add_channel(guild, f"news-{n}").id for n in range(channel_count)]
            clock = Clock()  # the services' time, moved on by the benchmark between cycles
            async with open_services(settings, clock=clock) as services:
                bot = Precis(settings, services, guild_ready_timeout=0.05)
                async with running_bot(bot):
                    rows = await _cycles(
                        bot, fake, server, clock, feeds, channels, new_per_feed, trace
                    )
    return [dataclasses.replace(row, config=config) for row in rows]


async def _cycles(
    bot: Any,
    fake: Any,
    server: RemoteServer,
    clock: Clock,
    feeds: int,
    channels: list[int],
    new_per_feed: int,
    trace: bool,
) -> list[CycleFigures]:
    from tests.fake_discord import GUILD_ID

    cog = bot.get_cog("Articles")
    cog.poll_feeds.cancel()  # the benchmark drives the poller and the dispatcher
    cog.send_cards.cancel()
    began = time.perf_counter()
    await bot.guild_config.set(GUILD_ID, "max_posts_per_hour", MAX_POSTS_PER_HOUR)
    await subscribe(bot, channels, feeds * SUBSCRIPTIONS_PER_FEED)
    await follow(bot, server, feeds, int(clock.now))
    await server.publish(feeds, new_per_feed)
    log.warning("setup of %d feeds took %.1f s", feeds, time.perf_counter() - began)
    first = await measure_cycle(bot, fake, server, feeds, 1, trace=trace)
    clock.now += POLL_SECONDS + 1
    second = await measure_cycle(bot, fake, server, feeds, 2, trace=trace)
    return [first, second]


# --- Report -----------------------------------------------------------------------------------

COLUMNS = (
    ("feeds", "feeds"),
    ("config", "config"),
    ("cycle", "cycle"),
    ("wall_s", "wall s"),
    ("poll_s", "poll s"),
    ("deliver_s", "deliver s"),
    ("feeds_200", "feeds 200"),
    ("feeds_304", "feeds 304"),
    ("new_entries", "new entries"),
    ("pages_fetched", "pages"),
    ("cards_owed", "cards owed"),
    ("cards_sent", "cards sent"),
    ("cards_waiting", "held by cap"),
    ("deliver_calls", "deliver calls"),
    ("discord_requests", "Discord requests"),
    ("discord_posts", "message POSTs"),
    ("loop_lag_s", "max loop lag s"),
    ("poll_cpu_s", "poll CPU s"),
    ("workers_cpu_s", "workers' CPU s"),
    ("rss_before_mb", "RSS before MB"),
    ("rss_peak_mb", "RSS peak MB"),
    ("tracemalloc_peak_mb", "traced peak MB"),
)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}" if value < 10 else f"{value:.1f}"
    return str(value)


def _numeric(name: str) -> bool:
    return name not in ("feeds", "config", "cycle")


def table(rows: Sequence[CycleFigures]) -> list[str]:
    lines = [
        "| " + " | ".join(title for _, title in COLUMNS) + " |",
        "|" + "---:|" * len(COLUMNS),
    ]
    for row in rows:
        values = dataclasses.asdict(row)
        lines.append("| " + " | ".join(_cell(values[name]) for name, _ in COLUMNS) + " |")
    return lines


def _ratio(large: Any, small: Any) -> str:
    if large is None or small is None:
        return "-"
    if not small:
        return "-" if not large else "∞"
    return f"×{large / small:.1f}"


CYCLE_2_FIGURES = ("wall_s", "poll_s", "feeds_200", "pages_fetched", "discord_requests")


def _share(part: Any, whole: Any) -> str:
    return "-" if not whole else f"{100 * part / whole:.1f}%"


def _of(rows: Sequence[CycleFigures], config: str) -> list[CycleFigures]:
    """The config's rows, the first run of each scale."""
    first: dict[tuple[int, int], CycleFigures] = {}
    for row in rows:
        if row.config == config:
            first.setdefault((row.feeds, row.cycle), row)
    return list(first.values())


def growth(rows: Sequence[CycleFigures], config: str = "pool") -> list[str]:
    """Each figure at the largest scale over the smallest, per cycle; cycle 2 over cycle 1."""
    scales = sorted({row.feeds for row in rows})
    by_key = {(row.feeds, row.cycle): dataclasses.asdict(row) for row in rows}
    lines = []
    names = [(name, title) for name, title in COLUMNS if _numeric(name)]
    if len(scales) > 1:
        small, large = scales[0], scales[-1]
        for cycle in (1, 2):
            parts = [
                f"{title} {_ratio(by_key[large, cycle][name], by_key[small, cycle][name])}"
                for name, title in names
            ]
            lines.append(
                f"- {config}, cycle {cycle}, {large} vs {small} feeds: " + ", ".join(parts)
            )
    for feeds in scales:
        one, two = by_key[feeds, 1], by_key[feeds, 2]
        parts = [
            f"{title} {_share(two[name], one[name])}"
            for name, title in names
            if name in CYCLE_2_FIGURES
        ]
        lines.append(
            f"- {config}, {feeds} feeds, cycle 2 as a share of cycle 1: " + ", ".join(parts)
        )
    return lines


def default_posts_per_second() -> float:
    """The pacer's rate when PRECIS_POSTS_PER_SECOND is not set."""
    from bot.settings import load_settings

    return load_settings({"DISCORD_TOKEN": "-"}, env_file=None).posts_per_second


def run_child(
    feeds: int, new_per_feed: int, trace: bool, posts_per_second: float, config: str
) -> list[CycleFigures]:
    """One scale in a fresh interpreter: its own caches and its own peak RSS."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.feeds",
        "--one",
        str(feeds),
        "--configs",
        config,
        "--new-per-feed",
        str(new_per_feed),
        "--posts-per-second",
        str(posts_per_second),
    ]
    if trace:
        command.append("--tracemalloc")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    sys.stderr.write(done.stderr)
    if done.returncode:
        raise SystemExit(f"the {feeds}-feed run failed (exit {done.returncode})")
    last = done.stdout.strip().splitlines()[-1]
    return [CycleFigures(**row) for row in json.loads(last)]


def scale_rows(args: argparse.Namespace, feeds: int, config: str) -> list[CycleFigures]:
    rows = run_child(feeds, args.new_per_feed, False, args.posts_per_second, config)
    if args.tracemalloc:
        traced_rows = run_child(feeds, args.new_per_feed, True, args.posts_per_second, config)
        for row, traced in zip(rows, traced_rows, strict=True):
            row.tracemalloc_peak_mb = traced.tracemalloc_peak_mb
    return rows


def _scales(raw: str) -> list[int]:
    return sorted({int(part) for part in raw.split(",") if part.strip()})


def _configs(raw: str) -> list[str]:
    names = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = set(names) - CONFIGS.keys()
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"configs are {', '.join(CONFIGS)}, not {raw!r}")
    return names


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=_scales, default=[100, 1000], help="e.g. 100,1000")
    parser.add_argument("--new-per-feed", type=int, default=1, help="new entries per feed")
    parser.add_argument(
        "--configs", type=_configs, default=list(CONFIGS), help="e.g. today,pool (see CONFIGS)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each scale and config")
    parser.add_argument(
        "--posts-per-second",
        type=float,
        default=default_posts_per_second(),
        help="the pacer's rate (PRECIS_POSTS_PER_SECOND); set it high for the bot's own cost",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also run each scale under tracemalloc (about 4x slower) for its traced peak",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child: one scale
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--hosts", type=int, default=HOSTS, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _summary_lines(rows: Sequence[CycleFigures]) -> Iterator[str]:
    for row in rows:
        if row.cycle == 1 and row.wall_s:
            yield (
                f"- {row.feeds} feeds, {row.config}, cycle 1: "
                f"{row.new_entries / row.poll_s:.0f} new articles/s polled, "
                f"{row.cards_sent / max(row.deliver_s, 1e-9):.0f} cards/s delivered"
            )


COMPARED = (("poll_s", "poll"), ("deliver_s", "deliver"), ("wall_s", "wall"))


def comparison(rows: Sequence[CycleFigures], new: str = "pool", old: str = "today") -> list[str]:
    """Per scale, the median cycle-1 times of each configuration and `new`'s over `old`'s."""
    lines = []
    for feeds in sorted({row.feeds for row in rows}):
        runs = {
            config: [row for row in rows if (row.feeds, row.cycle) == (feeds, 1)]
            for config in (old, new)
        }
        runs = {config: [row for row in runs[config] if row.config == config] for config in runs}
        if not all(runs.values()):
            continue
        parts = []
        for name, title in COMPARED:
            before, after = (
                statistics.median(getattr(row, name) for row in runs[config])
                for config in (old, new)
            )
            parts.append(f"{title} {before:.2f} s → {after:.2f} s ({_ratio(after, before)})")
        count = len(runs[new])
        lines.append(
            f"- {feeds} feeds, cycle 1, {new} vs {old} (median of {count}): " + ", ".join(parts)
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.serve:
        asyncio.run(serve_forever(args.hosts))
        return 0
    if args.one is not None:
        rows = asyncio.run(
            run_scale(
                args.one,
                args.new_per_feed,
                trace=args.tracemalloc,
                hosts=args.hosts,
                posts_per_second=args.posts_per_second,
                config=args.configs[0],
            )
        )
        print(json.dumps([dataclasses.asdict(row) for row in rows]))
        return 0
    from bot.services.cpu import available_cores

    rows = []
    for feeds in args.feeds:
        for _ in range(args.repeat):
            for config in args.configs:  # side by side, so that both meet the same machine
                rows.extend(scale_rows(args, feeds, config))
    print(
        f"Feeds of {ENTRIES} entries, {args.new_per_feed} new per feed in cycle 1; "
        f"{SUBSCRIPTIONS_PER_FEED} subscriptions per feed, {SUBSCRIPTIONS_PER_CHANNEL} per "
        f"channel, one guild; cards paced at {args.posts_per_second:g} requests/s; "
        f"pool: {available_cores()} CPU workers. Times and RSS "
        "from an untraced run"
        + ("; traced peak from a second run under tracemalloc.\n" if args.tracemalloc else ".\n")
    )
    print("\n".join(table(rows)))
    print()
    growths = [line for config in args.configs for line in growth(_of(rows, config), config)]
    print("\n".join([*comparison(rows), *_summary_lines(rows), *growths]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
