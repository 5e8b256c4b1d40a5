"""The CPU pool: pipeline work done in worker processes gives what it gives in the bot's own,
errors included; long texts still take turns; the pool closes with the services."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
import pytest_asyncio

from bot.composition import open_services
from bot.pipeline.extract import NoArticleText, extract_text
from bot.pipeline.feeds import parse_feed
from bot.pipeline.quotes import quotes_of
from bot.pipeline.summarize import summarize
from bot.services.cpu import CpuPool
from bot.services.desk import LONG_TEXT, LONG_WAITING, Busy, Workers
from bot.settings import Settings
from tests.fixtures.pages import ARTICLE_PARAGRAPHS, TITLE

FEED = (
    b'<rss version="2.0"><channel><title>T</title><item><title>A</title>'
    b"<link>/a/1</link><guid>g</guid></item></channel></rss>"
)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pool() -> AsyncIterator[CpuPool]:
    """Two worker processes, started once for the module's tests (a start takes seconds)."""
    cpu = CpuPool(2)
    await cpu.start()
    yield cpu
    await cpu.close()


pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_work_runs_in_other_processes_and_gives_the_same_results(pool: CpuPool) -> None:
    assert await pool.run(os.getpid) != os.getpid()
    workers = Workers(pool)
    text = f"{TITLE}\n\n" + "\n\n".join(ARTICLE_PARAGRAPHS)
    article = await workers.run(len(text), extract_text, text, None)
    assert article == extract_text(text, None)
    assert await workers.run(len(article.text), quotes_of, article) == quotes_of(article)
    summary = await workers.run(len(article.text), summarize, article, "lead", 2)
    assert summary == summarize(article, "lead", 2)
    parsed = await pool.run(parse_feed, FEED, "https://f.example/rss", max_entries=5)
    assert parsed == parse_feed(FEED, "https://f.example/rss", max_entries=5)


async def test_a_workers_error_comes_back_as_itself(pool: CpuPool) -> None:
    with pytest.raises(NoArticleText, match="article text"):
        await Workers(pool).run(3, extract_text, "   ", None)
    assert await pool.run(os.getpid)  # and the pool still works


async def test_a_dead_worker_fails_its_work_and_new_workers_take_over(pool: CpuPool) -> None:
    with pytest.raises(BrokenProcessPool):
        await pool.run(os._exit, 1)
    assert await pool.run(os.getpid) != os.getpid()


async def test_long_texts_take_turns_in_the_pool_and_too_many_are_refused(pool: CpuPool) -> None:
    workers = Workers(pool)
    began = time.perf_counter()
    jobs = [workers.run(LONG_TEXT + 1, time.sleep, 0.2) for _ in range(LONG_WAITING + 2)]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    refused = [result for result in results if isinstance(result, Busy)]
    assert len(refused) == 1  # one running, LONG_WAITING waiting, the last refused
    assert time.perf_counter() - began >= 0.2 * (LONG_WAITING + 1)  # one at a time


# A bot with one worker that says the worker's pid, then waits to be killed.
BOT = """
import asyncio, os
from bot.services.cpu import CpuPool

async def main():
    pool = CpuPool(1)
    await pool.start()
    print(await pool.run(os.getpid), flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


async def ended(pid: int, within: float) -> bool:
    """Whether the process ends within `within` seconds."""
    for _ in range(int(within * 10)):
        if not alive(pid):
            return True
        await asyncio.sleep(0.1)
    return not alive(pid)


async def test_workers_of_a_killed_bot_exit() -> None:
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        BOT,
        stdout=asyncio.subprocess.PIPE,
        env=os.environ | {"PYTHONPATH": "."},
    )
    assert bot.stdout is not None
    worker = int(await asyncio.wait_for(bot.stdout.readline(), 60))
    try:
        assert alive(worker)
        bot.kill()
        # Its stdout stays open while a worker lives: a worker left behind fails the wait.
        await asyncio.wait_for(bot.wait(), 10)
        assert await ended(worker, within=10), "the worker outlived its bot"
    finally:
        if alive(worker):
            os.kill(worker, signal.SIGKILL)


async def test_the_pool_closes_with_the_services(settings: Settings) -> None:
    async with open_services(dataclasses.replace(settings, cpu_workers=1)) as services:
        cpu = services.desk.workers.cpu
        assert cpu is services.feeds.reader.cpu  # one pool for the desk and the feeds
        assert await cpu.run(os.getpid) != os.getpid()
    with pytest.raises(RuntimeError):
        await cpu.run(os.getpid)
