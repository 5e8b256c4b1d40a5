"""Feeds: parse an already-fetched RSS or Atom body into entries, and find a page's feeds.

Nothing here touches the network: feedparser only ever sees the bytes it is given.
"""

from __future__ import annotations

import codecs
import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.parsers import expat

import feedparser

from bot.errors import UserError
from bot.pipeline.addresses import normal_url
from bot.pipeline.feed_xml import read_plain_feed

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml"})
WEB_SCHEMES = frozenset({"http", "https"})
# Tags that separate words, so `<p>One</p><p>Two</p>` reads "One Two", not "OneTwo".
_BLOCK_TAGS = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"blockquote", "pre", "hr", "img", "figure", "figcaption", "table", "section", "article"}
)
_SKIPPED_TAGS = frozenset({"script", "style"})
_SNIFF_BYTES = 2048
_DISCOVERY_CHUNK = 16384
# A feed's root element, after any BOM, whitespace, XML declaration, comments,
# processing instructions (stylesheets) and doctype.
_FEED_START = re.compile(
    r"\s*(?:(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>)\s*)*<(?:rss|feed|rdf:RDF)[\s>]",
    re.DOTALL | re.IGNORECASE,
)
_HTML_START = re.compile(r"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)
_ENTRY_TAGS = frozenset({"item", "entry"})  # RSS and Atom, whatever their namespace prefix
# An entry's end tag, as expat counts them; also found in comments and CDATA, so never fewer.
_ENTRY_END = re.compile(rb"</(?:[^\s<>/]+:)?(?:item|entry)\s*>")


class FeedError(UserError, ValueError):
    """The body is not a feed; the message is fit to show the user."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed: its link and title, and what the feed says of it (`summary` is
    plain text, empty when it has none)."""

    link: str
    title: str
    guid: str | None = None
    published: str | None = None
    summary: str = ""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed's title, the link it gives (its site's), and its entries in the feed's order."""

    title: str
    link: str | None
    entries: tuple[FeedEntry, ...]


def entry_key(entry: FeedEntry) -> str:
    """What identifies an entry across polls: its guid, else its link as `normal_url` spells
    it (the key the desk reads it by)."""
    return entry.guid or normal_url(entry.link)


# --- URLs ---------------------------------------------------------------------------------


def _absolute_link(href: str | None, base: str) -> str | None:
    """`href` resolved against `base`, if that gives a web (http or https) URL."""
    if not href or not href.strip():
        return None  # urljoin would give back the base itself
    try:
        link = urljoin(base, href.strip())
    except ValueError:  # e.g. a malformed IPv6 literal
        return None
    return link if urlsplit(link).scheme in WEB_SCHEMES else None


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


# --- HTML to text -------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS and self.skipping:
            self.skipping -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, entities decoded and whitespace collapsed."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return " ".join("".join(extractor.parts).split())


# --- Parsing ------------------------------------------------------------------------------


def parse_feed(
    data: bytes | str, url: str, *, max_entries: int = 50, fast: bool = True
) -> ParsedFeed:
    """Parse a fetched RSS 0.9x/1.0/2.0 or Atom body; `url` is where it came from.

    Entries come newest first as the feed lists them, those without a web link are skipped,
    and at most `max_entries` are kept. Raises FeedError if the body is not a feed.
    Plain RSS 2.0 and Atom take `read_plain_feed`'s fast path (unless `fast` is False), the
    rest feedparser's; both give the same entries. CPU-bound (up to a second for a large,
    broken feed): call it in a worker.
    """
    # Entries without a link are skipped, so read twice as many as are kept.
    cut = _first_entries(data, 2 * max(max_entries, 1))
    result = (fast and _plain_feed(cut, url)) or _feedparser(cut, url)
    feed = result["feed"]
    if not _is_feed(result):
        raise FeedError(_not_a_feed(data, url))
    return ParsedFeed(
        title=html_to_text(feed.get("title") or "") or _host(url),
        link=_absolute_link(feed.get("link"), url),
        entries=tuple(islice(_entries(result["entries"], url), max(max_entries, 0))),
    )


class _Enough(Exception):
    def __init__(self, cut: int, open_tags: list[str]) -> None:
        self.cut = cut
        self.open_tags = open_tags


def _first_entries(data: bytes | str, count: int) -> bytes | str:
    """The feed cut after its first `count` entries and closed again, for feedparser reads
    every entry, slowly (about 20 s for 100,000), only to keep a few. A feed's own title or link
    listed after that many entries is lost. Unchanged when the feed has no more entries, or
    when expat cannot read that far: feedparser's lenient parser then reads it whole."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if b"\x00" in raw[:_SNIFF_BYTES]:  # UTF-16: the closing tags below would be ASCII
        return data
    if len(_ENTRY_END.findall(raw)) < count:  # too few entries to cut (found in C, not expat)
        return data
    parser = expat.ParserCreate()
    open_tags: list[str] = []
    entries = 0

    def start(name: str, _attributes: dict[str, str]) -> None:
        reached()
        open_tags.append(name)

    def end(name: str) -> None:
        nonlocal entries
        reached()
        open_tags.pop()
        if name.rpartition(":")[2] in _ENTRY_TAGS:
            entries += 1

    def reached(*_: object) -> None:
        """Stop at the first event after the last wanted entry's end: it starts the cut."""
        if entries >= count:
            raise _Enough(parser.CurrentByteIndex, open_tags)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = parser.CommentHandler = reached
    parser.ProcessingInstructionHandler = parser.StartCdataSectionHandler = reached
    try:
        parser.Parse(raw, True)
    except _Enough as enough:
        closing = "".join(f"</{tag}>" for tag in reversed(enough.open_tags))
        if isinstance(data, str):  # the cut falls between tokens, so between characters
            return raw[: enough.cut].decode("utf-8") + closing
        return raw[: enough.cut] + closing.encode()
    except expat.ExpatError:
        pass
    return data


def _plain_feed(data: bytes | str, url: str) -> Any:
    """`read_plain_feed`'s result, given the body as `_feedparser` gives it to feedparser."""
    if isinstance(data, str):
        return read_plain_feed(data.encode("utf-8"), url, encoding="utf-8")
    return read_plain_feed(data, url)


def _feedparser(data: bytes | str, url: str) -> Any:
    # A stream, never a string: feedparser treats a string as a URL or file name to open.
    headers = {"content-location": url, "content-type": "application/xml"}
    if isinstance(data, str):
        data = data.encode("utf-8")
        headers["content-type"] += "; charset=utf-8"
    return feedparser.parse(io.BytesIO(data), response_headers=headers)


def _is_feed(result: Any) -> bool:
    if result["entries"]:
        return True  # usable even if feedparser hit a minor error (bozo)
    # No entries: still a feed if recognised, and either well-formed or at least titled.
    titled_or_clean = result["feed"].get("title") or not result.get("bozo")
    return bool(result.get("version") and titled_or_clean)


def _not_a_feed(data: bytes | str, url: str) -> str:
    head = _head(data)
    if not head.strip():
        return f"{url} sent an empty page, not a feed"
    if _HTML_START.search(head):
        return f"{url} is a web page, not an RSS or Atom feed"
    return f"{url} is not an RSS or Atom feed, or is too broken to read"


def _entries(raw_entries: list[Any], url: str) -> Iterator[FeedEntry]:
    for raw in raw_entries:
        if link := _absolute_link(raw.get("link"), url):
            yield _entry(raw, link)


def _entry(raw: Any, link: str) -> FeedEntry:
    return FeedEntry(
        link=link,
        title=html_to_text(raw.get("title") or ""),
        guid=(raw.get("id") or "").strip() or None,
        published=_iso_utc(raw.get("published_parsed") or raw.get("updated_parsed")),
        summary=html_to_text(raw.get("summary") or ""),
    )


def _iso_utc(parsed: time.struct_time | None) -> str | None:
    # feedparser normalises dates to UTC struct_time.
    return datetime(*parsed[:6], tzinfo=UTC).isoformat() if parsed else None


# --- Sniffing and discovery ---------------------------------------------------------------


def looks_like_feed(data: bytes | str) -> bool:
    """Cheap sniff: does the body start with an RSS, RDF or Atom root element?"""
    return _FEED_START.match(_head(data)) is not None


def _head(data: bytes | str) -> str:
    """The start of a body as text, without a byte-order mark."""
    head = data[:_SNIFF_BYTES]
    if isinstance(head, bytes):
        utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        head = head.decode("utf-16" if utf16 else "utf-8", "ignore")
    return head.lstrip("\ufeff")


class _FeedLinkFinder(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = page_url
        self.urls: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_body = self.in_body or tag == "body"
        attributes = {name: value or "" for name, value in attrs}
        url = _absolute_link(attributes.get("href"), self.base)
        if url and tag == "base":
            self.base = url
        elif url and tag == "link" and _is_feed_link(attributes) and url not in self.urls:
            self.urls.append(url)


def _is_feed_link(attributes: dict[str, str]) -> bool:
    rels = attributes.get("rel", "").lower().split()
    mime = attributes.get("type", "").split(";")[0].strip().lower()
    return "alternate" in rels and mime in FEED_TYPES


def discover_feed_urls(html: str, page_url: str) -> list[str]:
    """The RSS/Atom feeds a page advertises with `<link rel="alternate">`, absolute, in order."""
    finder = _FeedLinkFinder(page_url)
    for start in range(0, len(html), _DISCOVERY_CHUNK):
        finder.feed(html[start : start + _DISCOVERY_CHUNK])
        if finder.in_body:  # feed links belong in the head: a long page is not read through
            break
    finder.close()
    return finder.urls
