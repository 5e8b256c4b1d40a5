"""From a page's HTML, or a pasted text, to an `Article`: the text a reader came for."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import lxml.html
import trafilatura
from lxml.etree import ParserError, _Element
from trafilatura.settings import Document, set_date_params
from trafilatura.utils import load_html

from bot.errors import UserError
from bot.model import Article
from bot.pipeline.addresses import same_site
from bot.pipeline.clean import (
    LEAD_LINES,
    clean_paragraphs,
    clean_text,
    is_headline,
    is_sentence,
    same_text,
)


class ExtractionError(UserError):
    """Turning a page or a text into an article failed."""


class NoArticleText(ExtractionError):
    """Nothing but boilerplate was left of the page or text."""

    # The message is a parameter so that pickle, which calls the class with it, can make the
    # error again when a worker process sends it back.
    def __init__(self, message: str = "I couldn't find any article text there.") -> None:
        super().__init__(message)


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


def extract_html(html: str, url: str | None = None) -> Article:
    """The article in a page: its text as paragraphs, and what the page says about it.

    trafilatura's default extraction comes first; only when it finds no prose does the page get
    another reading (see `READINGS`). Raises NoArticleText when none finds article text.
    """
    tree = load_html(html)
    if tree is None:
        raise NoArticleText
    drop_link_clusters(tree)
    for document in readings(tree, url):
        title = document.title or ""
        paragraphs = clean_paragraphs(body_lines(document, title), title)
        if has_prose(paragraphs):
            return Article(
                title=title,
                paragraphs=tuple(paragraphs),
                url=canonical_url(html, url),
                author=document.author,
                published=document.date,
                site_name=document.sitename,
                image=absolute(url, document.image),
            )
    raise NoArticleText


def unwrap_layout_tables(tree: _Element) -> _Element:
    """A copy of the page with its tables as plain blocks.

    Old pages lay out the whole page as one table; trafilatura then reads the article as a
    data table and gives it back as one row of cells (`| Archive | The agency said... |`).
    """
    unwrapped = copy.deepcopy(tree)
    for element in unwrapped.iter("table", "thead", "tbody", "tfoot", "tr", "td", "th"):
        element.tag = "div"
    return unwrapped


# The readings of a page, in order: trafilatura's defaults, then the page without layout
# tables, then the same favouring recall (it keeps more of a sparse page's text). Each is
# (whether its tables are unwrapped, trafilatura's options).
READINGS: tuple[tuple[bool, dict[str, Any]], ...] = (
    (False, {}),
    (True, {}),
    (True, {"favor_recall": True}),
)


def readings(tree: _Element, url: str | None) -> Iterator[Document]:
    """trafilatura's documents for a page, one per reading, computed only when asked for; the
    copy without layout tables is made once, for the readings that need it."""
    unwrapped: _Element | None = None
    for unwrap, options in READINGS:
        if unwrap and unwrapped is None:
            unwrapped = unwrap_layout_tables(tree)
        document = trafilatura.bare_extraction(
            unwrapped if unwrap else tree,
            url=url,
            with_metadata=True,
            include_comments=False,  # readers' comments are not the article
            # Dates from the page's markup only: searching the whole text costs about a fifth of
            # the extraction time and found a date on 1 more page of the 102 benchmark pages.
            date_extraction_params=set_date_params(extensive=False),
            **options,
        )
        if isinstance(document, Document) and document.text:
            yield document


def has_prose(paragraphs: list[str]) -> bool:
    """A page of menus and labels ("Home", "Sign in") has no sentence: it is not an article."""
    return any(is_sentence(paragraph) for paragraph in paragraphs)


# A run of links nested in a paragraph, with no words of its own: a hover card or a related
# list that a site puts inside the sentence that names a person.
LINK_CLUSTER_MIN_LINKS = 3
LINK_CLUSTER_OWN_TEXT = 0.1


def drop_link_clusters(tree: _Element) -> None:
    """Remove link clusters inside paragraphs, innermost first, keeping the text after them."""
    for span in reversed(tree.xpath(f"//p//span[count(.//a) >= {LINK_CLUSTER_MIN_LINKS}]")):
        links = span.xpath(".//a")
        if len(links) < LINK_CLUSTER_MIN_LINKS:  # an inner cluster was dropped already
            continue
        text = len("".join(span.text_content().split()))
        linked = len("".join("".join(link.text_content() for link in links).split()))
        if text - linked <= LINK_CLUSTER_OWN_TEXT * text:
            span.drop_tree()


def element_text(element: _Element) -> str:
    """An element's text, its whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


def lead_furniture(body: _Element, title: str) -> list[str]:
    """What a page shows around its headline that is not the article.

    Among the first elements: whatever stands above the headline (a teaser of another story,
    a promotion), and the standfirst under it, a heading written as sentences. The headline
    is found by its text, so a page whose title adds a section or site name still matches.
    """
    lead = list(body)[:LEAD_LINES]
    headings = [el.tag == "head" and is_headline(element_text(el), title) for el in lead]
    headline = headings.index(True) if True in headings else -1
    furniture = [element_text(el) for el in lead[: headline + 1]]
    for element in lead[headline + 1 :]:
        if element.tag != "head" or not is_sentence(element_text(element)):
            break
        furniture.append(element_text(element))
    return furniture


def body_lines(document: Document, title: str) -> list[str]:
    """The text's lines, without the furniture around the headline."""
    lines = (document.text or "").splitlines()
    furniture = lead_furniture(document.body, title) if document.body is not None else []
    for text in furniture:
        for index, line in enumerate(lines[: len(furniture) + LEAD_LINES]):
            if same_text(line, text):  # by words: the text drops zero-width marks
                del lines[index]
                break
    return lines


def canonical_url(html: str, url: str | None) -> str | None:
    """The page's own address: the canonical URL it names when that is on the same site as
    `url` (the URL it was fetched from), else `url` itself.

    A page can name any address as canonical; taken on its word, a page on one site would be
    stored as another site's article (see `NewsDesk`, which checks such a claim by fetching).
    """
    claimed = declared_canonical(html, url)
    if claimed is None or (url is not None and not same_site(claimed, url)):
        return url
    return claimed


def declared_canonical(html: str, url: str | None) -> str | None:
    """The address the page names as canonical (link rel=canonical, else og:url), against its
    own URL: a claim, true or not.

    Read here rather than from trafilatura, which resolves a relative canonical link against
    whichever og: URL comes first, an image's CDN for instance.
    """
    end = HEAD_END.search(html)
    try:
        head = lxml.html.fromstring(html[: end.start()] if end else html)
    except (ParserError, ValueError):  # empty, or a string with an encoding declaration
        return None
    for xpath in CANONICAL_XPATHS:
        for link in head.xpath(xpath):
            found = absolute(url, link.strip())
            if found and found.startswith(("http://", "https://")):  # relative, with no base: no
                return found
    return None


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
