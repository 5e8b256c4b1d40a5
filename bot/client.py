"""The Discord client: one `commands.AutoShardedBot` subclass, given its resources by whoever
starts it."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import pkgutil
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import MISSING

from bot.composition import Services
from bot.errors import UserError
from bot.services.metrics import RATE_LIMIT_SCOPES, Metrics
from bot.settings import Settings

log = logging.getLogger(__name__)

# Set in `interaction.extras` while the original response is only a placeholder.
PLACEHOLDER = "placeholder"
COG_PACKAGE = "cogs"
UNEXPECTED_ERROR = "Something went wrong on my side; it has been logged. Please try again later."
# Seconds to wait before each new try to log in while Discord can't be reached; then give up.
LOGIN_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0)
# Discord can't be reached (network down, connection refused or dropped, a 5xx, a timeout).
UNREACHABLE = (OSError, aiohttp.ClientError, discord.DiscordServerError)


def describe(error: BaseException) -> str:
    """An error for a log line: its message, or its type when it has none."""
    return str(error) or type(error).__name__


def discover_cogs(package: str = COG_PACKAGE) -> list[str]:
    """Every module in the cog package, except private `_helpers`. Found by name: the cogs
    import the client, never the other way round."""
    return [
        f"{package}.{module.name}"
        for module in pkgutil.iter_modules(importlib.import_module(package).__path__)
        if not module.name.startswith("_")
    ]


def rate_limit_scope(headers: Mapping[str, str]) -> str:
    """A 429's scope, from Discord's `X-RateLimit-Scope` header; `unknown` when it names none
    (a Cloudflare ban answers without Discord's headers)."""
    scope = headers.get("X-RateLimit-Scope", "").lower()
    return scope if scope in RATE_LIMIT_SCOPES else "unknown"


def rate_limit_trace(metrics: Metrics) -> aiohttp.TraceConfig:
    """A hook on discord.py's HTTP session that records each 429 Discord answers: discord.py
    waits them out and retries by itself, so no error tells the bot of them."""

    async def on_request_end(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        if params.response.status == 429:
            metrics.discord_429(rate_limit_scope(params.response.headers))

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_request_end)
    return trace


# A cog's wording of the core's errors for Discord: error type -> its message. The core's
# `UserError`s carry data and a plain message; a cog that wants a mention, a command's name or
# code spans in it sets `wordings` on its class, and the one error path below uses it for the
# errors of that cog's commands. Values take the error; `Any` lets one mapping hold many types.
Wordings = Mapping[type[UserError], Callable[[Any], str]]


def user_message(error: BaseException, wordings: Wordings | None = None) -> str | None:
    """The message a user should see for a known error (worded by `wordings` when they list
    it), or None for a bug."""
    while isinstance(
        error,
        app_commands.CommandInvokeError | commands.CommandInvokeError | commands.HybridCommandError,
    ):
        error = error.original
    if isinstance(error, UserError):
        word = next((w for kind, w in (wordings or {}).items() if isinstance(error, kind)), str)
        return word(error)
    return discord_py_message(error)


def discord_py_message(error: BaseException) -> str | None:
    """The message for an error discord.py raises about the command's use, or None."""
    if isinstance(error, commands.MissingPermissions | app_commands.MissingPermissions):
        needed = ", ".join(
            p.replace("_", " ").replace("guild", "server").title()
            for p in error.missing_permissions
        )
        return f"You need the {needed} permission to do that."
    if isinstance(error, commands.NoPrivateMessage | app_commands.NoPrivateMessage):
        return "That command works in a server, not in direct messages."
    if isinstance(error, commands.NotOwner):
        return "Only the bot's owner can do that."
    if isinstance(error, commands.CommandOnCooldown | app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, commands.UserInputError):
        return str(error)
    if isinstance(error, commands.CheckFailure | app_commands.CheckFailure):
        return "You can't use that command here."
    return None


async def reply_ephemeral(interaction: discord.Interaction, message: str) -> None:
    """Answer an interaction privately, whether or not it has been answered already.

    A public "thinking…" or progress placeholder is deleted first: the next follow-up then
    becomes a new, private message instead of taking the placeholder's place for all to see.
    """
    if not interaction.response.is_done():
        await interaction.response.send_message(message, ephemeral=True)
        return
    if interaction.extras.pop(PLACEHOLDER, False):
        await interaction.delete_original_response()
    await interaction.followup.send(message, ephemeral=True)


class PrecisTree(app_commands.CommandTree["Precis"]):
    """The command tree with the one error path of every slash command."""

    async def on_error(
        self, interaction: discord.Interaction[Precis], error: app_commands.AppCommandError
    ) -> None:
        """Answer the user ephemerally: the error's `user_message` (in the words of the
        command's cog), or a generic line when it has none (a bug, logged with its context)."""
        cog = getattr(interaction.command, "binding", None)  # a context menu has none
        message = user_message(error, getattr(cog, "wordings", None))
        if message is None:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error(
                "app command %r failed (guild %s, channel %s, user %s)",
                command,
                interaction.guild_id,
                interaction.channel_id,
                interaction.user.id,
                exc_info=error,
            )
            message = UNEXPECTED_ERROR
        try:
            await reply_ephemeral(interaction, message)
        except discord.HTTPException:
            log.warning("could not tell user %s about an error", interaction.user.id)


class Precis(commands.AutoShardedBot):
    """precis. Its resources and services are made by the caller (`bot.composition`) and
    handed in. It runs the gateway shards `shard_ids` of `shard_count` (options), or, without
    them, as many as Discord recommends, all in this process. With `gateway` False it is a
    worker: it logs in over REST (`work`) and runs only the background loops (polling and
    delivery), knowing no server and answering no interaction."""

    def __init__(
        self, settings: Settings, services: Services, *, gateway: bool = True, **options: Any
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True  # mentions, for `@precis config show`
        intents.dm_messages = True
        intents.message_content = settings.message_content
        super().__init__(
            command_prefix=commands.when_mentioned_or(settings.prefix),
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=PrecisTree,
            help_command=commands.DefaultHelpCommand(dm_help=False),
            http_trace=rate_limit_trace(services.metrics),
            **options,
        )
        self.settings = settings
        self.gateway = gateway
        self.storage = services.storage
        self.session = services.session
        self.guild_config = services.guild_config
        self.desk = services.desk
        self.feeds = services.feeds
        self.poller = services.poller
        self.dispatcher = services.dispatcher
        self.subscriptions = services.subscriptions
        self.quotes = services.quotes
        self.stats = services.stats
        self.metrics = services.metrics
        self.retention = services.retention
        self.started_at = time.monotonic()
        self.last_disconnect: datetime | None = None  # when the gateway last dropped (/about)
        self.failed_cogs: list[str] = []
        self._closing = asyncio.Event()

    async def login(self, token: str) -> None:
        """Log in, trying again after each of LOGIN_RETRY_DELAYS while Discord can't be
        reached, with one log line a try. A refused token (LoginFailure) is not retried."""
        tries = len(LOGIN_RETRY_DELAYS) + 1
        for attempt, delay in enumerate(LOGIN_RETRY_DELAYS, start=1):
            try:
                return await super().login(token)
            except UNREACHABLE as error:
                log.warning(
                    "could not reach Discord (%s); attempt %d of %d; trying again in %g s",
                    describe(error),
                    attempt,
                    tries,
                    delay,
                )
            # Close the failed login's session (its connector goes with it); login makes new ones.
            await self.http.close()
            self.http.connector = MISSING
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), delay)
            if self.is_closed():  # stopped while waiting
                return
        return await super().login(token)

    async def connect(self, *, reconnect: bool = True) -> None:
        """Connect the shards as discord.py does; a stop asked for while they start (the
        shard count being read, say) ends it quietly, not as an unreachable Discord."""
        try:
            await super().connect(reconnect=reconnect)
        except UNREACHABLE:
            if not self._closing.is_set():
                raise

    async def work(self, token: str) -> None:
        """A worker's `start`: log in (the cogs load and their loops start) and run until
        closed, with no gateway connection."""
        await self.login(token)
        await self._closing.wait()

    async def wait_until_working(self) -> None:
        """Wait until the background loops may post: the gateway's READY, or, for a worker,
        at once (it is logged in before its cogs load)."""
        if self.gateway:
            await self.wait_until_ready()

    async def close(self) -> None:
        """Close as discord.py does, ending a login that waits to try again."""
        self._closing.set()
        await super().close()

    async def setup_hook(self) -> None:
        """Load every cog (one that fails is logged and listed in `failed_cogs`), then sync
        the commands if the settings ask to."""
        for name in discover_cogs():
            try:
                await self.load_extension(name)
            except commands.ExtensionError:
                self.failed_cogs.append(name)
                log.exception("cog %s failed to load", name)
        if self.gateway:  # a worker answers no command
            await self.sync_on_start()

    async def sync_on_start(self) -> None:
        """Sync the slash commands as `PRECIS_SYNC_ON_START` says: globally, to one server
        (with the global commands copied there), or not at all."""
        target = self.settings.sync_on_start
        if not target:
            return
        guild = None if target == "global" else discord.Object(int(target))
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d commands to %s", len(synced), target)

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """discord.py's dispatch, noting when the gateway connection dropped (discord.py
        resumes it by itself). Not an `on_disconnect` handler: discord.py dispatches
        `disconnect` after `close` too, when a handler can no longer be scheduled."""
        if event_name == "disconnect":
            self.last_disconnect = discord.utils.utcnow()
        super().dispatch(event_name, *args, **kwargs)

    @property
    def uptime_seconds(self) -> float:
        """Seconds since the bot was made."""
        return time.monotonic() - self.started_at

    async def on_command_error(self, ctx: commands.Context[Any], error: Exception) -> None:
        """The prefix commands' error path, as `PrecisTree.on_error`; unknown commands are
        ignored."""
        if isinstance(error, commands.CommandNotFound):
            return
        message = user_message(error, getattr(ctx.cog, "wordings", None))
        if message is None:
            log.error(
                "command %r failed (guild %s, channel %s, user %s)",
                ctx.command.qualified_name if ctx.command else ctx.invoked_with,
                ctx.guild.id if ctx.guild else None,
                ctx.channel.id,
                ctx.author.id,
                exc_info=error,
            )
            message = UNEXPECTED_ERROR
        try:
            await ctx.send(message, ephemeral=True)
        except discord.HTTPException:
            log.warning("could not tell user %s about an error", ctx.author.id)
