"""The fake's switches for Discord's limits and faults, each through the real discord.py
client: the fake enforces the limit, and discord.py reacts as it does to the real Discord."""

from __future__ import annotations

import asyncio
import contextlib
import io
import random
import time
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord.ext import commands

from tests.fake_discord import (
    BOT_ID,
    BOT_ROLE_ID,
    GENERAL_CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    NEWS_CHANNEL_ID,
    FakeDiscord,
    Limits,
    RecordedRequest,
    Window,
    fake_discord,
    running_bot,
)
from tests.test_fake_discord import BOT_MENTION, make_bot

NEWS_MESSAGES = f"/channels/{NEWS_CHANNEL_ID}/messages"


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[commands.Bot]:
    async with running_bot(make_bot()) as client:
        yield client


def text_channel(bot: discord.Client, channel_id: int = NEWS_CHANNEL_ID) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


def posts(fake: FakeDiscord, path: str = NEWS_MESSAGES) -> list[RecordedRequest]:
    return [r for r in fake.requests if r.method == "POST" and r.path == path]


async def raw_post(fake: FakeDiscord, path: str, body: dict[str, str]) -> tuple[int, object]:
    """A request from outside discord.py (another process of the same bot, say)."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(fake.api_base + path, json=body) as response,
    ):
        body_read = await response.json(content_type=None)
        return response.status, body_read


# --- rate limits ---------------------------------------------------------------------------


async def test_limits_are_off_by_default(fake: FakeDiscord, bot: commands.Bot) -> None:
    await asyncio.gather(*(text_channel(bot).send(str(i)) for i in range(12)))
    assert {r.status for r in posts(fake)} == {200}
    assert not any(k.startswith("X-RateLimit") for r in fake.requests for k in r.answer_headers)


async def test_route_buckets_are_announced_and_kept(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.enforce(Limits(route=Window(2, 0.5)))
    started = time.monotonic()
    await asyncio.gather(*(text_channel(bot).send(str(i)) for i in range(5)))
    # 2 per half second: the fifth waits for the third window; discord.py, told the bucket,
    # never goes over it.
    assert time.monotonic() - started >= 0.9
    assert [r.status for r in posts(fake)] == [200] * 5
    headers = posts(fake)[0].answer_headers
    assert headers["X-RateLimit-Limit"] == "2"
    assert headers["X-RateLimit-Remaining"] == "1"
    assert 0 < float(headers["X-RateLimit-Reset-After"]) <= 0.5
    assert abs(float(headers["X-RateLimit-Reset"]) - time.time()) < 5
    # One bucket hash per route; the channel (a major parameter) gets its own bucket.
    await text_channel(bot, GENERAL_CHANNEL_ID).send("elsewhere")
    (general,) = posts(fake, f"/channels/{GENERAL_CHANNEL_ID}/messages")
    assert general.answer_headers["X-RateLimit-Bucket"] == headers["X-RateLimit-Bucket"]
    assert general.answer_headers["X-RateLimit-Remaining"] == "1"


async def test_over_a_route_bucket_discord_py_waits_and_retries(
    fake: FakeDiscord, bot: commands.Bot
) -> None:
    # Windows of a second: long enough for a loaded machine to keep within one.
    fake.enforce(Limits(route=Window(2, 1.0)))
    for _ in range(2):
        status, _ = await raw_post(fake, NEWS_MESSAGES, {"content": "spent the bucket"})
        assert status == 200
    await text_channel(bot).send("after the wait")
    # The fake only admits it again in the next window: discord.py waited for it.
    _, _, refused, retried = posts(fake)
    assert (refused.status, retried.status) == (429, 200)
    assert refused.answer_headers["X-RateLimit-Scope"] == "user"
    assert refused.answer_headers["X-RateLimit-Remaining"] == "0"
    assert refused.answer_headers["Retry-After"] == "1"
    assert refused.answer_headers["Via"]  # else discord.py takes it for a Cloudflare ban
    assert fake.invalid_requests() == 1


async def test_the_global_limit(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.enforce(Limits(global_=Window(4, 1.0)))
    guild = bot.get_guild(GUILD_ID)
    assert guild is not None
    channels = [fake.add_channel(fake.guilds[GUILD_ID], f"c{i}").id for i in range(8)]
    # Eight routes of their own: only the global limit holds them back.
    fetched = await asyncio.gather(*(bot.fetch_channel(c) for c in channels))
    assert [c.id for c in fetched] == channels
    refused = [r for r in fake.requests if r.status == 429]
    assert refused
    assert all(r.answer_headers["X-RateLimit-Global"] == "true" for r in refused)
    assert all(r.answer_headers["X-RateLimit-Scope"] == "global" for r in refused)
    fake.enforce(Limits(global_=Window(1, 60.0)))
    for _ in range(2):
        status, body = await raw_post(fake, f"/channels/{GENERAL_CHANNEL_ID}/typing", {})
    assert status == 429
    assert isinstance(body, dict) and body["global"] is True and 0 < body["retry_after"] <= 60


async def test_interaction_answers_are_not_bound_to_the_global_limit(
    fake: FakeDiscord, bot: commands.Bot
) -> None:
    fake.enforce(Limits(global_=Window(1, 60.0)))
    await bot.fetch_channel(NEWS_CHANNEL_ID)  # the one request of the minute
    interaction = await fake.slash("secret", user_id=MEMBER_ID)
    (callback,) = await fake.wait_responses(interaction.token)
    assert callback.status == 200


async def test_the_channel_message_limit(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.enforce(Limits(channel_messages=Window(2, 1.0)))
    for i in range(3):
        await text_channel(bot).send(str(i))
    # Refused, then admitted in the next window: discord.py waited Retry-After.
    assert [r.status for r in posts(fake)] == [200, 200, 429, 200]
    assert posts(fake)[2].answer_headers["X-RateLimit-Scope"] == "shared"
    assert fake.invalid_requests() == 0  # Discord does not count shared limits
    assert [m["content"] for m in fake.bot_messages(NEWS_CHANNEL_ID)] == ["0", "1", "2"]


async def test_latency(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.enforce(Limits(latency=0.1))
    started = time.monotonic()
    await bot.fetch_channel(NEWS_CHANNEL_ID)
    assert time.monotonic() - started >= 0.1


# --- faults --------------------------------------------------------------------------------


async def test_random_faults_replay_with_their_seed(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.fail_randomly(0.3, status=503, seed=7, method="GET", path="/channels/")
    failed = []
    for _ in range(20):
        try:
            await bot.fetch_channel(NEWS_CHANNEL_ID)
            failed.append(False)
        except discord.DiscordServerError:  # discord.py does not retry a 503
            failed.append(True)
    draws = random.Random(7)
    assert failed == [draws.random() < 0.3 for _ in range(20)]
    assert 0 < sum(failed) < 20


async def test_random_hangs_until_the_client_gives_up(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.fail_randomly(1.0, kind="hang", method="POST")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await text_channel(bot).send("never answered")
    assert fake.bot_messages(NEWS_CHANNEL_ID) == []


async def test_a_502_is_retried_like_a_500(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.fail_next(1, status=502)
    await text_channel(bot).send("eventually")  # discord.py sleeps 1 s and retries
    assert [r.status for r in posts(fake)] == [502, 200]


# --- invalid requests and the ban ----------------------------------------------------------


async def test_invalid_requests_are_counted_over_ten_minutes(
    fake: FakeDiscord, bot: commands.Bot
) -> None:
    fake.fail_channel(NEWS_CHANNEL_ID)
    for _ in range(3):
        with pytest.raises(discord.Forbidden):
            await text_channel(bot).send("no")
    assert fake.invalid_requests() == 3
    fake.advance(601)
    assert fake.invalid_requests() == 0


async def test_a_wrong_token_is_unauthorized(fake: FakeDiscord) -> None:
    fake.require_token("the-right-token")
    bot = make_bot()
    try:
        with pytest.raises(discord.LoginFailure):
            await bot.login("a-wrong-token")
    finally:
        await bot.close()
    assert [r.status for r in fake.requests] == [401]
    assert fake.invalid_requests() == 1


async def test_too_many_invalid_requests_earn_a_ban(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.enforce(Limits(ban_after=3, ban_seconds=60))
    fake.fail_channel(NEWS_CHANNEL_ID)
    for _ in range(3):
        with pytest.raises(discord.Forbidden):
            await text_channel(bot).send("no")
    # Banned: Cloudflare's 429, which discord.py raises at once instead of retrying.
    with pytest.raises(discord.HTTPException) as raised:
        await bot.fetch_channel(GENERAL_CHANNEL_ID)
    assert raised.value.status == 429
    assert "1015" in raised.value.text
    assert [r.status for r in fake.requests if r.path == f"/channels/{GENERAL_CHANNEL_ID}"] == [429]
    fake.advance(61)
    assert (await bot.fetch_channel(GENERAL_CHANNEL_ID)).id == GENERAL_CHANNEL_ID


# --- channel permission overwrites ---------------------------------------------------------


async def test_overwrites_reach_the_bot_and_are_enforced(
    fake: FakeDiscord, bot: commands.Bot
) -> None:
    fake.enforce(Limits(permissions=True))
    await fake.set_permissions(
        NEWS_CHANNEL_ID,
        BOT_ROLE_ID,
        deny=discord.Permissions(send_messages=True, manage_webhooks=True),
    )
    await asyncio.sleep(0.05)  # the CHANNEL_UPDATE on its way
    channel = text_channel(bot)
    mine = channel.permissions_for(channel.guild.me)
    assert not mine.send_messages and not mine.manage_webhooks and mine.view_channel
    assert channel.overwrites_for(discord.Object(BOT_ROLE_ID)).send_messages is False
    with pytest.raises(discord.Forbidden) as raised:
        await channel.send("hi")
    assert raised.value.code == 50013
    # A member overwrite outranks the roles'.
    await fake.set_permissions(
        NEWS_CHANNEL_ID, BOT_ID, allow=discord.Permissions(send_messages=True)
    )
    await channel.send("hi")
    assert [r.status for r in posts(fake)] == [403, 200]


async def test_overwrites_are_in_guild_create(fake: FakeDiscord) -> None:
    threads = discord.Permissions(create_public_threads=True, send_messages_in_threads=True)
    fake.world.set_overwrite(NEWS_CHANNEL_ID, GUILD_ID, deny=threads.value)
    async with running_bot(make_bot()) as client:
        channel = text_channel(client)
        mine = channel.permissions_for(channel.guild.me)
        assert not mine.create_public_threads and not mine.send_messages_in_threads
        general = text_channel(client, GENERAL_CHANNEL_ID)
        assert general.permissions_for(channel.guild.me).send_messages_in_threads


async def test_threads_need_their_permissions(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.enforce(Limits(permissions=True))
    channel = text_channel(bot)
    public = discord.ChannelType.public_thread
    with pytest.raises(discord.Forbidden):  # the bot's roles lack Create Public Threads
        await channel.create_thread(name="talk", type=public)
    await fake.set_permissions(
        NEWS_CHANNEL_ID, BOT_ROLE_ID, allow=discord.Permissions(create_public_threads=True)
    )
    thread = await channel.create_thread(name="talk", type=public)
    await thread.send("in the thread")  # Send Messages in Threads, from the bot's role
    await asyncio.sleep(0.05)  # the THREAD_CREATE on its way
    assert isinstance(bot.get_channel(thread.id), discord.Thread)
    # In a thread, Send Messages in Threads counts, not Send Messages.
    await fake.set_permissions(
        NEWS_CHANNEL_ID,
        BOT_ROLE_ID,
        allow=discord.Permissions(create_public_threads=True, send_messages=True),
        deny=discord.Permissions(send_messages_in_threads=True),
    )
    with pytest.raises(discord.Forbidden) as raised:
        await thread.send("denied")
    assert raised.value.code == 50013
    assert [m["content"] for m in fake.bot_messages(thread.id)] == ["in the thread"]


async def test_webhooks_need_manage_webhooks(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.enforce(Limits(permissions=True))
    channel = text_channel(bot)
    with pytest.raises(discord.Forbidden):
        await channel.create_webhook(name="relay")
    await fake.set_permissions(
        NEWS_CHANNEL_ID, BOT_ROLE_ID, allow=discord.Permissions(manage_webhooks=True)
    )
    webhook = await channel.create_webhook(name="relay")
    assert [w.id for w in await channel.webhooks()] == [webhook.id]


async def test_without_view_channel_it_is_missing_access(
    fake: FakeDiscord, bot: commands.Bot
) -> None:
    fake.enforce(Limits(permissions=True))
    await fake.set_permissions(
        NEWS_CHANNEL_ID, GUILD_ID, deny=discord.Permissions(view_channel=True)
    )
    with pytest.raises(discord.Forbidden) as raised:
        await text_channel(bot).send("hi")
    assert raised.value.code == 50001
    with pytest.raises(discord.Forbidden):
        await bot.fetch_channel(NEWS_CHANNEL_ID)
    assert fake.invalid_requests() == 2


async def test_embeds_and_files_need_their_permissions(
    fake: FakeDiscord, bot: commands.Bot
) -> None:
    fake.enforce(Limits(permissions=True))
    await fake.set_permissions(
        NEWS_CHANNEL_ID, GUILD_ID, deny=discord.Permissions(embed_links=True, attach_files=True)
    )
    channel = text_channel(bot)
    card = discord.Embed(title="card")
    with pytest.raises(discord.Forbidden):  # nothing but an embed: refused
        await channel.send(embed=card)
    sent = await channel.send("text", embed=card)  # with text: the embed is dropped
    assert sent.content == "text" and sent.embeds == []
    with pytest.raises(discord.Forbidden):
        await channel.send("file", file=discord.File(io.BytesIO(b"x"), "x.txt"))


async def test_history_needs_read_message_history(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.enforce(Limits(permissions=True))
    fake.seed_message(NEWS_CHANNEL_ID, f"{BOT_MENTION} hello", author_id=MEMBER_ID)
    await fake.set_permissions(
        NEWS_CHANNEL_ID, GUILD_ID, deny=discord.Permissions(read_message_history=True)
    )
    assert [m async for m in text_channel(bot).history()] == []  # Discord's answer: none


async def test_mention_everyone_needs_its_permission(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.enforce(Limits(permissions=True))
    everyone = discord.AllowedMentions(everyone=True)
    channel = text_channel(bot)
    assert not (await channel.send("@everyone hi", allowed_mentions=everyone)).mention_everyone
    await fake.set_permissions(
        NEWS_CHANNEL_ID, BOT_ROLE_ID, allow=discord.Permissions(mention_everyone=True)
    )
    assert (await channel.send("@everyone hi", allowed_mentions=everyone)).mention_everyone


async def test_interactions_carry_the_channel_permissions(
    fake: FakeDiscord, bot: commands.Bot
) -> None:
    await fake.set_permissions(
        GENERAL_CHANNEL_ID, BOT_ROLE_ID, deny=discord.Permissions(embed_links=True)
    )
    interaction = await fake.slash("secret", user_id=MEMBER_ID)
    assert not discord.Permissions(int(interaction.payload["app_permissions"])).embed_links
    member = discord.Permissions(int(interaction.payload["member"]["permissions"]))
    assert member.embed_links  # the overwrite is the bot role's


# --- interaction deadlines -----------------------------------------------------------------


def slow_bot(go: asyncio.Event, errors: list[discord.HTTPException]) -> commands.Bot:
    """A bot whose /slow answers once `go` is set, and whose /late defers then follows up
    once `go` is set; the errors Discord answers are kept in `errors`."""
    bot = make_bot()

    @bot.tree.command(description="Answers when told to")
    async def slow(interaction: discord.Interaction) -> None:
        await go.wait()
        try:
            await interaction.response.send_message("at last")
        except discord.HTTPException as error:
            errors.append(error)

    @bot.tree.command(description="Follows up when told to")
    async def late(interaction: discord.Interaction) -> None:
        await interaction.response.defer()
        await go.wait()
        try:
            await interaction.followup.send("at last")
        except discord.HTTPException as error:
            errors.append(error)

    return bot


@contextlib.asynccontextmanager
async def running_slow_bot(
    fake: FakeDiscord,
) -> AsyncIterator[tuple[asyncio.Event, list[discord.HTTPException]]]:
    """The slow bot, run against a fake that keeps Discord's interaction deadlines: the event
    that lets it answer, and the errors Discord answers it with."""
    fake.enforce(Limits(interaction_deadlines=True))
    go, errors = asyncio.Event(), list[discord.HTTPException]()
    async with running_bot(slow_bot(go, errors)):
        yield go, errors


@pytest.mark.parametrize(("waited", "answered"), [(2.5, True), (3.5, False)])
async def test_the_first_answer_is_due_in_three_seconds(
    fake: FakeDiscord, waited: float, answered: bool
) -> None:
    async with running_slow_bot(fake) as (go, errors):
        interaction = await fake.slash("slow")
        fake.advance(waited)
        go.set()
        (callback,) = await fake.wait_responses(interaction.token)
    assert callback.status == (200 if answered else 404)
    if not answered:
        (error,) = errors
        assert isinstance(error, discord.NotFound) and error.code == 10062


@pytest.mark.parametrize(("waited", "answered"), [(14 * 60, True), (16 * 60, False)])
async def test_follow_ups_are_due_in_fifteen_minutes(
    fake: FakeDiscord, waited: float, answered: bool
) -> None:
    async with running_slow_bot(fake) as (go, errors):
        interaction = await fake.slash("late")
        await fake.wait_responses(interaction.token)  # the defer, in time
        fake.advance(waited)
        go.set()
        _, followup = await fake.wait_responses(interaction.token, 2)
    assert followup.status == (200 if answered else 401)
    if not answered:
        (error,) = errors
        assert error.status == 401 and error.code == 50027  # Invalid Webhook Token


# --- the gateway ---------------------------------------------------------------------------


def ops(fake: FakeDiscord, op: int) -> list[dict[str, object]]:
    return [p for p in fake.gateway_payloads if p["op"] == op]


@pytest.mark.parametrize("abrupt", [False, True])
async def test_missed_dispatches_are_replayed_on_resume(
    fake: FakeDiscord, bot: commands.Bot, abrupt: bool
) -> None:
    await fake.disconnect_gateway(abrupt=abrupt)
    await fake.send_message(f"{BOT_MENTION} ping")  # while the bot is away
    post = await fake.wait_for(lambda r: r.method == "POST")
    assert post.json["content"] == "pong"
    (resume,) = ops(fake, discord.gateway.DiscordWebSocket.RESUME)
    assert resume["d"]["session_id"].startswith("fake-session-")  # type: ignore[index]
    assert len(ops(fake, discord.gateway.DiscordWebSocket.IDENTIFY)) == 1


async def test_a_refused_resume_identifies_again(fake: FakeDiscord) -> None:
    bot = make_bot()

    async def identify_at_once(shard_id: int | None, *, initial: bool = False) -> None:
        pass  # discord.py waits 5 s before identifying again; not worth it in a test

    bot.before_identify_hook = identify_at_once  # type: ignore[method-assign]
    async with running_bot(bot):
        fake.gateway.resumable = False
        await fake.disconnect_gateway()
        await fake.send_message(f"{BOT_MENTION} ping")  # lost with the old session
        await fake.wait_gateway_ops(discord.gateway.DiscordWebSocket.IDENTIFY, 2)
        await fake.send_message(f"{BOT_MENTION} ping")
        post = await fake.wait_for(lambda r: r.method == "POST")
        assert post.json["content"] == "pong"
        await asyncio.sleep(0.05)
        assert len([r for r in fake.requests if r.method == "POST"]) == 1


async def test_reconnect_request(fake: FakeDiscord, bot: commands.Bot) -> None:
    await fake.request_reconnect()
    interaction = await fake.slash("secret")
    await fake.wait_responses(interaction.token)
    assert len(ops(fake, discord.gateway.DiscordWebSocket.RESUME)) == 1


# --- all at once ---------------------------------------------------------------------------


async def test_the_real_limits_preset() -> None:
    async with fake_discord(Limits.real()) as fake, running_bot(make_bot()) as bot:
        await asyncio.gather(*(text_channel(bot).send(str(i)) for i in range(5)))
        assert [r.status for r in posts(fake)] == [200] * 5
        assert posts(fake)[0].answer_headers["X-RateLimit-Limit"] == "5"
        assert fake.limits.permissions and fake.limits.interaction_deadlines
