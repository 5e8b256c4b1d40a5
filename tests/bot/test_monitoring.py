"""The metrics server's `/healthz` and its start-up, and how the recorder names what it counts."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import os
import signal
import socket
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from bot.cli.main import CLIError, run_bot
from bot.client import rate_limit_scope
from bot.composition import Services, open_services
from bot.model import Article, Delivery, DeliveryState
from bot.monitoring import LOOP_STALE_SECONDS, MetricsServerError, error_kind
from bot.pipeline.feeds import FeedError
from bot.pipeline.fetch import FetchTimeout, HTTPStatusError, InvalidURL
from bot.services.metrics import PollOutcome, delivery_latency, published_at
from bot.settings import Settings
from tests.cogs.test_metrics_e2e import free_port, scrape, value
from tests.fake_discord import FakeDiscord

FIRST_SEEN = int(datetime(2026, 12, 1, 12, 0, tzinfo=UTC).timestamp())


class MovableTime:
    """Unix time that a test moves forward."""

    def __init__(self) -> None:
        self.now = float(FIRST_SEEN)

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def time_now() -> MovableTime:
    return MovableTime()


@pytest.fixture
async def served(settings: Settings, time_now: MovableTime) -> AsyncIterator[tuple[Services, int]]:
    """The services with their metrics server on a free port, and no bot: its loops never run
    unless a test runs them."""
    port = free_port()
    configured = dataclasses.replace(settings, metrics_port=port)
    async with open_services(configured, clock=time_now) as services:
        yield services, port


async def health(port: int) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        return response.status, await response.json()


async def test_healthz_is_ok_while_storage_answers_and_the_loops_run(
    served: tuple[Services, int], time_now: MovableTime
) -> None:
    services, port = served
    time_now.now += LOOP_STALE_SECONDS - 1  # a bot still starting: its loops get this long
    starting = await health(port)
    time_now.now += 2
    stale = await health(port)
    await services.poller.poll(poster=None)  # no feed is due: the poster is not used
    await services.dispatcher.deliver(poster=None)  # no card is owed
    ran = await health(port)
    assert starting[0] == 200
    assert starting[1]["status"] == "ok"
    assert starting[1]["storage"] == "ok"
    assert stale[0] == 503
    assert stale[1]["problems"] == [
        f"the {loop} loop has been idle for {LOOP_STALE_SECONDS + 1} s (more than "
        f"{LOOP_STALE_SECONDS})"
        for loop in ("poll", "send")
    ]
    assert ran == (
        200,
        {"status": "ok", "storage": "ok", "loops_idle_seconds": {"poll": 0.0, "send": 0.0}},
    )


async def test_a_loop_in_a_long_pass_is_alive_while_it_polls_or_posts(
    served: tuple[Services, int], time_now: MovableTime
) -> None:
    services, port = served
    time_now.now += LOOP_STALE_SECONDS - 1
    services.metrics.polled(PollOutcome.FETCHED)  # the poll pass goes on, feed by feed
    time_now.now += 2
    polling = await health(port)
    services.metrics.card_sent(latency=None)  # the send pass goes on, card by card
    both = await health(port)
    assert polling[0] == 503
    assert polling[1]["loops_idle_seconds"] == {"poll": 2.0, "send": LOOP_STALE_SECONDS + 1}
    assert both[0] == 200


async def test_healthz_is_503_when_storage_does_not_answer(
    served: tuple[Services, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    services, port = served

    async def broken() -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(services.storage, "schema_version", broken)
    status, body = await health(port)
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["problems"] == ["storage: no answer (OperationalError: disk I/O error)"]


async def test_metrics_are_served_when_storage_cannot_count_the_queue(
    served: tuple[Services, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    services, port = served
    services.metrics.cards_owed(2)

    async def broken() -> dict[str, int]:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(services.storage, "counts", broken)
    samples = await scrape(port)
    assert value(samples, "precis_cards_owed_total") == 2
    assert math.isnan(value(samples, "precis_delivery_queue_depth"))


async def test_precis_run_serves_health_until_it_stops(
    fake: FakeDiscord, settings: Settings
) -> None:
    port = free_port()
    running = asyncio.create_task(run_bot(dataclasses.replace(settings, metrics_port=port)))
    await fake.wait_for(lambda r: r.method == "PUT")  # started, and synced as configured
    status, _ = await health(port)
    os.kill(os.getpid(), signal.SIGTERM)
    assert await asyncio.wait_for(running, 10) == 0
    assert status == 200
    with pytest.raises(aiohttp.ClientConnectionError):
        await health(port)


async def test_a_port_already_taken_stops_the_start_with_one_line(settings: Settings) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        configured = dataclasses.replace(settings, metrics_port=port)
        with pytest.raises(CLIError) as stopped:
            await run_bot(configured)
    assert str(stopped.value) == (
        f"PRECIS_METRICS_PORT={port}: 127.0.0.1:{port} is already in use; choose another "
        "port, or 0 for no metrics server."
    )


async def test_an_address_not_of_this_machine_is_named_in_one_line(settings: Settings) -> None:
    configured = dataclasses.replace(settings, metrics_host="203.0.113.7", metrics_port=free_port())
    with pytest.raises(MetricsServerError) as refused:
        async with open_services(configured):
            pass
    assert str(refused.value).startswith(
        "PRECIS_METRICS_HOST=203.0.113.7: can't listen on 203.0.113.7:"
    )
    assert str(refused.value).endswith(
        "use an address of this machine, or set PRECIS_METRICS_PORT=0 for no metrics server."
    )


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (FetchTimeout("slow"), "fetch_timeout"),
        (HTTPStatusError(503), "http_status_error"),
        (InvalidURL("x"), "invalid_url"),
        (FeedError("not a feed"), "feed_error"),
        (KeyError("a bug"), "unexpected"),
    ],
)
def test_fetch_errors_are_labelled_by_their_kind(error: Exception, kind: str) -> None:
    assert error_kind(error) == kind


@pytest.mark.parametrize(
    ("headers", "scope"),
    [
        ({"X-RateLimit-Scope": "shared"}, "shared"),
        ({"X-RateLimit-Scope": "global", "X-RateLimit-Global": "true"}, "global"),
        ({"X-RateLimit-Scope": "galaxy"}, "unknown"),
        ({}, "unknown"),  # a Cloudflare ban
    ],
)
def test_a_429_is_counted_under_its_scope(headers: dict[str, str], scope: str) -> None:
    assert rate_limit_scope(headers) == scope


def article(published: str | None) -> Article:
    return Article(title="t", paragraphs=("p",), published=published)


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2026-12-01T11:00:00+00:00", FIRST_SEEN - 3600),  # the feed's date, to the second
        ("2026-12-01T13:00:00+01:00", FIRST_SEEN),  # the same moment in another zone
        ("2026-12-01", FIRST_SEEN),  # a date alone: when the bot saw it
        ("2026-12-01T11:00:00", FIRST_SEEN),  # no zone: a local time of somewhere
        ("2026-12-02T11:00:00+00:00", FIRST_SEEN),  # after the bot saw it: a wrong clock
        ("yesterday", FIRST_SEEN),
        (None, FIRST_SEEN),
    ],
)
def test_publication_is_the_feeds_moment_else_when_the_bot_first_saw_it(
    published: str | None, expected: int
) -> None:
    assert published_at(article(published), FIRST_SEEN) == expected


def test_latency_is_measured_for_feed_cards_not_for_post() -> None:
    delivery = Delivery(1, 10, 20, 30, "bridge", DeliveryState.SENDING, FIRST_SEEN, 1, None, None)
    moment = article("2026-12-01T11:00:00+00:00")
    assert delivery_latency(delivery, moment, FIRST_SEEN + 60) == 3660
    by_hand = dataclasses.replace(delivery, topic=None)
    assert delivery_latency(by_hand, moment, FIRST_SEEN + 60) is None
