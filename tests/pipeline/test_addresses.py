"""Web addresses: one spelling per URL, and the site (registrable domain) a URL belongs to."""

from __future__ import annotations

import pytest

from bot.pipeline import addresses
from bot.pipeline.addresses import normal_url, same_site, site


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.COM:443/a/B?z=1&a=2#top", "https://news.example.com/a/B?z=1&a=2"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com:80/x", "https://example.com:80/x"),
        (
            "https://example.com/p?utm_source=rss&UTM_Medium=x&fbclid=1&id=9&gclid=2&q=",
            "https://example.com/p?id=9&q=",
        ),
        ("https://example.com/p?utm_campaign=x", "https://example.com/p"),
        ("https://example.com/p?mc_cid=1&mc_eid=2&ref_src=twsrc%5Etfw", "https://example.com/p"),
        ("https://example.com/p?b=2&a=1&b=1", "https://example.com/p?b=2&a=1&b=1"),
        ("https://example.com/p?q=a%2Fb+c&ref=home", "https://example.com/p?q=a/b+c&ref=home"),
        ("https://example.com/a b?c d=é", "https://example.com/a%20b?c+d=%C3%A9"),
        ("https://example.com/Path/Case?", "https://example.com/Path/Case"),
        ("https://example.com/p#utm_source=x", "https://example.com/p"),
    ],
)
def test_normal_url_is_one_spelling_per_address(url: str, expected: str) -> None:
    assert normal_url(url) == expected


def test_normal_url_keeps_what_it_cannot_parse() -> None:
    assert normal_url(" not a url ") == "not a url"
    assert normal_url("/relative/path#x") == "/relative/path"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.example.co.uk/a", "example.co.uk"),
        ("https://news.example.co.uk/b", "example.co.uk"),
        ("https://other.co.uk/", "other.co.uk"),
        ("http://WWW.Example.COM./x", "example.com"),
        ("https://alice.github.io/", "alice.github.io"),  # a private suffix: one site per user
        ("https://news.coastal.test/a", "coastal.test"),  # not listed: the last two labels
        ("http://127.0.0.1:8080/a", "127.0.0.1"),
        ("http://[::1]/a", "::1"),
        ("http://localhost/a", "localhost"),
        ("https://www.пример.рф/", "xn--e1afmkfd.xn--p1ai"),
        ("https://www.xn--e1afmkfd.xn--p1ai/", "xn--e1afmkfd.xn--p1ai"),
    ],
)
def test_site_is_the_registrable_domain(url: str, expected: str) -> None:
    assert site(url) == expected


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("https://www.example.co.uk/a", "https://news.example.co.uk/b", True),
        ("http://example.com/a", "https://amp.example.com/a", True),
        ("https://example.co.uk/a", "https://other.co.uk/a", False),
        ("https://alice.github.io/a", "https://bob.github.io/a", False),
        ("http://127.0.0.1:1/a", "http://127.0.0.1:2/b", True),
        ("http://127.0.0.1/a", "http://127.0.0.2/a", False),
        ("https://example.com/a", "https://example.com.evil.net/a", False),
        ("https://example.com/a", "not a url", False),
        ("http://x..com/", "http://y..com/", False),
        ("http://./", "http://./", False),
    ],
)
def test_same_site(first: str, second: str, same: bool) -> None:
    assert same_site(first, second) is same
    assert same_site(second, first) is same


def test_the_suffix_list_is_read_from_the_package_never_downloaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the public suffix list was fetched from the network")

    monkeypatch.setattr("tld.base.urlopen", no_network)
    monkeypatch.setattr("tld.utils.tld_names", {})  # forget any list loaded before
    addresses.registrable_domain.cache_clear()
    assert site("https://bbc.co.uk/news") == "bbc.co.uk"
