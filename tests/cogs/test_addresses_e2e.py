"""/summarize end to end with two sites: a page cannot pass itself off as another site's."""

from __future__ import annotations

import json

from tests.bot.test_desk import FAKE_TITLE, fake_page
from tests.conftest import LaunchBot
from tests.fake_discord import FakeDiscord
from tests.fixtures.pages import TITLE, PageServer, article_html, page_server


async def test_a_page_claiming_another_site_s_address_is_summarised_as_its_own(
    fake: FakeDiscord, launch: LaunchBot, pages: PageServer
) -> None:
    async with page_server("127.0.0.2") as victim:
        victim_url = victim.add("/news/bridge", article_html())
        fake_url = pages.add("/fake", fake_page(victim_url))
        async with launch() as bot:
            cards = []
            for url in (fake_url, victim_url, fake_url, victim_url):
                interaction = await fake.slash("summarize", {"url": url})
                card = await fake.final_card(interaction.token)
                cards.append(card["embeds"][0])
            counts = await bot.storage.counts()
    forged, real, forged_again, real_again = cards
    assert forged["url"] == fake_url and forged["title"] == FAKE_TITLE
    assert real["url"] == victim_url and real["title"] == TITLE
    assert "blown up" not in json.dumps(real)
    assert (forged_again, real_again) == (forged, real)  # each read once, from storage after
    assert counts["articles"] == 2
    # The victim's page: read once for the reader who asked, once to check the fake's claim.
    assert victim.hits["/news/bridge"] == 2 and pages.hits["/fake"] == 1
