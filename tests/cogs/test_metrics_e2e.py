"""The metrics server end to end: a poll and its cards through the fake Discord, then
`/metrics` scraped over HTTP and read with prometheus_client's own parser."""

from __future__ import annotations

import socket

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.client import Precis
from bot.services.metrics import Loop
from tests.cogs.test_feeds_e2e import follow_city_news, poll_stories
from tests.conftest import LaunchBot, eventually
from tests.fake_discord import GUILD_ID, NEWS_CHANNEL_ID, FakeDiscord, Limits, Window
from tests.fixtures.feeds import publish, story
from tests.fixtures.pages import PageServer

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def scrape(port: int) -> Samples:
    """Every sample `/metrics` shows, by name and labels."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        assert response.status == 200
        text = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


async def loops_ran(bot: Precis) -> None:
    async def both() -> bool:
        return set(bot.metrics.last_ran) == set(Loop)

    await eventually(both)


async def test_metrics_count_a_poll_and_its_cards_as_discord_saw_them(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    port = free_port()
    stories = [story(f"m{i}", f"Bridge story {i}", "bridge") for i in range(3)]
    async with launch(metrics_port=port) as bot:
        await loops_ran(bot)  # the poll loop's first pass is done: it polls only when told now
        before = await scrape(port)
        await follow_city_news(fake, pages, "bridge")
        broken = publish(pages, "/broken.xml", "Broken News", [])
        await fake.run("feed", {"url": broken}, subcommand="add")
        pages.add("/broken.xml", "<html><body>Moved</body></html>")  # no longer a feed
        # Discord takes 2 messages a second in a channel: the third card gets a 429, which
        # discord.py waits out and retries by itself.
        fake.enforce(Limits(channel_messages=Window(2, 1.0)))
        await poll_stories(bot, pages, *stories)

        async def all_sent() -> bool:
            return len(await bot.storage.deliveries.in_state("sent")) == len(stories)

        await eventually(all_sent)
        after = await scrape(port)
    too_many = [r for r in fake.requests if r.status == 429]
    posted = len(fake.bot_messages(NEWS_CHANNEL_ID))
    assert posted == len(stories)
    assert too_many
    assert value(before, "precis_cards_sent_total") == 0
    assert value(after, "precis_cards_sent_total") == posted
    assert value(after, "precis_cards_owed_total") == len(stories)
    assert value(after, "precis_articles_read_total") == len(stories)
    assert value(after, "precis_polls_total", outcome="fetched") == 1
    assert value(after, "precis_polls_total", outcome="failed") == 1
    assert value(after, "precis_polls_total", outcome="not_modified") == 0
    assert value(after, "precis_fetch_errors_total", kind="feed_error") == 1
    assert value(after, "precis_discord_429_total", scope="shared") == len(too_many)
    assert value(after, "precis_discord_429_total", scope="global") == 0
    assert value(after, "precis_delivery_queue_depth") == 0
    assert value(after, "precis_delivery_latency_seconds_count") == posted
    # The pages give a date without a time of day: latency counts from when the bot saw them.
    assert 0 <= value(after, "precis_delivery_latency_seconds_sum") < 60 * posted
    assert value(after, "precis_delivery_latency_seconds_bucket", le="+Inf") == posted


async def test_the_queue_depth_is_the_cards_waiting_at_the_scrape(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    port = free_port()
    async with launch(metrics_port=port) as bot:
        await loops_ran(bot)
        await follow_city_news(fake, pages, "bridge")
        await bot.guild_config.set(GUILD_ID, "max_posts_per_hour", "1")  # the rest wait
        await poll_stories(bot, pages, *(story(f"q{i}", f"Bridge {i}", "bridge") for i in range(3)))

        async def one_sent() -> bool:
            return len(await bot.storage.deliveries.in_state("sent")) == 1

        await eventually(one_sent)  # the sender's pass, woken by the poll
        samples = await scrape(port)
    assert len(fake.bot_messages(NEWS_CHANNEL_ID)) == 1
    assert value(samples, "precis_delivery_queue_depth") == 2
