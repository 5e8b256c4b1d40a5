"""Feeds, subscriptions and cards end to end: fake Discord, a local feed server, the real loops."""

from __future__ import annotations

import time
from html import escape
from typing import Any, cast

import discord
import pytest

from bot.client import Precis
from bot.services.dispatcher import RETRY_REST_SECONDS
from cogs.articles import Articles
from tests.conftest import LaunchBot, eventually
from tests.discord_limits import assert_within_limits
from tests.fake_discord import (
    BOT_ID,
    EPHEMERAL,
    GENERAL_CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    NEWS_CHANNEL_ID,
    FakeDiscord,
    Limits,
    RecordedRequest,
)
from tests.fixtures.feeds import Item, publish, story
from tests.fixtures.loop_lag import loop_lag
from tests.fixtures.pages import ARTICLE_PARAGRAPHS, PageServer, article_html

LAG_LIMIT = 0.25  # seconds the event loop may be kept busy: well under Discord's heartbeat


def articles_cog(bot: Precis) -> Articles:
    # Not isinstance: load_extension executes the module anew, so its class is another object.
    cog = bot.get_cog("Articles")
    assert cog is not None
    return cast(Articles, cog)


async def subscribe(
    fake: FakeDiscord, topic: str, channel_id: int = NEWS_CHANNEL_ID, **kwargs: Any
) -> dict[str, Any]:
    option, resolved = fake.channel_option(channel_id)
    return await fake.run(
        "subscribe", {"topic": topic, "channel": option}, resolved=resolved, **kwargs
    )


async def follow_city_news(fake: FakeDiscord, pages: PageServer, topic: str = "*") -> str:
    """Serve an empty City News feed, follow it, and send its entries about `topic` to the
    news channel; the feed's URL."""
    feed = publish(pages, "/feed.xml", "City News", [])
    await fake.run("feed", {"url": feed}, subcommand="add")
    await subscribe(fake, topic)
    return feed


async def poll_stories(bot: Precis, pages: PageServer, *items: Item) -> Articles:
    """Publish these stories in the City News feed, then poll; the cog that polled."""
    publish(pages, "/feed.xml", "City News", list(items))
    cog = articles_cog(bot)
    await cog.poll_feeds()
    return cog


def messages_posted_in(fake: FakeDiscord, channel_id: int) -> list[RecordedRequest]:
    return [
        r
        for r in fake.requests
        if r.method == "POST" and r.path == f"/channels/{channel_id}/messages"
    ]


async def poll_for_a_lost_channel(
    fake: FakeDiscord, bot: Precis, pages: PageServer
) -> dict[str, Any]:
    """Poll three stories for the news channel, which the bot can no longer post in, then send
    what is owed (the admins are told); /subscriptions' reply then. The sender loop is stopped
    first: a pass during the poll would pause the channel before all three cards are owed."""
    articles_cog(bot).send_cards.cancel()
    cog = await poll_stories(bot, pages, *(story(f"f{i}", f"Story {i}", "news") for i in range(3)))
    await bot.dispatcher.deliver(cog)
    await fake.wait_for(lambda r: r in messages_posted_in(fake, GENERAL_CHANNEL_ID))
    return await fake.run("subscriptions", {})


async def test_feed_to_cards_in_the_subscribed_channel(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    feed = publish(pages, "/feed.xml", "City News", [story("old", "Old bridge news", "bridge")])
    async with launch() as bot:
        added = await fake.run("feed", {"url": feed}, subcommand="add")
        assert added["embeds"][0]["title"] == "Following City News"
        assert "Old bridge news" in added["embeds"][0]["description"]
        reply = await subscribe(fake, "bridge")  # privately: see test_subscriptions_e2e
        assert reply["content"] == f"<#{NEWS_CHANNEL_ID}> now gets cards for `bridge`."
        await bot.desk.read_url(pages.url("/a/old"))  # one stored article, about a bridge
        unlikely = await subscribe(fake, "zebra crossing", channel_id=GENERAL_CHANNEL_ID)
        assert "matches none of the last 1 articles" in unlikely["content"]
        await fake.run("unsubscribe", {"topic": "zebra crossing"}, channel_id=GENERAL_CHANNEL_ID)

        news = [
            story("new", "Bridge closes @everyone", "bridge"),
            story("old", "Old bridge news", "bridge"),
        ]
        cog = await poll_stories(bot, pages, *news)
        card = await fake.wait_for(lambda r: r in fake.cards_in(NEWS_CHANNEL_ID))

        async def marked_sent() -> bool:
            return len(await bot.storage.deliveries.in_state("sent")) == 1

        await eventually(marked_sent)
        await cog.poll_feeds()  # nothing new: no second card
        about = await fake.run("about", {})
    (embed,) = card.json["embeds"]
    assert embed["title"] == "Bridge closes @everyone"
    assert embed["url"] == pages.url("/a/new")
    assert {"name": "Topic", "value": "bridge", "inline": False} in embed["fields"]
    assert card.json["allowed_mentions"] == {"parse": []}
    assert len(fake.cards_in(NEWS_CHANNEL_ID)) == 1
    counts = {f["name"]: f["value"] for f in about["embeds"][0]["fields"]}
    assert (counts["Feeds"], counts["Subscriptions"], counts["Cards posted today"]) == (
        "1",
        "1",
        "1",
    )


async def test_permission_checks(fake: FakeDiscord, launch: LaunchBot, pages: PageServer) -> None:
    feed = publish(pages, "/feed.xml", "City News", [])
    async with launch() as bot:
        refused = await subscribe(fake, "bridge", user_id=MEMBER_ID, enforce_permissions=False)
        feed_refused = await fake.run(
            "feed",
            {"url": feed},
            subcommand="add",
            user_id=MEMBER_ID,
            enforce_permissions=False,
        )
        bad_topic = await subscribe(fake, 'bridge "unclosed')
        assert await bot.storage.subscriptions.in_guild(GUILD_ID) == []
        assert await bot.storage.feeds.for_guild(GUILD_ID) == []
    assert refused["flags"] == EPHEMERAL
    assert refused["content"] == "You need the Manage Channels permission to do that."
    assert feed_refused["content"] == "You need the Manage Server permission to do that."
    assert bad_topic["flags"] == EPHEMERAL and "never closed" in bad_topic["content"]


async def test_post_now_then_the_poll_does_not_repeat_it(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    async with launch() as bot:
        await follow_city_news(fake, pages)
        publish(pages, "/feed.xml", "City News", [story("hand", "Posted by hand", "manual")])
        option, resolved = fake.channel_option(NEWS_CHANNEL_ID)
        done = await fake.run(
            "post", {"url": pages.url("/a/hand"), "channel": option}, resolved=resolved
        )
        again = await fake.run(
            "post", {"url": pages.url("/a/hand"), "channel": option}, resolved=resolved
        )
        cog = articles_cog(bot)
        await cog.poll_feeds()
        await bot.dispatcher.deliver(cog)
    assert done["content"] == f"Posted in <#{NEWS_CHANNEL_ID}>."
    assert again["flags"] == EPHEMERAL
    assert again["content"] == f"That article's card is already in <#{NEWS_CHANNEL_ID}>."
    assert len(fake.cards_in(NEWS_CHANNEL_ID)) == 1


async def test_a_forbidden_channel_is_paused_and_admins_told_once(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    async with launch() as bot:
        await bot.guild_config.set(GUILD_ID, "admin_channel", f"<#{GENERAL_CHANNEL_ID}>")
        await follow_city_news(fake, pages)
        fake.fail_channel(NEWS_CHANNEL_ID, "forbidden")
        listing = await poll_for_a_lost_channel(fake, bot, pages)
    (notice,) = messages_posted_in(fake, GENERAL_CHANNEL_ID)
    assert f"I can't post in <#{NEWS_CHANNEL_ID}> any more" in notice.json["content"]
    assert "⏸️ paused" in listing["embeds"][0]["description"]


async def test_a_channel_the_gateway_shows_without_embed_links_gets_no_post_at_all(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    """Discord would refuse the cards (403): the bot knows it from the channel's overwrites
    and asks nothing, since each refusal counts towards a ban."""
    async with launch() as bot:
        await bot.guild_config.set(GUILD_ID, "admin_channel", f"<#{GENERAL_CHANNEL_ID}>")
        await follow_city_news(fake, pages)
        no_embeds = discord.Permissions(embed_links=True).value
        news = {
            **fake.world.channels[NEWS_CHANNEL_ID].payload(),
            "permission_overwrites": [
                {"id": str(BOT_ID), "type": 1, "allow": "0", "deny": str(no_embeds)}
            ],
        }
        await fake.dispatch("CHANNEL_UPDATE", news)
        channel = bot.get_channel(NEWS_CHANNEL_ID)
        assert isinstance(channel, discord.TextChannel)

        async def denied() -> bool:
            return not channel.permissions_for(channel.guild.me).embed_links

        await eventually(denied)
        listing = await poll_for_a_lost_channel(fake, bot, pages)
        failed = await bot.storage.deliveries.in_state("failed")
    assert [r.path for r in fake.requests if f"/channels/{NEWS_CHANNEL_ID}" in r.path] == []
    (notice,) = messages_posted_in(fake, GENERAL_CHANNEL_ID)
    assert f"I can't post in <#{NEWS_CHANNEL_ID}> any more" in notice.json["content"]
    assert "any more (missing Embed Links), so I paused" in notice.json["content"]
    assert "⏸️ paused" in listing["embeds"][0]["description"]
    assert len(failed) == 3


async def test_a_card_discord_refuses_with_a_400_is_failed_not_retried(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    async with launch() as bot:
        await follow_city_news(fake, pages)
        fake.fail_next(status=400, path=f"/channels/{NEWS_CHANNEL_ID}/messages")
        articles_cog(bot).send_cards.cancel()  # this test drives the sender
        cog = await poll_stories(bot, pages, story("b", "Story B", "b"), story("a", "A", "a"))
        first = await bot.dispatcher.deliver(cog)
        again = await bot.dispatcher.deliver(cog)
        (failed,) = await bot.storage.deliveries.in_state("failed")
        # Written without a parameter: SQLite's and PostgreSQL's placeholders differ.
        error = await bot.storage.db.fetch_value(
            f"SELECT last_error FROM deliveries WHERE id = {int(failed.id)}"
        )
    assert (first.sent, first.failed, again.sent, again.failed) == (1, 1, 0, 0)
    assert [r.status for r in messages_posted_in(fake, NEWS_CHANNEL_ID)] == [400, 200]
    assert failed.attempts == 1 and error.startswith("400 Bad Request")


async def test_feed_list_test_resume_remove_and_unsubscribe(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    async with launch():
        feed = await follow_city_news(fake, pages, "bridge")
        publish(
            pages,
            "/feed.xml",
            "City News",
            [story("t", "Bridge test", "bridge"), story("u", "Other", "weather")],
        )
        dry = await fake.run("feed", {"url": feed}, subcommand="test")
        listed = await fake.run("feed", {}, subcommand="list")
        typed = await fake.autocomplete("feed", {"url": "city"}, "url", subcommand="remove")
        choices = (await fake.callback(typed.token))["data"]["choices"]
        topics = await fake.autocomplete(
            "unsubscribe", {"topic": "br"}, "topic", channel_id=NEWS_CHANNEL_ID
        )
        topic_choices = (await fake.callback(topics.token))["data"]["choices"]
        resumed = await fake.run("feed", {"url": feed}, subcommand="resume")
        removed = await fake.run("feed", {"url": feed}, subcommand="remove")
        gone = await fake.run("feed", {"url": feed}, subcommand="remove")
        dropped = await fake.run("unsubscribe", {"topic": "bridge"}, channel_id=NEWS_CHANNEL_ID)
    lines = dry["embeds"][0]["description"].splitlines()
    assert lines == [f"• Bridge test → <#{NEWS_CHANNEL_ID}> (`bridge`)", "• Other → no channel"]
    assert "City News" in listed["embeds"][0]["description"]
    assert choices == [{"name": f"City News — {feed}", "value": feed}]
    assert topic_choices == [{"name": "bridge", "value": "bridge"}]
    assert resumed["content"] == "**City News** will be polled again now."
    assert removed["content"] == f"Stopped following <{feed}>."
    assert gone["flags"] == EPHEMERAL
    assert gone["content"] == (
        "This server doesn't follow that feed; `/feed list` shows the ones it does."
    )
    assert dropped["content"] == f"<#{NEWS_CHANNEL_ID}> no longer gets cards for `bridge`."


async def test_feed_add_refusals_name_the_command_that_helps(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    feed = publish(pages, "/feed.xml", "City News", [])
    other = publish(pages, "/other.xml", "Other News", [])
    async with launch() as bot:
        await bot.guild_config.set(GUILD_ID, "max_feeds", "1")
        await fake.run("feed", {"url": feed}, subcommand="add")
        full = await fake.run("feed", {"url": other}, subcommand="add")
        await bot.guild_config.set(GUILD_ID, "max_feeds", "5")
        again = await fake.run("feed", {"url": feed}, subcommand="add")
        resumed = await fake.run("feed", {"url": other}, subcommand="resume")
    assert (full["flags"], again["flags"], resumed["flags"]) == (EPHEMERAL,) * 3
    assert full["content"] == (
        "This server follows 1 feeds already, its limit (`/config set max_feeds`). "
        "Remove one first."
    )
    assert again["content"] == "This server already follows that feed; `/feed list` shows it."
    assert resumed["content"] == (
        "This server doesn't follow that feed; `/feed list` shows the ones it does."
    )


async def test_a_feed_of_100k_entries_and_a_big_page_leave_the_event_loop_free(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    items = "".join(f"<item><link>/a/{i}</link></item>" for i in range(100_000))
    feed = pages.add(
        "/huge.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>{items}'
        "</channel></rss>",
        "application/rss+xml",
    )
    links = '<p><a href="/elsewhere">A link</a></p>' * 100_000
    page = pages.add(
        "/big-page",
        f'<html><head><link rel="alternate" type="application/rss+xml" href="{feed}">'
        f"</head><body>{links}</body></html>",
    )
    async with launch(), loop_lag() as lag:
        added = await fake.run("feed", {"url": feed}, subcommand="add")
        dry = await fake.run("feed", {"url": page}, subcommand="test")  # the page names it
    assert added["embeds"][0]["title"] == "Following Huge"
    assert dry["embeds"][0]["description"] == "Nothing would be posted now."
    assert lag.worst < LAG_LIMIT


async def test_feed_replies_escape_page_text_and_stay_within_discord_limits(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    trap = "[claim your refund](https://evil.example/login)"
    base = pages.url("/a/")
    links = [base + f"{i}-" + "x" * (298 - len(base)) for i in range(6)]
    items = "".join(
        f"<item><title>{escape(f'**Story {i}** {trap} ' * 20)}</title><link>{link}</link></item>"
        for i, link in enumerate(links)
    )
    feed = pages.add(
        "/loud.xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{escape(f"_Loud_ {trap}")}'
        f"</title>{items}</channel></rss>",
        "application/rss+xml",
    )
    async with launch():
        added = await fake.run("feed", {"url": feed}, subcommand="add")
        await subscribe(fake, "*")
        dry = await fake.run("feed", {"url": feed}, subcommand="test")
        listed = await fake.run("feed", {}, subcommand="list")
        resumed = await fake.run("feed", {"url": feed}, subcommand="resume")
    assert len(links[0]) == 300
    for reply in (added, dry, listed):
        (embed,) = reply["embeds"]
        assert_within_limits(embed)
        assert "[claim your refund](" not in embed["description"].replace("\\[claim", "")
    (embed,) = added["embeds"]
    assert (
        embed["title"] == "Following \\_Loud\\_ \\[claim your refund](https://evil.example/login)"
    )
    first = "\\*\\*Story 0\\*\\* (claim your refund)(https://evil.example/login)"
    assert embed["description"].startswith(f"Newest entries:\n• [{first}")
    assert f"]({links[0]})\n" in embed["description"]
    assert resumed["content"].startswith("**\\_Loud\\_ \\[claim your refund]")


async def test_a_feed_with_a_long_address_is_picked_to_resume_and_remove(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    feed = publish(pages, "/feeds/" + "long-section-name/" * 8 + "feed.xml", "Long Road News", [])
    assert len(feed) > 100
    async with launch():
        await fake.run("feed", {"url": feed}, subcommand="add")
        typed = await fake.autocomplete("feed", {"url": "long road"}, "url", subcommand="remove")
        (choice,) = (await fake.callback(typed.token))["data"]["choices"]
        assert len(choice["value"]) <= 100 and len(choice["name"]) <= 100
        resumed = await fake.run("feed", {"url": choice["value"]}, subcommand="resume")
        removed = await fake.run("feed", {"url": choice["value"]}, subcommand="remove")
        listed = await fake.run("feed", {}, subcommand="list")
    assert "Long Road News" in resumed["content"]
    assert removed["content"].startswith("Stopped following")
    assert "Long Road News" not in str(listed)


async def test_a_topic_with_a_backtick_stays_one_code_span_in_feed_test(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    feed = publish(pages, "/feed.xml", "City `News`", [])
    async with launch():
        await fake.run("feed", {"url": feed}, subcommand="add")
        await subscribe(fake, 'feed:"City `News`"')
        publish(pages, "/feed.xml", "City `News`", [story("t", "Bridge test", "bridge")])
        dry = await fake.run("feed", {"url": feed}, subcommand="test")
    (line,) = dry["embeds"][0]["description"].splitlines()
    assert line.endswith('(`` feed:"city `news`" ``)')


async def test_post_when_discord_fails_for_a_moment_says_the_card_will_follow(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pages.add("/a/hand", article_html("Posted by hand", ARTICLE_PARAGRAPHS))
    async with launch() as bot:
        option, resolved = fake.channel_option(NEWS_CHANNEL_ID)
        fake.fail_next(status=503, path=f"/channels/{NEWS_CHANNEL_ID}/messages")
        answer = await fake.run("post", {"url": url, "channel": option}, resolved=resolved)
        resting = await bot.dispatcher.deliver(articles_cog(bot))  # the channel rests first
        clock = bot.dispatcher.clock
        monkeypatch.setattr(clock, "time", lambda: time.time() + RETRY_REST_SECONDS)
        rested = await bot.dispatcher.deliver(articles_cog(bot))
    assert (resting.waiting, resting.sent, rested.sent) == (1, 0, 1)
    assert answer["flags"] == EPHEMERAL
    assert answer["content"] == (
        f"Discord didn't take the card just now; it will go out in <#{NEWS_CHANNEL_ID}> shortly."
    )
    assert [r.status for r in fake.cards_in(NEWS_CHANNEL_ID)] == [503, 200]
    assert len(fake.bot_messages(NEWS_CHANNEL_ID)) == 1


async def test_a_gateway_drop_during_delivery_loses_and_repeats_nothing(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    stories = [story(f"s{i}", f"Bridge story {i}", "bridge") for i in range(5)]  # 5 in 5 s
    async with launch() as bot:
        await follow_city_news(fake, pages, "bridge")
        fake.enforce(Limits(latency=0.05))  # each card takes a moment: the drop is mid-delivery
        cog = await poll_stories(bot, pages, *stories)
        await fake.wait_for(lambda r: r in fake.cards_in(NEWS_CHANNEL_ID))
        await fake.disconnect_gateway(abrupt=True)
        assert len(fake.cards_in(NEWS_CHANNEL_ID)) < len(stories)

        async def all_sent() -> bool:
            return len(await bot.storage.deliveries.in_state("sent")) == len(stories)

        await eventually(all_sent)
        assert cog.send_cards.is_running() and cog.poll_feeds.is_running()
        about = await fake.run("about", {})  # the bot answers after it resumed
    posted = [card.json["embeds"][0]["url"] for card in fake.cards_in(NEWS_CHANNEL_ID)]
    assert sorted(posted) == sorted(pages.url(f"/a/s{i}") for i in range(5))
    assert about["embeds"][0]["title"] == "precis"
    assert [p["op"] for p in fake.gateway_payloads].count(6) == 1  # one RESUME
