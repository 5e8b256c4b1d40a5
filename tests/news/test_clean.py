"""Line rules of the cleaner: each drops its kind of boilerplate and keeps real sentences."""

from __future__ import annotations

import pytest

from bot.news.clean import clean_paragraphs, clean_text, is_boilerplate

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


def test_whitespace_inside_paragraphs_is_collapsed() -> None:
    assert clean_paragraphs(["The  town\u00a0voted. "]) == ["The town voted."]


def test_first_line_ending_in_a_period_is_not_a_title() -> None:
    title, paragraphs = clean_text("The town voted.\n\nIt was close.")
    assert title == ""
    assert paragraphs == ["The town voted.", "It was close."]
