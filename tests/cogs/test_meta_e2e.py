"""Owner commands, cog loading and the error path, end to end through the fake Discord."""

from __future__ import annotations

import logging
import re

import pytest

from bot import client
from bot.model import DeliveryTarget
from tests.conftest import LaunchBot, eventually
from tests.fake_discord import (
    GENERAL_CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    OWNER_ID,
    FakeDiscord,
    RecordedRequest,
)


def channel_post(text: str):  # type: ignore[no-untyped-def]
    def match(request: RecordedRequest) -> bool:
        return (
            request.method == "POST"
            and request.path == f"/channels/{GENERAL_CHANNEL_ID}/messages"
            and text in str(request.json.get("content"))
        )

    return match


async def test_owner_syncs_to_this_guild(fake: FakeDiscord, launch: LaunchBot) -> None:
    async with launch(sync_on_start=""):
        await fake.send_message("!sync guild", author_id=OWNER_ID)
        await fake.wait_for(channel_post("Synced"))
    assert any(
        r.method == "PUT" and r.path.endswith(f"/guilds/{GUILD_ID}/commands") for r in fake.requests
    )


async def test_sync_is_refused_to_others(fake: FakeDiscord, launch: LaunchBot) -> None:
    async with launch(sync_on_start=""):
        await fake.send_message("!sync", author_id=MEMBER_ID)
        await fake.wait_for(channel_post("Only the bot's owner can do that."))
    assert not [r for r in fake.requests if r.method == "PUT"]


async def test_reload_a_cog_and_an_unknown_one(fake: FakeDiscord, launch: LaunchBot) -> None:
    async with launch() as bot:
        await fake.send_message("!reload config", author_id=OWNER_ID)
        await fake.wait_for(channel_post("Reloaded `cogs.config`."))
        await fake.send_message("!reload nope", author_id=OWNER_ID)
        await fake.wait_for(channel_post("There is no cog `nope`."))
        assert "cogs.config" in bot.extensions


async def test_a_cog_that_fails_is_logged_by_name_and_the_rest_load(
    fake: FakeDiscord,
    launch: LaunchBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    found = client.discover_cogs()
    monkeypatch.setattr(client, "discover_cogs", lambda: ["cogs.does_not_exist", *found])
    with caplog.at_level(logging.ERROR, logger="bot.client"):
        async with launch() as bot:
            assert bot.failed_cogs == ["cogs.does_not_exist"]
            assert set(found) <= set(bot.extensions)
    assert "cog cogs.does_not_exist failed to load" in caplog.text


async def test_unexpected_error_is_logged_and_answered_ephemerally(
    fake: FakeDiscord,
    launch: LaunchBot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with launch() as bot:

        async def broken_counts() -> dict[str, int]:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(bot.storage, "counts", broken_counts)
        with caplog.at_level(logging.ERROR):
            reply = await fake.run("about")
    assert reply["flags"] == 64
    assert reply["content"] == client.UNEXPECTED_ERROR
    assert "disk on fire" in caplog.text
    assert f"guild {GUILD_ID}" in caplog.text


async def test_about_shows_the_last_disconnect_and_the_cards_waiting(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    async with launch() as bot:

        async def disconnected() -> bool:
            return bot.last_disconnect is not None

        first = await fake.run("about")
        await fake.disconnect_gateway()
        await eventually(disconnected)
        # A card owed: nothing wakes the sender (it waits 30 s between idle passes).
        owed = await bot.desk.read_text("A story to post. It has two sentences.")
        target = DeliveryTarget(GUILD_ID, GENERAL_CHANNEL_ID, "*")
        await bot.storage.deliveries.create(target, owed.id)
        after = await fake.run("about")
    before_fields = {f["name"]: f["value"] for f in first["embeds"][0]["fields"]}
    fields = {f["name"]: f["value"] for f in after["embeds"][0]["fields"]}
    assert before_fields["Last disconnect"] == "never"
    assert re.fullmatch(r"<t:\d+:R>", fields["Last disconnect"])
    assert (before_fields["Cards waiting"], fields["Cards waiting"]) == ("0", "1")
