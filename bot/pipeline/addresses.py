"""Web addresses: one spelling per URL, and the site a URL belongs to.

A site is a registrable domain by the Public Suffix List (`news.example.co.uk` and
`www.example.co.uk` are one site, `alice.github.io` and `bob.github.io` two). The list is
the snapshot that the `tld` package ships: it is read from the package, never downloaded.
"""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import unquote

from tld import get_fld
from yarl import URL

# Click-tracking parameters, which say how a reader came and not which page: dropped from
# the lookup key, with every `utm_*` parameter. Every other parameter counts, in its order.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",  # Microsoft Ads
        "yclid",  # Yandex
        "twclid",  # X / Twitter
        "ttclid",  # TikTok
        "igshid",  # Instagram
        "li_fat_id",  # LinkedIn
        "mc_cid",  # Mailchimp
        "mc_eid",
        "_hsenc",  # HubSpot
        "_hsmi",
        "mkt_tok",  # Marketo
        "oly_anon_id",  # Omeda
        "oly_enc_id",
        "vero_id",  # Vero
        "ref_src",  # X / Twitter embeds
        "ref_url",
    }
)


def is_tracking(param: str) -> bool:
    """A query parameter that tracks the reader (`utm_*` and the like), not the page."""
    name = unquote(param).lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def normal_url(url: str) -> str:
    """One spelling per address: lower-case scheme and host, no default port, fragment or
    click-tracking parameter, and `/` for an empty path. The path's case and the other query
    parameters, in their order and as they were written, are kept: a site may tell them apart.

    A string that is no absolute URL comes back trimmed, without its fragment.
    """
    try:
        parsed = URL(url.strip())
    except ValueError:  # a malformed IPv6 literal, say
        parsed = URL()  # no absolute URL either
    if not parsed.absolute:
        return url.strip().partition("#")[0]
    query = [
        param
        for param in parsed.raw_query_string.split("&")
        if param and not is_tracking(param.partition("=")[0])
    ]
    path_only = parsed.with_path(parsed.raw_path, encoded=True)  # no query, no fragment
    return str(path_only) + ("?" + "&".join(query) if query else "")


def site(url: str) -> str | None:
    """The registrable domain of `url`'s host (its IP address, for an address), or None."""
    try:
        host = URL(url.strip()).raw_host or ""  # IDN hosts punycoded
    except ValueError:
        return None
    host = host.rstrip(".").lower()
    return registrable_domain(host) if host else None


@functools.lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """The public suffix and one label before it: the part of a host name that is bought.

    A host under no listed suffix is read by the list's default rule (the last label is the
    suffix); an IP address, a single label or a malformed name is its own site.
    """
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if "" in host.split("."):
        return host
    found = get_fld(host, fix_protocol=True, fail_silently=True)
    return str(found) if found else ".".join(host.split(".")[-2:])


def same_site(first: str, second: str) -> bool:
    """Whether two URLs belong to one site: the same registrable domain."""
    first_site = site(first)
    return first_site is not None and first_site == site(second)
