"""Cards exactly once, end to end: /post racing the sender, and reconciling after a crash."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.client import Precis, user_message
from bot.model import Article, Delivery, DeliveryTarget, PostOutcome
from bot.services.clock import Clock
from bot.services.dispatcher import AlreadyPosted, NotPosted, PostRefused
from bot.services.poster import AdminNotice, ChannelLost, FeedPaused
from bot.storage import open_storage
from cogs.articles import Articles, admin_message
from tests.cogs.test_feeds_e2e import articles_cog
from tests.conftest import LaunchBot, eventually
from tests.fake_discord import GUILD_ID, MEMBER_ID, NEWS_CHANNEL_ID, FakeDiscord, RecordedRequest
from tests.fixtures.feeds import publish, story
from tests.fixtures.pages import PageServer

TRAP = "**bold** [claim your refund](https://evil.example/login)"


def chatter(fake: FakeDiscord, channel_id: int, count: int, at: datetime | None = None) -> None:
    for i in range(count):
        fake.seed_message(channel_id, f"chatter {i}", author_id=MEMBER_ID, at=at)


def history_reads(fake: FakeDiscord, channel_id: int) -> list[RecordedRequest]:
    return [
        r
        for r in fake.requests
        if r.method == "GET" and r.path == f"/channels/{channel_id}/messages"
    ]


async def owe(bot: Precis, pages: PageServer, slug: str, channel_id: int) -> Delivery:
    stored = await bot.desk.read_url(pages.url(f"/a/{slug}"))
    delivery = await bot.storage.deliveries.create(
        DeliveryTarget(GUILD_ID, channel_id, "news"), stored.id
    )
    assert delivery is not None
    return delivery


async def post_then_crash(bot: Precis, delivery: Delivery, *, reaches_discord: bool = True) -> None:
    """Mark a card `sending` and post it; the bot dies before marking it sent (or before the
    post reaches Discord)."""
    channel_id = delivery.channel_id
    card = await bot.dispatcher.card(delivery, await bot.guild_config.all(GUILD_ID))
    assert card is not None
    await bot.storage.deliveries.claim([delivery.id], bot.dispatcher.clock.now())
    if reaches_discord:
        await articles_cog(bot).post(channel_id, card)


async def reconciled_cog(bot: Precis) -> Articles:
    """The articles cog, once the reconcile it runs at start is done."""
    cog = articles_cog(bot)
    await cog.reconciled.wait()
    return cog


async def restart_and_deliver(launch: LaunchBot) -> Delivery:
    """Start the bot again: reconcile, then one send pass; the one delivery then sent."""
    async with launch() as bot:
        cog = await reconciled_cog(bot)
        await bot.dispatcher.deliver(cog)
        (found,) = await bot.storage.deliveries.in_state("sent")
    return found


async def states(bot: Precis) -> dict[int, str]:
    """Each channel's delivery state."""
    found = {}
    for state in ("pending", "sending", "sent", "failed"):
        for delivery in await bot.storage.deliveries.in_state(state):
            found[delivery.channel_id] = state
    return found


async def test_a_card_posted_before_a_crash_is_found_not_reposted(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    publish(pages, "/feed.xml", "City News", [story("c", "Crash story", "crash")])
    async with launch() as bot:
        await post_then_crash(bot, await owe(bot, pages, "c", NEWS_CHANNEL_ID))
    found = await restart_and_deliver(launch)
    assert len(fake.cards_in(NEWS_CHANNEL_ID)) == 1
    assert history_reads(fake, NEWS_CHANNEL_ID)
    assert found.message_id == int(fake.bot_messages(NEWS_CHANNEL_ID)[0]["id"])


async def test_a_card_in_a_busy_channel_is_found_not_reposted(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    publish(pages, "/feed.xml", "City News", [story("busy", "Busy story", "busy")])
    chatter(fake, NEWS_CHANNEL_ID, 300, at=datetime.now(UTC) - timedelta(hours=1))
    async with launch() as bot:
        delivery = await owe(bot, pages, "busy", NEWS_CHANNEL_ID)
        chatter(fake, NEWS_CHANNEL_ID, 120)  # while the card waits its turn (an hourly cap)
        await post_then_crash(bot, delivery)
        chatter(fake, NEWS_CHANNEL_ID, 120)
    found = await restart_and_deliver(launch)
    assert len(fake.cards_in(NEWS_CHANNEL_ID)) == 1
    assert found.message_id == int(fake.bot_messages(NEWS_CHANNEL_ID)[0]["id"])
    # Read from when the card was claimed (not the hour-old chatter), until it was found.
    assert [r.query.get("limit") for r in history_reads(fake, NEWS_CHANNEL_ID)] == ["100"] * 2


async def test_post_racing_the_sender_posts_one_card(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(pages, "/feed.xml", "City News", [story("race", "Race story", "race")])
    async with launch() as bot:
        cog = await reconciled_cog(bot)
        summarize = bot.desk.summarize
        summaries = [asyncio.Event(), asyncio.Event()]  # /post's, then the sender's (if any)
        release = asyncio.Event()

        async def held(*args: Any, **kwargs: Any) -> Any:
            summaries[sum(e.is_set() for e in summaries)].set()
            await release.wait()
            return await summarize(*args, **kwargs)

        monkeypatch.setattr(bot.desk, "summarize", held)
        option, resolved = fake.channel_option(NEWS_CHANNEL_ID)
        post = await fake.slash(
            "post", {"url": pages.url("/a/race"), "channel": option}, resolved=resolved
        )
        await asyncio.wait_for(summaries[0].wait(), 5)  # /post is summarising its card
        sender = asyncio.create_task(bot.dispatcher.deliver(cog))
        taken = asyncio.create_task(summaries[1].wait())
        # The sender passes by, or takes the card too and summarises it: then both go on.
        await asyncio.wait({sender, taken}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
        release.set()
        await sender
        taken.cancel()
        done = await fake.final_answer(post.token)
    assert done.json["content"] == f"Posted in <#{NEWS_CHANNEL_ID}>."
    assert len(fake.bot_messages(NEWS_CHANNEL_ID)) == 1


async def test_a_failed_history_read_is_retried_later_and_other_channels_go_on(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sport = fake.add_channel(fake.guilds[GUILD_ID], "sport").id
    publish(
        pages,
        "/feed.xml",
        "City News",
        [story("s", "Sport story", "s"), story("n", "News story", "n")],
    )
    async with launch() as bot:
        await post_then_crash(bot, await owe(bot, pages, "s", sport))
        await post_then_crash(
            bot, await owe(bot, pages, "n", NEWS_CHANNEL_ID), reaches_discord=False
        )
    fake.fail_next(1, status=503, method="GET", path=f"/channels/{sport}/messages")
    async with launch() as bot:
        cog = await reconciled_cog(bot)
        after_start = await states(bot)
        await fake.wait_for(lambda r: r in fake.cards_in(NEWS_CHANNEL_ID))  # the sender's
        await bot.dispatcher.deliver(cog)
        held = await states(bot)
        later = Clock(lambda: time.time() + 3600)  # past its wait
        monkeypatch.setattr(bot.dispatcher, "clock", later)
        await bot.dispatcher.reconcile(cog)
        await bot.dispatcher.deliver(cog)
        at_last = await states(bot)
    assert after_start[sport] == "sending"  # its channel could not be read: held
    assert after_start[NEWS_CHANNEL_ID] != "sending"  # not found there: owed again
    assert held[sport] == "sending"
    assert at_last[sport] == "sent"
    assert [r.status for r in history_reads(fake, sport)] == [503, 200]
    assert len(fake.cards_in(sport)) == 1
    assert len(fake.cards_in(NEWS_CHANNEL_ID)) == 1


async def test_cards_owed_before_a_restart_go_out_at_once_after_it(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    publish(pages, "/feed.xml", "City News", [story("w", "Waiting story", "w")])
    async with launch() as bot:
        await owe(bot, pages, "w", NEWS_CHANNEL_ID)  # the process stops before sending it
    assert fake.cards_in(NEWS_CHANNEL_ID) == []
    async with launch():
        # Not after the sender's idle wait (30 s): the wait_for gives up after 5 s.
        await fake.wait_for(lambda r: r in fake.cards_in(NEWS_CHANNEL_ID))


async def test_a_post_that_gets_no_answer_is_looked_for_before_it_is_posted_again(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(pages, "/feed.xml", "City News", [story("h", "Hung story", "h")])
    async with launch() as bot:
        cog = articles_cog(bot)
        # This test drives the sender: the loop's pass would race its own for the card.
        cog.send_cards.cancel()
        # The module the bot loaded the cog from (discord.py loads an extension afresh).
        monkeypatch.setattr(sys.modules[type(cog).__module__], "ANSWER_TIMEOUT_SECONDS", 0.3)
        await cog.reconciled.wait()
        await owe(bot, pages, "h", NEWS_CHANNEL_ID)
        fake.hang_next(method="POST", path=f"/channels/{NEWS_CHANNEL_ID}/messages")
        first = await bot.dispatcher.deliver(cog)
        unanswered = await states(bot)
        fake.release_hung()
        later = Clock(lambda: time.time() + 3600)  # past its wait
        monkeypatch.setattr(bot.dispatcher, "clock", later)
        reconciled = await bot.dispatcher.reconcile(cog)
        await bot.dispatcher.deliver(cog)
        at_last = await states(bot)
    assert (first.sent, first.failed, unanswered[NEWS_CHANNEL_ID]) == (0, 0, "sending")
    assert reconciled.reposted == 1  # read first: not there, so posted again
    assert at_last[NEWS_CHANNEL_ID] == "sent"
    assert len(fake.cards_in(NEWS_CHANNEL_ID)) == 1 + 1  # the hung request, then the card
    assert len(fake.bot_messages(NEWS_CHANNEL_ID)) == 1


@pytest.mark.parametrize(
    "notice",
    [
        FeedPaused(TRAP * 80, "javascript:alert(1)" + "x" * 3000, 10, TRAP * 40),
        ChannelLost(NEWS_CHANNEL_ID, TRAP * 80, 3),
    ],
)
def test_an_admin_notice_shows_page_text_escaped_and_within_a_message(
    notice: AdminNotice,
) -> None:
    message = admin_message(notice)
    assert len(message) <= 2000
    assert re.search(r"(?<!\\)\[", message) is None  # no "[" of page text opens a link
    assert "<javascript:" not in message


@pytest.mark.parametrize(
    ("refusal", "worded_as"),
    [
        (AlreadyPosted(7), "That article's card is already in <#7>."),
        (
            NotPosted(7, PostOutcome.RETRY),
            "Discord didn't take the card just now; it will go out in <#7> shortly.",
        ),
        (NotPosted(7, PostOutcome.LOST), "I can't post in <#7>; check my permissions there."),
        (NotPosted(7, PostOutcome.FAILED), "I couldn't post that card in <#7>."),
    ],
)
def test_post_refusals_mention_the_channel(refusal: PostRefused, worded_as: str) -> None:
    assert user_message(refusal, Articles.wordings) == worded_as


async def test_the_bot_purges_old_articles_hourly_from_its_start(
    launch: LaunchBot, database: Any
) -> None:
    storage = await open_storage(database)
    try:
        old = await storage.articles.save(Article("Old news", ("It happened long ago.",)))
        conn: Any
        async with storage.db.transaction() as conn:  # type: ignore[attr-defined]
            await conn.execute("UPDATE articles SET created_at = 1000")
    finally:
        await storage.close()
    async with launch(retention_days=30) as bot:

        async def purged() -> bool:
            return await bot.storage.articles.get(old.id) is None

        await eventually(purged)
        assert articles_cog(bot).purge_old.is_running()


async def test_the_bot_keeps_everything_with_a_retention_of_zero(launch: LaunchBot) -> None:
    async with launch(retention_days=0) as bot:
        assert not articles_cog(bot).purge_old.is_running()
