"""Many precis processes on one database: each registers itself, beats, and keeps what it
took (feed leases, channel claims) for as long as it beats.

A process is live while its last heartbeat is younger than a lease. What it takes is its own
until a lease from the last beat: a process that dies leaves its feeds and channels to the
others within one lease, and one that stops cleanly gives them back at once. A process on
the same machine (and pid namespace) whose pid is gone is known dead at once: a restart after
a crash takes its predecessor's feeds and channels without waiting for the lease.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bot.model import ProcessInfo
from bot.services.clock import Clock
from bot.services.holds import ChannelHolds
from bot.services.pacer import Pacer
from bot.storage import Storage

log = logging.getLogger(__name__)

LEASE_SECONDS = 30  # a process is live, and what it took is its, this long after a beat
BEATS_PER_LEASE = 3  # so a beat every 10 s by default: two may be late before a lease ends


@dataclass(frozen=True, slots=True)
class Lease:
    """Who this process is to the others (`owner`, a uuid made at its start) and how long
    what it takes stays its own without a beat."""

    owner: str = field(default_factory=lambda: uuid.uuid4().hex)
    seconds: int = LEASE_SECONDS

    def until(self, now: int) -> int:
        """When something taken or renewed at `now` stops being this process's."""
        return now + self.seconds

    @property
    def beat_seconds(self) -> float:
        """How often the process beats."""
        return self.seconds / BEATS_PER_LEASE


def pid_space() -> str:
    """This machine's boot and this process's pid namespace: pids mean the same processes
    to every process that reads the same; '' where it can't be known (not Linux)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return ""
    return f"{boot}/{namespace}"


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (a reused pid counts: it is only a shortcut)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


@dataclass(eq=False)
class Heartbeat:
    """Registers the process, beats every `lease.beat_seconds` (renewing its feed leases and
    channel claims, and sharing the pacer's budget among the live processes), and on a clean
    stop gives everything back and removes the process."""

    storage: Storage
    clock: Clock
    lease: Lease
    kind: str  # `run` or `worker`
    pacer: Pacer
    holds: ChannelHolds

    pid_space: str = field(default_factory=pid_space)

    async def start(self) -> None:
        """Register the process and make its first beat."""
        process = ProcessInfo(
            self.lease.owner,
            self.kind,
            socket.gethostname(),
            os.getpid(),
            self.pid_space,
            self.clock.now(),
        )
        await self.storage.processes.register(process)
        await self.beat()

    async def beat(self) -> None:
        """Say this process is alive, keep what it took, forget the dead processes of its
        pid space, and take its share of the budget."""
        now = self.clock.now()
        await self.storage.processes.beat(self.lease.owner, now)
        await self._forget_the_dead(now)
        await self.storage.feeds.renew_leases(self.lease.owner, self.lease.until(now))
        await self.holds.renew(now)
        live = await self.storage.processes.live(since=now - self.lease.seconds)
        self.pacer.share(len(live))
        self.holds.processes = max(1, len(live))

    async def run(self) -> None:
        """Beat until cancelled; a beat that fails is logged, and the next one runs."""
        while True:
            await asyncio.sleep(self.lease.beat_seconds)
            try:
                await self.beat()
            except Exception:
                log.exception("heartbeat failed; what this process holds may lapse")

    async def _forget_the_dead(self, now: int) -> None:
        """Processes of this pid space whose pid is gone died without stopping: what they
        held is free now."""
        if not self.pid_space:
            return
        for process in await self.storage.processes.in_pid_space(self.pid_space):
            if process.id != self.lease.owner and not pid_alive(process.pid):
                log.info(
                    "process %s (pid %d) is gone; its feeds and channels are free",
                    process.id,
                    process.pid,
                )
                await self.storage.processes.forget(process.id, now)

    async def stop(self) -> None:
        """A clean stop: remove the process, its feeds and channels given back at once."""
        await self.storage.processes.forget(self.lease.owner, self.clock.now())
        self.holds.clear()
