"""Discord's limits on an embed, checked on the payloads the fake Discord records."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

# A masked link `[text](target)` whose opening bracket is not escaped.
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]\n]*\]\(([^)\s]*)\)")


def embed_size(embed: dict[str, Any]) -> int:
    fields = embed.get("fields", [])
    return (
        len(embed.get("title", ""))
        + len(embed.get("description", ""))
        + sum(len(f["name"]) + len(f["value"]) for f in fields)
        + len(embed.get("footer", {}).get("text", ""))
        + len(embed.get("author", {}).get("name", ""))
    )


def is_embeddable(url: str) -> bool:
    """What Discord takes as an embed's url, thumbnail or link: http(s), under 2,048."""
    return urlsplit(url).scheme in {"http", "https"} and len(url) < 2048


def assert_within_limits(embed: dict[str, Any]) -> None:
    assert len(embed.get("title", "")) <= 256
    assert len(embed.get("description", "")) <= 4096
    assert len(embed.get("fields", [])) <= 25
    assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in embed.get("fields", []))
    assert len(embed.get("footer", {}).get("text", "")) <= 2048
    assert embed_size(embed) <= 6000
    urls = [embed.get("url"), embed.get("thumbnail", {}).get("url")]
    texts = [embed.get("description", ""), *(f["value"] for f in embed.get("fields", []))]
    urls += [target for text in texts for target in MASKED_LINK.findall(text)]
    assert all(is_embeddable(url) for url in urls if url is not None), [u[:80] for u in urls if u]
