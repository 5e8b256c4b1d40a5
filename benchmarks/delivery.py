"""Delivery at Discord's limits, against the floor those limits allow.

Cards owed in many channels are posted by the real bot's send loop against the fake Discord
with its rate limits on.

Cases (issue 12): (a) 1,000 channels x 5 cards; (b) 20 channels x 60 cards; (c) (a) with 2 %
of requests answered 503 and 1 % never answered; (d) (a) with 100 ms of latency on every
request. The floor is the longer of the global budget (50 requests a second) and the busiest
channel's message limit (5 in 5 s). Every card must be in its channel exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GLOBAL_PER_SECOND = 50
CHANNEL_MESSAGES, CHANNEL_SECONDS = 5, 5.0
TARGET_RATIO = 1.2
STALL_SECONDS = 120.0  # no card for this long: the run is stuck


@dataclass(frozen=True)
class Case:
    name: str
    channels: int
    cards_per_channel: int
    unanswered_503: float = 0.0  # share of requests answered 503
    never_answered: float = 0.0  # share of requests that hang
    latency: float = 0.0  # seconds added to every request

    @property
    def cards(self) -> int:
        return self.channels * self.cards_per_channel

    def floor_seconds(self) -> float:
        """What Discord's limits allow at best: the global budget, or the busiest channel."""
        by_channel = (math.ceil(self.cards_per_channel / CHANNEL_MESSAGES) - 1) * CHANNEL_SECONDS
        return max(self.cards / GLOBAL_PER_SECOND, by_channel) + self.latency


CASES = {
    "a": Case("(a) 1,000 channels x 5", 1000, 5),
    "b": Case("(b) 20 channels x 60", 20, 60),
    "c": Case("(c) (a), 2 % 503, 1 % unanswered", 1000, 5, 0.02, 0.01),
    "d": Case("(d) (a), 100 ms latency", 1000, 5, latency=0.1),
}


@dataclass
class Result:
    case: Case
    seconds: float
    posted: int
    twice: int
    missing: int
    rate_limited: int  # 429 answers
    invalid: int  # 401, 403 and 429 answers, as Discord counts them for its ban
    requests: int

    @property
    def ratio(self) -> float:
        return self.seconds / self.case.floor_seconds()


def limits_for(case: Case) -> Any:
    from tests.fake_discord import Limits

    real = Limits.real()
    real.latency = case.latency
    return real


async def owe_cards(bot: Any, case: Case, channels: Sequence[int]) -> list[str]:
    """Store `cards_per_channel` articles and owe each of them in every channel."""
    from bot.model import Article, DeliveryTarget
    from tests.fake_discord import GUILD_ID

    urls = []
    for n in range(case.cards_per_channel):
        article = Article(
            title=f"Story {n}",
            url=f"https://news.example/{n}",
            paragraphs=(f"Story {n} happened today. It was news. People talked about it.",),
        )
        stored = await bot.storage.articles.save(article)
        urls.append(article.url)
        for channel in channels:
            await bot.storage.deliveries.create(DeliveryTarget(GUILD_ID, channel, "*"), stored.id)
    return urls


async def wait_until_posted(fake: Any, channels: Sequence[int], cards: int) -> None:
    """Until every card is in, or nothing arrives for STALL_SECONDS."""
    wanted = {f"/channels/{c}/messages" for c in channels}
    seen, last = 0, time.monotonic()
    while seen < cards:
        await asyncio.sleep(0.05)
        now = sum(
            1 for r in fake.requests if r.method == "POST" and r.status == 200 and r.path in wanted
        )
        if now != seen:
            seen, last = now, time.monotonic()
        elif time.monotonic() - last > STALL_SECONDS:
            return


def tally(fake: Any, channels: Sequence[int]) -> Counter[Any]:
    """How often each (channel, article) card is in its channel."""
    found: Counter[Any] = Counter()
    for channel in channels:
        for message in fake.bot_messages(channel):
            for embed in message.get("embeds", []):
                found[(channel, embed.get("url"))] += 1
    return found


async def run_case(case: Case) -> Result:
    from benchmarks.feeds import bench_settings
    from bot.client import Precis
    from bot.composition import open_services
    from tests.fake_discord import GUILD_ID, fake_discord, running_bot

    with tempfile.TemporaryDirectory() as folder:
        settings = bench_settings(Path(folder))
        async with fake_discord() as fake, open_services(settings) as services:
            guild = fake.guilds[GUILD_ID]
            channels = [fake.add_channel(guild, f"news-{n}").id for n in range(case.channels)]
            bot = Precis(settings, services, guild_ready_timeout=0.05)
            async with running_bot(bot):
                await bot.guild_config.set(GUILD_ID, "max_posts_per_hour", "120")
                urls = await owe_cards(bot, case, channels)
                fake.enforce(limits_for(case))
                if case.unanswered_503:
                    fake.fail_randomly(case.unanswered_503, status=503, seed=1)
                if case.never_answered:
                    fake.fail_randomly(case.never_answered, kind="hang", seed=2)
                before = len(fake.requests)
                began = time.perf_counter()
                bot.dispatcher.cards_owed.set()
                await wait_until_posted(fake, channels, case.cards)
                seconds = time.perf_counter() - began
                fake.release_hung()
            made = fake.requests[before:]
            found = tally(fake, channels)
    owed = {(channel, url) for channel in channels for url in urls}
    return Result(
        case,
        seconds,
        posted=sum(found.values()),
        twice=sum(count - 1 for count in found.values() if count > 1),
        missing=len(owed - set(found)),
        rate_limited=sum(1 for r in made if r.status == 429),
        invalid=sum(1 for r in made if r.status in (401, 403, 429)),
        requests=len(made),
    )


def report(results: Sequence[Result]) -> list[str]:
    lines = [
        __doc__.splitlines()[0],
        "",
        "| case | cards | floor s | wall s | × floor | 429s | invalid | requests | twice "
        "| missing |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.case.name} | {r.case.cards:,} | {r.case.floor_seconds():.1f} | "
            f"{r.seconds:.1f} | {r.ratio:.2f} | {r.rate_limited} | {r.invalid} | "
            f"{r.requests:,} | {r.twice} | {r.missing} |"
        )
    lines.append("")
    for r in results:
        checks = [r.twice == 0 and r.missing == 0]
        if r.case.name[1] in "abd":
            checks += [r.ratio <= TARGET_RATIO, r.rate_limited == 0]
        verdict = "PASS" if all(checks) else "FAIL"
        lines.append(
            f"- {verdict}: {r.case.name}: every card once: {r.twice == r.missing == 0}, "
            f"{r.ratio:.2f}× the floor, {r.rate_limited} 429s"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="abcd", help="which cases, e.g. ab")
    args = parser.parse_args(argv)
    results = [asyncio.run(run_case(CASES[key])) for key in args.cases]
    print("\n".join(report(results)))
    return 0 if all("PASS" in line for line in report(results) if line.startswith("- ")) else 1


if __name__ == "__main__":
    sys.exit(main())
