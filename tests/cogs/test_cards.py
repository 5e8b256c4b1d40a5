"""The summary card stays within Discord's limits whatever the article holds."""

from __future__ import annotations

import re

import pytest

from bot.model import Article, Quote, QuoteHit, StoredArticle, Summary
from bot.pipeline.quotes import extract_quotes
from cogs._cards import (
    FIELD_BUDGET,
    BudgetEmbed,
    EmbedOverflow,
    bare_link,
    bullet_list,
    link,
    quote_line,
    safe_url,
    shorten,
    shown,
    summary_card,
)
from cogs.quotes import quote_field
from tests.discord_limits import assert_within_limits

TRAP = "[claim your refund](https://evil.example/login)"


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
    assert_within_limits(dict(embed.to_dict()))
    assert len(embed) <= 6000


def test_markdown_everywhere_still_gives_a_card_within_every_limit() -> None:
    """Escaping doubles text made of Markdown signs: it is escaped first, then cut."""
    marks = "*_~|`>[]\\" * 700
    article = Article(
        title=marks,
        paragraphs=(marks,),
        url="https://example.com/" + "u" * 280,
        site_name=marks,
        image="https://example.com/i.jpg",
    )
    quote = Quote(marks[:700], 1, 701, "Ana Ruiz", "Ana Ruiz", marks, "said", marks)
    summary = Summary("precis", tuple(marks for _ in range(10)), 20)
    embed = summary_card(StoredArticle(1, article), summary, 10, key_quote=quote, topic=marks)
    data = dict(embed.to_dict())
    assert_within_limits(data)
    assert data["url"] == article.url
    assert data["thumbnail"]["url"] == "https://example.com/i.jpg"


def test_summary_bullets_show_page_text_as_written_never_as_a_link() -> None:
    text = bullet_list((f"Readers should {TRAP} at once.", "A [bracket opened here"))
    assert text == (
        "• Readers should \\[claim your refund](https://evil.example/login) at once.\n"
        "• A \\[bracket opened here"
    )


@pytest.mark.parametrize(
    "text",
    [TRAP * 100, "*" * 5000, "\\" * 5000, "a\\" * 3000, "_a_ " * 2000, "x" * 5000],
)
def test_shown_escapes_then_cuts_without_leaving_half_an_escape(text: str) -> None:
    cut = shown(text, 1000)
    assert len(cut) <= 1000
    body = cut.removesuffix("…")
    assert (len(body) - len(body.rstrip("\\"))) % 2 == 0


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.com/a?b=c", True),
        ("HTTP://example.com/", True),
        ("https://example.com/" + "a" * 2027, True),  # 2,047 characters
        ("https://example.com/" + "a" * 2028, False),  # 2,048
        ("javascript:alert(1)", False),
        ("data:image/png;base64,AAAA", False),
        ("ftp://example.com/file", False),
        ("https:///no-host", False),
        ("https://example.com/a b", False),
        ("https://example.com/a\nb", False),
        ("https://[::1", False),
        ("", False),
        (None, False),
    ],
)
def test_only_web_urls_under_2048_are_safe_in_an_embed(url: str | None, safe: bool) -> None:
    assert (safe_url(url) == url) if safe else safe_url(url) is None


def test_a_link_keeps_its_target_and_its_label_cannot_open_another() -> None:
    assert link("Title", "https://example.com/a", 100) == "[Title](https://example.com/a)"
    sneaky = link("a](https://evil.example) b", "https://example.com/x_(1)", 100)
    assert sneaky == "[a)(https://evil.example) b](https://example.com/x_%281%29)"
    assert link("Title", "javascript:alert(1)", 100) == "Title"
    assert link("Title", "https://example.com/" + "a" * 300, 250) == "Title"  # no room
    assert bare_link("https://example.com/a") == "<https://example.com/a>"
    assert bare_link("https://example.com/" + "a" * 400).endswith("…")


def test_a_quote_line_names_no_unresolved_pronoun() -> None:
    (quote,) = extract_quotes("The band played late.\n\n“We will be back next spring,” they said.")
    assert quote_line(quote, 200) == "“We will be back next spring,”"
    (named,) = extract_quotes("“We will be back next spring,” said Ana Ruiz.")
    assert quote_line(named, 200) == "“We will be back next spring,” — Ana Ruiz"


def test_the_card_and_the_quote_pages_render_a_quote_alike() -> None:
    name = "Ana " + "Maria " * 30 + "Ruiz"  # a long name: both cut it at the same place
    quote = Quote("We will be *back* next spring,", 0, 31, name, name, None, "said", "")
    speaker, value = quote_field(QuoteHit(quote, 1, "An article", None, None, None))
    words = value.splitlines()[0]
    assert words == "“We will be \\*back\\* next spring,”"
    assert quote_line(quote, FIELD_BUDGET) == f"{words} — {speaker}"


def test_discord_syntax_in_page_text_is_shown_as_written() -> None:
    text = shown("Hi <@123>, <@&7>, <#456>, </quote:9>, <:wave:5> at <t:1700000000:R>", 200)
    assert re.search(r"(?<!\\)<[@#:/t]", text) is None


def test_an_embed_refuses_any_part_discord_would_refuse() -> None:
    with pytest.raises(EmbedOverflow, match="title"):
        BudgetEmbed(title="x" * 257)
    with pytest.raises(EmbedOverflow, match="description"):
        BudgetEmbed(description="x" * 4097)
    embed = BudgetEmbed(title="t" * 256, description="d" * 4000)
    with pytest.raises(EmbedOverflow, match="value"):
        embed.add_field(name="n", value="v" * 1025)
    with pytest.raises(EmbedOverflow, match="footer"):
        BudgetEmbed().set_footer(text="f" * 2049)
    fine = BudgetEmbed(title="t" * 256, description="d" * 4000).add_field(
        name="n", value="v" * 1024
    )
    assert len(fine) == 5281
    with pytest.raises(EmbedOverflow, match="in all: 6001"):  # each part fits, not the sum
        fine.set_footer(text="f" * 720)
    many = BudgetEmbed()
    for _ in range(25):
        many.add_field(name="n", value="v")
    with pytest.raises(EmbedOverflow, match="fields"):
        many.add_field(name="n", value="v")
