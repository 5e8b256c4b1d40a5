"""Where CPU work runs (feed parsing, extraction, quotes, summaries): worker processes, one
per core by default, so that a poll uses the whole machine and the event loop's own process
stays free to answer Discord; or, with no workers, threads of the bot's process, as the tests
use them (threads share one core's worth of Python between them).

Work sent to a process must be a top-level function, and its arguments and result picklable
(the pipeline's functions on strings and records are). Workers start from a forkserver, never
by forking the bot's threaded, asyncio process, and each loads the pipeline (NLTK's data,
trafilatura, sumy) once, at start, before the first poll needs it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)

# What every worker imports before its first job; the forkserver imports it once for all.
PIPELINE_MODULES = ["bot.pipeline.extract", "bot.pipeline.feeds", "bot.pipeline.summarize"]
PIPELINE_MODULES += ["bot.pipeline.quotes"]


def available_cores() -> int:
    """The cores this process may run on (a container's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def start_worker(bot_pid: int) -> None:
    """A worker's start: it stops when the bot's process is gone, and warms up."""
    threading.Thread(target=_exit_with, args=(bot_pid,), daemon=True).start()
    warm_up()


def _exit_with(bot_pid: int) -> None:
    """Exit once the bot's process has ended. A bot that is killed (SIGKILL, out of memory)
    cannot stop its workers, and they would wait for work forever, each holding the
    forkserver open too."""
    try:
        if hasattr(os, "pidfd_open"):  # Linux: readable when the process ends, pid reuse or not
            select.select([os.pidfd_open(bot_pid)], [], [])
        else:
            while True:
                os.kill(bot_pid, 0)
                time.sleep(1)
    except ProcessLookupError:
        pass  # already gone
    os._exit(0)


def warm_up() -> None:
    """Run each stage once on a short text, so that what loads lazily (NLTK's tokenizer, the
    quote lexicon) is loaded before a real job waits for it."""
    from bot.pipeline.extract import extract_html
    from bot.pipeline.feeds import parse_feed
    from bot.pipeline.quotes import quotes_of
    from bot.pipeline.summarize import DEFAULT_METHOD, summarize

    page = (
        "<html><head><title>Warm up</title></head><body><article><p>The council met on "
        "Monday. “We will build it,” said Ann Lee, the mayor.</p><p>Work starts in May, and "
        "the bridge opens next year after a long wait.</p></article></body></html>"
    )
    article = extract_html(page, "https://warm.example/a")
    quotes_of(article)
    summarize(article, DEFAULT_METHOD, 1)
    parse_feed(b'<rss version="2.0"><channel><title>W</title></channel></rss>', "https://w.example")


class CpuPool:
    """Runs CPU work in `workers` processes, or in threads when `workers` is 0. Open it
    (`start`) once, and `close` it with the services. A worker that dies (killed, out of
    memory) fails the work it held, and new workers take over."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers
        self._executor = self._new_executor()

    def _new_executor(self) -> Executor | None:
        if not self.workers:
            return None  # the event loop's default thread pool
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PIPELINE_MODULES)
        return ProcessPoolExecutor(
            self.workers, context, initializer=start_worker, initargs=(os.getpid(),)
        )

    async def start(self) -> None:
        """Start every worker now and wait until each is warm: the first poll should not."""
        if self._executor is not None:
            pids = await asyncio.gather(*(self.run(os.getpid) for _ in range(self.workers)))
            log.info("%d CPU workers ready (pids %s)", len(set(pids)), sorted(set(pids)))

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`work(*args, **kwargs)` in a worker process, or a thread. Raises what it raises,
        or BrokenProcessPool if its worker died."""
        loop = asyncio.get_running_loop()
        executor = self._executor
        try:
            return await loop.run_in_executor(executor, functools.partial(work, *args, **kwargs))
        except BrokenProcessPool:
            if executor is self._executor:  # the first to hear of it replaces the workers
                log.error("a CPU worker died; starting new ones")
                self._executor = self._new_executor()
            raise

    async def close(self) -> None:
        """Stop the workers; work still queued is dropped, and more is refused."""
        if self._executor is not None:
            await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
