"""The `precis` command line: run the bot or a worker, the database tools, and the news tools.

`precis --version` and `--help` must answer at once, so this module imports only the standard
library at the top: discord.py, the storage and the news pipeline are imported by the commands
that use them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import bot as precis

if TYPE_CHECKING:
    from pathlib import Path

    from bot.settings import Settings
    from bot.storage import SQLiteStorage
    from bot.storage.postgresql import PostgresStorage

log = logging.getLogger(__name__)

# The settings each command reads (None: all); a bad value of another does not stop it.
COMMAND_SETTINGS: dict[str, frozenset[str] | None] = {
    "run": None,
    "worker": None,
    "db": frozenset({"PRECIS_DATABASE", "PRECIS_RETENTION_DAYS"}),
    "extract": frozenset({"PRECIS_ALLOW_PRIVATE_URLS"}),
    "summarize": frozenset({"PRECIS_ALLOW_PRIVATE_URLS"}),
    "quotes": frozenset({"PRECIS_ALLOW_PRIVATE_URLS"}),
}
INTERRUPTED = 128 + signal.SIGINT  # the exit status shells give a command stopped by Ctrl-C
SHARD_SPEC = re.compile(r"\d+(-\d+)?(,\d+(-\d+)?)*")  # 0-3 or 0,2,5 or 4-7,9
# The gateway shards a process runs, as (shard ids, shard count); None: Discord's recommended
# count, all in this process.
ShardPlan = tuple[list[int], int] | None


class CLIError(Exception):
    """Ends the command with its message as one line on stderr and a non-zero exit."""


class CommandParser(argparse.ArgumentParser):
    """A command's parser that adds its arguments (`arguments`) only when the command is used:
    some need heavy imports that `precis --help` and `--version` should not pay for."""

    def __init__(
        self,
        *args: Any,
        arguments: Callable[[argparse.ArgumentParser], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._arguments = arguments

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Add the command's arguments (once), then parse as argparse does."""
        if self._arguments is not None:
            add_arguments, self._arguments = self._arguments, None
            add_arguments(self)
        return super().parse_known_args(args, namespace)


def build_parser() -> argparse.ArgumentParser:
    """The `precis` command line: `run` (the default), `worker`, `db upgrade`, `db copy`,
    `db purge`, and the news commands."""
    parser = argparse.ArgumentParser(prog="precis", description=precis.__doc__)
    parser.add_argument("--version", action="version", version=f"precis {precis.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
    run = commands.add_parser("run", help="start the bot (the default)")
    run.add_argument(
        "--shards", metavar="IDS", help="the gateway shards this process runs: 0-3, or 0,2,5"
    )
    run.add_argument("--shard-count", metavar="N", help="the bot's shards over all processes")
    commands.add_parser("worker", help="poll feeds and post cards, with no gateway connection")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply pending migrations and print the version")
    db_commands.add_parser(
        "purge", help="delete now what is older than PRECIS_RETENTION_DAYS, as the bot does hourly"
    )
    copy = db_commands.add_parser(
        "copy", help="copy every row of one database into another, empty one (ids kept)"
    )
    copy.add_argument("source", metavar="SRC", help="a SQLite file or a postgresql:// URL")
    copy.add_argument("target", metavar="DST", help="the same; it must hold no rows yet")
    commands.add_parser(
        "extract", help="print the article text of each SOURCE", arguments=source_arguments
    )
    commands.add_parser(
        "summarize", help="print a summary of each SOURCE", arguments=summarize_arguments
    )
    commands.add_parser(
        "quotes", help="print who said what in each SOURCE", arguments=source_arguments
    )
    return parser


def source_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of a command that reads articles: its sources and `--json`."""
    parser.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="a file (HTML or text, .gz too), an http(s) URL, or - for stdin",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object a line")


def summarize_arguments(parser: argparse.ArgumentParser) -> None:
    """`summarize`'s arguments: the sources, then `--sentences` and `--method`."""
    from bot.pipeline.summarize import DEFAULT_METHOD, METHODS

    source_arguments(parser)
    parser.add_argument("--sentences", type=sentence_count, default=3, metavar="N", help="1 to 10")
    parser.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD)


def sentence_count(raw: str) -> int:
    """`--sentences`: a whole number from 1 to 10."""
    if not raw.isdigit() or not 1 <= int(raw) <= 10:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 10, not {raw!r}")
    return int(raw)


def shard_plan(args: argparse.Namespace) -> ShardPlan:
    """The shards `--shards` and `--shard-count` ask this process to run; a `CLIError` for
    a malformed or impossible request."""
    shards, count = getattr(args, "shards", None), getattr(args, "shard_count", None)
    if shards is None and count is None:
        return None
    if count is None:
        raise CLIError("--shards needs --shard-count, the bot's number of shards in all.")
    if shards is None:
        raise CLIError("--shard-count needs --shards, the shards this process runs.")
    if not count.isdigit() or int(count) < 1:
        raise CLIError(f"--shard-count must be a whole number of at least 1, not {count!r}.")
    malformed = CLIError(f"--shards takes ids like 0-3 or 0,2,5, not {shards!r}.")
    if not SHARD_SPEC.fullmatch(shards):
        raise malformed
    ids: set[int] = set()
    for part in shards.split(","):
        first, _, last = part.partition("-")
        if int(last or first) < int(first):
            raise malformed
        ids.update(range(int(first), int(last or first) + 1))
    if max(ids) >= int(count):
        raise CLIError(f"shard {max(ids)} is not below --shard-count {count}: ids start at 0.")
    return sorted(ids), int(count)


def stop_now(signum: int, frame: object) -> None:
    """Ctrl-C outside the bot: stop at once. Work in a worker thread cannot be interrupted,
    and a normal exit would wait for it; what is printed is already flushed."""
    os._exit(INTERRUPTED)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `precis` with these arguments (default: the process's) and return the exit
    status: 2 and one line on stderr for a `CLIError`."""
    previous_handler = signal.signal(signal.SIGINT, stop_now)
    try:
        return run_command(build_parser().parse_args(argv))
    except CLIError as error:
        print(f"precis: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C once the bot has removed its own handler
        return INTERRUPTED
    except BrokenPipeError:  # stdout's reader went away (`precis extract ... | head -1`)
        # Python flushes stdout once more on the way out: let that go nowhere, quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        signal.signal(signal.SIGINT, previous_handler)


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed command with the settings it needs (only those are read and checked)."""
    from bot.settings import SettingsError, configure_logging, load_settings

    command = args.command or "run"
    try:
        settings = load_settings(only=COMMAND_SETTINGS[command])
    except SettingsError as error:
        raise CLIError(str(error)) from None
    if command == "db" and args.db_command == "copy":
        check_copy_source(args.source)
        return asyncio.run(copy_between(args.source, args.target))
    if command == "db" and args.db_command == "purge":
        return asyncio.run(purge_database(settings))
    if command == "db":
        return asyncio.run(upgrade_database(settings))
    if command in ("run", "worker"):
        shards = shard_plan(args)
        configure_logging(settings.log_level)
        return asyncio.run(run_bot(settings, shards, gateway=command == "run"))
    from bot.cli.news import run_news_command

    return asyncio.run(run_news_command(args, allow_private=settings.allow_private_urls))


async def open_storage(target: Path | str) -> SQLiteStorage | PostgresStorage:
    """The database `target` names, migrated; a `CLIError` when it can't be used."""
    from bot.storage import open_storage

    try:
        return await open_storage(target)
    except storage_errors() as error:
        raise CLIError(storage_message(error)) from None


def storage_errors() -> tuple[type[Exception], ...]:
    """What opening the database raises for a database that can't be used (imported only when
    one is raised: `--version` must not load storage)."""
    from bot.storage import DatabaseUnavailable, SchemaTooNew

    return (DatabaseUnavailable, SchemaTooNew)


def storage_message(error: Exception) -> str:
    """One line for a database that can't be used: the setting and why, or the schema's note."""
    from bot.storage import DatabaseUnavailable

    if isinstance(error, DatabaseUnavailable):
        return f"PRECIS_DATABASE={error.path} {error.reason}."  # a URL without its password
    return str(error)


async def upgrade_database(settings: Settings) -> int:
    """`precis db upgrade`: migrate the database and print its schema version."""
    from bot.storage import display_name

    storage = await open_storage(settings.database)
    try:
        version = await storage.schema_version()
        print(f"{display_name(settings.database)}: schema version {version}")
    finally:
        await storage.close()
    return 0


async def purge_database(settings: Settings) -> int:
    """`precis db purge`: the bot's hourly purge, once, and a line saying what went."""
    from bot.services.clock import Clock
    from bot.services.retention import Retention
    from bot.services.speaker_lists import SpeakerLists
    from bot.storage import display_name

    if settings.retention_days == 0:
        print("PRECIS_RETENTION_DAYS is 0: everything is kept, nothing was purged")
        return 0
    storage = await open_storage(settings.database)
    try:
        retention = Retention(
            storage, SpeakerLists(storage.quotes), days=settings.retention_days, clock=Clock()
        )
        report = await retention.purge()
    finally:
        await storage.close()
    gone = ", ".join(f"{kind.replace('_', ' ')} {count}" for kind, count in asdict(report).items())
    print(
        f"{display_name(settings.database)}: purged what is older than "
        f"{settings.retention_days} days: {gone}"
    )
    return 0


def shard_options(shards: ShardPlan) -> dict[str, Any]:
    """The client's options for these shards (none: discord.py asks Discord how many)."""
    return {} if shards is None else {"shard_ids": shards[0], "shard_count": shards[1]}


def check_copy_source(source: str) -> None:
    """A `CLIError` for a SQLite source that is not there: opening it would make it."""
    from pathlib import Path

    from bot.storage import is_postgresql

    if not is_postgresql(source) and not Path(source).is_file():
        raise CLIError(f"{source}: there is no such database file to copy from.")


async def copy_between(source: str, target: str) -> int:
    """`precis db copy SRC DST`: every row of SRC into DST, which must be empty; both are
    migrated first. One line on stderr and exit 2 when it can't be done."""
    from bot.storage import display_name
    from bot.storage.copy import CopyRefused, copy_database

    source_storage = await open_storage(source)
    try:
        target_storage = await open_storage(target)
        try:
            copied = await copy_database(source_storage, target_storage)
        except CopyRefused as refused:
            raise CLIError(f"cannot copy into {display_name(target)}: {refused}.") from None
        finally:
            await target_storage.close()
    finally:
        await source_storage.close()
    print(
        f"copied {sum(copied.values())} rows ({', '.join(f'{t} {n}' for t, n in copied.items())}) "
        f"from {display_name(source)} to {display_name(target)}"
    )
    return 0


async def run_bot(settings: Settings, shards: ShardPlan = None, *, gateway: bool = True) -> int:
    """Make the shared resources, hand them to the bot (which runs `shards`, or, without the
    `gateway`, is a worker), and close them all on the way out."""
    import discord

    from bot.client import UNREACHABLE, Precis, describe
    from bot.composition import open_services
    from bot.monitoring import MetricsServerError

    try:
        async with (
            open_services(settings, kind="run" if gateway else "worker") as services,
            Precis(settings, services, gateway=gateway, **shard_options(shards)) as client,
        ):
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, lambda: asyncio.ensure_future(client.close()))
            try:
                await (client.start if gateway else client.work)(settings.token)
            except discord.LoginFailure:
                raise CLIError("Discord refused DISCORD_TOKEN: check the token in .env.") from None
            except discord.PrivilegedIntentsRequired:
                raise CLIError(
                    "PRECIS_MESSAGE_CONTENT is true, but the Message Content intent is not enabled "
                    "for this bot in the developer portal."
                ) from None
            except UNREACHABLE as error:  # every login retry failed
                raise CLIError(
                    f"could not reach Discord ({describe(error)}); check the network, then start "
                    "precis again."
                ) from None
            finally:
                for signum in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(signum)
    except storage_errors() as error:
        raise CLIError(storage_message(error)) from None
    except MetricsServerError as error:
        raise CLIError(str(error)) from None
    log.info("stopped; database closed")
    return 0
