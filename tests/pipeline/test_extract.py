"""Extraction from HTML and from pasted text, on small fixtures written in news-page style."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.pipeline.extract import (
    ExtractionError,
    NoArticleText,
    canonical_url,
    declared_canonical,
    extract_html,
    extract_text,
    looks_like_html,
)

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
PAGE_URL = "https://coastal-courier.test/story?id=1"
NOISE = (
    "Share this article",
    "Advertisement",
    "Google Ads",
    "Scroll down for video",
    "Read more",
    "Facebook Twitter",
    "Published:",
    "By Mara Quill",
)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_page_yields_clean_paragraphs_and_metadata() -> None:
    article = extract_html(fixture("noisy-page.html"), PAGE_URL)
    assert article.title == "Harbour town votes to keep its lighthouse lit"
    assert article.paragraphs[0].startswith("Residents of Porthwen voted on Tuesday")
    assert article.paragraphs[-1].startswith("Councillors said they would now look")
    assert len(article.paragraphs) == 5
    assert not [noise for noise in NOISE if noise in article.text]
    assert article.author == "Mara Quill"
    assert article.published == "2024-05-14"
    assert article.site_name == "The Coastal Courier"
    assert article.image == "https://cdn.coastal-courier.test/img/lighthouse.jpg"


def test_relative_canonical_link_resolves_against_the_page_url() -> None:
    article = extract_html(fixture("noisy-page.html"), PAGE_URL)
    assert article.url == "https://coastal-courier.test/news/2024/05/harbour-lighthouse-vote"


def test_og_url_is_used_without_a_canonical_link() -> None:
    html = fixture("noisy-page.html").replace(
        '<link rel="canonical" href="/news/2024/05/harbour-lighthouse-vote">',
        '<meta property="og:url" content="https://coastal-courier.test/lighthouse">',
    )
    assert extract_html(html, PAGE_URL).url == "https://coastal-courier.test/lighthouse"


def canonical_page(href: str, tag: str = "link") -> str:
    claim = (
        f'<link rel="canonical" href="{href}">'
        if tag == "link"
        else f'<meta property="og:url" content="{href}">'
    )
    return f"<html><head>{claim}</head><body><p>Text.</p></body></html>"


@pytest.mark.parametrize("tag", ["link", "og"])
@pytest.mark.parametrize(
    ("page_url", "claimed", "address"),
    [
        # The same site (registrable domain): the canonical URL is the page's address.
        ("https://www.example.co.uk/a?p=2", "https://news.example.co.uk/a", "claimed"),
        ("http://amp.example.com/a", "https://example.com/a", "claimed"),
        ("https://example.com/a", "/b", "https://example.com/b"),
        # Another site: the page's address is the URL it was fetched from.
        ("https://example.co.uk/a", "https://other.co.uk/a", "page"),
        ("https://alice.github.io/a", "https://bob.github.io/a", "page"),
        ("https://example.com.evil.net/a", "https://example.com/a", "page"),
        ("http://127.0.0.1:8000/a", "http://127.0.0.2:8000/a", "page"),
        ("https://example.com/a", "javascript:alert(1)", "page"),
    ],
)
def test_a_canonical_url_counts_only_on_the_page_s_own_site(
    tag: str, page_url: str, claimed: str, address: str
) -> None:
    expected = {"claimed": claimed, "page": page_url}.get(address, address)
    assert canonical_url(canonical_page(claimed, tag), page_url) == expected


def test_a_canonical_url_is_read_as_declared() -> None:
    html = canonical_page("https://other.co.uk/a")
    assert declared_canonical(html, "https://example.co.uk/a") == "https://other.co.uk/a"
    assert declared_canonical("<p>no head</p>", "https://example.co.uk/a") is None


def test_an_article_naming_another_site_as_canonical_keeps_its_own_address() -> None:
    html = fixture("noisy-page.html").replace(
        'href="/news/2024/05/harbour-lighthouse-vote"', 'href="https://victim.test/lighthouse"'
    )
    assert extract_html(html, PAGE_URL).url == PAGE_URL


def test_page_without_text_raises_no_article_text() -> None:
    html = "<html><head><title>Gallery</title></head><body><img src='a.jpg'></body></html>"
    with pytest.raises(NoArticleText) as caught:
        extract_html(html, PAGE_URL)
    assert isinstance(caught.value, ExtractionError)
    assert "article text" in str(caught.value)


def test_paste_takes_its_headline_as_title_and_drops_the_noise() -> None:
    article = extract_text(fixture("noisy-paste.txt"))
    assert article.title == "Bakery chain pledges to stop throwing away unsold bread"
    assert article.paragraphs[0].startswith("A national bakery chain has promised")
    assert article.paragraphs[-1].startswith("Campaigners welcomed the pledge")
    assert len(article.paragraphs) == 4
    for noise in ("Google Ads", "Bakeries", "Tom Ashdown", "4:55 PM", "Advertisement", "Share"):
        assert noise not in article.text


def test_given_title_is_kept_and_its_repeat_dropped() -> None:
    text = "Tide tables\n\nThe tide will turn at noon on Sunday, the harbour master said."
    article = extract_text(text, title="Tide tables")
    assert article.title == "Tide tables"
    assert article.paragraphs == ("The tide will turn at noon on Sunday, the harbour master said.",)


def test_single_paragraph_paste_has_no_title() -> None:
    article = extract_text("Short note without a period")
    assert article.title == ""
    assert article.paragraphs == ("Short note without a period",)


def test_hard_wrapped_paste_is_rejoined() -> None:
    text = "The ferry left at dawn and\ncrossed the bay in an hour.\nIt returned at noon."
    article = extract_text(text)
    assert article.paragraphs == (
        "The ferry left at dawn and crossed the bay in an hour.",
        "It returned at noon.",
    )


def test_paste_of_only_boilerplate_raises() -> None:
    with pytest.raises(NoArticleText):
        extract_text("Advertisement\n\nShare this article Share\n\n \n")


@pytest.mark.parametrize(
    "data",
    [
        "<!DOCTYPE html><html><body><p>x</p></body></html>",
        "  <!-- saved page -->\n<html lang='en'><p>x</p></html>",
        "<div><p>One</p><p>Two <a href='/x'>link</a></p></div>",
    ],
)
def test_html_is_recognised(data: str) -> None:
    assert looks_like_html(data)


@pytest.mark.parametrize(
    "data",
    [
        "A plain paragraph about x < y and the <b> tag.",
        fixture("noisy-paste.txt"),
    ],
)
def test_text_is_not_html(data: str) -> None:
    assert not looks_like_html(data)


def test_a_page_of_menus_is_not_an_article() -> None:
    page = "<html><body><nav>Home</nav><ul><li>Sign in</li><li>News</li></ul></body></html>"
    with pytest.raises(NoArticleText):
        extract_html(page, "https://example.com/")


BODY = (
    "The council voted on Tuesday to keep the old lighthouse lit for another ten years.",
    "Residents had collected more than two thousand signatures in favour of the light.",
    "The keeper said the lamp would be serviced before the winter storms arrive.",
)


def page(body: str, title: str = "Lighthouse stays lit") -> str:
    return f"<html><head><title>{title}</title></head><body><article>{body}</article></body></html>"


def paragraphs_html(*paragraphs: str) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def test_a_table_layout_page_gives_its_article() -> None:
    article = extract_html(fixture("table-layout.html"), "https://spacereview.test/article/1")
    assert article.paragraphs[0].startswith("The agency announced on Monday")
    assert article.paragraphs[-1].startswith("Critics argue the schedule")
    assert len(article.paragraphs) == 5
    assert not [p for p in article.paragraphs if "Archive" in p or "|" in p]


def test_a_hover_card_of_links_inside_a_paragraph_is_dropped() -> None:
    card = (
        '<span class="card"><span><a href="/people/ada">Ada Lovelace Byron</a>'
        '<a href="/n/1">Governor signs the harbour budget</a> '
        '<a href="/n/2">Governor visits the ferry terminal</a> <a href="/people/ada">MORE</a>'
        "</span></span>"
    )
    first = (
        f'Governor <span><a href="/people/ada">Ada Lovelace</a>{card}</span> (R) opened the debate.'
    )
    article = extract_html(page(paragraphs_html(first, *BODY)), PAGE_URL)
    assert article.paragraphs[0] == "Governor Ada Lovelace (R) opened the debate."


def test_what_stands_above_the_headline_is_not_the_article() -> None:
    body = (
        "<p>Night mode is an automatic setting of the new camera in the latest phones.</p>"
        "<h2>New laptop now available</h2><h1>Lighthouse stays lit</h1>" + paragraphs_html(*BODY)
    )
    article = extract_html(page(body), PAGE_URL)
    assert article.paragraphs == BODY


def test_a_standfirst_under_the_headline_is_not_the_article() -> None:
    body = (
        "<h1>Lighthouse stays lit</h1>"
        "<h2>The vote ends a long campaign. But the money for repairs is not found yet.</h2>"
        + paragraphs_html(*BODY)
    )
    article = extract_html(page(body, title="Opinion | Lighthouse stays lit"), PAGE_URL)
    assert article.paragraphs == BODY
