"""/quote and the card's key quote, end to end through the fake Discord and a local page."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from itertools import product

import pytest

from bot.model import Article, Quote
from bot.pipeline.quotes import filed_quotes
from tests.conftest import LaunchBot
from tests.discord_limits import assert_within_limits
from tests.fake_discord import EPHEMERAL, GUILD_ID, MEMBER_ID, FakeDiscord
from tests.fixtures.loop_lag import loop_lag
from tests.fixtures.pages import PageServer, article_html

LAG_LIMIT = 0.25  # seconds the event loop may be kept busy

ROUND_TABLE = [
    "Riverton's council met the harbour traders on Monday to discuss the bridge closure.",
    *(
        f"“Point number {i} about the harbour bridge closure matters to all of us,” said "
        f"Trader {name} Smith{i}, who runs a shop on the quay."
        for i, name in enumerate(["Anna", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus"])
    ),
    "“We hear you, and @everyone will get a say,” Mayor Alice Novak said.",
]


@pytest.fixture
async def round_table(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> AsyncIterator[None]:
    """The bot running, once /summarize of the round-table article stored its quotes for the
    guild."""
    url = pages.add("/round-table", article_html("Traders meet council", ROUND_TABLE))
    async with launch():
        interaction = await fake.slash("summarize", {"url": url})
        await fake.final_card(interaction.token)
        yield


async def test_summary_card_has_a_key_quote(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    url = pages.add("/bridge", article_html())
    async with launch():
        interaction = await fake.slash("summarize", {"url": url})
        card = await fake.final_card(interaction.token)
    fields = {f["name"]: f["value"] for f in card["embeds"][0]["fields"]}
    assert fields["Key quote"].startswith("“We cannot ask people to drive over a bridge")
    assert fields["Key quote"].endswith("” — Alice Novak")


@pytest.mark.usefixtures("round_table")
async def test_search_pages_and_only_the_asker_turns_them(fake: FakeDiscord) -> None:
    interaction = await fake.slash("quote", {"query": "harbour bridge"}, subcommand="search")
    message = (await fake.callback(interaction.token))["data"]
    assert message["allowed_mentions"] == {"parse": []}
    (embed,) = message["embeds"]
    assert len(embed["fields"]) == 5
    assert embed["footer"]["text"] == "Page 1 of 2 · 7 quotes"
    assert embed["fields"][0]["value"].startswith("“Point number")
    assert "[Traders meet council](http://127.0.0.1" in embed["fields"][0]["value"]
    buttons = {c["label"]: c for row in message["components"] for c in row["components"]}
    assert buttons["Previous"]["disabled"] and not buttons["Next"].get("disabled")

    (sent,) = fake.interaction_messages(interaction.token)
    stranger = await fake.click(int(sent["id"]), buttons["Next"]["custom_id"], user_id=MEMBER_ID)
    refusal = await fake.callback(stranger.token)
    assert refusal["data"]["flags"] == EPHEMERAL

    turn = await fake.click(int(sent["id"]), buttons["Next"]["custom_id"])
    page_two = (await fake.callback(turn.token))["data"]
    assert page_two["embeds"][0]["footer"]["text"] == "Page 2 of 2 · 7 quotes"
    assert len(page_two["embeds"][0]["fields"]) == 2


@pytest.mark.usefixtures("round_table")
async def test_speaker_autocomplete_and_lookup(fake: FakeDiscord) -> None:
    typed = await fake.autocomplete("quote", {"name": "novk"}, "name", subcommand="speaker")
    choices = (await fake.callback(typed.token))["data"]["choices"]
    assert choices[0] == {"name": "Alice Novak (1)", "value": "Alice Novak"}
    empty = await fake.autocomplete("quote", {"name": ""}, "name", subcommand="speaker")
    assert len((await fake.callback(empty.token))["data"]["choices"]) == 8

    interaction = await fake.slash("quote", {"name": "Alice Novak"}, subcommand="speaker")
    embed = (await fake.callback(interaction.token))["data"]["embeds"][0]
    unknown = await fake.slash("quote", {"name": "Zebedee"}, subcommand="speaker")
    refusal = (await fake.callback(unknown.token))["data"]
    assert embed["title"] == "What Alice Novak said"
    assert embed["fields"][0]["name"] == "Alice Novak, Mayor"  # the title is her description
    assert embed["fields"][0]["value"].startswith("“We hear you, and @everyone will get a say,”")
    assert refusal["flags"] == EPHEMERAL
    assert refusal["content"].startswith("No one called “Zebedee” has been quoted here yet.")


@pytest.mark.usefixtures("round_table")
async def test_bad_and_empty_searches(fake: FakeDiscord) -> None:
    replies = {}
    for query in ("?!", '"*(', "NEAR", "nothing matches this"):
        interaction = await fake.slash("quote", {"query": query}, subcommand="search")
        replies[query] = (await fake.callback(interaction.token))["data"]
    for query in ("?!", '"*('):
        assert replies[query]["flags"] == EPHEMERAL
        assert (
            replies[query]["content"]
            == "Type some words to look for, like `/quote search climate`."
        )
    for query in ("NEAR", "nothing matches this"):
        assert replies[query]["flags"] == EPHEMERAL
        assert replies[query]["content"].startswith("No quotes match")
        assert "Try a speaker: " in replies[query]["content"]


async def test_quotes_of_one_article_and_other_servers_see_none(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    url = pages.add("/bridge", article_html())
    async with launch() as bot:
        interaction = await fake.slash("quote", {"url": url}, subcommand="article")
        listing = await fake.final_card(interaction.token)
        elsewhere = await bot.storage.quotes.search(GUILD_ID + 1, "bridge")
    (callback, *_) = fake.responses(interaction.token)
    assert callback.json["type"] == 5  # deferred: fetching takes a while
    embed = listing["embeds"][0]
    assert embed["title"] == "Quotes in “Riverton closes harbour bridge to cars @everyone”"
    assert embed["fields"][0]["name"] == "Alice Novak"
    assert elsewhere == []


def article_quoting(
    said: list[tuple[str, str]], title: str = "Everyone speaks", url: str = "https://news.test/a"
) -> tuple[Article, list[Quote]]:
    """An article in which each (name, words) pair is a paragraph quoting that person, and
    its quotes."""
    paragraphs, quotes, offset = [], [], 0
    for name, words in said:
        paragraph = f"“{words}” said {name}."
        start = offset + 1
        quotes.append(Quote(words, start, start + len(words), name, name, None, "said", paragraph))
        paragraphs.append(paragraph)
        offset += len(paragraph) + 2
    return Article(title, tuple(paragraphs), url=url), quotes


def crowd(people: int) -> tuple[Article, list[Quote]]:
    """An article quoting `people` different people once each, and its quotes."""
    firsts = ["Ana", "Bo", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jon"]
    syllables = ["ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "va", "zo"]
    names = [
        f"{first} {a.title()}{b}{c}{d}"
        for first, a, b, c, d in product(firsts, syllables, syllables, syllables, syllables)
    ][:people]
    return article_quoting(
        [(name, f"Point {i} matters to all of us,") for i, name in enumerate(names)]
    )


async def test_speaker_lookups_among_5000_speakers_leave_the_event_loop_free(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    article, quotes = crowd(5000)
    async with launch() as bot:
        await bot.storage.articles.save(article, quotes=filed_quotes(quotes), guild_id=GUILD_ID)
        async with loop_lag() as lag:
            choices = {}
            for typed in ("An", "Ana Kalo", "ana kaloomipe", "x" * 6000):
                asked = await fake.autocomplete(
                    "quote", {"name": typed}, "name", subcommand="speaker"
                )
                choices[typed] = (await fake.callback(asked.token))["data"]["choices"]
            unknown = await fake.slash("quote", {"name": "x" * 6000}, subcommand="speaker")
            refusal = (await fake.callback(unknown.token))["data"]
    assert len(choices["An"]) == 25
    assert choices["Ana Kalo"][0]["value"].startswith("Ana Kalo")
    assert choices["ana kaloomipe"][0]["value"] == "Ana Kalomipe"  # a typo, still found
    assert choices["x" * 6000] == []
    assert refusal["content"].startswith("No one called “xxx")
    assert lag.worst < LAG_LIMIT


async def test_five_long_quotes_full_of_markdown_make_a_page_within_discord_limits(
    fake: FakeDiscord, launch: LaunchBot
) -> None:
    trap = "[claim your refund](https://evil.example/login)"
    words = (f"*Stars* and __lines__ ~~gone~~ {trap} " * 20)[:700]
    url = "https://news.test/" + "u" * 282
    names = ["Ana Kalo", "Bo Lomi", "Cleo Nupe", "Dan Rasi", "Eve Tova"]
    article, quotes = article_quoting(
        [(name, words) for name in names], title=f"**Loud** {trap} " * 20, url=url
    )
    quotes = [
        dataclasses.replace(quote, description=f"the *loud* mayor of {trap} " * 10)
        for quote in quotes
    ]
    async with launch() as bot:
        await bot.storage.articles.save(article, quotes=filed_quotes(quotes), guild_id=GUILD_ID)
        interaction = await fake.slash("quote", {"query": "stars lines"}, subcommand="search")
        (embed,) = (await fake.callback(interaction.token))["data"]["embeds"]
    assert len(url) == 300 and len(words) == 700
    assert_within_limits(embed)
    assert sorted(field["name"].split(",")[0] for field in embed["fields"]) == names
    for field in embed["fields"]:
        assert ", the \\*loud\\* mayor of \\[claim your refund](https://evil" in field["name"]
        assert field["value"].startswith("“\\*Stars\\* and \\_\\_lines\\_\\_ \\~\\~gone")
        # The source's link does not fit with a 300-character URL: its title stands alone.
        assert "”\n\\*\\*Loud\\*\\* \\[claim your refund](https://evil" in field["value"]
