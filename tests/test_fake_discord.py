"""Smoke tests: the real discord.py client against the local fake Discord."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fake_discord import (
    ADMIN_ID,
    APPLICATION_ID,
    EPHEMERAL,
    GENERAL_CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    NEWS_CHANNEL_ID,
    OWNER_ID,
    ChannelError,
    FakeDiscord,
    running_bot,
)

BOT_MENTION = f"<@{APPLICATION_ID}>"


class PingView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.clicked_by: list[int] = []

    @discord.ui.button(label="Ping", custom_id="ping-button")
    async def ping(
        self, interaction: discord.Interaction, button: discord.ui.Button[PingView]
    ) -> None:
        self.clicked_by.append(interaction.user.id)
        await interaction.response.edit_message(content="clicked", view=None)


def make_bot(*, message_content: bool = False, dm_messages: bool = False) -> commands.Bot:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.message_content = message_content
    intents.dm_messages = dm_messages
    bot = commands.Bot(
        command_prefix=commands.when_mentioned_or("!"),
        intents=intents,
        guild_ready_timeout=0.05,
        help_command=None,
    )
    bot.view = PingView()  # type: ignore[attr-defined]

    @bot.command()
    async def ping(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.send("pong")

    @bot.tree.command(description="Summarize something")
    @app_commands.describe(topic="What to summarize")
    async def summarize(interaction: discord.Interaction, topic: str) -> None:
        await interaction.response.defer()
        await interaction.followup.send(embed=discord.Embed(title=f"Summary of {topic}"))

    @summarize.autocomplete("topic")
    async def topics(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in ("news", "notes") if current in t]

    @bot.tree.command(description="Whisper")
    async def secret(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("psst", ephemeral=True)

    @bot.tree.command(description="A button")
    async def button(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("press it", view=bot.view)  # type: ignore[attr-defined]

    @bot.tree.context_menu(name="Quote")
    async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"{message.author.id} said: {message.content}")

    return bot


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[commands.Bot]:
    async with running_bot(make_bot()) as client:
        yield client


async def test_login_ready_and_guild(fake: FakeDiscord, bot: commands.Bot) -> None:
    assert bot.user is not None and bot.user.id == APPLICATION_ID
    guild = bot.get_guild(GUILD_ID)
    assert guild is not None
    assert guild.get_channel(GENERAL_CHANNEL_ID) is not None
    assert guild.me.guild_permissions.send_messages
    owner = await bot.fetch_user(OWNER_ID)
    assert await bot.is_owner(owner)
    assert fake.requests[0].headers["Authorization"] == "Bot fake-token"


async def test_tree_sync_is_recorded(fake: FakeDiscord, bot: commands.Bot) -> None:
    synced = await bot.tree.sync()
    put = await fake.wait_for(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
    assert put.path == f"/applications/{APPLICATION_ID}/commands"
    assert {c["name"] for c in put.json} == {"summarize", "secret", "button", "Quote"}
    assert {c.name for c in synced} == {"summarize", "secret", "button", "Quote"}
    assert all(c.id for c in synced)


async def test_slash_defer_then_followup_embed(fake: FakeDiscord, bot: commands.Bot) -> None:
    await bot.tree.sync()
    interaction = await fake.slash("summarize", {"topic": "news"})
    callback, followup = await fake.wait_responses(interaction.token, 2)
    assert callback.json == {"type": 5}
    assert followup.method == "POST" and followup.path.startswith("/webhooks/")
    assert followup.json["embeds"][0]["title"] == "Summary of news"
    # After a defer, the first follow-up becomes the original response.
    (message,) = fake.interaction_messages(interaction.token)
    assert message["embeds"][0]["title"] == "Summary of news"


async def test_ephemeral_reply(fake: FakeDiscord, bot: commands.Bot) -> None:
    interaction = await fake.slash("secret", user_id=MEMBER_ID)
    (callback,) = await fake.wait_responses(interaction.token)
    assert callback.json["type"] == 4
    assert callback.json["data"]["flags"] == EPHEMERAL
    assert fake.bot_messages(GENERAL_CHANNEL_ID) == []


async def test_autocomplete(fake: FakeDiscord, bot: commands.Bot) -> None:
    interaction = await fake.autocomplete("summarize", {"topic": "no"}, focused="topic")
    (callback,) = await fake.wait_responses(interaction.token)
    assert callback.json == {"type": 8, "data": {"choices": [{"name": "notes", "value": "notes"}]}}


async def test_message_context_menu(fake: FakeDiscord, bot: commands.Bot) -> None:
    await bot.tree.sync()
    target = fake.seed_message(GENERAL_CHANNEL_ID, "the sky is green", author_id=MEMBER_ID)
    interaction = await fake.message_command("Quote", int(target["id"]))
    (callback,) = await fake.wait_responses(interaction.token)
    assert callback.json["data"]["content"] == f"{MEMBER_ID} said: the sky is green"


async def test_button_click_reaches_view(fake: FakeDiscord, bot: commands.Bot) -> None:
    sent = await fake.slash("button")
    await fake.wait_responses(sent.token)
    (message,) = fake.interaction_messages(sent.token)
    clicked = await fake.click(int(message["id"]), "ping-button", user_id=MEMBER_ID)
    (update,) = await fake.wait_responses(clicked.token)
    assert update.json["type"] == 7
    assert update.json["data"]["content"] == "clicked"
    assert bot.view.clicked_by == [MEMBER_ID]  # type: ignore[attr-defined]
    assert fake.message(int(message["id"]))["content"] == "clicked"


async def test_prefix_command_by_mention(fake: FakeDiscord, bot: commands.Bot) -> None:
    await fake.send_message(f"{BOT_MENTION} ping", author_id=ADMIN_ID)
    post = await fake.wait_for(lambda r: r.method == "POST" and r.path.startswith("/channels/"))
    assert post.path == f"/channels/{GENERAL_CHANNEL_ID}/messages"
    assert post.json["content"] == "pong"
    assert fake.bot_messages(GENERAL_CHANNEL_ID)[0]["content"] == "pong"


async def test_multipart_upload_is_parsed(fake: FakeDiscord, bot: commands.Bot) -> None:
    channel = bot.get_channel(GENERAL_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("report", file=discord.File(io.BytesIO(b"data"), "report.txt"))
    post = await fake.wait_for(lambda r: r.method == "POST")
    assert post.json["content"] == "report"
    assert post.files == [("report.txt", b"data")]
    assert sent.attachments[0].filename == "report.txt"


async def test_prefix_without_mention_is_blanked(fake: FakeDiscord, bot: commands.Bot) -> None:
    # Without the message content intent, Discord sends "" for messages not mentioning the bot.
    dispatched = await fake.send_message("!ping")
    assert dispatched["content"] == ""


async def test_dm_needs_the_dm_intent(fake: FakeDiscord, bot: commands.Bot) -> None:
    await fake.send_message(f"{BOT_MENTION} ping", dm=True)
    await asyncio.sleep(0.05)
    assert not [r for r in fake.requests if r.method == "POST"]


async def test_prefix_command_in_dm(fake: FakeDiscord) -> None:
    async with running_bot(make_bot(dm_messages=True)):
        sent = await fake.send_message("!ping", author_id=MEMBER_ID, dm=True)
        post = await fake.wait_for(lambda r: r.method == "POST")
        assert post.path == f"/channels/{sent['channel_id']}/messages"
        assert post.json["content"] == "pong"


async def test_history_newest_first_with_before_after(fake: FakeDiscord, bot: commands.Bot) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    seeded = [
        fake.seed_message(
            NEWS_CHANNEL_ID,
            f"{BOT_MENTION} n{i}",
            author_id=MEMBER_ID,
            at=start + timedelta(minutes=i),
        )
        for i in range(5)
    ]
    channel = bot.get_channel(NEWS_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    newest = [m.content async for m in channel.history(limit=3)]
    assert newest == [f"{BOT_MENTION} n{i}" for i in (4, 3, 2)]
    after = discord.Object(int(seeded[1]["id"]))
    assert [m.id async for m in channel.history(after=after)] == [int(m["id"]) for m in seeded[2:]]
    before = discord.Object(int(seeded[1]["id"]))
    assert [m.id async for m in channel.history(before=before)] == [int(seeded[0]["id"])]


async def test_history_pages_of_100_after_an_id(fake: FakeDiscord, bot: commands.Bot) -> None:
    seeded = [
        int(fake.seed_message(NEWS_CHANNEL_ID, f"m{i}", author_id=MEMBER_ID)["id"])
        for i in range(250)
    ]
    channel = bot.get_channel(NEWS_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    after = discord.Object(seeded[9])
    assert [m.id async for m in channel.history(limit=None, after=after)] == seeded[10:]
    pages = [r for r in fake.requests if r.method == "GET" and r.path.endswith("/messages")]
    assert [(r.query["limit"], r.query["after"]) for r in pages] == [
        ("100", str(seeded[9])),
        ("100", str(seeded[109])),
        ("100", str(seeded[209])),
    ]


async def test_a_503_is_not_retried(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.fail_next(1, status=503, method="GET", path=f"/channels/{NEWS_CHANNEL_ID}/messages")
    channel = bot.get_channel(NEWS_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.DiscordServerError):
        [m async for m in channel.history()]
    assert [m async for m in channel.history()] == []
    reads = [r for r in fake.requests if r.path == f"/channels/{NEWS_CHANNEL_ID}/messages"]
    assert [r.status for r in reads] == [503, 200]


async def test_history_content_needs_the_intent(fake: FakeDiscord) -> None:
    fake.seed_message(GENERAL_CHANNEL_ID, "hello", author_id=MEMBER_ID)
    for message_content, expected in ((False, ""), (True, "hello")):
        async with running_bot(make_bot(message_content=message_content)) as client:
            channel = client.get_channel(GENERAL_CHANNEL_ID)
            assert isinstance(channel, discord.TextChannel)
            assert [m.content async for m in channel.history()] == [expected]


@pytest.mark.parametrize(
    ("error", "exception", "code"),
    [("forbidden", discord.Forbidden, 50013), ("unknown_channel", discord.NotFound, 10003)],
)
async def test_failing_channel(
    fake: FakeDiscord,
    bot: commands.Bot,
    error: ChannelError,
    exception: type[discord.HTTPException],
    code: int,
) -> None:
    fake.fail_channel(NEWS_CHANNEL_ID, error)
    channel = bot.get_channel(NEWS_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(exception) as raised:
        await channel.send("hi")
    assert raised.value.code == code


async def test_server_error_is_retried(fake: FakeDiscord, bot: commands.Bot) -> None:
    fake.fail_next(1, status=500)
    channel = bot.get_channel(GENERAL_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("eventually")  # discord.py sleeps 1 s and retries
    assert [r.status for r in fake.requests if r.method == "POST"] == [500, 200]


async def test_dropped_and_hung_requests(fake: FakeDiscord, bot: commands.Bot) -> None:
    channel = bot.get_channel(GENERAL_CHANNEL_ID)
    assert isinstance(channel, discord.TextChannel)
    fake.drop_next()
    with pytest.raises(aiohttp.ClientError):
        await channel.send("dropped")
    fake.hang_next()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await channel.send("hung")
    assert fake.bot_messages(GENERAL_CHANNEL_ID) == []


async def test_gateway_resume(fake: FakeDiscord, bot: commands.Bot) -> None:
    await fake.disconnect_gateway()
    interaction = await fake.slash("secret")
    await fake.wait_responses(interaction.token)
    assert [p["op"] for p in fake.gateway_payloads].count(6) == 1


async def test_default_member_permissions_are_enforced(fake: FakeDiscord) -> None:
    bot = make_bot()

    @bot.tree.command(description="Admins only")
    @app_commands.default_permissions(manage_guild=True)
    async def admin(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok")

    async with running_bot(bot):
        bot.tree.copy_global_to(guild=discord.Object(GUILD_ID))
        await bot.tree.sync(guild=discord.Object(GUILD_ID))
        with pytest.raises(PermissionError):
            await fake.slash("admin", user_id=MEMBER_ID)
        allowed = await fake.slash("admin", user_id=ADMIN_ID)
        assert allowed.payload["data"]["guild_id"] == str(GUILD_ID)
        (callback,) = await fake.wait_responses(allowed.token)
        assert callback.json["data"]["content"] == "ok"
