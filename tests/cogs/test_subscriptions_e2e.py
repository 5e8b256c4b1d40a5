"""`/subscribe`, `/unsubscribe` and `/subscriptions` end to end, for topics of any shape: typed
full-width, at the length limit, and stored before topics were checked."""

from __future__ import annotations

from typing import Any

from bot.pipeline.topics import MAX_TOPIC_LENGTH, parse_topic
from tests.cogs.test_feeds_e2e import subscribe
from tests.conftest import LaunchBot
from tests.fake_discord import ADMIN_ID, EPHEMERAL, GUILD_ID, NEWS_CHANNEL_ID, FakeDiscord

# Both at the limit, and alike for their first 189 characters.
SHARED = " ".join(f"harbour{i:02d}" for i in range(19))
LONG_A, LONG_B = f"{SHARED} ferryboat1", f"{SHARED} ferryboat2"
# Rows stored before topics were checked as stored: they do not parse.
UNCLOSED = 'feed:"nhk news'
EXPANDED = '"' + " ".join(["صلى الله عليه وسلم"] * 12) + '"'


async def choices(fake: FakeDiscord, typed: str) -> list[dict[str, str]]:
    interaction = await fake.autocomplete(
        "unsubscribe", {"topic": typed}, "topic", channel_id=NEWS_CHANNEL_ID
    )
    found: list[dict[str, str]] = (await fake.callback(interaction.token))["data"]["choices"]
    return found


async def unsubscribe(fake: FakeDiscord, topic: str) -> dict[str, Any]:
    return await fake.run("unsubscribe", {"topic": topic}, channel_id=NEWS_CHANNEL_ID)


async def test_subscribe_stores_what_parses_again_and_refuses_the_rest(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    async with launch() as bot:
        full_width = await subscribe(fake, "feed:＂NHK News＂")
        expanding = await subscribe(fake, "\ufdfa" * 12)  # 12 characters typed, 216 stored
        stored = await bot.storage.subscriptions.in_guild(GUILD_ID)
    assert full_width["content"] == f'<#{NEWS_CHANNEL_ID}> now gets cards for `feed:"nhk news"`.'
    assert [s.topic for s in stored] == ['feed:"nhk news"']
    assert expanding["flags"] == EPHEMERAL
    assert expanding["content"] == (
        "The topic is too long: 216 characters once written out the way I store it, at most 200"
    )


async def test_unsubscribe_takes_any_stored_topic_however_long(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    assert len(LONG_A) == len(LONG_B) == MAX_TOPIC_LENGTH
    async with launch() as bot:
        for topic in (LONG_A, LONG_B, "bridge"):
            await subscribe(fake, topic)
        for legacy in (UNCLOSED, EXPANDED):
            await bot.storage.subscriptions.add(GUILD_ID, NEWS_CHANNEL_ID, legacy, ADMIN_ID)
        offered = await choices(fake, "")
        ferry = await choices(fake, "FERRYBOAT1")
        (picked,) = ferry
        dropped = await unsubscribe(fake, picked["value"])
        typed = await unsubscribe(fake, LONG_B)  # the whole topic, typed or pasted
        differently = await unsubscribe(fake, "  BRIDGE ")  # stored as `bridge`
        for legacy in (UNCLOSED, EXPANDED):
            (choice,) = [c for c in offered if c["name"][:10] == legacy[:10]]
            await unsubscribe(fake, choice["value"])
        missing = await unsubscribe(fake, picked["value"])  # gone already
        left = await bot.storage.subscriptions.in_guild(GUILD_ID)
    assert len(offered) == 5
    assert all(len(c["name"]) <= 100 and len(c["value"]) <= 100 for c in offered)
    assert len({c["value"] for c in offered}) == 5
    # The name shows how a long topic ends too: alike at the start, they are told apart.
    assert picked["name"].startswith("harbour00 harbour01")
    assert picked["name"].endswith("harbour18 ferryboat1")
    assert dropped["flags"] == EPHEMERAL
    assert dropped["content"] == f"<#{NEWS_CHANNEL_ID}> no longer gets cards for `{LONG_A}`."
    assert typed["content"] == f"<#{NEWS_CHANNEL_ID}> no longer gets cards for `{LONG_B}`."
    assert differently["content"] == f"<#{NEWS_CHANNEL_ID}> no longer gets cards for `bridge`."
    assert missing["flags"] == EPHEMERAL
    assert missing["content"].startswith(f"<#{NEWS_CHANNEL_ID}> doesn't follow")
    assert left == []


def page_of(message: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    (embed,) = message["embeds"]
    description: str = embed["description"]
    size = sum(len(embed.get(key) or "") for key in ("title", "description"))
    assert len(description) <= 4096 and size + len(embed["footer"]["text"]) <= 6000
    buttons = {c["label"]: c for row in message.get("components", []) for c in row["components"]}
    return description, buttons


async def test_subscriptions_pages_show_every_topic_whole(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    topics = [parse_topic(f"{SHARED} ferry{i:03d}").text for i in range(40)]
    huge = "x" * 5000  # no command stores this, but a listing must survive it too
    async with launch() as bot:
        for topic in [*topics, UNCLOSED, huge]:
            await bot.storage.subscriptions.add(GUILD_ID, NEWS_CHANNEL_ID, topic, ADMIN_ID)
        interaction = await fake.slash("subscriptions", {})
        first = (await fake.callback(interaction.token))["data"]
        (sent,) = fake.interaction_messages(interaction.token)
        descriptions, buttons = [], {}
        page = first
        while True:
            description, buttons = page_of(page)
            descriptions.append(description)
            if not buttons or buttons["Next"].get("disabled"):
                break
            turn = await fake.click(int(sent["id"]), buttons["Next"]["custom_id"])
            page = (await fake.callback(turn.token))["data"]
    assert first["flags"] == EPHEMERAL
    assert first["embeds"][0]["title"] == "Subscriptions (42)"
    count = len(descriptions)
    assert count >= 3 and first["embeds"][0]["footer"]["text"] == f"Page 1 of {count}"
    assert page["embeds"][0]["footer"]["text"] == f"Page {count} of {count}"
    listing = "\n".join(descriptions)
    for topic in [*topics, UNCLOSED]:
        assert f"<#{NEWS_CHANNEL_ID}> `{topic}`" in listing
    assert huge in "".join(descriptions)  # cut across pages, but all of it there
    (unreadable,) = [line for line in listing.splitlines() if UNCLOSED in line]
    assert "⚠️" in unreadable and "/unsubscribe" in unreadable


async def test_a_topic_followed_already_is_refused_naming_the_channel(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    async with launch():
        await subscribe(fake, "bridge")
        again = await subscribe(fake, "BRIDGE")
    assert again["flags"] == EPHEMERAL
    assert again["content"] == f"<#{NEWS_CHANNEL_ID}> already follows `bridge`."


async def test_subscribe_defers_before_trying_the_topic_on_recent_articles(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    # The preview stems up to 100 stored articles: that may take longer than the 3 s Discord
    # gives a first answer, so the command defers (privately) before it.
    async with launch():
        interaction = await fake.slash("subscribe", {"topic": "bridge"}, channel_id=NEWS_CHANNEL_ID)
        callback = await fake.callback(interaction.token)
        reply = (await fake.final_answer(interaction.token)).json
    assert callback == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert reply["content"] == f"<#{NEWS_CHANNEL_ID}> now gets cards for `bridge`."
