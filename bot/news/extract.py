"""From a page's HTML, or a pasted text, to an `Article`: the text a reader came for."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html
import trafilatura
from lxml.etree import ParserError
from trafilatura.settings import Document, set_date_params

from bot.errors import UserError
from bot.news.article import Article
from bot.news.clean import clean_paragraphs, clean_text, is_sentence


class ExtractionError(UserError):
    """Turning a page or a text into an article failed."""


class NoArticleText(ExtractionError):
    def __init__(self) -> None:
        super().__init__("I couldn't find any article text there.")


HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
HTML_TAGS = re.compile(r"<(?:p|div|article|span|a|br|meta|title|script)\b[^>]*>", re.I)
MIN_HTML_TAGS = 3

HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
# A page's own address, best first.
CANONICAL_XPATHS = (
    "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href",
    "//meta[@property='og:url']/@content",
)


def looks_like_html(data: str) -> bool:
    """Whether `data` is an HTML document rather than text, judged by its content."""
    head = data[:4096]
    return bool(HTML_START.match(head)) or len(HTML_TAGS.findall(head)) >= MIN_HTML_TAGS


def require_prose(paragraphs: list[str]) -> None:
    """A page of menus and labels ("Home", "Sign in") has no sentence: it is not an article."""
    if not any(is_sentence(paragraph) for paragraph in paragraphs):
        raise NoArticleText


def extract_html(html: str, url: str | None = None) -> Article:
    """The article in a page: its text as paragraphs, and what the page says about it.

    Raises NoArticleText when the page holds no article text.
    """
    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,  # readers' comments are not the article
        # Dates from the page's markup only: searching the whole text costs about a fifth of
        # the extraction time and found a date on 1 more page of the 102 benchmark pages.
        date_extraction_params=set_date_params(extensive=False),
    )
    if not isinstance(document, Document) or not document.text:
        raise NoArticleText
    title = document.title or ""
    paragraphs = clean_paragraphs(document.text.splitlines(), title)
    require_prose(paragraphs)
    return Article(
        title=title,
        paragraphs=tuple(paragraphs),
        url=canonical_url(html, url),
        author=document.author,
        published=document.date,
        site_name=document.sitename,
        image=absolute(url, document.image),
    )


def canonical_url(html: str, url: str | None) -> str | None:
    """The page's canonical address (link rel=canonical, else og:url) against its own URL.

    Read here rather than from trafilatura, which resolves a relative canonical link against
    whichever og: URL comes first, an image's CDN for instance.
    """
    end = HEAD_END.search(html)
    try:
        head = lxml.html.fromstring(html[: end.start()] if end else html)
    except (ParserError, ValueError):  # empty, or a string with an encoding declaration
        return url
    for xpath in CANONICAL_XPATHS:
        for link in head.xpath(xpath):
            found = absolute(url, link.strip())
            if found and found.startswith(("http://", "https://")):  # relative, with no base: no
                return found
    return url


def absolute(base: str | None, link: str | None) -> str | None:
    """`link` resolved against the page's own URL, when there is one."""
    if not link:
        return None
    return urljoin(base, link) if base else link


def extract_text(text: str, title: str | None = None) -> Article:
    """A pasted text (a message, a .txt file) as an article, cleaned like a page.

    Raises NoArticleText when nothing but boilerplate is left.
    """
    title, paragraphs = clean_text(text, title)
    if not paragraphs:
        raise NoArticleText
    return Article(title=title, paragraphs=tuple(paragraphs))
