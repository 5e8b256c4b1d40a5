"""Line rules of the cleaner: each drops its kind of boilerplate and keeps real sentences."""

from __future__ import annotations

import pytest

from bot.pipeline.clean import clean_paragraphs, clean_text, is_boilerplate

BOILERPLATE = [
    "Share this article Share",
    "Share or comment on this article:",
    "Facebook Twitter Email",
    "Google Ads | Google Ads | Google Ads",
    "Subscribe Subscribe Subscribe",
    "Published: 10:32 EST, 3 March 2015 | Updated: 12:48 EST, 3 March 2015",
    "Last updated at 4:55 PM on 3rd March 2015",
    "Tue, 21-Oct-2025",
    "2019-11-19T08:57:40+01:00",
    "Updated at 1:23 p.m.",
    "Advertisement",
    "ADVERTISEMENT",
    "Story continues below advertisement",
    "Scroll down for video",
    "Read more: Sea wall repairs delayed again as costs rise",
    "READ MORE",
    "Click here to subscribe to our newsletter",
    "DON’T MISS",
    "By Jane Doe",
    "By Jane Doe For Dailymail.com",
    "By JANE DOE and JOHN ROE | Reuters",
    "Copyright © 2024 The Coastal Courier",
    " \u00a0",
    "___",
    # promotion, each seen on a real page
    "Sign up for our newsletter and get the best stories in your inbox.",
    "Start your day with the Morning Bell. It is the read of choice for bankers. Sign up for "
    "the free daily newsletter.",
    "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",
    "Follow him on Twitter @harbourreporter or on Facebook.",
    "Popular on IndieWire",
    "Most read in world news",
    "Related: Ten lighthouses you can visit this summer",
    "You can view our June 2018 open thread here.",
    "This copy is for your personal, non-commercial use only.",
    "If you enjoyed this article, we have a proposition for you: join our members' club.",
    "China furious at Macron over harbour jibe [INSIGHT]|",
    "Keeper's diary: a winter on the rock [Video]",
    "This shop has been compensated by #CollectiveBias, Inc. and its advertiser.",
    "This post contains affiliate links, and we may earn a commission on what you buy.",
    "If you buy something through this post, the site may get a share of the sale.",
    # credits and notices
    "(Reporting by Jane Doe and John Roe; editing by Mark Smith.)",
    "Additional reporting by Jane Doe",
    "Contributing: Jane Doe",
    "The Associated Press’ Jane Doe contributed to this report.",
    "With Post wires",
    "SOURCE: News agencies",
    "Photo: John Doe/Getty Images",
    "The keeper climbs the stairs of the lighthouse on Tuesday. (AP Photo/Jane Roe)",
    "The WeWork logo is displayed outside of a co-working space in New York.Reuters",
    "ATENÇÃO: Comentários com textos ininteligíveis não serão aprovados pelo moderador.",
    "Comments are moderated and will appear after approval.",
    # dates, bylines and labels in other shapes and languages
    "By Ann Smith | Published 10:30 a.m. ET Nov. 18, 2019 | Updated 11:02 a.m. ET",
    "5:45 AM PST 11/19/2019 by Patrick Shanley",
    "05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde - Tags: sad",
    "sexta-feira, 22 de outubro de 2010 às 20:13",
    "Tempo de leitura: 1 minuto",
    "Filed under: Lighthouses |",
]

PROSE = [
    "By Monday, the company had lost three million customers.",
    "By the end of the day, rescuers had reached the village.",
    "Share prices fell sharply on Tuesday after the announcement.",
    "Read the full report, the minister told parliament, before judging it.",
    "On 3 March 2015 the council met to decide the lighthouse's future.",
    "Advertising revenue fell by a third in the second quarter, the company said.",
    "Twitter users shared the video more than a million times.",
    "It was a long, long, long day.",
    "Putin",
    "Why the tide turned",
    "[Engadget]",
    "Follow the river north for two miles and you reach the lighthouse, the keeper said.",
    "Readers who signed up for the newsletter were told of the vote on Monday.",
    "The company said its photo app would no longer be available in Europe.",
    "Comments by the minister angered the fishermen, who had hoped for a better deal.",
    "Reporting from the harbour, she described the storm as the worst in a decade.",
    "The shop was compensated by the council for the damage the storm did.",
]


@pytest.mark.parametrize("line", BOILERPLATE)
def test_boilerplate_lines_are_dropped(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", PROSE)
def test_prose_and_headings_are_kept(line: str) -> None:
    assert not is_boilerplate(line)


def test_headline_repeat_and_labels_before_it_are_dropped() -> None:
    title = "Town keeps its lighthouse"
    paragraphs = ["Lighthouses", "Town keeps its lighthouse", "The town voted to keep it."]
    assert clean_paragraphs(paragraphs, title) == ["The town voted to keep it."]


def test_short_first_paragraph_stays_without_a_headline_repeat() -> None:
    paragraphs = ["PORTHWEN, Cornwall", "The town voted to keep its lighthouse."]
    assert clean_paragraphs(paragraphs, "Town keeps its lighthouse") == paragraphs


@pytest.mark.parametrize(
    ("first", "kept"),
    [
        ("WASHINGTON (Reuters) - The vote passed on Monday.", "The vote passed on Monday."),
        ("BUFFALO, N.Y. — The vote passed on Monday.", "The vote passed on Monday."),
        ("ST. JOSEPH, Mich. (AP) — The vote passed on Monday.", "The vote passed on Monday."),
        ("(CNN)President Smith won the vote.", "President Smith won the vote."),
        (
            "Hong Kong (CNN Business)A muddled view weighs on markets.",
            "A muddled view weighs on markets.",
        ),
        ("Washington, D.C. (Reuters) - The vote passed on Monday.", "The vote passed on Monday."),
        (
            "Smith (right) said the vote passed on Monday.",
            "Smith (right) said the vote passed on Monday.",
        ),
        ("(Reuters) — The vote passed on Monday.", "The vote passed on Monday."),
        ("BERLIN -- The vote passed on Monday.", "The vote passed on Monday."),
        ("NEW DELHI: The vote passed on Monday.", "The vote passed on Monday."),
        ("HONOLULU, Hawaii (KHNL) - The vote passed on Monday.", "The vote passed on Monday."),
        ("NASA says the launch went well.", "NASA says the launch went well."),
        ("US-China talks resume on Monday.", "US-China talks resume on Monday."),
    ],
)
def test_a_dateline_is_cut_from_the_front_of_the_first_sentence(first: str, kept: str) -> None:
    second = "WASHINGTON (AP) — A later paragraph keeps its words."
    assert clean_paragraphs([first, second]) == [kept, second]
    assert clean_paragraphs(["Vote passes", first, second]) == ["Vote passes", kept, second]


def test_whitespace_inside_paragraphs_is_collapsed() -> None:
    assert clean_paragraphs(["The  town\u00a0voted. "]) == ["The town voted."]


def test_first_line_ending_in_a_period_is_not_a_title() -> None:
    title, paragraphs = clean_text("The town voted.\n\nIt was close.")
    assert title == ""
    assert paragraphs == ["The town voted.", "It was close."]
