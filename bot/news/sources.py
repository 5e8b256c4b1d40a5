"""Where the CLI's articles come from: a file (HTML or text, maybe gzipped), a URL, or stdin."""

from __future__ import annotations

import asyncio
import gzip
import sys
from pathlib import Path

import aiohttp

from bot.errors import UserError
from bot.news.article import Article
from bot.news.desk import fetch_article
from bot.news.extract import extract_html, extract_text, looks_like_html

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


async def read_source(
    source: str, session: aiohttp.ClientSession, *, allow_private: bool
) -> Article:
    """The article in SOURCE: `-` for stdin, an http(s) URL, or a path."""
    if source.startswith(("http://", "https://")):
        return await fetch_article(session, source, allow_private=allow_private)
    if source == "-":
        return await asyncio.to_thread(article_from_data, sys.stdin.read(), is_html=None)
    path = Path(source)
    data = await asyncio.to_thread(read_file, path)
    suffixes = {suffix.lower() for suffix in path.suffixes}
    return await asyncio.to_thread(
        article_from_data, data, is_html=True if suffixes & HTML_SUFFIXES else None
    )


def read_file(path: Path) -> str:
    try:
        raw = path.read_bytes()
        if path.suffix.lower() == ".gz":
            raw = gzip.decompress(raw)
    except FileNotFoundError:
        raise UserError("no such file") from None
    except IsADirectoryError:
        raise UserError("is a folder, not a file") from None
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise UserError(f"cannot read it ({error})") from None
    return raw.decode("utf-8", errors="replace")


def article_from_data(data: str, *, is_html: bool | None) -> Article:
    """HTML by the caller's word (a file's extension), else recognised by its content."""
    if is_html or (is_html is None and looks_like_html(data)):
        return extract_html(data)
    return extract_text(data)
