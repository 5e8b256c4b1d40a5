"""The feed poller, card sender and purge of old articles (loops owned here), and `/post`.

Implements the feed services' `Poster`: the only place that knows how a card reaches Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection, Iterator
from datetime import UTC, datetime

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.client import Precis, Wordings, describe
from bot.model import DeliveryTarget
from bot.services.dispatcher import PostRefused
from bot.services.poster import (
    AdminNotice,
    Card,
    CardRefused,
    ChannelUnavailable,
    DiscordUnavailable,
    FeedPaused,
    PostUncertain,
)
from bot.services.retention import PURGE_EVERY_SECONDS
from cogs._cards import bare_link, shown, summary_card
from cogs._checks import admin, missing_card_permissions, require_bot_can_post, target_channel
from cogs._progress import finish_work, start_work

log = logging.getLogger(__name__)

# Feeds are polled when due; the loop only looks this often, or once a lease (a dead process's
# feeds are due to the others when its lease ends), whichever is sooner.
POLL_TICK_SECONDS = 60
# The sender wakes when cards are owed, and at least this often (or once a lease, for a dead
# process's channels).
SENDER_IDLE_SECONDS = 30
SHARED_SENDER_IDLE_SECONDS = 2  # the idle wake when other processes share the database
SENDER_RETRY_SECONDS = 5  # after a failed pass (the database away), the next one tries this soon
CLOCK_SKEW_SECONDS = 300  # Discord's clock and ours may differ: read history from earlier
# A request with no answer by then is given up on, and a post looked for later (aiohttp would
# wait 5 min, holding its channel's queue; discord.py's own waits for a 429 fit within it).
ANSWER_TIMEOUT_SECONDS = 30

# /post's refusals name the channel as a mention.
POST_WORDINGS: Wordings = {PostRefused: lambda error: error.saying(f"<#{error.channel_id}>")}


def admin_message(notice: AdminNotice) -> str:
    """A notice for a server's admin channel, its page text escaped and cut: under 2000."""
    if isinstance(notice, FeedPaused):
        return (
            f"I paused the feed **{shown(notice.title, 200)}** ({bare_link(notice.url)}) after "
            f"{notice.failures} failed polls in a row; the last: {shown(notice.error, 500)} "
            "Use `/feed resume` once it works again."
        )
    plural = "s" if notice.paused != 1 else ""
    return (
        f"I can't post in <#{notice.channel_id}> any more ({shown(notice.error, 500)}), so I "
        f"paused its {notice.paused} subscription{plural}. Give me back Send Messages and "
        "Embed Links there, then `/subscribe` again to resume."
    )


@contextlib.contextmanager
def poster_errors() -> Iterator[None]:
    """discord.py's errors as the `Poster`'s. discord.py has already waited out 429s (their
    Retry-After) and retried 5xx answers by then, so no one retries on top of it at once."""
    try:
        yield
    except (discord.Forbidden, discord.NotFound) as error:
        gone = isinstance(error, discord.NotFound)
        raise ChannelUnavailable(
            error.text or ("the channel is gone" if gone else "missing permissions")
        ) from error
    except discord.HTTPException as error:
        if 400 <= error.status < 500 and error.status != 429:  # this request, as it is
            raise CardRefused(str(error)) from error
        raise DiscordUnavailable(str(error)) from error
    except (TimeoutError, aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as error:
        # The request went out and no answer came back: it may have been taken.
        raise PostUncertain(describe(error)) from error
    except (discord.RateLimited, aiohttp.ClientError) as error:
        raise DiscordUnavailable(str(error)) from error


class Articles(commands.Cog):
    wordings = POST_WORDINGS

    def __init__(self, bot: Precis) -> None:
        self.bot = bot
        self.reconciled = asyncio.Event()

    async def cog_load(self) -> None:
        """Start the poll and send loops, and the purge's unless everything is kept."""
        self.poll_feeds.change_interval(
            seconds=min(
                POLL_TICK_SECONDS, self.bot.settings.poll_seconds, self.bot.settings.lease_seconds
            )
        )
        self.poll_feeds.start()
        self.send_cards.start()
        if self.bot.retention.enabled:
            self.purge_old.start()

    async def cog_unload(self) -> None:
        """Stop the loops."""
        self.poll_feeds.cancel()
        self.send_cards.cancel()
        self.purge_old.cancel()

    # --- Poster -----------------------------------------------------------------------------

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        """The channel as the gateway shows it or, when this process does not know it (a
        worker, or another shard's server), a stand-in that can post and read: asking Discord
        first would cost a request a card, and a post there fails as a lookup would."""
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            return self.bot.get_partial_messageable(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise ChannelUnavailable("it is not a text channel")
        return channel

    async def post(self, channel_id: int, card: Card) -> int:
        """See `Poster.post`."""
        channel = await self._channel(channel_id)
        if isinstance(channel, discord.abc.GuildChannel):
            # Discord would answer 403, and each refusal counts towards a ban: ask nothing.
            missing = missing_card_permissions(channel)
            if missing:
                raise ChannelUnavailable(f"missing {', '.join(missing)}")
        embed = summary_card(
            card.stored, card.summary, card.requested, key_quote=card.key_quote, topic=card.topic
        )
        with poster_errors():
            async with asyncio.timeout(ANSWER_TIMEOUT_SECONDS):
                message = await channel.send(
                    embed=embed, allowed_mentions=discord.AllowedMentions.none()
                )
        return message.id

    async def find_cards(
        self, channel_id: int, urls: Collection[str], after: int
    ) -> dict[str, int]:
        """See `Poster.find_cards`."""
        channel = await self._channel(channel_id)
        since = discord.Object(
            discord.utils.time_snowflake(datetime.fromtimestamp(after - CLOCK_SKEW_SECONDS, UTC))
        )
        me = self.bot.user
        found: dict[str, int] = {}
        with poster_errors():
            async with asyncio.timeout(ANSWER_TIMEOUT_SECONDS):
                # Every message since then, oldest first, page by page: the cards, if they
                # went out, are near the start, however busy the channel has been since.
                async for message in channel.history(limit=None, after=since):
                    if me is None or message.author.id != me.id:
                        continue
                    for embed in message.embeds:
                        if embed.url in urls:
                            found.setdefault(embed.url, message.id)
                    if len(found) == len(urls):
                        break
        return found

    async def notify_admins(self, guild_id: int, notice: AdminNotice) -> None:
        """See `Poster.notify_admins`."""
        message = admin_message(notice)
        channel_id = (await self.bot.guild_config.all(guild_id)).admin_channel
        if channel_id is None:
            log.warning("guild %s has no admin_channel; not told: %s", guild_id, message)
            return
        try:
            channel = await self._channel(channel_id)
            async with asyncio.timeout(ANSWER_TIMEOUT_SECONDS):
                await channel.send(message, allowed_mentions=discord.AllowedMentions.none())
        except (
            ChannelUnavailable,
            DiscordUnavailable,
            discord.HTTPException,
            TimeoutError,
        ) as error:
            log.warning("could not tell guild %s's admins (%s): %s", guild_id, error, message)

    # --- Loops ------------------------------------------------------------------------------

    @tasks.loop(seconds=POLL_TICK_SECONDS)
    async def poll_feeds(self) -> None:
        """Poll the due feeds; a failing cycle is logged and the next runs as usual."""
        try:
            report = await self.bot.poller.poll(self)
        except Exception:  # a failing cycle is logged; the next one runs as usual
            log.exception("feed poll failed")
            return
        if report.feeds:
            log.info("polled %s", report)

    @poll_feeds.before_loop
    async def _before_poll(self) -> None:
        await self.bot.wait_until_working()
        await self.reconcile()

    async def reconcile(self) -> None:
        """Cards that may have gone out just before a crash are checked before any new post;
        those whose channel could not be read are checked again by the sender, later."""
        try:
            report = await self.bot.dispatcher.reconcile(self)
        except Exception:  # the loops must start anyway; those cards stay `sending`
            log.exception("reconciling cards left sending failed; they are held, not reposted")
        else:
            if report.found or report.reposted:
                log.info("reconciled cards left sending: %s", report)
        finally:
            self.reconciled.set()

    @tasks.loop(seconds=0)
    async def send_cards(self) -> None:
        """Deliver the cards owed, as soon as some are or after an idle wait."""
        owed = self.bot.dispatcher.cards_owed
        idle = min(SENDER_IDLE_SECONDS, self.bot.settings.lease_seconds)
        if self.bot.dispatcher.holds.processes > 1:
            # Cards another process records (its poll, a /post) wake no one here.
            idle = SHARED_SENDER_IDLE_SECONDS
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(owed.wait(), idle)
        owed.clear()
        await self.reconcile()  # cards still held since the start, when their time comes
        try:
            report = await self.bot.dispatcher.deliver(self)
        except Exception:
            log.exception("sending cards failed; trying again in %d s", SENDER_RETRY_SECONDS)
            await asyncio.sleep(SENDER_RETRY_SECONDS)
            owed.set()
            return
        if report.sent or report.failed:
            log.info("delivered %s", report)

    @send_cards.before_loop
    async def _before_send(self) -> None:
        await self.bot.wait_until_working()
        await self.reconciled.wait()
        self.bot.dispatcher.cards_owed.set()  # cards a previous run left pending go out now

    @tasks.loop(seconds=PURGE_EVERY_SECONDS)
    async def purge_old(self) -> None:
        """Purge what is older than `PRECIS_RETENTION_DAYS` (the service logs what went); a
        failing purge is logged and the next runs as usual."""
        try:
            await self.bot.retention.purge()
        except Exception:
            log.exception("purging old articles failed")

    # --- /post ------------------------------------------------------------------------------

    @app_commands.command(name="post")
    @admin(in_channel=True, manage_messages=True)
    @app_commands.describe(url="A link to an article", channel="Where (default: here)")
    async def post_command(
        self,
        interaction: discord.Interaction[Precis],
        url: str,
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Post an article's card now; the feeds won't post it in that channel again."""
        where = target_channel(interaction, channel)
        require_bot_can_post(where)
        progress = await start_work(interaction, ephemeral=True)
        target = DeliveryTarget(where.guild.id, where.id, None)
        await self.bot.dispatcher.post_now(target, url, self, progress=progress)
        await finish_work(interaction, content=f"Posted in {where.mention}.")


async def setup(bot: Precis) -> None:
    """Load the cog (discord.py's extension entry point)."""
    await bot.add_cog(Articles(bot))
