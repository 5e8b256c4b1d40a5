"""Fetch a page someone linked, safely: public addresses only, bounded in size and time.

Every hop of a redirect chain is checked before it is requested: the URL must be http(s) and its
host must resolve only to public addresses, unless the session was made by
`create_session(allow_private=True)`: the session carries that rule, set once at start. Sessions
made by `create_session` check again at connect time, on the very addresses they connect to, so a
DNS answer that changes between the check and the connection (DNS rebinding) is refused too.
"""

from __future__ import annotations

import asyncio
import codecs
import ipaddress
import re
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import aiohttp
from aiohttp import hdrs
from aiohttp.abc import ResolveResult
from yarl import URL

from bot.errors import UserError

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/xml",
        "text/xml",
        "application/rdf+xml",
    }
)

MAX_REDIRECTS = 5
MAX_BYTES = 5_000_000  # the most of a page (or a local file, unpacked) that precis reads
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
GONE_STATUSES = frozenset({404, 410})
CONNECT_TIMEOUT = 10.0
CHUNK_SIZE = 64 * 1024
USER_AGENT = "precis/0.1 (Discord news summary bot)"

# Where a page names its own encoding: <meta charset>, <meta http-equiv> or an XML declaration.
DECLARED_CHARSET = re.compile(
    rb"""(?:<meta[^>]+charset|<\?xml[^>]+encoding)\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE
)
CHARSET_SNIFF_BYTES = 4096
# Browsers read Latin-1 and ASCII labels as windows-1252 (WHATWG Encoding), and so do pages.
WINDOWS_1252_ALIASES = frozenset({"iso8859-1", "ascii"})
# Python text codecs that are no document's charset: host name encodings, Python string
# literals, a codec that refuses everything, and UTF-7 (which browsers refuse).
NOT_CHARSETS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "utf-7"}
)

# Embedded IPv4 in IPv6 forms a proxy or the kernel may route to the IPv4 address.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


class FetchError(UserError):
    """Fetching failed; each kind has its own message for the user."""

    message: ClassVar[str] = "I couldn't fetch that page."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)


class InvalidURL(FetchError):
    """Not an absolute http(s) URL."""

    message = "That doesn't look like a web address I can open (it should start with https://)."


class BlockedAddress(FetchError):
    """The host resolves to a private, loopback or otherwise non-public address."""

    message = "That address points to a private network, so I won't fetch it."


class NotFound(FetchError):
    """The page is gone (404, 410), or its host does not exist (`no_host`)."""

    message = "That page doesn't exist (the site says it isn't there)."
    no_host: ClassVar[str] = "I couldn't find that website. Is the address right?"


class FetchTimeout(FetchError):
    """The site did not answer in time."""

    message = "That site took too long to answer."


class TooLarge(FetchError):
    """The body is over the size limit (said up front or found while reading)."""

    message = "That page is too big for me to read."


class NotAnArticle(FetchError):
    """A content type the caller does not accept (an image, a PDF)."""

    message = "That link isn't a page I can read."

    def __init__(self, content_type: str, message: str | None = None) -> None:
        super().__init__(message)
        self.content_type = content_type


class HTTPStatusError(FetchError):
    """Any other answer that is not a success; `status` says which."""

    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(message or f"The site answered with an error ({status}).")
        self.status = status


class TooManyRedirects(HTTPStatusError):
    """A chain of redirects too long to follow; `status` is the last redirect's."""

    def __init__(self, status: int) -> None:
        super().__init__(status, "That link redirects too many times.")


class ConnectionFailed(FetchError):
    """Any other client error: the connection could not be made, or broke."""

    message = "I couldn't connect to that site."


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A fetched page, or a 304 answer to a conditional request (`not_modified`)."""

    url: str
    status: int
    content_type: str
    charset: str | None
    raw: bytes
    text: str
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """A 304: the page is as it was at the request's validators."""
        return self.status == 304


def is_public_address(address: str) -> bool:
    """Whether an IP address is on the public internet, looking through IPv4-in-IPv6 forms."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    embedded = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    if embedded is not None:
        return is_public_address(str(embedded))
    special = (
        ip.is_private,
        ip.is_loopback,
        ip.is_link_local,
        ip.is_multicast,
        ip.is_reserved,
        ip.is_unspecified,
    )
    return ip.is_global and not any(special)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4 or NAT64), which decides instead."""
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64_PREFIX else None


class GuardedResolver(aiohttp.ThreadedResolver):
    """The loop's getaddrinfo, refusing to hand the connector a non-public address (unless
    `allow_private`)."""

    def __init__(self, *, allow_private: bool = False) -> None:
        super().__init__()
        self.allow_private = allow_private

    def ensure_allowed(self, addresses: Iterable[str]) -> None:
        """Raise BlockedAddress unless every address is public or private ones are allowed."""
        if not self.allow_private and not all(map(is_public_address, addresses)):
            raise BlockedAddress

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The host's addresses; BlockedAddress when one is not allowed (see `ensure_allowed`)."""
        results = await super().resolve(host, port, family)
        self.ensure_allowed(result["host"] for result in results)
        return results


class GuardedConnector(aiohttp.TCPConnector):
    """Connects only where its `guard` allows; the DNS cache is off so that every connection
    goes through the guard."""

    def __init__(self, *, allow_private: bool) -> None:
        self.guard = GuardedResolver(allow_private=allow_private)
        super().__init__(resolver=self.guard, use_dns_cache=False)


def create_session(*, allow_private: bool = False, **kwargs: Any) -> aiohttp.ClientSession:
    """A session whose connections go only to public addresses, or also to private ones when
    `allow_private` (PRECIS_ALLOW_PRIVATE_URLS); `fetch` checks each hop by the same rule."""
    return aiohttp.ClientSession(connector=GuardedConnector(allow_private=allow_private), **kwargs)


def session_guard(session: aiohttp.ClientSession) -> GuardedResolver:
    """The rule `session` connects by; a session not made by `create_session` allows no
    private address (and is checked only before each hop, not at connect time)."""
    connector = session.connector
    return connector.guard if isinstance(connector, GuardedConnector) else GuardedResolver()


def parse_url(url: str, base: URL | None = None) -> URL:
    """An absolute http(s) URL, `url` resolved against `base` when given (a redirect)."""
    try:
        parsed = URL(url.strip())
        if base is not None:
            parsed = base.join(parsed)
    except ValueError as exc:
        raise InvalidURL from exc
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise InvalidURL
    return parsed


async def check_host(url: URL, guard: GuardedResolver) -> None:
    """Resolve the URL's host and refuse it if any address it has is not allowed by `guard`."""
    host = url.raw_host or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:  # an IP literal: aiohttp connects to it without asking a resolver
        guard.ensure_allowed([host])
        return
    try:
        await guard.resolve(host, url.port or 0, socket.AF_UNSPEC)
    except OSError as exc:
        raise NotFound(NotFound.no_host) from exc


def charset_codec(label: str | None) -> str | None:
    """The codec for a charset label, or None when it names no text charset.

    Python's codec registry also holds byte-to-byte transforms (base64, zlib, rot13...) that a
    page may name to make decoding fail: those, and the text codecs of NOT_CHARSETS, are no
    charset.
    """
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
        b"x".decode(name, errors="replace")  # LookupError for a byte-to-byte transform
    except (LookupError, UnicodeError):
        return None
    if name in NOT_CHARSETS:
        return None
    return "cp1252" if name in WINDOWS_1252_ALIASES else name


def pick_charset(declared: str | None, raw: bytes) -> str:
    """The byte-order mark's charset, else the header's, else the page's own declaration, else
    UTF-8; as a codec name. A label that names no text charset is passed over."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    sniffed = DECLARED_CHARSET.search(raw[:CHARSET_SNIFF_BYTES])
    for label in (declared, sniffed and sniffed.group(1).decode("ascii")):
        name = charset_codec(label)
        if name is not None:
            return name
    return "utf-8"


async def read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The body, or TooLarge as soon as it is over `max_bytes`."""
    if (response.content_length or 0) > max_bytes:
        raise TooLarge
    body = bytearray()
    async for chunk in response.content.iter_chunked(CHUNK_SIZE):
        body += chunk
        if len(body) > max_bytes:
            raise TooLarge
    return bytes(body)


def check_status(status: int) -> None:
    """NotFound for a page that is gone, HTTPStatusError for any other non-success but 304."""
    if status in GONE_STATUSES:
        raise NotFound
    if not 200 <= status < 300 and status != 304:
        raise HTTPStatusError(status)


async def read_response(
    response: aiohttp.ClientResponse, accept: frozenset[str], max_bytes: int
) -> FetchResult:
    """The response as a `FetchResult`, decoded by its declared or sniffed charset. Raises
    as `check_status`, NotAnArticle for a type not in `accept`, TooLarge."""
    check_status(response.status)
    validators = {
        "etag": response.headers.get(hdrs.ETAG),
        "last_modified": response.headers.get(hdrs.LAST_MODIFIED),
    }
    if response.status == 304:
        return FetchResult(str(response.url), 304, "", None, b"", "", **validators)
    if response.content_type not in accept:
        raise NotAnArticle(response.content_type)
    raw = await read_capped(response, max_bytes)
    charset = pick_charset(response.charset, raw)
    return FetchResult(
        url=str(response.url),
        status=response.status,
        content_type=response.content_type,
        charset=charset,
        raw=raw,
        text=raw.decode(charset, errors="replace"),
        **validators,
    )


async def follow(
    session: aiohttp.ClientSession,
    url: URL,
    accept: frozenset[str],
    max_bytes: int,
    headers: Mapping[str, str],
    hop_timeout: aiohttp.ClientTimeout,
) -> FetchResult:
    """Request `url`, following redirects by hand so each hop is checked before it is requested."""
    guard = session_guard(session)
    for _ in range(MAX_REDIRECTS + 1):
        await check_host(url, guard)
        async with session.get(
            url, headers=headers, allow_redirects=False, timeout=hop_timeout
        ) as response:
            location = response.headers.get(hdrs.LOCATION)
            if response.status not in REDIRECT_STATUSES or not location:
                return await read_response(response, accept, max_bytes)
            url = parse_url(location, base=response.url)
    raise TooManyRedirects(response.status)


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    *,
    accept: frozenset[str] = PAGE_TYPES,
    max_bytes: int = MAX_BYTES,
    timeout: float = 15.0,  # noqa: ASYNC109 - bounds DNS checks and every hop, not one await
    headers: Mapping[str, str] | None = None,
) -> FetchResult:
    """GET `url` and decode it, or raise a FetchError saying why not.

    `headers` go with every hop: pass If-None-Match / If-Modified-Since for a conditional GET,
    and check `result.not_modified`. `timeout` bounds the whole call, redirects included.
    """
    request_headers = {
        hdrs.USER_AGENT: USER_AGENT,
        hdrs.ACCEPT: ", ".join(sorted(accept)) + ", */*;q=0.1",
        **(headers or {}),
    }
    hop_timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, CONNECT_TIMEOUT))
    try:
        async with asyncio.timeout(timeout):
            return await follow(
                session, parse_url(url), accept, max_bytes, request_headers, hop_timeout
            )
    except TimeoutError as exc:
        raise FetchTimeout from exc
    except aiohttp.InvalidURL as exc:
        raise InvalidURL from exc
    except aiohttp.ClientError as exc:
        raise ConnectionFailed from exc
