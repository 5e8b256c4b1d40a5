"""/config and /about end to end: the real client, a real database file, the fake Discord."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.services.guild_config import GuildSettings
from tests.conftest import LaunchBot
from tests.fake_discord import (
    APPLICATION_ID,
    EPHEMERAL,
    GENERAL_CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    FakeDiscord,
)


def embed_of(message: dict[str, Any]) -> dict[str, Any]:
    (embed,) = message["embeds"]
    return embed


def fields_of(message: dict[str, Any]) -> dict[str, str]:
    """An embed's fields, value by name."""
    return {field["name"]: field["value"] for field in embed_of(message)["fields"]}


async def config_show(fake: FakeDiscord) -> dict[str, str]:
    """What `/config show` lists: each setting's line by its name."""
    return fields_of(await fake.run("config", subcommand="show"))


async def test_syncs_commands_to_the_configured_guild(fake: FakeDiscord, launch: LaunchBot) -> None:
    async with launch():
        put = await fake.wait_for(
            lambda r: r.method == "PUT" and r.path.endswith(f"/guilds/{GUILD_ID}/commands")
        )
    names = {command["name"] for command in put.json}
    assert {"about", "config"} <= names
    config = next(command for command in put.json if command["name"] == "config")
    assert int(config["default_member_permissions"]) == 1 << 5  # Manage Server
    assert {option["name"] for option in config["options"]} == {"show", "set", "reset"}


async def test_does_not_sync_when_not_asked(fake: FakeDiscord, launch: LaunchBot) -> None:
    async with launch(sync_on_start=""):
        pass
    assert not [r for r in fake.requests if r.method == "PUT"]


async def test_about_shows_version_and_counts(fake: FakeDiscord, launch: LaunchBot) -> None:
    async with launch():
        reply = await fake.run("about")
    embed = embed_of(reply)
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Version"] == "0.1.0"
    assert fields["Servers"] == "1"
    assert "Uptime" in fields
    assert reply["allowed_mentions"] == {"parse": []}


async def test_config_set_then_show_survives_a_restart(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    async with launch():
        reply = await fake.run(
            "config", {"key": "summary_sentences", "value": "5"}, subcommand="set"
        )
        assert reply["flags"] == EPHEMERAL
        assert "summary_sentences" in reply["content"]
        assert "`5`" in reply["content"]

    async with launch():
        fields = await config_show(fake)
    assert fields["summary_sentences (changed)"].startswith("`5`")
    assert fields["summary_method"].startswith("`precis`")


async def test_show_lists_every_setting_with_its_default(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    async with launch():
        fields = await config_show(fake)
    assert list(fields) == [field.name for field in dataclasses.fields(GuildSettings)]
    assert fields["max_posts_per_hour"].startswith("`20`")
    assert fields["admin_channel"].startswith("`not set`")


async def test_member_without_manage_server_is_refused(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    async with launch() as bot:
        reply = await fake.run(
            "config",
            {"key": "summary_sentences", "value": "2"},
            subcommand="set",
            user_id=MEMBER_ID,
            enforce_permissions=False,  # an admin may have widened Discord's UI hint
        )
        assert await bot.guild_config.get(GUILD_ID, "summary_sentences") == 3
    assert reply["flags"] == EPHEMERAL
    assert reply["content"] == "You need the Manage Server permission to do that."


async def test_bad_value_lists_the_valid_ones(fake: FakeDiscord, launch: LaunchBot) -> None:
    async with launch():
        reply = await fake.run(
            "config", {"key": "summary_method", "value": "magic"}, subcommand="set"
        )
    content = reply["content"]
    assert reply["flags"] == EPHEMERAL
    assert "`magic` is not a valid summary_method" in content
    for method in ("precis", "lead", "lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic"):
        assert method in content


async def test_prefix_and_mention_commands(fake: FakeDiscord, launch: LaunchBot) -> None:
    async with launch():
        await fake.send_message("!config set summary_sentences 4")
        await fake.wait_for(lambda r: r.method == "POST" and "4" in str(r.json))
        await fake.send_message(f"<@{APPLICATION_ID}> config show")
        shown = await fake.wait_for(
            lambda r: (
                r.method == "POST"
                and r.path == f"/channels/{GENERAL_CHANNEL_ID}/messages"
                and bool(r.json.get("embeds"))
            )
        )
    fields = fields_of(shown.json)
    assert fields["summary_sentences (changed)"].startswith("`4`")


async def test_reset_puts_the_default_back(fake: FakeDiscord, launch: LaunchBot) -> None:
    async with launch() as bot:
        await bot.guild_config.set(GUILD_ID, "summary_sentences", "7")
        reply = await fake.run("config", {"key": "summary_sentences"}, subcommand="reset")
        assert await bot.guild_config.get(GUILD_ID, "summary_sentences") == 3
    assert "reset to `3`" in reply["content"]


async def test_a_channel_setting_is_shown_as_a_mention_not_as_code(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    # Inside backticks Discord shows `<#id>` as it is typed, not as the channel's name.
    async with launch():
        reply = await fake.run(
            "config",
            {"key": "admin_channel", "value": f"<#{GENERAL_CHANNEL_ID}>"},
            subcommand="set",
        )
        assert reply["content"] == f"`admin_channel` set to <#{GENERAL_CHANNEL_ID}>."
        fields = await config_show(fake)
    assert fields["admin_channel (changed)"].startswith(f"<#{GENERAL_CHANNEL_ID}> — ")


async def test_an_unknown_setting_names_the_settings_there_are(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    async with launch():
        reply = await fake.run("config", {"key": "colour", "value": "blue"}, subcommand="set")
    assert reply["flags"] == EPHEMERAL
    assert reply["content"].startswith("There is no setting `colour`. Settings: summary_sentences")
