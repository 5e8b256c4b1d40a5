import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.pipeline.addresses import normal_url
from bot.pipeline.feeds import (
    FeedEntry,
    FeedError,
    discover_feed_urls,
    entry_key,
    html_to_text,
    looks_like_feed,
    parse_feed,
)

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def rss(items: str, channel_title: str = "Feed") -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        f"<title>{channel_title}</title><link>https://feed.example/</link>{items}"
        "</channel></rss>"
    )


def test_rss2() -> None:
    feed = parse_feed(fixture("rss2.xml"), "https://orbit.example/feed.xml")
    assert feed.title == "Orbit & Beyond"
    assert feed.link == "https://orbit.example/"
    first = feed.entries[0]
    assert first == FeedEntry(
        link="https://orbit.example/2024/launch?utm_source=rss&id=7",
        title="Big & news",
        guid="orbit-7",
        published="2024-01-02T09:30:00+00:00",
        summary="The rocket launched. Crowds cheered.",
    )


def test_relative_links_are_resolved_and_linkless_entries_skipped() -> None:
    feed = parse_feed(fixture("rss2.xml"), "https://orbit.example/feed.xml")
    assert [entry.link for entry in feed.entries] == [
        "https://orbit.example/2024/launch?utm_source=rss&id=7",
        "https://orbit.example/2024/relative",
    ]
    assert feed.entries[1].guid is None
    assert feed.entries[1].published is None


def test_rss1_rdf() -> None:
    feed = parse_feed(fixture("rss1.rdf"), "https://rdf.example/index.rdf")
    assert feed.title == "RDF Weekly"
    (entry,) = feed.entries
    assert entry.link == "https://rdf.example/one"
    assert entry.title == "First issue"
    assert entry.published == "2024-02-01T08:00:00+00:00"
    assert entry.summary == "Issue one."


def test_atom() -> None:
    feed = parse_feed(fixture("atom.xml"), "https://atom.example/feed.xml")
    assert feed.title == "Atom Blog"
    assert feed.link == "https://atom.example/"
    second, first = feed.entries  # newest first, as the feed lists them
    assert second.guid == "urn:uuid:entry-2"
    assert second.link == "https://atom.example/blog/posts/2"  # resolved against xml:base
    assert second.title == "Second post"
    assert second.published == "2024-03-02T07:15:00+00:00"  # published wins over updated
    assert second.summary == "Body two"
    assert first.published == "2024-03-01T12:00:00+00:00"  # falls back to updated
    assert first.summary == "Summary one"


def test_str_body_is_parsed_not_fetched() -> None:
    # A URL-looking or file-name-looking string must be treated as content.
    with pytest.raises(FeedError):
        parse_feed("https://example.com/feed.xml", "https://example.com/feed.xml")
    with pytest.raises(FeedError):
        parse_feed(str(FIXTURES / "rss2.xml"), "https://example.com/feed.xml")
    feed = parse_feed(rss("<item><title>Café</title><link>/c</link></item>"), "https://x.example/")
    assert feed.entries[0].title == "Café"


def test_entries_without_a_web_link_are_skipped() -> None:
    items = "".join(
        f"<item><title>{n}</title><link>{link}</link></item>"
        for n, link in enumerate(["javascript:alert(1)", "http://[broken/", "  ", "mailto:a@b.c"])
    )
    feed = parse_feed(rss(items + "<item><title>ok</title><link>ok</link></item>"), "http://x.ex/")
    assert [entry.link for entry in feed.entries] == ["http://x.ex/ok"]


def test_title_falls_back_to_host() -> None:
    body = '<?xml version="1.0"?><rss version="2.0"><channel><item><link>/a</link></item>'
    feed = parse_feed(body + "</channel></rss>", "https://www.untitled.example/rss")
    assert feed.title == "www.untitled.example"
    assert feed.link is None


def test_feed_title_html_and_whitespace() -> None:
    feed = parse_feed(rss("", channel_title="  The\n  &lt;b&gt;Daily&lt;/b&gt;  "), "https://x.ex/")
    assert feed.title == "The Daily"
    assert feed.entries == ()


def test_huge_feed_is_capped() -> None:
    items = "".join(f"<item><title>Story {n}</title><link>/s/{n}</link></item>" for n in range(500))
    feed = parse_feed(rss(items), "https://big.example/rss")
    assert len(feed.entries) == 50
    assert feed.entries[0].title == "Story 0"
    assert len(parse_feed(rss(items), "https://big.example/rss", max_entries=3).entries) == 3


def atom(entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Atom &amp; Eve</title>{entries}</feed>"
    )


def rdf(items: str) -> str:
    return (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/"><channel><title>Ardeef</title></channel>'
        f"{items}</rdf:RDF>"
    )


@pytest.mark.parametrize(
    ("wrap", "entry"),
    [
        (rss, "<item><title>Story {n}</title><link>/s/{n}</link></item>"),
        (atom, '<entry><title>Story {n}</title><link href="/s/{n}"/></entry>'),
        (rdf, '<item rdf:about="/s/{n}"><title>Story {n}</title><link>/s/{n}</link></item>'),
    ],
)
def test_a_feed_of_100k_entries_reads_only_its_newest(
    wrap: Callable[[str], str], entry: str
) -> None:
    body = wrap("".join(entry.format(n=n) for n in range(100_000))).encode()
    started = time.perf_counter()
    feed = parse_feed(body, "https://big.example/feed", max_entries=50)
    assert time.perf_counter() - started < 5  # reading all of it takes about 20 s
    assert [entry.title for entry in feed.entries] == [f"Story {n}" for n in range(50)]
    assert feed.entries[49].link == "https://big.example/s/49"
    assert feed.title in {"Feed", "Atom & Eve", "Ardeef"}


def test_a_feed_broken_after_its_newest_entries_reads_them_whole() -> None:
    items = "".join(f"<item><title>Story {n}</title><link>/s/{n}</link></item>" for n in range(200))
    feed = parse_feed(rss(items + "<item><title>Salt & pepper</title></item>"), "https://b.ex/")
    assert [entry.title for entry in feed.entries] == [f"Story {n}" for n in range(50)]
    text = parse_feed(rss(items).replace("Story 0", "Café"), "https://b.ex/", max_entries=1)
    assert text.entries[0].title == "Café"


def test_malformed_but_usable_feed_parses() -> None:
    # An unescaped ampersand makes it not well-formed XML; feedparser's loose parser copes.
    items = "<item><title>Salt & pepper</title><link>https://m.example/1</link></item>"
    feed = parse_feed(rss(items, channel_title="Broken & fine"), "https://m.example/rss")
    assert feed.title == "Broken & fine"
    assert [entry.title for entry in feed.entries] == ["Salt & pepper"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (fixture("page.html"), "is a web page, not an RSS or Atom feed"),
        (b"", "sent an empty page"),
        ("just some text", "is not an RSS or Atom feed"),
        ('{"version": "https://jsonfeed.org/version/1"}', "is not an RSS or Atom feed"),
    ],
)
def test_not_a_feed(body: bytes | str, message: str) -> None:
    with pytest.raises(FeedError, match=message) as raised:
        parse_feed(body, "https://site.example/news")
    assert "https://site.example/news" in str(raised.value)


def test_empty_but_valid_feed_is_not_an_error() -> None:
    assert parse_feed(rss(""), "https://quiet.example/rss").entries == ()


def test_discover_feed_urls() -> None:
    html = fixture("page.html").decode()
    assert discover_feed_urls(html, "https://orbit.example/news/today") == [
        "https://orbit.example/feeds/all.rss",
        "https://cdn.example/atom.xml",
    ]


def test_discover_respects_base_and_finds_nothing_in_plain_pages() -> None:
    html = (
        '<head><base href="https://base.example/sub/">'
        '<link rel="alternate" type="application/atom+xml" href="atom.xml"></head>'
    )
    assert discover_feed_urls(html, "https://page.example/") == [
        "https://base.example/sub/atom.xml"
    ]
    assert discover_feed_urls("<p>No feeds here</p>", "https://page.example/") == []


def test_discovery_reads_the_head_of_a_long_page_only() -> None:
    head = '<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head>'
    html = head + "<body>" + '<p><a href="/x">A link</a></p>' * 150_000 + "</body></html>"
    started = time.perf_counter()
    assert discover_feed_urls(html, "https://long.example/") == ["https://long.example/rss"]
    assert time.perf_counter() - started < 2  # reading all of it takes about 6 s


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (fixture("rss2.xml"), True),
        (fixture("rss1.rdf"), True),
        (fixture("atom.xml"), True),
        (b'\xef\xbb\xbf\n  <rss version="2.0"><channel/></rss>', True),
        ('<?xml version="1.0"?><?xml-stylesheet href="s.xsl"?><!-- hi -->\n<feed>', True),
        ('<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x.dtd"><rss version="0.91">', True),
        ('<?xml version="1.0" encoding="utf-16"?><feed>'.encode("utf-16"), True),
        (fixture("page.html"), False),
        ("<html><body><rss></rss></body></html>", False),
        ("", False),
    ],
)
def test_looks_like_feed(data: bytes | str, expected: bool) -> None:
    assert looks_like_feed(data) is expected


def test_entry_key_prefers_guid_else_normalised_link() -> None:
    with_guid = FeedEntry(link="https://a.example/1?utm_source=x", title="A", guid="urn:1")
    without = FeedEntry(link="HTTPS://A.example/1?utm_source=x&b=2&a=1#c", title="A")
    assert entry_key(with_guid) == "urn:1"
    assert entry_key(without) == "https://a.example/1?b=2&a=1" == normal_url(without.link)


def test_html_to_text() -> None:
    assert html_to_text("<b>Big</b> &amp; news") == "Big & news"
    assert html_to_text("<p>One</p><p>Two<br>three</p>") == "One Two three"
    assert html_to_text("Bold<b>er</b> <script>alert(1)</script>end") == "Bolder end"
    assert html_to_text("5 < 6 &amp; AT&T") == "5 < 6 & AT&T"
