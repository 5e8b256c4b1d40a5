"""Retention: what is older than `PRECIS_RETENTION_DAYS` is purged every hour, so that the
database stops growing with every article read (see `Storage.purge` for what goes and what
dedupe keeps)."""

from __future__ import annotations

import logging
import time
from dataclasses import KW_ONLY, dataclass

from bot.model import PurgeReport
from bot.services.clock import Clock
from bot.services.speaker_lists import SpeakerLists
from bot.storage import Storage

log = logging.getLogger(__name__)

DAY_SECONDS = 86_400
PURGE_EVERY_SECONDS = 3600
# Seen entries kept per feed, however old: a feed lists 100 at most, so every entry a feed
# still lists stays seen (twice that, for a feed whose list comes and goes).
KEEP_ENTRIES = 200
# Rows deleted per transaction: other writes wait for one batch at most.
BATCH_ROWS = 500


@dataclass(eq=False)
class Retention:
    """Purges what is older than `days` (0: keeps everything); one per bot, run hourly by the
    articles cog's loop, or once by `precis db purge`."""

    storage: Storage
    speakers: SpeakerLists
    _: KW_ONLY
    days: int
    clock: Clock

    @property
    def enabled(self) -> bool:
        """Whether anything is ever purged."""
        return self.days > 0

    async def purge(self) -> PurgeReport:
        """Delete what is older than `days` (nothing when not `enabled`) and log what went."""
        if not self.enabled:
            return PurgeReport()
        started = time.monotonic()
        report = await self.storage.purge(
            self.clock.now() - self.days * DAY_SECONDS,
            keep_entries=KEEP_ENTRIES,
            limit=BATCH_ROWS,
        )
        if report.quotes:
            self.speakers.forget_all()
        if report != PurgeReport():
            seconds = time.monotonic() - started
            log.info("purged what is older than %d days in %.1f s: %s", self.days, seconds, report)
        return report
