"""The `precis` command line: run the bot, upgrade the database, and the news tools."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence

import discord

import bot as precis
from bot.client import Precis
from bot.news.cli import NEWS_COMMANDS, run_news_command
from bot.news.fetch import create_session
from bot.news.summarize import DEFAULT_METHOD, METHODS
from bot.settings import Settings, SettingsError, configure_logging, load_settings
from bot.storage import SchemaTooNew, SQLiteStorage

log = logging.getLogger(__name__)


class CLIError(Exception):
    """Ends the command with its message as one line on stderr and a non-zero exit."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="precis", description=precis.__doc__)
    parser.add_argument("--version", action="version", version=f"precis {precis.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="start the bot (the default)")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", help="apply pending migrations and print the version")
    source_help = "a file (HTML or text, .gz too), an http(s) URL, or - for stdin"
    extract = commands.add_parser("extract", help="print the article text of each SOURCE")
    summarize = commands.add_parser("summarize", help="print a summary of each SOURCE")
    quotes = commands.add_parser("quotes", help="print who said what in each SOURCE")
    for news_command in (extract, summarize, quotes):
        news_command.add_argument("sources", nargs="+", metavar="SOURCE", help=source_help)
        news_command.add_argument("--json", action="store_true", help="one JSON object a line")
    summarize.add_argument(
        "--sentences", type=sentence_count, default=3, metavar="N", help="1 to 10"
    )
    summarize.add_argument("--method", choices=METHODS, default=DEFAULT_METHOD)
    return parser


def sentence_count(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 10:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 10, not {raw!r}")
    return int(raw)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "db":
            return asyncio.run(upgrade_database(load_settings(require_token=False)))
        if args.command in NEWS_COMMANDS:
            return asyncio.run(run_news_command(args, load_settings(require_token=False)))
        settings = load_settings()
        configure_logging(settings.log_level)
        return asyncio.run(run_bot(settings))
    except (CLIError, SettingsError, SchemaTooNew) as error:
        print(f"precis: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


async def upgrade_database(settings: Settings) -> int:
    storage = await SQLiteStorage.open(settings.database)
    try:
        print(f"{settings.database}: schema version {await storage.schema_version()}")
    finally:
        await storage.close()
    return 0


async def run_bot(settings: Settings) -> int:
    """Make the shared resources, hand them to the bot, and close them all on the way out."""
    storage = await SQLiteStorage.open(settings.database)
    try:
        async with create_session() as session, Precis(settings, storage, session) as client:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, lambda: asyncio.ensure_future(client.close()))
            try:
                await client.start(settings.token)
            except discord.LoginFailure:
                raise CLIError("Discord refused DISCORD_TOKEN: check the token in .env.") from None
            except discord.PrivilegedIntentsRequired:
                raise CLIError(
                    "PRECIS_MESSAGE_CONTENT is true, but the Message Content intent is not enabled "
                    "for this bot in the developer portal."
                ) from None
            finally:
                for signum in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(signum)
    finally:
        await storage.close()
        log.info("stopped; database closed")
    return 0
