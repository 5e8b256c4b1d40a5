"""Metrics and health over HTTP, opt in (`PRECIS_METRICS_PORT`): the Prometheus recorder of
the services' events (`bot.services.metrics.Metrics`), and the server of `/metrics` and
`/healthz`. The edge of the core: the services record through the protocol and know nothing
of Prometheus."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import math
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.errors import UserError
from bot.services.metrics import RATE_LIMIT_SCOPES, Loop, PollOutcome
from bot.storage import Storage

log = logging.getLogger(__name__)

# Delivery latency, from a minute's work to a day behind (a channel's hourly cap, a backlog).
LATENCY_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400)
# Both loops run at least once a minute (the poll loop ticks every 60 s, the send loop wakes
# every 30 s), and a long pass polls feeds or posts cards as it goes (a post gives up after
# 30 s). A loop that did none of this for so long is stuck.
LOOP_STALE_SECONDS = 600
STORAGE_TIMEOUT_SECONDS = 5.0
# An error class's name as a label: `FetchTimeout` -> `fetch_timeout`, `HTTPStatusError` ->
# `http_status_error`.
_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def error_line(error: Exception) -> str:
    """An error for a log line or a health report: its type, and its message if it has one."""
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def error_kind(error: Exception) -> str:
    """The kind of a failed poll, by its error's class; `unexpected` for a bug."""
    if not isinstance(error, UserError):
        return "unexpected"
    return _WORD_START.sub("_", type(error).__name__).lower()


class PrometheusMetrics:
    """The services' events (`Metrics`) as Prometheus metrics, on a registry of its own, so
    that two bots in one process (the tests) count apart. Made once, in `bot.composition`."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.registry = CollectorRegistry()
        self.clock = clock
        self.started_at = clock()
        self.last_ran: dict[Loop, float] = {}  # when each loop last finished a pass
        self._last_active: dict[Loop, float] = {}  # ...or, within one, polled a feed or posted
        self._polls = Counter(
            "precis_polls", "Feed polls, by outcome.", ["outcome"], registry=self.registry
        )
        self._fetch_errors = Counter(
            "precis_fetch_errors",
            "Failed feed polls, by the kind of error.",
            ["kind"],
            registry=self.registry,
        )
        self._articles_read = Counter(
            "precis_articles_read",
            "New feed entries whose article was read.",
            registry=self.registry,
        )
        self._cards_owed = Counter(
            "precis_cards_owed", "Cards owed (recorded pending).", registry=self.registry
        )
        self._cards_sent = Counter(
            "precis_cards_sent", "Cards posted in their channel.", registry=self.registry
        )
        self.queue_depth = Gauge(
            "precis_delivery_queue_depth",
            "Cards pending or being sent, read from storage at each scrape.",
            registry=self.registry,
        )
        self._discord_429s = Counter(
            "precis_discord_429",
            "Requests Discord answered with a 429, by the rate limit's scope.",
            ["scope"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "precis_delivery_latency_seconds",
            "Seconds from a feed card's article's publication (its published moment when it "
            "names one, else when the bot first saw the entry) to its post.",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._loop_last_run = Gauge(
            "precis_loop_last_run_timestamp_seconds",
            "When each background loop last finished a pass (unix time).",
            ["loop"],
            registry=self.registry,
        )
        # Known labels show from the start, at 0: a rate over them needs no first event.
        for outcome in PollOutcome:
            self._polls.labels(outcome=outcome.value)
        for scope in RATE_LIMIT_SCOPES:
            self._discord_429s.labels(scope=scope)

    def polled(self, outcome: PollOutcome) -> None:
        """See `Metrics.polled`."""
        self._polls.labels(outcome=outcome.value).inc()
        self._last_active[Loop.POLL] = self.clock()

    def fetch_failed(self, error: Exception) -> None:
        """See `Metrics.fetch_failed`."""
        self._fetch_errors.labels(kind=error_kind(error)).inc()

    def article_read(self) -> None:
        """See `Metrics.article_read`."""
        self._articles_read.inc()

    def cards_owed(self, count: int) -> None:
        """See `Metrics.cards_owed`."""
        self._cards_owed.inc(count)

    def card_sent(self, latency: float | None) -> None:
        """See `Metrics.card_sent`."""
        self._cards_sent.inc()
        self._last_active[Loop.SEND] = self.clock()
        if latency is not None:
            self._latency.observe(latency)

    def discord_429(self, scope: str) -> None:
        """See `Metrics.discord_429`."""
        self._discord_429s.labels(scope=scope).inc()

    def loop_ran(self, loop: Loop) -> None:
        """See `Metrics.loop_ran`."""
        now = self.clock()
        self.last_ran[loop] = self._last_active[loop] = now
        self._loop_last_run.labels(loop=loop.value).set(now)

    def loop_idle_seconds(self, loop: Loop) -> float:
        """Seconds since the loop last finished a pass, polled a feed or posted a card (or
        since start, before any)."""
        return self.clock() - self._last_active.get(loop, self.started_at)


@dataclass(frozen=True, slots=True)
class Health:
    """What `/healthz` answers: healthy or not, and why not."""

    storage: str  # "ok", or why it did not answer
    loops_idle: dict[str, float]  # loop -> seconds since it last did something
    problems: list[str]

    @property
    def ok(self) -> bool:
        """Whether nothing is wrong."""
        return not self.problems

    def as_json(self) -> dict[str, object]:
        """The answer's body."""
        body: dict[str, object] = {
            "status": "ok" if self.ok else "unhealthy",
            "storage": self.storage,
            "loops_idle_seconds": {loop: round(idle, 1) for loop, idle in self.loops_idle.items()},
        }
        if self.problems:
            body["problems"] = self.problems
        return body


async def check_health(storage: Storage, metrics: PrometheusMetrics) -> Health:
    """Whether the storage answers a query and each background loop ran recently."""
    problems = []
    try:
        async with asyncio.timeout(STORAGE_TIMEOUT_SECONDS):
            await storage.schema_version()
        answer = "ok"
    except Exception as error:  # whatever it is, the bot can't use its storage
        answer = f"no answer ({error_line(error)})"
        problems.append(f"storage: {answer}")
    idle = {loop.value: metrics.loop_idle_seconds(loop) for loop in Loop}
    problems += [
        f"the {loop} loop has been idle for {seconds:.0f} s (more than {LOOP_STALE_SECONDS})"
        for loop, seconds in idle.items()
        if seconds > LOOP_STALE_SECONDS
    ]
    return Health(answer, idle, problems)


def metrics_app(storage: Storage, metrics: PrometheusMetrics) -> web.Application:
    """The web application of `/metrics` and `/healthz`."""

    async def serve_metrics(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(STORAGE_TIMEOUT_SECONDS):
                metrics.queue_depth.set((await storage.counts())["cards waiting"])
        except Exception as error:  # the counters are still worth serving
            log.warning("could not read the delivery queue's depth: %s", error_line(error))
            metrics.queue_depth.set(math.nan)  # unknown, rather than an old figure
        return web.Response(
            body=generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def serve_health(request: web.Request) -> web.Response:
        health = await check_health(storage, metrics)
        return web.json_response(health.as_json(), status=200 if health.ok else 503)

    app = web.Application()
    app.router.add_get("/metrics", serve_metrics)
    app.router.add_get("/healthz", serve_health)
    return app


class MetricsServerError(UserError):
    """The metrics server could not listen where the settings say."""

    def __init__(self, host: str, port: int, error: OSError) -> None:
        if error.errno == errno.EADDRINUSE:
            message = (
                f"PRECIS_METRICS_PORT={port}: {host}:{port} is already in use; choose another "
                "port, or 0 for no metrics server."
            )
        else:
            message = (
                f"PRECIS_METRICS_HOST={host}: can't listen on {host}:{port} "
                f"({error.strerror or error}); use an address of this machine, or set "
                "PRECIS_METRICS_PORT=0 for no metrics server."
            )
        super().__init__(message)


@contextlib.asynccontextmanager
async def metrics_server(
    host: str, port: int, storage: Storage, metrics: PrometheusMetrics
) -> AsyncIterator[None]:
    """Serve `/metrics` and `/healthz` on host:port while the block runs; port 0: none.
    Raises MetricsServerError when it can't listen there."""
    if not port:
        yield
        return
    runner = web.AppRunner(metrics_app(storage, metrics), access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            raise MetricsServerError(host, port, error) from None
        log.info("serving /metrics and /healthz on %s:%d", host, port)
        yield
    finally:
        await runner.cleanup()
