"""The fast RSS/Atom reader against feedparser: on the feeds it reads, the same entries (both
paths run, their outputs compared); on the ones it does not, feedparser reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.feeds import ENTRIES, feed_xml
from bot.pipeline.feed_xml import read_plain_feed
from bot.pipeline.feeds import FeedError, ParsedFeed, parse_feed

URL = "https://news.example/section/feed.xml"
FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
ATOM_NS = 'xmlns="http://www.w3.org/2005/Atom"'
XHTML_NS = 'xmlns="http://www.w3.org/1999/xhtml"'


def rss(items: str, channel: str = "<title>Daily &amp; Co</title><link>/</link>") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom">'
        f"<channel>{channel}{items}</channel></rss>"
    )


def atom(entries: str, head: str = "<title>Atom news</title>") -> str:
    return f'<?xml version="1.0"?><feed {ATOM_NS}>{head}{entries}</feed>'


def item(*parts: str) -> str:
    return "<item>" + "".join(parts) + "</item>"


def entry(*parts: str) -> str:
    return "<entry>" + "".join(parts) + "</entry>"


TITLE = "<title>Harbour vote passes</title>"
LINK = "<link>https://news.example/a/1</link>"
DATE = "<pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>"

FAST = {
    "RSS, plain": rss(
        item(TITLE, LINK, "<guid>story-1</guid>", DATE, "<description>Text.</description>")
    ),
    "RSS, CDATA with HTML": rss(
        item(
            "<title><![CDATA[Tom & Jerry <b>return</b>]]></title>",
            LINK,
            "<description><![CDATA[<p>One</p><p>Two &amp; three<br/>four</p>"
            "<script>alert(1)</script><style>p{}</style>]]></description>",
        )
    ),
    "RSS, escaped HTML and entities": rss(
        item(
            "<title>Caf&#233; &lt;i&gt;news&lt;/i&gt; &amp;amp; more</title>",
            LINK,
            "<description>&lt;p&gt;A&lt;/p&gt;&lt;ul&gt;&lt;li&gt;b&lt;/li&gt;&lt;/ul&gt;c "
            "&amp;nbsp; d &amp;mdash; e</description>",
        )
    ),
    "RSS, relative links and guids": rss(
        item("<title>Rel</title><link>../a/2?x=1&amp;y=2</link><guid>rel-2</guid>")
        + item("<title>Link from guid</title><guid>https://news.example/a/3</guid>")
        + item("<title>No permalink</title><guid isPermaLink='false'>id-4</guid>")
        + item("<title>Guid first</title><guid>g-5</guid><link>/a/5</link>")
        + item("<title>Link first</title><link>/a/6</link><guid>g-6</guid>")
        + item("<title>Query</title><link>/a/7?a=1&amp;amp;b=2&amp;c;=3</link>")
    ),
    "RSS, xml:base": rss(
        '<item xml:base="https://other.example/dir/"><title>Based</title><link>x/8</link></item>'
        + item('<title>Link base</title><link xml:base="/deep/">y/9</link>'),
        channel='<title>T</title><link xml:base="https://site.example/">home/</link>',
    ),
    "RSS, channel xml:base": rss(
        item("<title>Channel based</title><link>c/1</link><guid>g-1</guid>"),
        channel="<title>T</title><link>/</link>",
    ).replace("<channel>", '<channel xml:base="https://cdn.example/news/">'),
    "RSS, dates": rss(
        item(TITLE, "<link>/d/1</link><pubDate>Tue, 24 Nov 2026 08:00:00 +0130</pubDate>")
        + item(TITLE, "<link>/d/2</link><pubDate>24 Nov 2026 08:00 EST</pubDate>")
        + item(TITLE, "<link>/d/3</link><pubDate>2026-11-24T08:00:00.5-05:00</pubDate>")
        + item(TITLE, "<link>/d/4</link><pubDate>not a date</pubDate>")
        + item(TITLE, "<link>/d/5</link><pubDate></pubDate>")
    ),
    "RSS, summary from content": rss(
        item(TITLE, "<link>/c/1</link><content:encoded>&lt;p&gt;Full&lt;/p&gt;</content:encoded>")
        + item(
            TITLE,
            "<link>/c/2</link><content:encoded>Full</content:encoded>",
            "<description>Short</description>",
        )
        + item(TITLE, "<link>/c/3</link><description>Short</description>")
    ),
    "RSS, missing guid, link and title": rss(
        item("<title>No link</title>") + item(LINK) + item("<title> </title><link> </link>")
    ),
    "RSS, extras": rss(
        item(
            TITLE,
            LINK,
            "<category>Local</category><author>ed@news.example (Ed)</author>",
            "<comments>/a/1#comments</comments><dc:creator>Ed</dc:creator>",
            '<enclosure url="/a.mp3" length="1" type="audio/mpeg"/>',
            '<source url="https://wire.example/rss">Wire</source>',
        ),
        channel="<title>Extras</title><link>https://news.example/</link>"
        '<atom:link href="https://news.example/feed.xml" rel="self" type="application/rss+xml"/>'
        "<description>About</description><language>en</language><ttl>60</ttl>"
        "<lastBuildDate>Tue, 24 Nov 2026 08:00:00 GMT</lastBuildDate>"
        "<image><url>/logo.png</url><title>Logo</title><link>/logo</link></image>",
    ),
    "RSS, Atom alternate link in the channel": rss(
        item(TITLE, LINK),
        channel='<title>T</title><link>/one</link><atom:link href="/two" type="text/html"/>',
    ),
    "RSS, no channel title, no entries": rss(""),
    "RSS, unicode and comments": rss(
        item(
            "<title>Zürich <!-- a comment --> łódź 東京 “quoted”</title>",
            LINK,
            "<description>Ça va — très bien</description>",
        )
    ),
    "Atom, xhtml content": atom(
        entry(
            "<id>tag:news.example,2026:1</id>",
            f'<title type="xhtml"><div {XHTML_NS}><b>Bold</b> &amp; <i>plain</i></div></title>',
            '<link href="/a/1"/>',
            "<updated>2026-11-24T08:00:00Z</updated>",
            f'<content type="xhtml"><div {XHTML_NS}><p>One</p><p>Two &lt;3<br/>x</p>'
            "<script>bad()</script></div></content>",
        )
    ),
    "Atom, links and ids": atom(
        entry("<id>https://news.example/a/2</id><title>Id is link</title>")
        + entry(
            '<title>Many links</title><link rel="self" href="/self"/>',
            '<link rel="alternate" type="text/html" href="/alt1"/>',
            '<link rel="enclosure" href="/a.mp3"/><link href="/alt2"/>',
            '<link rel="alternate" type="application/pdf" href="/doc.pdf"/>',
        )
        + entry('<title>Id after link</title><link href="/l/3"/><id>/id/3</id>')
        + entry('<title>Upper type</title><link rel="ALTERNATE" type="TEXT/HTML" href="/l/4"/>'),
        head='<title type="html">Atom &lt;b&gt;news&lt;/b&gt;</title>'
        '<link rel="self" href="/feed"/><id>https://news.example/home</id>',
    ),
    "Atom, xml:base": (
        f'<?xml version="1.0"?><feed {ATOM_NS} xml:base="https://base.example/blog/">'
        '<title>Based</title><link href="./"/>'
        '<entry xml:base="posts/"><title>E</title><link href="1"/></entry>'
        '<entry><title>F</title><link xml:base="/x/" href="y"/></entry></feed>'
    ),
    "Atom, dates and summaries": atom(
        entry(
            '<title>P</title><link href="/p/1"/><published>2026-11-24T10:00:00+02:00</published>',
            "<updated>2026-11-25T00:00:00Z</updated><summary>Sum &amp; more</summary>",
            '<content type="html">&lt;p&gt;Body&lt;/p&gt;</content>',
        )
        + entry(
            '<title>U</title><link href="/p/2"/><updated>2026-11-24</updated>',
            '<content type="text">Plain &lt;b&gt;body&lt;/b&gt;</content>',
        )
        + entry(
            '<title type="text">Typed &lt;b&gt;text&lt;/b&gt;</title><link href="/p/3"/>',
            '<summary type="html">&lt;p&gt;S&lt;/p&gt;</summary>',
            "<author><name>Ann</name><uri>/ann</uri></author><category term='x'/>",
        )
    ),
    "Atom, no entries": atom(""),
}

# Feeds the fast reader leaves to feedparser, each for a reason of its own.
FALLBACK = {
    "RSS 1.0": (FIXTURES / "rss1.rdf").read_bytes(),
    "not well-formed": rss(item(TITLE, LINK, "<description>a & b</description>")),
    "HTML entity undeclared": rss(item("<title>A&nbsp;B</title>", LINK)),
    "doctype": '<!DOCTYPE rss [<!ENTITY x "y">]>' + rss(item("<title>&x;</title>", LINK))[21:],
    "unknown element": rss(item(TITLE, LINK, "<foo>bar</foo>")),
    "media title": rss(
        item(
            TITLE, LINK, '<media:title xmlns:media="http://search.yahoo.com/mrss/">M</media:title>'
        )
    ),
    "dc:date": rss(item(TITLE, LINK, "<dc:date>2026-11-24T08:00:00Z</dc:date>")),
    "two descriptions": rss(item(TITLE, LINK, "<description>a</description>" * 2)),
    "markup in a description": rss(item(TITLE, LINK, "<description><p>x</p></description>")),
    "Atom's updated in an RSS item": rss(
        item(TITLE, LINK, "<atom:updated>2026-11-24T08:00:00Z</atom:updated>")
    ),
    "a description in no namespace in Atom": atom(
        entry('<title>T</title><link href="/a"/><description xmlns="">D</description>')
    ),
    "an image in an item": rss(item(LINK, "<image><title>Logo</title></image>")),
    "unknown encoding": '<?xml version="1.0" encoding="x-unknown"?><rss version="2.0"/>',
    "Atom 0.3": '<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old</title></feed>',
    "Atom content by reference": atom(entry('<title>T</title><content src="/x"/>')),
    "Atom source": atom(entry("<title>T</title><source><title>S</title></source>")),
    "C1 controls": rss(item("<title>smart \u0093quotes\u0094</title>", LINK)),
    "HTML page": "<!doctype html><html><body><p>Hello</p></body></html>",
}


def both_paths(data: str | bytes, url: str = URL) -> tuple[ParsedFeed, ParsedFeed]:
    return parse_feed(data, url), parse_feed(data, url, fast=False)


@pytest.mark.parametrize("name", FAST)
def test_fast_path_gives_feedparsers_entries(name: str) -> None:
    data = FAST[name]
    assert read_plain_feed(data.encode(), URL) is not None, "the fast path reads it"
    fast, feedparser = both_paths(data)
    assert fast == feedparser
    assert fast == both_paths(data.encode())[1]  # bytes and text alike


@pytest.mark.parametrize("name", FALLBACK)
def test_unusual_feeds_fall_back_to_feedparser(name: str) -> None:
    data = FALLBACK[name]
    raw = data if isinstance(data, bytes) else data.encode()
    assert read_plain_feed(raw, URL) is None
    try:
        fast, feedparser = both_paths(data)
    except FeedError as error:
        with pytest.raises(FeedError, match=str(error)):
            parse_feed(data, URL, fast=False)
    else:
        assert fast == feedparser


@pytest.mark.parametrize("name", ["rss2.xml", "atom.xml", "rss1.rdf"])
def test_fixture_feeds_read_alike(name: str) -> None:
    fast, feedparser = both_paths((FIXTURES / name).read_bytes())
    assert fast == feedparser


def test_latin1_and_utf16_feeds_read_alike() -> None:
    body = rss(item("<title>Café crème</title>", LINK, "<description>Über</description>"))
    latin1 = body.replace("utf-8", "iso-8859-1").encode("iso-8859-1")
    utf16 = body.replace("utf-8", "utf-16").encode("utf-16")
    for data in (latin1, utf16):
        assert read_plain_feed(data, URL) is not None
        fast, feedparser = both_paths(data)
        assert fast == feedparser
        assert fast.entries[0].title == "Café crème"


def test_benchmark_feeds_read_alike_on_the_fast_path() -> None:
    url = "http://127.0.0.3:8080/feed/42.xml"
    for feed, newest in ((0, ENTRIES), (42, ENTRIES + 1), (7, ENTRIES + 5), (999, 3)):
        data = feed_xml(feed, newest, "http://127.0.0.3:8080")
        assert read_plain_feed(data.encode(), url) is not None
        fast, feedparser = both_paths(data.encode(), url)
        assert fast == feedparser
        assert len(fast.entries) == min(newest, ENTRIES)


def test_long_feeds_are_cut_alike() -> None:
    items = "".join(item(f"<title>T{n}</title><link>/a/{n}</link>") for n in range(30))
    data = rss(items, channel="<link>/</link>").replace(
        "</channel>", "<title>Late</title></channel>"
    )
    fast = parse_feed(data, URL, max_entries=5)
    assert fast == parse_feed(data, URL, max_entries=5, fast=False)
    assert [entry.title for entry in fast.entries] == [f"T{n}" for n in range(5)]
    assert fast.title == "news.example"  # the title after the cut is not read
