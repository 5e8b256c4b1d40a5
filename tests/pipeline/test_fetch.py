"""The fetcher against a local aiohttp server: only 127.0.0.1 is ever connected to."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from types import SimpleNamespace

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.pipeline import fetch as fetch_module
from bot.pipeline.fetch import (
    FEED_TYPES,
    BlockedAddress,
    FetchTimeout,
    GuardedResolver,
    HTTPStatusError,
    InvalidURL,
    NotAnArticle,
    NotFound,
    TooLarge,
    TooManyRedirects,
    create_session,
    fetch,
    is_public_address,
)

PAGE = "<html><head><title>T</title></head><body><p>Café – “quoted”</p></body></html>"


async def page(request: web.Request) -> web.Response:
    return web.Response(text=PAGE, content_type="text/html", headers={"ETag": '"v1"'})


async def conditional(request: web.Request) -> web.Response:
    if request.headers.get("If-None-Match") == '"v1"':
        return web.Response(status=304, headers={"ETag": '"v1"'})
    return await page(request)


async def latin1_header(request: web.Request) -> web.Response:
    body = PAGE.encode("cp1252")
    return web.Response(body=body, headers={"Content-Type": "text/html; charset=ISO-8859-1"})


async def meta_charset(request: web.Request) -> web.Response:
    body = PAGE.replace("<head>", '<head><meta charset="windows-1252">').encode("cp1252")
    return web.Response(body=body, headers={"Content-Type": "text/html"})


async def declared(request: web.Request) -> web.Response:
    """PAGE in UTF-8, with the charset `?header=` in the header and `?meta=` in the page."""
    body = PAGE
    if "meta" in request.query:
        body = body.replace("<head>", f'<head><meta charset="{request.query["meta"]}">')
    content_type = "text/html"
    if "header" in request.query:
        content_type += f"; charset={request.query['header']}"
    return web.Response(body=body.encode(), headers={"Content-Type": content_type})


async def undeclared(request: web.Request) -> web.Response:
    return web.Response(body=b"<p>caf\xe9</p>", headers={"Content-Type": "text/html"})


async def big(request: web.Request) -> web.Response:
    return web.Response(text="x" * 2000, content_type="text/html")


async def big_streamed(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    for _ in range(10):
        await response.write(b"x" * 500)
    await response.write_eof()
    return response


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(5)
    return await page(request)


async def pdf(request: web.Request) -> web.Response:
    return web.Response(body=b"%PDF-1.4", content_type="application/pdf")


async def rss(request: web.Request) -> web.Response:
    return web.Response(text="<rss version='2.0'></rss>", content_type="application/rss+xml")


async def gone(request: web.Request) -> web.Response:
    return web.Response(status=404, text="no", content_type="text/html")


async def broken(request: web.Request) -> web.Response:
    return web.Response(status=500, text="oops", content_type="text/html")


async def redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound(request.query["to"])


async def loop_redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/loop")


ROUTES = {
    "/page": page,
    "/conditional": conditional,
    "/latin1": latin1_header,
    "/meta": meta_charset,
    "/declared": declared,
    "/undeclared": undeclared,
    "/big": big,
    "/big-streamed": big_streamed,
    "/slow": slow,
    "/pdf": pdf,
    "/rss": rss,
    "/gone": gone,
    "/broken": broken,
    "/redirect": redirect,
    "/loop": loop_redirect,
}


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    app = web.Application()
    for path, handler in ROUTES.items():
        app.router.add_get(path, handler)
    test_server = TestServer(app, host="127.0.0.1")
    async with test_server:
        yield test_server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with create_session(allow_private=True) as client:
        yield client


def url(server: TestServer, path: str) -> str:
    return str(server.make_url(path))


async def test_fetches_a_local_page_when_allowed(
    server: TestServer, session: aiohttp.ClientSession
) -> None:
    result = await fetch(session, url(server, "/page"))
    assert result.status == 200
    assert result.content_type == "text/html"
    assert result.text == PAGE
    assert result.etag == '"v1"'
    assert not result.not_modified


async def test_refuses_loopback_by_default(server: TestServer) -> None:
    async with create_session() as session:
        with pytest.raises(BlockedAddress, match="private network"):
            await fetch(session, url(server, "/page"))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "224.0.0.1",
        "240.0.0.1",
        "0.0.0.0",
        "::1",
        "::",
        "fe80::1%eth0",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",
        "64:ff9b::a00:1",
    ],
)
def test_private_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize(
    "target", ["http://10.0.0.1/", "http://[::1]/admin", "http://169.254.169.254/latest/"]
)
async def test_redirect_to_private_address_is_refused_before_connecting(
    server: TestServer, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    # Treat the test server's loopback address as public, so only the redirect target is private.
    real_check = fetch_module.is_public_address
    monkeypatch.setattr(
        fetch_module, "is_public_address", lambda ip: ip == "127.0.0.1" or real_check(ip)
    )
    requested: list[str] = []

    async def on_request_start(
        session: aiohttp.ClientSession, context: SimpleNamespace, params: object
    ) -> None:
        requested.append(str(getattr(params, "url", "")))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_request_start)
    start = url(server, "/redirect?to=" + target)
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        with pytest.raises(BlockedAddress):
            await fetch(session, start)
    assert requested == [start]


async def test_follows_relative_redirects(
    server: TestServer, session: aiohttp.ClientSession
) -> None:
    result = await fetch(session, url(server, "/redirect?to=/page"))
    assert result.url == url(server, "/page")
    assert result.text == PAGE


async def test_stops_after_five_redirects(
    server: TestServer, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(TooManyRedirects):
        await fetch(session, url(server, "/loop"))


@pytest.mark.parametrize("path", ["/big", "/big-streamed"])
async def test_oversized_body_is_cut_off(
    server: TestServer, session: aiohttp.ClientSession, path: str
) -> None:
    with pytest.raises(TooLarge):
        await fetch(session, url(server, path), max_bytes=1000)


async def test_slow_server_times_out(server: TestServer, session: aiohttp.ClientSession) -> None:
    with pytest.raises(FetchTimeout):
        await fetch(session, url(server, "/slow"), timeout=0.3)


async def test_wrong_content_type_is_not_an_article(
    server: TestServer, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(NotAnArticle) as caught:
        await fetch(session, url(server, "/pdf"))
    assert caught.value.content_type == "application/pdf"


async def test_feed_types_are_accepted_on_request(
    server: TestServer, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(NotAnArticle):
        await fetch(session, url(server, "/rss"))
    result = await fetch(session, url(server, "/rss"), accept=FEED_TYPES)
    assert result.text.startswith("<rss")


async def decoded_charset(session: aiohttp.ClientSession, address: str) -> str:
    """The charset `fetch` read a served copy of PAGE with, once its text came out whole."""
    result = await fetch(session, address)
    assert "Café – “quoted”" in result.text
    return result.charset


@pytest.mark.parametrize(("path", "charset"), [("/latin1", "cp1252"), ("/meta", "cp1252")])
async def test_non_utf8_page_decodes(
    server: TestServer, session: aiohttp.ClientSession, path: str, charset: str
) -> None:
    assert await decoded_charset(session, url(server, path)) == charset


# Codecs Python knows that are not a document's character set: byte-to-byte transforms, host
# name encodings, Python string literals, and UTF-7 (which browsers refuse).
NOT_CHARSETS = ["rot13", "base64", "zlib", "hex", "uu", "bz2", "quopri", "idna", "punycode"]
NOT_CHARSETS += ["undefined", "unicode_escape", "utf-7"]


@pytest.mark.parametrize("where", ["header", "meta"])
@pytest.mark.parametrize("label", NOT_CHARSETS)
async def test_a_charset_that_is_not_text_falls_back_to_utf8(
    server: TestServer, session: aiohttp.ClientSession, where: str, label: str
) -> None:
    assert await decoded_charset(session, url(server, f"/declared?{where}={label}")) == "utf-8"


async def test_a_bad_header_charset_gives_way_to_the_page_s_own(
    server: TestServer, session: aiohttp.ClientSession
) -> None:
    address = url(server, "/declared?header=rot13&meta=utf-8")
    assert await decoded_charset(session, address) == "utf-8"


async def test_undeclared_charset_falls_back_to_utf8_with_replacement(
    server: TestServer, session: aiohttp.ClientSession
) -> None:
    result = await fetch(session, url(server, "/undeclared"))
    assert result.charset == "utf-8"
    assert result.text == "<p>caf\ufffd</p>"


async def test_conditional_get_reports_not_modified(
    server: TestServer, session: aiohttp.ClientSession
) -> None:
    result = await fetch(
        session,
        url(server, "/conditional"),
        headers={"If-None-Match": '"v1"'},
    )
    assert result.not_modified
    assert result.etag == '"v1"'
    assert result.raw == b""


async def test_404_is_not_found(server: TestServer, session: aiohttp.ClientSession) -> None:
    with pytest.raises(NotFound, match="doesn't exist"):
        await fetch(session, url(server, "/gone"))


async def test_server_error_is_a_status_error(
    server: TestServer, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        await fetch(session, url(server, "/broken"))
    assert caught.value.status == 500
    assert "500" in str(caught.value)


@pytest.mark.parametrize(
    "address", ["ftp://example.com/file", "javascript:alert(1)", "file:///etc/passwd", "http://"]
)
async def test_only_http_urls_are_fetched(session: aiohttp.ClientSession, address: str) -> None:
    with pytest.raises(InvalidURL):
        await fetch(session, address)


async def test_unknown_host_is_not_found(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_such_host(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(aiohttp.ThreadedResolver, "resolve", no_such_host)
    with pytest.raises(NotFound, match="couldn't find that website"):
        await fetch(session, "https://no-such-host.example/")


async def test_guarded_resolver_refuses_private_answers() -> None:
    with pytest.raises(BlockedAddress):
        await GuardedResolver().resolve("localhost", 80, socket.AF_UNSPEC)


async def test_guarded_session_refuses_at_connect_time(
    server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the host passed the check, then resolves somewhere private."""

    async def passes(url: object, guard: object) -> None:
        return None

    monkeypatch.setattr(fetch_module, "check_host", passes)
    address = f"http://localhost:{server.port}/page"
    async with create_session() as session:
        with pytest.raises(BlockedAddress):
            await fetch(session, address)
    async with create_session(allow_private=True) as session:
        result = await fetch(session, address)
    assert result.text == PAGE
