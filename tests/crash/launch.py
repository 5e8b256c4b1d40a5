"""Starting precis processes for the crash tests and the scale benchmark: each forked from a
forkserver that imported the bot once (`precis_process`), against a fake Discord."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from collections.abc import AsyncIterator, Mapping
from multiprocessing.context import ForkServerContext, ForkServerProcess
from pathlib import Path
from typing import Any

from tests.crash.precis_process import run_precis


def forkserver() -> ForkServerContext:
    """Bot processes forked from one that imported the bot once (see `precis_process`)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.crash.precis_process"])
    return context


def precis_process(
    environ: Mapping[str, str], fake: Any, log: Path, command: str = "run"
) -> ForkServerProcess:
    """`precis <command>` with `environ` as its settings against `fake`, logging to `log`:
    made, not started."""
    return forkserver().Process(
        target=run_precis,
        args=(dict(environ), fake.api_base, str(fake.gateway_url), log, command),
    )


@contextlib.asynccontextmanager
async def running(process: ForkServerProcess) -> AsyncIterator[ForkServerProcess]:
    """The process started, and killed (if it still runs) and reaped on the way out."""
    process.start()
    try:
        yield process
    finally:
        if process.exitcode is None:
            process.kill()
        await asyncio.to_thread(process.join)
