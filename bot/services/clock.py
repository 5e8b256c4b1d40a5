"""The services' clock and the waits they back off by."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_BACKOFF_SECONDS = 6 * 3600


@dataclass(slots=True)
class Clock:
    """Unix time in whole seconds, read from `time`: one is shared by the feed services, so a
    test or a benchmark that passes its own moves them all together."""

    time: Callable[[], float] = time.time

    def now(self) -> int:
        """The time now, in whole seconds."""
        return int(self.time())


def backoff_seconds(base: int, failures: int, cap: int = MAX_BACKOFF_SECONDS) -> int:
    """The wait after `failures` in a row: `base` doubled each time, at most `cap`."""
    return int(min(base * 2 ** min(failures, 16), cap))
