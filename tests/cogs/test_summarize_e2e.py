"""/summarize and the "Summarize" menu end to end: fake Discord, local pages, real pipeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import cogs._progress as progress_module
import cogs.summarize as summarize_cog
from tests.conftest import LaunchBot, eventually
from tests.discord_limits import assert_within_limits
from tests.fake_discord import (
    EPHEMERAL,
    GENERAL_CHANNEL_ID,
    GUILD_ID,
    MEMBER_ID,
    FakeDiscord,
    Limits,
    RecordedRequest,
    is_card,
    last_card,
)
from tests.fixtures.pages import ARTICLE_PARAGRAPHS, TITLE, PageServer, article_html

DEFERRED = 5
PASTE = (
    "Ferry fares to rise in spring\n\n"
    "The island ferry company will raise its fares by eight percent from March. "
    "It blamed the cost of fuel and new safety rules. "
    "Season tickets for residents will not change. "
    "The company carried 1.2 million passengers last year. "
    "A new ship is due to enter service in 2028."
)


def is_private_followup(request: RecordedRequest) -> bool:
    return (
        request.method == "POST"
        and "/webhooks/" in request.path
        and request.json.get("flags") == EPHEMERAL
    )


async def test_summarize_a_link(fake: FakeDiscord, launch: LaunchBot, pages: PageServer) -> None:
    url = pages.add("/news/bridge", article_html())
    async with launch():
        interaction = await fake.slash("summarize", {"url": url})
        responses = await fake.answers(interaction.token, is_card)
    assert responses[0].json["type"] == DEFERRED
    assert responses[0].json.get("data", {}).get("flags", 0) & EPHEMERAL == 0
    assert any(r.json and r.json.get("content") == "Fetching 127.0.0.1…" for r in responses)
    message = last_card(responses)
    assert message["allowed_mentions"] == {"parse": []}
    (embed,) = message["embeds"]
    assert_within_limits(embed)
    assert embed["title"] == TITLE
    assert embed["url"] == url
    assert embed["thumbnail"]["url"] == "https://img.example.com/bridge.jpg"
    assert embed["footer"]["text"] == "Riverton Herald · by Sam Reporter · 20 Nov 2026"
    bullets = embed["description"].split("\n")
    assert len(bullets) == 3
    assert all(line.startswith("• ") for line in bullets)
    assert bullets[0] == "• " + ARTICLE_PARAGRAPHS[0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Summary"] == "3 of 7 sentences, 1 min read"


async def test_the_same_link_twice_is_fetched_and_summarised_once(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    url = pages.add("/news/bridge", article_html())
    async with launch() as bot:
        cards = []
        for _ in range(2):
            interaction = await fake.slash("summarize", {"url": url})
            cards.append(await fake.final_card(interaction.token))
        counts = await bot.storage.counts()
    assert pages.hits["/news/bridge"] == 1
    assert counts["articles"] == 1 and counts["summaries"] == 1
    assert cards[0]["embeds"] == cards[1]["embeds"]


async def test_server_settings_and_options_take_effect(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    url = pages.add("/news/bridge", article_html())
    async with launch() as bot:
        await bot.guild_config.set(GUILD_ID, "summary_sentences", "2")
        await bot.guild_config.set(GUILD_ID, "summary_method", "lead")
        interaction = await fake.slash("summarize", {"url": url})
        by_config = (await fake.final_card(interaction.token))["embeds"][0]
        interaction = await fake.slash("summarize", {"url": url, "sentences": 4, "private": True})
        responses = await fake.answers(interaction.token, is_card)
    assert by_config["description"].count("• ") == 2
    assert responses[0].json["data"]["flags"] == EPHEMERAL
    assert last_card(responses)["embeds"][0]["description"].count("• ") == 4


async def test_summarize_a_pasted_text_with_fewer_sentences_than_asked(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    async with launch():
        interaction = await fake.slash("summarize", {"text": PASTE, "sentences": 8})
        embed = (await fake.final_card(interaction.token))["embeds"][0]
    assert embed["title"] == "Ferry fares to rise in spring"
    assert "url" not in embed
    assert embed["description"].count("• ") == 5
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert (
        fields["Summary"]
        == "5 of 5 sentences, 1 min read (the text has only 5, so here it is whole)"
    )


async def test_exactly_one_of_url_and_text(fake: FakeDiscord, launch: LaunchBot) -> None:
    async with launch():
        for options in ({}, {"url": "https://example.com/a", "text": "Some text."}):
            interaction = await fake.slash("summarize", options)
            reply = await fake.callback(interaction.token)
            assert reply["type"] == 4
            assert reply["data"]["flags"] == EPHEMERAL
            assert (
                reply["data"]["content"]
                == "Give me either a `url` or a `text` to summarize, not both."
            )


async def test_a_link_that_is_not_http(fake: FakeDiscord, launch: LaunchBot) -> None:
    async with launch():
        reply = await fake.run("summarize", {"url": "ftp://example.com/file"})
    assert reply["flags"] == EPHEMERAL
    assert "start with https://" in reply["content"]


async def error_reply(fake: FakeDiscord, token: str) -> RecordedRequest:
    """After a public "thinking…", an error deletes the placeholder and answers privately."""
    followup = await fake.wait_for(lambda r: token in r.path and is_private_followup(r))
    assert any(
        r.method == "DELETE" and r.path.endswith("/@original") for r in fake.responses(token)
    )
    return followup


async def test_blocked_address_timeout_and_no_text_store_nothing(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    empty = pages.add("/empty", "<html><body><nav>Home</nav></body></html>")
    slow = pages.add("/slow", article_html())
    async with launch(allow_private_urls=False):
        interaction = await fake.slash("summarize", {"url": pages.url("/news/x")})
        blocked = await error_reply(fake, interaction.token)
    async with launch() as bot:
        interaction = await fake.slash("summarize", {"url": empty})
        no_text = await error_reply(fake, interaction.token)
        bot.desk.fetch_timeout = 0.3
        pages.delay = 1.0
        interaction = await fake.slash("summarize", {"url": slow})
        timed_out = await error_reply(fake, interaction.token)
        counts = await bot.storage.counts()
    assert (
        blocked.json["content"] == "That address points to a private network, so I won't fetch it."
    )
    assert no_text.json["content"] == "I couldn't find any article text there."
    assert timed_out.json["content"] == "That site took too long to answer."
    assert counts["articles"] == 0
    assert pages.hits["/news/x"] == 0


async def test_not_found_is_a_private_one_liner(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    async with launch():
        interaction = await fake.slash(
            "summarize", {"url": pages.url("/missing")}, user_id=MEMBER_ID
        )
        reply = await error_reply(fake, interaction.token)
    assert reply.json["content"] == "That page doesn't exist (the site says it isn't there)."


async def test_context_menu_on_a_link_and_on_plain_text(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    url = pages.add("/news/bridge", article_html())
    with_link = fake.seed_message(
        GENERAL_CHANNEL_ID, f"Look at this: <{url}> wow", author_id=MEMBER_ID
    )
    plain = fake.seed_message(GENERAL_CHANNEL_ID, PASTE, author_id=MEMBER_ID)
    async with launch():
        interaction = await fake.message_command("Summarize", int(with_link["id"]))
        linked = (await fake.final_card(interaction.token))["embeds"][0]
        interaction = await fake.message_command("Summarize", int(plain["id"]))
        pasted = (await fake.final_card(interaction.token))["embeds"][0]
    assert linked["url"] == url
    assert pasted["title"] == "Ferry fares to rise in spring"


async def test_a_real_page_card_carries_no_junk(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    """Junk seen on real pages around the same article: a teaser above the headline, a
    standfirst, a dateline, a hover card of links, a caption credit and promotion."""
    first, quoted, *rest = ARTICLE_PARAGRAPHS
    card = (
        '<span class="card"><span><a href="/people/novak">Alice Jane Novak</a>'
        '<a href="/n/1">Mayor opens the harbour fair</a> <a href="/n/2">Mayor on tolls</a>'
        "</span></span>"
    )
    body = "".join(
        [
            "<p>Night mode is a new setting of the camera in this year's phones, and it works.</p>",
            f"<h1>{TITLE}</h1>",
            "<h2>The vote ends a long campaign. But the money for a new bridge is not found.</h2>",
            f"<p>RIVERTON, Ore. (AP) — {first}</p>",
            "<p>The bridge at dawn on Tuesday. (AP Photo/Jane Roe)</p>",
            "<p>"
            + quoted.replace("Alice Novak", f'<span><a href="/p">Alice Novak</a>{card}</span>')
            + "</p>",
            "<p>Sign up for our newsletter to get the harbour news in your inbox every day.</p>",
            *(f"<p>{paragraph}</p>" for paragraph in rest),
            "<p>Follow the Herald on Instagram, Facebook and Twitter.</p>",
        ]
    )
    head = f"<head><title>{TITLE} | Riverton Herald</title></head>"
    html = f"<html>{head}<body><article>{body}</article></body></html>"
    url = pages.add("/news/real", html)
    async with launch():
        interaction = await fake.slash("summarize", {"url": url})
        (embed,) = (await fake.final_card(interaction.token))["embeds"]
    bullets = embed["description"].split("\n")
    assert bullets[0] == "• " + first
    for junk in ("Night mode", "standfirst", "RIVERTON, Ore.", "AP Photo", "newsletter", "Follow"):
        assert junk not in embed["description"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Summary"] == "3 of 7 sentences, 1 min read"
    assert fields["Key quote"].endswith("— Alice Novak")


def page_with(title: str, image: str, canonical: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f'<html><head><title>{title}</title><link rel="canonical" href="{canonical}">'
        f'<meta property="og:image" content="{image}"></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


async def test_page_text_is_escaped_and_only_web_links_under_2048_reach_the_card(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    trap = "[claim your refund](https://evil.example/login)"
    title = f"Bridge **closes** {trap}"
    paragraphs = [
        f"The council met on Tuesday. Readers should {trap} at once.",
        *ARTICLE_PARAGRAPHS,
    ]
    long_canonical = pages.url("/news/" + "c" * 5000)
    medium_canonical = pages.url("/news/" + "m" * (300 - len(pages.url("/news/"))))
    hostile = pages.add(
        "/news/hostile", page_with(title, "javascript:alert(1)", long_canonical, paragraphs)
    )
    plain = pages.add(
        "/news/plain",
        page_with("Bridge", "data:image/png;base64,AAAA", medium_canonical, paragraphs),
    )
    async with launch():
        interaction = await fake.slash("summarize", {"url": hostile, "sentences": 10})
        (trapped,) = (await fake.final_card(interaction.token))["embeds"]
        interaction = await fake.slash("summarize", {"url": plain})
        (linked,) = (await fake.final_card(interaction.token))["embeds"]
    for embed in (trapped, linked):
        assert_within_limits(embed)
        assert "thumbnail" not in embed
    assert "url" not in trapped
    assert (
        trapped["title"]
        == "Bridge \\*\\*closes\\*\\* \\[claim your refund](https://evil.example/login)"
    )
    assert (
        "Readers should \\[claim your refund](https://evil.example/login) at once."
        in (trapped["description"])
    )
    assert len(medium_canonical) == 300
    assert linked["url"] == medium_canonical


async def test_a_long_article_card_says_it_was_read_from_its_opening(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    paragraphs = [
        f"Day {day} of the inquiry heard from the harbour master. She described the storm in"
        " detail. The breakwater had failed twice before. Repairs were promised each time."
        for day in range(1, 61)
    ]
    url = pages.add("/news/inquiry", article_html(paragraphs=paragraphs))
    async with launch():
        cards = []
        for _ in range(2):  # computed, then from the cache
            interaction = await fake.slash("summarize", {"url": url})
            cards.append(await fake.final_card(interaction.token))
    for card in cards:
        fields = {f["name"]: f["value"] for f in card["embeds"][0]["fields"]}
        assert fields["Summary"] == (
            "3 of 240 sentences, 8 min read (a long text: picked from its first 200 sentences"
            " or 30,000 characters)"
        )


async def test_past_the_deadline_the_answer_is_one_line_and_the_work_goes_on(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pages.add("/news/bridge", article_html())
    pages.delay = 1.0
    async with launch() as bot:
        cog = bot.get_cog("Summarize")
        monkeypatch.setattr(cog, "deadline", 0.2)
        interaction = await fake.slash("summarize", {"url": url})
        late = await error_reply(fake, interaction.token)
        monkeypatch.setattr(cog, "deadline", summarize_cog.DEADLINE)
        interaction = await fake.slash("summarize", {"url": url})
        card = await fake.final_card(interaction.token)
    assert late.json["content"] == (
        "That is taking more than 0.2 seconds. I'll keep at it: ask again in a minute."
    )
    assert card["embeds"][0]["title"] == TITLE
    assert pages.hits["/news/bridge"] == 1  # the second ask found the first one's fetch


async def test_a_slow_page_still_gets_its_card_under_discord_s_deadlines(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    # The first answer must come within 3 s: the command defers before it fetches, and the
    # card is an edit, which the token allows for 15 minutes.
    fake.enforce(Limits(interaction_deadlines=True))
    url = pages.add("/news/slow", article_html())
    pages.delay = 0.5
    async with launch():
        interaction = await fake.slash("summarize", {"url": url})

        async def fetching() -> bool:
            return pages.hits["/news/slow"] > 0

        await eventually(fetching)
        fake.advance(10)  # the page takes 10 s: an answer not given before now is too late
        card = await fake.final_card(interaction.token)
    assert card["embeds"][0]["title"] == TITLE
    assert fake.invalid_requests() == 0


async def test_an_answer_after_fourteen_minutes_goes_as_a_plain_message(
    fake: FakeDiscord, launch: LaunchBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An interaction's token lives 15 minutes: past 14, the placeholder is left as it is and
    # the card is posted in the channel instead of an edit that Discord would refuse.
    fake.enforce(Limits(interaction_deadlines=True))
    late = datetime.now(UTC) + timedelta(minutes=14, seconds=30)
    monkeypatch.setattr(progress_module, "utcnow", lambda: late)
    async with launch():
        interaction = await fake.slash("summarize", {"text": PASTE})
        await fake.wait_responses(interaction.token, 1)  # the deferral
        fake.advance(14.5 * 60)
        posted = await fake.wait_for(
            lambda r: (
                r.method == "POST"
                and r.path == f"/channels/{GENERAL_CHANNEL_ID}/messages"
                and bool(r.json.get("embeds"))
            )
        )
    assert posted.json["embeds"][0]["title"] == "Ferry fares to rise in spring"
    assert [r.method for r in fake.responses(interaction.token)] == ["POST"]  # the deferral
    assert fake.invalid_requests() == 0
