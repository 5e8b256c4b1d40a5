"""The article: what every stage of the news pipeline hands to the next."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

PARAGRAPH_SEPARATOR = "\n\n"


@dataclass(frozen=True, slots=True)
class Article:
    """An article's text as paragraphs, plus what the page said about it.

    `text` joins the paragraphs with a blank line; quote offsets index into it.
    """

    title: str
    paragraphs: tuple[str, ...]
    url: str | None = None
    author: str | None = None
    published: str | None = None
    site_name: str | None = None
    image: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def text(self) -> str:
        return PARAGRAPH_SEPARATOR.join(self.paragraphs)

    @property
    def content_hash(self) -> str:
        """Identifies the same story reached through different URLs."""
        return hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()

    @property
    def word_count(self) -> int:
        return sum(len(paragraph.split()) for paragraph in self.paragraphs)
