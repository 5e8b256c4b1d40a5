"""The summary card stays within Discord's limits whatever the article holds."""

from __future__ import annotations

from bot.news.article import Article
from bot.news.quotes import extract_quotes
from bot.news.summarize import Summary
from bot.storage import StoredArticle
from cogs._cards import bullet_list, quote_line, shorten, summary_card


def test_shorten_cuts_at_a_word_with_an_ellipsis() -> None:
    assert shorten("short enough", 20) == "short enough"
    cut = shorten("the quick brown fox jumps over the lazy dog", 20)
    assert cut == "the quick brown fox…"
    assert len(cut) <= 20
    assert shorten("x" * 50, 10) == "x" * 9 + "…"


def test_bullets_fit_the_budget_and_drop_what_does_not() -> None:
    sentences = tuple(f"Sentence number {i} " + "word " * 300 for i in range(10))
    text = bullet_list(sentences, budget=3500)
    assert len(text) <= 3500
    assert text.startswith("• Sentence number 0")
    assert all(line.startswith("• ") for line in text.splitlines())


def test_an_enormous_article_gives_a_card_within_every_limit() -> None:
    huge = "@everyone " + "Very long headline words " * 40
    article = Article(
        title=huge,
        paragraphs=("A sentence. " * 2000,),
        url="https://example.com/a",
        author="An Author " * 300,
        site_name="Site " * 300,
        published="2026-11-20",
        image="https://example.com/i.jpg",
    )
    summary = Summary("precis", tuple("Long sentence " * 400 for _ in range(10)), 2000)
    embed = summary_card(StoredArticle(1, article), summary, 10, topic="bridges " * 200)
    data = embed.to_dict()
    assert len(data["title"]) <= 256
    assert len(data["description"]) <= 4096
    assert all(len(field["value"]) <= 1024 for field in data["fields"])
    assert len(data["footer"]["text"]) <= 2048
    assert len(embed) <= 6000


def test_a_quote_line_names_no_unresolved_pronoun() -> None:
    (quote,) = extract_quotes("The band played late.\n\n“We will be back next spring,” they said.")
    assert quote_line(quote, 200) == "“We will be back next spring,”"
    (named,) = extract_quotes("“We will be back next spring,” said Ana Ruiz.")
    assert quote_line(named, 200) == "“We will be back next spring,” — Ana Ruiz"
