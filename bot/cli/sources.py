"""Where the CLI's articles come from: a file (HTML or text, maybe gzipped), a URL, or stdin.

Local input is bounded like a fetched page: at most `MAX_BYTES`, gzip included once unpacked;
binary data is refused, and text is decoded in the charset it declares, as the fetcher does.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import re
import sys
import zlib
from pathlib import Path
from typing import BinaryIO

import aiohttp

from bot.errors import UserError
from bot.model import Article
from bot.pipeline.extract import extract_html, extract_text, looks_like_html
from bot.pipeline.fetch import MAX_BYTES, pick_charset
from bot.services.desk import fetch_article

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
GZIP_MAGIC = b"\x1f\x8b"
URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
WEB_SCHEMES = frozenset({"http", "https"})
# Undecodable bytes (U+FFFD once decoded) in more than this share of the text: not text.
MAX_UNDECODABLE = 0.1


def web_host(source: str) -> str | None:
    """The host of an http(s) URL; None for anything else."""
    scheme = URL_SCHEME.match(source)
    if scheme is None or scheme[1].lower() not in WEB_SCHEMES:
        return None
    return source[scheme.end() :].split("/", 1)[0]


def reading_label(source: str) -> str:
    """What the CLI is doing while it reads `source`, for its progress line."""
    host = web_host(source)
    if host is not None:
        return f"Fetching {host}…"
    return "Reading stdin…" if source == "-" else f"Reading {source}…"


async def read_source(source: str, session: aiohttp.ClientSession) -> Article:
    """The article in SOURCE: `-` for stdin, an http(s) URL, or a path."""
    if web_host(source) is not None:
        return await fetch_article(session, source)
    scheme = URL_SCHEME.match(source)
    if scheme:
        raise UserError(f"{scheme[1]}:// is not supported: give a file, an http(s) URL or -")
    if source == "-":
        raw = await asyncio.to_thread(read_stream, sys.stdin.buffer)
        return await asyncio.to_thread(article_from_bytes, raw, is_html=None)
    path = Path(source)
    raw = await asyncio.to_thread(read_file, path)
    suffixes = {suffix.lower() for suffix in path.suffixes}
    return await asyncio.to_thread(
        article_from_bytes, raw, is_html=True if suffixes & HTML_SUFFIXES else None
    )


def read_file(path: Path) -> bytes:
    """The file's bytes as `read_stream` gives them; UserError for a missing file or a folder."""
    try:
        with path.open("rb") as file:
            return read_stream(file)
    except FileNotFoundError:
        raise UserError("no such file, and not an http(s) URL") from None
    except IsADirectoryError:
        raise UserError("is a folder, not a file") from None
    except OSError as error:
        raise UserError(f"cannot read it ({error.strerror or error})") from None


def read_stream(stream: BinaryIO) -> bytes:
    """The bytes of `stream`, unpacked if gzipped (known by its magic bytes, so stdin too)."""
    data = read_capped(stream, "is bigger than")
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacking:
            return read_capped(unpacking, "unpacks to more than")
    except (OSError, EOFError, zlib.error) as error:
        raise UserError(f"is not a valid gzip file ({error})") from None


def read_capped(stream: BinaryIO | io.BufferedIOBase, too_big: str) -> bytes:
    """At most MAX_BYTES of `stream`, reading no further: a gzip bomb is not unpacked."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UserError(f"{too_big} {MAX_BYTES // 1_000_000} MB, more than precis reads")
    return data


def decode(raw: bytes) -> str:
    """`raw` as text in the charset it declares (BOM, <meta charset>), else UTF-8; binary
    data (NUL bytes, or mostly undecodable) is refused."""
    charset = pick_charset(None, raw)
    text = raw.decode(charset, errors="replace")
    if b"\0" in raw or text.count("\ufffd") > MAX_UNDECODABLE * len(text):
        raise UserError("is binary, not text or HTML")
    return text


def article_from_bytes(raw: bytes, *, is_html: bool | None) -> Article:
    """HTML by the caller's word (a file's extension), else recognised by its content."""
    data = decode(raw)
    if is_html or (is_html is None and looks_like_html(data)):
        return extract_html(data)
    return extract_text(data)
