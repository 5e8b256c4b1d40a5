"""The bot's own process in the crash test and the scale benchmark: `precis run` (or
`precis worker`), pointed at the fake Discord.

The test starts `run_precis` through a forkserver that has imported this module (and, through
it, discord.py, the pipeline and every cog) once: each start is then a fork, not a fresh
interpreter, so fifty restarts cost milliseconds each rather than seconds, and a SIGKILL still
kills a real, separate process with its own SQLite connections.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import discord
import yarl

import bot.client
import cogs
from bot.cli.main import main
from bot.client import Precis
from bot.composition import Services
from bot.settings import Settings

# discord.py waits this long after the last GUILD_CREATE before it is ready (2 s by default);
# the fake sends them all at once, as every test's bot is told.
GUILD_READY_TIMEOUT = 0.05

# Imported here, in the forkserver, so that no restart imports them again.
for _cog in pkgutil.iter_modules(cogs.__path__):
    importlib.import_module(f"cogs.{_cog.name}")


class QuickReadyPrecis(Precis):
    """`Precis` as `precis run` makes it, but ready as soon as the fake's guilds are in."""

    def __init__(self, settings: Settings, services: Services, **options: Any) -> None:
        super().__init__(settings, services, guild_ready_timeout=GUILD_READY_TIMEOUT, **options)


def run_precis(
    environ: Mapping[str, str], api_base: str, gateway_url: str, log: Path, command: str = "run"
) -> None:
    """`precis run` (or another `command`) with `environ` as its settings, against the fake
    at `api_base` and `gateway_url`, in the log's folder (so no `.env` is read), logging to
    `log`."""
    os.chdir(log.parent)
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(output, sys.stdout.fileno())
    os.dup2(output, sys.stderr.fileno())
    os.environ.update(environ)
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    bot.client.Precis = QuickReadyPrecis  # type: ignore[misc] # what `run_bot` builds
    sys.exit(main([command]))
