"""The real Discord's limits, as the fake enforces them once a test turns them on.

`Limits` says which are on (all off by default, so the fake answers at once); `RateLimiter`
keeps the buckets and decides each request's fate, with the `X-RateLimit-*` headers
discord.py reads; `InvalidRequests` counts the 401, 403 and 429 answers that earn a ban.
Time comes from a `Clock` a test can move forward, so that deadlines of minutes take none."""

from __future__ import annotations

import hashlib
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Literal

Scope = Literal["user", "global", "shared"]

INVALID_STATUSES = frozenset({401, 403, 429})
INVALID_WINDOW = 600.0  # Discord counts invalid requests over 10 minutes
CALLBACK_DEADLINE = 3.0  # seconds to answer an interaction
TOKEN_LIFETIME = 15 * 60.0  # seconds an interaction token accepts follow-ups and edits
# discord.py takes a 429 without a `Via` header (or with a text body) for a Cloudflare ban.
VIA = "1.1 google"


class Clock:
    """Monotonic seconds that a test can move forward with `advance`."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass(frozen=True)
class Window:
    """At most `limit` requests every `seconds`."""

    limit: int
    seconds: float


@dataclass
class Limits:
    """Which of Discord's limits the fake enforces; each is off (None, False, 0) by default.

    - `route`: a bucket per route (method, path template and major parameters), announced in
      `X-RateLimit-*` headers on every answer; over it, 429 with scope "user".
    - `global_`: every request but interaction answers, over all routes; 429 "global": true.
    - `channel_messages`: POST messages per channel; 429 with scope "shared".
    - `ban_after`: that many invalid requests (401, 403, 429) in 10 minutes earn a ban of
      `ban_seconds`, in which every request gets Cloudflare's 429 "error code: 1015".
    - `permissions`: channel permission overwrites are enforced on the bot's REST requests.
    - `interaction_deadlines`: a callback after 3 s is an Unknown Interaction, a follow-up or
      edit after 15 minutes an Invalid Webhook Token.
    - `latency`: seconds every REST answer waits (for benchmarks)."""

    route: Window | None = None
    global_: Window | None = None
    channel_messages: Window | None = None
    ban_after: int | None = None
    ban_seconds: float = 3600.0
    permissions: bool = False
    interaction_deadlines: bool = False
    latency: float = 0.0

    @classmethod
    def real(cls) -> Limits:
        """All the real limits at once, with Discord's figures (route buckets vary by route
        on Discord; 5 a second is a typical one)."""
        return cls(
            route=Window(5, 1.0),
            global_=Window(50, 1.0),
            channel_messages=Window(5, 5.0),
            ban_after=10_000,
            permissions=True,
            interaction_deadlines=True,
        )


@dataclass
class Bucket:
    """A fixed window of `window.limit` requests, opened by the first request after a reset."""

    window: Window
    used: int = 0
    resets_at: float = -math.inf

    def take(self, now: float) -> bool:
        """Count a request if the window has room for it."""
        if now >= self.resets_at:
            self.used, self.resets_at = 0, now + self.window.seconds
        if self.used >= self.window.limit:
            return False
        self.used += 1
        return True

    def reset_after(self, now: float) -> float:
        return max(0.0, self.resets_at - now)

    def headers(self, bucket_hash: str, now: float) -> dict[str, str]:
        """The `X-RateLimit-*` headers Discord puts on every answer of a route."""
        reset_after = self.reset_after(now)
        return {
            "X-RateLimit-Limit": str(self.window.limit),
            "X-RateLimit-Remaining": str(max(0, self.window.limit - self.used)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash,
        }


@dataclass(frozen=True)
class Route:
    """A request as rate limits see it: a route template and its major parameters."""

    method: str
    template: str  # e.g. "/channels/{cid}/messages"
    majors: tuple[str, ...]  # channel, guild, or webhook (or interaction) id and token
    channel_id: int | None

    @property
    def bucket_hash(self) -> str:
        """An opaque hash per route, like Discord's (the major parameters are not in it)."""
        return hashlib.sha1(f"{self.method} {self.template}".encode()).hexdigest()[:16]

    @property
    def is_interaction_answer(self) -> bool:
        # Interaction callbacks and follow-ups are not bound to the global limit.
        return self.template.startswith(("/interactions/", "/webhooks/"))

    @property
    def is_message_post(self) -> bool:
        return self.method == "POST" and self.template == "/channels/{cid}/messages"


@dataclass
class Refusal:
    """A 429: how long to wait, its scope, and the headers that go with it."""

    retry_after: float
    scope: Scope
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, object]:
        return {
            "message": "You are being rate limited.",
            "retry_after": round(self.retry_after, 3),
            "global": self.scope == "global",
        }

    def all_headers(self) -> dict[str, str]:
        """The route's headers (if any) and the 429's own; Retry-After in whole seconds."""
        headers = self.headers | {
            "Retry-After": str(math.ceil(self.retry_after)),
            "X-RateLimit-Scope": self.scope,
            "Via": VIA,
        }
        if self.scope == "global":
            headers["X-RateLimit-Global"] = "true"
        return headers


class RateLimiter:
    """The global, per-route and per-channel buckets, as `limits` sets them."""

    def __init__(self, limits: Limits, clock: Clock) -> None:
        self.limits = limits
        self.clock = clock
        self._routes: dict[tuple[str, tuple[str, ...]], Bucket] = {}
        self._channels: dict[int, Bucket] = {}
        self._global: Bucket | None = None

    def admit(self, route: Route) -> tuple[dict[str, str], Refusal | None]:
        """The route's headers for the answer, and a refusal if a limit is exceeded."""
        now = self.clock.now()
        refusal = self._over_global(route, now)
        if refusal is not None:
            return {}, refusal
        headers: dict[str, str] = {}
        if self.limits.route is not None:
            bucket = self._routes.setdefault(
                (route.bucket_hash, route.majors), Bucket(self.limits.route)
            )
            admitted = bucket.take(now)
            headers = bucket.headers(route.bucket_hash, now)
            if not admitted:
                return headers, Refusal(bucket.reset_after(now), "user", headers)
        wait = self._over_channel(route, now)
        return headers, (None if wait is None else Refusal(wait, "shared", headers))

    def _over_global(self, route: Route, now: float) -> Refusal | None:
        if self.limits.global_ is None or route.is_interaction_answer:
            return None
        if self._global is None:
            self._global = Bucket(self.limits.global_)
        if self._global.take(now):
            return None
        return Refusal(self._global.reset_after(now), "global")

    def _over_channel(self, route: Route, now: float) -> float | None:
        window = self.limits.channel_messages
        if window is None or not route.is_message_post or route.channel_id is None:
            return None
        bucket = self._channels.setdefault(route.channel_id, Bucket(window))
        return None if bucket.take(now) else bucket.reset_after(now)


class InvalidRequests:
    """The 401, 403 and 429 answers (but shared-scope 429s, as Discord) over 10 minutes, and
    the ban they earn past `limits.ban_after`."""

    def __init__(self, limits: Limits, clock: Clock) -> None:
        self.limits = limits
        self.clock = clock
        self._times: deque[float] = deque()
        self.banned_until = -math.inf

    def count(self) -> int:
        """Invalid requests answered in the last 10 minutes."""
        horizon = self.clock.now() - INVALID_WINDOW
        while self._times and self._times[0] <= horizon:
            self._times.popleft()
        return len(self._times)

    def note(self, status: int, scope: Scope | None) -> None:
        """Count an answer if it is invalid; ban once there are too many."""
        if status not in INVALID_STATUSES or scope == "shared":
            return
        self._times.append(self.clock.now())
        threshold = self.limits.ban_after
        if threshold is not None and self.count() >= threshold and not self.banned():
            self.banned_until = self.clock.now() + self.limits.ban_seconds

    def banned(self) -> bool:
        return self.clock.now() < self.banned_until

    def ban_left(self) -> float:
        return max(0.0, self.banned_until - self.clock.now())
